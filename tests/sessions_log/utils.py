from programs.models import ActivityKind

from ..factories import ActivityFactory


def one_to_one(program, facilitator, *participants, **fields):
    """A logged one-to-one talk of ``facilitator`` with ``participants``."""
    activity = ActivityFactory(
        program=program,
        kind=ActivityKind.ONE_TO_ONE,
        attendees_total=len(participants),
        attendees_women=0,
        attendees_men=0,
        **fields,
    )
    if facilitator is not None:
        activity.facilitators.add(facilitator)
    activity.participants.add(*participants)
    return activity
