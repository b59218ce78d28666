"""A coordinator moves a program in from Excel in the browser, on a phone and on a desktop."""

import threading

import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from programs.models import ActivityKind, Membership

from ..factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory
from ..transfer.helpers import run_import, sample_sheets, write_xlsx
from .screens import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def coordinator(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    program = ProgramFactory(
        name="in2balance",
        slug="in2balance",
        activity_kinds=[ActivityKind.GROUP, ActivityKind.ONE_TO_ONE],
    )
    user = UserFactory(username="koordination@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user, program


def _page(browser, live_server, user, viewport, violations):
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def _no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_coordinator_checks_a_workbook_then_imports_it(
    browser, live_server, coordinator, tmp_path, device, viewport
):
    user, program = coordinator
    violations = []
    page = _page(browser, live_server, user, viewport, violations)
    page.goto(f"{live_server.url}/p/{program.slug}/data/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import data")
    save_screenshot(page, f"import-{device}")

    page.get_by_label("Workbook or CSV files").set_input_files(
        write_xlsx(tmp_path / "in2balance.xlsx", sample_sheets())
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_role("row", name="activities")).to_contain_text("2")
    new_topic = page.get_by_label("New topic “Resilienz” (activities, row 2)")
    expect(new_topic).to_have_value("new")
    page.get_by_text("activities · 2 rows would be added or changed").click()
    changed = page.get_by_role("row").filter(has_text="duration_minutes: 90")
    expect(changed).to_contain_text("A1")
    assert not program.activities.exists()
    assert not program.topics.exists()
    _no_horizontal_scroll(page)
    save_screenshot(page, f"import-preview-{device}")

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("status").filter(has_text="The data is imported.")).to_be_visible()
    assert program.activities.count() == 2
    assert program.topics.get().name == "Resilienz"
    assert violations == []
    page.context.close()


@pytest.fixture
def worker():
    """A background worker like ``manage.py db_worker``, started when the test says so."""
    workers = []

    def start():
        worker = Worker(
            queue_names=["default"],
            interval=0.1,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="e2e",
            excluded_queue_names=[],
        )

        def run():
            try:
                worker.run()
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        workers.append((worker, thread))

    yield start
    for worker, thread in workers:
        worker.running = False
        thread.join(timeout=10)


def test_an_import_runs_in_the_background_with_progress(
    browser, live_server, coordinator, tmp_path, settings, worker
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user, program = coordinator
    violations = []
    page = _page(browser, live_server, user, DESKTOP, violations)
    page.goto(f"{live_server.url}/p/{program.slug}/data/import/")

    page.get_by_label("Workbook or CSV files").set_input_files(
        write_xlsx(tmp_path / "in2balance.xlsx", sample_sheets())
    )
    page.get_by_role("button", name="Check the file").click()

    # The page answers at once: the file waits for the worker, with a progress panel.
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("Waiting to be checked")
    expect(progress).to_contain_text("The file is stored and waits for the background worker.")
    expect(page.get_by_role("button", name="Cancel the import")).to_be_visible()
    save_screenshot(page, "import-queued-desktop")

    worker()  # the page follows the worker by itself (htmx polls the panel)
    expect(page.get_by_role("heading", name="Preview")).to_be_visible(timeout=15_000)
    expect(progress).to_contain_text("Checked, waiting for confirmation")
    assert not program.activities.exists()

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("status").filter(has_text="The data is imported.")).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_role("row", name="activities")).to_contain_text("2")
    save_screenshot(page, "import-done-desktop")
    assert program.activities.count() == 2

    # The result stays readable: the import page lists it.
    page.get_by_role("link", name="Upload another file").click()
    past = page.get_by_role("region", name="Past imports")
    expect(past).to_contain_text("in2balance.xlsx")
    expect(past).to_contain_text("Imported")
    assert violations == []
    page.context.close()


def test_a_file_with_problems_lists_them(browser, live_server, coordinator, tmp_path):
    user, program = coordinator
    sheets = sample_sheets()
    sheets["activities"][1][1] = "31.02.2024"
    sheets["activities"][2][4] = "V-404"
    violations = []
    page = _page(browser, live_server, user, PHONE, violations)
    page.goto(f"{live_server.url}/p/{program.slug}/data/import/")

    page.get_by_label("Workbook or CSV files").set_input_files(
        write_xlsx(tmp_path / "bad.xlsx", sheets)
    )
    page.get_by_role("button", name="Check the file").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The file has 2 problems. Nothing was imported")
    expect(alert).to_contain_text("activities, row 2, date: “31.02.2024” is not a date")
    expect(alert).to_contain_text("activities, row 3, facilitators: unknown volunteer code")
    expect(page.get_by_role("button", name="Import now")).to_have_count(0)
    _no_horizontal_scroll(page)
    save_screenshot(page, "import-problems-phone")
    assert violations == []
    page.context.close()


def test_a_coordinator_exports_the_programs_data(browser, live_server, coordinator, tmp_path):
    user, program = coordinator
    run_import(program, write_xlsx(tmp_path / "in.xlsx", sample_sheets()), by=user)
    violations = []
    page = _page(browser, live_server, user, PHONE, violations)
    page.goto(f"{live_server.url}/p/{program.slug}/data/export/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export data")
    page.get_by_label("Activities and referrals from").fill("2024-01-01")
    _no_horizontal_scroll(page)
    save_screenshot(page, "export-phone")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()

    assert download.value.suggested_filename.startswith("in2balance-2024-01-01-")
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    assert run_import(program, saved).counts["activities"].unchanged == 2
    assert violations == []
    page.context.close()
