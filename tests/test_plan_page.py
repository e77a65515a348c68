"""Issue 23, the plan page as a citizen reads it, in Chromium at 375 and 1280 px: what was drawn
comes first (the firms drawn, each with its team and the finding once published), then when and
how in plain Chinese written from the plan's own facts, then the pool; the proofs (hashes, full
rankings, commands) sit folded below, and everything above them fits within about three phone
screens. No full hash and no git revision is visible until a reader opens a proof."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser import ARTIFACTS, built_example, open_page, serve_site

PLANS = ("2025-01", "2025-02", "2026-01", "2026-02")
PHONE = (375, 667)
SCREENS = 3.2  # "about three screens" (the notice's metadata line sits above the outcome)
# 2026-01 carries an irregularity notice, which must stay open and prominent
NOTICE_ALLOWANCE = {"2026-01": 1.0}

LAYOUT_JS = """() => {
    const top = id => { const e = document.getElementById(id);
                        return e ? e.getBoundingClientRect().top + scrollY : null; };
    const h2 = [...document.querySelectorAll('main h2')].map(h => h.id);
    const visible = [...document.querySelectorAll('main *')].filter(e =>
        e.checkVisibility() && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
    return {proofs: top('proofs'), outcome: top('outcome'), pool: top('pool'), h2,
            text: visible.map(e => [...e.childNodes].filter(n => n.nodeType === 3)
                                    .map(n => n.textContent).join('')).join('\\n'),
            open: [...document.querySelectorAll('details.proof')].filter(d => d.open).length,
            meta: (m => m && m.checkVisibility() ? m.innerText : null)(document.querySelector('main > dl.notice-meta')),
            width: document.documentElement.scrollWidth};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


def plan_data(site: Path, plan: str) -> dict[str, Any]:
    return json.loads((site / f"plans/{plan}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("plan", PLANS)
def test_the_outcome_comes_first_and_the_proofs_are_folded(site: Path, browser: Any,
                                                           plan: str) -> None:
    data = plan_data(site, plan)
    drawn = [(entry["ref"]["name"], [i["name"] for i in entry["team"]])
             for stratum in data["drawing"]["result"]["strata"]
             for entry in stratum["ranking"] if entry["selected"]]
    with serve_site(site) as served:
        for width in (PHONE[0], 1280):
            with open_page(browser, served, f"/plans/{plan}.html", width=width,
                           height=PHONE[1] if width == PHONE[0] else 900) as opened:
                page = opened.page
                found = page.evaluate(LAYOUT_JS)
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"plan-{plan}-{width}.png"), full_page=True)
                assert not opened.errors, opened.errors
            assert found["width"] <= width
            # an irregularity notice, where there is one, stays above everything
            shown = [h for h in found["h2"] if h != "irregularities"]
            assert shown[:3] == ["outcome", "pool", "proofs"], found["h2"]
            assert found["open"] == 0  # every proof folded
            # the notice's metadata line, as county disclosure pages show one, in sight
            assert found["meta"] and all(t in found["meta"] for t in ("索引号", "发布机构", "发布日期"))
            outcome = page_text_between(found["text"], "抽取结果", "抽取范围")
            for name, team in drawn:
                assert name in outcome and all(person in outcome for person in team), name
            # no full hash nor git revision anywhere a reader sees before opening a proof
            assert not re.search(r"[0-9a-f]{40,}", found["text"]), plan
            if width == PHONE[0]:
                allowed = (SCREENS + NOTICE_ALLOWANCE.get(plan, 0)) * PHONE[1]
                assert found["proofs"] <= allowed, (plan, found["proofs"], allowed)


def page_text_between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


@pytest.mark.parametrize("plan", PLANS)
def test_the_plain_account_is_written_from_the_plans_own_facts(site: Path, plan: str) -> None:
    data = plan_data(site, plan)
    html = (site / f"plans/{plan}.html").read_text(encoding="utf-8")
    account = html[html.index('id="how"'):html.index('id="pool"')]
    text = re.sub(r"<[^>]+>", "", account)
    for stratum in data["drawing"]["strata"]:
        assert f"{len(stratum['targets'])}家{stratum['name']}" in text
        assert f"{stratum['name']}{stratum['k']}家" in text
    assert f"每家由{data['drawing']['team_size']}名执法检查人员检查" in text
    first = data["drawing"]["first"]
    assert first["name"] in text and re.search(r"drand公开随机信标第[0-9]+轮的随机数", text)
    # the example's packages were sealed after their rounds: it says so, and claims nothing
    assert "这是示例数据：名单（抽取包）是在随机数公布之后才封存的" in text
    assert "可信时间戳机构证明" not in text
    assert "在本站核验这次抽取" in text and f"verify.html?plan={plan}" in account


def test_each_drawn_firm_links_its_finding(site: Path) -> None:
    data = plan_data(site, "2025-01")
    html = (site / "plans/2025-01.html").read_text(encoding="utf-8")
    outcome = html[html.index('id="outcome"'):html.index('id="how"')]
    findings = {f["target"]: f for f in json.loads(
        (site / "data/findings.json").read_text(encoding="utf-8")) if f.get("plan") == "2025-01"}
    for stratum in data["drawing"]["result"]["strata"]:
        for entry in stratum["ranking"]:
            if entry["selected"] and entry["id"] in findings:
                assert f'{findings[entry["id"]]["id"]}.html' in outcome, entry["id"]
