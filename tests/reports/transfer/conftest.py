"""Browser tests of this folder use the same Chromium set-up as tests/e2e/."""

from tests.e2e.conftest import browser_type_launch_args  # noqa: F401
