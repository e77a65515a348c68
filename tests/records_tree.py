"""Small whole records trees written inline, and the CLI run over them (tests read like records)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

JURISDICTION = """\
name: 测试县司法局
short_name: 测试局
division_code: "211324"
example: true
regulation:
  title: 实施方案
  number: 喀司发〔2024〕5号
  date: 2024-04-16
departments:
  - id: lawyer
    name: 律师工作股
  - id: supervision
    name: 法治督察股
site:
  website_id: "2113240001"
policy:
  team_size: 2
  lead_department_min: 1
  same_inspector_period_days: 730
  publication_deadline_days: 20
  draw_margin_hours: 24
  onsite_min_percent: 51
  witnesses_required: false
  publish_inspector_roster: true
  risk_weights:
    complaints: 2
    abnormal_list: 3
    blacklist: 3
    serious_violation: 3
  sectors:
    - sector: law-firm
      lead_department: lawyer
      inspections_per_year: 0
      min_targets: 1
      ratio_percent: 20
      exemption: 测试用的最小记录，不考核年度抽查次数。
    - {sector: notary, lead_department: "lawyer", inspections_per_year: 0,
       min_targets: 0, ratio_percent: 0, exemption: 测试县没有公证处。}
    - {sector: grassroots, lead_department: "lawyer", inspections_per_year: 0,
       min_targets: 0, ratio_percent: 0, exemption: 测试县没有基层法律服务所。}
    - {sector: appraisal, lead_department: "lawyer", inspections_per_year: 0,
       min_targets: 0, ratio_percent: 0, exemption: 测试县没有司法鉴定机构。}
    - {sector: legal-aid, lead_department: "lawyer", inspections_per_year: 0,
       min_targets: 0, ratio_percent: 0, exemption: 测试县没有法律援助机构。}
"""

FIRM_ID = "31211300MD00012016"

INSTITUTION = f"""\
id: "{FIRM_ID}"
name: 示例青松律师事务所
sector: law-firm
uscc: "{FIRM_ID}"
address: 喀左县大城子街道示例路 1 号
contact_phone: "0421-0000001"
status_history:
  - since: 2015-03-01
    status: active
"""

PERSON = f"""\
id: "01211300000000001"
name: 王某明
role: lawyer
institution: "{FIRM_ID}"
licence_number: "01211300000000001"
status_history:
  - since: 2016-01-01
    status: active
"""


def inspector(number: str, department: str) -> str:
    return f"""\
id: "{number}"
name: 检查员{number[-1]}
department: {department}
certificate:
  number: "{number}"
  valid_from: 2024-01-01
  valid_until: 2029-12-31
status_history:
  - since: 2024-01-01
    status: active
"""


ITEM = """\
id: lf-01
sector: law-firm
title: 律师事务所执业活动检查
content: 检查执业许可证、章程与执业活动。
methods: [onsite, document]
subject: lawyer
target_kind: institution
basis:
  - law: 中华人民共和国律师法
    articles: 第四条、第六章
effective_from: 2024-05-01
published_on: 2023-08-01
"""

PLAN = """\
id: 2025-01
year: 2025
title: 2025 年律师事务所随机抽查
scope:
  - sector: law-firm
    ratio_percent: 20
    min_count: 1
method: onsite
items: [lf-01]
pool_date: 2025-03-01
schedule:
  start: 2025-04-01
  end: 2025-05-31
mode: direct
organiser:
  department: lawyer
draw:
  sources:
    - kind: drand
      chain: quicknet
      round: 1000
published_on: 2023-08-01   # the day before round 1000 (2023-08-23) at the latest: plan.published
"""

FINDING = f"""\
id: 2025-01-01
targeted: {{ground: complaint, note: 收到群众投诉。}}
target: "{FIRM_ID}"
inspectors: ["21132419001", "21132419002"]
inspected:
  start: 2025-04-10
  end: 2025-04-10
method: onsite
items: [lf-01]
outcome: unreachable
result: 通过登记的住所无法联系。
published_on: 2025-04-20
"""

LIST_ENTRY = f"""\
id: abnormal-2025-01
list: abnormal
institution: "{FIRM_ID}"
ground: unreachable
reason: 通过登记的住所无法联系。
finding: 2025-01-01
decision:
  authority: 测试县司法局
  date: 2025-04-25
entered_on: 2025-04-25
"""

CREDIT_NOTICE = f"""\
id: cn-2025-01
institution: "{FIRM_ID}"
finding: 2025-01-01
platform: 信用中国
published_on: 2025-05-01
reason: 不予配合检查。
"""


def valid_tree() -> dict[str, str | bytes]:
    """The smallest tree with one record of every kind that passes `ssj check` on any date.

    It sets no yearly quota (every sector exempted from 方案 二(八)'s floor, with a reason)
    and its one finding is a targeted (non-random) inspection, so the
    regulation's rules have nothing to ask of it that would need a stored draw.
    """
    return {
        "records/jurisdiction.yaml": JURISDICTION,
        f"records/institutions/{FIRM_ID}.yaml": INSTITUTION,
        "records/personnel/01211300000000001.yaml": PERSON,
        "records/inspectors/21132419001.yaml": inspector("21132419001", "lawyer"),
        "records/inspectors/21132419002.yaml": inspector("21132419002", "supervision"),
        "records/items/lf-01.yaml": ITEM,
        "records/plans/2025-01.yaml": PLAN,
        "records/findings/2025-01-01.yaml": FINDING,
        "records/lists/abnormal-2025-01.yaml": LIST_ENTRY,
        "records/credit-notices/cn-2025-01.yaml": CREDIT_NOTICE,
    }


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write `files` (path -> text, bytes, or None to leave out) under `root`."""
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@dataclass
class Run:
    exit_code: int
    output: str


def run_ssj(root: Path, *args: str) -> Run:
    """Run the CLI with `root` as the working directory, as staff and CI do."""
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(here)
    return Run(result.exit_code, result.output)


def check_tree(root: Path, files: dict[str, str | bytes | None], *args: str) -> Run:
    """Write a tree and run `ssj check` on it."""
    write_tree(root, files)
    return run_ssj(root, "check", *args)
