"""A GitHub Actions job replayed on this machine, offline, to see what its own commands do to a
checkout: each `run:` step's script under bash as a runner runs it, with the workflow's, job's
and step's environment, `${{ }}` expressions filled in, and GITHUB_ENV and GITHUB_OUTPUT
honoured; the few actions the workflows use are stood in for by what they do here.

The step named 安装 (install) needs the package index. Replayed as written it runs offline, so
that what it would fetch fails, and a test sees what the commands did before that (whose pip
ran, what a wheel's hash let through); or it is stood in for by this test environment, where ssj
and its dependencies are installed, so that the steps after it run ssj as CI would.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

RUNNER_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]  # as a runner runs `run:`
INSTALL = "安装"
# set on this machine or by tests/conftest.py, never on a fresh runner
_NOT_ON_A_RUNNER = re.compile(r"(PIP_|PYTHON|SSJ_|XDG_CACHE_HOME$|VIRTUAL_ENV$|CI$|GITHUB_)")
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
# what each action the workflows use does, as far as the checkout and the site are concerned
_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/configure-pages",
            "actions/upload-pages-artifact", "actions/deploy-pages"}


def load(path: Path) -> dict[str, Any]:
    # BaseLoader: `on:` stays the string "on" instead of YAML 1.1's True
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


class Runner:
    """One job of `workflow` on the checkout `workspace`, with `temp` as RUNNER_TEMP.

    `context`: values of the expressions the job uses beyond runner.temp, steps' outputs and
    the token (e.g. {"github.event.pull_request.base.sha": sha}); `gh`: the script standing in
    for the gh command; `env`: variables set last, over the workflow's own (None removes one).
    """

    def __init__(self, workflow: Path, job: str, workspace: Path, temp: Path, *,
                 context: dict[str, str] | None = None, gh: str = "exit 1",
                 env: dict[str, str | None] | None = None) -> None:
        flow = load(workflow)
        self.workflow = workflow.name
        self.job = flow["jobs"][job]
        self.workspace, self.temp = workspace, temp
        self.context = {"runner.temp": str(temp), "github.token": "token-of-this-run",
                        **(context or {})}
        self.outputs: dict[str, dict[str, str]] = {}
        self.exported: dict[str, str] = {}
        home, bin_dir = temp / "home", temp / "bin"
        for folder in (home, bin_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (bin_dir / "gh").write_text(f"#!/bin/sh\n{gh}\n", encoding="utf-8")
        (bin_dir / "gh").chmod(0o755)
        # setup-python: `python` is a plain interpreter, not this test environment's
        python = bin_dir / "python"
        python.unlink(missing_ok=True)
        python.symlink_to(getattr(sys, "_base_executable", sys.executable))
        self.base = {name: value for name, value in os.environ.items()
                     if not _NOT_ON_A_RUNNER.match(name)}
        self.base.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(temp), "HOME": str(home),
            "GITHUB_WORKSPACE": str(workspace), "GITHUB_REPOSITORY": "bureau/records",
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            # pip without this machine's configuration, and offline: tests reach no index
            "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INDEX": "1"})
        self.base.update({k: self._fill(v) for k, v in flow.get("env", {}).items()})
        self.base.update({k: self._fill(v) for k, v in self.job.get("env", {}).items()})
        self.overrides = env or {}

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.job["steps"]

    def step(self, name_part: str) -> dict[str, Any]:
        """The step named `name_part`, or else the one step whose name contains it."""
        found = ([s for s in self.steps if s.get("name") == name_part]
                 or [s for s in self.steps if name_part in s.get("name", "")])
        assert len(found) == 1, f"{self.workflow}: steps named …{name_part}…: {len(found)}"
        return found[0]

    def _fill(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
            if step:
                return self.outputs.get(step.group(1), {}).get(step.group(2), "")
            if expression not in self.context:
                raise KeyError(f"{self.workflow}: no value for ${{{{ {expression} }}}}")
            return self.context[expression]
        return _EXPRESSION.sub(value, text)

    def env(self, step: dict[str, Any]) -> dict[str, str]:
        env = {**self.base, **self.exported,
               **{k: self._fill(v) for k, v in step.get("env", {}).items()}}
        for name, value in self.overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def run(self, step: dict[str, Any], script: str | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """One step (its own script, or `script` in its place), as the runner would."""
        if "uses" in step:
            return self._action(step)
        files = {name: self.temp / name.lower() for name in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.write_text("", encoding="utf-8")
        env = {**self.env(step), **{name: str(path) for name, path in files.items()}}
        done = subprocess.run([*RUNNER_BASH, self._fill(script or step["run"])],
                              cwd=self.workspace, env=env, capture_output=True, text=True,
                              timeout=timeout)
        outputs = _pairs(files["GITHUB_OUTPUT"].read_text(encoding="utf-8"))
        if "id" in step:
            self.outputs[step["id"]] = outputs
        self.exported.update(_pairs(files["GITHUB_ENV"].read_text(encoding="utf-8")))
        return done

    def stand_in_for_install(self) -> None:
        """The install step's outcome without the package index: $RUNNER_TEMP/venv is this
        test environment, where ssj (this checkout's code) and its dependencies are."""
        if not (Path(sys.prefix) / "bin" / "ssj").exists():
            import pytest
            pytest.skip("the tests do not run in a virtual environment with ssj installed")
        (self.temp / "venv").symlink_to(sys.prefix)

    def run_job(self) -> list[tuple[dict[str, Any], subprocess.CompletedProcess[str]]]:
        """Every step in turn, the install step stood in for, up to the first that fails."""
        done = []
        for step in self.steps:
            if step.get("name") == INSTALL:
                self.stand_in_for_install()
                continue
            result = self.run(step)
            done.append((step, result))
            if result.returncode != 0:
                break
        return done

    def _action(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        action = step["uses"].split("@")[0]
        assert action in _ACTIONS, f"{self.workflow}: no stand-in for {action}"
        if action == "actions/upload-pages-artifact":
            # what the action runs: tar following links, as upload-pages-artifact v3 does
            path = Path(self._fill(step["with"]["path"]))
            if not path.is_absolute():
                path = self.workspace / path
            tar = self.temp / "artifact.tar"
            done = subprocess.run(
                ["tar", "--dereference", "--hard-dereference", "--directory", str(path), "-cf",
                 str(tar), "--exclude=.git", "--exclude=.github", "."],
                capture_output=True, text=True)
            if done.returncode == 0:  # unpacked by tar too: Python 3.11.2's tarfile has no filter
                self.artifact.mkdir()
                done = subprocess.run(["tar", "--extract", "--file", str(tar), "--directory",
                                       str(self.artifact)], capture_output=True, text=True)
            return done
        return subprocess.CompletedProcess(action, 0, "", "")

    @property
    def artifact(self) -> Path:
        """Where the uploaded site is unpacked: what GitHub Pages would publish."""
        return self.temp / "artifact"


def _pairs(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
