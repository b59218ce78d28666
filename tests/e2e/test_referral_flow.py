"""A volunteer proposes a referral on a phone; a coordinator sends it and follows it through."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import ActivityKind, Language, Membership
from referrals.models import Category, Referral
from sessions_log.models import Activity

from ..conftest import shown_date
from ..factories import (
    PASSWORD,
    ActivityFactory,
    AreaFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgramFactory,
    ServiceProviderFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# Another directory can be given when several test runs share the working tree.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def cast():
    program = ProgramFactory(name="in2balance", slug="in2balance")
    coordinator = UserFactory(username="koordination@example.org")
    MembershipFactory(user=coordinator, program=program, role=Membership.Role.COORDINATOR)
    helper = UserFactory(username="laienhelfer@example.org")
    MembershipFactory(user=helper, program=program, role=Membership.Role.VOLUNTEER)
    volunteer = VolunteerFactory(program=program, user=helper, name="Rami Haddad")
    participant = ParticipantFactory(program=program, code="P-7K3Q9")
    talk = ActivityFactory(
        program=program,
        kind=ActivityKind.ONE_TO_ONE,
        date=timezone.localdate(),
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    talk.facilitators.add(volunteer)
    talk.participants.add(participant)
    area = AreaFactory(program=program, name="Innenstadt")
    psz = ServiceProviderFactory(
        program=program,
        name="PSZ Düsseldorf",
        category=Category.PSYCHOSOCIAL_CENTRE,
        area=area,
        phone="0211 123456",
        waiting_weeks=6,
        accepts_self_referral=True,
    )
    psz.languages.add(*Language.objects.filter(code__in=["ar", "prs", "de"]))
    ServiceProviderFactory(program=program, name="Rechtsberatung Nord", category=Category.LEGAL)
    # Something waiting too long, for the follow-up list and the figures.
    old = timezone.localdate() - dt.timedelta(days=30)
    other = ParticipantFactory(program=program, code="P-W4ITS")
    Referral.objects.create(
        program=program,
        participant=other,
        provider=psz,
        category=psz.category,
        status=Referral.Status.SENT,
        referred_on=old,
        sent_on=old,
        consent_to_share=True,
        consent_on=old,
    )
    return {"program": program, "coordinator": coordinator, "helper": helper, "talk": talk}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def step_form(page, button):
    return page.locator("form").filter(has=page.get_by_role("button", name=button))


def test_a_referral_goes_from_a_volunteers_proposal_to_attended(
    browser, live_server, cast, csp_violations
):
    base = f"{live_server.url}/p/in2balance"
    today = timezone.localdate().isoformat()

    # The volunteer, on a phone, right after the one-to-one.
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    log_in(page, live_server, "laienhelfer@example.org")
    page.goto(f"{base}/log/")
    page.get_by_label("One-to-one talk").check()
    page.get_by_role("checkbox", name="P-7K3Q9").check()
    page.get_by_role("button", name="Save session").click()
    # Saved in place; the answer leads on to the referral for this session.
    answer = page.get_by_role("status").filter(has_text="Your session was saved")
    expect(answer).to_be_focused()
    answer.get_by_role("link", name="Refer someone to a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer to a service")
    logged = Activity.objects.exclude(pk=cast["talk"].pk).get()
    assert page.url.endswith(f"/referrals/new/?activity={logged.pk}")
    expect(page.get_by_role("combobox", name="Participant")).to_have_value(
        str(cast["talk"].participants.get().pk)
    )
    page.get_by_role("combobox", name="Service").select_option(
        label="PSZ Düsseldorf · Psychosocial centre for refugees"
    )
    page.get_by_role("combobox", name="Urgency").select_option("soon")
    page.get_by_role("textbox", name="Note").fill(
        "Sleeps badly since the move, asks for someone who speaks Dari."
    )
    save_screenshot(page, "referral_create_volunteer_phone")
    page.get_by_role("button", name="Propose referral").click()
    expect(page.get_by_role("alert")).to_contain_text("The referral is proposed.")
    # The volunteer may only withdraw their proposal; sending is the coordinator's step.
    expect(page.get_by_role("button", name="Withdraw the proposal")).to_be_visible()
    expect(page.get_by_role("button", name="Send to the service")).to_have_count(0)
    save_screenshot(page, "referral_detail_volunteer_phone")
    page.goto(f"{base}/providers/")
    expect(page.get_by_role("link", name="PSZ Düsseldorf")).to_be_visible()
    save_screenshot(page, "provider_list_volunteer_phone")
    phone.close()
    assert violations == []

    # The coordinator, at a desk, sends it and follows it through.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    log_in(page, live_server, "koordination@example.org")
    page.get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    save_screenshot(page, "referral_list")
    page.get_by_role("row").filter(has_text="Proposed").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("P-7K3Q9")

    send = step_form(page, "Send to the service")
    send.get_by_label("The participant agreed").check()
    send.get_by_label("Consent given on").fill(today)
    send.get_by_label("Note").fill("Form faxed to the PSZ.")
    save_screenshot(page, "referral_detail_proposed")
    send.get_by_role("button", name="Send to the service").click()
    expect(page.get_by_role("alert")).to_contain_text("now “Sent”")

    step_form(page, "Accepted by the service").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text("now “Accepted”")

    # A colleague has the same referral open in another tab and is a moment too late.
    other_tab = desk.new_page()
    other_tab.goto(page.url)

    appointment = step_form(page, "Record an appointment")
    appointment.get_by_label("Appointment on").fill(today)
    appointment.get_by_role("button", name="Record an appointment").click()
    expect(page.get_by_role("alert")).to_contain_text("now “Appointment made”")

    late = step_form(other_tab, "Record an appointment")
    late.get_by_label("Appointment on").fill(today)
    late.get_by_label("Note").fill("Tuesday 10:00, interpreter for Dari booked.")
    late.get_by_role("button", name="Record an appointment").click()
    expect(other_tab.get_by_text("changed meanwhile by someone else")).to_be_visible()
    unsaved = other_tab.get_by_role("region", name="Your input was not saved")
    expect(unsaved.get_by_label("Note")).to_have_value(
        "Tuesday 10:00, interpreter for Dari booked."
    )
    save_screenshot(other_tab, "referral_changed_meanwhile")
    other_tab.close()

    attended = step_form(page, "Attended")
    attended.get_by_label("Outcome").fill(
        "First consultation took place; therapy in Dari from May."
    )
    attended.get_by_role("button", name="Attended").click()
    expect(page.get_by_role("alert")).to_contain_text("now “Attended”")
    history = page.get_by_role("list").filter(has_text="Form faxed to the PSZ.")
    expect(history.get_by_role("listitem")).to_have_count(5)
    save_screenshot(page, "referral_detail_attended")

    page.goto(f"{base}/referrals/follow-up/")
    sent_on = timezone.localdate() - dt.timedelta(days=30)
    expect(page.get_by_role("link", name=shown_date(sent_on))).to_be_visible()
    save_screenshot(page, "referral_follow_up")
    page.goto(f"{base}/referrals/figures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral figures")
    save_screenshot(page, "referral_stats")
    page.goto(f"{base}/providers/")
    save_screenshot(page, "provider_list")
    page.get_by_role("link", name="PSZ Düsseldorf").click()
    save_screenshot(page, "provider_detail")
    page.goto(f"{base}/providers/import/")
    save_screenshot(page, "provider_import")
    header = "name;category;languages;area;waiting_weeks;accepts_self_referral\n"
    page.get_by_label("CSV or Excel file").set_input_files(
        files=[
            {
                "name": "fachdienste.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "\ufeff"
                    + header
                    + "Hausarzt Dr. Yilmaz;general_medical;tr, ku;Innenstadt;1;ja\n"
                    "Traumaambulanz;Zahnarzt;xx;Süd;viele;ja\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Row 3, category")
    save_screenshot(page, "provider_import_errors")
    page.get_by_label("CSV or Excel file").set_input_files(
        files=[
            {
                "name": "fachdienste.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "\ufeff"
                    + header
                    + "Hausarzt Dr. Yilmaz;general_medical;tr, ku;Innenstadt;1;ja\n"
                    "Rechtsberatung Nord;legal;de, ar;;4;nein\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Importing adds 1 new services, updates 1")).to_be_visible()
    save_screenshot(page, "provider_import_preview")
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("alert")).to_contain_text("1 new, 1 updated")
    page.goto(f"{base}/providers/new/")
    save_screenshot(page, "provider_form")
    page.goto(f"{base}/referrals/")
    page.get_by_role("row").filter(has_text="P-W4ITS").get_by_role("link").click()
    page.get_by_role("link", name="Edit details").click()
    save_screenshot(page, "referral_edit")
    page.goto(f"{base}/referrals/inbound/new/")
    save_screenshot(page, "referral_inbound_create")
    desk.close()
    assert violations == []
    assert csp_violations == []

    referral = Referral.objects.get(participant__code="P-7K3Q9")
    assert referral.status == Referral.Status.ATTENDED
    assert referral.created_by == cast["helper"]
    assert [e.to_status for e in referral.events.order_by("pk")] == [
        "proposed",
        "sent",
        "accepted",
        "appointment",
        "attended",
    ]
