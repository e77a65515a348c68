"""The CI of a bureau's own forge (`ssj init --forge gitea|forgejo|gitlab`): the same two jobs as
the GitHub workflows, checking every pull (merge) request and publishing main, where there are
no GitHub Pages.

- Gitea and Forgejo Actions (`.gitea/workflows/`, `.forgejo/workflows/`): GitHub's workflow
  syntax, plain `run:` steps and one action, checkout, pinned by its commit (the forge fetches it
  from its default action mirror: github.com for Gitea, code.forgejo.org for Forgejo, which
  mirrors the same commits). The problems go to the job's log as `ssj check` prints them.
- GitLab CI (`.gitlab-ci.yml`): merge-request pipelines whose problems become a code-quality
  report (`ssj check --format codeclimate`) that GitLab marks on the merge request's lines.

Each publishes with rsync over SSH to the bureau's web server (GitLab can use its Pages
instead, `SSJ_DEPLOY: pages`): the private key from a secret, the server's host key pinned from
a variable (a known_hosts line, `StrictHostKeyChecking=yes`; never learnt at deploy time, when a
machine in the middle would be trusted). As on GitHub, Python imports nothing from the checkout
(`-P`, PYTHONSAFEPATH), every dependency is installed by hash outside the checkout, caching is
off, and the deploy first runs the append-only audit against the revision last deployed: the
`revision` of the published site's data/manifest.json, read back from where the deploy writes
(which nothing in a pushed commit can write); none there yet means nothing was published.
"""
from __future__ import annotations

FORGE_CI = ("gitea", "forgejo", "gitlab")
TITLES = {"gitea": "Gitea", "forgejo": "Forgejo", "gitlab": "GitLab"}
# where each forge reads its CI from (CODEOWNERS names it)
CI_PATHS = {"gitea": "/.gitea/", "forgejo": "/.forgejo/", "gitlab": "/.gitlab-ci.yml"}
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"

# The shell both kinds of CI run, with {tmp} the job's temporary folder outside the checkout.
# The SSH client rsync uses: this key only, this host key only, no configuration but this.
_RSH = ('ssh -F /dev/null -i {tmp}/ssh/key -o IdentitiesOnly=yes -o BatchMode=yes '
        '-o StrictHostKeyChecking=yes -o UserKnownHostsFile={tmp}/ssh/known_hosts '
        '-o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no')
_SSH_SETUP = """\
if [ -z "${{SSJ_DEPLOY_KEY:-}}" ] || [ -z "${{SSJ_DEPLOY_KNOWN_HOSTS:-}}" ] || [ -z "${{SSJ_DEPLOY_TARGET:-}}" ]; then
  echo "未设置 SSJ_DEPLOY_TARGET、SSJ_DEPLOY_KEY 或 SSJ_DEPLOY_KNOWN_HOSTS（见 README.md）" >&2
  exit 1
fi
(umask 077 && mkdir -p "{tmp}/ssh" && {write_key} && printf '%s\\n' "$SSJ_DEPLOY_KNOWN_HOSTS" > "{tmp}/ssh/known_hosts")
"""
_KEY_FROM_SECRET = """printf '%s\\n' "$SSJ_DEPLOY_KEY" > "{tmp}/ssh/key\""""
_KEY_FROM_FILE = """cp "$SSJ_DEPLOY_KEY" "{tmp}/ssh/key\""""  # a GitLab variable of type File
# the revision of the site on the server, or "" when there is none yet (rsync: no such file)
_DEPLOYED_BY_RSYNC = """\
rc=0
rsync "${{SSJ_DEPLOY_TARGET%/}}/data/manifest.json" "{tmp}/deployed.json" 2> "{tmp}/rsync.err" || rc=$?
if [ "$rc" -eq 23 ] && grep -q "No such file or directory" "{tmp}/rsync.err"; then
  echo "服务器上还没有发布过的网站，本次不做追加式审计"
elif [ "$rc" -ne 0 ]; then
  cat "{tmp}/rsync.err" >&2
  exit 1
fi
"""
_DEPLOYED_BY_URL = """\
code="$(curl -sS --max-time 60 -o "{tmp}/deployed.json" -w '%{{http_code}}' "${{SSJ_PAGES_URL:-$CI_PAGES_URL}}/data/manifest.json")"
if [ "$code" = 404 ]; then
  echo "GitLab Pages 上还没有发布过的网站，本次不做追加式审计"
  rm -f "{tmp}/deployed.json"
elif [ "$code" != 200 ]; then
  echo "无法读取已发布网站的 data/manifest.json（HTTP $code）：Pages 设有访问控制时，设 SSJ_PAGES_URL" >&2
  exit 1
fi
"""
_REVISION = """\
sha=""
if [ -f "{tmp}/deployed.json" ]; then
  sha="$("{tmp}/venv/bin/python" -P -c 'import json, sys; print(json.load(open(sys.argv[1], encoding="utf-8"))["revision"])' "{tmp}/deployed.json")"
  if ! [[ "$sha" =~ ^[0-9a-f]{{12,40}}$ ]]; then
    echo "已发布网站的 data/manifest.json 记下的版本不是提交号：$sha" >&2
    exit 1
  fi
  echo "上次发布的版本：$sha"
fi
"""
_DATE = ('echo "SOURCE_DATE_EPOCH=$(date -d "$(TZ=Asia/Shanghai date +%F)T00:00:00+08:00" +%s)"')
_RSYNC = 'rsync -rt --delete --chmod=D755,F644 "{tmp}/site/" "${{SSJ_DEPLOY_TARGET%/}}/"'


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line
                   for line in text.splitlines(keepends=True))


