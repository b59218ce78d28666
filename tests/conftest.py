"""The standard cast: alice coordinates a program, bob volunteers in it, charlie is outside."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import translation

from programs.models import Language, Membership

from .factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, tmp_path_factory):
    """On SQLite the test database is a file, not memory: the live server of the browser
    tests then opens its own connections instead of sharing the test thread's."""

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_database = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_database)


@pytest.fixture
def program(db):
    return ProgramFactory(name="in2balance", slug="in2balance")


@pytest.fixture
def other_program(db):
    return ProgramFactory(name="Livet går videre", slug="livet-gar-videre", country="DK")


def _member(program, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, program=program, role=role)
    return user


@pytest.fixture
def alice(program):
    return _member(program, Membership.Role.COORDINATOR, "alice@example.org")


@pytest.fixture
def bob(program):
    return _member(program, Membership.Role.VOLUNTEER, "bob@example.org")


@pytest.fixture
def charlie(other_program):
    return _member(other_program, Membership.Role.COORDINATOR, "charlie@example.org")


@pytest.fixture
def login(client):
    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    """django-axes needs the request in ``authenticate``, which ``client.login`` doesn't pass;
    the lockout has its own tests (tests/test_accounts_lockout.py) that switch it on."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """Ordinary tests sign in with a password only; tests/test_two_factor.py switches the
    requirement on."""
    settings.LOTSE_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _lists_fetch_nothing_lazily(monkeypatch):
    """A list column that reads a related record its queryset did not load fails the test
    (in production the page would fetch it for all rows at once)."""
    monkeypatch.setattr("programs.lists.LIST_FETCH_MODE", models.FETCH_RAISE)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through the locale middleware
    leaves its language active in the thread, which the next test would inherit."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached choice lists are per program id; ids come again after a rollback."""
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Background tasks run inline in tests, so their effects (e-mails) can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Languages and the topic catalogue come from data migrations. A transactional test (the
    browser tests, a migration test) ends with a flush that drops them, and whichever test
    runs next needs them back."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    load_reference_data()


def shown_date(day) -> str:
    """A date as English pages and lists show it: "6 Dec 2026" (config/formats/en)."""
    return f"{day.day} {day:%b %Y}"


def load_reference_data() -> None:
    """Put the languages and the topic catalogue back if a flush dropped them (also for
    fixtures that set up data for a whole module, before any test's own fixtures run)."""
    if not Language.objects.exists():
        importlib.import_module("programs.migrations.0002_languages").load_languages(apps, None)
        importlib.import_module("sessions_log.migrations.0002_topic_catalogue").load_catalogue(
            apps, None
        )
