"""What the site is made of before it is written: pages to render and files to copy."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    path: str  # output path, e.g. "findings/2025-01-01.html"
    templates: tuple[str, ...]  # most specific first: a bureau overrides one page by adding it
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    data: Any = None  # written as JSON beside the page


@dataclass(frozen=True)
class File:
    path: str
    content: bytes
