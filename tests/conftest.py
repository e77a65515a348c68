"""Fixtures shared by every test module: one browser for the whole session (Playwright's sync
API runs once per thread)."""
import os

from tests.browser import browser  # noqa: F401 (a fixture)

# Commands write their caches beside the records; the tests that say a command writes nothing
# mean the records, so tests run without caches unless they ask (tests/test_parse_cache.py).
os.environ.setdefault("SSJ_CACHE", "0")
