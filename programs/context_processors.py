from .access import Perm, has_perm, memberships_of


def navigation(request):
    """Program switcher and role-based navigation for base.html."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": getattr(request, "memberships", None) or memberships_of(user),
        "current_program": getattr(request, "program", None),
        "current_membership": membership,
        "can": {perm.value: has_perm(membership, perm) for perm in Perm},
    }
