"""Issue 24, a new bureau adopting ssj: `ssj init` writes a placeholder 实施方案 page, never the
model 方案 (Kazuo's, 喀司发〔2024〕5号); `ssj check` refuses a real bureau's site (example: false)
until the bureau's own 方案 and 文号 replace it, refuses the model's text published as the
bureau's own, and warns for each empty footer field a government site must show. Example data
(this repository's records, Kazuo's own) passes as before.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.rules.adoption import MODEL_NUMBER, check_adoption, model_line
from generator.rules.checks import CHECKS
from tests.records_tree import Run, run_ssj

ROOT = Path(__file__).resolve().parent.parent
PINNED = "ssj @ git+https://example.invalid/ssj.git@0123456789abcdef0123456789abcdef01234567"
INIT = ("--name", "某某县司法局", "--short-name", "某某县司法局", "--division-code", "210000",
        "--requirement", PINNED)
OWN_NUMBER = "某司发〔2025〕3号"
OWN_REGULATION = f"""\
---
title: 实施方案
---

某某县司法局关于推行“双随机一公开”规范事中事后监管的实施方案，{OWN_NUMBER}，2025年3月1日印发。以下为全文。

## 一、总体要求

### （一）总体要求

在全县司法行政机关推行“双随机一公开”。

某某县司法局

2025年3月1日
"""
FOOTER = """\
site:
  telephone: "0421-1234567"
  website_id: "2113240001"
  icp_record: 辽ICP备12345678号
  psb_record: 辽公网安备 21132402000001号
"""

# what a clerk reads for each empty footer field: file, line of `site:`, message and hint
SITE_LINE = "records/jurisdiction.yaml:19"
WARNINGS = [
    f"{SITE_LINE}: 警告 [site.contact] 方案 三（一）：页脚“联系我们”没有内容：对外电话（site.telephone）、"
    "邮箱（site.email）、来信地址（site.contact_address）和办公地址（address）都未填写 提示：在 "
    "records/jurisdiction.yaml 的 site 下填写对外公开的电话 telephone、邮箱 email 或来信地址 "
    "contact_address（或填写本局办公地址 address）",
    f"{SITE_LINE}: 警告 [site.icp-record] 方案 三（一）：ICP备案号（site.icp_record）未填写，页脚不显示 "
    "提示：ICP 备案在工业和信息化部政务服务平台（beian.miit.gov.cn）办理；取得备案号（如 辽ICP备12345678号）"
    "后填在 records/jurisdiction.yaml 的 site.icp_record",
    f"{SITE_LINE}: 警告 [site.psb-record] 方案 三（一）：公安机关备案号（site.psb_record）未填写，页脚不显示 "
    "提示：公安联网备案在全国互联网安全管理服务平台（beian.mps.gov.cn）办理，取得备案号（如 辽公网安备 "
    "21132402000001号）后填在 records/jurisdiction.yaml 的 site.psb_record",
    f"{SITE_LINE}: 警告 [site.website-id] 方案 三（一）：网站标识码（site.website_id）未填写，页脚不显示 "
    "提示：网站标识码由政府网站主管单位在政府网站开办审核通过后，通过全国政府网站管理平台分配；取得后填在 "
    "records/jurisdiction.yaml 的 site.website_id",
]
PLACEHOLDER_ERROR = (
    "site/pages/regulation.md:3: 错误 [site.regulation-placeholder] 方案 一（二）：实施方案页面仍是新建"
    "仓库时写入的占位页，网站上没有本局的实施方案 提示：把 site/pages/regulation.md 换成本局实施方案的全文"
    "（开头的 placeholder: true 一行一并删去），并在 records/jurisdiction.yaml 的 regulation 中填写它的"
    "名称 title、文号 number 和印发日期 date")
NUMBER_ERROR = (
    "records/jurisdiction.yaml:8: 错误 [site.regulation-number] 方案 一（二）：本局实施方案的文号仍是"
    "新建仓库时写入的“（文号）”，网站页脚会写“依据（文号）” 提示：在 records/jurisdiction.yaml 的 "
    "regulation.number 填写本局实施方案的文号，如 某司发〔2025〕3号，并核对 title 和 date")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("adopt")
    run = run_ssj(parent, "init", "bureau", *INIT)
    assert run.exit_code == 0, run.output
    return parent / "bureau"


@pytest.fixture
def bureau(fresh: Path, tmp_path: Path) -> Path:
    """A copy of the fresh `ssj init` repository, for one test to change."""
    return Path(shutil.copytree(fresh, tmp_path / "bureau"))


def set_number(repo: Path, number: str) -> None:
    path = repo / "records" / "jurisdiction.yaml"
    text, n = re.subn(r'^  number: "[^"]*"', f'  number: "{number}"',
                      path.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert n == 1
    path.write_text(text, encoding="utf-8")


def fill_footer(repo: Path) -> None:
    path = repo / "records" / "jurisdiction.yaml"
    text = path.read_text(encoding="utf-8").replace("site:", FOOTER.rstrip("\n"), 1)
    path.write_text(text, encoding="utf-8")


def adopt(repo: Path, regulation: str = OWN_REGULATION, number: str = OWN_NUMBER,
          footer: bool = True) -> None:
    """What a bureau does before publishing: its own 方案 and 文号, and the footer's numbers."""
    (repo / "site" / "pages" / "regulation.md").write_text(regulation, encoding="utf-8")
    set_number(repo, number)
    if footer:
        fill_footer(repo)


