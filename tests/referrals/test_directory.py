"""The service directory: shared across an organisation's programs, searchable, importable."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from programs.models import Language
from referrals.models import Category, ServiceProvider
from referrals.selectors import providers_for

from ..factories import AreaFactory, ProgramFactory, ServiceProviderFactory

pytestmark = pytest.mark.django_db


# ---- sharing -------------------------------------------------------------------------------


def test_the_directory_holds_own_providers_and_those_shared_with_the_organisation(program):
    sister = ProgramFactory(lead_organisation=program.lead_organisation)
    stranger = ProgramFactory()
    own = ServiceProviderFactory(program=program, name="Own")
    shared = ServiceProviderFactory(
        program=sister, name="Shared by sister", organisation=program.lead_organisation
    )
    ServiceProviderFactory(program=sister, name="Sister only")
    ServiceProviderFactory(
        program=stranger, name="Shared elsewhere", organisation=stranger.lead_organisation
    )
    assert set(providers_for(program)) == {own, shared}


def test_a_shared_provider_is_read_but_edited_only_in_its_own_program(login, program, alice):
    sister = ProgramFactory(lead_organisation=program.lead_organisation, name="Sister")
    shared = ServiceProviderFactory(
        program=sister, name="Clinic", organisation=program.lead_organisation
    )
    client = login(alice)
    page = client.get(reverse("provider_detail", args=[program.slug, shared.pk]))
    assert page.status_code == 200
    assert "shared by Sister" in page.text
    assert reverse("provider_edit", args=[program.slug, shared.pk]) not in page.text
    edit = client.get(reverse("provider_edit", args=[program.slug, shared.pk]))
    assert edit.status_code == 404


def test_the_provider_page_shows_what_a_helper_needs(login, program, bob):
    provider = ServiceProviderFactory(
        program=program, name="PSZ", phone="0211 123", waiting_weeks=6, opening_notes="Mo-Fr 9-16"
    )
    provider.languages.add(*Language.objects.filter(code__in=["ar", "prs"]))
    page = login(bob).get(reverse("provider_detail", args=[program.slug, provider.pk]))
    assert "Arabic, Dari" in page.text
    assert 'href="tel:0211 123"' in page.text
    assert "6 weeks" in page.text
    assert "Refer someone here" in page.text
    assert "Referrals of this program" not in page.text  # counts are for coordinators


def test_a_provider_of_an_unrelated_program_is_not_found(login, program, other_program, alice):
    elsewhere = ServiceProviderFactory(program=other_program)
    url = reverse("provider_detail", args=[program.slug, elsewhere.pk])
    assert login(alice).get(url).status_code == 404


def test_sharing_is_a_tick_on_the_form(login, program, alice):
    response = login(alice).post(
        reverse("provider_create", args=[program.slug]),
        {
            "name": "Caritas Migrationsdienst",
            "category": "refugee_counselling",
            "languages": ["ar", "fa"],
            "waiting_weeks": "2",
            "active": "on",
            "shared": "on",
        },
    )
    assert response.status_code == 302
    provider = ServiceProvider.objects.get()
    assert provider.organisation == program.lead_organisation
    assert provider.program == program
    assert set(provider.languages.values_list("code", flat=True)) == {"ar", "fa"}


def test_a_name_is_used_once_per_program(login, program, alice):
    ServiceProviderFactory(program=program, name="PSZ")
    response = login(alice).post(
        reverse("provider_create", args=[program.slug]), {"name": "psz", "category": "legal"}
    )
    assert "already has a service called" in response.text


# ---- list ----------------------------------------------------------------------------------


def test_volunteers_read_the_directory_but_do_not_change_it(login, program, bob):
    client = login(bob)
    assert client.get(reverse("provider_list", args=[program.slug])).status_code == 200
    assert client.get(reverse("provider_create", args=[program.slug])).status_code == 403
    assert client.get(reverse("provider_import", args=[program.slug])).status_code == 403


def test_the_directory_filters_by_category_language_area_and_self_referral(login, program, alice):
    north = AreaFactory(program=program, name="Nord")
    arabic = ServiceProviderFactory(
        program=program,
        name="Arabic psychiatry",
        category=Category.PSYCHIATRY,
        area=north,
        accepts_self_referral=True,
    )
    arabic.languages.add(Language.objects.get(code="ar"))
    ServiceProviderFactory(program=program, name="German psychiatry", category=Category.PSYCHIATRY)
    ServiceProviderFactory(program=program, name="Legal aid", category=Category.LEGAL, area=north)
    ServiceProviderFactory(
        program=program, name="Closed", category=Category.PSYCHIATRY, active=False
    )
    client = login(alice)
    url = reverse("provider_list", args=[program.slug])

    def names(**query):
        return [row[0]["text"] for row in client.get(url, query).context["rows"]]

    assert names(category="psychiatry", active="true") == ["Arabic psychiatry", "German psychiatry"]
    assert names(language="ar") == ["Arabic psychiatry"]
    assert names(area=north.pk) == ["Arabic psychiatry", "Legal aid"]
    assert names(accepts_self_referral="true") == ["Arabic psychiatry"]
    assert names(q="legal") == ["Legal aid"]


# ---- import --------------------------------------------------------------------------------

HEADER = (
    "name,category,languages,area,address,phone,email,website,opening_notes,"
    "accepts_self_referral,waiting_weeks,active"
)


def csv_file(text: str, *, bom=False, name="providers.csv"):
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data, "text/csv")


@pytest.fixture
def import_url(program):
    return reverse("provider_import", args=[program.slug])


def preview_and_confirm(client, url, upload):
    preview = client.post(url, {"file": upload})
    assert preview.context["preview"].valid, [str(e) for e in preview.context["preview"].errors]
    payload = preview.context["confirm"]["payload"].value()
    return preview, client.post(url, {"payload": payload})


def test_a_valid_file_is_previewed_then_imported(login, program, alice, import_url):
    AreaFactory(program=program, name="Innenstadt")
    upload = csv_file(
        HEADER + "\n"
        "PSZ Düsseldorf,psychosocial_centre,AR; fas; prs,Innenstadt,Benrather Str. 7,0211 123,"
        "info@psz.example,psz.example,Mo-Fr 9-16,yes,12,yes\n"
        'Rechtsberatung,Legal advice,"de, en",,,,,,,no,,\n'
    )
    client = login(alice)
    preview, done = preview_and_confirm(client, import_url, upload)
    assert (preview.context["preview"].new, preview.context["preview"].updated) == (2, 0)
    assert "Importing adds 2 new services" in preview.text
    assert done.status_code == 302
    psz = ServiceProvider.objects.get(name="PSZ Düsseldorf")
    assert set(psz.languages.values_list("code", flat=True)) == {"ar", "fa", "prs"}
    assert (psz.area.name, psz.waiting_weeks, psz.accepts_self_referral, psz.active) == (
        "Innenstadt",
        12,
        True,
        True,
    )
    assert psz.website == "https://psz.example"
    legal = ServiceProvider.objects.get(name="Rechtsberatung")
    assert (legal.category, legal.active, legal.accepts_self_referral) == ("legal", True, False)


def test_every_error_is_listed_at_once_with_row_and_column_and_nothing_is_written(
    login, program, alice, import_url
):
    upload = csv_file(
        HEADER + "\n"
        "Good one,legal,,,,,,,,,,\n"
        "Bad category,astrology,,,,,,,,,,\n"
        "Bad language,legal,xx,,,,,,,,,\n"
        ",legal,,Nowhere,,,not-an-email,,,maybe,-3,\n"
        "Good one,legal,,,,,,,,,,\n"
    )
    response = login(alice).post(import_url, {"file": upload})
    errors = [str(e) for e in response.context["preview"].errors]
    assert errors == [
        "Row 3, category: unknown category “astrology”; use one of: " + ", ".join(Category.values),
        "Row 4, languages: unknown language code “xx” (use ISO 639-1 or 639-3)",
        "Row 5, name: required",
        "Row 5, area: this program has no area “Nowhere”",
        "Row 5, accepts_self_referral: write yes or no, not “maybe”",
        "Row 5, waiting_weeks: a whole number of weeks, not “-3”",
        "Row 5, email: Enter a valid email address",
        "Row 6, name: “Good one” is already in row 2",
    ]
    assert "Row 3, category: unknown category" in response.text
    assert "Import now" not in response.text
    assert not ServiceProvider.objects.exists()


def test_a_missing_required_column_is_reported(login, program, alice, import_url):
    response = login(alice).post(import_url, {"file": csv_file("name,languages\nX,ar\n")})
    assert [str(e) for e in response.context["preview"].errors] == [
        "Row 1, category: this column is missing"
    ]


def test_excel_csv_with_bom_and_semicolons_is_read(login, program, alice, import_url):
    upload = csv_file(
        HEADER.replace(",", ";") + "\n"
        "Frauenberatung;womens_protection;ar,ti;;;;;;;ja;;ja\n"
        "Jugendmigrationsdienst;youth_migration;de;;;;;;;nein;3;nein\n",
        bom=True,
    )
    _preview, done = preview_and_confirm(login(alice), import_url, upload)
    assert done.status_code == 302
    women = ServiceProvider.objects.get(name="Frauenberatung")
    assert set(women.languages.values_list("code", flat=True)) == {"ar", "ti"}
    assert women.accepts_self_referral is True
    youth = ServiceProvider.objects.get(name="Jugendmigrationsdienst")
    assert (youth.active, youth.waiting_weeks) == (False, 3)


def test_an_xlsx_workbook_is_read(login, program, alice, import_url):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name*", "category*", "languages", "waiting_weeks", "accepts_self_referral"])
    sheet.append(["Hausarztpraxis Ali", "general_medical", "ar;ku", 1, True])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("providers.xlsx", buffer.getvalue())
    _preview, done = preview_and_confirm(login(alice), import_url, upload)
    assert done.status_code == 302
    doctor = ServiceProvider.objects.get()
    assert (doctor.waiting_weeks, doctor.accepts_self_referral) == (1, True)
    assert set(doctor.languages.values_list("code", flat=True)) == {"ar", "ku"}


def test_importing_the_same_file_again_changes_nothing(login, program, alice, import_url):
    text = HEADER + "\nPSZ,psychosocial_centre,ar;fa,,,,,,,yes,4,yes\n"
    client = login(alice)
    preview_and_confirm(client, import_url, csv_file(text))
    again, done = preview_and_confirm(client, import_url, csv_file(text))
    counts = again.context["preview"]
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert ServiceProvider.objects.count() == 1
    changed = text.replace(",4,", ",6,")
    third, _done = preview_and_confirm(client, import_url, csv_file(changed))
    assert (third.context["preview"].new, third.context["preview"].updated) == (0, 1)
    assert ServiceProvider.objects.get().waiting_weeks == 6


def test_a_tampered_preview_is_not_imported(login, program, alice, import_url):
    response = login(alice).post(import_url, {"payload": "forged"}, follow=True)
    assert "upload the file again" in response.text
    assert not ServiceProvider.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_advice(login, program, alice, import_url):
    upload = SimpleUploadedFile("p.csv", (HEADER + "\nMüller,legal\n").encode("cp1252"))
    response = login(alice).post(import_url, {"file": upload})
    assert "CSV UTF-8" in response.text


def test_the_documented_example_imports(login, program, alice, import_url, settings):
    doc = (settings.BASE_DIR / "docs" / "import-format.md").read_text()
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    AreaFactory(program=program, name="Innenstadt")
    _preview, done = preview_and_confirm(login(alice), import_url, csv_file(example))
    assert done.status_code == 302
    psz = ServiceProvider.objects.get(name="PSZ Düsseldorf")
    assert set(psz.languages.values_list("code", flat=True)) == {"ar", "fa", "prs"}
    assert ServiceProvider.objects.count() == 2
