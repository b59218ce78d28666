"""A volunteer logs sessions on a phone, online or not: every save goes into the browser's queue
first and, online, is sent at once, the volunteer staying on the form. Without a connection the
sessions wait in the queue, are sent once each when it is back, and a refused one waits to be
corrected; one the server refuses at once comes back with the errors at their fields."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from programs.models import ActivityKind, Membership
from sessions_log.models import Activity

from ..factories import (
    PASSWORD,
    ActivityFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LOG = "/p/in2balance/log/"


@pytest.fixture
def layla():
    program = ProgramFactory(
        name="in2balance",
        slug="in2balance",
        activity_kinds=[ActivityKind.GROUP, ActivityKind.ONE_TO_ONE],
    )
    SiteFactory(program=program, name="Unterkunft Nord")
    SiteFactory(program=program, name="Unterkunft Süd")
    user = UserFactory(username="layla@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    return VolunteerFactory(program=program, user=user, name="Layla Haddad")


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, username=None):
    page.get_by_label("Username").fill(username or "layla@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_app(page, live_server):
    """Sign in on the log form and let the service worker take over and keep the form."""
    page.goto(f"{live_server.url}/accounts/login/?next={LOG}")
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # now through the worker, which keeps a copy
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    page.wait_for_function(
        "async () => (await caches.keys()).some((name) => name.startsWith('lotse-pages-'))"
    )


def saved_answer(page):
    return (
        page.locator("#offline-queue")
        .get_by_role("status")
        .filter(has_text="Your session was saved")
    )


def log_group_session(page, people, *, day=None):
    page.get_by_label("Group session").check()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    if day is not None:
        page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("People attending").fill(str(people))
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_role("button", name="Save session").click()
    # Done (kept on this device or sent) once the form is empty and ready again: only then may
    # the test change the connection or type the next session.
    expect(page.get_by_label("People attending")).to_have_value("")
    expect(page.get_by_role("button", name="Save session")).to_be_enabled()


def test_three_sessions_logged_offline_arrive_once_each(phone, live_server, layla, csp_violations):
    page = phone
    open_app(page, live_server)

    page.context.set_offline(True)
    expect(page.get_by_text("You are offline.")).to_be_visible()
    for people in (5, 7, 9):
        log_group_session(page, people)
        expect(page.get_by_text("Saved on this device.")).to_be_visible()
    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("3 sessions waiting to send")
    # The form is empty again, with the kind and site logged last already chosen.
    expect(page.get_by_label("People attending")).to_have_value("")
    expect(page.get_by_label("Group session")).to_be_checked()
    # Opened again without a connection: the kept copy, with the queue.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(queue).to_contain_text("3 sessions waiting to send")
    save_screenshot(page, "offline-queue")
    assert Activity.objects.count() == 0

    page.context.set_offline(False)
    expect(queue).to_contain_text("3 sessions were sent and saved.")
    expect(queue).not_to_contain_text("waiting to send")
    assert sorted(Activity.objects.values_list("attendees_total", flat=True)) == [5, 7, 9]
    keys = set(Activity.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 3 and None not in keys

    # Opening the form again sends nothing twice.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    page.wait_for_timeout(500)
    assert Activity.objects.count() == 3
    assert csp_violations == []


def test_a_refused_entry_shows_the_servers_message_and_can_be_corrected(phone, live_server, layla):
    page = phone
    open_app(page, live_server)
    page.context.set_offline(True)
    log_group_session(page, 6, day=dt.date.today() + dt.timedelta(days=3))
    log_group_session(page, 8)
    page.context.set_offline(False)

    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("1 session was sent and saved.")
    expect(queue).to_contain_text("1 session was not saved: please correct it.")
    expect(queue).to_contain_text("1 session waiting to send")
    expect(queue.get_by_role("alert")).to_contain_text("Please correct it and send it again.")
    expect(queue).to_contain_text("future")
    assert list(Activity.objects.values_list("attendees_total", flat=True)) == [8]

    queue.get_by_role("button", name="Correct").click()
    expect(page.get_by_label("People attending")).to_have_value("6")
    page.get_by_label("Date").fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Save session").click()
    expect(saved_answer(page)).to_be_focused()
    expect(queue).not_to_contain_text("waiting to send")
    expect(queue.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("People attending")).to_have_value("")
    assert sorted(Activity.objects.values_list("attendees_total", flat=True)) == [6, 8]

    page.goto(f"{live_server.url}{LOG}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(queue).to_be_hidden()
    assert Activity.objects.count() == 2


def test_a_queue_held_up_by_an_expired_sign_in_is_sent_after_signing_in(phone, live_server, layla):
    page = phone
    open_app(page, live_server)
    page.context.set_offline(True)
    log_group_session(page, 4)
    Session.objects.all().delete()  # 30 idle minutes later
    page.context.clear_cookies(name="sessionid")
    page.context.set_offline(False)

    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("Your sign-in has expired")
    expect(queue).to_contain_text("1 session waiting to send")
    assert Activity.objects.count() == 0
    queue.get_by_role("link", name="Sign in").click()
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(queue).to_contain_text("1 session was sent and saved.")
    assert Activity.objects.get().attendees_total == 4


def test_logging_out_forgets_the_queue_and_the_kept_pages(phone, live_server, layla):
    page = phone
    open_app(page, live_server)
    page.context.set_offline(True)
    log_group_session(page, 4)
    page.context.set_offline(False)
    expect(page.locator("#offline-queue")).to_contain_text("1 session was sent and saved.")

    page.get_by_role("button", name="Toggle navigation").click()
    account = page.get_by_role("button", name=layla.user.username)
    expect(account).to_be_visible()
    page.wait_for_timeout(400)  # the menu has unfolded
    account.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert (
        page.evaluate(
            "async () => (await caches.keys()).filter((n) => n.startsWith('lotse-pages-'))"
        )
        == []
    )
    # Only Workbox's own store of when kept pages were cached may stay (addresses and times,
    # held open by the service worker); the user's queue and lists are gone.
    databases = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert [name for name in databases if name != "workbox-expiration"] == []
    assert (
        page.evaluate("() => Object.keys(localStorage).filter((n) => n.startsWith('lotse-'))") == []
    )


def test_a_repeat_one_to_one_takes_six_taps_or_fewer(phone, live_server, layla):
    page = phone
    program = layla.program
    # People she met before.
    for code in ("P-36DTT", "P-1A2B3", "P-4C5D6", "P-7E8F9"):
        earlier = ActivityFactory(program=program, kind=ActivityKind.ONE_TO_ONE)
        earlier.facilitators.add(layla)
        earlier.participants.add(ParticipantFactory(program=program, code=code))
    open_app(page, live_server)
    # The first one-to-one of the day: kind and site are chosen once.
    page.get_by_label("One-to-one talk").check()
    page.locator("#id_site").select_option(label="Unterkunft Süd")
    page.get_by_role("checkbox", name="P-36DTT").check()
    page.get_by_role("button", name="Save session").click()
    expect(saved_answer(page)).to_be_visible()

    taps = 0

    def tap(action):
        nonlocal taps
        taps += 1
        action()

    # The next one right away, on the same form.
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page.get_by_role("checkbox", name="P-36DTT")).not_to_be_checked()
    expect(page.get_by_label("One-to-one talk")).to_be_checked()
    expect(page.locator("#id_site option:checked")).to_have_text("Unterkunft Süd")
    expect(page.get_by_label("People attending")).to_be_hidden()
    tap(lambda: page.get_by_placeholder("Search by code").fill("36d"))
    expect(page.get_by_role("checkbox", name="P-1A2B3")).to_be_hidden()
    tap(lambda: page.get_by_role("checkbox", name="P-36DTT").check())
    tap(lambda: page.get_by_label("Duration (minutes)").fill("45"))
    tap(lambda: page.get_by_role("button", name="Save session").click())
    expect(saved_answer(page)).to_be_focused()
    expect(page.get_by_label("Duration (minutes)")).to_have_value("")

    assert taps <= 6
    assert Activity.objects.count() == 6
    latest = Activity.objects.order_by("-pk").first()
    assert (latest.kind, latest.site.name, latest.minutes) == ("one_to_one", "Unterkunft Süd", 45)
    assert list(latest.participants.values_list("code", flat=True)) == ["P-36DTT"]


def test_the_log_page_fits_a_phone(phone, live_server, layla):
    page = phone
    open_app(page, live_server)
    for kind in ("Group session", "One-to-one talk"):
        page.get_by_label(kind).check()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.context.set_offline(True)
    log_group_session(page, 3)
    expect(page.locator("#offline-queue")).to_contain_text("1 session waiting to send")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.context.set_offline(False)
    expect(page.locator("#offline-queue")).to_contain_text("1 session was sent and saved.")


def test_the_arabic_log_page_reads_right_to_left_and_saves_a_session(phone, live_server, layla):
    page = phone
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/?next={LOG}")
    page.locator("input[name=username]").fill("layla@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("تسجيل جلسة")  # "Log a session"
    assert page.evaluate("() => [document.documentElement.lang, document.dir]") == ["ar", "rtl"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.locator("input[name=kind][value=group]").check()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    page.locator("#id_attendees_total").fill("6")
    page.locator("#id_minutes").fill("90")
    page.get_by_role("button", name="حفظ الجلسة").click()  # "Save session"
    answer = page.locator("#offline-queue").get_by_role("status")
    expect(answer.filter(has_text="تم حفظ جلستك. شكرًا لك!")).to_be_focused()  # "…saved…"
    expect(answer.get_by_role("link", name="جلساتي")).to_be_visible()  # "My sessions"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert list(Activity.objects.values_list("attendees_total", "minutes")) == [(6, 90)]


def test_two_sessions_saved_online_arrive_once_each_and_the_form_stays(
    phone, live_server, layla, csp_violations
):
    page = phone
    open_app(page, live_server)
    page.evaluate("() => { window.neverLeft = true; }")  # gone if another page were loaded
    queue = page.locator("#offline-queue")
    for people in (5, 7):
        log_group_session(page, people)
        expect(saved_answer(page)).to_be_focused()
        expect(page.get_by_label("People attending")).to_have_value("")
        expect(page.get_by_label("Group session")).to_be_checked()
        expect(page.locator("#id_site option:checked")).to_have_text("Unterkunft Nord")
        expect(page.get_by_role("button", name="Save session")).to_be_enabled()
    expect(queue).not_to_contain_text("waiting to send")
    assert page.evaluate("() => window.neverLeft") is True
    assert page.url == f"{live_server.url}{LOG}"
    assert sorted(Activity.objects.values_list("attendees_total", flat=True)) == [5, 7]
    keys = set(Activity.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2 and None not in keys
    assert csp_violations == []


def test_a_session_refused_online_shows_the_error_at_its_field(phone, live_server, layla):
    page = phone
    open_app(page, live_server)
    page.get_by_label("Group session").check()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    page.get_by_label("People attending").fill("4")
    # More women and men than people: only the server knows this rule.
    page.get_by_label("Women", exact=True).fill("3")
    page.get_by_label("Men", exact=True).fill("3")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_text("Please check the fields marked below.")).to_be_visible()
    women = page.get_by_label("Women", exact=True)
    expect(women).to_have_attribute("aria-invalid", "true")
    expect(
        page.locator(".invalid-feedback").filter(has=page.get_by_text("Women and men"))
    ).to_contain_text("Women and men together cannot be more than the 4 attending.")
    expect(women).to_have_value("3")  # nothing typed was lost
    expect(page.locator("#offline-queue")).to_be_hidden()  # not kept to be sent again
    assert Activity.objects.count() == 0

    # Corrected, it is saved in place; the errors go, and the form is empty again.
    page.get_by_label("Men", exact=True).fill("1")
    page.get_by_role("button", name="Save session").click()
    expect(saved_answer(page)).to_be_focused()
    expect(page.get_by_text("Please check the fields marked below.")).to_have_count(0)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    expect(women).to_have_value("")
    expect(women).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Group session")).to_be_checked()
    expect(page.locator("#id_site option:checked")).to_have_text("Unterkunft Nord")
    assert list(
        Activity.objects.values_list("attendees_total", "attendees_women", "attendees_men")
    ) == [(4, 3, 1)]


def no_server_for_sends(page, live_server) -> tuple[str, list]:
    """Sends to the sync URL reach no server, as on Wi-Fi that dropped while the browser
    still counts as online; returns the URL (for ``page.unroute``) and the sends refused."""
    sync = f"{live_server.url}/p/in2balance/log/sync/"
    refused = []

    def refuse(route):
        refused.append(route.request)
        route.abort()

    page.route(sync, refuse)
    return sync, refused


def test_a_save_whose_sending_fails_waits_in_the_queue_and_is_sent_later(phone, live_server, layla):
    page = phone
    open_app(page, live_server)
    sync, _refused = no_server_for_sends(page, live_server)
    log_group_session(page, 6)

    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("Saved on this device.")
    expect(queue).to_contain_text("1 session waiting to send")
    expect(page.get_by_label("People attending")).to_have_value("")
    expect(saved_answer(page)).to_have_count(0)
    assert Activity.objects.count() == 0

    page.unroute(sync)
    queue.get_by_role("button", name="Send now").click()
    expect(queue).to_contain_text("1 session was sent and saved.")
    expect(queue).not_to_contain_text("waiting to send")
    assert Activity.objects.get().attendees_total == 6


def test_a_save_that_reached_no_server_is_tried_again_while_the_page_is_open(
    phone, live_server, layla
):
    """Shelter Wi-Fi that drops and comes back without the browser going offline: the session
    waits, and is sent by itself half a minute later, once."""
    page = phone
    page.clock.install()
    open_app(page, live_server)
    sync, refused = no_server_for_sends(page, live_server)
    log_group_session(page, 7)
    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("1 session waiting to send")

    page.clock.run_for("00:31")  # still no server: it keeps waiting
    for _ in range(100):  # until that second try was refused, not still on its way
        if len(refused) == 2:
            break
        page.wait_for_timeout(50)
    assert len(refused) == 2
    expect(queue).to_contain_text("1 session waiting to send")
    assert Activity.objects.count() == 0

    page.unroute(sync)
    sends = []
    page.on("request", lambda request: sends.append(request) if request.url == sync else None)
    page.clock.run_for("00:31")
    expect(queue).to_contain_text("1 session was sent and saved.")
    expect(queue).not_to_contain_text("waiting to send")
    assert len(sends) == 1
    page.clock.run_for("01:01")  # nothing left to send: nothing is sent again
    assert len(sends) == 1
    assert Activity.objects.get().attendees_total == 7
