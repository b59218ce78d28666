"""Lists: filter, sort, paginate and export exactly what the user is looking at."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.lists import FilterSelect, Row
from programs.models import Language
from volunteers.models import Volunteer

from ..factories import ActivityFactory, SiteFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("volunteer_list", args=[program.slug])


def test_it_filters_by_status_and_language(login, alice, program, url):
    arabic = VolunteerFactory(program=program, name="Amal", status=Volunteer.Status.ACTIVE)
    arabic.languages.add(Language.objects.get(code="ar"))
    VolunteerFactory(program=program, name="Bilal", status=Volunteer.Status.ACTIVE)
    VolunteerFactory(program=program, name="Chiara", status=Volunteer.Status.PAUSED)
    response = login(alice).get(url, {"status": "active", "language": "ar"})
    names = [row[1]["text"] for row in response.context["rows"]]
    assert names == ["Amal"]


def test_it_never_lists_another_programs_volunteers(login, alice, program, other_program, url):
    VolunteerFactory(program=other_program, name="Outsider")
    assert "Outsider" not in login(alice).get(url).text


def test_it_sorts_by_a_column_and_reverses_on_a_second_click(login, alice, program, url):
    for name in ["Berit", "Anja", "Cem"]:
        VolunteerFactory(program=program, name=name)
    client = login(alice)
    ascending = [r[1]["text"] for r in client.get(url, {"o": "name"}).context["rows"]]
    descending = [r[1]["text"] for r in client.get(url, {"o": "-name"}).context["rows"]]
    assert ascending == ["Anja", "Berit", "Cem"]
    assert descending == ["Cem", "Berit", "Anja"]


def test_the_csv_export_holds_the_filtered_rows_for_excel(login, alice, program, url):
    VolunteerFactory(program=program, name="Dana", status=Volunteer.Status.ACTIVE)
    VolunteerFactory(
        program=program,
        name="Emre",
        status=Volunteer.Status.LEFT,
        joined_on="2024-01-01",
        left_on="2024-06-01",
    )
    response = login(alice).get(url, {"status": "active", "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Code", "Name"]
    assert [r[1] for r in rows[1:]] == ["Dana"]
    assert response["Cache-Control"] == "no-store"


def test_the_xlsx_export_holds_all_filtered_rows_not_just_one_page(login, alice, program, url):
    VolunteerFactory.create_batch(60, program=program, status=Volunteer.Status.ACTIVE)
    VolunteerFactory(program=program, status=Volunteer.Status.PAUSED)
    response = login(alice).get(url, {"status": "active", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 61  # header + 60
    assert ".xlsx" in response["Content-Disposition"]


def test_exported_text_cannot_run_as_a_spreadsheet_formula(login, alice, program, url):
    VolunteerFactory(program=program, name='=HYPERLINK("http://evil")')
    response = login(alice).get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value.startswith("'=")


def test_an_invalid_filter_shows_a_message_not_an_error(login, alice, program, url):
    response = login(alice).get(url, {"status": "astronaut"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "astronaut" in response.text  # the form error names the bad choice


@pytest.mark.parametrize("list_name", ["volunteer_list", "site_list"])
def test_query_count_does_not_grow_with_rows(login, alice, program, list_name):
    client = login(alice)
    lists_url = reverse(list_name, args=[program.slug])

    def queries_for(n):
        for _ in range(n):
            v = VolunteerFactory(program=program)
            v.languages.add(Language.objects.get(code="fa"))
            ActivityFactory(program=program, site=SiteFactory(program=program)).facilitators.add(v)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(lists_url).status_code == 200
        return len(ctx)

    assert queries_for(10) == queries_for(90)


class _Tags(HTMLParser):
    """The tags, attributes and text of an HTML fragment, without layout whitespace."""

    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(data.strip())


def _tags(html):
    parser = _Tags()
    parser.feed(html)
    return parser.items


@pytest.mark.parametrize("value", ["", "a", "x", "missing"])
def test_a_filter_select_renders_what_djangos_select_renders(value):
    choices = [("", "---------"), ("a", "Shelter <Nord> & Co"), ("g", [("x", "X"), ("y", "Y")])]
    attrs = {"id": "id_site", "class": "form-select", "aria-label": 'Site "A"'}
    ours = FilterSelect(choices=choices).render("site", value, attrs)
    djangos = forms.Select(choices=choices).render("site", value, attrs)
    assert _tags(ours) == _tags(djangos)
    assert "Shelter &lt;Nord&gt; &amp; Co" in ours


def test_a_row_escapes_what_it_shows():
    row = Row(
        [
            {"text": "<script>x</script>", "url": '/p/a?b="c"&d', "numeric": False, "badge": None},
            {"text": "12", "url": None, "numeric": True, "badge": None},
            {"text": "Over & out", "url": None, "numeric": False, "badge": "danger"},
        ],
        css="table-danger",
    )
    assert _tags(row.html) == [
        ("td", [("class", "text-nowrap")]),  # one word: a code, a date
        ("a", [("href", '/p/a?b="c"&d')]),
        "<script>x</script>",
        ("/a",),
        ("/td",),
        ("td", [("class", "text-end text-nowrap")]),
        "12",
        ("/td",),
        ("td", []),
        ("span", [("class", "badge text-bg-danger")]),
        "Over & out",
        ("/span",),
        ("/td",),
    ]
    assert "<script>" not in row.html
