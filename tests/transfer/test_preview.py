"""The import preview: the rows that would change, and the new values to confirm or map."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from referrals.models import ServiceProvider
from sessions_log.models import Topic
from transfer.format import open_import
from transfer.importing import program_data_import

from ..factories import AreaFactory, ServiceProviderFactory, SiteFactory
from .helpers import HEADERS, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stress(program):
    return Topic.objects.create(program=program, name="Stress")


def _activity(ref="A1", topics="Stres"):
    return [ref, "2024-03-05", "group", "", "", "", topics, 90, 8, 4, 4, 0, ""]


def _typo_file(tmp_path, topics="Stres"):
    return write_xlsx(
        tmp_path / "typo.xlsx", {"activities": [HEADERS["activities"], _activity(topics=topics)]}
    )


def _upload(client, program, path, **headers):
    """Post the file, run the check the page queues (inline) and open the job's page."""
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("program_import", args=[program.slug]), {"file": upload}, **headers
        )
    return client.get(response.url, **headers) if response.status_code == 302 else response


def _confirm(client, program, preview, headers=None, **choices):
    """Post the confirmation as the browser would: the preselected choices unless given."""
    form = preview.context["confirm"]
    data = {"token": form["token"].value()}
    for field in form.new_value_fields():
        data[field.name] = choices.get(field.name, field.value())
    url = reverse("program_import_job", args=[program.slug, preview.context["job"].pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, data, **(headers or {}))
    return client.get(url, **(headers or {}))


def test_a_typo_in_a_topic_is_offered_the_existing_topic_and_nothing_is_created(
    login, program, alice, stress, tmp_path
):
    topics_before = Topic.objects.count()

    response = _upload(login(alice), program, _typo_file(tmp_path))

    form = response.context["confirm"]
    (field,) = form.new_value_fields()
    assert field.label == "New topic “Stres” (activities, row 2)"
    assert field.value() == str(stress.pk)
    page = response.content.decode()
    assert "New topic “Stres” (activities, row 2)" in page
    assert f'<option value="{stress.pk}" selected>Stress</option>' in page
    assert "Create the new topic “Stres”" in page
    assert Topic.objects.count() == topics_before
    assert not program.activities.exists()


def test_confirming_the_mapping_stores_the_session_with_the_existing_topic(
    login, program, alice, stress, tmp_path
):
    client = login(alice)
    topics_before = Topic.objects.count()
    preview = _upload(client, program, _typo_file(tmp_path))

    response = _confirm(client, program, preview)

    assert "The data is imported." in response.content.decode()
    activity = program.activities.get(ref="A1")
    assert list(activity.topics.all()) == [stress]
    assert Topic.objects.count() == topics_before
    assert not Topic.objects.filter(name__iexact="Stres").exists()


def test_confirming_create_creates_the_topic(login, program, alice, stress, tmp_path):
    client = login(alice)
    preview = _upload(client, program, _typo_file(tmp_path))

    _confirm(client, program, preview, new_0="new")

    created = Topic.objects.get(name="Stres")
    assert created.program == program
    assert list(program.activities.get(ref="A1").topics.all()) == [created]


def test_importing_the_same_file_with_the_same_choices_changes_nothing(
    login, program, alice, stress, tmp_path
):
    client = login(alice)
    path = _typo_file(tmp_path)
    _confirm(client, program, _upload(client, program, path))
    activity = program.activities.get(ref="A1")
    topics_before = Topic.objects.count()

    again = _upload(client, program, path)
    assert again.context["result"].counts["activities"].unchanged == 1
    assert again.context["changed"] == []
    response = _confirm(client, program, again)

    assert "activities: 0 new, 0 updated, 1 unchanged" in response.content.decode()
    assert Topic.objects.count() == topics_before
    assert program.activities.get(ref="A1").updated_at == activity.updated_at


def test_a_mapping_to_another_programs_topic_is_refused(
    login, program, other_program, alice, stress, tmp_path
):
    foreign = Topic.objects.create(program=other_program, name="Stress")
    client = login(alice)
    preview = _upload(client, program, _typo_file(tmp_path))

    response = _confirm(client, program, preview, new_0=str(foreign.pk))

    assert "Nothing was imported yet: choose for each new value" in response.content.decode()
    assert not program.activities.exists()
    assert not foreign.activities.exists()
    (field,) = response.context["confirm"].new_value_fields()
    assert field.value() == str(stress.pk)  # asked again, the close match preselected


def test_new_areas_and_services_are_listed_and_can_be_mapped(login, program, alice, tmp_path):
    nord = AreaFactory(program=program, name="Nord")
    psz = ServiceProviderFactory(program=program, name="PSZ Düsseldorf")
    sheets = {
        "sites": [HEADERS["sites"], ["Haus A", "shelter", "Nrod", "Düren", 20]],
        "participants": [
            HEADERS["participants"],
            ["P-AAAA1", "", "", "", "", "", "2024-03-01", "referral"],
        ],
        "referrals": [
            HEADERS["referrals"],
            ["R1", "2024-03-06", "P-AAAA1", "PSZ Duesseldorf", "psychosocial_centre", "", "sent"],
        ],
    }
    client = login(alice)
    preview = _upload(client, program, write_xlsx(tmp_path / "new.xlsx", sheets))

    fields = {field.label: field for field in preview.context["confirm"].new_value_fields()}
    assert fields["New area “Nrod” (sites, row 2)"].value() == str(nord.pk)
    assert fields["New service “PSZ Duesseldorf” (referrals, row 2)"].value() == str(psz.pk)
    assert not ServiceProvider.objects.filter(name="PSZ Duesseldorf").exists()

    _confirm(client, program, preview)

    assert program.sites.get(name="Haus A").area == nord
    assert program.referrals.get(ref="R1").provider == psz
    assert list(program.areas.all()) == [nord]
    assert not ServiceProvider.objects.filter(name="PSZ Duesseldorf").exists()


def test_a_value_with_no_close_match_is_offered_for_creation(login, program, alice, tmp_path):
    response = _upload(login(alice), program, _typo_file(tmp_path, topics="Wohnungssuche"))

    (field,) = response.context["confirm"].new_value_fields()
    assert field.value() == "new"
    assert not Topic.objects.filter(name="Wohnungssuche").exists()


def test_the_preview_marks_the_changed_fields_of_an_updated_row(login, program, alice, tmp_path):
    SiteFactory(program=program, name="Haus A", kind="shelter", city="Düren", capacity=10)
    SiteFactory(program=program, name="Haus B", kind="shelter", city="Düren", capacity=5)
    rows = [
        ["name", "kind", "city", "capacity"],
        ["Haus A", "shelter", "Düren", 12],
        ["Haus B", "shelter", "Düren", 5],
        ["Haus C", "office", "Jülich", 3],
    ]
    path = write_xlsx(tmp_path / "sites.xlsx", {"sites": rows})

    response = _upload(login(alice), program, path)

    ((sheet, preview),) = response.context["changed"]
    assert sheet == "sites"
    updated, created = preview.rows
    assert (updated.number, updated.key, updated.new) == (2, "Haus A", False)
    assert [(c.column, c.old, c.new) for c in updated.changes] == [("capacity", "10", "12")]
    assert (created.number, created.key, created.new) == (4, "Haus C", True)
    assert [(c.column, c.new) for c in created.changes] == [
        ("kind", "office"),
        ("city", "Jülich"),
        ("capacity", "3"),
    ]
    page = response.content.decode()
    assert "<code>capacity</code>: <del>10</del> → <ins>12</ins>" in page
    assert "Haus B" not in page  # unchanged rows are not listed
    assert program.sites.get(name="Haus A").capacity == 10


def test_the_preview_names_references_as_the_file_does(program, alice, stress, tmp_path):
    nord = SiteFactory(program=program, name="Übergangsheim Nord")
    rows = [HEADERS["activities"], _activity(topics="Stress; sleep; Resilienz")]
    rows[1][3] = nord.name
    path = write_xlsx(tmp_path / "a.xlsx", {"activities": rows})

    with translation.override("de"), open_import(path) as source:
        result = program_data_import(program=program, source=source, dry_run=True, create_new=False)

    (row,) = result.preview["activities"].rows
    changes = {c.column: c.new for c in row.changes}
    assert changes["site"] == "Übergangsheim Nord"
    assert changes["topics"] == "Resilienz; Schlaf; Stress"  # the catalogue topic in German
    assert [v.name for v in result.undecided] == ["Resilienz"]
    assert not result.written


def test_the_preview_lists_at_most_50_rows_per_sheet_and_counts_the_rest(
    login, program, alice, tmp_path
):
    rows = [["name", "kind"]] + [[f"Haus {i:02}", "shelter"] for i in range(60)]
    path = write_xlsx(tmp_path / "many.xlsx", {"sites": rows})

    response = _upload(login(alice), program, path)

    preview = response.context["result"].preview["sites"]
    assert len(preview.rows) == 50 and preview.more == 10
    assert preview.rows[-1].key == "Haus 49"
    page = response.content.decode()
    assert "60 rows would be added or changed" in page
    assert "… and 10 more rows." in page
    assert "Haus 50" not in page


def test_without_a_decision_the_importer_writes_nothing(program, stress, tmp_path):
    with open_import(_typo_file(tmp_path)) as source:
        result = program_data_import(program=program, source=source, create_new=False)

    assert result.valid and not result.written
    assert [(v.what, v.name, v.suggestion) for v in result.undecided] == [
        ("topic", "Stres", stress.pk)
    ]
    assert not program.activities.exists()
    assert not Topic.objects.filter(name="Stres").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            [
                "Zeilen, die hinzukämen oder sich änderten",
                "52 Zeilen kämen hinzu oder änderten sich",
                ">Zeile</th>",
                ">Datensatz</th>",
                ">geändert</span>",
                ">neu</span>",
                "… und 2 weitere Zeilen.",
                "Die Datei nennt 1 Integrationsraum, Thema oder Fachdienst, den das Programm "
                "noch nicht hat",
                "ein ähnlicher Name ist vorausgewählt. Vor dem Import wird nichts angelegt.",
                "Neues Thema „Stres“ (activities, Zeile 2)",
                "Das neue Thema „Stres“ anlegen",
                'label="Ein Thema des Programms verwenden"',
            ],
        ),
        (
            "da",
            [
                "Rækker, der ville blive tilføjet eller ændret",
                "52 rækker ville blive tilføjet eller ændret",
                ">Række</th>",
                ">Post</th>",
                ">ændret</span>",
                ">ny</span>",
                "… og 2 rækker mere.",
                "Filen nævner 1 område, emne eller tilbud, som programmet ikke har endnu",
                "et lignende navn er valgt på forhånd. Intet oprettes, før du importerer.",
                "Nyt emne »Stres« (activities, række 2)",
                "Opret det nye emne »Stres«",
                'label="Brug et af programmets emner"',
            ],
        ),
    ],
)
def test_the_preview_speaks_german_and_danish(
    login, program, alice, stress, tmp_path, language, expected
):
    SiteFactory(program=program, name="Haus A", kind="shelter", capacity=10)
    sites = [["name", "kind", "capacity"], ["Haus A", "shelter", 12]]
    sites += [[f"Haus {i:02}", "shelter", 5] for i in range(51)]
    path = write_xlsx(
        tmp_path / "de.xlsx",
        {"sites": sites, "activities": [HEADERS["activities"], _activity()]},
    )
    client = login(alice)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}

    response = _upload(client, program, path, **headers)

    page = response.content.decode()
    for text in expected:
        assert text in page
    again = _confirm(client, program, response, headers, new_0="999999")
    message = {
        "de": "Es wurde noch nichts importiert: Wählen Sie unten für jeden neuen Wert",
        "da": "Intet er importeret endnu: vælg for hver ny værdi nedenfor",
    }[language]
    assert message in again.content.decode()
    assert program.sites.get(name="Haus A").capacity == 10
