"""Run the browser verifier's JavaScript tests under Node's test runner, resolving the vendored
libraries through the verifier page's own import map (tests/js/importmap.mjs)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")


def run_node_tests(*files: str, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run tests/js/<file>… and return their TAP output; fail the calling test unless every
    test passed and none was skipped. Without node the test is skipped, except in CI."""
    if NODE is None:
        if os.environ.get("CI"):
            pytest.fail("node is not on PATH: CI must run the JavaScript verifier's tests")
        pytest.skip("node is not on PATH: the JS verifier cannot be run")
    run = subprocess.run(
        [NODE, "--import", "./tests/js/importmap.mjs", "--test", *(f"tests/js/{f}" for f in files)],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})})
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "# fail 0" in output and "# skipped 0" in output, output
    return output
