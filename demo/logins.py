"""The demo users: one login per role and program, all with the same password.

They are created (or reset) by ``seed_demo`` and removed by ``flush``; ``existing_logins`` lists
the ones in the database so the command can print them again.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from programs.models import Membership, OrganisationMembership

DEMO_PASSWORD = "lotse-demo"


@dataclass(frozen=True)
class DemoLogin:
    """One demo user; ``key`` names it in the programs' ``members`` (e.g. ``coordinator_vbc``)."""

    key: str
    email: str
    first_name: str
    last_name: str


DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.lotse", "Alex", "Admin"),
    DemoLogin("coordinator", "coordinator@demo.lotse", "Katrin", "Vogel"),
    DemoLogin("supervisor", "supervisor@demo.lotse", "Miriam", "Albers"),
    DemoLogin("volunteer", "volunteer@demo.lotse", "Samira", "Haddad"),
    DemoLogin("funder", "funder@demo.lotse", "Jörg", "Lindner"),
    DemoLogin("coordinator_vbc", "coordinator.vbc@demo.lotse", "Nadia", "Rahimi"),
    DemoLogin("coordinator_aid", "coordinator.aid@demo.lotse", "Thomas", "Berger"),
    DemoLogin("coordinator_livet", "coordinator.livet@demo.lotse", "Mette", "Sørensen"),
    DemoLogin("coordinator_igs", "coordinator.igs@demo.lotse", "Sabine", "Krüger"),
    DemoLogin("organisation", "verband@demo.lotse", "Ulrike", "Hoffmann"),
)

# The role of an organisation coordinator in the list of logins (beside the program roles).
ORGANISATION_COORDINATOR = "organisation_coordinator"


def demo_user_emails() -> list[str]:
    return [login.email for login in DEMO_LOGINS]


def create_users() -> dict[str, object]:
    """Create or reset the demo users; returns them by their key (``coordinator``, …)."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    users = {}
    with transaction.atomic():
        for login in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(username=login.email)
            user.email = login.email
            user.first_name, user.last_name = login.first_name, login.last_name
            user.is_staff = user.is_superuser = login.key == "admin"
            user.is_active = True
            user.password = password
            user.save()
            users[login.key] = user
    return users


def existing_logins() -> list[tuple[str, str, str]]:
    """The demo logins present in the database (email, role, program), to print them again."""
    emails = [login.email for login in DEMO_LOGINS]
    rows = [
        (email, role, name)
        for email, role, name in Membership.objects.filter(user__username__in=emails).values_list(
            "user__username", "role", "program__name"
        )
    ]
    rows += [
        (email, ORGANISATION_COORDINATOR, name)
        for email, name in OrganisationMembership.objects.filter(
            user__username__in=emails
        ).values_list("user__username", "organisation__name")
    ]
    if get_user_model().objects.filter(username=DEMO_LOGINS[0].email, is_superuser=True).exists():
        rows.append((DEMO_LOGINS[0].email, "admin", ""))
    return in_login_order(rows)


def in_login_order(logins):
    """Logins (email, role, program) in the order of ``DEMO_LOGINS``, then by program."""
    order = [login.key for login in DEMO_LOGINS]
    return sorted(logins, key=lambda row: (order.index(_login_key(row[0])), row[2]))


def _login_key(email: str) -> str:
    return next(login.key for login in DEMO_LOGINS if login.email == email)
