"""The home page (首页): the latest notices, this year's progress sector by sector against the
policy, and the yearly reports; and the page for a path the site does not have."""
from __future__ import annotations

from generator.records.problems import Problem
from generator.rules import report as yearly
from generator.site import urls
from generator.site.family.notices import Notice
from generator.site.family.shared import Part, Views
from generator.site.output import Page


def part(views: Views, notices: list[Notice], reports: dict[int, yearly.YearReport],
         rules_today: tuple[Problem, ...] | None) -> Part:
    records, day = views.records, views.day
    this_year = reports.get(day.year) or yearly.yearly_report(records, day.year, day,
                                                              rules_today)
    progress = [{"name": r.name, "required": s.inspections_per_year, "min_targets": s.min_targets,
                 "done": len(records.drawn_plans(day.year, s.sector)),
                 "inspected": r.inspected, "roster": r.roster}
                for s in records.policy.sectors for r in this_year.rows if r.sector == s.sector]
    return Part([Page(urls.HOME, ("home.html",), "首页", {
        "notices": notices[:12], "progress": progress, "year": day.year,
        "reports": [{"year": year, "url": urls.report(year)} for year in reports]}),
        Page(urls.NOT_FOUND, ("404.html",), "页面不存在")])
