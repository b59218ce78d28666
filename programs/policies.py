"""Who may see what of the program's own records, as named predicates on the role table.

The role table and the scope check are in :mod:`programs.access`; the predicates here answer
the finer questions that pages and forms ask about participants of the program.
"""

from .access import Perm, has_perm
from .models import Membership


def can_see_participant_alias(membership: Membership | None) -> bool:
    """Whether a participant's optional alias is shown next to their code (coordinators)."""
    return has_perm(membership, Perm.VIEW_PARTICIPANT_ALIAS)
