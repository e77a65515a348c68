"""`ssj federate init DIR`: a higher bureau's federation repository, as `ssj init` writes a
county's: federation.yaml and members.yaml to fill in, a workflow that mirrors and witnesses the
members several times a day and commits what it saw, a pull-request check that refuses a
rewritten witness log, and the same pinned, hashed installation and code owners as a county's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.authoring.bureau import (CODEOWNERS, DEPENDABOT, LOCK_HEADER, OWNER_PLACEHOLDER,
                                        PROJECT, REQUIREMENTS, write_repository)

_CHECKOUT = """\
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          fetch-depth: 0 # the whole history: the audit compares the witness log with it
          persist-credentials: false
      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0
        with:
          python-version: "3.11"
      # a virtual environment outside the checkout, its every dependency named by a hash in the
      # lock, ssj itself installed without dependencies; later steps call its programs by path
      - name: 安装
        run: |
          python -P -m venv "$RUNNER_TEMP/venv"
          "$RUNNER_TEMP/venv/bin/python" -P -m pip install --require-hashes -r requirements.lock
          "$RUNNER_TEMP/venv/bin/python" -P -m pip install --no-deps --no-build-isolation -r requirements.txt
"""

_HEAD = """\
permissions:
  contents: read

env:
  # Python never imports from the working directory: a pip/ or yaml/ folder committed at the
  # repository's root would otherwise run in place of the real one
  PYTHONSAFEPATH: "1"
  SSJ_CACHE: "0"
"""

FETCH = f"""\
# Several times a day: fetch every member's site into mirror/ (only what its manifest says
# changed), append each commitment seen for the first time to the witness log, have the log's
# run time-stamped by the pinned authorities, re-verify every member from the mirror, build the
# oversight site, commit what was seen to main and publish the site. A member that cannot be
# reached keeps its last good copy and is flagged; it never holds up the others.
# One manual setting: Settings -> Pages -> Build and deployment -> Source: "GitHub Actions".
name: 镜像、见证与发布

on:
  schedule:
    - cron: "17 */3 * * *" # every three hours
  workflow_dispatch:

{_HEAD}
# one run at a time: two would race to record the same first sighting
concurrency:
  group: fetch
  cancel-in-progress: false

jobs:
  fetch:
    name: 镜像与见证
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    permissions:
      contents: write # commit the mirror and the witness log to main
    steps:
{_CHECKOUT}      - name: 检查
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" federate check
      - name: 镜像与见证
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" federate fetch
      # every member re-verified; into the runner's temporary folder, where nothing from the
      # checkout lives
      - name: 核验并生成网站
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" federate build --out "$RUNNER_TEMP/site"
      - name: 提交
        env:
          GH_TOKEN: ${{{{ github.token }}}}
        run: |
          git config user.name "ssj federate"
          git config user.email "ssj-federate@users.noreply.github.com"
          git add mirror witness
          if git diff --cached --quiet; then exit 0; fi
          git commit -q -m "镜像与见证 $(date -u +%FT%TZ)"
          git push "https://x-access-token:$GH_TOKEN@github.com/$GITHUB_REPOSITORY.git" HEAD:main
      - uses: actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b # v5.0.0
      - uses: actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1
        with:
          path: ${{{{ runner.temp }}}}/site

  deploy:
    name: 发布
    needs: fetch
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    permissions:
      pages: write # publish to GitHub Pages
      id-token: write # prove to Pages that this run is this repository's deployment
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5
"""

PULL_REQUEST = f"""\
# Every pull request: federation.yaml and members.yaml are checked, and the witness log is
# compared with the pull request's base: a sighting once recorded is never rewritten.
name: 检查

on:
  pull_request:

{_HEAD}
concurrency:
  group: pr-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true

jobs:
  check:
    name: 检查
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    steps:
{_CHECKOUT}      - name: 检查（见证记录只能追加）
        env:
          BASE_SHA: ${{{{ github.event.pull_request.base.sha }}}}
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" federate check --base "$BASE_SHA"
"""

FEDERATION_YAML = """\
# 见证机关：镜像所属各局的公示网站，记录首次看到每个抽取承诺值的时间（方案 二（三））。
name: {name}
division_code: "{division_code}"
policy:
  witness_margin_hours: 24       # 须早于首个随机源公布这么多小时看到承诺值，抽取才算“已见证”
  fetch_concurrency: 8           # 同时进行的下载数
  max_file_mb: 20                # 单个文件的大小上限
