"""`ssj init DIR`: a fresh bureau repository that passes `ssj check` and builds.

It holds a records skeleton whose policy starts from 方案 二（八）, this project's site folder, the
staff guide (docs/guide.md, kept off the public site), the two CI workflows (installing ssj's
dependencies from `requirements.lock`, then ssj from `requirements.txt`), Dependabot for the
workflows' pinned actions, CODEOWNERS over the whole repository, editor settings and a README.

`requirements.txt` is what the bureau's CI runs with the power to publish the official site, so
it names this project exactly: a git commit (pip checks out that very commit) or a wheel kept in
the bureau's own repository with its sha256. Never the bare name `ssj`, which on the package
index belongs to an unrelated project, nor a tag or branch, which whoever controls the
repository can move. `requirements.lock` is this project's requirements/deploy.txt: every
dependency at one version, by its hashes, as ssj's own CI installs and tests it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator.authoring import forges
from generator.draw.gittime import git
from generator.filewrite import write_new
from generator.records.jsonschema import editor_globs, schema_files
from generator.records.kinds import JURISDICTION, KINDS, default_lines
from generator.records.types import PINNED, Obj
from generator.rules.adoption import NUMBER_PLACEHOLDER, PLACEHOLDER_KEY, REGULATION_PAGE

PROJECT = Path(__file__).resolve().parents[2]

_OWNER = re.compile(r"@[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:/[A-Za-z0-9._-]+)?")
# what CODEOWNERS covers when no --code-owner is given: GitHub flags it until it is replaced
OWNER_PLACEHOLDER = "@请填写审核人"


class Unpinned(Exception):
    """The running ssj cannot name itself as a pinned requirement (the message says why)."""


def pinned_requirement() -> str:
    """`ssj @ git+https://…@<commit>` naming the ssj that is running, by the git checkout it runs
    from (`ssj init` copies site/ and the workflows from that checkout, so it always has one)."""
    top = git(PROJECT, "rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != PROJECT:
        raise Unpinned("正在运行的 ssj 不是一个 git 检出，无法确定它的提交")
    if (git(PROJECT, "status", "--porcelain", "--untracked-files=no") or "").strip():
        raise Unpinned(f"正在运行的 ssj（{PROJECT}）有未提交的改动，没有哪个提交与它相同")
    commit = (git(PROJECT, "rev-parse", "--verify", "HEAD") or "").strip()
    url = (git(PROJECT, "remote", "get-url", "origin") or "").strip()
    requirement = f"ssj @ git+{url}@{commit}"
    if not PINNED.fullmatch(requirement):  # never echo the address: it may hold a password
        raise Unpinned("正在运行的 ssj 的 origin 不是不带账号的 https 地址，CI 无法从它安装")
    # offline, the best evidence that CI can fetch the commit: origin had it at the last fetch
    on_origin = git(PROJECT, "for-each-ref", "--contains", commit, "refs/remotes/origin/")
    if not (on_origin or "").strip():
        raise Unpinned(f"正在运行的 ssj 的提交 {commit[:12]} 不在 origin 上（先推送）")
    return requirement


def owner_problem(owner: str) -> str | None:
    """Why `owner` is not a GitHub user (@name) or team (@org/team), or None."""
    return None if _OWNER.fullmatch(owner) else "应写成 @账号 或 @组织/团队"


@dataclass(frozen=True)
class Bureau:
    name: str
    short_name: str
    division_code: str
    requirement: str  # how CI installs ssj: a pinned git commit or a committed wheel
    code_owners: tuple[str, ...] = ()  # who must review changes to CI, schemas and templates


# what each policy line of a new bureau's jurisdiction.yaml is for (its value is the field's
# default: kinds.py holds the 方案's numbers once)
POLICY_NOTES = {
    "team_size": "二（九）：对同一抽查对象选派执法检查人员不得少于 2 人",
    "lead_department_min": "二（四）：以业务主管部门执法人员为主",
    "same_inspector_period_days": "二（九）：“一定周期内”同一人员不得检查同一对象",
    "publication_deadline_days": "三（一）：检查结束后多少天内公示",
    "draw_margin_hours": "抽取包的可信时间戳须早于随机源公布的小时数",
    "max_revisions": "每个计划最多修订（重新抽取）的次数",
    "onsite_min_percent": "二（七）：原则上以实地检查为主",
    "witnesses_required": "二（九）：邀请代表到场监督抽取",
    "quotas_from": "自该年度起考核二（八）的年度频次",
    "risk_weights": "二（八）：加大检查力度的对象每家抽签份数",
}


def policy_lines(first_year: int, notes: Mapping[str, str] = POLICY_NOTES) -> str:
    """The policy's lines up to its sectors: every default, and the year quotas start."""
    policy = JURISDICTION.schema.field_named("policy").type
    assert isinstance(policy, Obj)
    return "\n".join(default_lines(policy, {"quotas_from": f"{first_year}-01-01"}, notes))


