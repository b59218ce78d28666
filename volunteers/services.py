"""Writes beyond a plain form save: status transitions, enrolment, attendance, completion."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.validators import future_date_error
from programs.access import INVITED_VOLUNTEER_ROLE
from programs.models import Membership

from . import rules
from .invitation_links import invitation_id
from .models import (
    Enrollment,
    Invitation,
    Training,
    TrainingAttendance,
    Volunteer,
    VolunteerStatusChange,
)
from .tasks import send_invitation

Status = Volunteer.Status


@transaction.atomic
def volunteer_create(*, volunteer: Volunteer, languages=(), usual_sites=(), by=None) -> Volunteer:
    """Save a new volunteer with the first entry of their status history."""
    if volunteer.status == Status.ACTIVE and volunteer.joined_on is None:
        volunteer.joined_on = timezone.localdate()
    if volunteer.status == Status.LEFT:
        raise ValidationError({"status": _("A new volunteer cannot start as having left.")})
    rules.check_volunteer(
        joined_on=volunteer.joined_on, employed_since=volunteer.employed_since
    ).raise_errors()
    volunteer.full_clean()
    volunteer.save()
    volunteer.languages.set(languages)
    volunteer.usual_sites.set(usual_sites)
    VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        from_status="",
        to_status=volunteer.status,
        changed_on=volunteer.joined_on or timezone.localdate(),
        changed_by=by,
    )
    return volunteer


@transaction.atomic
def volunteer_change_status(
    *, volunteer: Volunteer, to_status: str, on: dt.date, reason: str = "", by=None
) -> VolunteerStatusChange:
    """Move a volunteer to another status and record it in their history.

    Becoming active the first time sets ``joined_on``; leaving needs a reason and sets
    ``left_on`` and ``left_reason``; coming back after leaving clears them (the history keeps
    the earlier departure).
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if to_status not in Status.values:
        errors["to_status"] = _("Choose a status.")
    elif to_status == volunteer.status:
        errors["to_status"] = _("%(name)s already has the status “%(status)s”.") % {
            "name": volunteer.name,
            "status": volunteer.get_status_display(),
        }
    if error := future_date_error(on):
        errors["on"] = error
    # The entry written when the volunteer was added only says when they were recorded.
    last_change = (
        volunteer.status_changes.exclude(from_status="").order_by("-changed_on", "-id").first()
    )
    if last_change and on < last_change.changed_on and "on" not in errors:
        errors["on"] = _("The date cannot be before the last status change (%(date)s).") % {
            "date": formats.date_format(last_change.changed_on, "SHORT_DATE_FORMAT")
        }
    if to_status == Status.LEFT:
        if not reason:
            errors["reason"] = _("Please give a reason for leaving.")
        if volunteer.joined_on and on < volunteer.joined_on and "on" not in errors:
            errors["on"] = _("The leaving date cannot be before the joining date (%(date)s).") % {
                "date": formats.date_format(volunteer.joined_on, "SHORT_DATE_FORMAT")
            }
    if errors:
        raise ValidationError(errors)

    from_status = volunteer.status
    volunteer.status = to_status
    if to_status == Status.ACTIVE and volunteer.joined_on is None:
        volunteer.joined_on = on
    if to_status == Status.LEFT:
        volunteer.left_on = on
        volunteer.left_reason = reason[:200]
    elif from_status == Status.LEFT:
        volunteer.left_on = None
        volunteer.left_reason = ""
    volunteer.full_clean()
    volunteer.save()
    change = VolunteerStatusChange(
        volunteer=volunteer,
        from_status=from_status,
        to_status=to_status,
        changed_on=on,
        reason=reason[:200],
        changed_by=by,
    )
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def training_enrol(
    *, training: Training, volunteers: Iterable[Volunteer], on: dt.date
) -> list[Enrollment]:
    """Enrol volunteers of the training's program; those already enrolled are left as they are."""
    volunteers = list(volunteers)
    if any(v.program_id != training.program_id for v in volunteers):
        raise ValidationError(_("Only volunteers of this program can be enrolled."))
    already = set(
        training.enrollments.filter(volunteer__in=volunteers).values_list("volunteer_id", flat=True)
    )
    new = [
        Enrollment(training=training, volunteer=v, enrolled_on=on)
        for v in volunteers
        if v.pk not in already
    ]
    for enrollment in new:
        enrollment.full_clean(exclude=["training", "volunteer"], validate_unique=False)
    return Enrollment.objects.bulk_create(new)