def site_lines(run: Run) -> list[str]:
    return [x for x in run.output.splitlines() if "[site." in x]


def errors(run: Run) -> list[str]:
    return [x for x in run.output.splitlines() if ": 错误 [" in x]


# --------------------------------------------------------------------------- ssj init


def test_init_writes_a_placeholder_not_the_model(fresh: Path) -> None:
    page = (fresh / "site" / "pages" / "regulation.md").read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: 实施方案\nplaceholder: true")
    assert "占位页" in page and "粘贴" in page
    assert MODEL_NUMBER not in page and model_line(page) is None
    model = (ROOT / "site" / "pages" / "regulation.md").read_bytes()
    assert (fresh / "site" / "pages" / "regulation.md").read_bytes() != model
    # the other pages are this project's
    for name in ("accessibility.md", "draw-spec.md"):
        assert (fresh / "site/pages" / name).read_bytes() == (ROOT / "site/pages" / name).read_bytes()


# --------------------------------------------------------------------------- ssj check


def test_a_fresh_real_bureau_is_refused_until_its_own_regulation_is_in(fresh: Path) -> None:
    run = run_ssj(fresh, "check")
    assert run.exit_code == 1, run.output
    assert [x for x in errors(run) if "site/pages/regulation.md" in x] == [PLACEHOLDER_ERROR]
    assert errors(run) == [NUMBER_ERROR, PLACEHOLDER_ERROR]
    assert site_lines(run) == [NUMBER_ERROR, *WARNINGS, PLACEHOLDER_ERROR]
    assert "ssj check 未通过" in run.output.splitlines()[-1]


