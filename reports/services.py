"""Writes of reports: queueing the generation, changes, publication and new versions.

A report moves draft → generating → generated → published; a generation that raises, or whose
worker dies, ends in ``failed``. The generation itself runs in the worker
(:mod:`reports.generation`, through :mod:`reports.tasks`) and stores the PDF, its SHA-256 and
the KPI snapshot together in one transaction, so no report ever points at a partial PDF.
Publishing freezes that snapshot and PDF; a published report changes only by a new version.
It needs a reason for every target further behind plan than the program's margin
(:func:`targets_without_reason`), so that the funder reads why.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .generation import locked, report_fail, report_figures
from .models import Report
from .tasks import generate_report

Status = Report.Status


def report_snapshot(report: Report, *, refresh: bool = False) -> dict:
    """The report's figures: frozen once generated; for a draft, computed from live data.

    A draft keeps its computed figures for ``LOTSE_REPORT_PREVIEW_SECONDS`` so that opening
    its preview again does not recompute every figure; ``refresh`` recomputes at once.
    """
    if report.kpi_snapshot is not None and report.has_pdf:
        return report.kpi_snapshot
    now = timezone.now()
    fresh_since = now - dt.timedelta(seconds=settings.LOTSE_REPORT_PREVIEW_SECONDS)
    if (
        not refresh
        and report.kpi_snapshot is not None
        and report.snapshot_at is not None
        and report.snapshot_at >= fresh_since
    ):
        return report.kpi_snapshot
    snapshot = report_figures(report)
    if report.pk and report.status in (Status.DRAFT, Status.FAILED):
        Report.objects.filter(pk=report.pk, status=report.status).update(
            kpi_snapshot=snapshot, snapshot_at=now
        )
        report.kpi_snapshot, report.snapshot_at = snapshot, now
    return snapshot


@transaction.atomic
def report_request_generation(*, report: Report, by) -> Report:
    """Queue the PDF generation of a draft, failed or generated (not published) report."""
    report = locked(report)
    if report.status == Status.PUBLISHED:
        raise ValidationError(
            _("A published report cannot be generated again; make a new version.")
        )
    if report.status == Status.GENERATING:
        return report
    report.status = Status.GENERATING
    report.progress = 0
    report.error = ""
    report.generation_started_at = timezone.now()
    report.generated_by = by
    report.kpi_snapshot = None
    report.snapshot_at = None
    report.pdf = ""
    report.checksum = ""
    report.generated_at = None
    report.full_clean()
    report.save()
    transaction.on_commit(lambda: _enqueue(report.pk), robust=False)
    return report


def _enqueue(report_pk: int) -> None:
    result = generate_report.enqueue(report_pk)
    Report.objects.filter(pk=report_pk, status=Status.GENERATING).update(task_id=str(result.id))


def report_check_generation(report: Report, now: dt.datetime | None = None) -> Report:
    """Mark a generation failed whose task failed or whose worker stopped without finishing."""
    if report.status != Status.GENERATING:
        return report
    now = now or timezone.now()
    started = report.generation_started_at or now
    if (now - started).total_seconds() > settings.LOTSE_REPORT_TIMEOUT:
        return report_fail(
            report=report,
            error=_("The generation did not finish in time; the worker may have stopped."),
        )
    if report.task_id:
        try:
            result = generate_report.get_result(report.task_id)
        except TaskResultDoesNotExist:
            return report
        if result.status == TaskResultStatus.FAILED:
            return report_fail(report=report, error=_("The generation failed."))
    return report


@transaction.atomic
def report_update(*, report: Report, fields: dict) -> Report:
    """Change the narrative or period of an unpublished report; a generated PDF is discarded."""
    report = locked(report)
    if not report.editable:
        raise ValidationError(_("A published report cannot be changed; make a new version."))
    if report.status == Status.GENERATING:
        raise ValidationError(_("Wait until the PDF is generated, then change the report."))
    for name, value in fields.items():
        setattr(report, name, value)
    report.kpi_snapshot = None  # the period or grant may have changed
    report.snapshot_at = None
    if report.status in (Status.GENERATED, Status.FAILED):
        report.status = Status.DRAFT
        report.pdf = ""
        report.checksum = ""
        report.generated_at = None
        report.progress = 0
        report.error = ""
    report.full_clean()
    report.save()
    return report


def targets_without_reason(report: Report, snapshot: dict | None) -> list[dict]:
    """The target rows of ``snapshot`` further behind plan than the margin for which
    ``report`` gives no reason."""
    rows = (snapshot or {}).get("targets", {}).get("rows", [])
    reasons = report.target_reasons or {}
    return [
        row for row in rows if row.get("behind") and not str(reasons.get(row["key"], "")).strip()
    ]


REASONS_MISSING = "reasons_missing"


@transaction.atomic
def report_publish(*, report: Report, by) -> Report:
    """Freeze a generated report: its snapshot and PDF become what funders download.

    Refused while a target further behind plan than the program's margin has no reason: the
    PDF is to say why (the error's code is :data:`REASONS_MISSING`).
    """
    report = locked(report)
    if report.status != Status.GENERATED:
        raise ValidationError(_("Only a generated report can be published."))
    missing = targets_without_reason(report, report.kpi_snapshot)
    if missing:
        margin = report.kpi_snapshot["targets"].get("margin")
        raise ValidationError(
            ngettext(
                "Before publishing, give the reason why this target is more than %(margin)s "
                "percentage points behind the share of its period gone: %(targets)s. Then "
                "generate the PDF again, so that it prints the reason.",
                "Before publishing, give the reasons why these targets are more than "
                "%(margin)s percentage points behind the share of their period gone: "
                "%(targets)s. Then generate the PDF again, so that it prints the reasons.",
                len(missing),
            )
            % {"margin": margin, "targets": ", ".join(row["label"] for row in missing)},
            code=REASONS_MISSING,
        )
    report.status = Status.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = by
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_unpublish(*, report: Report, by) -> Report:
    """Take a published report back to generated (its PDF kept), so that it can be checked,
    regenerated or published again. The caller checks ``policies.can_unpublish`` first; the
    change is recorded in the audit trail like every save of a report."""
    report = locked(report)
    if report.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published report can be taken back."))
    report.status = Status.GENERATED
    report.published_at = None
    report.published_by = None
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_new_version(*, report: Report, by) -> Report:
    """A draft copy of a published report to change and publish again; the original stays."""
    report = locked(report)
    if report.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published report gets new versions."))
    existing = report.next_versions.first()
    if existing is not None:
        return existing
    copy = Report(
        program=report.program,
        grant=report.grant,
        title=report.title,
        period_start=report.period_start,
        period_end=report.period_end,
        language=report.language,
        summary=report.summary,
        highlights=report.highlights,
        challenges=report.challenges,
        outlook=report.outlook,
        measures=report.measures,
        milestones=report.milestones,
        target_reasons=report.target_reasons,
        version=report.version + 1,
        previous=report,
        created_by=by,
    )
    copy.full_clean()
    copy.save()
    return copy