# 本机关固定的可信时间戳服务：每次镜像的见证记录都向它们申请时间戳。至少固定一家，
# 写法与各局 records/jurisdiction.yaml 的 timestamp_authorities 相同。
timestamp_authorities: []
"""

MEMBERS_YAML = """\
# 镜像并见证的各局网站。每个成员：编号、全称、行政区划代码（须与其网站 data/manifest.json
# 中的一致）、网址（以 / 结尾），以及它应固定的时间戳机构根证书指纹。
members: []
#  - id: "211324"
#    name: 喀左县司法局
#    division_code: "211324"
#    url: https://example.gov.cn/ssj/
#    authorities:
#      - "AB:CD:…"                 # 该局固定的时间戳机构根证书 SHA-256 指纹
"""

README = """\
# {name}“双随机一公开”见证

本仓库由 `ssj federate init` 生成。{name}在这里镜像所属各局的公示网站，并作为见证机关记录
首次看到每个抽取承诺值的时间：一个县局不能为自己作证，它的抽取包是否在随机源之前公开、是否
只有一个，要由局外的见证来证明。

- `federation.yaml`：本机关、见证政策、本机关固定的时间戳机构（至少一家）。
- `members.yaml`：镜像的各局网站及其应固定的时间戳机构指纹。
- `.github/workflows/fetch.yml` 每三小时运行 `ssj federate fetch`：只下载各站 manifest 标明改动的
  文件，存入 `mirror/`；首次看到的承诺值追加到 `witness/log.jsonl`，本次记录由固定的时间戳机构
  加时间戳（`witness/runs/`）；然后 `ssj federate build` 只凭镜像重新核验每个成员并生成公示网站，
  把镜像与见证记录提交到主分支，发布网站（Settings → Pages → Source 选 GitHub Actions）。它需要向主分支推送：在分支保护中允许
  GitHub Actions 推送，其余改动仍须经拉取请求和 `CODEOWNERS` 中的负责人审核{owners_todo}。
- 见证记录只能追加：拉取请求的检查（`ssj federate check --base`）拒绝改写或删除已有记录。
- 在本机安装：`python3 -m venv .venv && .venv/bin/python -P -m pip install --require-hashes -r requirements.lock && .venv/bin/python -P -m pip install --no-deps --no-build-isolation -r requirements.txt`
"""


@dataclass(frozen=True)
class FederationRepo:
    name: str
    division_code: str
    requirement: str
    code_owners: tuple[str, ...] = ()


def federation_files(f: FederationRepo) -> dict[str, bytes]:
    """Every file of the new federation repository, by relative path."""
    owners = " ".join(f.code_owners or (OWNER_PLACEHOLDER,))
    todo = "" if f.code_owners else f"（先把 CODEOWNERS 中的 {OWNER_PLACEHOLDER} 换成本机关的账号或团队）"
    files = {
        "federation.yaml": FEDERATION_YAML.format(name=json.dumps(f.name, ensure_ascii=False),
                                                  division_code=f.division_code),
        "members.yaml": MEMBERS_YAML,
        "README.md": README.format(name=f.name, owners_todo=todo),
        "CODEOWNERS": CODEOWNERS.format(owners=owners),
        "requirements.txt": REQUIREMENTS.format(requirement=f.requirement),
        "requirements.lock": LOCK_HEADER + (PROJECT / "requirements" / "deploy.txt").read_text(
            encoding="utf-8"),
        ".gitignore": "_site/\n.venv/\n__pycache__/\n",
        ".github/workflows/fetch.yml": FETCH,
        ".github/workflows/pull-request.yml": PULL_REQUEST,
        ".github/dependabot.yml": DEPENDABOT,
    }
    return {name: text.encode() for name, text in files.items()}


def init_federation(target: Path, f: FederationRepo) -> int:
    """Create the repository in `target` (empty or absent); returns the file count."""
    return write_repository(target, federation_files(f))
