"""The staff guide's screenshots (docs/guide.md, issue 24): every image the guide embeds is made
here from the real thing, never drawn by hand. The forms through `ssj edit` over the example
county (tests/editor_session.py, the session tests/test_editor_forms.py uses), the public site
built from the example records (tests/browser.EXAMPLE_ENV), and each command of the guide run
for real (in this process, on copies of the example) and its output shown as a terminal in
Chromium.

docs/guide/shots.json says what each image shows (the step, the form, page or command) and the
texts that must be visible in it. Pixels differ between machines (fonts), so the committed
images are held current this way: every run regenerates each image into a temporary folder,
asserts that the manifest's texts are visible inside the captured area, and compares the
regenerated image's size with the committed one's. `SSJ_UPDATE_GUIDE=1` writes the regenerated
images and the manifest into docs/guide/ (look at each before committing it).

The guide references every image in docs/guide/ and nothing else; each stays under 150 KB.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.editor.serve import Editor
from tests.browser import EXAMPLE_ENV, serve_site
from tests.editor_session import (choose, editor, field, fill_finding,  # noqa: F401
                                  logged_in, monkeypatch_module, open_form, save)
from tests.sitecheck import build_site, copy_example
from tests.test_draw_witness import witness_entry
from tests.timeline import authority_lines, root_fingerprint
from tests.tsa_authority import make_authority, serve

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "guide.md"
IMAGES = REPO / "docs" / "guide"
MANIFEST = IMAGES / "shots.json"
UPDATE = os.environ.get("SSJ_UPDATE_GUIDE") == "1"
MAX_BYTES = 150_000
DESK = {"width": 1000, "height": 700}
PHONE = {"width": 375, "height": 740}
BEIJING = dt.timezone(dt.timedelta(hours=8))
PINNED = "ssj @ git+https://example.org/ssj.git@" + "0" * 40


@dataclass(frozen=True)
class Shot:
    step: str    # the guide's step it illustrates
    shows: str   # the form, page or command
    texts: tuple[str, ...]  # visible in the image


SHOTS: dict[str, Shot] = {
    # 一、启用
    "term-init": Shot("一、启用", "命令 ssj init（--forge gitea）",
                      ("ssj init", "git init", "editor/README.md")),
    "editor-collections": Shot("一、启用", "表单：登录后的内容列表",
                               ("内容", "法律服务机构", "执法检查人员", "抽查计划", "检查结果")),
    "editor-jurisdiction": Shot("一、启用", "表单：司法行政机关（本局方案、文号、网站页脚）",
                                ("实施方案", "喀司发〔2024〕5号")),
    # 二、名录库
    "editor-institution": Shot("二、名录库", "表单：新建法律服务机构",
                               ("法律服务机构", "示例新开律师事务所", "统一社会信用代码")),
    "editor-inspector": Shot("二、名录库", "表单：新建执法检查人员",
                             ("执法检查人员", "赵某宁", "行政执法证")),
    "site-institution-375": Shot("二、名录库", "网站：机构诚信档案（手机）",
                                 ("示例喀左县法律援助中心", "诚信档案")),
    # 三、抽查事项
    "editor-item": Shot("三、抽查事项", "表单：新建抽查事项", ("抽查事项", "gr-04", "基层法律服务所收费公示与票据管理")),
    "site-items": Shot("三、抽查事项", "网站：随机抽查事项清单", ("随机抽查事项清单", "抽查依据")),
    # 四、计划
    "term-draw-round": Shot("四、计划", "命令 ssj draw round --at",
                            ("ssj draw round", "drand quicknet", "冻结", "round:")),
    "term-new-plan": Shot("四、计划", "命令 ssj new plan",
                          ("ssj new plan", "抽取时间（北京时间", "随机源：drand quicknet",
                           "ssj check 通过")),
    "site-plan-375": Shot("四、计划", "网站：抽查计划公告（手机）",
                          ("抽查计划", "抽查范围与比例")),
    # 五、冻结
    "term-freeze": Shot("五、冻结", "命令 ssj draw freeze",
                        ("ssj draw freeze", "承诺值", "可信时间戳", "ssj draw stamp")),
    "term-witness": Shot("五、冻结", "命令 ssj draw witness",
                         ("ssj draw witness", "朝阳市司法局", "尚未看到")),
    "site-proofs": Shot("五、冻结", "网站：计划页“抽取的证明”（承诺值与可信时间戳）",
                        ("抽取的证明", "承诺值", "时间戳")),
    # 六、抽取
    "term-draw-run": Shot("六、抽取", "命令 ssj draw run",
                          ("ssj draw run", "种子", "抽中", "示例喀左县法律援助中心")),
    "site-outcome-375": Shot("六、抽取", "网站：计划页“抽取结果”（手机）",
                             ("抽取结果", "示例喀左县法律援助中心")),
    # 七、检查结果
    "editor-finding": Shot("七、检查结果", "表单：新建检查结果",
                           ("检查结果", "12211324450201117F", "21132419006")),
    "editor-finding-missing": Shot("七、检查结果", "表单：漏填必填项时不能保存",
                                   ("“抽查结果说明”是必填项",)),
    "editor-workflow": Shot("七、检查结果", "表单：工作流（保存后的草稿）",
                            ("工作流", "草稿", "示例新开律师事务所")),
    "term-new-finding": Shot("七、检查结果", "命令 ssj new finding --plan",
                             ("ssj new finding --plan", "示例喀左县法律援助中心",
                              "ssj check 通过")),
    "site-finding-375": Shot("七、检查结果", "网站：检查结果公示（手机）",
                             ("检查结果", "示例喀左县公证处")),
    # 八、名录
    "editor-list-entry": Shot("八、名录", "表单：新建名录记录",
                              ("名录记录", "执业异常名录")),
    "site-lists-375": Shot("八、名录", "网站：执业异常名录与信用黑名单（手机）",
                           ("执业异常名录", "信用黑名单")),
    # 九、年度汇总
    "term-report": Shot("九、年度汇总", "命令 ssj report 2026", ("ssj report 2026", "律师事务所")),
    "site-report": Shot("九、年度汇总", "网站：年度汇总", ("2026", "律师事务所")),
    # 十、检查报错
    "term-check": Shot("十、检查报错", "命令 ssj check（两处错误）",
                       ("ssj check", "错误", "第 3 行", "全角冒号", "提示：", "是否指")),
}


# ------------------------------------------------------------------ capturing and checking

@dataclass
class Taken:
    path: Path
    missing: list[str]  # manifest texts not visible in the captured area


# the deepest elements holding a text (or form fields whose value holds it) that intersect
# the captured rectangle (viewport coordinates) and are rendered
VISIBLE = """([texts, clip]) => {
  const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
  const inside = r => r.width > 0 && r.height > 0 && r.right > clip.x && r.left < clip.x + clip.width
                   && r.bottom > clip.y && r.top < clip.y + clip.height;
  const all = [...document.body.querySelectorAll('*')];
  return texts.filter(text => {
    const want = norm(text);
    if (all.some(e => (e.tagName === 'INPUT' || e.tagName === 'TEXTAREA')
                      && norm(e.value).includes(want) && inside(e.getBoundingClientRect())))
      return false;
    const holding = all.filter(e => norm(e.innerText).includes(want));
    const deepest = holding.filter(e => ![...e.children].some(c => norm(c.innerText).includes(want)));
    return !deepest.some(e => inside(e.getBoundingClientRect()));
  });
}"""


def capture(page: Any, name: str, out: Path, taken: dict[str, Taken],
            element: str | None = None, whole: bool = False) -> None:
    """Screenshot the viewport as out/name.png, or from `element` (scrolled to the top of the
    view) down to the foot of the view, or the whole `element`; record which of the manifest's
    texts are not visible in it."""
    path = out / f"{name}.png"
    page.wait_for_timeout(150)  # fonts and transitions settle
    if whole:
        target = page.locator(element).first
        target.screenshot(path=str(path), type="png")
        clip = target.bounding_box()
    elif element:
        target = page.locator(element).first
        target.evaluate("e => e.scrollIntoView({block: 'start'})")
        box = target.bounding_box()
        view = page.viewport_size
        clip = {"x": 0, "y": max(box["y"], 0), "width": view["width"],
                "height": view["height"] - max(box["y"], 0)}
        page.screenshot(path=str(path), type="png", clip=clip)
    else:
        view = page.viewport_size
        clip = {"x": 0, "y": 0, "width": view["width"], "height": view["height"]}
        page.screenshot(path=str(path), type="png")
    missing = page.evaluate(VISIBLE, [list(SHOTS[name].texts), clip])
    taken[name] = Taken(path, missing)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


# ------------------------------------------------------------------ the terminal

TERMINAL = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; }}
pre {{ margin: 0; padding: 12px 16px; background: #1f2428; color: #e6e6e6; width: 968px;
      font: 14px/1.55 "Noto Sans Mono CJK SC", monospace; white-space: pre-wrap;
      overflow-wrap: anywhere; }}
.cmd {{ color: #9be39b; }} .note {{ color: #9aa4ad; }}
</style><pre id="t">{body}</pre></html>"""


