"""Areas and caseload: residents per full-time member of staff against the area's target."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.selectors import CaseloadStatus, areas_with_caseload

from ..factories import AreaFactory, SiteFactory, SiteOccupancyFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)


def counts(site, *pairs):
    for date, residents in pairs:
        SiteOccupancyFactory(site=site, date=date, residents=residents)


@pytest.fixture
def url(program):
    return reverse("area_list", args=[program.slug])


def rows_by_area(response):
    return {row[0]["text"]: row for row in response.context["rows"]}


def test_current_residents_add_up_each_sites_latest_count(program):
    north = AreaFactory(program=program, name="Nord", staff_fte=2, caseload_ratio_target=100)
    shelter, flat = SiteFactory.create_batch(2, program=program, area=north)
    counts(shelter, (JAN, 300), (MAR, 150), (FEB, 400))  # latest is March
    counts(flat, (JAN, 40))
    closed = SiteFactory(program=program, area=north, active=False)
    counts(closed, (MAR, 500))  # a closed site houses nobody now
    counts(SiteFactory(program=program, area=AreaFactory(program=program)), (MAR, 999))
    counts(SiteFactory(program=program), (MAR, 999))  # no area
    area = areas_with_caseload(program).get(pk=north.pk)
    assert area.current_residents == 190
    assert area.site_count == 2
    assert area.residents_per_staff == 95
    assert area.caseload_status == CaseloadStatus.WITHIN


def test_an_area_over_its_target_is_highlighted_and_says_so(login, program, alice, url):
    north = AreaFactory(program=program, name="Nord", staff_fte=Decimal("1.5"))
    counts(SiteFactory(program=program, area=north), (MAR, 180))
    south = AreaFactory(program=program, name="Süd", staff_fte=2, caseload_ratio_target=100)
    counts(SiteFactory(program=program, area=south), (MAR, 200))
    response = login(alice).get(url)
    rows = rows_by_area(response)
    assert [c["text"] for c in rows["Nord"][1:6]] == [
        "Over target",
        "120",
        "1:100",
        "180",
        "1.5",
    ]
    assert rows["Nord"].css == "table-danger" and not rows["Süd"].css
    assert rows["Süd"][1]["text"] == "Within target"
    assert response.text.count('<tr class="table-danger">') == 1
    assert '<span class="badge text-bg-danger">Over target</span>' in response.text


def test_an_area_without_staff_shows_no_staff_instead_of_a_ratio(login, program, alice, url):
    empty = AreaFactory(program=program, name="Ost", staff_fte=0)
    counts(SiteFactory(program=program, area=empty), (MAR, 80))
    AreaFactory(program=program, name="West", staff_fte=1, caseload_ratio_target=None)
    response = login(alice).get(url)
    rows = rows_by_area(response)
    assert response.status_code == 200
    assert rows["Ost"][2]["text"] == "no staff"
    assert rows["Ost"][1]["text"] == "No staff"
    assert rows["West"][4]["text"] == "0"
    assert rows["West"][1]["text"] == "No target set"


def test_recording_a_new_count_changes_the_caseload(login, program, alice, url):
    north = AreaFactory(program=program, name="Nord", staff_fte=1, caseload_ratio_target=100)
    site = SiteFactory(program=program, area=north)
    counts(site, (JAN, 90))
    client = login(alice)
    assert not rows_by_area(client.get(url))["Nord"].css
    client.post(
        reverse("site_detail", args=[program.slug, site.pk]), {"date": MAR, "residents": 110}
    )
    row = rows_by_area(client.get(url))["Nord"]
    assert row.css and row[4]["text"] == "110"


def test_it_filters_the_areas_over_target_and_sorts_by_ratio(login, program, alice, url):
    for name, residents in [("A", 150), ("B", 90), ("C", 300)]:
        area = AreaFactory(program=program, name=name, staff_fte=1, caseload_ratio_target=100)
        counts(SiteFactory(program=program, area=area), (MAR, residents))
    client = login(alice)
    over = client.get(url, {"caseload_status": "over", "o": "-ratio"})
    assert list(rows_by_area(over)) == ["C", "A"]


def test_the_export_holds_the_caseload(login, program, alice, url):
    area = AreaFactory(program=program, name="Nord", staff_fte=2, caseload_ratio_target=100)
    counts(SiteFactory(program=program, area=area), (MAR, 250))
    response = login(alice).get(url, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert rows[0][2] == "Residents per full-time staff"
    assert rows[1] == ["Nord", "Over target", "125", "1:100", "250", "2", "1"]


def test_it_never_shows_another_programs_areas(login, program, other_program, alice, url):
    AreaFactory(program=other_program, name="Outsider")
    assert "Outsider" not in login(alice).get(url).text


def test_the_area_list_takes_the_same_number_of_queries_for_10_or_100_areas(
    login, program, alice, url
):
    client = login(alice)

    def queries_with(n):
        for _ in range(n):
            area = AreaFactory(program=program, staff_fte=1)
            for site in SiteFactory.create_batch(2, program=program, area=area):
                counts(site, (JAN, 50), (FEB, 60))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(10) == queries_with(90)


# ---- create and edit -----------------------------------------------------------------------


def test_a_coordinator_creates_an_area_with_its_target(login, program, alice, url):
    response = login(alice).post(
        reverse("area_create", args=[program.slug]),
        {"name": "Nord", "caseload_ratio_target": "100", "staff_fte": "1.5"},
        follow=True,
    )
    area = program.areas.get()
    assert (area.name, area.caseload_ratio_target, area.staff_fte) == ("Nord", 100, Decimal("1.5"))
    assert response.redirect_chain[-1][0] == url
    assert "Area “Nord” created." in response.text


def test_a_second_area_with_the_same_name_is_refused_with_a_message(login, program, alice):
    AreaFactory(program=program, name="Nord")
    response = login(alice).post(
        reverse("area_create", args=[program.slug]),
        {"name": "NORD", "caseload_ratio_target": "100", "staff_fte": "1"},
    )
    assert "This program already has an area called “NORD”" in response.text
    assert program.areas.count() == 1


def test_a_target_of_zero_is_refused(login, program, alice):
    response = login(alice).post(
        reverse("area_create", args=[program.slug]),
        {"name": "Nord", "caseload_ratio_target": "0", "staff_fte": "1"},
    )
    assert response.status_code == 200
    assert not program.areas.exists()


def test_editing_an_area_changes_its_staff(login, program, other_program, alice):
    area = AreaFactory(program=program, name="Nord", staff_fte=1)
    client = login(alice)
    client.post(
        reverse("area_edit", args=[program.slug, area.pk]),
        {"name": "Nord", "caseload_ratio_target": "100", "staff_fte": "2"},
    )
    area.refresh_from_db()
    assert area.staff_fte == 2
    theirs = AreaFactory(program=other_program)
    assert client.get(reverse("area_edit", args=[program.slug, theirs.pk])).status_code == 404


def test_the_caseload_of_all_areas_is_one_query(program, django_assert_num_queries):
    for _ in range(5):
        area = AreaFactory(program=program, staff_fte=1)
        counts(SiteFactory(program=program, area=area), (JAN, 50), (FEB, 60))
    with django_assert_num_queries(1):
        assert [a.current_residents for a in areas_with_caseload(program)] == [60] * 5
