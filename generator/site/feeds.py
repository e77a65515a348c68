"""Atom feeds (the site's notices, each institution's integrity file, each list), sitemap.xml and
robots.txt."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from generator.site.render import link, zh_date

FEED_SIZE = 50
EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed with no entries: fixed, never the clock


class Entry(Protocol):
    """One event of a feed (family.notices.Notice): dated, titled `kind：title`, linked to its page,
    with a plain-text summary of the record's essentials for readers that show no page."""

    @property
    def date(self) -> str: ...  # YYYY-MM-DD, a day in Beijing
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...  # site path, may carry #fragment
    @property
    def slug(self) -> str: ...  # ASCII; with the date and url, makes the entry's id
    @property
    def summary(self) -> str: ...  # "" for none


@dataclass(frozen=True)
class Feed:
    """A feed before it is written: where, what it follows, and its entries, newest first."""

    path: str  # e.g. "institutions/<id>.xml"
    title: str
    key: str  # the feed's part of its tag: id, stable if the path changes, e.g. "ssj:list:abnormal"
    page: str  # the page it follows (rel="alternate")
    entries: Sequence[Entry]


def atom(feed: Feed, base_url: str | None, authority: str, author: str) -> bytes:
    """An Atom feed; ids are tag: URIs so they stay stable if the site moves, and one event has
    one id in every feed that carries it. Links are absolute under `base_url`, else relative to
    the feed's own place."""
    def href(target: str) -> str:
        return quoteattr(link(base_url, feed.path, target))

    entries = feed.entries[:FEED_SIZE]
    titles = unique_titles(entries)
    updated = f"{max(e.date for e in entries)}T00:00:00+08:00" if entries else EPOCH
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{escape(feed.title)}</title>",
             f"<id>tag:{escape(authority)},2024:{escape(feed.key)}</id>",
             f"<updated>{updated}</updated>",
             f"<author><name>{escape(author)}</name></author>",
             f"<link rel=\"self\" href={href(feed.path)}/>",
             f"<link rel=\"alternate\" href={href(feed.page)}/>"]
    for e, title in zip(entries, titles):
        lines += ["<entry>",
                  f"<title>{escape(title)}</title>",
                  f"<id>tag:{escape(authority)},{e.date}:{escape(e.url)}:{e.slug}</id>",
                  f"<updated>{e.date}T00:00:00+08:00</updated>",
                  f"<link href={href(e.url)}/>",
                  *([f"<summary>{escape(e.summary)}</summary>"] if e.summary else []),
                  "</entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()


def unique_titles(entries: Sequence[Entry]) -> list[str]:
    """Each entry's title, `kind：title`, told apart from every other of the feed: a title that
    two entries share (an institution listed twice, a status that comes back) takes its entry's
    date, and, two on one day, its place among them (第1条 the oldest). Entries come newest
    first; the result depends on them alone."""
    plain = [f"{e.kind}：{e.title}" for e in entries]
    counts = _count(plain)
    dated = [f"{t}（{zh_date(e.date)}）" if counts[t] > 1 else t for t, e in zip(plain, entries)]
    counts = _count(dated)
    place: dict[str, int] = {}
    out = []
    for t in reversed(dated):  # oldest first, so an older entry keeps its number
        if counts[t] > 1:
            place[t] = place.get(t, 0) + 1
            t = (f"{t[:-1]}，第{place[t]}条）" if t.endswith("）") else f"{t}（第{place[t]}条）")
        out.append(t)
    return out[::-1]


def _count(titles: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in titles:
        counts[t] = counts.get(t, 0) + 1
    return counts


def sitemap(paths: list[str], base_url: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(base_url + p)}</loc></url>" for p in sorted(paths)]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots(base_url: str | None) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if base_url:
        text += f"Sitemap: {base_url}sitemap.xml\n"
    return text.encode()