def test_its_own_regulation_and_footer_pass(bureau: Path, tmp_path: Path) -> None:
    adopt(bureau)
    run = run_ssj(bureau, "check")
    assert run.exit_code == 0, run.output
    assert site_lines(run) == [] and errors(run) == []
    # the footer cites the bureau's own 文号, and the 实施方案 page is its own
    built = run_ssj(bureau, "build", "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert f"依据<span class=\"nw\">{OWN_NUMBER}</span>" in index and MODEL_NUMBER not in index
    regulation = (tmp_path / "out" / "regulation.html").read_text(encoding="utf-8")
    assert OWN_NUMBER in regulation and MODEL_NUMBER not in regulation


def test_its_own_regulation_passes_with_a_warning_per_empty_footer_field(bureau: Path) -> None:
    adopt(bureau, footer=False)
    run = run_ssj(bureau, "check")
    assert run.exit_code == 0, run.output
    assert site_lines(run) == WARNINGS
    assert run_ssj(bureau, "check", "--strict").exit_code == 1


def test_an_office_address_is_a_contact(bureau: Path) -> None:
    adopt(bureau, footer=False)
    path = bureau / "records" / "jurisdiction.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "example: false\n", "example: false\naddress: 某某县某某路 1 号\n"), encoding="utf-8")
    assert "[site.contact]" not in run_ssj(bureau, "check").output


def test_the_placeholder_number_alone_is_refused(bureau: Path) -> None:
    adopt(bureau, regulation=OWN_REGULATION.replace(OWN_NUMBER, "（文号）"), number="（文号）")
    run = run_ssj(bureau, "check")
    assert run.exit_code == 1
    assert errors(run) == [NUMBER_ERROR]


@pytest.mark.parametrize("cut", ["whole", "without-its-opening", "spaced-number"])
def test_the_model_text_left_in_is_refused(bureau: Path, cut: str) -> None:
    model = (ROOT / "site" / "pages" / "regulation.md").read_text(encoding="utf-8")
    if cut == "without-its-opening":  # the paragraph naming the 文号 dropped: its signature says
        model = "\n".join(x for x in model.splitlines() if MODEL_NUMBER not in x) + "\n"
    if cut == "spaced-number":
        model = model.replace(MODEL_NUMBER, "喀司发 [2024] 5 号")
    adopt(bureau, regulation=model)
    run = run_ssj(bureau, "check")
    assert run.exit_code == 1, run.output
    line = model_line(model)
    assert line is not None
    assert errors(run) == [
        f"site/pages/regulation.md:{line}: 错误 [site.regulation-model] 方案 一（二）：实施方案页面是"
        f"示范方案（喀左县司法局 {MODEL_NUMBER}）的原文，不是本局的方案（文号 {OWN_NUMBER}）：网站会以本局"
        "名义公布另一个局的方案 提示：把 site/pages/regulation.md 换成本局实施方案的全文，并在 "
        "records/jurisdiction.yaml 的 regulation 中填写它的名称 title、文号 number 和印发日期 date；"
        "规则目录引用示范方案的条款编号，网站公布的则须是本局自己的方案"]


def test_the_model_bureau_itself_may_publish_it(bureau: Path) -> None:
    adopt(bureau, regulation=(ROOT / "site" / "pages" / "regulation.md").read_text("utf-8"),
          number=MODEL_NUMBER)
    run = run_ssj(bureau, "check")
    assert run.exit_code == 0, run.output
    assert site_lines(run) == []


def test_a_page_without_the_bureau_s_number_is_a_warning(bureau: Path) -> None:
    adopt(bureau, regulation=OWN_REGULATION.replace(f"{OWN_NUMBER}，", ""))
    run = run_ssj(bureau, "check")
    assert run.exit_code == 0, run.output
    assert site_lines(run) == [
        f"site/pages/regulation.md:1: 警告 [site.regulation-mismatch] 方案 一（二）：实施方案页面没有写明"
        f"本局方案的文号 {OWN_NUMBER}（records/jurisdiction.yaml 的 regulation.number）：页面与页脚所称的"
        "方案可能不是同一个 提示：在页面开头写明方案名称、文号和印发日期，如“……实施方案，某司发〔2025〕3号，"
        "2025年3月1日印发。以下为全文。”；文号与 records/jurisdiction.yaml 的 regulation.number 一致"]


def test_a_missing_regulation_page_is_refused(bureau: Path) -> None:
    adopt(bureau)
    (bureau / "site" / "pages" / "regulation.md").unlink()
    run = run_ssj(bureau, "check")
    assert run.exit_code == 1
    assert [x.split(" 提示")[0] for x in errors(run)] == [
        "site/pages/regulation.md:1: 错误 [site.regulation-placeholder] 方案 一（二）："
        "网站没有实施方案页面：导航中的“实施方案”会打不开"]


def test_check_reads_the_site_beside_the_records_or_where_told(bureau: Path) -> None:
    # from the repository's parent: the site beside --records is checked
    run = run_ssj(bureau.parent, "check", "--records", "bureau/records")
    assert "bureau/site/pages/regulation.md:3: 错误 [site.regulation-placeholder]" in run.output
    # a site elsewhere, by --site
    moved = bureau.parent / "public"
    (bureau / "site").rename(moved)
    run = run_ssj(bureau, "check", "--site", "../public")
    assert "../public/pages/regulation.md:3: 错误 [site.regulation-placeholder]" in run.output


def test_a_records_only_check_says_what_it_did_not_check(bureau: Path) -> None:
    shutil.rmtree(bureau / "site")
    run = run_ssj(bureau, "check")
    lines = run.output.splitlines()
    assert lines[-2] == "未检查网站：找不到网站目录 site（用 --site 指定），实施方案页面与页脚信息没有检查"
    assert run.exit_code == 0 and site_lines(run) == [], run.output
    json_run = run_ssj(bureau, "check", "--format", "json")
    assert '"unchecked": "未检查网站' in json_run.output


def test_the_example_passes_as_kazuo_s_own() -> None:
    run = run_ssj(ROOT, "check")
    assert run.exit_code == 0, run.output
    assert site_lines(run) == [] and "未检查网站" not in run.output


def test_example_data_is_not_held_to_it(fresh: Path) -> None:
    from generator.records.load import load_records

    records, problems = load_records(ROOT / "records")
    assert not problems and records.jurisdiction.example is True
    # the example's records over a fresh bureau's placeholder page: nothing to say
    assert check_adoption(records, fresh / "site") == []


# --------------------------------------------------------------------------- the rule catalogue


def test_the_model_is_recognised_in_the_copy_shipped() -> None:
    model = (ROOT / "site" / "pages" / "regulation.md").read_text(encoding="utf-8")
    assert model_line(model) == next(n for n, x in enumerate(model.splitlines(), start=1)
                                     if MODEL_NUMBER in x)
    without = "\n".join(x for x in model.splitlines() if MODEL_NUMBER not in x)
    assert model_line(without) is not None  # by its signature and date


def test_the_new_checks_cite_a_clause_and_say_where_to_get_the_numbers() -> None:
    ours = {c.id: c for c in CHECKS if c.id.startswith("site.")}
    assert set(ours) == {"site.regulation-placeholder", "site.regulation-model",
                         "site.regulation-number", "site.regulation-mismatch", "site.contact",
                         "site.website-id", "site.icp-record", "site.psb-record"}
    assert all(c.clause and c.hint and c.category == "公示网站" for c in ours.values())
    assert "beian.miit.gov.cn" in ours["site.icp-record"].hint
    assert "beian.mps.gov.cn" in ours["site.psb-record"].hint
    assert "政府网站管理平台" in ours["site.website-id"].hint


def test_the_rules_page_says_its_clauses_are_the_model_s(bureau: Path, tmp_path: Path) -> None:
    template = (ROOT / "site" / "templates" / "rules.html").read_text(encoding="utf-8")
    assert f'site.regulation.number != "{MODEL_NUMBER}"' in template
    adopt(bureau)
    built = run_ssj(bureau, "build", "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    page = (tmp_path / "out" / "rules.html").read_text(encoding="utf-8")
    assert (f"条款编号指这些规则所依据的示范方案（喀左县司法局实施方案，{MODEL_NUMBER}）；本局实施方案对"
            "某一条款的表述与之不同的，以<a ") in page