@dataclass
class Ran:
    command: str
    output: str
    exit_code: int


def ssj(root: Path, command: str, *args: str, answers: str | None = None) -> Ran:
    """`ssj …` in `root` as staff type it (`command` as shown); answers typed one per line."""
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, list(args), input=answers, catch_exceptions=False)
    finally:
        os.chdir(here)
    return Ran(command, result.output, result.exit_code)


def terminal(page: Any, ran: Ran, name: str, out: Path, taken: dict[str, Taken],
             shown: Any = None, note: str = "") -> None:
    """The command and its output (`shown` picks the lines shown, `note` says what is left
    out) as a terminal shows them."""
    lines = ran.output.splitlines()
    lines = shown(lines) if shown else lines
    body = (f'<span class="cmd">$ {html.escape(ran.command)}</span>\n'
            + html.escape("\n".join(lines))
            + (f'\n<span class="note">{html.escape(note)}</span>' if note else ""))
    page.set_content(TERMINAL.format(body=body))
    capture(page, name, out, taken, element="#t", whole=True)


# ------------------------------------------------------------------ the command line steps

def lines(*answers: str) -> str:
    return "".join(a + "\n" for a in answers)


INSPECTOR = """# 执法检查人员（inspector）：执法检查人员名录库，方案 二（四）。
id: "21132419011"
name: 赵某宁
department: grassroots
certificate:
  number: "21132419011"
  valid_from: {since}
  valid_until: 2031-12-31
phone: "13900000011"
status_history:
  - since: {since}
    status: active
"""


