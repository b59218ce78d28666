"""Reports in the browser: create, preview, generate in the background, publish, versions."""

import datetime as dt
import hashlib

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership, SecurityEvent
from reports import services
from reports.models import Report
from tests.factories import ActivityFactory, GrantFactory, MembershipFactory, UserFactory

Status = Report.Status


def _member(program, role):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=role)
    return user


@pytest.fixture
def funder(program):
    return _member(program, Membership.Role.FUNDER)


@pytest.fixture
def report(program, alice):
    for day in (3, 4, 5):
        ActivityFactory(
            program=program,
            date=dt.date(2024, 3, day),
            attendees_total=7,
            attendees_women=3,
            attendees_men=4,
        )
    return Report.objects.create(
        program=program,
        title="Sachbericht 2024",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        language="en",
        summary="Three group sessions in spring.",
        created_by=alice,
    )


def _url(name, report):
    return reverse(name, args=[report.program.slug, report.pk])


def _generate(client, report, capture):
    with capture(execute=True):
        response = client.post(_url("report_generate", report))
    assert response.status_code == 302
    report.refresh_from_db()
    return report


def test_it_creates_a_report_for_a_grant(login, program, alice):
    grant = GrantFactory(program=program, reference="MAGS-2024-17")
    response = login(alice).post(
        reverse("report_create", args=[program.slug]),
        {
            "title": "Sachbericht 2024",
            "grant": grant.pk,
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "language": "de",
            "summary": "Ein gutes Jahr.",
        },
    )
    report = Report.objects.get()
    assert response.url == _url("report_detail", report)
    assert (report.grant, report.status, report.created_by) == (grant, Status.DRAFT, alice)


