"""`ssj check` as a library call: load the records, run every check, return sorted problems."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.records.load import load_records
from generator.records.model import Records
from generator.records.problems import ERROR, WARNING, Problem
from generator.draw.verify import verify_draws
from generator.rules.integrity import check_integrity


@dataclass(frozen=True)
class CheckResult:
    records: Records
    problems: tuple[Problem, ...]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)


def check_records(root: Path) -> CheckResult:
    """Load `root` (a records/ folder) and check it. Never raises for bad input."""
    records, problems = load_records(root)
    if records.jurisdiction is not None:
        problems.extend(check_integrity(records))
        problems.extend(verify_draws(records))
    return CheckResult(records, tuple(sorted(set(problems))))
