"""Text from records and site/pages as safe HTML: Markdown rendered, then sanitised.

Whatever staff type (or paste) into a text field, only a small set of tags survives nh3, so
no raw HTML, script or event handler can reach the public site.
"""
from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
                "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str | None) -> Markup:
    """Markdown to sanitised HTML (links keep only http(s), mailto and relative targets)."""
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["tables"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)
