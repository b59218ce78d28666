"""Pages of the daily work: log a session, my sessions, activities, participants, concerns,
matches and self-help groups. Views resolve scope, call a form, service or selector, render.
"""

import uuid
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core import charts
from core.dates import months_later
from core.lists import Column
from programs.access import Perm, has_perm, program_view
from programs.audit import log_access
from programs.lists import ProgramListView, participant_code_column
from programs.models import ActivityKind, Participant
from programs.selectors import exportable

from . import selectors, services
from .filters import (
    ActivityFilter,
    ConcernFilter,
    MatchFilter,
    MySessionsFilter,
    OutcomeDueFilter,
    ParticipantFilter,
    SelfHelpGroupFilter,
)
from .forms import (
    ActivityForm,
    ConcernAcknowledgeForm,
    MatchActivateForm,
    MatchCheckForm,
    MatchEndForm,
    MatchForm,
    OutcomeMeasureForm,
    ParticipantQuickForm,
    SelfHelpFollowUpForm,
    SelfHelpGroupForm,
    SelfHelpStatusForm,
    initial_from_data,
    participant_label,
)
from .instruments import INSTRUMENTS
from .models import Concern, Match, OutcomeMeasure, SelfHelpGroup

NEW_PARTICIPANTS_SESSION_KEY = "sessions_log_new_participants"


# --- who is asking ------------------------------------------------------------------------


def _coordinates(request) -> bool:
    """Coordinators log for anyone, see every participant and edit without a time limit."""
    return has_perm(request.membership, Perm.MANAGE_PROGRAM)


def _sees_all_participants(request) -> bool:
    return has_perm(request.membership, Perm.VIEW_PARTICIPANTS)


def _remember_new_participant(request, participant) -> None:
    """A volunteer may pick the people they just added, before a session links them."""
    store = request.session.get(NEW_PARTICIPANTS_SESSION_KEY, {})
    key = str(participant.program_id)
    store[key] = [*store.get(key, []), participant.pk][-50:]
    request.session[NEW_PARTICIPANTS_SESSION_KEY] = store


def _new_participant_ids(request) -> list[int]:
    store = request.session.get(NEW_PARTICIPANTS_SESSION_KEY, {})
    return store.get(str(request.program.pk), [])


def _visible_participants(request, volunteer):
    return selectors.visible_participants(
        request.program,
        sees_all=_sees_all_participants(request),
        volunteer=volunteer,
        extra_ids=_new_participant_ids(request),
    )


def _activity_form_kwargs(request, volunteer, **extra) -> dict:
    return {
        "program": request.program,
        "volunteer": volunteer,
        "sees_all": _coordinates(request),
        "with_alias": has_perm(request.membership, Perm.VIEW_PARTICIPANT_ALIAS),
        "extra_participant_ids": _new_participant_ids(request),
        **extra,
    }


def _site_from(request, value):
    if value and str(value).isdigit():
        return request.program.sites.filter(pk=value).first()
    return None


def _add_participant(request, bound_form, volunteer, form_extra):
    """Quick-create a participant from the log form's fields, keeping everything typed.

    Returns ``(activity form, quick form, new participant or None)``: the activity form is
    unbound, filled with what was typed, and has the new participant ticked.
    """
    quick = ParticipantQuickForm(request.POST, volunteer=volunteer)
    initial = initial_from_data(bound_form)
    participant = None
    if quick.is_valid():
        participant = services.participant_quick_create(
            program=request.program,
            site=_site_from(request, request.POST.get("site")),
            **quick.participant_data(),
        )
        _remember_new_participant(request, participant)
        initial["participants"] = [*(initial.get("participants") or []), str(participant.pk)]
        quick = ParticipantQuickForm(volunteer=volunteer)
    form = ActivityForm(initial=initial, **_activity_form_kwargs(request, volunteer, **form_extra))
    return form, quick, participant


def _no_profile(request):
    return render(request, "sessions_log/no_profile.html", {"program": request.program})


# --- log a session ------------------------------------------------------------------------


