"""A volunteer on a phone logs a group session and a one-to-one with someone new, staying on the
form from one session to the next; a browser without IndexedDB posts the form as it always did."""

import pytest
from playwright.sync_api import expect

from programs.models import ActivityKind, Language, Membership, Participant
from sessions_log.models import Activity

from ..factories import (
    MembershipFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot
from .test_login_flow import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def volunteer():
    program = ProgramFactory(
        name="in2balance",
        slug="in2balance",
        activity_kinds=[ActivityKind.GROUP, ActivityKind.ONE_TO_ONE, ActivityKind.INFO_EVENT],
    )
    shelter = SiteFactory(program=program, name="Unterkunft Nord")
    SiteFactory(program=program, name="Unterkunft Süd")
    user = UserFactory(username="layla@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    layla = VolunteerFactory(program=program, user=user, name="Layla Haddad")
    layla.usual_sites.add(shelter)
    layla.languages.add(Language.objects.get(code="ar"))
    VolunteerFactory(program=program, name="Jonas Weber")
    return layla


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(5_000)
    yield page
    context.close()


# A browser that refuses IndexedDB (some private modes): the form is posted the classic way.
WITHOUT_INDEXEDDB = "delete window.indexedDB;"


def saved_answer(page):
    """The answer to a saved session, shown above the form in place of another page."""
    return page.get_by_role("status").filter(has_text="Your session was saved")


def open_log_form(page, live_server, volunteer):
    log_in(page, live_server, volunteer.user.username)
    page.get_by_role("button", name="Toggle navigation").click()
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Log a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")


def test_a_volunteer_logs_a_group_session_on_a_phone(phone, live_server, volunteer, csp_violations):
    page = phone
    open_log_form(page, live_server, volunteer)
    page.get_by_label("Group session").check()
    # Group kinds ask for head counts, not for named participants.
    expect(page.get_by_label("People attending")).to_be_visible()
    expect(page.get_by_text("Who took part?")).to_be_hidden()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    page.get_by_label("People attending").fill("14")
    page.get_by_label("Women", exact=True).fill("6")
    page.get_by_label("Men", exact=True).fill("5")
    page.get_by_label("Children", exact=True).fill("3")
    page.get_by_label("Co-facilitators").select_option(label="Jonas Weber")
    page.get_by_label("Languages spoken").select_option(["ar", "fa"])
    page.get_by_label("Sleep", exact=True).check()
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Notes", exact=True).fill("Many questions about sleep and nightmares.")
    expect(page.get_by_label("What happened?")).to_be_hidden()
    save_screenshot(page, "log-session-group")
    page.get_by_role("button", name="Save session").click()

    # Saved in place: the answer is read out, and the form is ready for the next session with
    # the kind and site logged last.
    answer = saved_answer(page)
    expect(answer).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page.get_by_label("People attending")).to_have_value("")
    expect(page.get_by_label("Notes", exact=True)).to_have_value("")
    expect(page.get_by_label("Sleep", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Group session")).to_be_checked()
    expect(page.locator("#id_site option:checked")).to_have_text("Unterkunft Nord")
    expect(answer.get_by_role("link", name="Refer someone to a service")).to_have_count(0)
    expect(page.locator("#offline-queue")).not_to_contain_text("waiting to send")
    save_screenshot(page, "log-session-saved")
    assert Activity.objects.count() == 1

    answer.get_by_role("link", name="My sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    session = page.get_by_role("listitem").filter(has_text="Unterkunft Nord")
    expect(session).to_contain_text("Group session")
    expect(session).to_contain_text("14 attending")
    expect(session).to_contain_text("can be changed until")
    save_screenshot(page, "my-sessions")
    activity = Activity.objects.get()
    assert (activity.attendees_total, activity.attendees_women, activity.minutes) == (14, 6, 90)
    assert sorted(v.name for v in activity.facilitators.all()) == ["Jonas Weber", "Layla Haddad"]
    assert csp_violations == []


def test_a_volunteer_logs_a_one_to_one_with_someone_new(
    phone, live_server, volunteer, csp_violations
):
    page = phone
    open_log_form(page, live_server, volunteer)
    page.get_by_label("One-to-one talk").check()
    expect(page.get_by_label("People attending")).to_be_hidden()
    page.locator("#id_site").select_option(label="Unterkunft Nord")
    page.get_by_label("Notes", exact=True).fill("First talk; she is worried about her son.")
    page.get_by_text("Someone new? Add a participant").click()
    page.get_by_label("Year of birth").fill("1984")
    page.locator("#id_qc-gender").select_option("female")
    page.locator("#id_qc-languages").select_option(["ar"])
    page.locator("#id_qc-consent_scope").select_option("support")
    page.locator("#id_qc-consent_on").fill("2024-05-02")
    page.get_by_role("button", name="Add participant").click()

    expect(page.get_by_text("was added and is ticked above")).to_be_visible()
    participant = page.get_by_role("checkbox", name=Participant.objects.get().code)
    expect(participant).to_be_checked()
    # Nothing typed was lost while the participant was added.
    expect(page.get_by_label("Notes", exact=True)).to_have_value(
        "First talk; she is worried about her son."
    )
    expect(page.get_by_label("One-to-one talk")).to_be_checked()
    save_screenshot(page, "log-session-one-to-one")
    page.get_by_role("button", name="Save session").click()

    answer = saved_answer(page)
    expect(answer).to_be_focused()
    # After a one-to-one the volunteer may refer someone on, from here.
    expect(answer.get_by_role("link", name="Refer someone to a service")).to_be_visible()
    # The next session starts with no one ticked, the one just added neither.
    expect(participant).not_to_be_checked()
    expect(page.get_by_text("was added and is ticked above")).to_have_count(0)
    expect(page.get_by_label("One-to-one talk")).to_be_checked()
    activity = Activity.objects.get()
    person = Participant.objects.get()
    assert list(activity.participants.all()) == [person]
    assert (activity.kind, activity.attendees_total, activity.attendees_women) == (
        "one_to_one",
        1,
        1,
    )
    assert person.site.name == "Unterkunft Nord"
    answer.get_by_role("link", name="Refer someone to a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer to a service")
    expect(page.get_by_role("combobox", name="Participant")).to_have_value(str(person.pk))
    assert csp_violations == []


def test_a_double_submit_saves_one_session_and_the_form_is_ready_again(
    phone, live_server, volunteer
):
    page = phone
    open_log_form(page, live_server, volunteer)
    page.get_by_label("Information event").check()
    page.locator("#id_site").select_option(label="Unterkunft Süd")
    page.get_by_label("People attending").fill("30")
    page.get_by_role("button", name="Save session").dblclick()
    expect(saved_answer(page)).to_be_visible()
    expect(page.get_by_role("button", name="Save session")).to_be_enabled()
    expect(page.get_by_label("People attending")).to_have_value("")
    expect(page.get_by_label("Information event")).to_be_checked()
    assert Activity.objects.count() == 1
    # The next one gets a key of its own.
    page.get_by_label("People attending").fill("12")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#offline-queue")).to_contain_text("Your session was saved")
    page.wait_for_function(
        "() => !document.querySelector('.js-log-form button[type=submit]').disabled"
    )
    assert sorted(Activity.objects.values_list("attendees_total", flat=True)) == [12, 30]


def test_without_indexeddb_a_double_submit_and_a_resubmit_leave_one_session(
    phone, live_server, volunteer
):
    page = phone
    page.add_init_script(WITHOUT_INDEXEDDB)
    open_log_form(page, live_server, volunteer)
    page.get_by_label("Information event").check()
    page.locator("#id_site").select_option(label="Unterkunft Süd")
    page.get_by_label("People attending").fill("30")
    page.get_by_role("button", name="Save session").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions", timeout=10_000)
    expect(page.get_by_role("alert")).to_contain_text("Your session was saved")
    assert Activity.objects.count() == 1

    # The back button brings the filled form back; sending it again lands on the first one.
    page.go_back()
    expect(page.get_by_role("button", name="Save session")).to_be_visible()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("alert")).to_contain_text("This session was already saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a session")
    save_screenshot(page, "activity-edit")
    assert Activity.objects.count() == 1
