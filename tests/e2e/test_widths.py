"""No page is wider than its screen, in any interface language: every main page of every
role at 390, 1024 and 1280 px. The navigation keeps to one line where it is spread out, and
the funder's download link is on the phone's screen."""

import pytest
from django.conf import settings

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

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# One row of the navigation bar (brand, links, toggler); a wrapped bar is twice as high.
NAVBAR_MAX_HEIGHT = 72

MEASURE = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  navbar: document.querySelector('nav.navbar').getBoundingClientRect().height,
  wide: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest('.table-responsive, .table-scroll'))
    .slice(-3).map(e => e.tagName + '.' + [...e.classList].join('.')),
})"""


@pytest.fixture
def world():
    return build_world()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_wider_than_the_screen_in_any_language(
    browser, live_server, world, role, language
):
    found = []
    context, page = role_context(browser, live_server, world, role)
    paths = main_pages(page, live_server, world, role)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHTS[WIDTHS[0]]})
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, f"{role} {path}: {response.status}"
        assert page.locator("html").get_attribute("lang") == language
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
            seen = page.evaluate(MEASURE)
            where = f"{role} {language} {width}px {path}"
            if seen["overflow"] > 0:
                found.append(f"{where}: {seen['overflow']}px too wide ({seen['wide']})")
            if seen["navbar"] > NAVBAR_MAX_HEIGHT:
                found.append(f"{where}: the navigation wraps")
    context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answer_to_a_saved_session_fits_a_phone_in_any_language(
    browser, live_server, world, language
):
    context, page = role_context(browser, live_server, world, "volunteer")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHTS[WIDTHS[0]]})
    save_a_one_to_one(page, live_server, world)
    assert page.locator("html").get_attribute("lang") == language
    seen = page.evaluate(MEASURE)
    context.close()
    assert seen["overflow"] <= 0, f"{seen['overflow']}px too wide ({seen['wide']})"


def test_the_funder_sees_the_download_on_a_phone(browser, live_server, world):
    context, page = role_context(browser, live_server, world, "funder")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/p/{world.program.slug}/reports/")
    download = page.get_by_role("link", name="PDF").first
    box = download.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    context.close()
