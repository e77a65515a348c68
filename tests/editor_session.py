"""The forms in Chromium, shared by tests/test_editor_forms.py and tests/test_guide_screenshots.py:
one `ssj edit` session (decap-server in git mode and the admin page, nothing from the network)
over a fresh git repository holding the example county's records and site, without the finding
FINDING_ID so that staff record it through the form; and the steps a clerk takes in the forms
(log in, open a collection's new form, fill a field, pick an option, save)."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.editor.serve import EditorError, Editor, node_and_server, running_editor
from tests.browser import screenshot
from tests.sitecheck import copy_example
from tests.test_scaffold import GIT_ENV

# the example's finding for the legal-aid centre drawn in plan 2026-02, left out of the
# repository so that staff record it through the form
FINDING_ID = "2026-02-03"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}).stdout


def cms_branches(root: Path) -> list[str]:
    return sorted(b for b in git(root, "branch", "--format=%(refname:short)").split()
                  if b.startswith("cms/"))


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory,
           monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Editor]:
    """`ssj edit` over the example county in a fresh repository (module-wide); skipped where
    node or decap-server is missing, except in CI, where that fails."""
    try:
        node_and_server()
    except EditorError as e:
        if os.environ.get("CI"):  # .ci/run installs decap-server
            pytest.fail(f"表单编辑器无法运行：{e}")
        pytest.skip(f"表单编辑器无法运行：{e}")
    root = copy_example(tmp_path_factory.mktemp("bureau"))
    (root / "records" / "findings" / f"{FINDING_ID}.yaml").unlink()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "示例县的记录")
    for key, value in GIT_ENV.items():  # decap-server commits as this author
        monkeypatch_module.setenv(key, value)
    with running_editor(root / "records") as running:
        yield running


def logged_in(browser: Any, editor: Editor, width: int = 1280, height: int = 900,
              shot: str | None = None) -> Any:
    """A fresh page logged in to the forms, showing the collections; any request leaving
    127.0.0.1 is refused and recorded in `page.outside`."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.outside = outside
    page.goto(editor.url)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=内容")  # the collections' view
    page.wait_for_selector("text=法律服务机构")
    if shot:
        screenshot(page, shot)
    return page


def open_form(browser: Any, editor: Editor, collection: str, width: int = 1280,
              shot: str | None = None, height: int = 900) -> Any:
    """A new record's form in `collection` (shot: a screenshot of the collections first)."""
    page = logged_in(browser, editor, width, height, shot)
    page.goto(f"{editor.url}#/collections/{collection}/new")
    page.wait_for_selector('[id^="id-field-"]')
    return page


def field(page: Any, name: str) -> Any:
    return page.locator(f'[id^="{name}-field-"]').first


def choose(page: Any, name: str, typed: str, shown: str) -> None:
    """Pick the option showing `shown` from a select or relation after typing `typed`."""
    box = field(page, name)
    box.click()
    box.press_sequentially(typed)
    page.locator('[class*="option"]', has_text=shown).first.click()


def save(page: Any) -> None:
    page.get_by_role("button", name="保存", exact=True).click()


def fill_finding(page: Any, *, result: bool) -> None:
    """The legal-aid centre's finding for plan 2026-02, its drawn team and the plan's items."""
    field(page, "id").fill(FINDING_ID)
    choose(page, "plan", "书面检查", "2026 年度公证处、司法鉴定机构、法律援助机构书面检查计划")
    field(page, "target").fill("12211324450201117F")
    for inspector in ("21132419006", "21132419009"):
        choose(page, "inspectors", inspector, inspector)
    field(page, "start").fill("2026-10-12")
    field(page, "end").fill("2026-10-16")
    choose(page, "method", "书面", "书面检查")
    for item in ("la-01", "la-02", "la-03"):
        choose(page, "items", item, item)
    choose(page, "outcome", "未发现", "未发现问题")
    if result:
        field(page, "result").fill("报送的受理审查台账、指派记录和抽调案卷 10 卷齐全规范，未发现问题。")
