"""`ssj init DIR`: a fresh bureau repository that passes `ssj check` and builds.

It holds a records skeleton whose policy starts from 方案 二(八), this project's site folder,
the two CI workflows (installing ssj from `requirements.txt`), editor settings and a README.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from generator.filewrite import write_new
from generator.records.jsonschema import editor_globs, schema_files
from generator.records.kinds import KINDS

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Bureau:
    name: str
    short_name: str
    division_code: str
    requirement: str  # how CI installs ssj, e.g. "ssj @ git+https://…/ssj@v1.0"


def jurisdiction_yaml(b: Bureau, today: dt.date) -> str:
    return f"""\
# 本局信息与抽查政策。所有政策数字都在这里：改政策只改这里，不改代码。
name: {json.dumps(b.name, ensure_ascii=False)}
short_name: {json.dumps(b.short_name, ensure_ascii=False)}
division_code: "{b.division_code}"
example: false
regulation:                      # 本局的实施方案（公开于 site/pages/regulation.md）
  title: {json.dumps(b.short_name + "关于推行“双随机一公开”规范事中事后监管的实施方案", ensure_ascii=False)}
  number: "（文号）"
  date: {today.isoformat()}
departments:                     # 股室；其他记录用 id 引用
  - id: lawyer
    name: 律师工作股
  - id: public-legal-services
    name: 公共法律服务管理股
  - id: grassroots
    name: 基层工作股
  - id: supervision
    name: 法治督察股
site: {{}}                        # 网站标识码 website_id、ICP备案号 icp_record、公安备案号 psb_record、网址 base_url
policy:
  team_size: 2                   # 二(九)：对同一抽查对象选派执法检查人员不得少于 2 人
  lead_department_min: 1         # 二(四)：以业务主管部门执法人员为主
  same_inspector_period_days: 730   # 二(九)：“一定周期内”同一人员不得检查同一对象
  publication_deadline_days: 20  # 三(一)：检查结束后多少天内公示
  draw_margin_hours: 24          # 抽取包的可信时间戳须早于随机源公布的小时数
  max_revisions: 1               # 每个计划最多修订（重新抽取）的次数
  onsite_min_percent: 51         # 二(七)：原则上以实地检查为主
  witnesses_required: true       # 二(九)：邀请代表到场监督抽取
  quotas_from: {today.year}-01-01        # 自该年度起考核二(八)的年度频次
  publish_inspector_roster: true
  risk_weights:                  # 二(八)：加大检查力度的对象每家抽签份数
    complaints: 2
    abnormal_list: 3
    blacklist: 3
    serious_violation: 3
  sectors:                       # 二(八)：各行业每年随机抽查次数、每次最少对象数与比例
    - sector: law-firm           # 律师事务所：每年一次，每次不少于 2 家
      lead_department: lawyer
      inspections_per_year: 1
      min_targets: 2
      ratio_percent: 20
    - sector: notary             # 公证处：每年一次
      lead_department: public-legal-services
      inspections_per_year: 1
      min_targets: 1
      ratio_percent: 100
    - sector: grassroots         # 基层法律服务所：每年一次，每次不少于 1 家
      lead_department: grassroots
      inspections_per_year: 1
      min_targets: 1
      ratio_percent: 25
    - sector: appraisal          # 司法鉴定机构：每年一次
      lead_department: public-legal-services
      inspections_per_year: 1
      min_targets: 1
      ratio_percent: 100
    - sector: legal-aid          # 法律援助机构：每年一次
      lead_department: public-legal-services
      inspections_per_year: 1
      min_targets: 1
      ratio_percent: 100
# 可信时间戳服务（RFC 3161 / GB/T 20520）：ssj draw freeze 冻结抽取包时向每一家申请时间戳，
# 证明抽取包早于随机源。正式抽取前至少固定一家（README“Pinning a time-stamping authority”）：
# timestamp_authorities:
#   - id: freetsa
#     name: FreeTSA
#     url: https://freetsa.org/tsr
#     chain: |
#       -----BEGIN CERTIFICATE-----
#       （该机构公布的根证书与中间证书，PEM 格式）
#       -----END CERTIFICATE-----
"""


def _workflow(name: str) -> str:
    """This project's workflow, installing ssj from requirements.txt and without our tests."""
    text = (PROJECT / ".github" / "workflows" / name).read_text(encoding="utf-8")
    text = re.sub(r"python -m pip install -e '?\.(\[test\])?'?", "python -m pip install -r requirements.txt", text)
    return re.sub(r"\n      - name: 测试\n        run: python -m pytest\n", "\n", text)


README = """\
# {name}“双随机一公开”记录

本仓库保存{name}对法律服务“双随机一公开”监管的全部记录，由 ssj 检查并生成公示网站。

- 记录在 `records/`，格式说明见 `records/README.md`；新建记录：`ssj new institution` 等。
- 检查：`ssj check`；生成网站：`ssj build`；本地预览：`ssj serve`。
- 操作指南：`site/pages/guide.md`（网站上的“操作指南”）。
- 把 `site/pages/regulation.md` 换成本局的实施方案全文，并在 `records/jurisdiction.yaml` 填好文号、日期和网站备案信息。
- GitHub 上只需一项手工设置：Settings → Pages → Source 选 GitHub Actions。
"""


def init_files(b: Bureau, today: dt.date) -> dict[str, bytes]:
    """Every file of the new repository, by relative path."""
    files: dict[str, str | bytes] = {
        "records/jurisdiction.yaml": jurisdiction_yaml(b, today),
        "records/README.md": (PROJECT / "records" / "README.md").read_bytes(),
        "README.md": README.format(name=b.name),
        "requirements.txt": f"# CI 用它安装 ssj；建议固定到一个发布版本或提交\n{b.requirement}\n",
        ".gitignore": "_site/\n.venv/\n__pycache__/\n",
        ".github/workflows/pull-request.yml": _workflow("pull-request.yml"),
        ".github/workflows/deploy.yml": _workflow("deploy.yml"),
        ".vscode/settings.json": json.dumps({"yaml.schemas": editor_globs()}, ensure_ascii=False,
                                            indent=2) + "\n",
        ".vscode/extensions.json": json.dumps({"recommendations": ["redhat.vscode-yaml"]},
                                              indent=2) + "\n",
    }
    for kind in KINDS:
        if not kind.singleton:
            files[f"records/{kind.folder}/.gitkeep"] = b""
    for name, data in schema_files().items():
        files[f"records/.schemas/{name}"] = data
    for path in sorted((PROJECT / "site").rglob("*")):
        if path.is_file():
            files[path.relative_to(PROJECT).as_posix()] = path.read_bytes()
    return {k: v if isinstance(v, bytes) else v.encode() for k, v in files.items()}


def init(target: Path, b: Bureau, today: dt.date) -> int:
    """Create the repository in `target` (which must be empty or absent); returns file count."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} 已存在且不是空目录")
    files = init_files(b, today)
    write_new({target / rel: data for rel, data in files.items()})
    return len(files)
