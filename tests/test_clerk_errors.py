"""Issue 24, staff who are not programmers: `ssj check` on the mistakes county staff make when
typing records (a full-width colon or space from the Chinese input method, no space after a colon,
a quote left open, a list where a group belongs, a key out of line, a field twice, a Tab), each
reported in Chinese on the line and column where the mistake is, with the fix; choices shown with
their Chinese labels; an unknown id answered with the ids meant. Exit 1, no traceback, and the
files are left as they were.

Every case is records_tree.valid_tree() with one file changed, read by libyaml and by PyYAML alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.records import yamlread
from tests.records_tree import (
    FINDING,
    FIRM_ID,
    INSTITUTION,
    ITEM,
    PERSON,
    inspector,
    run_ssj,
    valid_tree,
    write_tree,
)

FIRM = f"records/institutions/{FIRM_ID}.yaml"
PERSON_FILE = "records/personnel/01211300000000001.yaml"
INSPECTOR = "records/inspectors/21132419001.yaml"
ITEM_FILE = "records/items/lf-01.yaml"
FINDING_FILE = "records/findings/2025-01-01.yaml"
COLON_FIX = "提示：把全角冒号 '：' 改成半角 ':' 并在后面加一个空格"

# The institution:                        The inspector 21132419001:
#   1 id: "31211300MD00012016"              1 id: "21132419001"
#   2 name: 示例青松律师事务所               2 name: 检查员1
#   3 sector: law-firm                      3 department: lawyer
#   4 uscc: "31211300MD00012016"            4 certificate:
#   5 address: 喀左县大城子街道示例路 1 号    5   number: "21132419001"
#   6 contact_phone: "0421-0000001"         6   valid_from: 2024-01-01
#   7 status_history:                       7   valid_until: 2029-12-31
#   8   - since: 2015-03-01                 8 status_history:
#   9     status: active                    9   - since: 2024-01-01
#                                          10     status: active
INSPECTOR_TEXT = inspector("21132419001", "lawyer")


def firm(old: str, new: str) -> dict[str, str]:
    assert INSTITUTION.count(old) == 1, old
    return {FIRM: INSTITUTION.replace(old, new)}


def inspector_with(old: str, new: str) -> dict[str, str]:
    assert INSPECTOR_TEXT.count(old) == 1, old
    return {INSPECTOR: INSPECTOR_TEXT.replace(old, new)}


@dataclass(frozen=True)
class Mistake:
    files: dict[str, str]
    file: str
    line: int
    rule: str
    says: tuple[str, ...]  # in the one problem line


MISTAKES = {
    # the full-width colon, typed with the Chinese input method on
    "full-width-colon": Mistake(
        firm("name: 示例", "name：示例"), FIRM, 2, "load.syntax",
        ("第 2 行第 5 列：字段名 name 后面是全角冒号 '：'", COLON_FIX)),
    "full-width-colon-with-space": Mistake(
        firm("sector: law-firm", "sector： law-firm"), FIRM, 3, "load.syntax",
        ("第 3 行第 7 列：字段名 sector 后面是全角冒号", COLON_FIX)),
    "full-width-colon-nested": Mistake(
        inspector_with("  valid_from: ", "  valid_from："), INSPECTOR, 6, "load.syntax",
        ("第 6 行第 13 列：字段名 valid_from 后面是全角冒号", COLON_FIX)),
    "full-width-colon-last-of-nested-block": Mistake(
        inspector_with("  valid_until: ", "  valid_until："), INSPECTOR, 7, "load.syntax",
        ("第 7 行第 14 列：字段名 valid_until 后面是全角冒号", COLON_FIX)),
    "full-width-colon-list-item": Mistake(
        firm("  - since: ", "  - since："), FIRM, 8, "load.syntax",
        ("第 8 行第 10 列：字段名 since 后面是全角冒号", COLON_FIX)),
    "full-width-colon-in-list-item": Mistake(
        firm("    status: active", "    status：active"), FIRM, 9, "load.syntax",
        ("第 9 行第 11 列：字段名 status 后面是全角冒号", COLON_FIX)),
    "full-width-colon-whole-list-item": Mistake(  # valid YAML: one text where a group belongs
        firm("  - since: 2015-03-01\n    status: active", "  - since：2015-03-01"),
        FIRM, 8, "load.syntax", ("第 8 行第 10 列：字段名 since 后面是全角冒号", COLON_FIX)),
    # the full-width space (U+3000) in the indentation
    "full-width-space-nested": Mistake(
        inspector_with("  valid_from", "\u3000\u3000valid_from"), INSPECTOR, 6, "load.syntax",
        ("第 6 行第 1 列：缩进里有全角空格（U+3000）", "提示：把全角空格换成半角空格")),
    "full-width-space-after-spaces": Mistake(
        inspector_with("  valid_from", " \u3000valid_from"), INSPECTOR, 6, "load.syntax",
        ("第 6 行第 2 列：缩进里有全角空格（U+3000）", "提示：把全角空格换成半角空格")),
    "full-width-space-top-level": Mistake(  # valid YAML: a key "　name" the record lacks
        firm("name: 示例", "\u3000name: 示例"), FIRM, 2, "load.syntax",
        ("第 2 行第 1 列：缩进里有全角空格（U+3000）", "提示：把全角空格换成半角空格")),
    "full-width-space-after-colon": Mistake(
        firm("name: 示例", "name:\u3000示例"), FIRM, 2, "load.syntax",
        ("第 2 行第 6 列：冒号 ':' 后面是全角空格（U+3000）", "提示：把冒号后的全角空格换成半角空格")),
    # no space after the colon
    "missing-space": Mistake(
        firm("name: 示例", "name:示例"), FIRM, 2, "load.syntax",
        ("第 2 行第 5 列：冒号 ':' 后面缺少空格", "提示：在冒号后加一个空格，写成“name: 值”")),
    "missing-space-nested": Mistake(
        inspector_with("  valid_from: ", "  valid_from:"), INSPECTOR, 6, "load.syntax",
        ("第 6 行第 13 列：冒号 ':' 后面缺少空格", "写成“valid_from: 值”")),
    "missing-space-list-item": Mistake(
        firm("  - since: ", "  - since:"), FIRM, 8, "load.syntax",
        ("第 8 行第 10 列：冒号 ':' 后面缺少空格", "写成“since: 值”")),
    # quotes left open: reported where the quote opened, not where YAML gave up
    "unclosed-double-quote": Mistake(  # closed by accident by line 6's first quote
        firm("address: 喀左县", 'address: "喀左县'), FIRM, 5, "load.syntax",
        ('第 5 行第 10 列的双引号 " 没有配对的结束引号', '提示：在值的末尾补上 "')),
    "unclosed-double-quote-at-end": Mistake(
        firm("    status: active", '    status: "active'), FIRM, 9, "load.syntax",
        ('第 9 行第 13 列的双引号 " 没有配对的结束引号',)),
    "unclosed-single-quote": Mistake(
        firm("name: 示例青松律师事务所", "name: '示例青松律师事务所"), FIRM, 2, "load.syntax",
        ("第 2 行第 7 列的单引号 ' 没有配对的结束引号", "提示：在值的末尾补上 '")),
    "text-after-closing-quote": Mistake(
        firm('contact_phone: "0421-0000001"', 'contact_phone: "0421"-0000001'), FIRM, 6,
        "load.syntax", ("第 6 行第 22 列：结束引号后面还有文字",)),
    # a list where a group of fields belongs, and the other way round
    "list-item-in-mapping": Mistake(
        inspector_with("  valid_until: 2029-12-31\n", "  valid_until: 2029-12-31\n  - 2030-12-31\n"),
        INSPECTOR, 8, "load.syntax",
        ("第 8 行第 3 列：这里应写“字段名: 值”，不能写以 - 开头的列表项", "提示：删除“- ”")),
    "list-for-mapping": Mistake(
        inspector_with('  number: "21132419001"\n  valid_from: 2024-01-01\n  valid_until',
                       '  - number: "21132419001"\n    valid_from: 2024-01-01\n    valid_until'),
        INSPECTOR, 5, "load.type",
        ("字段 certificate：第 5 行第 3 列起写成了以 - 开头的列表，这里应为“字段名: 值”的组合",
         "提示：删除“- ”")),
    "mapping-for-list": Mistake(
        firm("  - since: 2015-03-01\n    status", "  since: 2015-03-01\n  status"), FIRM, 8,
        "load.type", ("字段 status_history：第 8 行第 3 列起写成了“字段名: 值”，这里应为列表（每项以 - 开头）",
                      "提示：每一项另起一行，以“- ”开头")),
    "mapping-in-list": Mistake(
        firm("    status: active\n", "    status: active\n  note: 已核实\n"), FIRM, 10,
        "load.syntax", ("第 10 行第 3 列：这里是以 - 开头的列表，不能直接写“字段名: 值”",
                        "提示：在前面加“- ”作为新的一项")),
    # keys out of line with their siblings
    "indented-deeper": Mistake(
        firm("sector: law-firm", "  sector: law-firm"), FIRM, 3, "load.syntax",
        ("第 3 行第 3 列：sector 比第 2 行的 name 多缩进了 2 格", "提示：同一层的字段左端对齐")),
    "indented-deeper-nested": Mistake(
        inspector_with("  valid_from", "    valid_from"), INSPECTOR, 6, "load.syntax",
        ("第 6 行第 5 列：valid_from 比第 5 行的 number 多缩进了 2 格",)),
    "indented-shallower-nested": Mistake(
        inspector_with("  valid_from", " valid_from"), INSPECTOR, 6, "load.syntax",
        ("第 6 行第 2 列：valid_from 缩进 1 个空格，与上下文中任何一层都对不齐",
         "提示：按它所属的层，与第 5 行的 number（2 个空格）或第 4 行的 certificate（0 个空格）左端对齐")),
    "indented-shallower-list-item": Mistake(
        firm("    status: active", "   status: active"), FIRM, 9, "load.syntax",
        ("第 9 行第 4 列：status 缩进 3 个空格，与上下文中任何一层都对不齐",
         "与第 8 行的 since（4 个空格）或第 8 行的 -（2 个空格）左端对齐")),
    "colon-space-inside-value": Mistake(
        firm("address: 喀左县大城子街道示例路 1 号", "address: 喀左县: 示例路 1 号"), FIRM, 5,
        "load.syntax", ("第 5 行第 13 列：值中的冒号加空格“: ”会被当作新的字段",
                        '写成 address: "喀左县: 示例路 1 号"')),
    # a field twice: both lines named
    "duplicate-key": Mistake(
        firm("sector: law-firm\n", "sector: law-firm\nname: 示例青松律所\n"), FIRM, 4,
        "load.duplicate-key", ("字段 name：第 2 行已经写过，第 4 行又写了一次",
                               "提示：删除其中一个（第 2 行或第 4 行）")),
    "duplicate-key-nested": Mistake(
        inspector_with("  valid_until: 2029-12-31\n",
                       "  valid_until: 2029-12-31\n  valid_from: 2024-02-01\n"),
        INSPECTOR, 8, "load.duplicate-key",
        ("字段 certificate.valid_from：第 6 行已经写过，第 8 行又写了一次",)),
    # Tabs
    "tab-indentation": Mistake(
        inspector_with("  valid_from", "\tvalid_from"), INSPECTOR, 6, "load.tab",
        ("第 6 行第 1 列：缩进用了制表符（Tab）", "提示：把 Tab 换成空格")),
    "tab-after-spaces": Mistake(
        firm("    status: active", "  \tstatus: active"), FIRM, 9, "load.tab",
        ("第 9 行第 3 列：缩进用了制表符（Tab）",)),
}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "libyaml":
        if yamlread.CParser is None:
            pytest.skip("PyYAML built without libyaml")
        monkeypatch.delenv("SSJ_YAML", raising=False)
    else:
        monkeypatch.setenv("SSJ_YAML", "python")
    return request.param


def one_problem(tmp_path: Path, changes: dict[str, str], *args: str) -> str:
    """`ssj check` on the valid tree with `changes`: exit 1, no traceback, nothing written,
    and one problem line, returned."""
    write_tree(tmp_path, {**valid_tree(), **changes})
    before = _snapshot(tmp_path)
    run = run_ssj(tmp_path, "check", *args)
    assert _snapshot(tmp_path) == before
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "Error" not in run.output, run.output
    lines = run.output.splitlines()
    assert lines[-1].startswith("ssj check 未通过"), run.output
    problems = lines[:-1]
    assert len(problems) == 1, run.output
    return problems[0]


@pytest.mark.parametrize("mistake", list(MISTAKES.values()), ids=list(MISTAKES))
def test_a_mistake_is_named_where_it_is(tmp_path: Path, parser: str, mistake: Mistake) -> None:
    line = one_problem(tmp_path, mistake.files)
    assert line.startswith(f"{mistake.file}:{mistake.line}: 错误 [{mistake.rule}] "), line
    for text in mistake.says:
        assert text in line, line
    assert "while " not in line and "expected" not in line and "found" not in line, line


# ------------------------------------------------------------------------------------------------
# Choices: codes in the files, labels in the messages
# ------------------------------------------------------------------------------------------------

LAWYER_CHOICES = ("lawyer（律师）、notary（公证员）、grassroots-worker（基层法律服务工作者）、"
                  "appraiser（司法鉴定人）、legal-aid-worker（法律援助人员）")


@pytest.mark.parametrize("written, says", [
    ("律师", (f"字段 role：'律师' 是选项的中文名称，文件中要写它的代码（可选：{LAWYER_CHOICES}）",
             "提示：写作 lawyer（律师）：文件中保存代码")),
    ("公证员", ("'公证员' 是选项的中文名称", "提示：写作 notary（公证员）：文件中保存代码")),
    ("lawyr", (f"字段 role：'lawyr' 不是允许的值（可选：{LAWYER_CHOICES}）",
               "提示：是否想写 lawyer（律师）？")),
    ("律师们", ("'律师们' 不是允许的值", "提示：是否想写 lawyer（律师）？")),
], ids=["label", "other-label", "misspelt-code", "near-a-label"])
def test_choices_are_shown_with_their_labels(tmp_path: Path, written: str,
                                             says: tuple[str, ...]) -> None:
    text = PERSON.replace("role: lawyer", f"role: {written}")
    line = one_problem(tmp_path, {PERSON_FILE: text})
    assert line.startswith(f"{PERSON_FILE}:3: 错误 [load.enum] "), line
    for fragment in says:
        assert fragment in line, line


# ------------------------------------------------------------------------------------------------
# An unknown id: the ids meant
# ------------------------------------------------------------------------------------------------

FIRM_MEANT = f"是否指 {FIRM_ID}（示例青松律师事务所）？"


@pytest.mark.parametrize("changes, file, line, rule, says", [
    ({PERSON_FILE: PERSON.replace(f'institution: "{FIRM_ID}"', 'institution: "31211300MD00012017"')},
     PERSON_FILE, 4, "integrity.reference",
     ("字段 institution：找不到法律服务机构 31211300MD00012017", f"提示：{FIRM_MEANT}")),
    ({PERSON_FILE: PERSON.replace(f'institution: "{FIRM_ID}"', "institution: 示例青松律师事务所")},
     PERSON_FILE, 4, "load.format",
     ("字段 institution：'示例青松律师事务所' 不是编号：这里写所指法律服务机构的编号（id），不写名称",
      f"提示：{FIRM_MEANT}")),
    ({PERSON_FILE: PERSON.replace(f'institution: "{FIRM_ID}"', "institution: 青松律师事务所")},
     PERSON_FILE, 4, "load.format", (f"提示：{FIRM_MEANT}",)),
    ({FINDING_FILE: FINDING.replace("items: [lf-01]", "items: [lf-1]")},
     FINDING_FILE, 9, "integrity.reference",
     ("字段 items[1]：找不到抽查事项 lf-1", "提示：是否指 lf-01（律师事务所执业活动检查）？")),
    ({FINDING_FILE: FINDING.replace('inspectors: ["21132419001", ', 'inspectors: ["21132419011", ')},
     FINDING_FILE, 4, "integrity.reference",
     ("字段 inspectors[1]：找不到执法检查人员 21132419011",
      "是否指 21132419001（检查员1）、21132419002（检查员2）？")),
    ({ITEM_FILE: ITEM.replace("subject: lawyer", "subject: lawyers")},
     ITEM_FILE, 6, "integrity.reference",
     ("字段 subject：股室 lawyers 不存在", "提示：是否指 lawyer（律师工作股）？")),
    ({ITEM_FILE: ITEM.replace("subject: lawyer", "subject: 律师工作股")},
     ITEM_FILE, 6, "load.format",
     ("字段 subject：'律师工作股' 不是编号", "提示：是否指 lawyer（律师工作股）？")),
], ids=["id-one-character-off", "name-for-id", "name-nearly", "item-id", "inspector-id",
        "department-id", "department-name"])
def test_an_unknown_id_gets_the_ids_meant(tmp_path: Path, changes: dict[str, str], file: str,
                                          line: int, rule: str, says: tuple[str, ...]) -> None:
    found = one_problem(tmp_path, changes)
    assert found.startswith(f"{file}:{line}: 错误 [{rule}] "), found
    for fragment in says:
        assert fragment in found, found


def test_an_id_far_from_every_record_keeps_the_plain_hint(tmp_path: Path) -> None:
    text = PERSON.replace(f'institution: "{FIRM_ID}"', "institution: zzz")
    found = one_problem(tmp_path, {PERSON_FILE: text})
    assert found.endswith("找不到法律服务机构 zzz 提示：检查编号是否写错"), found