@contextmanager
def witness_site(folder: Path, plan: str) -> Iterator[str]:
    """A higher bureau's oversight site that has not yet seen the plan's commitment."""
    member = folder / "members" / "m211324" / "plans"
    member.mkdir(parents=True)
    (member / f"{plan}.json").write_text(json.dumps({"member": "211324", "sightings": []}),
                                         encoding="utf-8")
    with serve_site(folder) as served:
        yield served.url + "/members/m211324/"


def command_shots(page: Any, tmp: Path, out: Path, taken: dict[str, Taken]) -> None:
    # 一、ssj init
    init = ssj(tmp, "ssj init 某某县 --name 某某县司法局 --short-name 某某县司法局 "
               "--division-code 210000 --code-owner @mmx-sfj/ssj-reviewers --forge gitea",
               "init", "某某县", "--name", "某某县司法局", "--short-name", "某某县司法局",
               "--division-code", "210000", "--requirement", PINNED,
               "--code-owner", "@mmx-sfj/ssj-reviewers", "--forge", "gitea")
    assert init.exit_code == 0, init.output
    terminal(page, init, "term-init", out, taken)

    # 四、a plan drawn about two months from today (the round must still be ahead)
    root = copy_example(tmp / "county")
    today = dt.datetime.now(BEIJING).date()
    since = today - dt.timedelta(days=30)
    (root / "records/inspectors/21132419011.yaml").write_text(
        INSPECTOR.format(since=since), encoding="utf-8")
    at = dt.datetime.combine(today + dt.timedelta(days=60), dt.time(10, 0))
    when = f"{at:%Y-%m-%d %H:%M}"
    ran = ssj(root, f"ssj draw round --at '{when}'", "draw", "round", "--at", when)
    assert ran.exit_code == 0, ran.output
    terminal(page, ran, "term-draw-round", out, taken)

    year = at.year
    sets = {"year": str(year), "title": f"{year} 年度基层法律服务所随机抽查计划",
            "scope.sector": "基层法律服务所", "scope.ratio_percent": "25", "scope.min_count": "1",
            "method": "实地检查", "items": "gr-01,gr-02,gr-03",
            "pool_date": f"{at.date() - dt.timedelta(days=3)}",
            "schedule.start": f"{at.date() + dt.timedelta(days=10)}",
            "schedule.end": f"{at.date() + dt.timedelta(days=60)}",
            "mode": "直接检查", "organiser.department": "grassroots"}
    args = [a for k, v in sets.items() for a in ("--set", f"{k}={v}")]
    shown = "ssj new plan " + " ".join(f"--set {k}={v}" for k, v in list(sets.items())[:3]) + " …"
    ran = ssj(root, shown, "new", "plan", *args, "--ask",
              answers=lines(when, f"{at.date() - dt.timedelta(days=10)}"))
    assert ran.exit_code == 0, ran.output
    plan = re.search(r"records/plans/(\S+)\.yaml", ran.output)[1]
    terminal(page, ran, "term-new-plan", out, taken)

    # 五、freeze, time-stamped by an authority of the county's (on 127.0.0.1); the example's
    # own authority cannot be reached here, as happens when a service is down
    authority = make_authority(tmp / "tsa")
    jurisdiction = root / "records/jurisdiction.yaml"
    with serve(authority) as url:
        pins = authority_lines("county-tsa", "本县可信时间戳服务", authority.chain_pem,
                               root_fingerprint(authority), extra=f"    since: {since}")
        # the list of authorities ends the file: the county's joins it
        text = jurisdiction.read_text(encoding="utf-8") + "".join(f"{line}\n" for line in pins)
        jurisdiction.write_text(text.replace("https://tsa.invalid/tsr", url), encoding="utf-8")
        ran = ssj(root, f"ssj draw freeze {plan}", "draw", "freeze", plan)
    assert ran.exit_code == 0, ran.output
    terminal(page, ran, "term-freeze", out, taken)

    with witness_site(tmp / "witness", plan) as site:
        text = jurisdiction.read_text(encoding="utf-8")
        jurisdiction.write_text(text + witness_entry(authority, url=site), encoding="utf-8")
        ran = ssj(root, f"ssj draw witness {plan}", "draw", "witness", plan)
    assert ran.exit_code == 0, ran.output
    terminal(page, ran, "term-witness", out, taken)

    # 六、the draw of plan 2026-02 run again from its published round
    draws = root / "records/draws/2026-02"
    round_file = tmp / "drand-default-1000.json"
    shutil.move(draws / "drand-default-1000.json", round_file)
    for name in ("values.json", "result.json"):
        (draws / name).unlink()
    for found in (root / "records/findings").glob("2026-02-*.yaml"):
        found.unlink()
    shutil.copy(round_file, root / "drand-default-1000.json")
    ran = ssj(root, "ssj draw run 2026-02 --drand-round drand-default-1000.json",
              "draw", "run", "2026-02", "--drand-round", "drand-default-1000.json")
    assert ran.exit_code == 0, ran.output
    terminal(page, ran, "term-draw-run", out, taken)

    # 七、a finding of that draw
    ran = ssj(root, "ssj new finding --plan 2026-02", "new", "finding", "--plan", "2026-02",
              "--ask", answers=lines(
                  "示例喀左县法律援助中心", "2026-10-12", "2026-10-16", "", "la-01,la-02,la-03",
                  "未发现问题", "报送的受理审查台账、指派记录和抽调案卷10卷齐全规范，未发现问题。",
                  "2026-10-23"))
    assert ran.exit_code == 0, ran.output
    terminal(page, ran, "term-new-finding", out, taken)

    # 九、the yearly report, and 十、two mistakes ssj check explains
    pristine = copy_example(tmp / "pristine")
    ran = ssj(pristine, "ssj report 2026", "report", "2026")
    assert ran.exit_code == 0, ran.output
    terminal(page, ran, "term-report", out, taken,
             shown=lambda out: out[:out.index("公证处")] + ["……"] + out[-4:],
             note="（公证处、基层法律服务所、司法鉴定机构、法律援助机构各段从略）")

    (pristine / "records/inspectors/21132419011.yaml").write_text(
        INSPECTOR.format(since=since).replace("name: 赵某宁", "name： 赵某宁"), encoding="utf-8")
    finding = (REPO / "records/findings/2026-02-03.yaml").read_text(encoding="utf-8")
    (pristine / "records/findings/2026-02-03.yaml").write_text(
        finding.replace('target: "12211324450201117F"', "target: 示例喀左县法律援助中心"),
        encoding="utf-8")
    ran = ssj(pristine, "ssj check", "check")
    assert ran.exit_code == 1, ran.output
    terminal(page, ran, "term-check", out, taken,
             shown=lambda out: [line for line in out if "示例数据" not in line],
             note="（示例数据特有的提示从略）")


