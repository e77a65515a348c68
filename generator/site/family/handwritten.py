"""Pages written by hand, site/pages/*.md (the 实施方案, the spec, the accessibility statement):
front matter (title), then Markdown."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.records.load import display_path
from generator.site import urls
from generator.site.family.shared import Part
from generator.site.markup import render_markdown
from generator.site.output import Page


class PageError(ValueError):
    """A hand-written page under site/pages/ that cannot be read, in one line with its file."""


def part(site_dir: Path) -> Part:
    pages = []
    for md in sorted((site_dir / "pages").glob("*.md")):
        meta, body = _front_matter(md)
        pages.append(Page(urls.page(md.stem), (f"page-{md.stem}.html", "page.html"),
                          meta.get("title", md.stem),
                          {"body": render_markdown(body, below_title=True)}))
    return Part(pages)


def _front_matter(md: Path) -> tuple[dict[str, Any], str]:
    """A page's front matter (a mapping between `---` lines) and its Markdown body."""
    where = display_path(md)
    try:
        text = md.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise PageError(f"{where}: 不是 UTF-8 编码（第 {e.start + 1} 字节）") from None
    if not text.startswith("---\n"):
        return {}, text
    head, _, body = text[4:].partition("\n---\n")
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", 0) + 2
        raise PageError(f"{where}:{line}: 页面开头的 YAML 无效") from None
    if meta is None:
        return {}, body
    if not isinstance(meta, dict) or not isinstance(meta.get("title", ""), str):
        raise PageError(f"{where}:2: 页面开头应为键值对，如 title: 页面标题")
    return meta, body
