"""Every write of an audited record leaves an entry in the audit trail.

Two tests keep it so. The first goes through every door that writes an audited record (the
services, the importer, the admin) and checks that the record's trail shows the write with
the right action, the changed fields, the actor, the address and the program. The second
reads the code: every ``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()`` (they
bypass the model signals django-auditlog listens to) is listed below with the reason it
needs no entry, or the write path that shows its entry; a new one fails until it is listed.
"""

import ast
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Max
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy.services import participant_erase
from programs import audit
from programs.models import ActivityKind, Participant
from referrals import services as referral_services
from referrals.models import Referral
from reports import services as report_services
from reports.generation import _progress, report_generate
from reports.models import Report
from sessions_log import services as session_services
from sessions_log.models import Activity, Concern
from transfer import jobs as transfer_jobs
from transfer.models import ImportJob
from volunteers.models import SupervisionSession

from .factories import (
    ActivityFactory,
    ConcernFactory,
    ParticipantFactory,
    ReferralFactory,
    ServiceProviderFactory,
    SupervisionSessionFactory,
    VolunteerFactory,
)
from .transfer.helpers import HEADERS, messages, run_import, sample_sheets, write_xlsx

pytestmark = pytest.mark.django_db

Action = LogEntry.Action
ADDRESS = "192.0.2.44"
SECRET = "Talked about ending her life"


# ---- the write paths ---------------------------------------------------------------------


@dataclass(frozen=True)
class WritePath:
    """A door that writes a record of ``model``: ``run`` writes it (calling ``world.mark()``
    just before) and returns the record; the trail must then hold an entry with ``action``
    whose changes name at least ``fields``."""

    name: str
    model: type
    action: int
    fields: frozenset[str]
    run: Callable
    by_admin: bool = False  # a request to the admin, signed in as the admin user
    note: str = ""
    extra: dict = field(default_factory=dict)  # more of the entry's additional_data


PATHS: list[WritePath] = []


def path(name, model, action, fields=(), **options):
    def register(run):
        PATHS.append(WritePath(name, model, action, frozenset(fields), run, **options))
        return run

    return register


def _import(world, sheets, name="import.xlsx"):
    result = run_import(world.program, write_xlsx(world.tmp_path / name, sheets), by=world.alice)
    assert result.written, messages(result)


def _imported(world):
    """The sample file imported once, before the mark."""
    _import(world, sample_sheets(), "first.xlsx")


# Participants


@path("participant: quick add (service)", Participant, Action.CREATE, {"code", "gender"})
def _participant_quick_add(world):
    world.mark()
    return session_services.participant_quick_create(
        program=world.program,
        year_of_birth=1979,
        gender=Participant.Gender.MALE,
        consent_on=None,
        consent_scope="",
    )


@path(
    "participant: consent recorded with a referral (service)",
    Participant,
    Action.UPDATE,
    {"consent_scope", "consent_on"},
)
def _participant_consent(world):
    person = ParticipantFactory(program=world.program)
    world.mark()
    referral_services.referral_create(
        program=world.program,
        participant=person,
        provider=world.provider,
        by=world.alice,
        consent_on=dt.date(2024, 5, 2),
    )
    return person


@path(
    "participant: import of a new one",
    Participant,
    Action.CREATE,
    {"code", "year_of_birth", "consent_on"},
    note="imported",
)
def _participant_imported(world):
    world.mark()
    _imported(world)
    return world.program.participants.get(code="P-AAAA1")


@path(
    "participant: import of a change",
    Participant,
    Action.UPDATE,
    {"year_of_birth", "languages"},
    note="imported",
)
def _participant_reimported(world):
    _imported(world)
    world.mark()
    _import(
        world, {"participants": [["code", "year_of_birth", "languages"], ["P-AAAA2", 1990, "ar"]]}
    )
    return world.program.participants.get(code="P-AAAA2")


@path(
    "participant: import of a change of languages only",
    Participant,
    Action.UPDATE,
    {"languages"},
    note="imported",
)
def _participant_languages_reimported(world):
    _imported(world)
    world.mark()
    _import(world, {"participants": [["code", "languages"], ["P-AAAA2", "ti"]]})
    return world.program.participants.get(code="P-AAAA2")


