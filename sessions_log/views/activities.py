"""Sessions: log one, change one within the edit window, a volunteer's own sessions, and the
list and detail of every activity for coordinators and supervisors."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.lists import Column
from programs.access import Perm, program_view
from programs.audit import read_or_404
from programs.lists import ProgramListView
from programs.models import ActivityKind

from .. import policies, selectors, services
from ..filters import ActivityFilter, MySessionsFilter
from ..forms import ActivityForm, ParticipantQuickForm
from .common import (
    activity_form_kwargs,
    add_participant,
    allow_offline_copy,
    form_errors,
    no_profile,
    visible_participants,
)


@program_view(Perm.LOG_ACTIVITY)
def activity_log(request, program_slug):
    program = request.program
    coordinator = policies.coordinates(request.membership)
    volunteer = selectors.volunteer_of(program, request.user)
    if volunteer is None and not coordinator:
        return no_profile(request)
    quick = ParticipantQuickForm(volunteer=volunteer)
    added = None
    picked = request.GET.getlist("participant")
    if request.method == "POST":
        existing = services.activity_logged_with(program, request.POST.get("idempotency_key"))
        if existing is not None:
            confirm_kept_entry(request, existing)
            return _land_on_existing(request, existing)
        form = ActivityForm(request.POST, **activity_form_kwargs(request, volunteer))
        if request.POST.get("_action") == "add_participant":
            form, quick, added = add_participant(request, form, volunteer, {})
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
            confirm_kept_entry(request, activity)
            if not created:
                return _land_on_existing(request, activity)
            if request.POST.get("_kept"):
                messages.success(
                    request,
                    _(
                        "Your session of %(date)s was kept while you signed in again "
                        "and is now saved. Thank you!"
                    )
                    % {"date": date_format(activity.date, "SHORT_DATE_FORMAT")},
                )
            else:
                messages.success(request, _("Your session was saved. Thank you!"))
            if concern is not None:
                messages.info(
                    request, _("Your concern was passed on to the coordinators and supervisors.")
                )
            if activity.kind in ActivityKind.individual() and policies.may_propose_referral(
                request.membership
            ):
                # Right after a one-to-one is the moment to refer someone on.
                return redirect(
                    reverse("my_sessions", args=[program.slug]) + f"?logged={activity.pk}"
                )
            return redirect("my_sessions", program.slug)
    else:
        initial = {"idempotency_key": uuid.uuid4()}
        if picked:
            visible = visible_participants(request, volunteer)
            initial["participants"] = [
                str(pk)
                for pk in visible.filter(pk__in=_ids(picked, visible.model)).values_list(
                    "pk", flat=True
                )
            ]
        form = ActivityForm(initial=initial, **activity_form_kwargs(request, volunteer))
    response = render(
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
    return response if picked else allow_offline_copy(request, response)


def _ids(values, model) -> list[int]:
    """The values from a query string that are ids ``model``'s table can hold; the rest are
    dropped (a number too large for the column would fail the query, not match nothing)."""
    field = model._meta.pk
    ids = []
    for value in values:
        try:
            pk = field.to_python(value)
            field.run_validators(pk)
        except ValidationError:
            continue
        ids.append(pk)
    return ids


# The idempotency keys of the last sessions the log form saved (or found saved) in this sign-in;
# base.html lists them, and static/js/keep-entry.js drops the browser's kept copy of each.
SAVED_ENTRIES = "lotse_saved_entries"


def confirm_kept_entry(request, activity) -> None:
    """Tell the browser that the server has this session, so that the copy of the form it kept
    in case the sign-in had expired is dropped on the next page."""
    if activity.idempotency_key is None:
        return
    key = str(activity.idempotency_key)
    keys = [k for k in request.session.get(SAVED_ENTRIES, []) if k != key]
    request.session[SAVED_ENTRIES] = [*keys[-9:], key]


def _land_on_existing(request, activity):
    messages.info(request, _("This session was already saved."))
    if policies.may_open_activity(request.membership, activity):
        return redirect("activity_edit", request.program.slug, activity.pk)
    return redirect("my_sessions", request.program.slug)


@program_view(Perm.LOG_ACTIVITY)
def activity_edit(request, program_slug, pk):
    """A volunteer changes their own session within the edit window; coordinators any time."""
    program, membership = request.program, request.membership
    coordinator = policies.coordinates(membership)
    any_time = policies.edits_any_time(membership)
    volunteer = selectors.volunteer_of(program, request.user)
    activity = read_or_404(
        policies.openable_activities(membership).select_related("site", "logged_by"), pk=pk
    )
    deadline = activity.edit_deadline(program)
    with_notes = policies.sees_activity_notes(membership, activity)
    if not policies.within_edit_window(membership, activity, timezone.localdate()):
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
        form = ActivityForm(request.POST, **activity_form_kwargs(request, volunteer, **form_extra))
        if request.POST.get("_action") == "add_participant":
            form, quick, added = add_participant(request, form, volunteer, form_extra)
        elif form.is_valid():
            data = form.activity_data()
            data.setdefault("notes", None)
            try:
                services.activity_update(
                    activity=activity,
                    volunteer=None if coordinator else volunteer,
                    any_time=any_time,
                    **data,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("my_sessions", program.slug)
    else:
        form = ActivityForm(**activity_form_kwargs(request, volunteer, **form_extra))
    return render(
        request,
        "sessions_log/activity_form.html",
        {
            "program": program,
            "form": form,
            "qc_form": quick,
            "added": added,
            "activity": activity,
            "deadline": None if any_time else deadline,
            "title": _("Change a session"),
        },
    )


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

    def render_to_response(self, context, **kwargs):
        return allow_offline_copy(self.request, super().render_to_response(context, **kwargs))

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
        any_time = policies.edits_any_time(self.membership)

        def until(activity):
            if any_time:
                return _("any time")
            if activity.open_to_volunteer_edits(today, program):
                return activity.edit_deadline(program)
            return _("read-only")

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
    program, membership = request.program, request.membership
    activity = read_or_404(program.activities.select_related("site", "logged_by"), pk=pk)
    context = _activity_context(activity, show_notes=True)
    context.update(
        program=program,
        concerns=activity.concerns.select_related("acknowledged_by").order_by("-raised_at"),
        can_edit=policies.can_edit_activity(membership, activity, timezone.localdate()),
        can_open_concerns=policies.may_acknowledge_concerns(membership),
    )
    return render(request, "sessions_log/activity_detail.html", context)
