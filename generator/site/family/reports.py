"""The yearly reports (年度汇总): one page for each year with a plan, an inspection or an
irregularity notice, each sector's counts with a chart."""
from __future__ import annotations

from generator.records.problems import Problem
from generator.rules import report as yearly
from generator.site import irregular, urls
from generator.site.charts import bar_chart
from generator.site.family import findings
from generator.site.family.shared import Part, Views
from generator.site.output import Page


def summaries(views: Views, rules_today: tuple[Problem, ...] | None
              ) -> dict[int, yearly.YearReport]:
    """Each year's report, newest first; this year's as of the site's day (`rules_today`: what
    the rules found as of it, if they ran)."""
    records, day = views.records, views.day
    years = sorted({p.year for p in records.plans} | {int(y) for y in findings.years(views)}
                   | {n.published_on.year for n in records.irregularities}, reverse=True)
    return {year: yearly.yearly_report(records, year, day,
                                       rules_today if year == day.year else None)
            for year in years}


def part(views: Views, reports: dict[int, yearly.YearReport]) -> Part:
    pages = []
    for year, summary in reports.items():
        rows = summary.as_dict()["rows"]
        charts = [bar_chart(f"{year}年各行业名录数与随机抽查对象数",
                            [r["name"] for r in rows],
                            [("名录数", [r["roster"] for r in rows]),
                             ("随机抽查对象", [r["inspected"] for r in rows])])]
        notices = [views.records.get(line.id, ("irregularity",))
                   for line in summary.irregularities]
        pages.append(Page(urls.report(year), ("report.html",), f"{year}年度汇总",
                          {"report": summary.as_dict(), "charts": charts,
                           "columns": yearly.COLUMNS, "outcomes": yearly.OUTCOMES,
                           "irregularities": [irregular.irregularity_view(views.records, n,
                                                                          views.meta)
                                              for n in notices]},
                          summary.as_dict()))
    return Part(pages)
