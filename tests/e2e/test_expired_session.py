"""A volunteer's sign-in expires while the log form is open: what was typed is kept in the
browser, sent once after signing in again, and never shown to anyone else.

The log form saves through the browser's queue (IndexedDB); a browser without IndexedDB posts
the form the classic way and keeps a copy in localStorage (keep-entry.js) instead."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from programs.models import ActivityKind, Membership
from sessions_log.models import Activity, Concern

from ..factories import (
    PASSWORD,
    MembershipFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CONCERN = "She has not slept for days and talks about giving up."
KEPT = "() => Object.keys(localStorage).filter((name) => name.startsWith('lotse-entry:'))"
# A browser that refuses IndexedDB (some private modes): the localStorage copy's path.
WITHOUT_INDEXEDDB = "delete window.indexedDB;"


@pytest.fixture
def program():
    return ProgramFactory(
        name="in2balance",
        slug="in2balance",
        activity_kinds=[ActivityKind.GROUP, ActivityKind.ONE_TO_ONE],
    )


def volunteer_of(program, username, name):
    user = UserFactory(username=username)
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    return VolunteerFactory(program=program, user=user, name=name)


@pytest.fixture
def layla(program):
    SiteFactory(program=program, name="Unterkunft Nord")
    return volunteer_of(program, "layla@example.org", "Layla Haddad")


@pytest.fixture
def jonas(program):
    return volunteer_of(program, "jonas@example.org", "Jonas Weber")


def sign_in(page, username):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def fill_in_a_session_with_a_concern(page, live_server, volunteer):
    page.goto(f"{live_server.url}/accounts/login/?next=/p/in2balance/log/")
    sign_in(page, volunteer.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    page.get_by_label("Group session").check()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    page.get_by_label("People attending").fill("9")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("I am worried about someone").check()
    page.get_by_label("What worries you?").select_option(index=1)
    page.get_by_label("High").check()
    page.get_by_label("What happened?").fill(CONCERN)


def let_the_sign_in_expire(page):
    """What 30 idle minutes do: the server no longer knows the session, the browser drops it."""
    Session.objects.all().delete()
    page.context.clear_cookies(name="sessionid")


def test_an_expired_sign_in_holds_the_session_in_the_queue_until_signing_in_again(
    page, live_server, layla, csp_violations
):
    page.set_default_timeout(10_000)
    fill_in_a_session_with_a_concern(page, live_server, layla)
    let_the_sign_in_expire(page)
    page.get_by_role("button", name="Save session").click()

    # Still on the form, emptied; the session waits on this device.
    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("Saved on this device. Your sign-in has expired")
    expect(queue).to_contain_text("1 session waiting to send")
    expect(page.get_by_label("What happened?")).to_have_value("")
    assert page.evaluate(KEPT) == []  # the queue holds it, not a second copy
    assert Activity.objects.count() == 0
    save_screenshot(page, "expired-session-queued")

    queue.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    sign_in(page, layla.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(queue).to_contain_text("1 session was sent and saved.")
    expect(queue).not_to_contain_text("waiting to send")
    activity = Activity.objects.get()
    assert (activity.kind, activity.attendees_total, activity.minutes) == ("group", 9, 60)
    assert Concern.objects.get().description == CONCERN

    # Opening the form again sends nothing a second time.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(queue).to_be_hidden()
    assert Activity.objects.count() == 1
    assert Concern.objects.count() == 1
    assert csp_violations == []


def test_without_indexeddb_an_expired_session_is_kept_and_saved_once_after_signing_in_again(
    page, live_server, layla, csp_violations
):
    page.set_default_timeout(10_000)
    page.add_init_script(WITHOUT_INDEXEDDB)
    fill_in_a_session_with_a_concern(page, live_server, layla)
    let_the_sign_in_expire(page)
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("status")).to_contain_text("is kept in this browser")
    save_screenshot(page, "expired-session-kept")
    assert Activity.objects.count() == 0

    sign_in(page, layla.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    expect(page.get_by_role("alert").first).to_contain_text(
        "was kept while you signed in again and is now saved"
    )
    activity = Activity.objects.get()
    assert (activity.kind, activity.attendees_total, activity.minutes) == ("group", 9, 60)
    assert Concern.objects.get().description == CONCERN
    assert page.evaluate(KEPT) == []

    # Opening the form again sends nothing a second time.
    page.get_by_role("link", name="Log a session").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page.get_by_label("What happened?")).to_have_value("")
    assert Activity.objects.count() == 1
    assert Concern.objects.count() == 1
    assert csp_violations == []


def test_another_user_signing_in_on_the_same_browser_gets_nothing(page, live_server, layla, jonas):
    page.set_default_timeout(10_000)
    page.add_init_script(WITHOUT_INDEXEDDB)
    fill_in_a_session_with_a_concern(page, live_server, layla)
    let_the_sign_in_expire(page)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert len(page.evaluate(KEPT)) == 1

    sign_in(page, jonas.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page.get_by_label("What happened?")).to_have_value("")
    expect(page.get_by_text("kept")).to_have_count(0)
    assert page.evaluate(KEPT) == []
    assert page.content().count(CONCERN) == 0
    assert Activity.objects.count() == 0


def test_logging_out_drops_what_was_kept(page, live_server, layla):
    page.set_default_timeout(10_000)
    page.add_init_script(WITHOUT_INDEXEDDB)
    fill_in_a_session_with_a_concern(page, live_server, layla)
    let_the_sign_in_expire(page)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    # Signed in without coming back to the form: the copy waits for the next visit to it.
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, layla.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("in2balance")
    assert len(page.evaluate(KEPT)) == 1

    page.get_by_role("button", name=layla.user.username).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert page.evaluate(KEPT) == []
    assert Activity.objects.count() == 0


def test_adding_a_participant_after_the_sign_in_expired_keeps_the_form_to_finish(
    page, live_server, layla, csp_violations
):
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/?next=/p/in2balance/log/")
    sign_in(page, layla.user.username)
    page.get_by_label("One-to-one talk").check()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    page.get_by_label("Notes", exact=True).fill("First talk; she is worried about her son.")
    page.get_by_text("Someone new? Add a participant").click()
    page.get_by_label("Year of birth").fill("1984")
    let_the_sign_in_expire(page)
    page.get_by_role("button", name="Add participant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    sign_in(page, layla.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page.get_by_role("status")).to_contain_text("Please check it and save it.")
    expect(page.get_by_label("One-to-one talk")).to_be_checked()
    expect(page.get_by_label("Notes", exact=True)).to_have_value(
        "First talk; she is worried about her son."
    )
    expect(page.get_by_label("Year of birth")).to_have_value("1984")
    expect(page.get_by_label("Year of birth")).to_be_visible()
    # Not sent: the volunteer was still filling it in.
    assert Activity.objects.count() == 0
    assert page.evaluate(KEPT) == []
    assert csp_violations == []