def jurisdiction_yaml(b: Bureau, today: dt.date) -> str:
    return f"""\
# 本局信息与抽查政策。所有政策数字都在这里：改政策只改这里，不改代码。
name: {json.dumps(b.name, ensure_ascii=False)}
short_name: {json.dumps(b.short_name, ensure_ascii=False)}
division_code: "{b.division_code}"
example: false
regulation:                      # 本局的实施方案（公开于 site/pages/regulation.md）
  title: {json.dumps(b.short_name + "关于推行“双随机一公开”规范事中事后监管的实施方案", ensure_ascii=False)}
  number: "{NUMBER_PLACEHOLDER}"                # 换成本局实施方案的文号；名称和印发日期也核对一遍
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
site:                            # 页脚信息：网站上线前填好，未填的 ssj check 逐项警告
  # 网站标识码 website_id（开办审核通过后由政府网站管理平台分配）、ICP备案号 icp_record（beian.miit.gov.cn
  # 办理）、公安备案号 psb_record（beian.mps.gov.cn 办理）；网址 base_url
  # 页脚“联系我们”：对外电话 telephone、邮箱 email（不填则不显示）；主办单位 host（不填则为本局全称）；
  # 党政机关网站标识 gov_mark（image：放在 site/static/ 下的标识图片，url：核验地址），开办审核后填写
  # 与 requirements.txt 相同的 ssj 来源：抽取页面据此告诉公众安装哪一版 ssj 核验抽取；升级时两处一起改
  ssj_requirement: {json.dumps(b.requirement, ensure_ascii=False)}
policy:
{policy_lines(today.year)}
  sectors:                       # 二（八）：各行业每年随机抽查次数、每次最少对象数与比例
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
# 外部见证（README“Federation”）：上级司法局的监督网站镜像本站，以它的时间戳记录首次看到每个承诺值的
# 时间。列出后，ssj draw witness 计划编号 取回它的见证记录，计划页面写明“见证：……首次看到该承诺值”：
# witnesses:
#   - id: city
#     name: 朝阳市司法局
#     division_code: "211300"
#     url: https://（监督网站）/members/（本局在其中的编号）/
#     timestamp_authorities:       # 监督网站“见证记录”页列出的时间戳机构，写法同上
#       - id: ……
"""


# what `ssj init` writes in place of the model 方案 (this project's site/pages/regulation.md, which
# is Kazuo's): `ssj check` refuses a real bureau's site until the bureau's own text replaces it
REGULATION_PLACEHOLDER = f"""\
---
title: 实施方案
{PLACEHOLDER_KEY}: true   # 占位页：粘贴本局实施方案全文后删去这一行
---

**本页是占位页，本局的实施方案尚未粘贴到这里。**

请把本局关于推行“双随机一公开”规范事中事后监管的实施方案全文粘贴在这里，替换这几段说明；删去文件开头的 `{PLACEHOLDER_KEY}: true` 一行（`title: 实施方案` 一行保留），并在 `records/jurisdiction.yaml` 的 `regulation` 中填写方案名称 `title`、文号 `number` 和印发日期 `date`。在此之前，`ssj check` 报告错误，CI 不会发布网站。

正文前宜写一句：“××县司法局关于推行‘双随机一公开’规范事中事后监管的实施方案，×司发〔××××〕×号，××××年×月×日印发。以下为全文。”各级标题照原文写，如 `## 一、……`、`### （一）……`。

本站规则目录引用的条款编号指 ssj 所依据的示范方案；本局方案对某一条款的表述与之不同的，以本页原文为准。
"""