@program_view(Perm.LOG_ACTIVITY)
def activity_log(request, program_slug):
    program = request.program
    coordinator = _coordinates(request)
    volunteer = selectors.volunteer_of(program, request.user)
    if volunteer is None and not coordinator:
        return _no_profile(request)
    quick = ParticipantQuickForm(volunteer=volunteer)
    added = None
    if request.method == "POST":
        existing = _already_logged(program, request.POST.get("idempotency_key"))
        if existing is not None:
            return _land_on_existing(request, existing)
        form = ActivityForm(request.POST, **_activity_form_kwargs(request, volunteer))
        if request.POST.get("_action") == "add_participant":
            form, quick, added = _add_participant(request, form, volunteer, {})
        elif form.is_valid():
            concern = form.concern_data()
            activity, created = services.activity_log(
                program=program,
                user=request.user,
                volunteer=None if coordinator else volunteer,
                idempotency_key=form.cleaned_data["idempotency_key"],
                concern=concern,
                **form.activity_data(),
            )
            if not created:
                return _land_on_existing(request, activity)
            messages.success(request, _("Your session was saved. Thank you!"))
            if concern is not None:
                messages.info(
                    request, _("Your concern was passed on to the coordinators and supervisors.")
                )
            if activity.kind in ActivityKind.individual() and has_perm(
                request.membership, Perm.PROPOSE_REFERRAL
            ):
                # Right after a one-to-one is the moment to refer someone on.
                return redirect(
                    reverse("my_sessions", args=[program.slug]) + f"?logged={activity.pk}"
                )
            return redirect("my_sessions", program.slug)
    else:
        initial = {"idempotency_key": uuid.uuid4()}
        picked = request.GET.getlist("participant")
        if picked:
            visible = _visible_participants(request, volunteer)
            initial["participants"] = [
                str(pk)
                for pk in visible.filter(pk__in=[p for p in picked if p.isdigit()]).values_list(
                    "pk", flat=True
                )
            ]
        form = ActivityForm(initial=initial, **_activity_form_kwargs(request, volunteer))
    return render(
        request,
        "sessions_log/activity_form.html",
        {
            "program": program,
            "form": form,
            "qc_form": quick,
            "added": added,
            "volunteer": volunteer,
            "title": _("Log a session"),
        },
    )


def _already_logged(program, key):
    try:
        key = uuid.UUID(str(key))
    except (TypeError, ValueError):
        return None
    return program.activities.filter(idempotency_key=key).first()


def _land_on_existing(request, activity):
    messages.info(request, _("This session was already saved."))
    mine = _coordinates(request) or (
        selectors.activities_of_user(request.program, request.user).filter(pk=activity.pk).exists()
    )
    if mine:
        return redirect("activity_edit", request.program.slug, activity.pk)
    return redirect("my_sessions", request.program.slug)