# ------------------------------------------------------------------ the forms

def form_shots(browser: Any, editor: Editor, out: Path, taken: dict[str, Taken]) -> None:
    page = logged_in(browser, editor, **DESK)
    capture(page, "editor-collections", out, taken)
    page.goto(f"{editor.url}#/collections/jurisdiction/entries/jurisdiction")
    page.wait_for_selector('[id^="name-field-"]')
    page.get_by_text("实施方案", exact=False).first.scroll_into_view_if_needed()
    capture(page, "editor-jurisdiction", out, taken)
    page.context.close()

    page = open_form(browser, editor, "institutions", **DESK)
    field(page, "id").fill("31211324MA0200001D")
    field(page, "name").fill("示例新开律师事务所")
    choose(page, "sector", "律师", "律师事务所")
    field(page, "uscc").fill("31211324MA0200001D")
    capture(page, "editor-institution", out, taken)
    field(page, "address").fill("辽宁省朝阳市喀左县大城子街道示例路 99 号")
    field(page, "responsible_person").fill("王某新")
    field(page, "founded").fill("2026-10-08")
    page.get_by_role("button", name="新增执业状态变更记录").click()
    field(page, "since").fill("2026-10-08")
    choose(page, "status", "正常", "正常执业")
    save(page)
    page.wait_for_selector("text=状态: 草稿")
    page.context.close()

    page = open_form(browser, editor, "inspectors", **DESK)
    field(page, "id").fill("21132419011")
    field(page, "name").fill("赵某宁")
    choose(page, "department", "基层", "基层工作股")
    field(page, "number").fill("21132419011")
    capture(page, "editor-inspector", out, taken)
    page.context.close()

    page = open_form(browser, editor, "items", **DESK)
    field(page, "id").fill("gr-04")
    choose(page, "sector", "基层", "基层法律服务所")
    field(page, "title").fill("基层法律服务所收费公示与票据管理")
    field(page, "content").fill("检查收费标准是否在执业场所公示，收费是否开具合法票据。")
    capture(page, "editor-item", out, taken)
    page.context.close()

    page = open_form(browser, editor, "findings", **DESK)
    fill_finding(page, result=False)
    save(page)
    page.wait_for_selector("text=“抽查结果说明”是必填项")
    page.get_by_text("“抽查结果说明”是必填项").first.scroll_into_view_if_needed()
    capture(page, "editor-finding-missing", out, taken)
    field(page, "result").fill("报送的受理审查台账、指派记录和抽调案卷 10 卷齐全规范，未发现问题。")
    field(page, "target").scroll_into_view_if_needed()
    capture(page, "editor-finding", out, taken)
    save(page)
    page.wait_for_selector("text=状态: 草稿")
    page.goto(f"{editor.url}#/workflow")
    page.wait_for_selector("text=示例新开律师事务所")
    capture(page, "editor-workflow", out, taken)
    page.context.close()

    page = open_form(browser, editor, "lists", **DESK)
    choose(page, "list", "异常", "执业异常名录")
    capture(page, "editor-list-entry", out, taken)
    page.context.close()