def _workflow(name: str) -> str:
    """This project's workflow, installing the dependencies from requirements.lock and ssj from
    requirements.txt, without our tests."""
    text = (PROJECT / ".github" / "workflows" / name).read_text(encoding="utf-8")
    swaps = [(r"--require-hashes -r requirements/(?:deploy|test)\.txt",
              "--require-hashes -r requirements.lock"),
             (r"--no-build-isolation -e \.\n", "--no-build-isolation -r requirements.txt\n")]
    if name == "pull-request.yml":
        swaps += [(r", and the tests run\.", "."),
                  # the test step, with whatever it sets (its properties are indented deeper)
                  (r"\n      - name: 测试\n(?:        .*\n)*", "\n")]
    for pattern, bureau in swaps:
        text, found = re.subn(pattern, bureau, text)
        assert found == 1, f"{name}: {pattern} should match once"  # our own workflow changed
    return text


README = """\
# {name}“双随机一公开”记录

本仓库保存{name}对法律服务“双随机一公开”监管的全部记录，由 ssj 检查并生成公示网站。

**本仓库必须是私有仓库。** 记录中有电话号码、申报的利害关系、风险标记和内部备注，它们不会出现在
网站上，却和其他记录一样保存在本仓库里。请把仓库建成 GitHub 私有仓库，或放在本局自建的 Gitea
（其 Actions 运行器可以直接运行 `.github/workflows/pull-request.yml` 的检查）或 GitLab（把
`ssj check --base …`、`ssj build` 命令写进 `.gitlab-ci.yml`）上。对外公开的只有生成的网站：从私有
仓库发布到 GitHub Pages（私有仓库使用 Pages 和分支保护需要 GitHub 付费套餐），或把 `ssj build`
生成的 `_site/` 复制到县政府门户网站、对象存储。

- 记录在 `records/`，格式说明见 `records/README.md`；新建记录：`.venv/bin/ssj new institution` 等。
- 在本机安装（与 CI 相同：依赖按哈希安装，`-P` 不从当前目录加载代码）：
  `python3 -m venv .venv && .venv/bin/python -P -m pip install --require-hashes -r requirements.lock && .venv/bin/python -P -m pip install --no-deps --no-build-isolation -r requirements.txt`
- 检查：`.venv/bin/ssj check`；生成网站：`.venv/bin/ssj build`；本地预览：`.venv/bin/ssj serve`。
- 操作指南：`docs/guide.md`（给工作人员看，不在公示网站上发布），其中“保护主分支”一节说明必须
  开启的分支保护：合并前须经审核、须通过“检查记录”。
- `CODEOWNERS` 的第一行 `*` 让每个改动都须经负责人审核{owners_todo}；其余各行点名决定记录怎样
  检查、网站怎样生成的文件（CI 工作流、`requirements.txt`、`requirements.lock`、wheel 文件、记录格式、
  本局政策、网站模板）。
- `requirements.txt` 把 ssj 固定到一个提交，CI 只安装这个版本；`requirements.lock` 是该提交的
  `requirements/deploy.txt`，ssj 的每个依赖带哈希；`records/jurisdiction.yaml` 的 `site.ssj_requirement`
  与 `requirements.txt` 是同一行，抽取页面据此告诉公众安装哪个版本来核验抽取。升级时三处一起改成新的
  提交的内容，经审核后合并。Dependabot 每周为工作流固定的 GitHub Actions 提出升级的拉取请求。
- 网站只在 CI 的临时目录生成；不要把 `_site/` 提交进仓库（`ssj build` 拒绝写入有 git 跟踪文件的目录）。
- 把 `site/pages/regulation.md` 换成本局的实施方案全文，并在 `records/jurisdiction.yaml` 填好文号、日期和网站备案信息。
- 在 GitHub 上发布：Settings → Pages → Source 选 GitHub Actions。
"""

CODEOWNERS = """\
# 代码负责人：本仓库的每个文件（第一行 *）都须经这里列出的人审核，前提是主分支的保护规则开启了
# “Require review from Code Owners”（见操作指南 docs/guide.md“保护主分支”）。其余各行点名决定
# CI 安装什么、记录怎样检查、网站怎样生成的文件：以后给记录另设审核人时，它们仍归这里的负责人。
# 写法适用于 GitHub 和 GitLab；Gitea 用正则表达式写法（见操作指南）。
* {owners}
/CODEOWNERS {owners}
/.github/ {owners}
/requirements.txt {owners}
/requirements.lock {owners}
*.whl {owners}
/records/.schemas/ {owners}
/records/jurisdiction.yaml {owners}
/site/templates/ {owners}
/site/static/ {owners}
/_site/ {owners}
"""

