from .access import Perm, has_perm, request_memberships


def navigation(request):
    """Program switcher and role-based navigation for base.html."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": request_memberships(request),
        "current_program": getattr(request, "program", None),
        "current_membership": membership,
        "can": {perm.value: has_perm(membership, perm) for perm in Perm},
    }
