"""Every URL of the project × every role, against the role table of programs/access.py.

The URL patterns come from the URLconf (``get_resolver``), so a new view cannot escape: a
pattern with no declared expectation fails the test until it is added here. Program-scoped
views (``/p/<program_slug>/…``) are expected to answer what ``ROLE_PERMISSIONS`` and
``view_permission(view)`` say (200 when the role has the view's permission, else 403; 404 to
non-members, the login page to anonymous visitors); object-level rules (the predicates of
each app's ``policies.py``) are listed in ``OBJECT_RULES`` with the reason. Everything else
(admin, accounts, i18n, home) has an explicit expectation in ``OTHER_URLS``.
"""

import datetime as dt
import re
from dataclasses import dataclass
from io import BytesIO

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from programs.access import ORGANISATION_ROLE_PERMISSIONS, ROLE_PERMISSIONS, view_permission
from programs.models import Membership, OrganisationMembership
from reports.models import Report
from transfer.models import ImportJob

from .factories import (
    ActivityFactory,
    AreaFactory,
    ConcernFactory,
    EnrollmentFactory,
    MatchFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgramFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    ServiceProviderFactory,
    SiteFactory,
    SupervisionSessionFactory,
    TrainingFactory,
    TrainingSessionFactory,
    UserFactory,
    VolunteerFactory,
)

Role = Membership.Role

ANONYMOUS = "anonymous"
OUTSIDER = "coordinator_of_another_program"
STAFF = "staff_without_membership"
# A coordinator of the fixture program's lead organisation, not a member of the program.
ORGANISATION_COORDINATOR = "organisation_coordinator"
ROLES = [ANONYMOUS, *Role.values, OUTSIDER, STAFF, ORGANISATION_COORDINATOR]

LOGIN = "login"  # a redirect to the login page
ADMIN_LOGIN = "admin_login"  # a redirect to the admin's login page


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), pattern


ALL_PATTERNS = list(_walk(get_resolver().url_patterns))
PROGRAM_PREFIX = "p/<slug:program_slug>/"
ORGANISATION_PREFIX = "o/<slug:organisation_slug>/"
SCOPED = [(route, p) for route, p in ALL_PATTERNS if route.startswith(PROGRAM_PREFIX)]
ORGANISATION_SCOPED = [
    (route, p) for route, p in ALL_PATTERNS if route.startswith(ORGANISATION_PREFIX)
]
OTHER = [
    (route, p)
    for route, p in ALL_PATTERNS
    if not route.startswith((PROGRAM_PREFIX, ORGANISATION_PREFIX))
]


# ---- the fixture program -----------------------------------------------------------------


@dataclass
class World:
    program: object
    users: dict
    site: object
    area: object
    volunteer: object
    training: object
    training_session: object
    enrollment: object
    supervision: object
    activity: object
    participant: object
    concern: object
    match: object
    selfhelp: object
    referral: object
    provider: object
    report: object
    import_job: object


