"""Participants: the list, one participant's page, and adding someone new."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.lists import Column
from programs.access import Perm, program_view
from programs.audit import read_or_404
from programs.lists import ProgramListView
from programs.models import Participant, age_band, age_band_label
from programs.selectors import exportable

from .. import policies, selectors, services
from ..filters import ParticipantFilter
from ..forms import ActivityForm, ParticipantQuickForm, participant_label
from ..instruments import INSTRUMENTS
from .common import (
    activity_form_kwargs,
    add_participant,
    no_profile,
    remember_new_participant,
    visible_participants,
)
from .outcomes import outcome_history


def _age_band_text(year_of_birth: int | None, today) -> str:
    return age_band_label(age_band(year_of_birth, today.year))


CONSENT_SHORT = {
    Participant.ConsentScope.SUPPORT: gettext_lazy("support"),
    Participant.ConsentScope.REFERRAL: gettext_lazy("referrals"),
    Participant.ConsentScope.EVALUATION: gettext_lazy("evaluation"),
}


def _consent_text(p) -> str:
    if not p.consent_on:
        return _("none")
    scope = CONSENT_SHORT.get(p.consent_scope, p.consent_scope)
    return f"{date_format(p.consent_on, 'SHORT_DATE_FORMAT')} ({scope})"


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
            Column(gettext_lazy("Age band"), lambda p: _age_band_text(p.year_of_birth, today)),
            Column(gettext_lazy("Gender"), lambda p: p.get_gender_display(), order_by="gender"),
            Column(gettext_lazy("Languages"), lambda p: [str(x) for x in p.languages.all()]),
            Column(
                gettext_lazy("Country of origin"),
                lambda p: p.country_of_origin.name if p.country_of_origin else "",
            ),
            Column(gettext_lazy("Site"), lambda p: p.site, order_by="site"),
            Column(gettext_lazy("Consent"), _consent_text, order_by="consent"),
        ]
        if policies.sees_alias(self.membership):
            columns.insert(1, Column(gettext_lazy("Alias"), lambda p: p.alias))
        return columns

    def export_rows(self, rows):
        """Only people whose consent covers pseudonymous evaluation exports leave Lotse."""
        return rows.filter(exportable())

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_add=policies.may_log(self.membership), **kwargs)


PARTICIPANT_ACTIVITIES_PER_PAGE = 20


@program_view(Perm.VIEW_HOME)
def participant_detail(request, program_slug, pk):
    """Coordinators and supervisors open anyone; a volunteer only the people they met."""
    program, membership = request.program, request.membership
    sees_all = policies.sees_all_participants(membership)
    # Only a volunteer's own profile limits what they see; coordinators need no lookup.
    volunteer = None if sees_all else selectors.volunteer_of(program, request.user)
    if not policies.may_open_participants(membership):
        raise PermissionDenied(_("Your role in this program does not allow this."))
    participant = read_or_404(
        visible_participants(request, volunteer).select_related("site"), pk=pk
    )
    activities = (
        policies.participant_activities(membership, participant)
        .select_related("site")
        .order_by("-date", "-id")
    )
    matches = (
        policies.participant_matches(membership, participant, volunteer)
        .select_related("volunteer")
        .order_by("-proposed_on")
    )
    return render(
        request,
        "sessions_log/participant_detail.html",
        {
            "program": program,
            "participant": participant,
            "label": participant_label(participant, with_alias=policies.sees_alias(membership)),
            "age_band": _age_band_text(participant.year_of_birth, timezone.localdate()),
            "activities": Paginator(activities, PARTICIPANT_ACTIVITIES_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "matches": matches,
            "sees_all": sees_all,
            "activity_url": "activity_detail" if sees_all else "activity_edit",
            "can_log": policies.may_log(membership),
            "outcomes": outcome_history(
                participant, administered_by=policies.outcomes_administered_by(membership)
            ),
            "instruments": INSTRUMENTS.values(),
        },
    )


@program_view(Perm.LOG_ACTIVITY)
def participant_quick_create(request, program_slug):
    """Add a participant: an htmx fragment inside the log form, or a page of its own."""
    program = request.program
    volunteer = selectors.volunteer_of(program, request.user)
    if volunteer is None and not policies.coordinates(request.membership):
        return no_profile(request)
    if request.method == "POST" and request.htmx:
        bound = ActivityForm(request.POST, **activity_form_kwargs(request, volunteer))
        form, quick, added = add_participant(request, bound, volunteer, {})
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
        "with_alias": policies.sees_alias(request.membership),
    }
    if request.method == "POST":
        quick = ParticipantQuickForm(request.POST, **page_form)
        if quick.is_valid():
            participant = services.participant_quick_create(
                program=program, **quick.participant_data()
            )
            remember_new_participant(request, participant)
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
