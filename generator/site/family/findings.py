"""The findings (检查结果): each finding's page, and their index by year of inspection."""
from __future__ import annotations

from generator.site import urls
from generator.site.family.shared import Part, Views
from generator.site.output import Page
from generator.site.render import zh_date


def years(views: Views) -> list[str]:
    """The years with an inspection, newest first."""
    return sorted({f["inspected"]["start"][:4] for f in views.findings}, reverse=True)


def part(views: Views) -> Part:
    findings = views.findings
    pages = [Page(f["url"], (f"finding-{f['id']}.html", "finding.html"),
                  f"{f['target_ref']['name']} {zh_date(f['inspected']['start'])}检查结果",
                  {"finding": f}, f) for f in findings]
    pages.append(Page(urls.FINDINGS, ("findings.html",), "抽查结果公示",
                      {"years": [{"year": y, "findings": [f for f in findings
                                                          if f["inspected"]["start"][:4] == y]}
                                 for y in years(views)]}, findings))
    return Part(pages)
