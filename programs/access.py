"""Who may see what: the one place that decides.

Program is the tenant. Every scoped URL lives under ``/p/<program_slug>/`` and passes through
:func:`resolve_scope`, which sets ``request.program`` and ``request.membership`` and answers:

- anonymous: redirect to the login page;
- not a member of the program (or no such program): 404, so programs don't leak their existence;
- a member whose role lacks the view's permission: 403.

Views declare what they need with :func:`program_view` (functions) or
:class:`ProgramScopedMixin` (class-based views); both call :func:`resolve_scope`, and both
record a record the view then refuses (an id outside the user's scope answered 404, or a 403)
in the security log, as :func:`resolve_scope` records its own refusals.

Rules about single records (which referral a volunteer may follow, whose certificate they may
download) are named predicates in each app's ``policies.py``, built on :func:`has_perm`; where
code needs the members holding a right (who gets an e-mail, who may be picked), it asks
:func:`roles_with` or :func:`users_with`. No code outside this module compares role names.
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation, OrganisationMembership, Program
from .security import Kind, security_event_record

Role = Membership.Role
OrganisationRole = OrganisationMembership.Role


class Perm(StrEnum):
    VIEW_HOME = "view_home"
    MANAGE_PROGRAM = "manage_program"  # volunteers, sites, trainings, matches, self-help groups
    VIEW_ACTIVITIES = "view_activities"  # everyone's activities
    LOG_ACTIVITY = "log_activity"  # own activities, within the edit window
    VIEW_PARTICIPANTS = "view_participants"
    VIEW_PARTICIPANT_ALIAS = "view_participant_alias"
    MANAGE_SUPERVISION = "manage_supervision"
    VIEW_CONCERNS = "view_concerns"
    ACKNOWLEDGE_CONCERNS = "acknowledge_concerns"
    PROPOSE_REFERRAL = "propose_referral"
    MANAGE_REFERRALS = "manage_referrals"
    MANAGE_REPORTS = "manage_reports"
    DOWNLOAD_REPORTS = "download_reports"
    VIEW_OWN_WORK = "view_own_work"  # a volunteer's own sessions, trainings and supervision
    VIEW_AUDIT_LOG = "view_audit_log"  # the program's audit trail and security log


# The role table of ARCHITECTURE.md. Tests walk every URL against it.
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.COORDINATOR: frozenset(Perm) - {Perm.VIEW_OWN_WORK},
    Role.SUPERVISOR: frozenset(
        {
            Perm.VIEW_HOME,
            Perm.MANAGE_SUPERVISION,
            Perm.VIEW_ACTIVITIES,
            Perm.VIEW_CONCERNS,
            Perm.ACKNOWLEDGE_CONCERNS,
            Perm.VIEW_PARTICIPANTS,
        }
    ),
    Role.VOLUNTEER: frozenset(
        {Perm.VIEW_HOME, Perm.LOG_ACTIVITY, Perm.VIEW_OWN_WORK, Perm.PROPOSE_REFERRAL}
    ),
    Role.FUNDER: frozenset({Perm.VIEW_HOME, Perm.DOWNLOAD_REPORTS}),
}

# The role an accepted volunteer invitation grants in the invitation's program.
INVITED_VOLUNTEER_ROLE = Role.VOLUNTEER

NOT_FOUND_MESSAGE = _("This program does not exist or you are not a member of it.")


def has_perm(membership: Membership | None, perm: Perm) -> bool:
    """Whether a member's role includes ``perm``; ``None`` (no membership) has no rights."""
    return membership is not None and perm in ROLE_PERMISSIONS.get(membership.role, ())