REQUIREMENTS = """\
# CI 用它安装 ssj（不含依赖，依赖见 requirements.lock），只能写固定的来源：
# ssj @ git+https://…@<40 位提交号>，或提交进本仓库的 wheel 文件路径 --hash=sha256:<哈希>。
# 只写 ssj 会从软件包索引装上同名的其他项目。
{requirement}
"""
LOCK_HEADER = """\
# ssj 的全部依赖，每个固定到一个版本并带哈希：CI 用 pip install --require-hashes 安装，文件被换就
# 不安装。本文件就是 ssj 同一提交的 requirements/deploy.txt（下面是它生成时的命令）；升级 ssj
# 时与 requirements.txt 一起换成新提交的那份，不要手改。
"""
DEPENDABOT = """\
# 每周检查 CI 工作流固定的 GitHub Actions 是否有新版本，以拉取请求提出，经审核后合并；新版本发布
# 满一周才提出。ssj 的依赖（requirements.lock）随 ssj 一起升级（见 README.md）。
version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
    cooldown:
      default-days: 7
"""
OWNERS_TODO = f"（先把 CODEOWNERS 中的 {OWNER_PLACEHOLDER} 换成本局的 GitHub 账号或团队）"


def init_files(b: Bureau, today: dt.date, forge: str | None = None) -> dict[str, bytes]:
    """Every file of the new repository, by relative path; CI for GitHub, or for `forge`'s own
    (generator/authoring/forges.py: Gitea, Forgejo, GitLab)."""
    files: dict[str, str | bytes] = {
        "records/jurisdiction.yaml": jurisdiction_yaml(b, today),
        "records/README.md": (PROJECT / "records" / "README.md").read_bytes(),
        "README.md": README.format(name=b.name, owners_todo="" if b.code_owners else OWNERS_TODO),
        "CODEOWNERS": CODEOWNERS.format(owners=" ".join(b.code_owners or (OWNER_PLACEHOLDER,))),
        "requirements.txt": REQUIREMENTS.format(requirement=b.requirement),
        "requirements.lock": LOCK_HEADER + (PROJECT / "requirements" / "deploy.txt").read_text(
            encoding="utf-8"),
        ".gitignore": "_site/\n.venv/\n__pycache__/\n",
        ".github/dependabot.yml": DEPENDABOT,
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
    # the bureau's own 方案 goes here, never the model's
    files[f"site/{REGULATION_PAGE.as_posix()}"] = REGULATION_PLACEHOLDER
    # the staff guide travels with the records, not on the public site
    files["docs/guide.md"] = (PROJECT / "docs" / "guide.md").read_bytes()
    for shot in sorted((PROJECT / "docs" / "guide").glob("*.png")):  # the pictures it shows
        files[f"docs/guide/{shot.name}"] = shot.read_bytes()
    if forge in forges.FORGE_CI:  # that forge's CI in place of GitHub's
        for name in [n for n in files if n.startswith(".github/")]:
            del files[name]
        files.update(forges.ci_files(forge))
        files["README.md"] = forges.bureau_readme(str(files["README.md"]), forge)
        files["CODEOWNERS"] = str(files["CODEOWNERS"]).replace(
            "\n/.github/ ", f"\n{forges.CI_PATHS[forge]} ", 1)
    return {k: v if isinstance(v, bytes) else v.encode() for k, v in files.items()}


def write_repository(target: Path, files: dict[str, bytes]) -> int:
    """Write a new repository's `files` into `target`, which must be empty or absent (never
    over anything); returns the file count."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} 已存在且不是空目录")
    under = next((p for p in target.parents if p.exists()), None)
    if under is not None and not under.is_dir():
        raise FileExistsError(f"{under} 是文件，不能在它下面新建目录")
    write_new({target / rel: data for rel, data in files.items()})
    return len(files)


def init(target: Path, b: Bureau, today: dt.date) -> int:
    """Create the repository in `target` (which must be empty or absent); returns file count."""
    return write_repository(target, init_files(b, today))
