"""verify.html in a real browser (Debian's chromium, Playwright).

The page passes only what is proven: a draw passes when its commitment, its values, its
time-stamps (under the rule that judges it, stated on the page) and its result all pass. The
example county's draws were frozen long after their rounds: opened from the site itself they are
shown as a demonstration, never as passed. A real bureau's honest draw (tests/timeline.py: a real
drand round, a token made days before it) passes; without its token it is incomplete; with a late
token it fails, whatever the bureau's verify.json says (a negative margin, example data, other
drand keys), and so do its files dropped on any site's verifier. A wrong fingerprint in verify.json
is a failure; a lottery value is shown for a check by hand and the draw stays incomplete. Each kind
of tampering fails at the step it concerns with its reason shown, nothing is requested from outside
the site, and only the verifier's page may run scripts."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from tests.browser import built_example, open_page, screenshot, serve_site
from tests.sitecheck import REPO, build_site
from tests.test_draw_commands import (
    LOTTERY_SOURCE,
    PLAN_FILE,
    drand_source,
    edit,
    inspected,
    round_json,
    ssj,
    tree,
    write,
)
from tests.timeline import (
    DAY,
    DRAWS,
    ROUND_TIME,
    TSA_ID,
    TSA_NAME,
    at,
    bureau,
    commit,
    freeze,
    honest,
    pinning,
    stamp,
)
from tests.tsa_authority import Authority, make_authority

DONE = "main[data-verdict=pass], main[data-verdict=fail], main[data-verdict=incomplete]"
STEPS = ("commitment", "values", "timestamp", "seed", "result")
ALL_PASS = dict.fromkeys(STEPS, "pass")
RULE_OF_ONE = "规则：固定的 1 家时间戳机构都须给出按时的时间戳（至少早于首个随机源 24 小时）。"
RESULT_URL = "https://www.cwl.gov.cn/c/2025/03/05/2025060.shtml"
PLAN = "2025-01"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


@pytest.fixture(scope="module")
def plans(site: Path) -> dict[str, Any]:
    found = json.loads((site / "verify.json").read_text(encoding="utf-8"))["plans"]
    assert len(found) >= 4, found.keys()  # the example county's four draws
    return found


def outcome_of(opened: Any) -> dict[str, Any]:
    page = opened.page
    page.wait_for_selector(DONE, timeout=30_000)
    return {
        "verdict": page.get_attribute("main", "data-verdict"),
        "says": page.inner_text("#verdict"),
        "steps": {s: page.get_attribute(f'[data-step="{s}"]', "data-state") for s in STEPS},
        "text": {s: page.inner_text(f'[data-step="{s}"]') for s in STEPS},
        "checks": {c.get_attribute("data-check"): c.get_attribute("data-state")
                   for c in page.query_selector_all("[data-check]")},
        "links": [a.get_attribute("href") for a in page.query_selector_all("[data-step] a")],
        "width": page.evaluate("document.documentElement.scrollWidth"),
        "errors": opened.errors,
    }


def verified(browser: Any, site: Path, path: str, replaced: dict[str, bytes] | None = None,
             shot: str | None = None, width: int = 1280) -> dict[str, Any]:
    """Open the verifier at `path`, wait for its verdict; the verdict and its words, each step's
    state and text, the token checks' states, the links shown, and what the page asked of other
    origins."""
    with serve_site(site, replaced) as served, open_page(browser, served, path,
                                                         width=width) as opened:
        outcome = outcome_of(opened)
        if shot:
            screenshot(opened.page, shot)
    outcome["outside"] = served.outside
    return outcome


def chose(browser: Any, site: Path, files: list[Path], shot: str | None = None,
          width: int = 1280) -> dict[str, Any]:
    """The verifier of `site`, opened on its own, given `files` as a reader chooses them."""
    with serve_site(site) as served, open_page(browser, served, "/verify.html",
                                               width=width) as opened:
        opened.page.set_input_files("#files", [str(f) for f in files])
        outcome = outcome_of(opened)
        if shot:
            screenshot(opened.page, shot)
    outcome["outside"] = served.outside
    return outcome


def assert_clean(outcome: dict[str, Any]) -> None:
    assert outcome["errors"] == [] and outcome["outside"] == [], outcome


def index_of(site: Path) -> dict[str, Any]:
    return json.loads((site / "verify.json").read_text(encoding="utf-8"))


def doctored(site: Path, change: Any) -> dict[str, bytes]:
    """verify.json as the bureau could rewrite it: `change(index)`, served instead."""
    index = index_of(site)
    change(index)
    return {"/verify.json": json.dumps(index, ensure_ascii=False).encode()}


# ---- the example county: a demonstration, never a pass ---------------------------------------

def test_every_example_draw_is_shown_as_a_demonstration(browser: Any, site: Path,
                                                        plans: dict[str, Any]) -> None:
    """The example's tokens were made long after its rounds: the page checks everything else,
    says the time-stamps prove nothing, and calls the draw incomplete, not passed."""
    for plan_id in plans:
        outcome = verified(browser, site, f"/verify.html?plan={plan_id}", shot=f"verify-{plan_id}")
        assert outcome["verdict"] == "incomplete", (plan_id, outcome)
        assert outcome["steps"] == {**ALL_PASS, "timestamp": "skip"}, (plan_id, outcome["steps"])
        assert "示例数据" in outcome["says"] and "不能证明抽取包先于随机源冻结" in outcome["says"]
        stamps = outcome["text"]["timestamp"]
        assert RULE_OF_ONE in stamps and "示例数据" in stamps and "晚于首个随机源" in stamps
        assert outcome["checks"]["lead"] == "skip" and outcome["checks"]["root"] == "pass"
        assert "与本站公布的指纹相同" in stamps
        assert "签名用该链的drand公钥验证有效" in outcome["text"]["values"]
        assert "逐字节相同" in outcome["text"]["result"]
        assert_clean(outcome)


def test_a_phone_sees_the_verdict(browser: Any, site: Path, plans: dict[str, Any]) -> None:
    plan_id = next(iter(plans))
    with serve_site(site) as served, open_page(browser, served, f"/verify.html?plan={plan_id}",
                                               width=375, height=740) as opened:
        opened.page.wait_for_selector(DONE, timeout=30_000)
        width = opened.page.evaluate("document.documentElement.scrollWidth")
        screenshot(opened.page, f"verify-{plan_id}-375")
    assert width <= 375


def test_verify_json_cannot_make_the_example_pass(browser: Any, site: Path) -> None:
    """The margin, the example flag and the drand keys in verify.json are the bureau's words:
    -100000 hours, a real bureau's flag or another key never turn a late token into a pass."""
    def loosen(index: dict[str, Any]) -> None:
        for entry in index["plans"].values():
            entry["policy"] = {"margin_hours": -100000, "quorum": 0, "max_revisions": 9}
        index["margin_hours"] = -100000
        index["chains"] = {"quicknet": {"public_key": "00" * 96, "genesis_time": 0, "period": 1}}

    outcome = verified(browser, site, f"/verify.html?plan={PLAN}", doctored(site, loosen))
    assert outcome["verdict"] == "incomplete" and outcome["steps"]["timestamp"] == "skip"
    assert "低于规范的下限1小时，按1小时核验" in outcome["text"]["timestamp"]
    assert "签名用该链的drand公钥验证有效" in outcome["text"]["values"]  # the page's own keys, not verify.json's

    def real(index: dict[str, Any]) -> None:
        loosen(index)
        index["example"] = False

    outcome = verified(browser, site, f"/verify.html?plan={PLAN}", doctored(site, real))
    assert outcome["verdict"] == "fail" and outcome["steps"]["timestamp"] == "fail", outcome
    assert outcome["checks"]["lead"] == "fail"
    assert "按时的时间戳不够（按时0个，规则要求1个）" in outcome["text"]["timestamp"]
    assert_clean(outcome)


