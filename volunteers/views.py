from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.lists import Column
from programs import lockout
from programs.access import Perm, program_view
from programs.audit import log_access
from programs.lists import BulkAction, ProgramListView
from programs.models import SecurityEvent
from programs.security import export_record, security_event_record

from . import policies, selectors, services
from .filters import OverdueFilter, SupervisionFilter, TrainingFilter, VolunteerFilter
from .forms import (
    BulkStatusForm,
    EnrolForm,
    EnrollmentOutcomeForm,
    InvitationForm,
    SupervisionForm,
    TrainingForm,
    TrainingSessionForm,
    VolunteerForm,
    VolunteerStatusForm,
    user_label,
)
from .models import Enrollment, SupervisionSession, Training, Volunteer
from .pdf import certificate_pdf

# ---- volunteers ------------------------------------------------------------------------------


def _skipped(text: str, skipped: list[str]) -> str:
    if not skipped:
        return text
    return f"{text} " + _("Not changed: %(names)s.") % {"names": "; ".join(skipped)}


def _bulk_status(view, rows, form) -> str:
    """Each ticked volunteer moves to the new status through the one status service (with
    its rules and history); those it refuses are named in the message."""
    data = form.cleaned_data
    changed, skipped = 0, []
    for volunteer in rows:
        try:
            services.volunteer_change_status(
                volunteer=volunteer,
                to_status=data["to_status"],
                on=data["on"],
                reason=data["reason"],
                by=view.request.user,
            )
        except ValidationError as error:
            skipped.append(f"{volunteer.name} ({' '.join(error.messages)})")
        else:
            changed += 1
    status = Volunteer.Status(data["to_status"]).label
    text = ngettext(
        "%(count)s volunteer is now “%(status)s”.",
        "%(count)s volunteers are now “%(status)s”.",
        changed,
    ) % {"count": changed, "status": status}
    return _skipped(text, skipped)


def _bulk_invite(view, rows, form) -> str:
    """An invitation to each ticked volunteer who has an e-mail address and no account yet."""
    request = view.request
    sent, skipped = 0, []
    for volunteer in rows:
        if not volunteer.email:
            skipped.append(f"{volunteer.name} ({_('no e-mail address')})")
            continue
        try:
            services.invitation_send(volunteer=volunteer, email=volunteer.email, by=request.user)
        except ValidationError as error:
            skipped.append(f"{volunteer.name} ({' '.join(error.messages)})")
            continue
        security_event_record(
            kind=SecurityEvent.Kind.INVITATION,
            request=request,
            detail={"volunteer": volunteer.pk, "email": volunteer.email, "step": "sent"},
        )
        sent += 1
    text = ngettext("%(count)s invitation was sent.", "%(count)s invitations were sent.", sent) % {
        "count": sent
    }
    return _skipped(text, skipped)


class VolunteerListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = VolunteerFilter
    template_name = "volunteers/volunteer_list.html"
    title = gettext_lazy("Volunteers")
    export_basename = gettext_lazy("volunteers")
    bulk_actions = (
        BulkAction(
            name="status",
            label=gettext_lazy("Change the status"),
            question=gettext_lazy("Change the status of these %(count)s volunteers?"),
            run=_bulk_status,
            perm=Perm.MANAGE_PROGRAM,
            allowed=lambda membership, volunteer: policies.can_open_volunteers(membership),
            form=BulkStatusForm,
        ),
        BulkAction(
            name="invite",
            label=gettext_lazy("Send an invitation"),
            question=gettext_lazy(
                "Send an invitation to log in to these %(count)s volunteers? Each gets an "
                "e-mail with a link to set a password."
            ),
            run=_bulk_invite,
            perm=Perm.MANAGE_PROGRAM,
            # Those who can already log in need no invitation.
            allowed=lambda membership, volunteer: (
                policies.can_open_volunteers(membership) and volunteer.user_id is None
            ),
        ),
    )

    def bulk_label(self, volunteer) -> str:
        return f"{volunteer.code} · {volunteer.name}"

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(gettext_lazy("Code"), lambda v: v.code, order_by="code"),
            Column(
                gettext_lazy("Name"),
                lambda v: v.name,
                order_by="name",
                link=lambda v: reverse("volunteer_detail", args=[slug, v.pk]),
            ),
            Column(gettext_lazy("Status"), lambda v: v.get_status_display(), order_by="status"),
            Column(gettext_lazy("Languages"), lambda v: [str(x) for x in v.language_list]),
            Column(gettext_lazy("Usual sites"), lambda v: [str(s) for s in v.usual_site_list]),
            Column(gettext_lazy("Joined on"), lambda v: v.joined_on, order_by="joined_on"),
            Column(gettext_lazy("Employed by"), lambda v: v.employed_by),
            Column(
                gettext_lazy("Activities"),
                lambda v: v.activity_count,
                order_by="activities",
                numeric=True,
            ),
        )

    def get_queryset(self):
        return selectors.volunteers_for_list(self.program)


