"""One handler per sheet of the format, in the order the sheets are read."""

from .activities import Activities
from .matches import Matches
from .outcomes import Outcomes
from .participants import Participants
from .referrals import Referrals
from .selfhelp import SelfHelpGroups
from .sites import Sites
from .volunteers import Volunteers

HANDLERS = {
    "sites": Sites,
    "volunteers": Volunteers,
    "participants": Participants,
    "activities": Activities,
    "referrals": Referrals,
    "matches": Matches,
    "selfhelp_groups": SelfHelpGroups,
    "outcomes": Outcomes,
}
