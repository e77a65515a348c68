"""`ssj check` on broken records: each problem is one clear line with file, line and rule; exit 1.

Every case is the smallest valid tree (records_tree.valid_tree) with one file broken the way staff
might break it, written out inline.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.records.yamlread import MAX_BYTES
from generator.rules.uscc import check_character
from tests.records_tree import (
    CREDIT_NOTICE,
    FIRM_ID,
    INSTITUTION,
    ITEM,
    JURISDICTION,
    PLAN,
    check_tree,
    inspector,
    run_ssj,
    valid_tree,
    write_tree,
)

ROOT = Path(__file__).resolve().parent.parent

JURISDICTION_FILE = "records/jurisdiction.yaml"
FIRM = f"records/institutions/{FIRM_ID}.yaml"
PERSON_FILE = "records/personnel/01211300000000001.yaml"
INSPECTOR_1 = "records/inspectors/21132419001.yaml"
INSPECTOR_2 = "records/inspectors/21132419002.yaml"
ITEM_FILE = "records/items/lf-01.yaml"
PLAN_FILE = "records/plans/2025-01.yaml"
FINDING_FILE = "records/findings/2025-01-01.yaml"
LIST_FILE = "records/lists/abnormal-2025-01.yaml"
NOTICE = "records/credit-notices/cn-2025-01.yaml"


def uscc(first17: str) -> str:
    """A 统一社会信用代码 with a correct check character."""
    return first17 + check_character(first17)


OTHER_FIRM_ID = uscc("31211300MD0002201")  # a second law firm
NOTARY_CODE = uscc("32211300MD0001201")  # valid code, but category 32 (公证处)
PUBLIC_BODY_CODE = uscc("12211300MB0001201")  # valid code, category 12 (事业单位)


def edit(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced (for the long jurisdiction and plan)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


PROBLEM_LINE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>[0-9]+): (错误|警告|提示) "
                          r"\[(?P<rule>[a-z]+\.[a-z-]+)\] \S.*$")


def problem_lines(output: str) -> list[str]:
    """The output's problem lines; every other line must be the one-line summary."""
    lines = output.splitlines()
    assert lines and lines[-1].startswith("ssj check "), output
    return lines[:-1]


def assert_well_formed(output: str) -> None:
    assert "Traceback" not in output
    for line in problem_lines(output):
        assert PROBLEM_LINE.match(line), f"not a one-line problem: {line!r}"


def without_none(files: dict[str, str | bytes | None]) -> dict[str, str | bytes]:
    return {k: v for k, v in files.items() if v is not None}


def tree_with(changes: dict[str, str | bytes | None]) -> dict[str, str | bytes]:
    """valid_tree() with files replaced, added, or removed (None)."""
    return without_none({**valid_tree(), **changes})


@dataclass(frozen=True)
class Broken:
    files: dict[str, str | bytes | None]  # path -> new content; None removes the file
    file: str  # the file the problem is reported on
    line: int
    rule: str  # ends with "." to accept any rule of that family (for bugs not yet designed)
    says: tuple[str, ...] = ()  # text the problem line must contain
    errors: int | None = 1  # how many error lines in all (None: not pinned)
    also: tuple[tuple[str, int, str], ...] = ()  # further expected (file, line, rule)


def case(name: str, broken: Broken):  # type: ignore[no-untyped-def]
    return pytest.param(broken, id=name)


def notice(**replace: str) -> str:
    """The credit notice with whole lines replaced, e.g. notice(platform="platform: x")."""
    lines = CREDIT_NOTICE.splitlines()
    for key, new in replace.items():
        (i,) = [n for n, line in enumerate(lines) if line.startswith(f"{key}:")]
        lines[i] = new
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# YAML and reading
# The credit notice is referenced by nothing, so a file-level break there reports one error.
#   1 id: cn-2025-01
#   2 institution: "31211300MD00012016"
#   3 finding: 2025-01-01
#   4 platform: 信用中国
#   5 published_on: 2025-05-01
#   6 reason: 不予配合检查。
# ------------------------------------------------------------------------------------------------

