"""The import page (upload → preview → confirm), the template download and the export page."""

import datetime as dt
import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programs.models import Membership
from transfer import format as fmt
from transfer import views

from ..factories import (
    ActivityFactory,
    MembershipFactory,
    ParticipantFactory,
    ReferralFactory,
    SiteFactory,
    UserFactory,
)
from .helpers import HEADERS, run_import, sample_sheets, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored():
    directory = views.jobs.default_storage.path("imports")
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file to the import page and run the queued check (the worker's part)."""

    def _upload(client, program, path, name=None):
        upload = SimpleUploadedFile(name or path.name, path.read_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("program_import", args=[program.slug]), {"file": upload})
        if response.status_code != 302:
            return response
        return client.get(response.url)

    return _upload


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Post the confirmation of a preview and run the queued import."""

    def _confirm(client, response, data=None, **extra):
        job = response.context["job"]
        url = reverse("program_import_job", args=[job.program.slug, job.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, data if data is not None else _confirmation(response), **extra)
        return client.get(url)

    return _confirm


def _confirmation(response) -> dict:
    """What the browser posts for "Import now": the token and the preselected choices."""
    form = response.context["confirm"]
    data = {"token": form["token"].value()}
    data.update({field.name: field.value() for field in form.new_value_fields()})
    return data


@pytest.fixture
def sample(tmp_path):
    return write_xlsx(tmp_path / "in2balance.xlsx", sample_sheets())


def test_the_coordinator_sees_the_import_page_with_the_format(login, program, alice):
    response = login(alice).get(reverse("program_import", args=[program.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("program_import_template", args=[program.slug]) in page
    assert reverse("program_export", args=[program.slug]) in page
    for sheet in fmt.SHEETS:
        assert f"<code>{sheet.name}</code>" in page
    assert "<code>ref*</code>" in page


@pytest.mark.parametrize("name", ["program_import", "program_import_template", "program_export"])
def test_a_volunteer_may_not_import_or_export(login, program, bob, name):
    assert login(bob).get(reverse(name, args=[program.slug])).status_code == 403


def test_a_volunteer_cannot_post_a_file(login, program, bob, sample, upload):
    response = upload(login(bob), program, sample)

    assert response.status_code == 403
    assert not program.sites.exists()
    assert _stored() == []


def test_a_non_member_gets_404(login, program, charlie):
    assert login(charlie).get(reverse("program_import", args=[program.slug])).status_code == 404


def test_an_upload_shows_the_preview_and_writes_nothing(login, program, alice, sample, upload):
    response = upload(login(alice), program, sample)

    assert response.status_code == 200
    preview = response.context["result"]
    assert preview.valid and not preview.written
    assert preview.counts["activities"].new == 2
    page = response.content.decode()
    assert "Import now" in page
    assert "New area “Nord” (sites, row 2)" in page
    assert "Add the new service “Sozialamt” to the directory" in page
    assert not program.areas.exists() and not program.topics.exists()
    assert not program.sites.exists()
    assert not program.activities.exists()
    # The upload and the rows its check read, kept for the confirmation.
    assert sorted(name.rpartition(".")[2] for name in _stored()) == ["json", "xlsx"]


def test_confirming_the_preview_imports_and_removes_the_upload(
    login, program, alice, sample, upload, confirm
):
    client = login(alice)

    response = confirm(client, upload(client, program, sample))

    assert program.activities.count() == 2
    assert program.areas.get().name == "Nord"
    assert program.referrals.count() == 2
    page = response.content.decode()
    assert "The data is imported." in page
    assert response.context["result"].counts["sites"].new == 2
    assert _stored() == []
    # The result stays readable, and the import page lists it.
    listing = client.get(reverse("program_import", args=[program.slug])).content.decode()
    assert "in2balance.xlsx" in listing and "Imported" in listing


def test_cancelling_the_preview_imports_nothing(login, program, alice, sample, upload, confirm):
    client = login(alice)

    response = confirm(client, upload(client, program, sample), {"cancel": "1"}, follow=True)

    assert "Nothing was imported." in response.content.decode()
    assert not program.sites.exists()
    assert _stored() == []


def test_another_coordinator_sees_the_preview_but_cannot_confirm_it(
    login, program, alice, sample, upload, confirm
):
    preview = upload(login(alice), program, sample)
    other = UserFactory()
    MembershipFactory(user=other, program=program, role=Membership.Role.COORDINATOR)
    client = login(other)
    url = reverse("program_import_job", args=[program.slug, preview.context["job"].pk])

    page = client.get(url).content.decode()
    response = client.post(url, _confirmation(preview), follow=True)

    assert "Only the person who uploaded the file can import it." in page
    assert "This preview can no longer be imported; upload the file again." in (
        response.content.decode()
    )
    assert not program.sites.exists()


def test_a_file_with_problems_lists_them_and_is_not_kept(login, program, alice, tmp_path, upload):
    sheets = sample_sheets()
    sheets["activities"][1][9] = 20  # women above the total
    response = upload(login(alice), program, write_xlsx(tmp_path / "bad.xlsx", sheets))

    page = response.content.decode()
    assert "The file has 1 problem. Nothing was imported" in page
    assert (
        "activities, row 2, attendees_women: Women and men together cannot be more than the 12 "
        "attending."
    ) in page
    assert "Import now" not in page
    assert _stored() == []


def test_at_most_200_problems_are_shown(login, program, alice, tmp_path, upload):
    rows = [["name", "kind"]] + [[f"Haus {i}", "castle"] for i in range(230)]
    response = upload(login(alice), program, write_xlsx(tmp_path / "bad.xlsx", {"sites": rows}))

    page = response.content.decode()
    assert "The file has 230 problems." in page
    assert page.count("is not allowed; use one of") == 200
    assert "… and 30 more problems." in page


def test_an_unreadable_file_is_refused_on_its_page(login, program, alice, tmp_path, upload):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))

    response = upload(login(alice), program, path)

    assert response.context["job"].state == "failed"
    assert (
        "This is not a spreadsheet Lotse can read. Upload an Excel workbook (.xlsx), a CSV file "
        "or a zip of CSV files."
    ) in response.content.decode()
    assert _stored() == []


def test_a_file_over_the_limit_is_refused_before_it_is_stored(
    login, program, alice, sample, settings, upload
):
    settings.LOTSE_IMPORT_MAX_BYTES = 1024

    response = upload(login(alice), program, sample)

    assert response.context["form"].errors["file"] == [
        "The file is larger than 1 KB; split it into smaller files."
    ]
    assert _stored() == []


def test_old_uploads_that_were_never_confirmed_are_swept_away(
    login, program, alice, sample, upload
):
    client = login(alice)
    job = upload(client, program, sample).context["job"]
    job.finished_at = timezone.now() - dt.timedelta(seconds=views.jobs.max_age() + 10)
    job.save(update_fields=["finished_at"])

    new = upload(client, program, sample).context["job"]

    # The new upload and the rows its check read.
    assert sorted(_stored()) == sorted(
        name.rpartition("/")[2] for name in (new.stored_file, new.checked_rows)
    )
    job.refresh_from_db()
    assert job.state == "cancelled" and job.stored_file == ""


def test_a_single_csv_can_be_uploaded(login, program, alice, tmp_path, upload, confirm):
    path = tmp_path / "sites.csv"
    path.write_bytes("\ufeffname;kind\nHaus A;shelter\n".encode())
    client = login(alice)

    confirm(client, upload(client, program, path))

    assert program.sites.get().name == "Haus A"


def test_the_template_has_every_sheet_and_imports_as_nothing(login, program, alice, tmp_path):
    response = login(alice).get(reverse("program_import_template", args=[program.slug]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="lotse-import-template.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [*HEADERS, fmt.HELP_SHEET]
    for name, header in HEADERS.items():
        assert [cell.value for cell in workbook[name][1]] == header
    described = {(row[0], row[1]) for row in workbook["help"].iter_rows(values_only=True)}
    assert ("activities", "attendees_women") in described
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    result = run_import(program, path)
    assert result.valid and result.ignored == []
    assert all(c.total == 0 for c in result.counts.values())


def test_the_export_page_offers_a_period(login, program, alice):
    response = login(alice).get(reverse("program_export", args=[program.slug]))

    assert response.status_code == 200
    assert response.context["form"]["start"].value() == program.starts_on


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("zip", "application/zip"),
    ],
)
def test_the_export_downloads_the_programs_data(login, program, alice, file_format, content_type):
    SiteFactory(program=program, name="Haus A")
    ActivityFactory(program=program, ref="X-1")
    url = reverse("program_export", args=[program.slug])

    response = login(alice).get(
        url, {"start": "2024-01-01", "end": "2024-12-31", "file_format": file_format}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert (
        f'filename="in2balance-2024-01-01-2024-12-31.{file_format}"'
        in (response["Content-Disposition"])
    )
    assert response["Cache-Control"] == "no-store"
    content = b"".join(response.streaming_content)
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(content))["activities"]
        assert sheet["A2"].value == "X-1"


def test_an_export_period_ending_before_it_starts_is_refused(login, program, alice):
    response = login(alice).get(
        reverse("program_export", args=[program.slug]),
        {"start": "2024-12-31", "end": "2024-01-01", "file_format": "xlsx"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["end"] == ["The end comes before the start."]


def test_the_export_tells_the_coordinator_what_consent_left_out(login, program, alice):
    ParticipantFactory(
        program=program, code="P-OK001", consent_on="2024-01-01", consent_scope="evaluation"
    )
    for code in ("P-NO001", "P-NO002"):
        person = ParticipantFactory(program=program, code=code)
        ReferralFactory(program=program, participant=person, referred_on="2024-05-01")
    client = login(alice)
    url = reverse("program_export", args=[program.slug])

    page = client.get(url).content.decode()
    assert "2 participants are left out: their consent does not cover exports." in page

    response = client.get(url, {"start": "2024-01-01", "end": "2024-12-31", "file_format": "zip"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        participants = archive.read("participants.csv").decode("utf-8-sig")
        referrals = archive.read("referrals.csv").decode("utf-8-sig")
    assert "P-OK001" in participants
    assert "P-NO00" not in participants + referrals

    after = client.get(url).content.decode()
    assert (
        "2 participants and 2 referrals were left out: their consent does not cover exports."
        in after
    )


def test_the_export_page_says_nothing_is_left_out_when_everyone_consented(login, program, alice):
    client = login(alice)
    url = reverse("program_export", args=[program.slug])

    client.get(url, {"start": "2024-01-01", "end": "2024-12-31", "file_format": "xlsx"})
    page = client.get(url).content.decode()

    assert "left out" not in page
