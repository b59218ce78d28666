"""A volunteer is worried about someone; the supervisor sees it in the inbox and acknowledges."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from programs.models import Membership
from sessions_log.models import Concern

from ..factories import MembershipFactory, UserFactory
from .screens import save_screenshot
from .test_login_flow import log_in
from .test_volunteer_flow import (
    PHONE,
    open_log_form,
    volunteer,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def supervisor(volunteer):  # noqa: F811
    user = UserFactory(username="supervision@example.org")
    MembershipFactory(user=user, program=volunteer.program, role=Membership.Role.SUPERVISOR)
    return user


def test_a_concern_reaches_the_supervisors_inbox_and_is_acknowledged(
    browser,
    live_server,
    volunteer,  # noqa: F811
    supervisor,
    csp_violations,
):
    phone = browser.new_context(**PHONE).new_page()
    phone.set_default_timeout(5_000)
    open_log_form(phone, live_server, volunteer)
    phone.get_by_label("Group session").check()
    phone.locator("#id_site").select_option(label="Unterkunft Nord")
    phone.get_by_label("People attending").fill("8")
    expect(phone.get_by_label("What happened?")).to_be_hidden()
    phone.get_by_label("I am worried about someone").check()
    phone.get_by_label("What worries you?").select_option("self_harm")
    phone.get_by_label("High").check()
    phone.get_by_label("What happened?").fill("A young man said he sees no point in living.")
    save_screenshot(phone, "log-session-concern")
    phone.get_by_role("button", name="Save session").click()
    answer = phone.get_by_role("status").filter(has_text="Your session was saved")
    expect(answer).to_be_focused()
    expect(answer).to_contain_text(
        "Your concern was passed on to the coordinators and supervisors."
    )
    # The next session starts without the concern.
    expect(phone.get_by_label("I am worried about someone")).not_to_be_checked()
    expect(phone.get_by_label("What happened?")).to_be_hidden()
    assert Concern.objects.count() == 1
    phone.context.close()

    # The supervisor is told by e-mail, without any detail about the person.
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    assert "no point in living" not in mail.outbox[0].body

    page = browser.new_context().new_page()
    page.set_default_timeout(5_000)
    log_in(page, live_server, supervisor.username)
    page.get_by_role("button", name="Work").click()
    page.get_by_role("link", name="Concerns", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns")
    row = page.get_by_role("row").filter(has_text="Risk of self-harm or suicide")
    expect(row).to_contain_text("open")
    expect(row).to_contain_text("Group session")
    save_screenshot(page, "concern-inbox")
    row.get_by_role("link").first.click()
    expect(page.get_by_text("A young man said he sees no point in living.")).to_be_visible()
    save_screenshot(page, "concern-detail")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert")).to_contain_text("The concern was acknowledged")
    page.get_by_label("Outcome").fill("Talked to the shelter's social worker; appointment at PSZ.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("alert")).to_contain_text("The outcome was recorded.")
    expect(page.get_by_role("row").filter(has_text="Risk of self-harm")).to_contain_text(
        "acknowledged"
    )
    concern = Concern.objects.get()
    assert concern.acknowledged_by == supervisor
    assert concern.outcome.startswith("Talked to the shelter's social worker")
    assert csp_violations == []
    page.context.close()
