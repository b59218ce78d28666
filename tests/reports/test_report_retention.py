"""A published report does not change when the people it counted are erased (retention)."""

import datetime as dt
import hashlib

from django.core.management import call_command
from django.utils import timezone

from programs.models import Participant
from reports import generation, services
from reports.models import Report
from tests.factories import ActivityFactory, ParticipantFactory


def test_a_retention_run_leaves_the_published_report_byte_identical(program, alice, settings):
    settings.LOTSE_REPORT_PREVIEW_SECONDS = 0
    long_ago = timezone.localdate() - dt.timedelta(days=3 * 365)
    people = ParticipantFactory.create_batch(6, program=program)
    Participant.objects.filter(program=program).update(
        created_at=timezone.now() - dt.timedelta(days=3 * 365)
    )
    for person in people:
        ActivityFactory(program=program, date=long_ago).participants.add(person)
    report = Report.objects.create(
        program=program,
        title="Sachbericht",
        period_start=long_ago.replace(month=1, day=1),
        period_end=long_ago.replace(month=12, day=31),
        language="en",
        status=Report.Status.GENERATING,
        generation_started_at=timezone.now(),
    )
    generation.report_generate(report_id=report.pk)
    report = services.report_publish(report=report, by=alice)
    pdf, snapshot = report.pdf.read(), report.kpi_snapshot
    assert snapshot["people_reached"]["total"] == 6

    call_command("apply_retention", stdout=open("/dev/null", "w"))

    assert not Participant.objects.filter(pk__in=[p.pk for p in people]).exists()
    report.refresh_from_db()
    assert report.pdf.read() == pdf
    assert hashlib.sha256(pdf).hexdigest() == report.checksum
    assert report.kpi_snapshot == snapshot
    assert services.report_snapshot(report)["people_reached"]["total"] == 6