@transaction.atomic
def training_attendance_save(*, training: Training, marks: set[tuple[int, int]]) -> tuple[int, int]:
    """Make the training's attendance equal ``marks``, a set of (session id, volunteer id).

    Only the difference is written, in two bulk statements. Marks outside the grid (a session
    of another training, a volunteer not enrolled) are refused. Returns (added, removed).
    """
    session_ids = set(training.sessions.values_list("pk", flat=True))
    volunteer_ids = set(training.enrollments.values_list("volunteer_id", flat=True))
    outside = {(s, v) for s, v in marks if s not in session_ids or v not in volunteer_ids}
    if outside:
        raise ValidationError(_("Some marks are not sessions and volunteers of this training."))
    existing = set(
        TrainingAttendance.objects.filter(
            session__training=training, volunteer_id__in=volunteer_ids
        ).values_list("session_id", "volunteer_id")
    )
    to_add = marks - existing
    to_remove = existing - marks
    if to_add:
        TrainingAttendance.objects.bulk_create(
            [TrainingAttendance(session_id=s, volunteer_id=v) for s, v in sorted(to_add)],
            ignore_conflicts=True,
        )
    if to_remove:
        by_session: dict[int, list[int]] = {}
        for s, v in to_remove:
            by_session.setdefault(s, []).append(v)
        TrainingAttendance.objects.filter(
            reduce(or_, (Q(session_id=s, volunteer_id__in=vs) for s, vs in by_session.items()))
        ).delete()
    return len(to_add), len(to_remove)


@transaction.atomic
def training_session_mark_present(*, session, volunteer_ids: Iterable[int]) -> int:
    """Mark the given enrolled volunteers present at one session of a training (those already
    marked stay so); returns how many marks were added. Volunteers not enrolled in the
    training are refused."""
    enrolled = set(session.training.enrollments.values_list("volunteer_id", flat=True))
    wanted = set(volunteer_ids)
    if wanted - enrolled:
        raise ValidationError(_("Some volunteers are not enrolled in this training."))
    present = set(session.attendances.values_list("volunteer_id", flat=True))
    new = sorted(wanted - present)
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(session=session, volunteer_id=v) for v in new], ignore_conflicts=True
    )
    return len(new)


@transaction.atomic
def enrollment_set_outcome(
    *,
    enrollment: Enrollment,
    status: str,
    completed_on: dt.date | None = None,
    practice_hours: Decimal | None = None,
) -> Enrollment:
    """Mark an enrolment completed (on a date), dropped out, or back to enrolled."""
    errors: dict[str, object] = {}
    if status not in Enrollment.Status.values:
        errors["status"] = _("Choose an outcome.")
    if status == Enrollment.Status.COMPLETED and completed_on is None:
        errors["completed_on"] = _("Please give the date the training was completed.")
    findings = rules.check_enrollment(
        enrolled_on=enrollment.enrolled_on,
        completed_on=completed_on if status == Enrollment.Status.COMPLETED else None,
        practice_hours=practice_hours,
    )
    for field, messages in findings.errors.items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    enrollment.status = status
    enrollment.completed_on = completed_on if status == Enrollment.Status.COMPLETED else None
    if practice_hours is not None:
        enrollment.practice_hours = practice_hours
    enrollment.full_clean()
    enrollment.save()
    return enrollment


# ---- invitations -----------------------------------------------------------------------------


class InvitationError(Exception):
    """Why an invitation link does not work; ``str()`` is the message for the person and
    ``status`` the HTTP status of the page that says so."""

    def __init__(self, message, status: int = 410):
        super().__init__(message)
        self.status = status


@transaction.atomic
def invitation_send(*, volunteer: Volunteer, email: str, by) -> Invitation:
    """Invite a volunteer by e-mail; the link lets them set a password and join."""
    if volunteer.user_id is not None:
        raise ValidationError(_("This volunteer can already log in."))
    invitation = Invitation.objects.create(
        program=volunteer.program, volunteer=volunteer, email=email, created_by=by
    )
    transaction.on_commit(lambda: send_invitation.enqueue(invitation.pk))
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link stands for, or :class:`InvitationError` saying why not."""
    try:
        pk = invitation_id(token)
    except signing.SignatureExpired as error:
        raise InvitationError(
            _("This invitation has expired. Please ask your coordinator to send you a new one.")
        ) from error
    except signing.BadSignature as error:
        raise InvitationError(
            _("This link is not valid. Please copy the whole link from the e-mail."), status=400
        ) from error
    invitation = Invitation.objects.select_related("program", "volunteer").filter(pk=pk).first()
    if invitation is None:
        raise InvitationError(_("This invitation was withdrawn. Please ask your coordinator."))
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("This invitation has already been used. Log in with your e-mail address.")
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, password: str = "") -> Invitation:
    """Accept: with a new account (``password``) or an existing one (``user``). Makes the
    account a volunteer member of the program and links it to the volunteer."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."))
    if user is None:
        user = get_user_model().objects.create_user(
            username=invitation.email, email=invitation.email, password=password
        )
    Membership.objects.get_or_create(
        user=user, program=invitation.program, defaults={"role": INVITED_VOLUNTEER_ROLE}
    )
    volunteer = invitation.volunteer
    if volunteer.user_id is None:
        volunteer.user = user
        volunteer.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return invitation
