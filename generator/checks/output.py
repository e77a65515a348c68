"""Problems as text for people, JSON for tools, GitHub workflow commands for CI annotations, and
GitLab's code-quality report (Code Climate JSON) for a merge request's lines."""
from __future__ import annotations

import hashlib
import json
from typing import Iterable

from generator.records.problems import Problem

_LABELS = {"error": "错误", "warning": "警告", "notice": "提示"}


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def as_text(problem: Problem) -> str:
    """One line per problem, whatever a message quotes from a file."""
    hint = f" 提示：{problem.hint}" if problem.hint else ""
    return _one_line(f"{problem.file}:{problem.line}: {_LABELS[problem.severity]} "
                     f"[{problem.rule}] {problem.message}{hint}")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problem: Problem) -> str:
    hint = f" 提示：{problem.hint}" if problem.hint else ""
    return (f"::{problem.severity} file={_escape_property(problem.file)},line={problem.line},"
            f"title={_escape_property(problem.rule)}::{_escape_data(problem.message + hint)}")


def as_json(problems: Iterable[Problem], summary: dict[str, object]) -> str:
    return json.dumps({"summary": summary, "problems": [p.as_dict() for p in problems]},
                      ensure_ascii=False, indent=2, sort_keys=True)


# GitLab's code-quality severities: an error fails the check, a warning fails it under --strict
_CODECLIMATE = {"error": "critical", "warning": "minor", "notice": "info"}


def as_codeclimate(problems: Iterable[Problem]) -> str:
    """GitLab's code-quality report (`artifacts:reports:codequality`): one issue per problem, in
    the problems' order, each fingerprinted by its file, line, rule and message (the same problem
    keeps its fingerprint from one pipeline to the next, so GitLab shows only what a merge
    request changes)."""
    issues = []
    for p in problems:
        key = "\0".join((p.file, str(p.line), p.rule, p.message)).encode()
        hint = f" 提示：{p.hint}" if p.hint else ""
        issues.append({
            "type": "issue", "check_name": p.rule, "description": _one_line(p.message + hint),
            "categories": ["Bug Risk"], "severity": _CODECLIMATE[p.severity],
            "fingerprint": hashlib.sha256(key).hexdigest(),
            "location": {"path": p.file, "lines": {"begin": max(p.line, 1)}},
        })
    return json.dumps(issues, ensure_ascii=False, indent=2, sort_keys=True)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(summary: str, problems: Iterable[Problem]) -> str:
    """A Markdown table of every problem, for a CI job summary."""
    rows = [f"| `{p.file}:{p.line}` | {_LABELS[p.severity]} | `{p.rule}` | {_cell(p.message)} | "
            f"{_cell(p.hint)} |" for p in problems]
    table = ["| 位置 | 程度 | 规则 | 问题 | 提示 |", "| --- | --- | --- | --- | --- |", *rows]
    return "\n".join([f"### {summary}", "", *(table if rows else ["没有问题。"]), ""]) + "\n"
