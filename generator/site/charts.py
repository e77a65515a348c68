"""Small bar charts drawn as inline SVG at build time: no script, no request, printable.

The chart has no viewBox, so it is never scaled: its text is set in CSS pixels and stays as
legible on a 320 px phone as on a desk (a scaled chart's text shrinks with it). It takes the
width it is given; each bar is a percentage of it, and each category's name sits on its own
line above its bars, so nothing needs the room of a wide screen."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ("#1f5f99", "#c0632a", "#3c7d3a", "#7a4f9a")  # dark enough for white-on-colour legends
FONT = 14  # px, as rendered
LEGEND, LABEL, BAR, GAP, AFTER = 30, 22, 16, 4, 14  # heights in px, top to bottom
BARS = 82  # percent of the width the longest bar takes; the rest holds its value


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> Markup:
    """Horizontal grouped bars, one group per category, values printed beside each bar."""
    top = max((v for _, values in series for v in values), default=0) or 1
    row = LABEL + len(series) * (BAR + GAP) + AFTER
    height = LEGEND + row * len(categories)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" '
             f'role="img" aria-label="{escape(title)}" class="chart" font-size="{FONT}">'
             f'<title>{escape(title)}</title>']
    x = 0
    for n, (name, _) in enumerate(series):
        parts.append(f'<rect x="{x}" y="4" width="14" height="14" fill="{COLOURS[n]}"/>'
                     f'<text x="{x + 20}" y="16">{escape(name)}</text>')
        x += 20 + FONT * len(name) + 24
    for r, category in enumerate(categories):
        y = LEGEND + r * row
        parts.append(f'<text x="0" y="{y + FONT + 2}">{escape(category)}</text>')
        for n, (_, values) in enumerate(series):
            share = values[r] * BARS / top
            by = y + LABEL + n * (BAR + GAP)
            parts.append(f'<rect x="0" y="{by}" width="{_pct(share)}" height="{BAR}" '
                         f'fill="{COLOURS[n]}"/><text x="{_pct(share)}" dx="6" '
                         f'y="{by + BAR - 3}">{values[r]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
