"""A coordinator runs a training in the browser; a volunteer finds their own on a phone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import Membership
from volunteers.models import TrainingAttendance, Volunteer

from ..factories import (
    PASSWORD,
    EnrollmentFactory,
    MembershipFactory,
    ProgramFactory,
    SupervisionSessionFactory,
    TrainingFactory,
    TrainingSessionFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# Another pytest run may empty test-results/ (pytest-playwright does); a run can point elsewhere.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TODAY = timezone.localdate()


@pytest.fixture
def program():
    return ProgramFactory(
        name="in2balance",
        slug="in2balance",
        default_language="de",
        supervision_interval_days=30,
    )


@pytest.fixture
def coordinator(program):
    user = UserFactory(username="koordination@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def training(program):
    training = TrainingFactory(
        program=program,
        title="Grundschulung Laienhelfer*innen",
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2024, 3, 31),
        planned_hours=9,
        trainer="PSZ Düsseldorf",
    )
    for day, topic in ((1, "Stress und Bewältigung"), (8, "Ressourcen"), (15, "Gesundheitssystem")):
        TrainingSessionFactory(
            training=training, date=dt.date(2024, 3, day), minutes=180, topic=topic
        )
    for name in ("Amal Haddad", "Bilal Khalil", "Claudia Schmidt"):
        EnrollmentFactory(training=training, volunteer=VolunteerFactory(program=program, name=name))
    return training


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def cell(page, name, day):
    return page.get_by_role("checkbox", name=f"{name}, {day} Mar 2024")


def test_a_coordinator_takes_attendance_in_the_grid(
    page, live_server, coordinator, training, csp_violations
):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/p/in2balance/trainings/{training.pk}/")
    page.get_by_role("link", name="Attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")

    # Each tick is saved at once (htmx); the hours follow.
    cell(page, "Amal Haddad", 1).check()
    cell(page, "Amal Haddad", 8).check()
    cell(page, "Bilal Khalil", 1).check()
    amal = Volunteer.objects.get(name="Amal Haddad")
    expect(page.locator(f"#hours-{amal.pk}")).to_contain_text("6.0 of 9.0 h")
    expect(page.get_by_role("status")).to_contain_text("Attendance saved.")
    expect(page.get_by_text("2 present")).to_be_visible()
    save_screenshot(page, "training-attendance-desktop")

    page.reload()
    expect(cell(page, "Amal Haddad", 1)).to_be_checked()
    expect(cell(page, "Amal Haddad", 8)).to_be_checked()
    expect(cell(page, "Bilal Khalil", 1)).to_be_checked()
    expect(cell(page, "Claudia Schmidt", 1)).not_to_be_checked()
    expect(page.locator(f"#hours-{amal.pk}")).to_contain_text("6.0 of 9.0 h")

    # Unticking is saved too, and "Save attendance" still works as a plain form.
    cell(page, "Amal Haddad", 8).uncheck()
    expect(page.locator(f"#hours-{amal.pk}")).to_contain_text("3.0 of 9.0 h")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("Attendance saved")
    expect(cell(page, "Amal Haddad", 8)).not_to_be_checked()
    assert TrainingAttendance.objects.filter(session__training=training).count() == 2
    assert csp_violations == []


def test_the_grid_works_without_javascript(browser, live_server, coordinator, training):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/p/in2balance/trainings/{training.pk}/attendance/")
    cell(page, "Claudia Schmidt", 15).check()
    cell(page, "Bilal Khalil", 8).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("2 marks added, 0 marks removed")
    expect(cell(page, "Claudia Schmidt", 15)).to_be_checked()
    claudia = Volunteer.objects.get(name="Claudia Schmidt")
    expect(page.locator(f"#hours-{claudia.pk}")).to_contain_text("3.0 of 9.0 h")
    save_screenshot(page, "training-attendance-phone")
    context.close()


def test_the_coordinator_pages_of_volunteers_trainings_and_supervision(
    page, live_server, program, coordinator, training, csp_violations
):
    """Walk every page, leave a screenshot of each, and record a completion on the way."""
    page.set_viewport_size(DESKTOP)
    amal = Volunteer.objects.get(name="Amal Haddad")
    amal.joined_on = dt.date(2024, 2, 1)
    amal.save()
    SupervisionSessionFactory(
        program=program,
        date=TODAY - dt.timedelta(days=3),
        topics="Abgrenzung",
        confidential_notes="Bilal braucht Entlastung.",
    ).attendees.add(amal)
    base = f"{live_server.url}/p/in2balance"
    log_in(page, live_server, coordinator.username)

    page.goto(f"{base}/volunteers/")
    save_screenshot(page, "volunteer-list")
    page.get_by_role("link", name="New volunteer").click()
    page.get_by_label("Code").fill("V-1")
    page.get_by_label("Name").fill("Dawit Tesfamariam")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("was added")
    page.goto(f"{base}/volunteers/new/")
    page.get_by_label("Code").fill("v-1")
    page.get_by_label("Name").fill("Someone Else")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("already has the code")).to_be_visible()
    save_screenshot(page, "volunteer-form-error")

    page.goto(f"{base}/volunteers/{amal.pk}/")
    expect(page.get_by_role("heading", name="Supervision")).to_be_visible()
    save_screenshot(page, "volunteer-detail")
    page.get_by_role("link", name="Change status").click()
    page.get_by_label("New status").select_option("left")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Please give a reason for leaving.")).to_be_visible()
    save_screenshot(page, "volunteer-status")
    page.get_by_label("Reason").fill("Moved to Hamburg")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("alert")).to_contain_text("is now “Left”")
    expect(page.get_by_text("Moved to Hamburg").first).to_be_visible()

    page.goto(f"{base}/trainings/")
    save_screenshot(page, "training-list")
    page.get_by_role("link", name="Grundschulung Laienhelfer*innen").click()
    save_screenshot(page, "training-detail")
    page.get_by_role("link", name="Outcome Bilal Khalil").click()
    page.get_by_label("Completed on").fill("2024-03-31")
    save_screenshot(page, "enrollment-outcome")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Bilal Khalil: Completed")
    certificate = page.get_by_role("link", name="Certificate Bilal Khalil")
    response = page.request.get(live_server.url + certificate.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.goto(f"{base}/supervision/")
    save_screenshot(page, "supervision-list")
    page.get_by_role("link", name="Log supervision").click()
    page.get_by_label("Kind").select_option("group")
    page.get_by_label("Supervisor (external)").fill("Dr. Ute Brandt")
    page.get_by_label("Bilal Khalil").check()
    page.get_by_label("Topics").fill("Rollenklarheit")
    save_screenshot(page, "supervision-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Confidential notes")).to_be_visible()
    save_screenshot(page, "supervision-detail")

    page.goto(f"{base}/supervision/overdue/")
    expect(page.get_by_role("cell", name="Claudia Schmidt")).to_be_visible()
    expect(page.get_by_role("cell", name="Bilal Khalil")).to_have_count(0)
    save_screenshot(page, "supervision-overdue")
    assert csp_violations == []


def test_a_volunteer_on_a_phone_sees_their_training_and_supervision(
    browser, live_server, program, training
):
    user = UserFactory(username="amal@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    amal = Volunteer.objects.get(name="Amal Haddad")
    amal.user = user
    amal.save()
    enrollment = amal.enrollments.get()
    enrollment.status, enrollment.completed_on = "completed", dt.date(2024, 3, 31)
    enrollment.save()
    for session in training.sessions.all()[:2]:
        session.attendances.create(volunteer=amal)
    SupervisionSessionFactory(
        program=program,
        date=TODAY - dt.timedelta(days=5),
        minutes=90,
        confidential_notes="Amal wirkt erschöpft.",
    ).attendees.add(amal)

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, user.username)
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="My trainings & supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My trainings & supervision")
    expect(page.get_by_text("2 of 3 sessions attended")).to_be_visible()
    expect(page.get_by_text("Amal wirkt")).to_have_count(0)
    save_screenshot(page, "my-training-phone")
    link = page.get_by_role("link", name="Download certificate (PDF)")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    context.close()