# ------------------------------------------------------------------ the public site

def site_shots(browser: Any, site: Path, out: Path, taken: dict[str, Taken]) -> None:
    with serve_site(site) as served:
        def opened(path: str, size: dict[str, int]) -> Any:
            context = browser.new_context(viewport=size, locale="zh-CN")
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(served.url + "/") else route.abort())
            page.goto(served.url + path)
            return page

        for name, path, size, element in (
                ("site-institution-375", "/institutions/12211324450201117F.html", PHONE, "main"),
                ("site-items", "/items.html", DESK, "main"),
                ("site-plan-375", "/plans/2026-02.html", PHONE, "#plan"),
                ("site-proofs", "/plans/2026-02.html", DESK, "#proofs"),
                ("site-outcome-375", "/plans/2026-02.html", PHONE, "#outcome"),
                ("site-finding-375", "/findings/2026-02-01.html", PHONE, "main"),
                ("site-lists-375", "/lists.html", PHONE, "main"),
                ("site-report", "/report/2026.html", DESK, "main")):
            page = opened(path, size)
            capture(page, name, out, taken, element=element)
            page.context.close()


# ------------------------------------------------------------------ the tests

def referenced() -> list[str]:
    return re.findall(r"\]\(guide/([^)\s]+\.png)\)", GUIDE.read_text(encoding="utf-8"))


