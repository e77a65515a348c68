"""Small bar charts drawn as inline SVG at build time: no script, no request, printable."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ("#1f5f99", "#c0632a", "#3c7d3a", "#7a4f9a")  # dark enough for white-on-colour legends
ROW, BAR, LABEL, WIDTH = 34, 12, 120, 560


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> Markup:
    """Horizontal grouped bars, one group per category; values printed beside each bar."""
    top = max((v for _, values in series for v in values), default=0) or 1
    span = WIDTH - LABEL - 40
    height = ROW * len(categories) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']
    for n, (name, _) in enumerate(series):
        x = LABEL + n * 150
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[n]}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{escape(name)}</text>')
    for row, category in enumerate(categories):
        y = 30 + row * ROW
        parts.append(f'<text x="{LABEL - 6}" y="{y + BAR}" font-size="12" '
                     f'text-anchor="end">{escape(category)}</text>')
        for n, (_, values) in enumerate(series):
            width = round(values[row] * span / top)
            by = y + n * (BAR + 2)
            parts.append(f'<rect x="{LABEL}" y="{by}" width="{width}" height="{BAR}" '
                         f'fill="{COLOURS[n]}"/><text x="{LABEL + width + 4}" y="{by + BAR - 2}" '
                         f'font-size="11">{values[row]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
