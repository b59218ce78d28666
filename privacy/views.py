"""A participant's rights: access (Art. 15) and erasure (Art. 17)."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from programs import audit
from programs.access import Perm, program_view
from programs.security import export_record

from . import services
from .forms import EraseForm


def _participant(request, pk):
    return audit.read_or_404(
        request.program.participants.filter(erased_at__isnull=True).select_related("program"),
        pk=pk,
    )


@program_view(Perm.MANAGE_PROGRAM)
def participant_data_export(request, program_slug, pk):
    """Everything Lotse stores about one participant, as a JSON download (Art. 15)."""
    participant = _participant(request, pk)
    export_record(
        request=request,
        what="participant_data",
        fmt="json",
        filters={"participant": pk},
        participants=[participant.pk],
    )
    body = json.dumps(services.participant_data(participant), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{participant.code}-{timezone.localdate().isoformat()}.json"
    )
    return response


@program_view(Perm.MANAGE_PROGRAM)
def participant_erase(request, program_slug, pk):
    """Erase a participant's personal data after confirmation (Art. 17)."""
    participant = _participant(request, pk)
    form = EraseForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        outcome = services.participant_erase(
            participant=participant,
            reason=gettext("erased on request (GDPR Art. 17)"),
            by=request.user,
        )
        messages.success(
            request,
            gettext("The participant's personal data was erased.")
            if outcome == "pseudonymised"
            else gettext("The participant was deleted."),
        )
        return redirect("participant_list", request.program.slug)
    return render(
        request,
        "privacy/participant_erase.html",
        {
            "program": request.program,
            "participant": participant,
            "form": form,
            "counts": {
                "activities": participant.activities.count(),
                "referrals": participant.referrals.count(),
                "matches": participant.matches.count(),
            },
        },
    )