def _install(python: str, tmp: str) -> str:
    return (f'{python} -P -m venv "{tmp}/venv"\n'
            f'"{tmp}/venv/bin/python" -P -m pip install --require-hashes -r requirements.lock\n'
            f'"{tmp}/venv/bin/python" -P -m pip install --no-deps --no-build-isolation '
            "-r requirements.txt\n")


# ------------------------------------------------------------------ Gitea and Forgejo Actions

_ACTIONS_HEADER = """\
# 由 ssj init --forge {forge} 写入，在 {title} Actions 上运行（与 GitHub Actions 同一语法）。运行器的标签
# ubuntu-latest 须指向装有 Python 3.11+、git{tools} 的镜像。唯一的 action（checkout）固定到提交，
# 由 {title} 的默认 action 镜像取得；内网没有外网时，管理员须把 actions/checkout 镜像到本站（见 README.md）。
"""
_ACTIONS_ENV = """\
permissions:
  contents: read

env:
  # Python never imports from the working directory: a pip/ or yaml/ folder committed at the
  # repository's root would otherwise run in place of the real one
  PYTHONSAFEPATH: "1"
  # a cache is what a pull request could commit: CI parses every record itself
  SSJ_CACHE: "0"
"""
_ACTIONS_START = """\
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: {checkout}
        with:
          fetch-depth: 0 # the whole history: commit-before-reveal and the audit read it
          persist-credentials: false
      # a virtual environment outside the checkout, its every dependency named by a hash in the
      # lock, ssj itself installed without dependencies; later steps call its programs by path
      - name: 安装
        run: |
{install}"""

_ACTIONS_CHECK = """\
{header}# Every pull request: the records are checked (each problem a line of the job's log, file:line:
# 错误 [rule] …) and the append-only audit runs against the pull request's base.
name: 检查记录

on:
  pull_request:

{env}
concurrency:
  group: pr-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true

jobs:
  check:
    name: 检查记录
{start}      - name: 检查记录（ssj check）
        env:
          BASE_SHA: ${{{{ github.event.pull_request.base.sha }}}}
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" check --base "$BASE_SHA"
"""