@path("participant: admin change", Participant, Action.UPDATE, {"year_of_birth"}, by_admin=True)
def _participant_admin(world):
    person = ParticipantFactory(program=world.program, year_of_birth=1990)
    world.mark()
    response = world.admin_client.post(
        reverse("admin:programs_participant_change", args=[person.pk]),
        {
            "program": world.program.pk,
            "code": person.code,
            "year_of_birth": "1991",
            "gender": person.gender,
        },
    )
    assert response.status_code == 302
    return person


@path(
    "participant: erasure (Art. 17)",
    Participant,
    Action.DELETE,
    extra={"erased": True},
)
def _participant_erased(world):
    person = ParticipantFactory(program=world.program)
    ReferralFactory(program=world.program, participant=person, outcome=SECRET)
    world.mark()
    participant_erase(participant=person, reason="Art. 17 request", by=world.alice)
    return person


# Sessions (activities)


@path("activity: logged (service)", Activity, Action.CREATE, {"kind", "date", "minutes"})
def _activity_logged(world):
    world.mark()
    activity, _created = session_services.activity_log(
        program=world.program,
        user=world.alice,
        volunteer=None,
        idempotency_key=None,
        kind=ActivityKind.GROUP,
        date=dt.date(2024, 4, 2),
        minutes=60,
        attendance=session_services.Attendance(total=5, women=2, men=3, children=0),
        confirmed=True,  # a date months ago asks for confirmation
    )
    return activity


@path("activity: changed (service)", Activity, Action.UPDATE, {"minutes"})
def _activity_changed(world):
    activity = ActivityFactory(program=world.program, minutes=90)
    world.mark()
    return session_services.activity_update(
        activity=activity,
        volunteer=None,
        any_time=True,
        kind=activity.kind,
        date=activity.date,
        minutes=120,
        attendance=session_services.Attendance(total=10, women=4, men=5, children=0),
    )


@path(
    "activity: import of a new one",
    Activity,
    Action.CREATE,
    {"kind", "date", "minutes", "attendees_total"},
    note="imported",
)
def _activity_imported(world):
    world.mark()
    _imported(world)
    return world.program.activities.get(ref="A1")


@path(
    "activity: import of a change",
    Activity,
    Action.UPDATE,
    {"minutes", "participants"},
    note="imported",
)
def _activity_reimported(world):
    _imported(world)
    world.mark()
    _import(
        world,
        {
            "activities": [
                ["ref", "date", "kind", "duration_minutes", "participants"],
                ["A2", "2024-03-06", "one_to_one", 50, "P-AAAA2"],
            ]
        },
    )
    return world.program.activities.get(ref="A2")