def test_it_refuses_a_period_that_ends_before_it_starts(login, program, alice):
    response = login(alice).post(
        reverse("report_create", args=[program.slug]),
        {
            "title": "Backwards",
            "period_start": "2024-12-31",
            "period_end": "2024-01-01",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "The period must end on or after its first day." in response.text
    assert not Report.objects.exists()


def test_the_preview_shows_the_figures_in_the_report_language(login, report, alice):
    text = login(alice).get(_url("report_detail", report)).text
    assert "Key figures" in text
    assert 'lang="en"' in text
    # Three activities with 7 attendees each: 21 contacts, not suppressed (over 4).
    assert "<dd>21</dd>" in text
    assert "Three group sessions in spring." in text


def test_generating_stores_the_pdf_its_checksum_and_the_snapshot(
    login, report, alice, django_capture_on_commit_callbacks
):
    report = _generate(login(alice), report, django_capture_on_commit_callbacks)
    assert report.status == Status.GENERATED
    assert report.progress == 100
    data = report.pdf.read()
    assert data.startswith(b"%PDF")
    assert report.checksum == hashlib.sha256(data).hexdigest()
    assert report.kpi_snapshot["activities"]["total"] == 3
    assert report.generated_by == alice


def test_a_failed_generation_leaves_the_report_failed_without_a_pdf(
    login, report, alice, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(report, snapshot):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("reports.pdf.render_report_pdf", broken)
    report = _generate(login(alice), report, django_capture_on_commit_callbacks)
    assert report.status == Status.FAILED
    assert not report.pdf
    assert report.kpi_snapshot is None
    assert "renderer crashed" in login(alice).get(_url("report_detail", report)).text


def test_a_generation_whose_worker_died_is_shown_as_failed(login, report, alice, settings):
    settings.LOTSE_REPORT_TIMEOUT = 60
    Report.objects.filter(pk=report.pk).update(
        status=Status.GENERATING,
        generation_started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    text = login(alice).get(_url("report_detail", report)).text
    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "The PDF could not be generated." in text


def test_the_status_panel_polls_while_generating(login, report, alice):
    Report.objects.filter(pk=report.pk).update(
        status=Status.GENERATING, generation_started_at=timezone.now(), progress=40
    )
    response = login(alice).get(_url("report_status", report), {"was": "generating"})
    assert 'hx-trigger="every 2s"' in response.text
    assert 'value="40"' in response.text
    assert "HX-Refresh" not in response


def test_a_published_report_does_not_change_with_new_data(
    login, report, alice, program, django_capture_on_commit_callbacks
):
    client = login(alice)
    report = _generate(client, report, django_capture_on_commit_callbacks)
    client.post(_url("report_publish", report))
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    pdf_before = report.pdf.read()

    ActivityFactory(program=program, date=dt.date(2024, 6, 1), attendees_total=100)

    report.refresh_from_db()
    assert report.kpi_snapshot["activities"]["total"] == 3
    assert report.pdf.read() == pdf_before
    assert hashlib.sha256(pdf_before).hexdigest() == report.checksum
    text = client.get(_url("report_detail", report)).text
    assert "<dd>21</dd>" in text and "<dd>121</dd>" not in text
    # Nor can it be generated again or edited.
    client.post(_url("report_generate", report))
    response = client.post(_url("report_edit", report), {"title": "Changed"})
    report.refresh_from_db()
    assert (report.status, report.title) == (Status.PUBLISHED, "Sachbericht 2024")
    assert response.status_code == 302


def test_a_new_version_starts_from_the_published_one(
    login, report, alice, django_capture_on_commit_callbacks
):
    client = login(alice)
    report = _generate(client, report, django_capture_on_commit_callbacks)
    client.post(_url("report_publish", report))
    response = client.post(_url("report_new_version", report))
    second = Report.objects.get(previous=report)
    assert response.url == _url("report_detail", second)
    assert (second.version, second.status, second.summary) == (2, Status.DRAFT, report.summary)
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    # Asking twice gives the same draft, not a third version.
    client.post(_url("report_new_version", report))
    assert Report.objects.count() == 2
    # Each links to the other; a report of the same title that is no version does not.
    Report.objects.create(
        program=report.program,
        title=report.title,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 12, 31),
        language="en",
    )
    page = client.get(_url("report_detail", report)).text
    assert _url("report_detail", second) in page
    assert page.count("Other versions:") == 1
    assert len(client.get(_url("report_detail", second)).context["versions"]) == 1


def test_editing_a_generated_report_discards_its_pdf(
    login, report, alice, django_capture_on_commit_callbacks
):
    client = login(alice)
    report = _generate(client, report, django_capture_on_commit_callbacks)
    client.post(
        _url("report_edit", report),
        {
            "title": report.title,
            "period_start": "2024-01-01",
            "period_end": "2024-06-30",
            "language": "en",
        },
    )
    report.refresh_from_db()
    assert (report.status, report.period_end, report.checksum) == (
        Status.DRAFT,
        dt.date(2024, 6, 30),
        "",
    )


def test_publishing_needs_a_generated_pdf(login, report, alice):
    response = login(alice).post(_url("report_publish", report), follow=True)
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert "Only a generated report can be published." in response.text


def test_a_funder_sees_and_downloads_only_published_reports(
    client, login, report, alice, funder, django_capture_on_commit_callbacks
):
    draft = Report.objects.create(
        program=report.program,
        title="Draft next year",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        language="en",
    )
    report = _generate(login(alice), report, django_capture_on_commit_callbacks)
    login(alice).post(_url("report_publish", report))

    client = login(funder)
    listing = client.get(reverse("report_list", args=[report.program.slug])).text
    assert "Sachbericht 2024" in listing and "Draft next year" not in listing
    assert client.get(_url("report_detail", draft)).status_code == 404
    assert client.get(_url("report_pdf", draft)).status_code == 404
    assert client.get(_url("report_xlsx", draft)).status_code == 404
    download = client.get(_url("report_pdf", report))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Funders may not manage reports.
    assert client.post(_url("report_new_version", report)).status_code == 403
    assert client.get(reverse("report_create", args=[report.program.slug])).status_code == 403


def test_a_volunteer_has_no_reports(login, report, bob):
    client = login(bob)
    assert client.get(reverse("report_list", args=[report.program.slug])).status_code == 403
    assert client.get(_url("report_detail", report)).status_code == 403


def test_a_coordinator_of_another_program_gets_not_found(login, report, charlie):
    assert login(charlie).get(_url("report_detail", report)).status_code == 404


def test_a_drafts_figures_are_reused_for_a_few_minutes_then_recomputed(report, program, settings):
    settings.LOTSE_REPORT_PREVIEW_SECONDS = 300
    assert services.report_snapshot(report)["activities"]["total"] == 3
    ActivityFactory(program=program, date=dt.date(2024, 6, 1))
    report.refresh_from_db()
    assert services.report_snapshot(report)["activities"]["total"] == 3
    assert services.report_snapshot(report, refresh=True)["activities"]["total"] == 4
    Report.objects.filter(pk=report.pk).update(snapshot_at=timezone.now() - dt.timedelta(minutes=6))
    ActivityFactory(program=program, date=dt.date(2024, 6, 2))
    report.refresh_from_db()
    assert services.report_snapshot(report)["activities"]["total"] == 5


def test_the_coordinator_can_recompute_the_preview(login, report, alice, program):
    client = login(alice)
    assert "<dd>21</dd>" in client.get(_url("report_detail", report)).text
    ActivityFactory(program=program, date=dt.date(2024, 6, 1), attendees_total=100)
    page = client.get(_url("report_detail", report)).text
    assert "<dd>21</dd>" in page and "Recompute now" in page
    assert "<dd>121</dd>" in client.get(_url("report_detail", report), {"recompute": 1}).text


def test_changing_the_period_recomputes_the_figures(login, report, alice):
    client = login(alice)
    client.get(_url("report_detail", report))
    client.post(
        _url("report_edit", report),
        {
            "title": report.title,
            "period_start": "2024-03-04",
            "period_end": "2024-12-31",
            "language": "en",
        },
    )
    report.refresh_from_db()
    assert report.kpi_snapshot is None
    assert services.report_snapshot(report)["activities"]["total"] == 2


def test_downloads_are_recorded_in_the_security_log(
    login, report, alice, funder, django_capture_on_commit_callbacks
):
    report = _generate(login(alice), report, django_capture_on_commit_callbacks)
    login(alice).post(_url("report_publish", report))
    client = login(funder)
    b"".join(client.get(_url("report_pdf", report)).streaming_content)
    client.get(_url("report_xlsx", report))
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT, user=funder)
    assert sorted(e.detail["format"] for e in events) == ["pdf", "xlsx"]
    assert {e.detail["filters"]["report"] for e in events} == {report.pk}


# ---- publishing asks first, and can be taken back until the funder downloads it ----------


def test_publishing_asks_for_confirmation_first(
    login, report, alice, django_capture_on_commit_callbacks
):
    client = login(alice)
    report = _generate(client, report, django_capture_on_commit_callbacks)
    detail = client.get(_url("report_detail", report)).text
    assert f'href="{_url("report_publish", report)}"' in detail
    confirm = client.get(_url("report_publish", report))
    assert confirm.status_code == 200
    assert "Publish “Sachbericht 2024”" in confirm.text
    assert "you can take it back" in confirm.text
    assert "<script" not in confirm.text.split("<main")[-1]
    report.refresh_from_db()
    assert report.status == Status.GENERATED  # asking changes nothing
    client.post(_url("report_publish", report))
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED


def test_a_report_is_taken_back_until_the_funder_downloads_it(
    login, report, alice, funder, django_capture_on_commit_callbacks
):
    client = login(alice)
    report = _generate(client, report, django_capture_on_commit_callbacks)
    client.post(_url("report_publish", report))
    assert "Take back (unpublish)" in client.get(_url("report_detail", report)).text
    done = client.post(_url("report_unpublish", report), follow=True)
    assert "The report was taken back." in done.text
    report.refresh_from_db()
    assert (report.status, report.published_at) == (Status.GENERATED, None)
    assert LogEntry.objects.filter(
        object_pk=str(report.pk), actor=alice, changes__icontains="published"
    ).exists()
    # The funder sees it no more.
    assert login(funder).get(_url("report_detail", report)).status_code == 404

    client = login(alice)
    client.post(_url("report_publish", report))
    login(funder).get(_url("report_pdf", report))
    client = login(alice)
    assert "Take back (unpublish)" not in client.get(_url("report_detail", report)).text
    refused = client.post(_url("report_unpublish", report), follow=True)
    assert "the funder has downloaded it" in refused.text
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
