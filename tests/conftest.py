"""Fixtures shared by every test module: one browser for the whole session (Playwright's sync
API runs once per thread)."""
from tests.browser import browser  # noqa: F401 (a fixture)