def flip_hex(text: str, at: int) -> str:
    return text[:at] + ("1" if text[at] == "0" else "0") + text[at + 1:]


def tampered_cases(site: Path, plan_id: str, entry: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """Each tampering the issue lists: (what is served instead, the step that must fail, a
    phrase its message must show)."""
    folder = site / "draws" / plan_id
    base = f"/draws/{plan_id}/"
    result = (folder / "result.json").read_bytes()
    at_key = result.index(b'"key":"') + 12  # inside the first ranking key's hex
    one_byte = result[:at_key] + (b"0" if result[at_key:at_key + 1] != b"0" else b"1") \
        + result[at_key + 1:]

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
        "one byte of the result": ({base + "result.json": one_byte}, "result",
                                   "strata[0].ranking[0].key: 公布 "),
        "another hex value": ({base + "values.json": json.dumps(values).encode()}, "values",
                              "随机值不是声明的"),
        "a forged round signature": ({base + round_name: json.dumps(round_data).encode()},
                                     "values", "签名验证失败"),
        "an edited package": ({base + "package.json": json.dumps(package, ensure_ascii=False).encode()},
                              "commitment", "被改动过"),
        "a token over another commitment": (
            {base + token_name: authority.reply(b"another package"),
             f"/timestamp-authorities/{authority_id}.pem": authority.chain_pem},
            "timestamp", "另一个承诺值"),
    }


