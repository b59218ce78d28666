"""What the pages of several features share: the log form's arguments, the participants a
volunteer has just added, and how a service's refusal reaches a form."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from .. import policies, services
from ..forms import ActivityForm, ParticipantQuickForm, initial_from_data

NEW_PARTICIPANTS_SESSION_KEY = "sessions_log_new_participants"
# The response header that lets the service worker keep a copy of a page for the user it
# names (static/js/service-worker.js, views/offline.py).
OFFLINE_HEADER = "X-Lotse-Offline"


def allow_offline_copy(request, response):
    """Let the service worker keep this page for offline use: a volunteer's own page, which
    shows participants by code only (no alias, no personal details)."""
    if (
        request.method == "GET"
        and response.status_code == 200
        and not policies.coordinates(request.membership)
        and not policies.sees_alias(request.membership)
    ):
        response[OFFLINE_HEADER] = str(request.user.pk)
    return response


def remember_new_participant(request, participant) -> None:
    """A volunteer may pick the people they just added, before a session links them."""
    store = request.session.get(NEW_PARTICIPANTS_SESSION_KEY, {})
    key = str(participant.program_id)
    store[key] = [*store.get(key, []), participant.pk][-50:]
    request.session[NEW_PARTICIPANTS_SESSION_KEY] = store


def new_participant_ids(request) -> list[int]:
    store = request.session.get(NEW_PARTICIPANTS_SESSION_KEY, {})
    return store.get(str(request.program.pk), [])


def visible_participants(request, volunteer):
    """The participants the requesting member may pick and open."""
    return policies.visible_participants(
        request.membership, volunteer, extra_ids=new_participant_ids(request)
    )


def activity_form_kwargs(request, volunteer, **extra) -> dict:
    return {
        "program": request.program,
        "volunteer": volunteer,
        "sees_all": policies.coordinates(request.membership),
        "with_alias": policies.sees_alias(request.membership),
        "extra_participant_ids": new_participant_ids(request),
        **extra,
    }


def _site_from(request, value):
    if value and str(value).isdigit():
        return request.program.sites.filter(pk=value).first()
    return None


def add_participant(request, bound_form, volunteer, form_extra):
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
        remember_new_participant(request, participant)
        initial["participants"] = [*(initial.get("participants") or []), str(participant.pk)]
        quick = ParticipantQuickForm(volunteer=volunteer)
    form = ActivityForm(initial=initial, **activity_form_kwargs(request, volunteer, **form_extra))
    return form, quick, participant


def no_profile(request):
    return render(request, "sessions_log/no_profile.html", {"program": request.program})


def form_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: at its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