def _volunteer(request, pk) -> Volunteer:
    return get_object_or_404(request.program.volunteers.select_related("employed_by"), pk=pk)


@program_view(Perm.MANAGE_PROGRAM)
def volunteer_create(request, program_slug):
    program = request.program
    form = VolunteerForm(
        request.POST or None,
        program=program,
        initial={"code": selectors.next_volunteer_code(program)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_create(
                volunteer=form.save(commit=False),
                languages=form.cleaned_data["languages"],
                usual_sites=form.cleaned_data["usual_sites"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": volunteer.name})
            return redirect("volunteer_detail", program.slug, volunteer.pk)
    return render(
        request,
        "volunteers/volunteer_form.html",
        {"program": program, "form": form, "title": _("New volunteer")},
    )


@program_view(Perm.MANAGE_PROGRAM)
def volunteer_edit(request, program_slug, pk):
    program = request.program
    volunteer = _volunteer(request, pk)
    form = VolunteerForm(request.POST or None, instance=volunteer, program=program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("volunteer_detail", program.slug, volunteer.pk)
    return render(
        request,
        "volunteers/volunteer_form.html",
        {
            "program": program,
            "form": form,
            "volunteer": volunteer,
            "title": _("Edit %(name)s") % {"name": volunteer.name},
        },
    )


@program_view(Perm.MANAGE_PROGRAM)
def volunteer_detail(request, program_slug, pk):
    volunteer = get_object_or_404(
        request.program.volunteers.select_related("employed_by", "user").prefetch_related(
            "languages", "usual_sites"
        ),
        pk=pk,
    )
    profile = selectors.volunteer_profile(volunteer, timezone.localdate())
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "program": request.program,
            "volunteer": volunteer,
            "profile": profile,
            "invitation": volunteer.invitations.first(),
            "invite_form": None
            if volunteer.user_id
            else InvitationForm(initial={"email": volunteer.email}),
            "sign_in_locked": volunteer.user_id and lockout.locked_out(volunteer.user.username),
        },
    )


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def volunteer_invite(request, program_slug, pk):
    """E-mail the volunteer a link to set a password and log in."""
    volunteer = _volunteer(request, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
        return redirect("volunteer_detail", request.program.slug, volunteer.pk)
    email = form.cleaned_data["email"]
    try:
        services.invitation_send(volunteer=volunteer, email=email, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        security_event_record(
            kind=SecurityEvent.Kind.INVITATION,
            request=request,
            detail={"volunteer": volunteer.pk, "email": email, "step": "sent"},
        )
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": email})
    return redirect("volunteer_detail", request.program.slug, volunteer.pk)


def invitation_accept(request, token):
    """The link of an invitation e-mail: set a password (or use one's account) and join."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        return _invitation_refused(request, error)
    User = get_user_model()
    existing = User.objects.filter(
        Q(username__iexact=invitation.email) | Q(email__iexact=invitation.email)
    ).first()
    context = {"invitation": invitation, "program": None, "invited_program": invitation.program}
    if existing is not None:
        if request.user != existing:
            context["login_url"] = redirect_to_login(request.get_full_path()).url
            return render(request, "volunteers/invitation_accept.html", context)
        if request.method == "POST":
            return _accepted(request, invitation, user=existing)
        return render(request, "volunteers/invitation_accept.html", context)
    form = SetPasswordForm(
        User(username=invitation.email, email=invitation.email), request.POST or None
    )
    if request.method == "POST" and form.is_valid():
        return _accepted(request, invitation, password=form.cleaned_data["new_password1"])
    context["form"] = form
    return render(request, "volunteers/invitation_accept.html", context)


def _invitation_refused(request, error):
    return render(
        request,
        "volunteers/invitation_invalid.html",
        {"message": str(error)},
        status=error.status,
    )


def _accepted(request, invitation, **account):
    try:
        invitation = services.invitation_accept(invitation=invitation, **account)
    except services.InvitationError as error:
        return _invitation_refused(request, error)
    if not request.user.is_authenticated:
        auth_login(request, invitation.user, backend="programs.two_factor.UserBackend")
    security_event_record(
        kind=SecurityEvent.Kind.INVITATION,
        request=request,
        user=invitation.user,
        program=invitation.program,
        detail={"volunteer": invitation.volunteer_id, "step": "accepted"},
    )
    messages.success(request, _("Welcome to %(program)s.") % {"program": invitation.program.name})
    return redirect("program_home", invitation.program.slug)


@program_view(Perm.MANAGE_PROGRAM)
def volunteer_status(request, program_slug, pk):
    program = request.program
    volunteer = _volunteer(request, pk)
    form = VolunteerStatusForm(request.POST or None, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.volunteer_change_status(
                volunteer=volunteer,
                to_status=data["to_status"],
                on=data["on"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is now “%(status)s”.")
                % {"name": volunteer.name, "status": change.get_to_status_display()},
            )
            return redirect("volunteer_detail", program.slug, volunteer.pk)
    return render(
        request,
        "volunteers/volunteer_status.html",
        {"program": program, "volunteer": volunteer, "form": form},
    )


# ---- trainings -------------------------------------------------------------------------------


class TrainingListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = TrainingFilter
    template_name = "volunteers/training_list.html"
    title = gettext_lazy("Trainings")
    export_basename = gettext_lazy("trainings")

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Title"),
                lambda t: t.title,
                order_by="title",
                link=lambda t: reverse("training_detail", args=[slug, t.pk]),
            ),
            Column(gettext_lazy("Kind"), lambda t: t.get_kind_display(), order_by="kind"),
            Column(gettext_lazy("Starts on"), lambda t: t.starts_on, order_by="starts_on"),
            Column(gettext_lazy("Ends on"), lambda t: t.ends_on, order_by="ends_on"),
            Column(
                gettext_lazy("Planned hours"),
                lambda t: t.planned_hours,
                order_by="planned_hours",
                numeric=True,
            ),
            Column(
                gettext_lazy("Sessions"),
                lambda t: t.session_count,
                order_by="sessions",
                numeric=True,
            ),
            Column(
                gettext_lazy("Session hours"),
                lambda t: selectors.hours(t.session_minutes),
                numeric=True,
            ),
            Column(
                gettext_lazy("Enrolled"),
                lambda t: t.enrolled_count,
                order_by="enrolled",
                numeric=True,
            ),
            Column(
                gettext_lazy("Completed"),
                lambda t: t.completed_count,
                order_by="completed",
                numeric=True,
            ),
        )

    def get_queryset(self):
        return selectors.trainings_for_list(self.program)


def _training(request, pk) -> Training:
    return get_object_or_404(request.program.trainings, pk=pk)


@program_view(Perm.MANAGE_PROGRAM)
def training_create(request, program_slug):
    program = request.program
    form = TrainingForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        training = form.save()
        messages.success(request, _("The training was created. Now add its sessions."))
        return redirect("training_detail", program.slug, training.pk)
    return render(
        request,
        "volunteers/training_form.html",
        {"program": program, "form": form, "title": _("New training")},
    )


@program_view(Perm.MANAGE_PROGRAM)
def training_edit(request, program_slug, pk):
    program = request.program
    training = _training(request, pk)
    form = TrainingForm(request.POST or None, instance=training, program=program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("training_detail", program.slug, training.pk)
    return render(
        request,
        "volunteers/training_form.html",
        {"program": program, "form": form, "training": training, "title": _("Edit training")},
    )


def _render_training_detail(request, training, *, session_form=None, enrol_form=None, status=200):
    enrollments = selectors.with_hours(
        selectors.enrollments_with_attendance(
            training.enrollments.select_related("volunteer")
        ).order_by("volunteer__name", "pk")
    )
    sessions = training.sessions.order_by("date", "pk")
    return render(
        request,
        "volunteers/training_detail.html",
        {
            "program": request.program,
            "training": training,
            "sessions": sessions,
            "enrollments": enrollments,
            "session_form": session_form or TrainingSessionForm(training=training),
            "enrol_form": enrol_form or EnrolForm(training=training),
        },
        status=status,
    )


@program_view(Perm.MANAGE_PROGRAM)
def training_detail(request, program_slug, pk):
    return _render_training_detail(request, _training(request, pk))


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def training_session_add(request, program_slug, pk):
    training = _training(request, pk)
    form = TrainingSessionForm(request.POST, training=training)
    if not form.is_valid():
        return _render_training_detail(request, training, session_form=form, status=422)
    session = form.save()
    messages.success(
        request,
        _("The session on %(date)s was added.")
        % {"date": formats.date_format(session.date, "SHORT_DATE_FORMAT")},
    )
    return redirect("training_detail", request.program.slug, training.pk)


@program_view(Perm.MANAGE_PROGRAM)
def training_session_edit(request, program_slug, pk, session_pk):
    training = _training(request, pk)
    session = get_object_or_404(training.sessions, pk=session_pk)
    if request.method == "POST" and "delete" in request.POST:
        session.delete()
        messages.success(request, _("The session and its attendance were deleted."))
        return redirect("training_detail", request.program.slug, training.pk)
    form = TrainingSessionForm(request.POST or None, instance=session, training=training)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("training_detail", request.program.slug, training.pk)
    return render(
        request,
        "volunteers/training_session_form.html",
        {
            "program": request.program,
            "training": training,
            "session": session,
            "form": form,
            "attendance_count": session.attendances.count(),
        },
    )


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def training_enrol(request, program_slug, pk):
    training = _training(request, pk)
    form = EnrolForm(request.POST, training=training)
    if not form.is_valid():
        return _render_training_detail(request, training, enrol_form=form, status=422)
    enrolled = services.training_enrol(
        training=training,
        volunteers=form.cleaned_data["volunteers"],
        on=form.cleaned_data["enrolled_on"],
    )
    messages.success(
        request,
        ngettext("%(count)d volunteer enrolled.", "%(count)d volunteers enrolled.", len(enrolled))
        % {"count": len(enrolled)},
    )
    return redirect("training_detail", request.program.slug, training.pk)


def _parse_marks(values) -> set[tuple[int, int]] | None:
    marks = set()
    for value in values:
        session_id, _sep, volunteer_id = value.partition("-")
        if not (session_id.isdigit() and volunteer_id.isdigit()):
            return None
        marks.add((int(session_id), int(volunteer_id)))
    return marks


@program_view(Perm.MANAGE_PROGRAM)
def training_attendance(request, program_slug, pk):
    """All enrolled volunteers × all sessions, saved in one POST (htmx posts on every tick)."""
    training = _training(request, pk)
    result = None
    if request.method == "POST":
        marks = _parse_marks(request.POST.getlist("mark"))
        if marks is None:
            return HttpResponseBadRequest(_("The attendance form was not understood."))
        try:
            added, removed = services.training_attendance_save(training=training, marks=marks)
        except ValidationError:
            result = {
                "ok": False,
                "text": _(
                    "The attendance could not be saved: the enrolments changed meanwhile. "
                    "Please reload the page."
                ),
            }
        else:
            result = {"ok": True, "text": _("Attendance saved.")}
        if not request.htmx:
            if result["ok"]:
                messages.success(
                    request,
                    _("Attendance saved: %(added)s added, %(removed)s removed.")
                    % {
                        "added": ngettext("%d mark", "%d marks", added) % added,
                        "removed": ngettext("%d mark", "%d marks", removed) % removed,
                    },
                )
            else:
                messages.error(request, result["text"])
            return redirect("training_attendance", request.program.slug, training.pk)
    grid = selectors.attendance_grid(training)
    context = {"program": request.program, "training": training, "grid": grid, "result": result}
    if request.htmx and request.method == "POST":
        context["saved_at"] = timezone.localtime()
        return render(request, "volunteers/_attendance_update.html", context)
    return render(request, "volunteers/training_attendance.html", context)


@program_view(Perm.MANAGE_PROGRAM)
def training_session_all_present(request, program_slug, pk, session_pk):
    """Mark everyone enrolled (or those ticked) present at one session, after a confirmation."""
    training = _training(request, pk)
    session = get_object_or_404(training.sessions, pk=session_pk)
    enrollments = list(
        training.enrollments.exclude(status=Enrollment.Status.DROPPED)
        .select_related("volunteer")
        .order_by("volunteer__name", "pk")
    )
    present = set(session.attendances.values_list("volunteer_id", flat=True))
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("selected") if v.isdigit()}
        if not chosen:
            messages.error(request, _("Select at least one volunteer first."))
        else:
            try:
                added = services.training_session_mark_present(
                    session=session, volunteer_ids=chosen
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s more volunteer was marked present on %(date)s.",
                        "%(count)s more volunteers were marked present on %(date)s.",
                        added,
                    )
                    % {
                        "count": added,
                        "date": formats.date_format(session.date, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect("training_attendance", request.program.slug, training.pk)
    return render(
        request,
        "volunteers/training_all_present.html",
        {
            "program": request.program,
            "training": training,
            "session": session,
            "enrollments": enrollments,
            "present": present,
        },
    )


@program_view(Perm.MANAGE_PROGRAM)
def enrollment_complete(request, program_slug, pk, enrollment_pk):
    """Record how an enrolment ended: completed on a date, dropped out, or back to enrolled."""
    training = _training(request, pk)
    enrollment = get_object_or_404(
        selectors.enrollments_with_attendance(training.enrollments.select_related("volunteer")),
        pk=enrollment_pk,
    )
    form = EnrollmentOutcomeForm(request.POST or None, enrollment=enrollment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrollment_set_outcome(
                enrollment=enrollment,
                status=data["status"],
                completed_on=data["completed_on"],
                practice_hours=data["practice_hours"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": enrollment.volunteer.name, "status": enrollment.get_status_display()},
            )
            return redirect("training_detail", request.program.slug, training.pk)
    return render(
        request,
        "volunteers/enrollment_form.html",
        {
            "program": request.program,
            "training": training,
            "enrollment": enrollment,
            "form": form,
            "attended_hours": selectors.hours(enrollment.attended_minutes),
        },
    )


@program_view(Perm.VIEW_HOME)
def training_certificate(request, program_slug, pk, enrollment_pk):
    """A completed enrolment's certificate: coordinators any, a volunteer only their own;
    other roles are refused by role (403), a volunteer asking for another's gets 404."""
    if not policies.can_ask_for_certificates(request.membership):
        security_event_record(
            kind=SecurityEvent.Kind.ACCESS_DENIED,
            request=request,
            detail={"status": 403, "what": "training_certificate", "role": request.membership.role},
        )
        raise PermissionDenied(_("Your role in this program does not allow this."))
    enrollment = get_object_or_404(
        Enrollment.objects.filter(
            training__program=request.program,
            training_id=pk,
            status=Enrollment.Status.COMPLETED,
        )
        .select_related("volunteer", "training__program__lead_organisation")
        .annotate(attended_minutes=selectors.attended_training_minutes()),
        pk=enrollment_pk,
    )
    if not policies.can_see_certificate(request.membership, enrollment):
        raise Http404
    pdf = certificate_pdf(enrollment, attended_minutes=enrollment.attended_minutes)
    export_record(
        request=request,
        what="training_certificate",
        fmt="pdf",
        filters={"training": enrollment.training_id, "enrollment": enrollment.pk},
    )
    filename = slugify(f"{enrollment.volunteer.name} {enrollment.training.title}") or "certificate"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---- supervision -----------------------------------------------------------------------------


def supervisor_display(session: SupervisionSession) -> str:
    if session.supervisor_id:
        return user_label(session.supervisor)
    return session.supervisor_name


class SupervisionListView(ProgramListView):
    permission = Perm.MANAGE_SUPERVISION
    filterset_class = SupervisionFilter
    template_name = "volunteers/supervision_list.html"
    title = gettext_lazy("Supervision")
    export_basename = gettext_lazy("supervision")

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Date"),
                lambda s: s.date,
                order_by="date",
                link=lambda s: reverse("supervision_detail", args=[slug, s.pk]),
            ),
            Column(gettext_lazy("Kind"), lambda s: s.get_kind_display(), order_by="kind"),
            Column(gettext_lazy("Minutes"), lambda s: s.minutes, order_by="minutes", numeric=True),
            Column(gettext_lazy("Supervisor"), supervisor_display),
            Column(
                gettext_lazy("Attendees"),
                lambda s: s.attendee_count,
                order_by="attendees",
                numeric=True,
            ),
            Column(gettext_lazy("Topics"), lambda s: s.topics),
        )

    def get_queryset(self):
        return selectors.supervision_sessions_for_list(self.program)


def _supervision(request, pk) -> SupervisionSession:
    return get_object_or_404(
        request.program.supervision_sessions.select_related("supervisor"), pk=pk
    )


@program_view(Perm.MANAGE_SUPERVISION)
def supervision_create(request, program_slug):
    program = request.program
    initial = {}
    if policies.records_own_supervision(request.membership):
        initial["supervisor"] = request.user.pk
    form = SupervisionForm(request.POST or None, program=program, initial=initial)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, _("The supervision session was logged."))
        return redirect("supervision_detail", program.slug, session.pk)
    return render(
        request,
        "volunteers/supervision_form.html",
        {"program": program, "form": form, "title": _("Log a supervision session")},
    )


@program_view(Perm.MANAGE_SUPERVISION)
def supervision_edit(request, program_slug, pk):
    program = request.program
    session = _supervision(request, pk)
    form = SupervisionForm(request.POST or None, instance=session, program=program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("supervision_detail", program.slug, session.pk)
    if session.confidential_notes:
        log_access(session)  # the form shows the notes
    return render(
        request,
        "volunteers/supervision_form.html",
        {
            "program": program,
            "form": form,
            "session": session,
            "title": _("Edit supervision session"),
        },
    )


@program_view(Perm.MANAGE_SUPERVISION)
def supervision_detail(request, program_slug, pk):
    """One session, with its confidential notes: only coordinators and supervisors get here."""
    session = _supervision(request, pk)
    if session.confidential_notes:
        log_access(session)
    return render(
        request,
        "volunteers/supervision_detail.html",
        {
            "program": request.program,
            "session": session,
            "supervisor": supervisor_display(session),
            "attendees": session.attendees.order_by("name"),
            "can_open_volunteers": policies.can_open_volunteers(request.membership),
        },
    )


class SupervisionOverdueView(ProgramListView):
    """Active volunteers without supervision within the program's interval."""

    permission = Perm.MANAGE_SUPERVISION
    filterset_class = OverdueFilter
    template_name = "volunteers/supervision_overdue.html"
    title = gettext_lazy("Supervision overdue")
    export_basename = gettext_lazy("supervision-overdue")

    def get_columns(self):
        slug = self.program.slug
        today = timezone.localdate()
        link = None
        if policies.can_open_volunteers(self.membership):

            def link(v):
                return reverse("volunteer_detail", args=[slug, v.pk])

        return (
            Column(gettext_lazy("Code"), lambda v: v.code, order_by="code"),
            Column(gettext_lazy("Name"), lambda v: v.name, order_by="name", link=link),
            Column(gettext_lazy("Usual sites"), lambda v: [str(s) for s in v.usual_sites.all()]),
            Column(gettext_lazy("Joined on"), lambda v: v.joined_on, order_by="joined_on"),
            Column(
                gettext_lazy("Last supervision"),
                lambda v: v.last_supervision or _("never"),
                order_by="last_supervision",
            ),
            Column(
                gettext_lazy("Days since"),
                lambda v: (today - v.last_supervision).days if v.last_supervision else None,
                numeric=True,
            ),
        )

    def get_queryset(self):
        return selectors.supervision_overdue(self.program, timezone.localdate()).order_by(
            F("last_supervision").asc(nulls_first=True), "name"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = self.program.supervision_interval_days
        context["title"] = ngettext(
            "No supervision for more than %(days)d day",
            "No supervision for more than %(days)d days",
            days,
        ) % {"days": days}
        return context


# ---- a volunteer's own trainings and supervision ---------------------------------------------


@program_view(Perm.VIEW_OWN_WORK)
def my_training(request, program_slug):
    own = selectors.own_training(request.program, request.user, timezone.localdate())
    return render(
        request,
        "volunteers/my_training.html",
        {"program": request.program, "own": own},
    )