@program_view(Perm.LOG_ACTIVITY)
def activity_edit(request, program_slug, pk):
    """A volunteer changes their own session within the edit window; coordinators any time."""
    program = request.program
    coordinator = _coordinates(request)
    volunteer = selectors.volunteer_of(program, request.user)
    activities = (
        program.activities.all()
        if coordinator
        else selectors.activities_of_user(program, request.user)
    )
    activity = get_object_or_404(activities.select_related("site", "logged_by"), pk=pk)
    deadline = selectors.edit_deadline(activity, program)
    with_notes = coordinator or activity.logged_by_id == request.user.pk
    if not coordinator and timezone.localdate() > deadline:
        if request.method == "POST":
            messages.error(request, _("This session can no longer be changed."))
        return render(
            request,
            "sessions_log/activity_detail.html",
            {
                **_activity_context(activity, show_notes=with_notes),
                "program": program,
                "read_only_since": deadline,
            },
        )
    form_extra = {"with_concern": False, "with_notes": with_notes, "instance": activity}
    quick = ParticipantQuickForm(volunteer=volunteer)
    added = None
    if request.method == "POST":
        form = ActivityForm(request.POST, **_activity_form_kwargs(request, volunteer, **form_extra))
        if request.POST.get("_action") == "add_participant":
            form, quick, added = _add_participant(request, form, volunteer, form_extra)
        elif form.is_valid():
            data = form.activity_data()
            data.setdefault("notes", None)
            try:
                services.activity_update(
                    activity=activity, volunteer=None if coordinator else volunteer, **data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("my_sessions", program.slug)
    else:
        form = ActivityForm(**_activity_form_kwargs(request, volunteer, **form_extra))
    return render(
        request,
        "sessions_log/activity_form.html",
        {
            "program": program,
            "form": form,
            "qc_form": quick,
            "added": added,
            "activity": activity,
            "deadline": None if coordinator else deadline,
            "title": _("Change a session"),
        },
    )


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _activity_context(activity, *, show_notes: bool) -> dict:
    return {
        "activity": activity,
        "facilitators": activity.facilitators.all(),
        "activity_languages": activity.languages.all(),
        "topics": activity.topics.all(),
        "participants": activity.participants.all(),
        "show_notes": show_notes,
    }


class MySessionsView(ProgramListView):
    permission = Perm.LOG_ACTIVITY
    filterset_class = MySessionsFilter
    title = gettext_lazy("My sessions")
    export_basename = gettext_lazy("my sessions")
    template_name = "sessions_log/my_sessions.html"

    def get_queryset(self):
        return (
            selectors.activities_of_user(self.program, self.request.user)
            .select_related("site")
            .order_by("-date", "-id")
        )

    def get_context_data(self, **kwargs):
        logged = self.request.GET.get("logged", "")
        just_logged = (
            self.get_queryset().filter(pk=logged).prefetch_related("participants").first()
            if logged.isdigit()
            else None
        )
        return super().get_context_data(
            just_logged=just_logged, read_only_text=_("read-only"), **kwargs
        )

    def get_columns(self):
        program, today = self.program, timezone.localdate()
        coordinator = _coordinates(self.request)

        def until(activity):
            if coordinator:
                return _("any time")
            deadline = selectors.edit_deadline(activity, program)
            return deadline if deadline >= today else _("read-only")

        return (
            Column(
                gettext_lazy("Date"),
                lambda a: a.date,
                order_by="date",
                link=lambda a: reverse("activity_edit", args=[program.slug, a.pk]),
            ),
            Column(gettext_lazy("Kind"), lambda a: a.get_kind_display(), order_by="kind"),
            Column(gettext_lazy("Site"), lambda a: a.site, order_by="site"),
            Column(gettext_lazy("Attendees"), lambda a: a.attendees_total, numeric=True),
            Column(gettext_lazy("Minutes"), lambda a: a.minutes, numeric=True),
            Column(gettext_lazy("Can be changed until"), until),
        )


# --- activities (coordinators, supervisors) ----------------------------------------------


class ActivityListView(ProgramListView):
    permission = Perm.VIEW_ACTIVITIES
    filterset_class = ActivityFilter
    title = gettext_lazy("Activities")
    export_basename = gettext_lazy("activities")

    def get_queryset(self):
        return selectors.activity_list(self.program)

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Date"),
                lambda a: a.date,
                order_by="date",
                link=lambda a: reverse("activity_detail", args=[slug, a.pk]),
            ),
            Column(gettext_lazy("Kind"), lambda a: a.get_kind_display(), order_by="kind"),
            Column(gettext_lazy("Site"), lambda a: a.site, order_by="site"),
            Column(gettext_lazy("Facilitators"), lambda a: [v.name for v in a.facilitator_list]),
            Column(gettext_lazy("Languages"), lambda a: [str(x) for x in a.language_list]),
            Column(gettext_lazy("Topics"), lambda a: [str(t) for t in a.topic_list]),
            Column(
                gettext_lazy("Attendees"),
                lambda a: a.attendees_total,
                order_by="attendees",
                numeric=True,
            ),
            Column(gettext_lazy("Minutes"), lambda a: a.minutes, order_by="minutes", numeric=True),
            Column(gettext_lazy("Follow-up"), lambda a: a.follow_up_needed),
        )


@program_view(Perm.VIEW_ACTIVITIES)
def activity_detail(request, program_slug, pk):
    program = request.program
    activity = get_object_or_404(program.activities.select_related("site", "logged_by"), pk=pk)
    context = _activity_context(activity, show_notes=True)
    context.update(
        program=program,
        concerns=activity.concerns.select_related("acknowledged_by").order_by("-raised_at"),
        can_edit=has_perm(request.membership, Perm.MANAGE_PROGRAM),
        can_open_concerns=has_perm(request.membership, Perm.ACKNOWLEDGE_CONCERNS),
    )
    return render(request, "sessions_log/activity_detail.html", context)


# --- participants -----------------------------------------------------------------------


def age_band(year_of_birth: int | None, today: date) -> str:
    if year_of_birth is None:
        return ""
    age = today.year - year_of_birth
    for upper, label in ((17, "0–17"), (29, "18–29"), (44, "30–44"), (64, "45–64")):
        if age <= upper:
            return label
    return "65+"


CONSENT_SHORT = {
    Participant.ConsentScope.SUPPORT: gettext_lazy("support"),
    Participant.ConsentScope.REFERRAL: gettext_lazy("referrals"),
    Participant.ConsentScope.EVALUATION: gettext_lazy("evaluation"),
}


def _consent_text(p) -> str:
    if not p.consent_on:
        return _("none")
    return f"{p.consent_on.isoformat()} ({CONSENT_SHORT.get(p.consent_scope, p.consent_scope)})"


