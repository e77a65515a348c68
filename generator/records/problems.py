"""Problems: every finding of the loader and the checks is a value, never an exception to the user."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"
SEVERITIES = (ERROR, WARNING, NOTICE)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the records, located at a file and line."""

    file: str
    line: int
    rule: str
    message: str
    hint: str = ""
    severity: str = ERROR
    field: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }
