"""verify.html in a real browser (Debian's chromium, Playwright): every example draw passes, each
kind of tampering fails at the step it concerns with its reason shown, files chosen by hand work
too, nothing is requested from outside the site, and only the verifier's page may run scripts."""
from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from tests.browser import built_example, open_page, screenshot, serve_site
from tests.tsa_authority import make_authority

DONE = "main[data-verdict=pass], main[data-verdict=fail], main[data-verdict=incomplete]"
STEPS = ("commitment", "values", "timestamp", "seed", "result")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


@pytest.fixture(scope="module")
def plans(site: Path) -> dict[str, Any]:
    found = json.loads((site / "verify.json").read_text(encoding="utf-8"))["plans"]
    assert len(found) >= 4, found.keys()  # the example county's four draws
    return found


def verified(browser: Any, site: Path, path: str, replaced: dict[str, bytes] | None = None,
             shot: str | None = None) -> dict[str, Any]:
    """Open the verifier at `path`, wait for its verdict; the verdict, each step's state and
    text, the token checks' states, and what the page asked of other origins."""
    with serve_site(site, replaced) as served, open_page(browser, served, path) as opened:
        page = opened.page
        page.wait_for_selector(DONE, timeout=30_000)
        outcome = {
            "verdict": page.get_attribute("main", "data-verdict"),
            "steps": {s: page.get_attribute(f'[data-step="{s}"]', "data-state") for s in STEPS},
            "text": {s: page.inner_text(f'[data-step="{s}"]') for s in STEPS},
            "checks": {c.get_attribute("data-check"): c.get_attribute("data-state")
                       for c in page.query_selector_all("[data-check]")},
            "errors": opened.errors,
        }
        if shot:
            screenshot(page, shot)
    outcome["outside"] = served.outside
    return outcome


def test_every_example_draw_passes(browser: Any, site: Path, plans: dict[str, Any]) -> None:
    for plan_id in plans:
        outcome = verified(browser, site, f"/verify.html?plan={plan_id}", shot=f"verify-{plan_id}")
        assert outcome["verdict"] == "pass", (plan_id, outcome)
        assert set(outcome["steps"].values()) == {"pass"}, (plan_id, outcome["steps"])
        assert "BLS 签名" in outcome["text"]["values"] and "逐字节相同" in outcome["text"]["result"]
        assert outcome["errors"] == [] and outcome["outside"] == [], outcome


def test_a_phone_sees_the_verdict(browser: Any, site: Path, plans: dict[str, Any]) -> None:
    plan_id = next(iter(plans))
    with serve_site(site) as served, open_page(browser, served, f"/verify.html?plan={plan_id}",
                                               width=375, height=740) as opened:
        opened.page.wait_for_selector(DONE, timeout=30_000)
        width = opened.page.evaluate("document.documentElement.scrollWidth")
        screenshot(opened.page, f"verify-{plan_id}-375")
    assert width <= 375


def flip_hex(text: str, at: int) -> str:
    return text[:at] + ("1" if text[at] == "0" else "0") + text[at + 1:]