def test_each_tampering_fails_at_its_step(browser: Any, site: Path, plans: dict[str, Any],
                                          tmp_path: Path) -> None:
    plan_id = PLAN
    entry = plans[plan_id]
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
            # and the chain served is not the one the site pins: its root says so
            assert outcome["checks"]["root"] == "fail", outcome["checks"]


def test_chosen_example_files_get_no_leniency(browser: Any, site: Path,
                                              plans: dict[str, Any]) -> None:
    """Files a reader drops are judged by the spec's rules, not the host site's: the example's
    late token fails there, and a missing round is said to be unchecked."""
    entry = plans[PLAN]
    files = [site / "draws" / PLAN / n for n in entry["files"]]
    pems = sorted((site / "timestamp-authorities").glob("*.pem"))
    outcome = chose(browser, site, files + pems)
    assert outcome["verdict"] == "fail" and outcome["steps"] == {**ALL_PASS, "timestamp": "fail"}
    assert "规则：您选择的1个时间戳都须有效并且按时（至少早于首个随机源 1 小时" in outcome["text"]["timestamp"]
    assert outcome["checks"]["lead"] == "fail"
    assert_clean(outcome)
    without_round = chose(browser, site, [f for f in files if not f.name.startswith("drand-")] + pems)
    assert without_round["steps"]["values"] == "skip" and "未核验" in without_round["text"]["values"]
    assert "（应为 drand-quicknet-1000.json）" in without_round["text"]["values"]
    assert without_round["verdict"] == "fail"
    without_token = chose(browser, site, [f for f in files if not f.name.startswith("timestamp-")])
    assert without_token["verdict"] == "incomplete", without_token
    assert without_token["steps"] == {**ALL_PASS, "timestamp": "skip"}
    assert "没有时间戳文件" in without_token["text"]["timestamp"]
    assert "时间戳未能证明" in without_token["says"]


# ---- a real bureau --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tsa"), valid_from=at(ROUND_TIME - 60 * DAY))


def built(root: Path) -> Path:
    shutil.copytree(REPO / "site", root / "site")
    done = build_site(root, root / "_site")
    assert done.exit_code == 0, done.output
    return root / "_site"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory, authority: Authority) -> Path:
    """A real bureau's site (example: false): frozen and stamped three days before quicknet
    round 1000, published two days before it, drawn after it."""
    root = tmp_path_factory.mktemp("bureau")
    honest(root, authority)
    site = built(root)
    assert index_of(site)["example"] is False
    return site


@pytest.fixture(scope="module")
def late_token(real: Path, authority: Authority) -> bytes:
    """The real bureau's token made again an hour after the round."""
    commitment = (real / "draws" / PLAN / "commitment.txt").read_text().strip()
    return authority.reply(digest=bytes.fromhex(commitment), gen_time=at(ROUND_TIME + 3600))


TOKEN = f"timestamp-{TSA_ID}.tsr"


def test_a_real_bureaus_honest_draw_passes(browser: Any, real: Path) -> None:
    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", shot="verify-real-bureau")
    assert outcome["verdict"] == "pass" and outcome["steps"] == ALL_PASS, outcome
    assert RULE_OF_ONE in outcome["text"]["timestamp"]
    assert "1个按时的时间戳证明" in outcome["text"]["timestamp"]
    assert outcome["checks"]["lead"] == "pass" and outcome["checks"]["root"] == "pass"
    assert f"https://tsa.invalid/{TSA_ID}-root.pem" in outcome["links"]
    assert "时间戳证明抽取包在随机源公布前已冻结" in outcome["says"]
    assert_clean(outcome)


