"""Sites: create and edit them, and record how many people live there over time."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Site, SiteOccupancy
from programs.services import site_occupancy_record

from ..factories import AreaFactory, SiteFactory, SiteOccupancyFactory

pytestmark = pytest.mark.django_db


def detail_url(site):
    return reverse("site_detail", args=[site.program.slug, site.pk])


def new_site(**fields):
    return {"name": "Haus Lindenhof", "kind": Site.Kind.SHELTER, "active": "on", **fields}


# ---- create and edit -----------------------------------------------------------------------


def test_a_coordinator_creates_a_site_in_their_program(login, program, alice):
    area = AreaFactory(program=program, name="Nord")
    response = login(alice).post(
        reverse("site_create", args=[program.slug]),
        new_site(area=area.pk, capacity="120", city="Düren"),
        follow=True,
    )
    site = program.sites.get(name="Haus Lindenhof")
    assert (site.area, site.capacity, site.city) == (area, 120, "Düren")
    assert response.redirect_chain[-1][0] == detail_url(site)
    assert "Site “Haus Lindenhof” created." in response.text


def test_a_second_site_with_the_same_name_is_refused_with_a_message(login, program, alice):
    SiteFactory(program=program, name="Haus Lindenhof")
    response = login(alice).post(
        reverse("site_create", args=[program.slug]), new_site(name="haus lindenhof ")
    )
    assert response.status_code == 200
    assert "This program already has a site called “haus lindenhof”" in response.text
    assert 'value="haus lindenhof' in response.text  # what was typed is kept
    assert program.sites.count() == 1


def test_another_program_may_use_the_same_site_name(login, program, other_program, alice):
    SiteFactory(program=other_program, name="Haus Lindenhof")
    login(alice).post(reverse("site_create", args=[program.slug]), new_site())
    assert program.sites.filter(name="Haus Lindenhof").exists()


def test_a_site_keeps_its_own_name_when_edited(login, program, alice):
    site = SiteFactory(program=program, name="Haus Lindenhof", capacity=80)
    response = login(alice).post(
        reverse("site_edit", args=[program.slug, site.pk]), new_site(capacity="90")
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.capacity == 90


def test_only_the_programs_own_areas_can_be_chosen(login, program, other_program, alice):
    theirs = AreaFactory(program=other_program, name="Their area")
    client = login(alice)
    form = client.get(reverse("site_create", args=[program.slug])).text
    assert "Their area" not in form
    response = client.post(reverse("site_create", args=[program.slug]), new_site(area=theirs.pk))
    assert response.status_code == 200
    assert not program.sites.exists()


def test_another_programs_site_is_not_found(login, program, other_program, alice):
    theirs = SiteFactory(program=other_program)
    client = login(alice)
    assert client.get(detail_url(theirs).replace(other_program.slug, program.slug)).status_code == (
        404
    )
    edit = reverse("site_edit", args=[program.slug, theirs.pk])
    assert client.get(edit).status_code == 404


def test_a_volunteer_may_not_open_a_site(login, program, bob):
    site = SiteFactory(program=program)
    assert login(bob).get(detail_url(site)).status_code == 403


# ---- occupancy -----------------------------------------------------------------------------


def test_recording_a_count_adds_it_to_the_history(login, program, alice):
    site = SiteFactory(program=program, capacity=100)
    response = login(alice).post(
        detail_url(site), {"date": "2024-03-01", "residents": "85"}, follow=True
    )
    assert list(site.occupancies.values_list("date", "residents")) == [(dt.date(2024, 3, 1), 85)]
    assert "Recorded 85 residents on 1 Mar 2024." in response.text
    assert "Within capacity" in response.text


def test_recording_the_same_date_again_updates_that_days_count(login, program, alice):
    site = SiteFactory(program=program)
    client = login(alice)
    client.post(detail_url(site), {"date": "2024-03-01", "residents": "85"})
    response = client.post(detail_url(site), {"date": "2024-03-01", "residents": "91"}, follow=True)
    assert list(site.occupancies.values_list("residents", flat=True)) == [91]
    assert "Updated the count of 1 Mar 2024 to 91 residents." in response.text


def test_more_residents_than_places_are_recorded_and_flagged(login, program, alice):
    site = SiteFactory(program=program, capacity=100)
    response = login(alice).post(
        detail_url(site), {"date": "2024-03-01", "residents": "130"}, follow=True
    )
    assert site.occupancies.get().residents == 130
    assert "above the site&#x27;s capacity of 100 places" in response.text
    assert '<tr class="table-danger">' in response.text
    assert "Over capacity" in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2999-01-01", "residents": "10"}, "today or earlier"),
        ({"date": "2024-03-01", "residents": "-3"}, "greater than or equal to 0"),
        ({"date": "", "residents": "10"}, "This field is required"),
    ],
)
def test_an_impossible_count_is_refused_next_to_the_field(login, program, alice, data, message):
    site = SiteFactory(program=program)
    response = login(alice).post(detail_url(site), data)
    assert response.status_code == 200
    assert message in response.text
    assert not site.occupancies.exists()


def test_the_service_creates_then_updates_one_row_per_site_and_day(program):
    site = SiteFactory(program=program)
    first, created = site_occupancy_record(site=site, date=dt.date(2024, 3, 1), residents=40)
    again, created_again = site_occupancy_record(site=site, date=dt.date(2024, 3, 1), residents=45)
    other_day, _ = site_occupancy_record(site=site, date=dt.date(2024, 3, 2), residents=47)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk != other_day.pk
    assert SiteOccupancy.objects.get(pk=first.pk).residents == 45


def test_the_site_page_charts_residents_by_date(login, program, alice):
    site = SiteFactory(program=program, name="Haus Lindenhof", capacity=100)
    SiteOccupancyFactory(site=site, date=dt.date(2024, 1, 1), residents=70)
    SiteOccupancyFactory(site=site, date=dt.date(2024, 2, 1), residents=120)
    text = login(alice).get(detail_url(site)).text
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title" in svg and "Residents of Haus Lindenhof by date" in svg
    assert "1 Jan 2024: 70; 1 Feb 2024: 120" in svg  # the description reads the values
    assert svg.count("<rect") == 2
    assert "Capacity 100" in svg
    assert "style=" not in svg


def test_the_form_suggests_today(login, program, alice):
    site = SiteFactory(program=program)
    text = login(alice).get(detail_url(site)).text
    assert f'value="{timezone.localdate().isoformat()}"' in text


# ---- the list ------------------------------------------------------------------------------


def test_the_site_list_shows_each_sites_latest_count(login, program, alice):
    site = SiteFactory(program=program, name="Haus Lindenhof")
    SiteOccupancyFactory(site=site, date=dt.date(2024, 1, 1), residents=70)
    SiteOccupancyFactory(site=site, date=dt.date(2024, 2, 1), residents=64)
    response = login(alice).get(reverse("site_list", args=[program.slug]))
    row = response.context["rows"][0]
    assert [c["text"] for c in row[5:7]] == ["64", "1 Feb 2024"]
    assert row[0]["url"] == detail_url(site)


def test_the_site_list_takes_the_same_number_of_queries_for_10_or_100_sites(login, program, alice):
    client = login(alice)
    url = reverse("site_list", args=[program.slug])

    def queries_with(n):
        for _ in range(n):
            site = SiteFactory(program=program, area=AreaFactory(program=program))
            SiteOccupancyFactory(site=site, date=dt.date(2024, 1, 1))
            SiteOccupancyFactory(site=site, date=dt.date(2024, 2, 1))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(10) == queries_with(90)