def manifest() -> dict[str, Any]:
    return {name: asdict(shot) | {"texts": list(shot.texts)} for name, shot in SHOTS.items()}


def test_the_guide_embeds_every_image_and_only_those() -> None:
    """Every image the guide references is committed, every committed image is referenced and
    listed in the manifest, the manifest says what the code shoots, and no image is heavy."""
    images = sorted(p.name for p in IMAGES.glob("*.png"))
    assert sorted(set(referenced())) == images
    assert sorted(f"{name}.png" for name in SHOTS) == images
    if not UPDATE:
        assert json.loads(MANIFEST.read_text(encoding="utf-8")) == manifest(), \
            "docs/guide/shots.json is stale: regenerate with SSJ_UPDATE_GUIDE=1"
    for image in images:
        assert (IMAGES / image).stat().st_size < MAX_BYTES, image


@pytest.fixture(scope="module")
def regenerated(browser: Any, editor: Editor, tmp_path_factory: pytest.TempPathFactory
                ) -> dict[str, Taken]:
    out = tmp_path_factory.mktemp("guide")
    taken: dict[str, Taken] = {}
    form_shots(browser, editor, out, taken)
    example = copy_example(tmp_path_factory.mktemp("site"))
    built = build_site(example, example / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    site_shots(browser, example / "out", out, taken)
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    command_shots(context.new_page(), tmp_path_factory.mktemp("cli"), out, taken)
    context.close()
    if UPDATE:
        for name, shot in taken.items():
            shutil.copy(shot.path, IMAGES / f"{name}.png")
        MANIFEST.write_text(json.dumps(manifest(), ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    return taken


def test_every_image_is_made_and_shows_what_the_manifest_says(regenerated: dict[str, Taken]
                                                               ) -> None:
    assert sorted(regenerated) == sorted(SHOTS)
    missing = {name: shot.missing for name, shot in regenerated.items() if shot.missing}
    assert not missing, f"texts not visible in the regenerated screenshots: {missing}"


def test_the_committed_images_are_current(regenerated: dict[str, Taken]) -> None:
    """Same width as the regenerated image and a height within a quarter of it (fonts differ
    between machines; a changed page or form or output does not fit)."""
    stale = []
    for name, shot in regenerated.items():
        committed = IMAGES / f"{name}.png"
        if not committed.is_file():
            stale.append(f"{name}: not committed")
            continue
        (w, h), (cw, ch) = png_size(shot.path), png_size(committed)
        if w != cw or abs(h - ch) > h / 4:
            stale.append(f"{name}: {cw}×{ch} committed, {w}×{h} now")
    assert not stale, f"regenerate with SSJ_UPDATE_GUIDE=1: {stale}"