def test_its_files_dropped_on_any_site_pass_by_the_floor(browser: Any, real: Path,
                                                         site: Path) -> None:
    entry = index_of(real)["plans"][PLAN]
    files = [real / "draws" / PLAN / n for n in entry["files"]]
    outcome = chose(browser, site, files + [real / "timestamp-authorities" / f"{TSA_ID}.pem"])
    assert outcome["verdict"] == "pass" and outcome["steps"] == ALL_PASS, outcome
    fingerprint = ":".join(re.findall("..", root_fingerprint_of(real))).upper()
    assert fingerprint in outcome["text"]["timestamp"]
    assert "请到该时间戳机构公布根证书的地址核对这个指纹" in outcome["text"]["timestamp"]


def root_fingerprint_of(site: Path) -> str:
    return index_of(site)["authorities"][TSA_ID]["fingerprint"]


def test_a_real_bureaus_draw_without_its_token_is_incomplete(browser: Any, real: Path) -> None:
    """The bureau deletes its token (say, the package was frozen again after the round) and
    lists the draw's files without it."""
    def drop(index: dict[str, Any]) -> None:
        index["plans"][PLAN]["files"].remove(TOKEN)

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", doctored(real, drop),
                       shot="verify-real-no-token")
    assert outcome["verdict"] == "incomplete", outcome
    assert outcome["steps"] == {**ALL_PASS, "timestamp": "skip"}
    assert RULE_OF_ONE in outcome["text"]["timestamp"]
    assert "没有时间戳文件" in outcome["text"]["timestamp"]
    assert "时间戳未能证明" in outcome["says"]
    assert_clean(outcome)


def test_a_late_token_fails_whatever_verify_json_says(browser: Any, real: Path,
                                                      late_token: bytes) -> None:
    token = {f"/draws/{PLAN}/{TOKEN}": late_token}
    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", token,
                       shot="verify-real-late-375", width=375)
    assert outcome["verdict"] == "fail" and outcome["steps"] == {**ALL_PASS, "timestamp": "fail"}
    assert "按时的时间戳不够（按时0个，规则要求1个）" in outcome["text"]["timestamp"]
    assert outcome["checks"]["lead"] == "fail" and outcome["checks"]["signature"] == "pass"
    assert outcome["width"] <= 375

    def negative(index: dict[str, Any]) -> None:
        index["plans"][PLAN]["policy"]["margin_hours"] = -100000
        index["margin_hours"] = -100000

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", {**token, **doctored(real, negative)})
    assert outcome["verdict"] == "fail" and outcome["steps"]["timestamp"] == "fail", outcome
    assert "规则：固定的 1 家时间戳机构都须给出按时的时间戳（至少早于首个随机源 1 小时）。" in outcome["text"]["timestamp"]
    assert "本站写的时限为-100000小时低于规范的下限1小时" in outcome["text"]["timestamp"]

    def example(index: dict[str, Any]) -> None:
        index["example"] = True

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", {**token, **doctored(real, example)})
    assert outcome["verdict"] == "incomplete", outcome  # shown as a demonstration, never passed
    assert "示例数据" in outcome["says"]
    assert_clean(outcome)


def test_a_late_token_dropped_on_the_example_site_fails(browser: Any, real: Path, site: Path,
                                                        late_token: bytes,
                                                        tmp_path: Path) -> None:
    for name in index_of(real)["plans"][PLAN]["files"]:
        shutil.copy(real / "draws" / PLAN / name, tmp_path / name)
    (tmp_path / TOKEN).write_bytes(late_token)
    shutil.copy(real / "timestamp-authorities" / f"{TSA_ID}.pem", tmp_path / f"{TSA_ID}.pem")
    outcome = chose(browser, site, sorted(tmp_path.iterdir()), shot="verify-dropped-late")
    assert outcome["verdict"] == "fail" and outcome["steps"]["timestamp"] == "fail", outcome
    assert outcome["checks"]["lead"] == "fail"
    assert "至少早于首个随机源 1 小时，即规范的下限" in outcome["text"]["timestamp"]


def test_a_wrong_fingerprint_in_verify_json_fails(browser: Any, real: Path) -> None:
    def other_root(index: dict[str, Any]) -> None:
        index["authorities"][TSA_ID]["fingerprint"] = "ab" * 32

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", doctored(real, other_root),
                       shot="verify-real-wrong-fingerprint")
    assert outcome["verdict"] == "fail" and outcome["steps"]["timestamp"] == "fail", outcome
    assert outcome["checks"]["root"] == "fail"
    text = outcome["text"]["timestamp"]
    assert "本站公布的指纹是AB:AB:" in text and "时间戳未通过核验" in text
    assert ":".join(re.findall("..", root_fingerprint_of(real))).upper() in text


