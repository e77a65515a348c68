"""Problems as text for people, JSON for tools, and GitHub workflow commands for CI annotations."""
from __future__ import annotations

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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(summary: str, problems: Iterable[Problem]) -> str:
    """A Markdown table of every problem, for a CI job summary."""
    rows = [f"| `{p.file}:{p.line}` | {_LABELS[p.severity]} | `{p.rule}` | {_cell(p.message)} | "
            f"{_cell(p.hint)} |" for p in problems]
    table = ["| 位置 | 程度 | 规则 | 问题 | 提示 |", "| --- | --- | --- | --- | --- |", *rows]
    return "\n".join([f"### {summary}", "", *(table if rows else ["没有问题。"]), ""]) + "\n"
