"""`ssj build --timings`: each named phase once, in order, adding up to the build's time."""
from __future__ import annotations

import re
from pathlib import Path

from tests.sitecheck import build_site, copy_example

PHASES = ("load", "check", "assemble", "render", "index", "write")


def test_build_prints_its_phases(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    built = build_site(root, tmp_path / "out", "--timings")
    assert built.exit_code == 0, built.output
    total = float(re.search(r"用时 ([0-9.]+) 秒", built.output).group(1))
    phases = re.findall(r"^  (\w+)\s+([0-9.]+) 秒$", built.output, re.M)
    assert tuple(name for name, _ in phases) == PHASES, built.output
    assert abs(sum(float(s) for _, s in phases) - total) <= 0.01 * len(PHASES), built.output
    plain = build_site(root, tmp_path / "again")
    assert plain.exit_code == 0 and not re.search(r"^  \w+ ", plain.output, re.M)
