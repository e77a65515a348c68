"""The yearly reports (年度汇总): one page for each year with a plan, an inspection or an
irregularity notice, each sector's counts with a chart."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from generator.checks.memo import CheckMemo, open_memo
from generator.filewrite import write_durable
from generator.records.model import Records
from generator.records.parsecache import code_digest
from generator.records.problems import Problem
from generator.rules import report as yearly
from generator.site import irregular, urls
from generator.site.charts import bar_chart
from generator.site.family import findings
from generator.site.family.shared import Part, Views
from generator.site.output import Page


def summaries(views: Views, rules_today: tuple[Problem, ...] | None,
              cache: Path | None = None) -> dict[int, yearly.YearReport]:
    """Each year's report, newest first; this year's as of the site's day (`rules_today`: what
    the rules found as of it, if they ran); past years' kept in the folder `cache`, if any."""
    records, day = views.records, views.day
    years = sorted({p.year for p in records.plans} | {int(y) for y in findings.years(views)}
                   | {n.published_on.year for n in records.irregularities}, reverse=True)
    past = _PastReports(records, day, cache)
    made = {year: past.report(year) if year < day.year else yearly.yearly_report(
        records, year, day, rules_today if year == day.year else None) for year in years}
    past.save()
    return made


_CODE = Path(yearly.__file__).resolve().parents[1]  # the generator: the rules and what they use


class _PastReports:
    """Past years' reports, each kept in a file of the cache folder: running the rules as of
    each year's end is most of what assembling the site costs. A stored report is used only
    when it was made from the same record files (the loader's digest of every one), the same site day
    (which records are public), year and code; one that is damaged or of other inputs is
    made again, its rules run again only where what they read changed (checks/memo.py). It is
    read as JSON: loading it runs no code."""

    def __init__(self, records: Records, day: dt.date, cache: Path | None) -> None:
        self.records, self.day, self.cache = records, day, cache
        self._memo: CheckMemo | None = None

    def _units(self) -> CheckMemo | None:
        """The rules as of a past year's end, each run again only where what it reads changed:
        opened when a report is to be made, not when all are stored."""
        if self._memo is None:
            self._memo = open_memo(self.records, "report-rules")
        return self._memo

    def save(self) -> None:
        if self._memo is not None:
            self._memo.save()

    def report(self, year: int) -> yearly.YearReport:
        key = self._key(year)
        path = None if key is None or self.cache is None else self.cache / f"report-{year}.json"
        if path is not None:
            try:
                stored = json.loads(path.read_bytes())
                if stored["key"] == key:
                    return yearly.YearReport.from_json(stored["report"])
            except (OSError, ValueError, TypeError, KeyError, RecursionError):
                pass  # missing or damaged: made again
        made = yearly.yearly_report(self.records, year, self.day, units=self._units())
        if path is None:
            return made
        kept = json.dumps({"key": key, "report": made.as_dict()})
        try:
            write_durable(path, kept.encode())
        except OSError:  # a cache that cannot be written only costs time
            pass
        # as the next build reads it: the report page's key (a pickle) stays the same
        return yearly.YearReport.from_json(json.loads(kept)["report"])

    def _key(self, year: int) -> str | None:
        # the loader's digest of every record file it read (None: no cache, nothing kept)
        if self.cache is None or self.records.digest is None:
            return None
        return hashlib.sha256(code_digest(_CODE) + self.records.digest
                              + f"{self.day.isoformat()}\0{year}".encode()).hexdigest()


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