def build_world() -> World:
    program = ProgramFactory(slug="matrix", name="Matrix")
    users = {}
    for role in Role.values:
        users[role] = UserFactory(username=f"{role}@example.org")
        MembershipFactory(user=users[role], program=program, role=role)
    users[OUTSIDER] = UserFactory(username="outsider@example.org")
    MembershipFactory(user=users[OUTSIDER], program=ProgramFactory(), role=Role.COORDINATOR)
    users[STAFF] = UserFactory(username="staff@example.org", is_staff=True, is_superuser=True)
    users[ORGANISATION_COORDINATOR] = UserFactory(username="organisation@example.org")
    OrganisationMembership.objects.create(
        user=users[ORGANISATION_COORDINATOR],
        organisation=program.lead_organisation,
        role=OrganisationMembership.Role.COORDINATOR,
    )

    area = AreaFactory(program=program)
    site = SiteFactory(program=program, area=area)
    volunteer = VolunteerFactory(program=program, user=users[Role.VOLUNTEER])
    training = TrainingFactory(program=program)
    training_session = TrainingSessionFactory(training=training)
    enrollment = EnrollmentFactory(
        training=training, volunteer=volunteer, status="completed", completed_on=dt.date(2024, 5, 1)
    )
    supervision = SupervisionSessionFactory(program=program)
    participant = ParticipantFactory(program=program, site=site)
    # The volunteer met the participant today, so the session is inside the edit window.
    activity = ActivityFactory(
        program=program,
        kind="one_to_one",
        date=timezone.localdate(),
        site=site,
        logged_by=users[Role.VOLUNTEER],
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    activity.facilitators.add(volunteer)
    activity.participants.add(participant)
    concern = ConcernFactory(program=program, activity=activity)
    provider = ServiceProviderFactory(program=program)
    now = timezone.now()
    report = Report(
        program=program,
        title="Report 2024",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        language="en",
        status=Report.Status.PUBLISHED,
        checksum="0" * 64,
        generated_at=now,
        published_at=now,
    )
    report.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
    return World(
        program=program,
        users=users,
        site=site,
        area=area,
        volunteer=volunteer,
        training=training,
        training_session=training_session,
        enrollment=enrollment,
        supervision=supervision,
        activity=activity,
        participant=participant,
        concern=concern,
        match=MatchFactory(program=program, volunteer=volunteer, participant=participant),
        selfhelp=SelfHelpGroupFactory(program=program, contact_point=site),
        # The volunteer's own proposal: the referral pages a volunteer may open.
        referral=ReferralFactory(
            program=program,
            participant=participant,
            provider=provider,
            created_by=users[Role.VOLUNTEER],
        ),
        provider=provider,
        report=report,
        import_job=ImportJob.objects.create(
            program=program, filename="matrix.xlsx", state=ImportJob.State.DONE
        ),
    )


# ---- program-scoped URLs -----------------------------------------------------------------

# Path parameters of each scoped URL, filled with objects of the fixture program.
URL_ARGS = {
    "site_detail": lambda w: {"pk": w.site.pk},
    "site_edit": lambda w: {"pk": w.site.pk},
    "area_edit": lambda w: {"pk": w.area.pk},
    "volunteer_detail": lambda w: {"pk": w.volunteer.pk},
    "volunteer_edit": lambda w: {"pk": w.volunteer.pk},
    "volunteer_status": lambda w: {"pk": w.volunteer.pk},
    "volunteer_invite": lambda w: {"pk": w.volunteer.pk},
    "training_detail": lambda w: {"pk": w.training.pk},
    "training_edit": lambda w: {"pk": w.training.pk},
    "training_session_add": lambda w: {"pk": w.training.pk},
    "training_session_edit": lambda w: {
        "pk": w.training.pk,
        "session_pk": w.training_session.pk,
    },
    "training_enrol": lambda w: {"pk": w.training.pk},
    "training_attendance": lambda w: {"pk": w.training.pk},
    "training_session_all_present": lambda w: {
        "pk": w.training.pk,
        "session_pk": w.training_session.pk,
    },
    "enrollment_complete": lambda w: {"pk": w.training.pk, "enrollment_pk": w.enrollment.pk},
    "training_certificate": lambda w: {"pk": w.training.pk, "enrollment_pk": w.enrollment.pk},
    "supervision_detail": lambda w: {"pk": w.supervision.pk},
    "supervision_edit": lambda w: {"pk": w.supervision.pk},
    "activity_detail": lambda w: {"pk": w.activity.pk},
    "activity_edit": lambda w: {"pk": w.activity.pk},
    "participant_detail": lambda w: {"pk": w.participant.pk},
    "participant_data_export": lambda w: {"pk": w.participant.pk},
    "participant_erase": lambda w: {"pk": w.participant.pk},
    "outcome_measure_create": lambda w: {"pk": w.participant.pk},
    "concern_acknowledge": lambda w: {"pk": w.concern.pk},
    "match_detail": lambda w: {"pk": w.match.pk},
    "match_action": lambda w: {"pk": w.match.pk, "action": "end"},
    "selfhelp_detail": lambda w: {"pk": w.selfhelp.pk},
    "selfhelp_edit": lambda w: {"pk": w.selfhelp.pk},
    "selfhelp_status": lambda w: {"pk": w.selfhelp.pk},
    "selfhelp_follow_up": lambda w: {"pk": w.selfhelp.pk},
    "referral_detail": lambda w: {"pk": w.referral.pk},
    "referral_edit": lambda w: {"pk": w.referral.pk},
    "provider_detail": lambda w: {"pk": w.provider.pk},
    "provider_edit": lambda w: {"pk": w.provider.pk},
    "report_detail": lambda w: {"pk": w.report.pk},
    "report_edit": lambda w: {"pk": w.report.pk},
    "report_status": lambda w: {"pk": w.report.pk},
    "report_generate": lambda w: {"pk": w.report.pk},
    "report_publish": lambda w: {"pk": w.report.pk},
    "report_unpublish": lambda w: {"pk": w.report.pk},
    "report_new_version": lambda w: {"pk": w.report.pk},
    "report_pdf": lambda w: {"pk": w.report.pk},
    "report_xlsx": lambda w: {"pk": w.report.pk},
    "member_unlock": lambda w: {"user_pk": w.volunteer.user_id},
    "program_import_job": lambda w: {"job_id": w.import_job.pk},
    "program_import_progress": lambda w: {"job_id": w.import_job.pk},
}

# Views that only accept POST (GET answers 405 to everyone): the matrix posts an empty form,
# and an allowed role gets this answer (the empty form is invalid: shown again with 422, or
# the view redirects back with a message).
POST_ONLY = {
    "activity_sync": 422,  # an empty entry is refused with its reasons
    "volunteer_invite": 302,
    "training_session_add": 422,
    "training_enrol": 422,
    "match_action": 302,
    "selfhelp_status": 302,
    "selfhelp_follow_up": 302,
    "report_generate": 302,
    "report_unpublish": 302,
    "report_new_version": 302,
    "member_unlock": 302,
}

# Object-level rules on top of the role table: {url name: {role: answer}}, each with why.
OBJECT_RULES = {
    # Funders never see participant-level data; the view refuses outright.
    "participant_detail": {Role.FUNDER: 403},
    # A certificate is for coordinators and the volunteer it belongs to: the other roles are
    # refused by role, as the role table says (another volunteer's is a 404, below).
    "training_certificate": {Role.SUPERVISOR: 403, Role.FUNDER: 403},
    # The fixture's report is published, so it is frozen: editing leads back to it.
    "report_edit": {Role.COORDINATOR: 302},
    # Publishing asks first; the fixture's report is published already: back to it.
    "report_publish": {Role.COORDINATOR: 302},
}


def scoped_expectation(name: str, callback, role: str) -> int | str:
    if role == ANONYMOUS:
        return LOGIN
    if role in (OUTSIDER, STAFF, ORGANISATION_COORDINATOR):
        return 404  # an organisation's coordinator is not a member of its programs by that
    if role in OBJECT_RULES.get(name, {}):
        return OBJECT_RULES[name][role]
    if view_permission(callback) in ROLE_PERMISSIONS[role]:
        return POST_ONLY.get(name, 200)
    return 403


def organisation_expectation(callback, role: str) -> int | str:
    """Organisation pages (``/o/<organisation_slug>/…``): its members by the organisation's
    role table; everyone else, the program's own coordinator included, is not a member."""
    if role == ANONYMOUS:
        return LOGIN
    if role == ORGANISATION_COORDINATOR:
        allowed = ORGANISATION_ROLE_PERMISSIONS[OrganisationMembership.Role.COORDINATOR]
        return 200 if view_permission(callback) in allowed else 403
    return 404


# ---- everything else ---------------------------------------------------------------------

# {route regex: {role: answer}}; ``"*"`` is every role not named. Each route must match one.
ADMIN_RULE = {ANONYMOUS: ADMIN_LOGIN, STAFF: 200, "*": ADMIN_LOGIN}
OTHER_URLS = {
    # Staff are signed in already; a member who is not staff is sent to their own start page.
    r"admin/login/": {ANONYMOUS: 200, "*": 302},
    r"admin/logout/": {STAFF: 405, "*": 302},  # POST only; others go to the admin index
    r"admin/autocomplete/": {STAFF: 403, "*": ADMIN_LOGIN},  # 403 without its parameters
    # History records and logs are written by Lotse (and django-axes), never added by hand.
    r"admin/(django_tasks_database/dbtaskresult|volunteers/volunteerstatuschange"
    r"|referrals/referralevent|programs/securityevent|axes/\w+|auditlog/logentry)/add/": {
        STAFF: 403,
        "*": ADMIN_LOGIN,
    },
    r"admin/password_change/done/": ADMIN_RULE,
    r"admin/password_change/": ADMIN_RULE,
    # Views with an object id (change, delete, history, view on site) are guarded by the same
    # AdminSite.admin_view as the lists; the lists and add forms stand for them.
    r"admin/.*<.+>.*": None,
    r"admin/\^.*": None,  # the app index: same guard
    r"admin/\(\?P<url>\.\*\)\$": None,  # the catch-all: 404 to staff, login to others
    r"admin/.*": ADMIN_RULE,
    r"i18n/setlang/": {"*": 302},  # changes the language, then goes back
    # The translated strings of the scripts, and the installable app's worker and manifest.
    r"jsi18n/": {"*": 200},
    r"sw.js": {"*": 200},
    r"manifest.webmanifest": {"*": 200},
    r"accounts/login/": {"*": 200},
    # Setting up or entering the second factor (tests/test_two_factor.py tests the flow).
    r"accounts/2fa/(setup|verify)/": {ANONYMOUS: LOGIN, "*": 200},
    # An invitation link; a damaged one says so (tests/volunteers/test_invitations.py).
    r"accounts/invitation/<str:token>/": {"*": 400},
    r"accounts/logout/": {"*": 405},  # POST only
    r"accounts/password_change/done/": {ANONYMOUS: LOGIN, "*": 200},
    r"accounts/password_change/": {ANONYMOUS: LOGIN, "*": 200},
    r"accounts/password_reset/done/": {"*": 200},
    r"accounts/password_reset/": {"*": 200},
    r"accounts/reset/done/": {"*": 200},
    r"accounts/reset/<uidb64>/<token>/": {"*": 200},  # an invalid link: explains it
    # The user's programs; a member of exactly one goes straight to it.
    r"": {ANONYMOUS: LOGIN, STAFF: 200, "*": 302},
    # The published reports of every program the user may download reports of.
    r"reports/": {ANONYMOUS: LOGIN, "*": 200},
}
# Requests for the routes above that need arguments.
OTHER_ARGS = {
    "accounts/reset/<uidb64>/<token>/": ["MQ", "set-password"],
    "accounts/invitation/<str:token>/": ["damaged"],
}


def other_expectation(route: str, role: str):
    for regex, rule in OTHER_URLS.items():
        if re.fullmatch(regex, route):
            if rule is None:
                return None
            return rule.get(role, rule.get("*"))
    raise AssertionError(f"{route}: no expectation declared in OTHER_URLS")


def matches(response, expected, path) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.url == redirect_to_login(path).url
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    return response.status_code == expected


# ---- the test ----------------------------------------------------------------------------


def test_every_url_has_a_declared_expectation():
    for route, pattern in SCOPED:
        name = pattern.name
        assert name, f"{route} has no name"
        assert view_permission(pattern.callback), f"{name} is not behind programs.access"
        converters = set(pattern.pattern.converters)
        declared = set(URL_ARGS[name](_ANY)) if name in URL_ARGS else set()
        assert converters <= declared, f"{name}: add its path parameters to URL_ARGS"

    for route, pattern in ORGANISATION_SCOPED:
        assert pattern.name, f"{route} has no name"
        assert view_permission(pattern.callback), f"{pattern.name} is not behind programs.access"
        assert set(pattern.pattern.converters) <= {"organisation_slug"}, pattern.name

    for route, _pattern in OTHER:
        for role in ROLES:
            other_expectation(route, role)


class _Any:
    def __getattr__(self, name):
        return self

    pk = 1


_ANY = _Any()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_role_table_says_on_every_url(client, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    wrong = []

    for _route, pattern in SCOPED:
        name = pattern.name
        if set(pattern.pattern.converters) - set(URL_ARGS.get(name, lambda w: {})(world)):
            wrong.append(f"{name}: no declared expectation (add its path parameters to URL_ARGS)")
            continue
        kwargs = {"program_slug": world.program.slug, **URL_ARGS.get(name, lambda w: {})(world)}
        path = reverse(name, kwargs=kwargs)
        expected = scoped_expectation(name, pattern.callback, role)
        # Each request's writes are rolled back, so every URL sees the same world.
        with transaction.atomic():
            if name in POST_ONLY:
                assert client.get(path).status_code == 405, f"{name} answers GET"
                response = client.post(path)
            else:
                response = client.get(path)
            transaction.set_rollback(True)
        if not matches(response, expected, path):
            wrong.append(f"{name}: expected {expected}, got {response.status_code}")

    organisation_slug = world.program.lead_organisation.slug
    for _route, pattern in ORGANISATION_SCOPED:
        path = reverse(pattern.name, kwargs={"organisation_slug": organisation_slug})
        expected = organisation_expectation(pattern.callback, role)
        response = client.get(path)
        if not matches(response, expected, path):
            wrong.append(f"{pattern.name}: expected {expected}, got {response.status_code}")

    for route, pattern in OTHER:
        expected = other_expectation(route, role)
        if expected is None:
            continue
        path = "/" + route
        if route in OTHER_ARGS:
            path = reverse(pattern.name, args=OTHER_ARGS[route])
        response = client.get(path)
        if not matches(response, expected, path):
            wrong.append(f"/{route}: expected {expected}, got {response.status_code}")

    assert not wrong, f"{role}:\n" + "\n".join(wrong)


# ---- object level: guessing ids does not help --------------------------------------------


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def other_volunteer(world):
    user = UserFactory(username="other-volunteer@example.org")
    MembershipFactory(user=user, program=world.program, role=Role.VOLUNTEER)
    volunteer = VolunteerFactory(program=world.program, user=user)
    return user, volunteer


def test_a_volunteer_cannot_open_another_volunteers_session(client, world, other_volunteer):
    user, volunteer = other_volunteer
    theirs = ActivityFactory(program=world.program, date=timezone.localdate(), logged_by=user)
    theirs.facilitators.add(volunteer)
    client.force_login(world.users[Role.VOLUNTEER])
    url = reverse("activity_edit", args=[world.program.slug, theirs.pk])
    assert client.get(url).status_code == 404


def test_a_volunteer_cannot_open_a_participant_they_never_met(client, world):
    stranger = ParticipantFactory(program=world.program)
    referral = ReferralFactory(program=world.program, participant=stranger)
    client.force_login(world.users[Role.VOLUNTEER])
    slug = world.program.slug
    assert client.get(reverse("participant_detail", args=[slug, stranger.pk])).status_code == 404
    assert client.get(reverse("referral_detail", args=[slug, referral.pk])).status_code == 404
    # The one they met opens.
    met = reverse("participant_detail", args=[slug, world.participant.pk])
    assert client.get(met).status_code == 200


# What a volunteer gets for a referral another volunteer made for a person both of them met,
# on every URL that names a referral, GET and (for the steps) POST: as for a record outside
# their scope, it is not found; where the role itself is refused, that answer stays.
ANOTHER_VOLUNTEERS_REFERRAL = {
    ("referral_detail", "GET"): 404,
    ("referral_detail", "POST"): 404,  # a step (also where volunteers send referrals)
    ("referral_edit", "GET"): 403,
    ("referral_edit", "POST"): 403,
}


@pytest.fixture
def another_volunteers_referral(world, other_volunteer):
    """A referral the other volunteer proposed for the participant both volunteers met, sent
    by a coordinator and followed up with an outcome."""
    user, volunteer = other_volunteer
    talk = ActivityFactory(
        program=world.program, attendees_total=1, attendees_women=1, attendees_men=0
    )
    talk.facilitators.add(volunteer)
    talk.participants.add(world.participant)
    world.participant.consent_on = dt.date(2024, 1, 2)
    world.participant.consent_scope = "evaluation"
    world.participant.save()
    return ReferralFactory(
        program=world.program,
        participant=world.participant,
        provider=ServiceProviderFactory(program=world.program, name="Praxis Dr. Therapeutin"),
        created_by=user,
        status="sent",
        consent_to_share=True,
        consent_on=dt.date(2024, 3, 1),
        sent_on=dt.date(2024, 3, 1),
        outcome="Diagnosed with PTSD",
    )


def test_every_referral_url_refuses_a_volunteer_another_volunteers_referral(
    client, world, another_volunteers_referral
):
    theirs = another_volunteers_referral
    world.program.volunteers_may_send_referrals = True
    world.program.save()
    client.force_login(world.users[Role.VOLUNTEER])
    names = {name for name, _method in ANOTHER_VOLUNTEERS_REFERRAL}
    assert {name for name in URL_ARGS if name.startswith("referral_")} == names, (
        "declare every URL that names a referral in ANOTHER_VOLUNTEERS_REFERRAL"
    )
    wrong = []
    for (name, method), expected in ANOTHER_VOLUNTEERS_REFERRAL.items():
        path = reverse(name, args=[world.program.slug, theirs.pk])
        with transaction.atomic():
            if method == "GET":
                response = client.get(path)
            else:
                step = {"to_status": "accepted", "accepted-to_status": "accepted"}
                response = client.post(path, {**step, "accepted-version": theirs.version})
            transaction.set_rollback(True)
        if response.status_code != expected:
            wrong.append(f"{method} {name}: expected {expected}, got {response.status_code}")
        assert b"Diagnosed with PTSD" not in response.content
    assert not wrong, "\n".join(wrong)
    theirs.refresh_from_db()
    assert theirs.status == "sent"
    # Their own referral, to the same person, still opens.
    own = reverse("referral_detail", args=[world.program.slug, world.referral.pk])
    assert client.get(own).status_code == 200


def _export(client, url, fmt: str) -> bytes:
    """The text of a list's export, the cells of an XLSX joined by spaces."""
    response = client.get(url, {"export": fmt})
    assert response.status_code == 200, fmt
    if fmt == "csv":
        return b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(response.content)).active
    return " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row).encode()


def test_the_referral_list_and_its_exports_leave_out_another_volunteers_referral(
    client, world, another_volunteers_referral
):
    client.force_login(world.users[Role.VOLUNTEER])
    url = reverse("referral_list", args=[world.program.slug])
    detail = reverse("referral_detail", args=[world.program.slug, another_volunteers_referral.pk])
    own = reverse("referral_detail", args=[world.program.slug, world.referral.pk])
    # The rows link to the referrals (the filter offers every service of the directory).
    page = client.get(url).content.decode()
    assert f'href="{own}"' in page
    assert f'href="{detail}"' not in page
    for fmt in ("csv", "xlsx"):
        content = _export(client, url, fmt)
        assert world.provider.name.encode() in content, fmt
        assert b"Praxis Dr. Therapeutin" not in content, fmt
    # The coordinator's export has both.
    client.force_login(world.users[Role.COORDINATOR])
    content = _export(client, url, "csv")
    assert b"Praxis Dr. Therapeutin" in content and world.provider.name.encode() in content


def test_a_volunteer_cannot_open_another_volunteers_certificate(client, world, other_volunteer):
    _, volunteer = other_volunteer
    theirs = EnrollmentFactory(
        training=world.training,
        volunteer=volunteer,
        status="completed",
        completed_on=dt.date(2024, 5, 1),
    )
    client.force_login(world.users[Role.VOLUNTEER])
    url = reverse("training_certificate", args=[world.program.slug, world.training.pk, theirs.pk])
    assert client.get(url).status_code == 404


def test_a_coordinator_cannot_reach_another_programs_records_through_their_own(client, world):
    other = build_other_program_records()
    client.force_login(world.users[Role.COORDINATOR])
    slug = world.program.slug
    for name, pk in [
        ("participant_detail", other["participant"].pk),
        ("activity_detail", other["activity"].pk),
        ("referral_detail", other["referral"].pk),
        ("volunteer_detail", other["volunteer"].pk),
        ("supervision_detail", other["supervision"].pk),
        ("site_detail", other["site"].pk),
    ]:
        assert client.get(reverse(name, args=[slug, pk])).status_code == 404, name


def build_other_program_records() -> dict:
    program = ProgramFactory()
    return {
        "participant": ParticipantFactory(program=program),
        "activity": ActivityFactory(program=program),
        "referral": ReferralFactory(program=program),
        "volunteer": VolunteerFactory(program=program),
        "supervision": SupervisionSessionFactory(program=program),
        "site": SiteFactory(program=program),
    }