class ParticipantListView(ProgramListView):
    permission = Perm.VIEW_PARTICIPANTS
    filterset_class = ParticipantFilter
    title = gettext_lazy("Participants")
    export_basename = gettext_lazy("participants")
    template_name = "sessions_log/participant_list.html"

    def get_queryset(self):
        return selectors.participant_list(self.program).order_by("code")

    def get_columns(self):
        slug, today = self.program.slug, timezone.localdate()
        columns = [
            Column(
                gettext_lazy("Code"),
                lambda p: p.code,
                order_by="code",
                link=lambda p: reverse("participant_detail", args=[slug, p.pk]),
            ),
            Column(
                gettext_lazy("Year of birth"),
                lambda p: p.year_of_birth,
                order_by="year_of_birth",
                numeric=True,
            ),
            Column(gettext_lazy("Age band"), lambda p: age_band(p.year_of_birth, today)),
            Column(gettext_lazy("Gender"), lambda p: p.get_gender_display(), order_by="gender"),
            Column(gettext_lazy("Languages"), lambda p: [str(x) for x in p.languages.all()]),
            Column(
                gettext_lazy("Country of origin"),
                lambda p: p.country_of_origin.name if p.country_of_origin else "",
            ),
            Column(gettext_lazy("Site"), lambda p: p.site, order_by="site"),
            Column(gettext_lazy("Consent"), _consent_text, order_by="consent"),
        ]
        if has_perm(self.membership, Perm.VIEW_PARTICIPANT_ALIAS):
            columns.insert(1, Column(gettext_lazy("Alias"), lambda p: p.alias))
        return columns

    def export_rows(self, rows):
        """Only people whose consent covers pseudonymous evaluation exports leave Lotse."""
        return rows.filter(exportable())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_add=has_perm(self.membership, Perm.LOG_ACTIVITY), **kwargs
        )


PARTICIPANT_ACTIVITIES_PER_PAGE = 20


@program_view(Perm.VIEW_HOME)
def participant_detail(request, program_slug, pk):
    """Coordinators and supervisors open anyone; a volunteer only the people they met."""
    program = request.program
    sees_all = _sees_all_participants(request)
    # Only a volunteer's own profile limits what they see; coordinators need no lookup.
    volunteer = None if sees_all else selectors.volunteer_of(program, request.user)
    if not sees_all and not has_perm(request.membership, Perm.LOG_ACTIVITY):
        raise PermissionDenied(_("Your role in this program does not allow this."))
    participant = get_object_or_404(
        _visible_participants(request, volunteer).select_related("site"), pk=pk
    )
    log_access(participant)
    activities = participant.activities.select_related("site").order_by("-date", "-id")
    matches = participant.matches.select_related("volunteer").order_by("-proposed_on")
    if not sees_all:
        mine = selectors.activities_of_user(program, request.user).values("pk")
        activities = activities.filter(pk__in=mine)
        matches = matches.filter(volunteer=volunteer) if volunteer else matches.none()
    return render(
        request,
        "sessions_log/participant_detail.html",
        {
            "program": program,
            "participant": participant,
            "label": participant_label(
                participant, with_alias=has_perm(request.membership, Perm.VIEW_PARTICIPANT_ALIAS)
            ),
            "age_band": age_band(participant.year_of_birth, timezone.localdate()),
            "activities": Paginator(activities, PARTICIPANT_ACTIVITIES_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "referrals": participant.referrals.select_related("provider").order_by("-referred_on"),
            "matches": matches,
            "sees_all": sees_all,
            "activity_url": "activity_detail" if sees_all else "activity_edit",
            "can_log": has_perm(request.membership, Perm.LOG_ACTIVITY),
            # A volunteer sees the questionnaires they took themselves, as with sessions.
            "outcomes": outcome_history(
                participant, administered_by=None if sees_all else request.user
            ),
            "instruments": INSTRUMENTS.values(),
        },
    )


@program_view(Perm.LOG_ACTIVITY)
def participant_quick_create(request, program_slug):
    """Add a participant: an htmx fragment inside the log form, or a page of its own."""
    program = request.program
    volunteer = selectors.volunteer_of(program, request.user)
    if volunteer is None and not _coordinates(request):
        return _no_profile(request)
    if request.method == "POST" and request.htmx:
        bound = ActivityForm(request.POST, **_activity_form_kwargs(request, volunteer))
        form, quick, added = _add_participant(request, bound, volunteer, {})
        return render(
            request,
            "sessions_log/_participants_block.html",
            {"program": program, "form": form, "qc_form": quick, "added": added},
        )
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    page_form = {
        "volunteer": volunteer,
        "program": program,
        "with_details": True,
        "with_alias": has_perm(request.membership, Perm.VIEW_PARTICIPANT_ALIAS),
    }
    if request.method == "POST":
        quick = ParticipantQuickForm(request.POST, **page_form)
        if quick.is_valid():
            participant = services.participant_quick_create(
                program=program, **quick.participant_data()
            )
            _remember_new_participant(request, participant)
            messages.success(
                request,
                _("Participant %(code)s was added.") % {"code": participant.code},
            )
            if next_url:
                return redirect(next_url)
            target = reverse("activity_log", args=[program.slug])
            return redirect(f"{target}?participant={participant.pk}")
    else:
        quick = ParticipantQuickForm(**page_form)
    return render(
        request,
        "sessions_log/participant_quick_create.html",
        {"program": program, "qc_form": quick, "next": next_url},
    )


# --- concerns ---------------------------------------------------------------------------


def _concern_status(concern) -> str:
    if concern.acknowledged_at is None:
        return _("open")
    return _("acknowledged %(date)s by %(person)s") % {
        "date": timezone.localdate(concern.acknowledged_at).isoformat(),
        "person": concern.acknowledged_by,
    }


class ConcernListView(ProgramListView):
    permission = Perm.VIEW_CONCERNS
    filterset_class = ConcernFilter
    title = gettext_lazy("Concerns")
    export_basename = gettext_lazy("concerns")

    def get_queryset(self):
        return selectors.concern_inbox(self.program)

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Raised"),
                lambda c: date_format(timezone.localtime(c.raised_at), "SHORT_DATETIME_FORMAT"),
                order_by="raised_at",
                link=lambda c: reverse("concern_acknowledge", args=[slug, c.pk]),
            ),
            Column(
                gettext_lazy("Severity"), lambda c: c.get_severity_display(), order_by="severity"
            ),
            Column(
                gettext_lazy("Category"), lambda c: c.get_category_display(), order_by="category"
            ),
            Column(
                gettext_lazy("Activity"),
                lambda c: _activity_text(c.activity),
                link=lambda c: (
                    reverse("activity_detail", args=[slug, c.activity_id])
                    if c.activity_id
                    else None
                ),
            ),
            Column(gettext_lazy("Raised by"), lambda c: c.raised_by),
            Column(gettext_lazy("Status"), _concern_status),
        )


