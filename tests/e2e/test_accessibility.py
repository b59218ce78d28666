"""WCAG 2.2 AA, as axe-core checks it: every main page of every role, on a phone (390 px), a
small laptop (1024 px) and a desktop (1280 px), has no critical and no serious violation.
Each page is loaded once and checked at each width of its window; one test per role.

axe-core comes from npm (node_modules/axe-core) and is put into the page by the test only;
Lotse does not serve it. One browser context per role.
"""

from pathlib import Path

import pytest

from .roles import (
    HEIGHTS,
    ROLES,
    WIDTHS,
    build_world,
    main_pages,
    role_context,
    save_a_one_to_one,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# After two frames the page has laid itself out for the window's new width.
RUN = """tags => new Promise(frame => requestAnimationFrame(() => requestAnimationFrame(frame)))
  .then(() => axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  }))"""


def axe_violations(page) -> list[str]:
    result = page.evaluate(RUN, TAGS)
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.fixture
def world():
    if not AXE.exists():
        pytest.fail("axe-core is missing: npm ci")
    return build_world()


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_of_each_role_passes_axe_at_three_widths(browser, live_server, world, role):
    found = []
    context, page = role_context(browser, live_server, world, role, bypass_csp=True)
    paths = main_pages(page, live_server, world, role)
    assert len(paths) > 1, f"{role} has no navigation"
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHTS[WIDTHS[0]]})
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, f"{role} {path}: {response.status}"
        page.add_script_tag(path=str(AXE))
        for width in WIDTHS:  # the page's layout follows the window, as on a real device
            page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
            found += [f"{role} {width}px {path}: {v}" for v in axe_violations(page)]
    context.close()
    assert not found, "\n".join(found)


def test_the_answer_to_a_saved_session_passes_axe_at_three_widths(browser, live_server, world):
    context, page = role_context(browser, live_server, world, "volunteer", bypass_csp=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHTS[WIDTHS[0]]})
    save_a_one_to_one(page, live_server, world)
    answer = page.locator(".js-queue-answer")
    assert answer.get_attribute("role") == "status"
    assert answer.locator("a").count() == 2  # the referral for this session, My sessions
    page.add_script_tag(path=str(AXE))
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        found += [f"{width}px: {v}" for v in axe_violations(page)]
    context.close()
    assert not found, "\n".join(found)