@path("activity: admin delete action", Activity, Action.DELETE, by_admin=True)
def _activity_admin_deleted(world):
    activity = ActivityFactory(program=world.program)
    world.mark()
    response = world.admin_client.post(
        reverse("admin:sessions_log_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [activity.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    return activity


# Concerns


@path("concern: raised (service)", Concern, Action.CREATE, {"category", "description"})
def _concern_raised(world):
    world.mark()
    return session_services.concern_raise(
        program=world.program,
        activity=None,
        by=world.alice,
        data=session_services.ConcernData(
            category=Concern.Category.MENTAL_HEALTH_CRISIS,
            severity=Concern.Severity.LOW,
            description=SECRET,
        ),
    )


@path("concern: acknowledged (service)", Concern, Action.UPDATE, {"acknowledged_by"})
def _concern_acknowledged(world):
    concern = ConcernFactory(program=world.program, description="Sleeps badly.")
    world.mark()
    return session_services.concern_acknowledge(concern=concern, by=world.alice)


@path("concern: outcome recorded (service)", Concern, Action.UPDATE, {"outcome"})
def _concern_outcome(world):
    concern = ConcernFactory(
        program=world.program,
        description="Sleeps badly.",
        acknowledged_by=world.alice,
        acknowledged_at=timezone.now(),
    )
    world.mark()
    return session_services.concern_record_outcome(concern=concern, by=world.alice, outcome=SECRET)


# Referrals


@path("referral: proposed (service)", Referral, Action.CREATE, {"status", "provider"})
def _referral_proposed(world):
    person = ParticipantFactory(program=world.program)
    world.mark()
    return referral_services.referral_create(
        program=world.program, participant=person, provider=world.provider, by=world.alice
    )


@path(
    "referral: sent (service)",
    Referral,
    Action.UPDATE,
    {"status", "sent_on", "consent_to_share", "consent_on"},
)
def _referral_sent(world):
    referral = ReferralFactory(program=world.program, provider=world.provider)
    world.mark()
    return referral_services.referral_transition(
        referral=referral,
        to_status=Referral.Status.SENT,
        by=world.alice,
        expected_version=referral.version,
        consent_on=dt.date(2024, 3, 2),
    )


@path(
    "referral: closed with its outcome (service)",
    Referral,
    Action.UPDATE,
    {"status", "closed_on", "outcome"},
)
def _referral_closed(world):
    referral = ReferralFactory(
        program=world.program,
        provider=world.provider,
        status=Referral.Status.DECLINED,
        consent_to_share=True,
        consent_on=dt.date(2024, 3, 1),
        sent_on=dt.date(2024, 3, 1),
    )
    world.mark()
    return referral_services.referral_transition(
        referral=referral,
        to_status=Referral.Status.CLOSED,
        by=world.alice,
        expected_version=referral.version,
        outcome=SECRET,
    )


@path(
    "referral: provider, consent and outcome changed (service)",
    Referral,
    Action.UPDATE,
    {"provider", "consent_to_share", "consent_on", "outcome"},
)
def _referral_changed(world):
    referral = ReferralFactory(program=world.program, provider=world.provider)
    other = ServiceProviderFactory(program=world.program, name="Sozialamt Düren")
    world.mark()
    return referral_services.referral_update(
        referral=referral,
        by=world.alice,
        expected_version=referral.version,
        provider=other,
        category=referral.category,
        urgency=referral.urgency,
        referred_on=referral.referred_on,
        consent_on=dt.date(2024, 3, 1),
        outcome=SECRET,
    )


@path("referral: inbound, matched with a volunteer (service)", Referral, Action.UPDATE, {"match"})
def _referral_inbound_matched(world):
    person = ParticipantFactory(program=world.program)
    volunteer = VolunteerFactory(program=world.program)
    world.mark()
    return referral_services.referral_inbound_create(
        program=world.program,
        provider=world.provider,
        by=world.alice,
        participant=person,
        match_volunteer=volunteer,
    )


@path(
    "referral: import of a new one",
    Referral,
    Action.CREATE,
    {"status", "provider", "participant"},
    note="imported",
)
def _referral_imported(world):
    world.mark()
    _imported(world)
    return world.program.referrals.get(ref="R1")


@path(
    "referral: import of a change",
    Referral,
    Action.UPDATE,
    {"status", "version"},
    note="imported",
)
def _referral_reimported(world):
    _imported(world)
    world.mark()
    _import(
        world,
        {
            "referrals": [
                HEADERS["referrals"],
                [
                    "R1",
                    "2024-03-06",
                    "P-AAAA1",
                    "PSZ Düsseldorf",
                    "psychosocial_centre",
                    "",
                    "closed",
                    "2024-03-20",
                    "2024-04-01",
                    "2024-03-06",
                ],
            ]
        },
    )
    return world.program.referrals.get(ref="R1")


# Reports


def _report(world, **values):
    return Report.objects.create(
        program=world.program,
        title="Sachbericht 2024",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        language="en",
        created_by=world.alice,
        **values,
    )


@path("report: generation requested (service)", Report, Action.UPDATE, {"status"})
def _report_requested(world):
    report = _report(world)
    world.mark()
    return report_services.report_request_generation(report=report, by=world.alice)


@path("report: generated (worker)", Report, Action.UPDATE, {"status", "checksum", "pdf"})
def _report_generated(world):
    report = _report(world, status=Report.Status.GENERATING)
    world.mark()
    report_generate(report_id=report.pk)
    return report


@path("report: narrative changed (service)", Report, Action.UPDATE, {"summary"})
def _report_changed(world):
    report = _report(world)
    world.mark()
    return report_services.report_update(report=report, fields={"summary": SECRET})


# Imports in the background


def _import_job(world):
    from transfer import services as transfer_services  # noqa: PLC0415

    upload = SimpleUploadedFile(
        "in.xlsx", write_xlsx(world.tmp_path / "in.xlsx", sample_sheets()).read_bytes()
    )
    with override_settings(MEDIA_ROOT=world.tmp_path / "media"):
        return transfer_services.job_start(
            program=world.program, by=world.alice, upload=upload, language="en"
        )


@path("import: file uploaded (service)", ImportJob, Action.CREATE, {"state", "filename"})
def _import_uploaded(world):
    world.mark()
    return _import_job(world)


@path("import: checked (worker)", ImportJob, Action.UPDATE, {"state"})
def _import_checked(world):
    job = _import_job(world)
    world.mark()
    with override_settings(MEDIA_ROOT=world.tmp_path / "media"):
        transfer_jobs.job_preview(job_id=job.pk)
    return job


@path("import: cancelled (service)", ImportJob, Action.UPDATE, {"state", "cancel_requested"})
def _import_cancelled(world):
    from transfer import services as transfer_services  # noqa: PLC0415

    job = _import_job(world)
    world.mark()
    with override_settings(MEDIA_ROOT=world.tmp_path / "media"):
        return transfer_services.job_cancel(job=job)


# Supervision


@path("supervision: recorded (form)", SupervisionSession, Action.CREATE, {"confidential_notes"})
def _supervision_recorded(world):
    world.mark()
    return SupervisionSessionFactory(program=world.program, confidential_notes=SECRET)


@path("supervision: admin delete action", SupervisionSession, Action.DELETE, by_admin=True)
def _supervision_admin_deleted(world):
    session = SupervisionSessionFactory(program=world.program)
    world.mark()
    response = world.admin_client.post(
        reverse("admin:volunteers_supervisionsession_changelist"),
        {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"},
    )
    assert response.status_code == 302
    return session


@pytest.fixture
def world(program, alice, admin_client, tmp_path):
    state = SimpleNamespace(
        program=program,
        alice=alice,
        admin_client=admin_client,
        tmp_path=tmp_path,
        provider=ServiceProviderFactory(program=program, name="PSZ Düsseldorf"),
        since=0,
    )

    def mark():
        state.since = LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0

    state.mark = mark
    return state


def _new_entries(record, since):
    return LogEntry.objects.get_for_object(record).filter(pk__gt=since).order_by("pk")


@pytest.mark.parametrize("write", PATHS, ids=[p.name for p in PATHS])
def test_every_write_path_leaves_an_entry(world, write, admin_user):
    if write.by_admin:
        record = write.run(world)
        actor, address = admin_user, "127.0.0.1"
    else:
        with set_actor(world.alice, remote_addr=ADDRESS):
            record = write.run(world)
        actor, address = world.alice, ADDRESS

    entries = [e for e in _new_entries(record, world.since) if e.action == write.action]
    matching = [e for e in entries if write.fields <= set(e.changes_dict)]
    assert matching, (
        f"{write.name}: no {write.action} entry naming {sorted(write.fields)}; "
        f"found {[(e.action, sorted(e.changes_dict)) for e in entries]}"
    )
    entry = matching[-1]
    assert entry.actor == actor
    assert entry.remote_addr == address
    assert entry.additional_data["program"] == world.program.pk
    if write.note:
        assert entry.additional_data["note"] == write.note
    for key, value in write.extra.items():
        assert entry.additional_data[key] == value
    trail = " ".join(f"{e.changes} {e.object_repr}" for e in LogEntry.objects.all())
    assert SECRET not in trail


def test_every_audited_model_has_its_write_paths_listed():
    assert {p.model._meta.label for p in PATHS} == set(audit.AUDITED)


# ---- what the entries say ----------------------------------------------------------------


def test_a_referral_change_by_the_service_shows_old_and_new_values(program, alice):
    provider = ServiceProviderFactory(program=program, name="PSZ Düsseldorf")
    other = ServiceProviderFactory(program=program, name="Sozialamt Düren")
    referral = ReferralFactory(program=program, provider=provider, outcome="")
    referral_services.referral_update(
        referral=referral,
        by=alice,
        expected_version=referral.version,
        provider=other,
        category=referral.category,
        urgency=referral.urgency,
        referred_on=referral.referred_on,
        consent_on=dt.date(2024, 3, 1),
        outcome=SECRET,
    )
    entry = LogEntry.objects.get_for_object(referral).get(action=Action.UPDATE)
    assert entry.actor == alice  # outside a request too: the service's user
    assert entry.changes_dict["provider"] == [str(provider.pk), str(other.pk)]
    assert entry.changes_dict["consent_on"] == ["None", "2024-03-01"]
    assert entry.changes_dict["consent_to_share"] == ["False", "True"]
    assert entry.changes_dict["outcome"] == [audit.REDACTED, audit.REDACTED]
    assert set(entry.changes_dict) == {"provider", "consent_on", "consent_to_share", "outcome"}
    assert entry.object_repr == str(Referral.objects.get(pk=referral.pk))


def test_a_conflicting_referral_change_leaves_no_entry(program, alice):
    referral = ReferralFactory(program=program)
    with pytest.raises(referral_services.ReferralConflict):
        referral_services.referral_transition(
            referral=referral,
            to_status=Referral.Status.CLOSED,
            by=alice,
            expected_version=referral.version + 1,
        )
    assert not LogEntry.objects.get_for_object(referral).filter(action=Action.UPDATE).exists()


def test_report_progress_leaves_no_entry_but_its_status_does(program, alice):
    """The percentage a generation has reached is progress, not a change of the report."""
    report = Report.objects.create(
        program=program,
        title="2024",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        status=Report.Status.GENERATING,
    )
    before = LogEntry.objects.count()
    _progress(report, 40)
    assert LogEntry.objects.count() == before
    report_generate(report_id=report.pk)
    (entry,) = LogEntry.objects.get_for_object(report).filter(pk__gt=0, action=Action.UPDATE)
    assert entry.changes_dict["status"] == ["generating", "generated"]


def test_the_erasure_leaves_exactly_its_one_entry(program, alice):
    person = ParticipantFactory(program=program)
    referral = ReferralFactory(program=program, participant=person, outcome=SECRET)
    last = LogEntry.objects.aggregate(last=Max("pk"))["last"]
    with set_actor(alice, remote_addr=ADDRESS):
        participant_erase(participant=person, reason="Art. 17 request", by=alice)
    (entry,) = LogEntry.objects.filter(pk__gt=last)
    assert entry.action == Action.DELETE
    assert (entry.object_id, entry.actor) == (person.pk, alice)
    assert entry.additional_data == {"program": program.pk, "erased": True}
    assert referral.pk  # the referral stays, scrubbed without entries of its own


def test_an_import_is_in_the_trail_with_the_importing_user_in_a_few_statements(
    program, alice, tmp_path
):
    rows = 40
    sheets = sample_sheets()
    sheets["participants"] += [[f"P-BULK{i:02d}", 1980 + i % 20, "male"] for i in range(rows)]
    path = write_xlsx(tmp_path / "bulk.xlsx", sheets)
    with CaptureQueriesContext(connection) as queries:
        result = run_import(program, path, by=alice)
    assert result.written, messages(result)
    statements = ('INSERT INTO "auditlog_logentry"', 'COPY "auditlog_logentry"')  # PostgreSQL
    inserts = [q for q in queries if q["sql"].startswith(statements)]
    assert len(inserts) == 3  # participants, activities, referrals: one statement each
    created = LogEntry.objects.filter(action=Action.CREATE, additional_data__note="imported")
    kinds = {e.content_type.model for e in created}
    assert kinds == {"participant", "activity", "referral"}
    assert created.count() == rows + 2 + 2 + 2
    assert {e.actor for e in created} == {alice}
    bulk = program.participants.get(code="P-BULK07")
    entry = LogEntry.objects.get_for_object(bulk).get()
    assert entry.object_repr == "P-BULK07"
    assert entry.changes_dict["year_of_birth"] == ["None", "1987"]


def test_an_import_outside_a_request_names_its_user_and_no_earlier_one(
    program, alice, bob, tmp_path
):
    with set_actor(bob, remote_addr=ADDRESS):
        ParticipantFactory(program=program)
    path = write_xlsx(tmp_path / "first.xlsx", sample_sheets())
    run_import(program, path, by=None)
    entries = LogEntry.objects.filter(additional_data__note="imported")
    assert entries.exists()
    assert {(e.actor, e.remote_addr) for e in entries} == {(None, None)}
    run_import(
        program,
        write_xlsx(
            tmp_path / "again.xlsx",
            {
                "activities": [
                    ["ref", "date", "kind", "duration_minutes"],
                    ["A1", "2024-03-05", "group", 60],
                ]
            },
        ),
        by=alice,
    )
    update = LogEntry.objects.get(action=Action.UPDATE, additional_data__note="imported")
    assert update.actor == alice
    assert update.changes_dict["minutes"] == ["90", "60"]


def test_an_unchanged_reimport_adds_no_entries(program, alice, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())
    run_import(program, path, by=alice)
    count = LogEntry.objects.count()
    run_import(program, path, by=alice)
    assert LogEntry.objects.count() == count


# ---- no write bypasses the trail unnoticed -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# The apps whose code may write audited records. ``demo`` builds a fictional program from
# nothing with bulk inserts; it has no trail to keep.
SCANNED = (
    "core",
    "programs",
    "volunteers",
    "sessions_log",
    "referrals",
    "reports",
    "transfer",
    "privacy",
    "home",
)
# Calls that write without the model signals. ``QuerySet.delete()`` is not among them: Django
# sends the delete signal for each row of a model with receivers, as every audited model has.
WRITES = {"update", "bulk_create", "bulk_update"}

DICT = "a dict, not a query"
SET = "a set, not a query"
NOT_AUDITED = "a model the trail does not cover"
TRAIL = "the audit trail itself"
ERASURE = "erasure: audit logging is off on purpose; participant_erase records it in one entry"

# {(module, function, receiver.method): why it needs no entry, or the write paths above
# that show its entry (its function records it with ``audit.log_update``)}
KNOWN = {
    ("programs/audit.py", "erase_from_trail", "LogEntry.update"): TRAIL,
    ("programs/audit.py", "redact_names", "entries.update"): TRAIL,
    ("programs/audit.py", "bulk_create", "model.bulk_create"): "the audited write itself",
    ("programs/audit.py", "bulk_update", "manager.bulk_update"): "the audited write itself",
    ("programs/forms.py", "AreaForm.__init__", "self.update"): DICT,
    ("core/mail.py", "recipient_languages", "languages.update"): DICT,
    ("home/organisation.py", "organisation_dashboard", "found.update"): DICT,
    ("reports/organisation.py", "_activity_figures", "figures.update"): DICT,
    ("reports/organisation.py", "_program_figures", "figures.update"): DICT,
    ("reports/organisation.py", "_programs_of_places", "figures.update"): DICT,
    ("core/pdf.py", "StructureRepair.drop_repeated_headers", "renamed.update"): DICT,
    ("programs/lists.py", "ProgramListView.get_context_data", "context.update"): DICT,
    ("reports/document.py", "_footnotes", "printed.update"): SET,
    ("sessions_log/quality.py", "data_quality", "counts.update"): DICT,
    ("programs/lockout.py", "LockoutHandler.user_login_failed", "AccessAttempt.update"): (
        NOT_AUDITED
    ),
    ("programs/personal_data.py", "ParticipantData.erase", "rows.update"): ERASURE,
    ("volunteers/forms.py", "TrainingForm.__init__", "self.update"): DICT,
    ("volunteers/forms.py", "TrainingSessionForm.__init__", "self.update"): DICT,
    ("volunteers/forms.py", "SupervisionForm.__init__", "self.update"): DICT,
    ("volunteers/services.py", "training_enrol", "Enrollment.bulk_create"): NOT_AUDITED,
    ("volunteers/services.py", "training_attendance_save", "TrainingAttendance.bulk_create"): (
        NOT_AUDITED
    ),
    (
        "volunteers/services.py",
        "training_session_mark_present",
        "TrainingAttendance.bulk_create",
    ): NOT_AUDITED,
    ("sessions_log/forms.py", "ActivityForm._setup_facilitators", "field.update"): DICT,
    ("sessions_log/forms.py", "ActivityForm._setup_languages", "field.update"): DICT,
    ("sessions_log/forms.py", "ParticipantQuickForm.__init__", "field.update"): DICT,
    ("sessions_log/views/activities.py", "activity_detail", "context.update"): DICT,
    ("referrals/forms.py", "ProviderForm.__init__", "self.update"): DICT,
    ("referrals/personal_data.py", "_scrub", "referrals.update"): ERASURE,
    ("referrals/personal_data.py", "_scrub", "ReferralEvent.update"): ERASURE,
    ("referrals/services.py", "referral_transition", "changes.update"): DICT,
    ("referrals/services.py", "referral_transition", "Referral.update"): (
        "referral: sent (service)",
        "referral: closed with its outcome (service)",
    ),
    ("referrals/services.py", "referral_update", "Referral.update"): (
        "referral: provider, consent and outcome changed (service)",
    ),
    ("referrals/services.py", "referral_inbound_create", "Referral.update"): (
        "referral: inbound, matched with a volunteer (service)",
    ),
    ("referrals/views.py", "referral_create", "initial.update"): DICT,
    # A report's status changes are saved with save() and recorded; these are not changes a
    # user makes to the report: the generation's progress in percent, the id of its
    # background task, and the figures a draft's preview computed (a cache of logged data).
    ("reports/generation.py", "_progress", "Report.update"): "progress in percent",
    ("reports/services.py", "_enqueue", "Report.update"): "the background task's id",
    ("reports/services.py", "report_snapshot", "Report.update"): "a draft's preview figures",
    ("reports/indicators.py", "entry", "row.update"): DICT,
    # An import's progress (rows read) and the id of its task: not changes the user makes;
    # the job's states are saved with save() and audited.
    ("transfer/jobs.py", "_Progress.progress", "ImportJob.update"): "progress in rows",
    ("transfer/services.py", "_enqueue", "ImportJob.update"): "the background task's id",
    ("reports/kpis.py", "_targets", "row.update"): DICT,
    ("transfer/importing/engine.py", "_import_sheet", "merged.update"): DICT,
    ("transfer/importing/lookups.py", "Run.__init__", "self.update"): DICT,
    ("transfer/importing/sheets/base.py", "_NewRecords.new", "stored.update"): DICT,
    ("transfer/importing/recording.py", "Recorder._write", "self.update"): "a hash, not a query",
    (
        "transfer/importing/sheets/referrals.py",
        "Referrals.after_write",
        "ReferralEvent.bulk_create",
    ): (NOT_AUDITED),
    (
        "transfer/importing/sheets/volunteers.py",
        "Volunteers.after_write",
        "VolunteerStatusChange.bulk_create",
    ): NOT_AUDITED,
    ("transfer/views.py", "_with_result", "context.update"): DICT,
}


def _receiver(node) -> str:
    """The name a call chain starts from: ``Referral`` in ``Referral.objects.filter().update``."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else type(node).__name__


def _functions():
    """``(module, qualified function name, function node)`` of every function of the apps."""
    for app in SCANNED:
        for file in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in file.parts:
                continue
            module = file.relative_to(ROOT).as_posix()
            tree = ast.parse(file.read_text(), filename=module)
            stack = [(tree, "")]
            while stack:
                node, prefix = stack.pop()
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        name = f"{prefix}{child.name}"
                        if not isinstance(child, ast.ClassDef):
                            yield module, name, child
                        stack.append((child, f"{name}."))
                    else:
                        stack.append((child, prefix))


def _own_calls(function):
    """The calls in ``function`` outside the functions nested in it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _writes():
    """``{(module, function, receiver.method): function node}`` of the writes that bypass
    the model signals; the audited ones (``audit.bulk_create``) are left out."""
    found = {}
    for module, name, function in _functions():
        for call in _own_calls(function):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in WRITES:
                receiver = _receiver(func.value)
                if receiver != "audit":
                    found[(module, name, f"{receiver}.{func.attr}")] = function
    return found


def test_every_write_that_bypasses_the_model_signals_is_known():
    found = _writes()
    new = sorted(set(found) - set(KNOWN))
    assert not new, (
        "These writes bypass the audit trail: write through audit.bulk_create / "
        "audit.bulk_update, or record a QuerySet.update() with audit.log_update, and list "
        f"them in KNOWN: {new}"
    )
    gone = sorted(set(KNOWN) - set(found))
    assert not gone, f"No longer in the code; remove them from KNOWN: {gone}"


def test_every_known_write_on_an_audited_model_is_recorded_and_tested():
    audited_names = {apps.get_model(label).__name__ for label in audit.AUDITED}
    path_names = {p.name for p in PATHS}
    for (module, name, call), function in _writes().items():
        reason = KNOWN.get((module, name, call))
        if isinstance(reason, tuple):
            logs = [
                c
                for c in _own_calls(function)
                if isinstance(c.func, ast.Attribute)
                and _receiver(c.func) == "audit"
                and c.func.attr.startswith("log_")
            ]
            assert logs, f"{module} {name}: {call} without an audit.log_… call"
            assert set(reason) <= path_names, f"{module} {name}: {set(reason) - path_names}"
        elif reason in (DICT, NOT_AUDITED):
            receiver = call.split(".")[0]
            assert receiver not in audited_names, f"{module} {name}: {call} is audited"