def tampered_cases(site: Path, plan_id: str, entry: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """Each tampering the issue lists: (what is served instead, the step that must fail, a
    phrase its message must show)."""
    folder = site / "draws" / plan_id
    base = f"/draws/{plan_id}/"
    result = (folder / "result.json").read_bytes()
    at = result.index(b'"key":"') + 12  # inside the first ranking key's hex
    one_byte = result[:at] + (b"0" if result[at:at + 1] != b"0" else b"1") + result[at + 1:]

    values = json.loads((folder / "values.json").read_text())
    values[0] = hashlib.sha256(b"another value").hexdigest()

    round_name = next(n for n in entry["files"] if n.startswith("drand-"))
    round_data = json.loads((folder / round_name).read_text())
    round_data["signature"] = flip_hex(round_data["signature"], 50)
    round_data["randomness"] = hashlib.sha256(bytes.fromhex(round_data["signature"])).hexdigest()

    package = json.loads((folder / "package.json").read_text())
    package["strata"][0]["targets"][0]["weight"] += 1

    authority = make_authority(tmp)
    token_name = next(n for n in entry["files"] if n.startswith("timestamp-"))
    authority_id = token_name[len("timestamp-"):-len(".tsr")]
    return {
        "one byte of the result": ({base + "result.json": one_byte}, "result", "不同"),
        "another hex value": ({base + "values.json": json.dumps(values).encode()}, "values", "不同"),
        "a forged round signature": ({base + round_name: json.dumps(round_data).encode()},
                                     "values", "BLS 签名"),
        "an edited package": ({base + "package.json": json.dumps(package, ensure_ascii=False).encode()},
                              "commitment", "被改动过"),
        "a token over another commitment": (
            {base + token_name: authority.reply(b"another package"),
             f"/timestamp-authorities/{authority_id}.pem": authority.chain_pem},
            "timestamp", "另一个承诺值"),
    }


def test_each_tampering_fails_at_its_step(browser: Any, site: Path, plans: dict[str, Any],
                                          tmp_path: Path) -> None:
    plan_id, entry = next(iter(plans.items()))
    for name, (replaced, step, phrase) in tampered_cases(site, plan_id, entry, tmp_path).items():
        outcome = verified(browser, site, f"/verify.html?plan={plan_id}", replaced,
                           shot="verify-tampered-" + re.sub(r"\W+", "-", name))
        assert outcome["verdict"] == "fail", (name, outcome)
        assert outcome["steps"][step] == "fail", (name, outcome["steps"])
        assert "未通过" in outcome["text"][step] and phrase in outcome["text"][step], (name, outcome["text"][step])
        assert outcome["outside"] == [], outcome
        if step == "timestamp":  # the imprint is what is wrong: the signature itself is sound
            assert outcome["checks"]["imprint"] == "fail", outcome["checks"]
            assert outcome["checks"]["signature"] == "pass", outcome["checks"]


def choose_files(browser: Any, site: Path, files: list[Path]) -> dict[str, Any]:
    with serve_site(site) as served, open_page(browser, served, "/verify.html") as opened:
        opened.page.set_input_files("#files", [str(f) for f in files])
        opened.page.wait_for_selector(DONE, timeout=30_000)
        outcome = {"verdict": opened.page.get_attribute("main", "data-verdict"),
                   "values": opened.page.get_attribute('[data-step="values"]', "data-state"),
                   "text": opened.page.inner_text('[data-step="values"]')}
    assert served.outside == []
    return outcome


def test_chosen_files_verify_and_missing_rounds_are_said(browser: Any, site: Path,
                                                         plans: dict[str, Any]) -> None:
    plan_id, entry = next(iter(plans.items()))
    files = [site / "draws" / plan_id / n for n in entry["files"]]
    pems = sorted((site / "timestamp-authorities").glob("*.pem"))
    assert choose_files(browser, site, files + pems)["verdict"] == "pass"
    without_round = choose_files(browser, site, [f for f in files if not f.name.startswith("drand-")] + pems)
    assert without_round["verdict"] == "incomplete" and without_round["values"] == "skip"
    assert "未核验" in without_round["text"]


def test_only_the_verifier_may_run_scripts(site: Path) -> None:
    policy = re.compile(r'http-equiv="Content-Security-Policy" content="([^"]*)"')
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        html = page.read_text(encoding="utf-8")
        csp = unescape(policy.search(html).group(1))
        if page.name == "verify.html" and page.parent == site:
            scripts = re.findall(r"script-src ([^;]*);", csp)
            assert scripts and re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/]+=*'", scripts[0]), csp
            assert "unsafe" not in csp and "<script>" not in html
        elif page.name == "search.html" and page.parent == site:  # Pagefind: WebAssembly
            assert re.findall(r"script-src ([^;]*);", csp) == ["'self' 'wasm-unsafe-eval'"], csp
            assert re.findall(r"<script[^>]*>", html) == [
                '<script type="module" src="static/search/search.js">'], page
        else:
            assert "script-src" not in csp and "<script" not in html, page