_ACTIONS_DEPLOY = """\
{header}# The main branch: check the records, run the append-only audit against the revision last
# deployed, build the site and copy it with rsync over SSH to the bureau's web server. Also once
# a day, so that a record whose published_on is today appears today.
# Settings -> Actions: the secret SSJ_DEPLOY_KEY (the deploy user's private key) and the
# variables SSJ_DEPLOY_TARGET (user@host:/folder/) and SSJ_DEPLOY_KNOWN_HOSTS (the server's
# known_hosts line, read on the server itself: never ssh-keyscan).
name: 发布网站

on:
  push:
    branches: [main]
  schedule:
    - cron: "5 16 * * *" # 00:05 Beijing time (UTC+8)
  workflow_dispatch:

{env}
# one deployment at a time; a deployment under way is never cancelled
concurrency:
  group: deploy
  cancel-in-progress: false

jobs:
  deploy:
    name: 检查并发布网站
{start}      # the key from a secret, the server's host key pinned from a variable: rsync talks to that
      # server only, and fails rather than trust another
      - name: SSH
        env:
          SSJ_DEPLOY_TARGET: ${{{{ vars.SSJ_DEPLOY_TARGET }}}}
          SSJ_DEPLOY_KEY: ${{{{ secrets.SSJ_DEPLOY_KEY }}}}
          SSJ_DEPLOY_KNOWN_HOSTS: ${{{{ vars.SSJ_DEPLOY_KNOWN_HOSTS }}}}
        run: |
{ssh}          echo "RSYNC_RSH={rsh}" >> "$GITHUB_ENV"
      # The last deployed revision is the one the site on the server was built from (its
      # data/manifest.json), which only this deploy writes. None yet: nothing to protect.
      - name: 上次发布的版本
        id: deployed
        env:
          SSJ_DEPLOY_TARGET: ${{{{ vars.SSJ_DEPLOY_TARGET }}}}
        run: |
{deployed}          echo "sha=$sha" >> "$GITHUB_OUTPUT"
      - name: 检查记录（追加式审计：与上次发布的版本比较）
        env:
          DEPLOYED_SHA: ${{{{ steps.deployed.outputs.sha }}}}
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" check ${{DEPLOYED_SHA:+--base "$DEPLOYED_SHA"}}
      # The site's date is the day of this run in Beijing: a record published later is withheld
      # until the first run on or after its published_on.
      - name: 网站日期
        run: {date} >> "$GITHUB_ENV"
      # into the runner's temporary folder, where nothing from the checkout lives
      - name: 生成网站
        run: |
          "$RUNNER_TEMP/venv/bin/ssj" build --out "$RUNNER_TEMP/site"
      - name: 发布（rsync）
        env:
          SSJ_DEPLOY_TARGET: ${{{{ vars.SSJ_DEPLOY_TARGET }}}}
        run: |
          {rsync}
"""


def actions_files(forge: str) -> dict[str, str]:
    """`.gitea/workflows/` or `.forgejo/workflows/`: the check and the deploy."""
    tmp = "$RUNNER_TEMP"
    header = _ACTIONS_HEADER.format(forge=forge, title=TITLES[forge], tools="、rsync、ssh")
    start = _ACTIONS_START.format(checkout=CHECKOUT, install=_indent(_install("python3", tmp), 10))
    check = _ACTIONS_CHECK.format(header=header, env=_ACTIONS_ENV, start=start)
    ssh = _SSH_SETUP.format(tmp=tmp, write_key=_KEY_FROM_SECRET.format(tmp=tmp))
    deployed = _DEPLOYED_BY_RSYNC.format(tmp=tmp) + _REVISION.format(tmp=tmp)
    deploy = _ACTIONS_DEPLOY.format(
        header=header, env=_ACTIONS_ENV, start=start, ssh=_indent(ssh, 10),
        rsh=_RSH.format(tmp=tmp), deployed=_indent(deployed, 10), date=_DATE,
        rsync=_RSYNC.format(tmp=tmp))
    folder = f".{forge}/workflows"
    return {f"{folder}/pull-request.yml": check, f"{folder}/deploy.yml": deploy}


# ------------------------------------------------------------------------------- GitLab CI

