"""Text from records and site/pages as safe HTML: Markdown rendered, then sanitised.

Whatever staff type (or paste) into a text field, only a small set of tags survives nh3, so
no raw HTML, script or event handler can reach the public site.
"""
from __future__ import annotations

import re

import markdown
import nh3
from markdown.extensions.toc import TocExtension
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
                "h2", "h3", "h4", "h5", "table", "thead", "tbody", "tr", "th", "td", "a", "hr"}
_H1 = re.compile(r"^# ", re.M)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str | None, *, below_title: bool = False) -> Markup:
    """Markdown to sanitised HTML (links keep only http(s), mailto and relative targets).
    `below_title`: the page's template already has the h1, so a `#` heading becomes h2."""
    if not text:
        return Markup("")
    extensions: list = ["tables", "fenced_code"]
    if below_title and _H1.search(text):
        extensions.append(TocExtension(baselevel=2))
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)