def roles_with(perm: Perm) -> list[str]:
    """The roles whose rights include ``perm``, for filtering memberships in the database."""
    return sorted(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def members_with(program: Program, perm: Perm):
    """The program's memberships whose role includes ``perm``."""
    return program.memberships.filter(role__in=roles_with(perm))


def member_emails(program: Program, perm: Perm) -> list[str]:
    """The e-mail addresses of the program's members whose role includes ``perm``, each once."""
    return sorted(
        set(
            members_with(program, perm)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def users_with(program: Program, perm: Perm):
    """The users whose membership in the program includes ``perm``."""
    return get_user_model().objects.filter(
        memberships__program=program, memberships__role__in=roles_with(perm)
    )


def memberships_of(user):
    """The programs a user belongs to, with their role, for navigation."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return user.memberships.select_related("program").order_by("program__name")


def request_memberships(request) -> list[Membership]:
    """The signed-in user's memberships with their programs, read once per request: the
    second-factor check, the program's scope and the navigation's program switcher all ask."""
    memberships = getattr(request, "memberships", None)
    if memberships is None:
        memberships = request.memberships = list(memberships_of(request.user))
    return memberships


def resolve_scope(request, program_slug: str, perm: Perm) -> None:
    """Set request.program and request.membership, or refuse (404 / 403)."""
    memberships = request_memberships(request)
    membership = next((m for m in memberships if m.program.slug == program_slug), None)
    if membership is None:
        security_event_record(
            kind=Kind.ACCESS_DENIED,
            request=request,
            program=Program.objects.filter(slug=program_slug).first(),
            detail={"status": 404, "permission": str(perm), "reason": "not a member"},
        )
        raise Http404(NOT_FOUND_MESSAGE)
    request.program = membership.program
    request.membership = membership
    if not has_perm(membership, perm):
        security_event_record(
            kind=Kind.ACCESS_DENIED,
            request=request,
            detail={"status": 403, "permission": str(perm), "role": membership.role},
        )
        raise PermissionDenied(_("Your role in this program does not allow this."))


def record_refusals(view, request, *args, **kwargs):
    """Run a scoped view; a record it refuses (a 404 for an id outside what the user may see,
    as ``get_object_or_404`` on a scoped queryset answers, or a 403) goes to the security log
    as a refused access before the refusal is answered."""
    try:
        return view(request, *args, **kwargs)
    except (Http404, PermissionDenied) as refusal:
        status = 404 if isinstance(refusal, Http404) else 403
        security_event_record(
            kind=Kind.ACCESS_DENIED,
            request=request,
            detail={
                "status": status,
                "reason": "record refused",
                "view": getattr(request.resolver_match, "view_name", ""),
                "message": str(refusal)[:200],
            },
        )
        raise


def program_view(perm: Perm):
    """Decorate a function view ``view(request, program_slug, ...)`` with scope and permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, program_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            resolve_scope(request, program_slug, perm)
            return record_refusals(view, request, program_slug, *args, **kwargs)

        wrapped.permission = perm
        return wrapped

    return decorator


class ProgramScopedMixin:
    """For class-based views: set ``permission``; ``self.program`` is the resolved tenant."""

    permission: Perm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        resolve_scope(request, kwargs["program_slug"], self.permission)
        self.program = request.program
        self.membership = request.membership
        return record_refusals(super().dispatch, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, **kwargs)


def view_permission(view) -> Perm | None:
    """The permission a URL's view declares (function or class-based), for the access tests."""
    return getattr(getattr(view, "view_class", view), "permission", None)


# ---- the organisation level -------------------------------------------------------------------
#
# An organisation's pages live under ``/o/<organisation_slug>/`` and cover the programs it leads
# (``Program.lead_organisation``). Membership of an organisation is its own record
# (``OrganisationMembership``): it grants no right inside a single program, and a program's
# membership grants none at the organisation level. A program coordinator therefore sees their
# own program only, and an organisation coordinator opens a program's own pages only where they
# are also a member of it. Anonymous: the login page; not a member (or no such organisation):
# 404; a role without the view's permission: 403.


class OrganisationPerm(StrEnum):
    VIEW_ORGANISATION = "view_organisation"  # the dashboard across the organisation's programs
    BUILD_ORGANISATION_REPORTS = "build_organisation_reports"  # reports over its programs


ORGANISATION_ROLE_PERMISSIONS: dict[str, frozenset[OrganisationPerm]] = {
    OrganisationRole.COORDINATOR: frozenset(OrganisationPerm),
}

ORGANISATION_NOT_FOUND_MESSAGE = _(
    "This organisation does not exist or you are not a member of it."
)


def has_organisation_perm(
    membership: OrganisationMembership | None, perm: OrganisationPerm
) -> bool:
    """Whether an organisation member's role includes ``perm``."""
    return membership is not None and perm in ORGANISATION_ROLE_PERMISSIONS.get(membership.role, ())


def organisation_memberships_of(user):
    """The organisations a user belongs to, with their role, for navigation."""
    if not user.is_authenticated:
        return OrganisationMembership.objects.none()
    return user.organisation_memberships.select_related("organisation").order_by(
        "organisation__name"
    )


def organisation_programs(organisation: Organisation):
    """The programs an organisation's pages cover: those it leads."""
    return Program.objects.filter(lead_organisation=organisation)


def programs_with(user, perm: Perm):
    """The programs in which the user's role includes ``perm`` (a funder's programs for
    ``DOWNLOAD_REPORTS``)."""
    if not user.is_authenticated:
        return Program.objects.none()
    return Program.objects.filter(
        memberships__user=user, memberships__role__in=roles_with(perm)
    ).distinct()


def resolve_organisation_scope(request, organisation_slug: str, perm: OrganisationPerm) -> None:
    """Set request.organisation and request.organisation_membership, or refuse (404 / 403)."""
    membership = (
        organisation_memberships_of(request.user)
        .filter(organisation__slug=organisation_slug)
        .first()
    )
    if membership is None:
        security_event_record(
            kind=Kind.ACCESS_DENIED,
            request=request,
            detail={
                "status": 404,
                "permission": str(perm),
                "reason": "not a member of the organisation",
            },
        )
        raise Http404(ORGANISATION_NOT_FOUND_MESSAGE)
    request.organisation = membership.organisation
    request.organisation_membership = membership
    if not has_organisation_perm(membership, perm):
        security_event_record(
            kind=Kind.ACCESS_DENIED,
            request=request,
            detail={"status": 403, "permission": str(perm), "role": membership.role},
        )
        raise PermissionDenied(_("Your role in this organisation does not allow this."))


def organisation_view(perm: OrganisationPerm):
    """Decorate a view ``view(request, organisation_slug, ...)`` with scope and permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, organisation_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            resolve_organisation_scope(request, organisation_slug, perm)
            return record_refusals(view, request, organisation_slug, *args, **kwargs)

        wrapped.permission = perm
        return wrapped

    return decorator