_GITLAB = """\
# 由 ssj init --forge gitlab 写入（见 README.md“在 GitLab 上运行”）。
# Merge requests: the records are checked and the append-only audit runs against the merge
# request's base; the problems are a code-quality report GitLab marks on the changed lines, and
# lines of the job's log. The default branch (and a daily schedule, set in Build -> Pipeline
# schedules): check, audit against the revision last deployed, build, publish: by rsync over
# SSH to the bureau's web server (SSJ_DEPLOY: rsync, the default) or on GitLab Pages
# (SSJ_DEPLOY: pages, a project variable or below).
# Settings -> CI/CD -> Variables, for rsync: SSJ_DEPLOY_KEY (type File, protected: the deploy
# user's private key), SSJ_DEPLOY_TARGET (user@host:/folder/) and SSJ_DEPLOY_KNOWN_HOSTS (the
# server's known_hosts line, read on the server itself: never ssh-keyscan).
# SSJ_VENV: a virtual environment with ssj installed already, used instead of installing (for a
# runner with no package index, and for testing these jobs); leave it unset otherwise, and let
# only maintainers set pipeline variables (Settings -> CI/CD -> Variables).

workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

variables:
  # Python never imports from the working directory: a pip/ or yaml/ folder committed at the
  # repository's root would otherwise run in place of the real one
  PYTHONSAFEPATH: "1"
  # a cache is what a merge request could commit: CI parses every record itself
  SSJ_CACHE: "0"
  GIT_DEPTH: "0" # the whole history: commit-before-reveal and the audit read it
  SSJ_DEPLOY: rsync
  # an image with Python 3.11+, git, curl, rsync and ssh; pin it by digest in your registry
  SSJ_IMAGE: python:3.11-bookworm

default:
  image: $SSJ_IMAGE
  interruptible: true

stages: [check, deploy]

# a virtual environment outside the checkout, its every dependency named by a hash in the lock,
# ssj itself installed without dependencies; later commands call its programs by path
.ssj:
  cache: []
  before_script:
    # removed when the job ends, with the deploy key: a shell runner's /tmp outlives the job
    - export SSJ_TEMP="$(mktemp -d)" && trap 'rm -rf "$SSJ_TEMP"' EXIT
    - |
      if [ -n "${{SSJ_VENV:-}}" ]; then
        ln -s "$SSJ_VENV" "$SSJ_TEMP/venv"
      else
{install}      fi

检查记录:
  extends: .ssj
  stage: check
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    # never write through a file the merge request committed in the report's place
    - rm -rf gl-code-quality-report.json
    - '"$SSJ_TEMP/venv/bin/ssj" check --format codeclimate --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" > gl-code-quality-report.json || test $? -eq 1'
    - '"$SSJ_TEMP/venv/bin/ssj" check --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"'
  artifacts:
    when: always
    expire_in: 30 days
    reports:
      codequality: gl-code-quality-report.json

.deploy:
  extends: .ssj
  stage: deploy
  interruptible: false
  resource_group: deploy # one deployment at a time, never cancelled
  after_script: []

发布网站:
  extends: .deploy
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $SSJ_DEPLOY == "rsync"
  script:
    # the key from a File variable, the server's host key pinned from a variable: rsync talks
    # to that server only, and fails rather than trust another
    - |
{ssh}    - export RSYNC_RSH="{rsh}"
    # the last deployed revision is the one the site on the server was built from (its
    # data/manifest.json), which only this job writes; none yet: nothing to protect
    - |
{deployed}    - '"$SSJ_TEMP/venv/bin/ssj" check ${{sha:+--base "$sha"}}'
    # the site's date is the day of this run in Beijing: a record published later is withheld
    # until the first run on or after its published_on
    - export SOURCE_DATE_EPOCH="$(date -d "$(TZ=Asia/Shanghai date +%F)T00:00:00+08:00" +%s)"
    # into the job's temporary folder, where nothing from the checkout lives
    - '"$SSJ_TEMP/venv/bin/ssj" build --out "$SSJ_TEMP/site"'
    - '{rsync}'

pages:
  extends: .deploy
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $SSJ_DEPLOY == "pages"
  script:
    - |
{pages_deployed}    - '"$SSJ_TEMP/venv/bin/ssj" check ${{sha:+--base "$sha"}}'
    - export SOURCE_DATE_EPOCH="$(date -d "$(TZ=Asia/Shanghai date +%F)T00:00:00+08:00" +%s)"
    # GitLab publishes public/ of the checkout; ssj build refuses it if it holds files git
    # tracks or symbolic links
    - '"$SSJ_TEMP/venv/bin/ssj" build --out public'
  artifacts:
    paths: [public]
"""


def gitlab_files() -> dict[str, str]:
    tmp = "$SSJ_TEMP"
    ssh = _SSH_SETUP.format(tmp=tmp, write_key=_KEY_FROM_FILE.format(tmp=tmp))
    text = _GITLAB.format(
        install=_indent(_install("python3", tmp), 8), ssh=_indent(ssh, 6),
        rsh=_RSH.format(tmp=tmp),
        deployed=_indent(_DEPLOYED_BY_RSYNC.format(tmp=tmp) + _REVISION.format(tmp=tmp), 6),
        pages_deployed=_indent(_DEPLOYED_BY_URL.format(tmp=tmp) + _REVISION.format(tmp=tmp), 6),
        rsync=_RSYNC.format(tmp=tmp))
    return {".gitlab-ci.yml": text}


def ci_files(forge: str) -> dict[str, str]:
    """The CI files `ssj init --forge FORGE` writes in place of .github/ (not for GitHub)."""
    return gitlab_files() if forge == "gitlab" else actions_files(forge)


