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
    """Chromium for the session (tests/conftest.py shares it with every module)."""
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
def open_page(browser: Any, served: Served, path: str, *, width: int = 1280, height: int = 900,
              watch: bool = False) -> Iterator[Opened]:
    """A fresh page at `path` on the served site. Requests elsewhere are refused and recorded in
    `served.outside`; with `watch`, they are only recorded (Chromium skips the favicon request
    it makes on its own while requests are intercepted, so only then does the server see it;
    the site's CSP refuses other origins anyway)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    local = (served.url + "/", "data:", "blob:", "about:") if watch else (served.url + "/",)

    def guard(route: Any) -> None:
        if route.request.url.startswith(local):
            route.continue_()
        else:
            served.outside.append(route.request.url)
            route.abort()

    if watch:
        page.on("request", lambda r: None if r.url.startswith(local)
                else served.outside.append(r.url))
    else:
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


# ------------------------------------------------------------------ a static host, axe-core

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


@dataclass
class Hosted(Served):
    prefix: str = "/"
    log: list[tuple[str, int]] = field(default_factory=list)  # (path, status) the server answered


class HostHandler(SiteHandler):
    """The site at `prefix`, as a static host serves it: any missing path on the server, the
    site's folder or elsewhere, gets `not_found` with status 404; every answer is logged."""

    prefix = "/"
    not_found: bytes | None = None
    log: list[tuple[str, int]] = []

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".outside-the-site" / "missing")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        if code != 404 or self.not_found is None:
            super().send_error(code, message, explain)
            return
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.not_found)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.not_found)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log.append((self.path, int(code)))


@contextmanager
def host_site(folder: Path, prefix: str = "/",
              not_found: str | None = "404.html") -> Iterator[Hosted]:
    """Serve `folder` under `prefix` ('/kazuo-ssj/', the base URL's path) like a static host:
    missing paths get the site's `not_found` page with status 404; `Hosted.log` records every
    request's path and status (a favicon the browser asks for on its own included)."""
    missing = folder / not_found if not_found else None
    log: list[tuple[str, int]] = []
    handler = type("Handler", (HostHandler,), {
        "prefix": prefix, "log": log, "replaced": {},
        "not_found": missing.read_bytes() if missing and missing.is_file() else None})
    with local_server(partial(handler, directory=str(folder))) as url:  # type: ignore[arg-type]
        yield Hosted(url, prefix=prefix, log=log)


def run_axe(page: Any, tags: list[str]) -> list[dict[str, Any]]:
    """axe-core (tests/vendor/axe-core, pinned) on the page as loaded: its violations for `tags`.
    The source is evaluated through the DevTools protocol, which the page's CSP does not govern,
    so the page is analysed exactly as a visitor gets it."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async tags => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""", tags)


# the example county built as of 2026-12-01, as every browser test module reads it
EXAMPLE_ENV = {"SOURCE_DATE_EPOCH": "1796083200", "SSJ_SOURCE_REVISION": "0" * 40}


def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.sitecheck import build_site, copy_example

    root = copy_example(tmp_path_factory.mktemp("example"))
    built = build_site(root, root / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    return root / "out"
