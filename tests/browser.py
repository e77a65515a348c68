"""Real-browser tests: Debian's chromium driven by Playwright for Python, against a built site
served on 127.0.0.1. Playwright never downloads a browser here; any request that would leave the
local server is refused and recorded, so a test can assert there was none.

Screenshots go to test-artifacts/ (git ignores it; SSJ_ARTIFACTS moves it) for people to look at.
"""
from __future__ import annotations

import http.server
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.localhost import local_server

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("SSJ_ARTIFACTS") or REPO / "test-artifacts")
# flags that keep a headless chromium from calling Google's services on a closed network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    """SSJ_CHROMIUM, else Debian's chromium; skipped where there is none, except in CI (.ci/run
    installs it; GitHub's runners have google-chrome, named in the workflow)."""
    found = os.environ.get("SSJ_CHROMIUM") or shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium for CI")
        pytest.skip("chromium is not installed (apt install chromium)")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Files of a built site, except paths the test replaces (to serve a tampered file)."""

    replaced: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path not in self.replaced:
            super().do_GET()
            return
        body = self.replaced[path]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Served:
    url: str
    outside: list[str] = field(default_factory=list)  # requests refused for leaving the server


@contextmanager
def serve_site(folder: Path, replaced: dict[str, bytes] | None = None) -> Iterator[Served]:
    """Serve `folder` on 127.0.0.1; `replaced` maps URL paths ('/draws/x/result.json') to bytes."""
    handler = type("Handler", (SiteHandler,), {"replaced": dict(replaced or {})})
    with local_server(partial(handler, directory=str(folder))) as url:  # type: ignore[arg-type]
        yield Served(url)


@dataclass
class Opened:
    page: Any
    errors: list[str]  # uncaught exceptions and console errors (a CSP refusal is one)


@contextmanager
def open_page(browser: Any, served: Served, path: str, *, width: int = 1280,
              height: int = 900) -> Iterator[Opened]:
    """A fresh page at `path` on the served site; requests elsewhere are refused and recorded."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()

    def guard(route: Any) -> None:
        if route.request.url.startswith(served.url + "/"):
            route.continue_()
        else:
            served.outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    opened = Opened(page, [])
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
    page.goto(served.url + path)
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
