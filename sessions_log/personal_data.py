"""What sessions_log holds about a participant, for the privacy registry
(``programs.personal_data``): the sessions they attended, their matches, their
questionnaires."""

from django.db.models import Q

from programs import audit
from programs.personal_data import Erasure
from programs.personal_data import register as register_data

from .models import Activity, Match, OutcomeMeasure


def register() -> None:
    """Register the entries; called from the app's ``ready()``."""
    # A session keeps its head counts; only the link to the person goes.
    register_data(Activity, erasure=Erasure.UNLINK, field="participants", contact_dates=("date",))
    # A match stays in the program's figures; its name in the trail carried the old code.
    register_data(
        Match,
        erasure=Erasure.KEEP,
        scrub=audit.redact_names,
        contact_dates=("proposed_on", "ended_on"),
        ongoing=Q(ended_on__isnull=True),
    )
    register_data(OutcomeMeasure, erasure=Erasure.DELETE)
