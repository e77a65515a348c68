"""Rendering pages with Jinja: autoescaped, strict about undefined names, most specific template
first, and links that work from any depth (relative) or under a configured base URL."""
from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

import jinja2

from generator.site.markup import render_markdown
from generator.site.output import Page


def environment(site_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(site_dir / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = render_markdown
    return env


def link(base_url: str | None, here: str, target: str) -> str:
    """`target` (a site path, may carry #fragment) as seen from the page at `here`."""
    if base_url:
        return base_url + target
    path, _, fragment = target.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(here) or ".") if path else ""
    return rel + (f"#{fragment}" if fragment else "")


def json_path(page_path: str) -> str:
    return posixpath.splitext(page_path)[0] + ".json"


def page_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def render(env: jinja2.Environment, page: Page, shared: dict[str, Any],
           base_url: str | None) -> bytes:
    template = env.select_template(page.templates)
    html = template.render(
        **shared, **page.context, page=page,
        url=lambda target: link(base_url, page.path, target),
        data_url=link(base_url, page.path, json_path(page.path)) if page.data is not None else None,
    )
    return html.encode()
