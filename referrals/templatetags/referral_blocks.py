"""The referral block of a participant's page.

The participant page belongs to ``sessions_log``, which sits below ``referrals`` and may not
import it; the page includes this block instead, so which referrals it lists is decided here,
by :mod:`referrals.policies`, like everywhere else a referral is shown.
"""

from django import template

from .. import policies, selectors

register = template.Library()


@register.inclusion_tag("referrals/_participant_referrals.html", takes_context=True)
def participant_referrals(context, participant):
    """The participant's referrals the signed-in member may follow, each linked to its page.

    Coordinators get every referral; a volunteer gets the ones they proposed; a role that
    follows no referral (supervisors) gets no block at all.
    """
    request = context["request"]
    program, membership = request.program, request.membership
    shown = policies.follows_referrals(membership)
    return {
        "program": program,
        "shown": shown,
        "sees_every_referral": policies.sees_every_referral(membership),
        "referrals": (
            selectors.participant_referrals(program, membership, participant) if shown else ()
        ),
    }
