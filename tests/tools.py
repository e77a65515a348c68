"""Command-line tools the test extras install: found beside the running interpreter (a venv's
bin/, which is not on PATH when the venv is not activated), never only on PATH, so the suite
relies on nothing installed by hand."""
from __future__ import annotations

import sys
from pathlib import Path


def extras_tool(name: str) -> str | None:
    """The path of `name` installed by the test extras into this interpreter's environment."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() else None