# ------------------------------------------------------------------- the bureau's README.md

_PRIVATE_GITHUB = "请把仓库建成 GitHub 私有仓库"
_PRIVATE = {
    "gitea": "请在本局的 Gitea 上把仓库设为私有",
    "forgejo": "请在本局的 Forgejo 上把仓库设为私有",
    "gitlab": "请在本局的 GitLab 上把仓库设为私有（Private）",
}
_DEPENDABOT = "Dependabot 每周为工作流固定的 GitHub Actions 提出升级的拉取请求。"
_PAGES = "- 在 GitHub 上发布：Settings → Pages → Source 选 GitHub Actions。\n"

_ACTIONS_README = """\
- CI 在 `.{forge}/workflows/`（{title} Actions）：`pull-request.yml` 检查每个拉取请求（问题逐行列在任务
  日志中，须设为必需的状态检查“检查记录”），`deploy.yml` 在 main 分支每次推送和每天北京时间 00:05
  检查、生成网站，并用 rsync 经 SSH 复制到本局的网站服务器。运行器的标签 `ubuntu-latest` 须指向装有
  Python 3.11+、git、rsync 和 ssh 的镜像；checkout 固定到提交，从{mirror}取得（内网不通外网时，
  管理员把 actions/checkout 镜像到本站，并把 app.ini 的 `[actions] DEFAULT_ACTIONS_URL` 设为 `self`）。
- 在仓库 设置 → Actions 中设置：密钥（Secrets）`SSJ_DEPLOY_KEY`：发布用户的 SSH 私钥（只用于发布，
  服务器上只允许它写网站目录，如用 rrsync）；变量（Variables）`SSJ_DEPLOY_TARGET`：如
  `deploy@www.example.gov.cn:/var/www/ssj/`；`SSJ_DEPLOY_KNOWN_HOSTS`：服务器的 known_hosts 行，
  在服务器上用 `ssh-keygen -lf`/`cat /etc/ssh/ssh_host_ed25519_key.pub` 核对后写入（主机名 空格 公钥），
  不要用 ssh-keyscan 从网络上取：CI 只信任这一把主机密钥（StrictHostKeyChecking=yes）。
"""
_GITLAB_README = """\
- CI 在 `.gitlab-ci.yml`：合并请求由“检查记录”任务检查，问题作为代码质量报告标在合并请求改动的行上，
  也逐行列在任务日志中（设置 → 合并请求：流水线必须成功）；默认分支每次推送时检查、生成并发布网站，
  每天北京时间 00:05 的发布在 构建 → 流水线计划 中新建（cron `5 0 * * *`，时区 Asia/Shanghai）。
- 发布方式由变量 `SSJ_DEPLOY` 决定：`rsync`（默认）用 rsync 经 SSH 复制到本局的网站服务器；`pages`
  发布到本站的 GitLab Pages。在 设置 → CI/CD → 变量 中设置（受保护）：`SSJ_DEPLOY_KEY`（类型“文件”）：
  发布用户的 SSH 私钥；`SSJ_DEPLOY_TARGET`：如 `deploy@www.example.gov.cn:/var/www/ssj/`；
  `SSJ_DEPLOY_KNOWN_HOSTS`：服务器的 known_hosts 行，在服务器上核对后写入，不要用 ssh-keyscan 从网络上取
  （CI 只信任这一把主机密钥）。`SSJ_IMAGE`：运行任务的镜像（须有 Python 3.11+、git、curl、rsync、ssh，
  宜按摘要固定在本局的镜像仓库）。`SSJ_VENV`：已装好 ssj 的虚拟环境路径，设了就不再安装（无法访问
  软件包索引的运行器用）；只允许维护者设置流水线变量。
"""


def bureau_readme(text: str, forge: str) -> str:
    """The README `ssj init` writes, told what this forge's CI is and what to set for it."""
    title = TITLES[forge]
    swaps = [(_PRIVATE_GITHUB, _PRIVATE[forge]), (_DEPENDABOT, ""),
             (_PAGES, _GITLAB_README if forge == "gitlab" else _ACTIONS_README.format(
                 forge=forge, title=title,
                 mirror=" github.com" if forge == "gitea" else " code.forgejo.org 的镜像"))]
    for github, here in swaps:
        assert text.count(github) == 1, github  # bureau.README changed
        text = text.replace(github, here)
    return text