def _activity_text(activity) -> str:
    if activity is None:
        return ""
    site = f" · {activity.site}" if activity.site_id else ""
    return f"{activity.get_kind_display()} {activity.date.isoformat()}{site}"


@program_view(Perm.ACKNOWLEDGE_CONCERNS)
def concern_acknowledge(request, program_slug, pk):
    program = request.program
    concern = get_object_or_404(
        Concern.objects.filter(program=program).select_related(
            "activity__site", "raised_by", "acknowledged_by"
        ),
        pk=pk,
    )
    form = ConcernAcknowledgeForm(request.POST or None)
    if request.method == "POST":
        if concern.acknowledged_at is not None:
            messages.error(request, _("This concern was already acknowledged."))
            return redirect("concern_acknowledge", program.slug, concern.pk)
        if form.is_valid():
            try:
                services.concern_acknowledge(
                    concern=concern, by=request.user, outcome=form.cleaned_data["outcome"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("concern_acknowledge", program.slug, concern.pk)
            messages.success(request, _("The concern was acknowledged."))
            return redirect("concern_list", program.slug)
    return render(
        request,
        "sessions_log/concern_detail.html",
        {"program": program, "concern": concern, "form": form},
    )


# --- matches ----------------------------------------------------------------------------


def match_age(match, today: date) -> str:
    """How long an active match has been running, in months (or days in the first month)."""
    if match.status != Match.Status.ACTIVE or match.started_on is None:
        return ""
    start = match.started_on
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    if months >= 1:
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    days = (today - start).days
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def _six_month_check(match, today: date):
    if match.six_month_check_on:
        return match.six_month_check_on
    if (
        match.status == Match.Status.ACTIVE
        and match.started_on
        and match.started_on <= months_later(today, -6)
    ):
        return _("due")
    return ""


class MatchListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = MatchFilter
    title = gettext_lazy("Matches")
    export_basename = gettext_lazy("matches")
    template_name = "sessions_log/match_list.html"

    def get_queryset(self):
        return selectors.match_list(self.program)

    def get_columns(self):
        slug, today = self.program.slug, timezone.localdate()
        return (
            Column(
                gettext_lazy("Volunteer"),
                lambda m: m.volunteer.name,
                order_by="volunteer",
                link=lambda m: reverse("match_detail", args=[slug, m.pk]),
            ),
            participant_code_column(
                gettext_lazy("Participant"), lambda m: m.participant, order_by="participant"
            ),
            Column(gettext_lazy("Status"), lambda m: m.get_status_display(), order_by="status"),
            Column(gettext_lazy("Proposed on"), lambda m: m.proposed_on, order_by="proposed_on"),
            Column(gettext_lazy("Started on"), lambda m: m.started_on, order_by="started_on"),
            Column(gettext_lazy("Running for"), lambda m: match_age(m, today)),
            Column(gettext_lazy("6-month check"), lambda m: _six_month_check(m, today)),
            Column(gettext_lazy("Ended on"), lambda m: m.ended_on),
            Column(gettext_lazy("Reason for ending"), lambda m: m.get_end_reason_display()),
        )

    def get_context_data(self, **kwargs):
        due = selectors.six_month_checks_due(
            Match.objects.filter(program=self.program), timezone.localdate()
        ).count()
        return super().get_context_data(checks_due=due, **kwargs)


@program_view(Perm.MANAGE_PROGRAM)
def match_create(request, program_slug):
    program = request.program
    with_alias = has_perm(request.membership, Perm.VIEW_PARTICIPANT_ALIAS)
    form = MatchForm(request.POST or None, program=program, with_alias=with_alias)
    if request.method == "POST" and form.is_valid():
        try:
            match = services.match_propose(
                program=program,
                volunteer=form.cleaned_data["volunteer"],
                participant=form.cleaned_data["participant"],
                proposed_on=form.cleaned_data["proposed_on"],
                matching_notes=form.cleaned_data["matching_notes"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The match was proposed."))
            return redirect("match_detail", program.slug, match.pk)
    return render(request, "sessions_log/match_form.html", {"program": program, "form": form})


@program_view(Perm.MANAGE_PROGRAM)
def match_detail(request, program_slug, pk):
    program = request.program
    match = get_object_or_404(
        Match.objects.filter(program=program).select_related("volunteer", "participant"), pk=pk
    )
    today = timezone.localdate()
    allowed = services.MATCH_TRANSITIONS[match.status]
    return render(
        request,
        "sessions_log/match_detail.html",
        {
            "program": program,
            "match": match,
            "participant_label": participant_label(
                match.participant,
                with_alias=has_perm(request.membership, Perm.VIEW_PARTICIPANT_ALIAS),
            ),
            "age": match_age(match, today),
            "check": _six_month_check(match, today),
            "can_activate": match.status == Match.Status.PROPOSED,
            "can_pause": Match.Status.PAUSED in allowed,
            "can_resume": match.status == Match.Status.PAUSED,
            "can_end": Match.Status.ENDED in allowed,
            "can_check": match.started_on is not None and not match.six_month_check_on,
            "activate_form": MatchActivateForm(initial={"started_on": today}),
            "end_form": MatchEndForm(initial={"ended_on": today}),
            "check_form": MatchCheckForm(initial={"six_month_check_on": today}),
        },
    )


MATCH_ACTIONS = {
    "activate": (
        MatchActivateForm,
        lambda m, d: services.match_activate(match=m, started_on=d["started_on"]),
        gettext_lazy("The match is active."),
    ),
    "pause": (
        None,
        lambda m, d: services.match_pause(match=m),
        gettext_lazy("The match is paused."),
    ),
    "resume": (
        None,
        lambda m, d: services.match_resume(match=m),
        gettext_lazy("The match is active again."),
    ),
    "end": (
        MatchEndForm,
        lambda m, d: services.match_end(match=m, ended_on=d["ended_on"], reason=d["end_reason"]),
        gettext_lazy("The match has ended."),
    ),
    "check": (
        MatchCheckForm,
        lambda m, d: services.match_record_six_month_check(
            match=m, checked_on=d["six_month_check_on"]
        ),
        gettext_lazy("The six-month check was recorded."),
    ),
}


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def match_action(request, program_slug, pk, action):
    program = request.program
    if action not in MATCH_ACTIONS:
        raise Http404
    match = get_object_or_404(Match.objects.filter(program=program), pk=pk)
    form_class, run, done = MATCH_ACTIONS[action]
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("match_detail", program.slug, match.pk)
        data = form.cleaned_data
    try:
        run(match, data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("match_detail", program.slug, match.pk)


# --- self-help groups -------------------------------------------------------------------


def _follow_up_text(group) -> str:
    if group.follow_up_still_meeting == SelfHelpGroup.FollowUp.UNKNOWN:
        return ""
    return f"{group.get_follow_up_still_meeting_display()} ({group.follow_up_checked_on})"


class SelfHelpGroupListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = SelfHelpGroupFilter
    title = gettext_lazy("Self-help groups")
    export_basename = gettext_lazy("self-help groups")
    template_name = "sessions_log/selfhelp_list.html"

    def get_queryset(self):
        return selectors.selfhelp_list(self.program)

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Name"),
                lambda g: g.name,
                order_by="name",
                link=lambda g: reverse("selfhelp_detail", args=[slug, g.pk]),
            ),
            Column(gettext_lazy("Contact point"), lambda g: g.contact_point, "contact_point"),
            Column(gettext_lazy("Topic area"), lambda g: g.get_topic_area_display()),
            Column(gettext_lazy("Status"), lambda g: g.get_status_display(), order_by="status"),
            Column(gettext_lazy("Started on"), lambda g: g.started_on, order_by="started_on"),
            Column(gettext_lazy("Accompaniment ends"), lambda g: g.accompaniment_ends_on),
            Column(gettext_lazy("Volunteers"), lambda g: [v.name for v in g.volunteers.all()]),
            Column(gettext_lazy("After 12 months"), _follow_up_text),
        )

    def get_context_data(self, **kwargs):
        due = selectors.selfhelp_follow_ups_due(
            SelfHelpGroup.objects.filter(program=self.program), timezone.localdate()
        ).count()
        return super().get_context_data(follow_ups_due=due, **kwargs)


def _group(request, pk):
    return get_object_or_404(
        SelfHelpGroup.objects.filter(program=request.program).select_related("contact_point"),
        pk=pk,
    )


@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_create(request, program_slug):
    return _selfhelp_form(request, None)


@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_edit(request, program_slug, pk):
    return _selfhelp_form(request, _group(request, pk))


def _selfhelp_form(request, group):
    program = request.program
    form = SelfHelpGroupForm(request.POST or None, instance=group, program=program)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        group = form.save()
        messages.success(request, _("The self-help group was saved."))
        return redirect("selfhelp_detail", program.slug, group.pk)
    return render(
        request,
        "sessions_log/selfhelp_form.html",
        {"program": program, "form": form, "group": group},
    )


@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_detail(request, program_slug, pk):
    program = request.program
    group = _group(request, pk)
    today = timezone.localdate()
    due = selectors.selfhelp_follow_ups_due(
        SelfHelpGroup.objects.filter(pk=group.pk), today
    ).exists()
    return render(
        request,
        "sessions_log/selfhelp_detail.html",
        {
            "program": program,
            "group": group,
            "volunteers": group.volunteers.all(),
            "next_statuses": [
                SelfHelpGroup.Status(s)
                for s in SelfHelpGroup.Status.values
                if s in services.SELFHELP_TRANSITIONS[group.status]
            ],
            "today": today,
            "follow_up_due": due,
            "follow_up_form": SelfHelpFollowUpForm(initial={"checked_on": today}),
        },
    )


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_status(request, program_slug, pk):
    group = _group(request, pk)
    form = SelfHelpStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a valid status and date."))
    else:
        try:
            services.selfhelp_group_change_status(
                group=group, status=form.cleaned_data["status"], on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The group's status was changed."))
    return redirect("selfhelp_detail", request.program.slug, group.pk)


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_follow_up(request, program_slug, pk):
    group = _group(request, pk)
    form = SelfHelpFollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Please say whether the group still meets, and when you checked.")
        )
    else:
        try:
            services.selfhelp_group_record_follow_up(
                group=group,
                still_meeting=form.cleaned_data["still_meeting"],
                checked_on=form.cleaned_data["checked_on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The 12-month follow-up was recorded."))
    return redirect("selfhelp_detail", request.program.slug, group.pk)


# --- outcome measures -------------------------------------------------------------------


def _outcome_chart(definition, measures, chart_id: str):
    """A sparkline of the complete measures of one instrument, in report units."""
    points = [
        charts.Point(
            m.date,
            m.report_value,
            f"{m.date.isoformat()} {m.timepoint_label}: {m.report_value}",
        )
        for m in measures
        if m.report_value is not None
    ]
    if not points:
        return ""
    percent = definition.report_field == "score_percent"
    factor = definition.percent_factor if percent else 1
    low, high = definition.score_min * factor, definition.score_max * factor
    band_categories = [c for c in definition.categories if c.key in definition.report_categories]
    band = None
    if band_categories and definition.scorer is None:
        band = (
            min(c.low for c in band_categories) * factor,
            max(c.high for c in band_categories) * factor,
        )
    return charts.sparkline(
        points=points,
        low=low,
        high=high,
        band=band,
        title=_("%(instrument)s over time") % {"instrument": definition.name},
        chart_id=chart_id,
    )


def outcome_history(participant, *, administered_by=None) -> list[dict]:
    """Per instrument: its measures (oldest first) and a small chart of the scores."""
    measures = list(selectors.participant_outcomes(participant, administered_by=administered_by))
    history = []
    for code, definition in INSTRUMENTS.items():
        mine = [m for m in measures if m.instrument == code]
        if mine:
            history.append(
                {
                    "instrument": definition,
                    "measures": mine,
                    "chart": _outcome_chart(definition, mine, f"outcome-{participant.pk}-{code}"),
                }
            )
    return history


def _suggested_timepoint(participant, code: str) -> str:
    """Baseline first; then the follow-up that is due (or the 6-month one)."""
    Timepoint = OutcomeMeasure.Timepoint
    recorded = set(
        participant.outcome_measures.filter(instrument=code).values_list("timepoint", flat=True)
    )
    if Timepoint.BASELINE not in recorded:
        return Timepoint.BASELINE
    if Timepoint.FOLLOWUP_3M not in recorded and Timepoint.FOLLOWUP_6M not in recorded:
        baseline = participant.outcome_measures.get(instrument=code, timepoint=Timepoint.BASELINE)
        if baseline.date > months_later(timezone.localdate(), -6):
            return Timepoint.FOLLOWUP_3M
    return Timepoint.FOLLOWUP_6M


def _result_text(measure) -> str:
    definition = measure.definition
    if measure.score is None:
        text = _("Incomplete: no score.")
    elif measure.score_percent is not None:
        text = _("Score %(score)s of %(max)s (%(percent)s %%).") % {
            "score": measure.score,
            "max": definition.score_max,
            "percent": measure.score_percent,
        }
    else:
        text = _("Score %(score)s of %(max)s.") % {
            "score": measure.score,
            "max": definition.score_max,
        }
    if measure.category_label:
        text = f"{text} {measure.category_label}."
    return text


@program_view(Perm.LOG_ACTIVITY)
def outcome_measure_create(request, program_slug, pk):
    """Record a questionnaire: coordinators for anyone, a volunteer for the people they met."""
    program = request.program
    volunteer = selectors.volunteer_of(program, request.user)
    participant = get_object_or_404(
        _visible_participants(request, volunteer).select_related("program"), pk=pk
    )
    code = request.GET.get("instrument", "")
    definition = INSTRUMENTS.get(code)
    context = {"program": program, "participant": participant}
    if definition is None:
        return render(
            request,
            "sessions_log/outcome_choose.html",
            {**context, "instruments": INSTRUMENTS.values()},
        )
    initial = {"timepoint": request.GET.get("timepoint") or _suggested_timepoint(participant, code)}
    form = OutcomeMeasureForm(
        request.POST or None, initial=initial, instrument=definition, participant=participant
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.outcome_measure_record(
                program=program,
                participant=participant,
                instrument=code,
                timepoint=form.cleaned_data["timepoint"],
                custom_label=form.cleaned_data["custom_label"],
                date=form.cleaned_data["date"],
                answers=form.answers(),
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("%(instrument)s recorded for %(code)s. %(result)s")
                % {
                    "instrument": definition.name,
                    "code": participant.code,
                    "result": _result_text(measure),
                },
            )
            return redirect("participant_detail", program.slug, participant.pk)
    return render(
        request,
        "sessions_log/outcome_form.html",
        {
            **context,
            "form": form,
            "instrument": definition,
            "stem": definition.stem(),
            "items": form.item_fields(),
        },
    )


class OutcomeDueListView(ProgramListView):
    """Follow-up questionnaires that are due: a baseline and no follow-up after 3 or 6 months."""

    permission = Perm.MANAGE_PROGRAM
    filterset_class = OutcomeDueFilter
    title = gettext_lazy("Follow-up questionnaires due")
    export_basename = gettext_lazy("outcomes-due")
    template_name = "sessions_log/outcome_due_list.html"

    def get_queryset(self):
        return selectors.outcome_follow_ups_due(self.program, timezone.localdate()).order_by(
            "date", "participant__code"
        )

    def get_columns(self):
        slug = self.program.slug
        months = selectors.FOLLOW_UP_MONTHS
        timepoints = dict(OutcomeMeasure.Timepoint.choices)

        def record_url(m):
            target = reverse("outcome_measure_create", args=[slug, m.participant_id])
            return f"{target}?instrument={m.instrument}&timepoint={m.due}"

        return (
            participant_code_column(
                gettext_lazy("Participant"),
                lambda m: m.participant,
                order_by="participant",
                link=lambda m: reverse("participant_detail", args=[slug, m.participant_id]),
            ),
            Column(gettext_lazy("Instrument"), lambda m: m.get_instrument_display()),
            Column(gettext_lazy("Baseline"), lambda m: m.date, order_by="date"),
            Column(gettext_lazy("Due"), lambda m: timepoints.get(m.due, m.due)),
            Column(
                gettext_lazy("Due since"),
                lambda m: months_later(m.date, months.get(m.due, 0)),
            ),
            Column(gettext_lazy("Record"), lambda m: _("Record"), link=record_url),
        )