def test_verify_json_may_only_be_stricter(browser: Any, real: Path) -> None:
    """A larger margin than the token's lead fails it; the rule the page applied says so."""
    def stricter(index: dict[str, Any]) -> None:
        index["plans"][PLAN]["policy"]["margin_hours"] = 24 * 4  # the token is 3 days early

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", doctored(real, stricter))
    assert outcome["verdict"] == "fail" and outcome["checks"]["lead"] == "fail", outcome
    assert "至少早于首个随机源 96 小时" in outcome["text"]["timestamp"]

    def unknown_authority(index: dict[str, Any]) -> None:  # in force, but no token from it
        index["plans"][PLAN]["authorities"].append("second")
        index["authorities"]["second"] = {**index["authorities"][TSA_ID], "name": "第二家机构"}

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", doctored(real, unknown_authority))
    assert outcome["verdict"] == "incomplete", outcome
    assert "规则：固定的 2 家时间戳机构都须给出按时的时间戳" in outcome["text"]["timestamp"]
    assert "缺少 第二家机构 的有效时间戳" in outcome["text"]["timestamp"]

    def quorum(index: dict[str, Any]) -> None:
        unknown_authority(index)
        index["plans"][PLAN]["policy"]["quorum"] = 1

    outcome = verified(browser, real, f"/verify.html?plan={PLAN}", doctored(real, quorum))
    assert outcome["verdict"] == "pass", outcome
    assert "规则：固定的 2 家时间戳机构中至少 1 家给出按时的时间戳" in outcome["text"]["timestamp"]


# ---- a lottery value: a check by hand ---------------------------------------------------------

@pytest.fixture(scope="module")
def lottery(tmp_path_factory: pytest.TempPathFactory, authority: Authority) -> Path:
    """The real bureau's draw declaring quicknet round 1000 and 福彩3D issue 2025060."""
    root = tmp_path_factory.mktemp("lottery")
    bureau(root, pinning((TSA_ID, TSA_NAME, authority)),
           tree(example=False, sources=drand_source(1000) + LOTTERY_SOURCE))
    freeze(root)
    stamp(root, authority, ROUND_TIME - 3 * DAY)
    commit(root, ROUND_TIME - 2 * DAY, "freeze")
    (root / "round.json").write_text(json.dumps(round_json("quicknet", 1000)), encoding="utf-8")
    out = ssj(root, "draw", "run", PLAN, "--drand-round", "round.json", "--value", "3 7 1")
    assert out.exit_code == 0, out.output
    (root / "round.json").unlink()
    inspected(root, json.loads((root / DRAWS / "result.json").read_bytes()))
    write(root, {PLAN_FILE: edit((root / PLAN_FILE).read_text(encoding="utf-8"),
                                 '      time: "21:15"\n',
                                 f'      time: "21:15"\n      result_url: {RESULT_URL}\n')})
    commit(root, ROUND_TIME + 600 * DAY, "drawn")
    return built(root)


def test_a_lottery_draw_is_incomplete_until_checked_by_hand(browser: Any, lottery: Path) -> None:
    outcome = verified(browser, lottery, f"/verify.html?plan={PLAN}", shot="verify-lottery-375",
                       width=375)
    assert outcome["verdict"] == "incomplete", outcome
    assert outcome["steps"] == {**ALL_PASS, "values": "skip"}, outcome["steps"]
    values = outcome["text"]["values"]
    assert "未核验：第 2 个随机值（福彩3D第2025060期）是彩票开奖号码，无法离线核验" in values
    assert "须人工核对" in values and "3 7 1" in values and "2025-03-05 21:15" in values.replace("\n", " ")
    assert "已核验：第 1 个随机值（drand公开随机信标第1000轮）" in values
    assert RESULT_URL in outcome["links"]
    assert "彩票开奖号码是本局录入的" in outcome["says"] and "官方开奖公告" in outcome["says"]
    assert "通过" not in outcome["says"]
    assert outcome["width"] <= 375
    assert_clean(outcome)


# ---- scripts ----------------------------------------------------------------------------------

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
