"""The inspected (检查对象): the items list (抽查事项清单), the institutions' index, each
institution's page with its integrity feed (诚信档案), each person's page, and the roster of
inspectors (执法检查人员名录) where the bureau publishes it."""
from __future__ import annotations

from generator.site import urls
from generator.site.family.notices import (
    credit_events,
    entry_events,
    feed,
    finding_events,
    head_link,
)
from generator.site.family.shared import Part, View, Views
from generator.site.feeds import Feed
from generator.site.output import Page


def part(views: Views) -> Part:
    part = Part()
    part.pages.append(Page(urls.ITEMS, ("items.html",), "抽查事项清单",
                           {"sectors": views.by_sector}, views.items))
    part.pages.append(Page(urls.INSTITUTIONS, ("institutions.html",), "检查对象名录",
                           {"sectors": views.by_sector, "personnel": views.personnel},
                           {"institutions": views.institutions, "personnel": views.personnel}))
    for inst in views.institutions:
        page, follow = _institution(views, inst)
        part.pages.append(page)
        part.feeds.append(follow)
    for person in views.personnel:
        # no JSON of its own (a province has tens of thousands of people, and a host caps its
        # files): the person's data is in the institution's JSON, which the page links
        ref = person["institution_ref"]
        part.pages.append(Page(person["url"], ("person.html",), person["name"], {
            "person": person, "findings": views.by_target.get(person["id"], []),
            "data_within": urls.json_beside(ref["url"]) if ref else None}))
    if views.inspectors is not None:
        part.pages.append(Page(urls.INSPECTORS, ("inspectors.html",), "执法检查人员名录",
                               {"inspectors": views.inspectors}, views.inspectors))
    return part


def _institution(views: Views, inst: View) -> tuple[Page, Feed]:
    """An institution's page and the feed that follows it: its and its people's findings, its
    list entries and credit notices, each with its amendments."""
    own = views.by_institution.get(inst["id"], [])
    listed = views.entries_of.get(inst["id"], [])
    noticed = views.notices_of.get(inst["id"], [])
    follow = feed(urls.feed_beside(inst["url"]), f"{inst['name']}诚信档案更新",
                  f"ssj:institution:{inst['id']}", inst["url"], views.day,
                  [*(e for f in own for e in finding_events(f, inst)),
                   *(e for x in listed for e in entry_events(x)),
                   *(e for n in noticed for e in credit_events(n))])
    page = Page(inst["url"], (f"institution-{inst['id']}.html", "institution.html"),
                inst["name"], {
        "institution": inst,
        "personnel": views.staff_of.get(inst["id"], []),
        "findings": own,
        "entries": listed,
        "notices": noticed,
        "open_rectifications": [f for f in own if f["open_rectification"]],
        "feeds": [head_link(follow)], "subscribe": follow.path,
    }, {"institution": inst, "findings": [f["id"] for f in own],
        "personnel": [_person_data(views, p) for p in views.staff_of.get(inst["id"], [])]})
    return page, follow


def _person_data(views: Views, person: View) -> View:
    """A person's data in their institution's JSON: the person's view (public fields only, as
    on their page) and the ids of the findings about them."""
    return {"person": person, "findings": [f["id"] for f in views.by_target.get(person["id"], [])]}
