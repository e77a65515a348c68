"""The lists (执业异常名录与信用黑名单): lists.html with each list's entries and the credit
notices (信用平台公示), and a feed for each list and for the credit notices."""
from __future__ import annotations

from generator.site import urls
from generator.site.family.notices import credit_events, entry_events, feed, head_link
from generator.site.family.shared import Part, Views
from generator.site.output import Page
from generator.site.public import public
from generator.site.views import LISTS


def part(views: Views) -> Part:
    entries, notices = views.entries, views.notices
    short_name = public(views.records.jurisdiction)["short_name"]
    feeds = {name: feed(urls.list_feed(name), f"{short_name}{label}更新", f"ssj:list:{name}",
                        urls.anchor(urls.LISTS, name), views.day,
                        [e for x in entries if x["list"] == name for e in entry_events(x)])
             for name, label in LISTS.items()}
    feeds["credit"] = feed(urls.CREDIT_FEED, f"{short_name}信用平台公示更新",
                           "ssj:credit-notices", urls.anchor(urls.LISTS, "credit"), views.day,
                           [e for n in notices for e in credit_events(n)])
    page = Page(urls.LISTS, ("lists.html",), "执业异常名录与信用黑名单", {
        "abnormal": [e for e in entries if e["list"] == "abnormal"],
        "blacklist": [e for e in entries if e["list"] == "blacklist"],
        "notices": notices,
        "feeds": [head_link(f) for f in feeds.values()],
        "subscribe": {name: f.path for name, f in feeds.items()}},
        {"entries": entries, "credit_notices": notices})
    return Part([page], feeds=list(feeds.values()))
