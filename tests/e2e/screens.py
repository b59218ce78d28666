"""Screenshots of the main pages, for a person to look at (test-results/ is not committed)."""

import os
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "test-results/screenshots"))


def save_screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