READING = [
    case("duplicate-key", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
name: 示例青松律所
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 6, "load.duplicate-key", ("字段 name", "第 2 行"))),
    # `nmae` also leaves the required `name` missing: that second line is not pinned here.
    case("unknown-key-near-miss", Broken({FIRM: f"""\
id: "{FIRM_ID}"
nmae: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 2, "load.unknown-key", ("字段 nmae", "是否想写 name？"), errors=None)),
    case("unknown-key-optional-near-miss", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
responsible_persn: 李某
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 6, "load.unknown-key", ("是否想写 responsible_person？",))),
    case("unknown-key-lists-fields",
         Broken({NOTICE: CREDIT_NOTICE + "website: https://www.creditchina.gov.cn\n"},
                NOTICE, 7, "load.unknown-key", ("可用字段：",))),
    case("alias", Broken({NOTICE: notice(reason="reason: *reason")},
                         NOTICE, 6, "load.alias", ("*reason",))),
    case("anchor", Broken({NOTICE: notice(platform="platform: &p 信用中国")},
                          NOTICE, 4, "load.alias", ("&p",))),
    case("tag-str", Broken({NOTICE: notice(published_on="published_on: !!str 2025-05-01")},
                           NOTICE, 5, "load.tag")),
    case("tag-python-object",
         Broken({NOTICE: notice(platform="platform: !!python/object:os.system echo")},
                NOTICE, 4, "load.tag")),
    case("tab", Broken({NOTICE: notice(platform="platform:\t信用中国")}, NOTICE, 4, "load.tab")),
    case("gbk-encoded", Broken({NOTICE: CREDIT_NOTICE.encode("gbk")},
                               NOTICE, 4, "load.encoding", ("UTF-8",))),
    case("invalid-utf8-byte",
         Broken({NOTICE: CREDIT_NOTICE.encode().replace("不予配合".encode(), b"\xff\xfe")},
                NOTICE, 6, "load.encoding")),
    case("utf16-encoded",
         Broken({NOTICE: CREDIT_NOTICE.encode("utf-16")}, NOTICE, 1, "load.encoding")),
    case("empty-file", Broken({NOTICE: b""}, NOTICE, 1, "load.empty")),
    case("comment-only", Broken({NOTICE: "# 待补充\n"}, NOTICE, 1, "load.empty")),
    case("document-marker-only", Broken({NOTICE: "---\n"}, NOTICE, 1, "load.empty")),
    case("too-large", Broken({NOTICE: "# " + "备注" * (MAX_BYTES // 6) + "\n" + CREDIT_NOTICE},
                             NOTICE, 1, "load.too-large", (str(MAX_BYTES),))),
    case("two-documents", Broken({NOTICE: CREDIT_NOTICE + "---\nid: cn-2025-02\n"},
                                 NOTICE, 7, "load.multiple-documents")),
    case("bad-indentation", Broken({NOTICE: notice(published_on="  published_on: 2025-05-01")},
                                   NOTICE, 5, "load.syntax")),
    case("colon-inside-value", Broken({NOTICE: notice(platform="platform: 信用中国: 网站")},
                                      NOTICE, 4, "load.syntax")),
    case("no-space-after-colon", Broken({NOTICE: notice(platform="platform:信用中国")},
                                        NOTICE, 4, "load.syntax")),
    case("unclosed-quote", Broken({NOTICE: notice(platform='platform: "信用中国')},
                                  NOTICE, 4, "load.syntax")),
    case("unclosed-bracket", Broken({NOTICE: notice(reason="reason: [不予配合检查。")},
                                    NOTICE, 6, "load.syntax")),
    case("top-level-list", Broken({NOTICE: """\
- id: cn-2025-01
  institution: "31211300MD00012016"
  finding: 2025-01-01
  platform: 信用中国
  published_on: 2025-05-01
  reason: 不予配合检查。
"""}, NOTICE, 1, "load.type", ("信用平台公示",))),
    case("quoted-key", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
"responsible_person": 李某
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 6, "load.key", ("不加引号",))),
    case("control-character-raw", Broken({NOTICE: notice(platform="platform: 信用\x07中国")},
                                         NOTICE, 4, "load.syntax", ("控制字符",))),
    case("control-character-escaped", Broken({NOTICE: notice(platform='platform: "信用\\a中国"')},
                                             NOTICE, 4, "load.type", ("控制字符",))),
    case("line-separator-u2028", Broken({NOTICE: notice(platform="platform: 信用\u2028中国")},
                                        NOTICE, 4, "load.")),
    case("nesting-too-deep", Broken({NOTICE: notice(reason="reason: " + "[" * 1000 + "]" * 1000)},
                                    NOTICE, 6, "load.")),
]

# ------------------------------------------------------------------------------------------------
# Types
# A record broken at load time is remembered, so records citing it add no errors.
# ------------------------------------------------------------------------------------------------

# Institution lines: 1 id, 2 name, 3 sector, 4 uscc, 5 address, 6 contact_phone, 7 status_history
TYPES = [
    # plan line 21: `      round: 1000`
    case("int-leading-zero", Broken({PLAN_FILE: edit(PLAN, "round: 1000", "round: 0123")},
                                    PLAN_FILE, 21, "load.type", ("'0123'", "去掉开头的 0"))),
    # jurisdiction line 17: `  team_size: 2`
    case("int-quoted",
         Broken({JURISDICTION_FILE: edit(JURISDICTION, "team_size: 2", 'team_size: "2"')},
                JURISDICTION_FILE, 17, "load.type", ("字段 policy.team_size",))),
    case("int-out-of-range",
         Broken({JURISDICTION_FILE: edit(JURISDICTION, "team_size: 2", "team_size: 1")},
                JURISDICTION_FILE, 17, "load.range", ("≥ 2",))),
    case("int-5000-digits", Broken({PLAN_FILE: edit(PLAN, "round: 1000", "round: " + "9" * 5000)},
                                   PLAN_FILE, 21, "load.")),
    # jurisdiction lines 4, 23, 24
    case("bool-no", Broken({JURISDICTION_FILE: edit(JURISDICTION, "example: true", "example: no")},
                           JURISDICTION_FILE, 4, "load.type", ("true 或 false",))),
    case("bool-yes", Broken({JURISDICTION_FILE: edit(JURISDICTION, "witnesses_required: false",
                                                      "witnesses_required: yes")},
                            JURISDICTION_FILE, 23, "load.type", ("'yes'",))),
    case("bool-capital-true",
         Broken({JURISDICTION_FILE: edit(JURISDICTION, "publish_inspector_roster: true",
                                         "publish_inspector_roster: True")},
                JURISDICTION_FILE, 24, "load.type", ("'True'",))),
    # plan line 10: `pool_date: 2025-03-01`
    case("date-not-in-calendar",
         Broken({PLAN_FILE: edit(PLAN, "pool_date: 2025-03-01", "pool_date: 2025-02-30")},
                PLAN_FILE, 10, "load.date", ("2025-02-30 不是存在的日期",))),
    case("date-slashes",
         Broken({PLAN_FILE: edit(PLAN, "pool_date: 2025-03-01", "pool_date: 2025/03/01")},
                PLAN_FILE, 10, "load.date", ("YYYY-MM-DD",))),
    case("list-for-string", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: [示例青松律师事务所, 青松律所]
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 2, "load.type", ("字段 name",))),
    # plan line 9: `items: [lf-01]`
    case("string-for-list", Broken({PLAN_FILE: edit(PLAN, "items: [lf-01]", "items: lf-01")},
                                   PLAN_FILE, 9, "load.type", ("应为列表",))),
    case("object-for-string", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address:
  county: 喀左县
  street: 大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 6, "load.type", ("字段 address",))),
    case("enum-misspelt", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law_firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 3, "load.enum", ("'law_firm'", "是否想写 law-firm（律师事务所）？"))),
    # jurisdiction line 3: `division_code: "211324"`
    case("pattern-mismatch",
         Broken({JURISDICTION_FILE: edit(JURISDICTION, 'division_code: "211324"',
                                         'division_code: "21132"')},
                JURISDICTION_FILE, 3, "load.format", ("6 位行政区划代码",))),
    case("required-missing", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 1, "load.required", ("字段 address", "缺少必填字段"))),
    case("required-null", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address:
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 5, "load.required", ("必填字段为空",))),
    case("required-empty-string", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: ""
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 5, "load.empty-value")),
    case("multi-line-in-single-line-field", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: |
  示例青松
  律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 2, "load.type", ("单行",))),
    case("not-nfc", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: Cafe\u0301 律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 2, "load.unicode", ("NFC",))),
    case("lone-surrogate-escape", Broken({FIRM: f"""\
id: "{FIRM_ID}"
name: "示例青松\\udc80律师事务所"
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
status_history:
  - since: 2015-03-01
    status: active
"""}, FIRM, 2, "load.")),
    # plan line 14 is `mode: direct`; joint_departments goes in as line 15
    case("lone-surrogate-in-list-item", Broken(
        {PLAN_FILE: edit(PLAN, "mode: direct\n",
                         'mode: direct\njoint_departments: ["\\udc80", "县市场监督管理局"]\n')},
        PLAN_FILE, 15, "load.encoding", ("joint_departments[1]",))),
    # item lines: 1 id, 2 sector, 3 title, 4 content, 5 methods, ...
    case("list-below-min-items",
         Broken({ITEM_FILE: edit(ITEM, "methods: [onsite, document]", "methods: []")},
                ITEM_FILE, 5, "load.required", ("至少需要 1 项",))),
    case("required-list-left-empty",
         Broken({ITEM_FILE: edit(ITEM, "methods: [onsite, document]", "methods:")},
                ITEM_FILE, 5, "load.required")),
    case("empty-list-item", Broken({FINDING_FILE: """\
id: 2025-01-01
plan: 2025-01
target: "31211300MD00012016"
inspectors: ["21132419001", "21132419002"]
inspected:
  start: 2025-04-10
  end: 2025-04-10
method: onsite
items:
  - lf-01
  -
outcome: unreachable
result: 通过登记的住所无法联系。
published_on: 2025-04-20
"""}, FINDING_FILE, 11, "load.")),
]

# ------------------------------------------------------------------------------------------------
# Tree layout
# ------------------------------------------------------------------------------------------------

LAYOUT = [
    case("yml-extension", Broken({"records/items/lf-02.yml": edit(ITEM, "id: lf-01", "id: lf-02")},
                                 "records/items/lf-02.yml", 1, "load.stray-file", (".yaml",))),
    case("stray-pdf", Broken({"records/institutions/营业执照.pdf": b"%PDF-1.4\n"},
                             "records/institutions/营业执照.pdf", 1, "load.stray-file")),
    case("unknown-folder", Broken({"records/institution/31211300MD00022019.yaml": INSTITUTION},
                                  "records/institution", 1, "load.stray-file", ("institutions",))),
    case("missing-jurisdiction", Broken({JURISDICTION_FILE: None},
                                        JURISDICTION_FILE, 1, "load.missing-file")),
]

# ------------------------------------------------------------------------------------------------
# Integrity
# Finding lines: 1 id, 2 plan, 3 target, 4 inspectors, 5 inspected, 6 start, 7 end, 8 method,
# 9 items, 10 outcome, 11 result, 12 published_on
# ------------------------------------------------------------------------------------------------


def finding(**replace: str) -> str:
    """The finding with whole lines replaced (key -> new line(s), "" drops the line)."""
    lines = {
        "id": "id: 2025-01-01",
        "plan": "targeted: {ground: complaint, note: 收到群众投诉。}",
        "target": f'target: "{FIRM_ID}"',
        "inspectors": 'inspectors: ["21132419001", "21132419002"]',
        "inspected": "inspected:\n  start: 2025-04-10\n  end: 2025-04-10",
        "method": "method: onsite",
        "items": "items: [lf-01]",
        "outcome": "outcome: unreachable",
        "result": "result: 通过登记的住所无法联系。",
        "published_on": "published_on: 2025-04-20",
    }
    lines.update(replace)
    return "".join(line + "\n" for line in lines.values() if line)


def firm(**replace: str) -> str:
    lines = {
        "id": f'id: "{FIRM_ID}"',
        "name": "name: 示例青松律师事务所",
        "sector": "sector: law-firm",
        "uscc": f'uscc: "{FIRM_ID}"',
        "address": "address: 喀左县大城子街道示例路 1 号",
        "status_history": "status_history:\n  - since: 2015-03-01\n    status: active",
    }
    lines.update(replace)
    return "".join(line + "\n" for line in lines.values() if line)


INTEGRITY = [
    case("duplicate-id", Broken({"records/credit-notices/abnormal-2025-01.yaml": """\
id: abnormal-2025-01
institution: "31211300MD00012016"
finding: 2025-01-01
platform: 信用中国
published_on: 2025-05-01
reason: 不予配合检查。
"""}, "records/credit-notices/abnormal-2025-01.yaml", 1, "integrity.unique-id",
        ("records/lists/abnormal-2025-01.yaml",))),
    case("duplicate-id-across-kinds",
         Broken({"records/items/2025-01.yaml": edit(ITEM, "id: lf-01", "id: 2025-01")},
                PLAN_FILE, 1, "integrity.unique-id")),
    case("file-name-not-id", Broken({NOTICE: notice(id="id: cn-2025-02")},
                                    NOTICE, 1, "integrity.file-name", ("cn-2025-02.yaml",))),
    case("person-to-missing-institution", Broken({PERSON_FILE: """\
id: "01211300000000001"
name: 王某明
role: lawyer
institution: "31211300MD00099999"
licence_number: "01211300000000001"
status_history:
  - since: 2016-01-01
    status: active
"""}, PERSON_FILE, 4, "integrity.reference", ("找不到法律服务机构 31211300MD00099999",))),
    case("finding-to-missing-plan", Broken({FINDING_FILE: finding(plan="plan: 2025-02")},
                                           FINDING_FILE, 2, "integrity.reference",
                                           ("找不到抽查计划 2025-02",))),
    case("finding-to-missing-inspector", Broken(
        {FINDING_FILE: finding(inspectors='inspectors: ["21132419001", "21132419009"]')},
        FINDING_FILE, 4, "integrity.reference", ("字段 inspectors[2]", "21132419009"))),
    case("finding-to-missing-item", Broken({FINDING_FILE: finding(items="items: [lf-02]")},
                                           FINDING_FILE, 9, "integrity.reference",
                                           ("找不到抽查事项 lf-02",))),
    case("list-entry-to-missing-institution", Broken({LIST_FILE: """\
id: abnormal-2025-01
list: abnormal
institution: "31211300MD00099999"
ground: unreachable
reason: 通过登记的住所无法联系。
decision:
  authority: 测试县司法局
  date: 2025-04-25
entered_on: 2025-04-25
"""}, LIST_FILE, 3, "integrity.reference", ("31211300MD00099999",))),
    case("credit-notice-to-missing-finding", Broken({NOTICE: notice(finding="finding: 2025-01-09")},
                                                    NOTICE, 3, "integrity.reference",
                                                    ("找不到检查结果 2025-01-09",))),
    case("inspector-to-missing-department", Broken({INSPECTOR_2: inspector("21132419002", "legal")},
                                                   INSPECTOR_2, 3, "integrity.reference",
                                                   ("股室 legal 不存在",))),
    # jurisdiction line 32: `      lead_department: lawyer`
    case("policy-lead-department-missing", Broken(
        {JURISDICTION_FILE: edit(JURISDICTION, "lead_department: lawyer",
                                 "lead_department: lawyers")},
        JURISDICTION_FILE, 32, "integrity.reference", ("policy.sectors[1].lead_department",))),
    case("reference-to-wrong-kind", Broken({FINDING_FILE: finding(plan=f'plan: "{FIRM_ID}"')},
                                           FINDING_FILE, 2, "integrity.reference",
                                           ("是法律服务机构",))),
    # inspector lines: 6 valid_from, 7 valid_until
    case("certificate-until-before-from", Broken(
        {INSPECTOR_1: edit(inspector("21132419001", "lawyer"), "valid_until: 2029-12-31",
                           "valid_until: 2023-12-31")},
        INSPECTOR_1, 7, "integrity.date-order", ("certificate.valid_from",))),
    # plan lines: 10 pool_date, 12 start, 13 end; the finding falls outside the reversed schedule
    case("plan-end-before-start",
         Broken({PLAN_FILE: edit(PLAN, "end: 2025-05-31", "end: 2025-03-31")},
                PLAN_FILE, 13, "integrity.date-order", ("schedule.start",))),
    case("plan-pool-date-after-start",
         Broken({PLAN_FILE: edit(PLAN, "pool_date: 2025-03-01", "pool_date: 2025-04-02")},
                PLAN_FILE, 12, "integrity.date-order", ("pool_date",))),
    case("finding-published-before-end",
         Broken({FINDING_FILE: finding(published_on="published_on: 2025-04-09")},
                FINDING_FILE, 12, "integrity.date-order", ("inspected.end",))),
    case("finding-outside-plan-schedule", Broken({FINDING_FILE: finding(
        plan="plan: 2025-01",
        inspected="inspected:\n  start: 2025-06-10\n  end: 2025-06-10",
        published_on="published_on: 2025-06-20")},
        FINDING_FILE, 5, "integrity.date-order", ("计划 2025-01",))),
    case("list-exit-before-entry", Broken({LIST_FILE: """\
id: abnormal-2025-01
list: abnormal
institution: "31211300MD00012016"
ground: unreachable
reason: 通过登记的住所无法联系。
finding: 2025-01-01
decision:
  authority: 测试县司法局
  date: 2025-04-25
entered_on: 2025-04-25
exit:
  date: 2025-04-01
  reason: 已恢复联系。
"""}, LIST_FILE, 12, "integrity.date-order", ("entered_on",))),
    case("status-history-not-ascending", Broken({FIRM: firm(status_history="""\
status_history:
  - since: 2015-03-01
    status: active
  - since: 2014-06-01
    status: suspended""")}, FIRM, 9, "integrity.date-order", ("status_history[2].since",))),
    case("uscc-check-character", Broken({FIRM: firm(uscc='uscc: "31211300MD00012017"')},
                                        FIRM, 4, "integrity.uscc", ("校验码应为 6",))),
    case("uscc-forbidden-letter", Broken({FIRM: firm(uscc='uscc: "31211300MO00012016"')},
                                         FIRM, 4, "integrity.uscc", ("不允许的字符 O",))),
    case("uscc-category", Broken({FIRM: firm(uscc=f'uscc: "{NOTARY_CODE}"')},
                                 FIRM, 4, "integrity.uscc-category", ("应以 31 开头，实为 32",))),
    case("no-registration-number", Broken({FIRM: firm(uscc="")},
                                          FIRM, 1, "integrity.registration-number")),
    case("finding-plan-and-targeted", Broken({FINDING_FILE: finding(
        plan="plan: 2025-01\ntargeted:\n  ground: complaint\n  note: 投诉")},
        FINDING_FILE, 2, "integrity.finding-basis")),
    case("finding-neither-plan-nor-targeted", Broken({FINDING_FILE: finding(plan="")},
                                                     FINDING_FILE, 1, "integrity.finding-basis")),
    # plan lines 19-21: the first draw source
    case("drand-without-round", Broken({PLAN_FILE: edit(PLAN, "      round: 1000\n", "")},
                                       PLAN_FILE, 19, "integrity.draw-source", ("缺少 round",))),
    case("lottery-incomplete", Broken({PLAN_FILE: edit(PLAN, """\
    - kind: drand
      chain: quicknet
      round: 1000
""", """\
    - kind: lottery
      game: 福彩3D
    - kind: drand
      chain: quicknet
      round: 1000
""")}, PLAN_FILE, 19, "integrity.draw-source", ("缺少 issue、date、time",))),
    case("lottery-alone", Broken({PLAN_FILE: edit(PLAN, """\
    - kind: drand
      chain: quicknet
      round: 1000
""", """\
    - kind: lottery
      game: 福彩3D
      issue: "2025060"
      date: 2025-03-05
      time: "21:15"
""")}, PLAN_FILE, 18, "integrity.draw-beacon", ("没有声明 drand 随机源",))),
    case("list-entry-finding-about-other-firm", Broken({
        f"records/institutions/{OTHER_FIRM_ID}.yaml": firm(
            id=f'id: "{OTHER_FIRM_ID}"', uscc=f'uscc: "{OTHER_FIRM_ID}"', name="name: 示例翠柏律师事务所"),
        LIST_FILE: f"""\
id: abnormal-2025-01
list: abnormal
institution: "{OTHER_FIRM_ID}"
ground: unreachable
reason: 通过登记的住所无法联系。
finding: 2025-01-01
decision:
  authority: 测试县司法局
  date: 2025-04-25
entered_on: 2025-04-25
"""}, LIST_FILE, 6, "integrity.finding-link", (FIRM_ID,))),
    case("duplicate-inspector",
         Broken({FINDING_FILE: finding(inspectors='inspectors: ["21132419001", "21132419001"]')},
                FINDING_FILE, 4, "integrity.duplicate-entry", ("21132419001 重复",))),
]


@pytest.mark.parametrize("broken", READING + TYPES + LAYOUT + INTEGRITY)
def test_broken_input(tmp_path, broken: Broken):
    run = check_tree(tmp_path, tree_with(broken.files))
    assert run.exit_code == 1, run.output
    assert_well_formed(run.output)
    lines = problem_lines(run.output)
    rule = f"[{broken.rule}" if broken.rule.endswith(".") else f"[{broken.rule}]"
    hits = [line for line in lines if line.startswith(f"{broken.file}:{broken.line}: 错误 {rule}")]
    assert len(hits) == 1, run.output
    for text in broken.says:
        assert text in hits[0], hits[0]
    for file, line, also_rule in broken.also:
        assert any(x.startswith(f"{file}:{line}: 错误 [{also_rule}]") for x in lines), run.output
    if broken.errors is not None:
        assert len(lines) == broken.errors, run.output
        assert f"错误 {broken.errors}，" in run.output.splitlines()[-1]


def test_corpus_is_large_enough():
    assert len(READING + TYPES + LAYOUT + INTEGRITY) >= 40


# ------------------------------------------------------------------------------------------------
# A record broken at load time is reported once: records citing it add no "找不到" errors.
# ------------------------------------------------------------------------------------------------

def test_broken_record_is_reported_once(tmp_path):
    # The person, finding, list entry and credit notice all cite this institution.
    run = check_tree(tmp_path, tree_with({FIRM: firm(sector="sector: law_firm")}))
    assert run.exit_code == 1
    assert problem_lines(run.output) == [
        f"{FIRM}:3: 错误 [load.enum] 字段 sector：'law_firm' 不是允许的值（可选："
        "law-firm（律师事务所）、notary（公证处）、grassroots（基层法律服务所）、"
        "appraisal（司法鉴定机构）、legal-aid（法律援助机构）） 提示：是否想写 law-firm（律师事务所）？"
    ]
    assert "找不到" not in run.output


def test_unreadable_record_is_reported_once(tmp_path):
    run = check_tree(tmp_path, tree_with({FIRM: firm(name="name:\t示例青松律师事务所")}))
    assert run.exit_code == 1
    assert problem_lines(run.output) == [f"{FIRM}:2: 错误 [load.tab] 第 2 行第 6 列：含有制表符（Tab） "
                                         "提示：用空格缩进和分隔，不要用 Tab"]


# ------------------------------------------------------------------------------------------------
# Severity, output formats, no writes, usage errors, the real command
# ------------------------------------------------------------------------------------------------

def test_public_body_code_on_law_firm_is_a_warning(tmp_path):
    files = tree_with({FIRM: firm(uscc=f'uscc: "{PUBLIC_BODY_CODE}"')})
    run = check_tree(tmp_path, files)
    assert run.exit_code == 0, run.output
    assert_well_formed(run.output)
    (line,) = problem_lines(run.output)
    assert line.startswith(f"{FIRM}:4: 警告 [integrity.uscc-category] ")
    assert "错误 0，警告 1" in run.output

    strict = run_ssj(tmp_path, "check", "--strict")
    assert strict.exit_code == 1
    assert "ssj check 未通过" in strict.output


def test_github_format(tmp_path):
    run = check_tree(tmp_path, tree_with({FIRM: firm(sector="sector: law_firm")}),
                     "--format", "github")
    assert run.exit_code == 1
    assert "Traceback" not in run.output
    (line,) = [x for x in run.output.splitlines() if x.startswith("::")]
    assert line.startswith(f"::error file={FIRM},line=3,title=load.enum::字段 sector：")
    assert "是否想写 law-firm（律师事务所）？" in line


def test_json_format(tmp_path):
    run = check_tree(tmp_path, tree_with({FIRM: firm(sector="sector: law_firm")}),
                     "--format", "json")
    assert run.exit_code == 1
    data = json.loads(run.output)
    assert data["summary"]["ok"] is False
    assert data["summary"]["errors"] == 1
    (problem,) = data["problems"]
    assert problem["file"] == FIRM
    assert problem["line"] == 3
    assert problem["rule"] == "load.enum"
    assert problem["field"] == "sector"
    assert problem["severity"] == "error"
    assert problem["hint"] == "是否想写 law-firm（律师事务所）？"


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_writes_nothing(tmp_path):
    write_tree(tmp_path, tree_with({
        FIRM: firm(sector="sector: law_firm"),
        NOTICE: CREDIT_NOTICE.encode("gbk"),
        FINDING_FILE: finding(plan="plan: 2025-02"),
    }))
    dirs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir())
    before = _snapshot(tmp_path)
    for fmt in ("text", "json", "github"):
        run = run_ssj(tmp_path, "check", "--format", fmt)
        assert run.exit_code == 1
    assert _snapshot(tmp_path) == before
    assert sorted(p.relative_to(tmp_path).as_posix()
                  for p in tmp_path.rglob("*") if p.is_dir()) == dirs


def test_missing_records_dir_is_a_usage_error(tmp_path):
    run = run_ssj(tmp_path, "check", "--records", "missing-dir")
    assert run.exit_code == 2
    assert "Traceback" not in run.output
    assert run.output.count("\n") == 1
    assert "missing-dir" in run.output


def test_many_errors_in_one_file_are_all_reported(tmp_path):
    run = check_tree(tmp_path, tree_with({NOTICE: CREDIT_NOTICE + """\
website: https://www.creditchina.gov.cn
contact: 李某
remark: 无
"""}))
    assert run.exit_code == 1
    assert_well_formed(run.output)
    assert problem_lines(run.output) == [
        f"{NOTICE}:7: 错误 [load.unknown-key] 字段 website：不是此类记录的字段 提示：可用字段："
        "id、institution、finding、platform、published_on、reason",
        f"{NOTICE}:8: 错误 [load.unknown-key] 字段 contact：不是此类记录的字段 提示：可用字段："
        "id、institution、finding、platform、published_on、reason",
        f"{NOTICE}:9: 错误 [load.unknown-key] 字段 remark：不是此类记录的字段 提示：可用字段："
        "id、institution、finding、platform、published_on、reason",
    ]


def test_errors_in_several_files_are_all_reported(tmp_path):
    run = check_tree(tmp_path, tree_with({
        FIRM: firm(sector="sector: law_firm"),
        NOTICE: notice(platform="platform:\t信用中国"),
        ITEM_FILE: edit(ITEM, "methods: [onsite, document]", "methods: []"),
    }))
    assert run.exit_code == 1
    assert_well_formed(run.output)
    assert [line.split(" 错误 ")[0] for line in problem_lines(run.output)] == [
        f"{NOTICE}:4:", f"{FIRM}:3:", f"{ITEM_FILE}:5:"]


@pytest.mark.parametrize("content, line, rule", [
    pytest.param(CREDIT_NOTICE.encode("gbk"), 4, "load.encoding", id="invalid-utf8"),
    pytest.param(("# " + "x" * MAX_BYTES + "\n").encode(), 1, "load.too-large", id="huge-file"),
])
def test_real_command(tmp_path, content, line, rule):
    write_tree(tmp_path, tree_with({NOTICE: content}))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert f"{NOTICE}:{line}: 错误 [{rule}]" in done.stdout
    assert_well_formed(done.stdout)
