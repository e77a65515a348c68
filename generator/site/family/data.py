"""Open data (开放数据): every public table as CSV and JSON (generator.site.opendata), and
data.html, their data dictionary with each draw's files."""
from __future__ import annotations

from generator.site import opendata, urls
from generator.site.family.shared import Part, View, Views
from generator.site.output import Page
from generator.site.public import public

_DRAW_FILES = ("package.json", "commitment.txt", "values.json", "result.json")


def part(views: Views, plans: list[View]) -> Part:
    records = views.records
    tables = opendata.tables(records, views.institutions, views.personnel, views.items,
                             views.findings, views.entries, views.notices, views.inspectors,
                             plans, [public(a) for a in records.amendments],
                             [public(n) for n in records.irregularities])
    page = Page(urls.DATA, ("data.html",), "开放数据", {
        # the columns as plain data: a page's context is pickled for its build key, and a
        # column's `show` is a function
        "tables": [{"name": t.name, "title": t.title, "rows": len(t.rows),
                    "columns": [{"name": c.name, "field": c.field, "type": c.type, "help": c.help,
                                 "codes": c.codes} for c in t.columns],
                    "csv": urls.data_file(t.name, "csv"), "json": urls.data_file(t.name, "json")}
                   for t in tables],
        "draws": [{"id": p["id"], "drawn": bool(p["drawing"]["result"]),
                   "files": {name: urls.draw_file(p["id"], name) for name in _DRAW_FILES},
                   "verify": urls.anchor(p["url"], "verify")}
                  for p in plans if p["drawing"]]})
    return Part([page], opendata.files(tables))
