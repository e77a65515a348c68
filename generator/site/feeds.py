"""Atom feeds (the site's notices, each institution's integrity file, each list), sitemap.xml and
robots.txt."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from generator.site.render import link

FEED_SIZE = 50
EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed with no entries: fixed, never the clock


class Entry(Protocol):
    """One event of a feed (pages.Notice): dated, titled `kind：title`, linked to its page."""

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
    updated = f"{max(e.date for e in entries)}T00:00:00+08:00" if entries else EPOCH
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{escape(feed.title)}</title>",
             f"<id>tag:{escape(authority)},2024:{escape(feed.key)}</id>",
             f"<updated>{updated}</updated>",
             f"<author><name>{escape(author)}</name></author>",
             f"<link rel=\"self\" href={href(feed.path)}/>",
             f"<link rel=\"alternate\" href={href(feed.page)}/>"]
    for e in entries:
        lines += ["<entry>",
                  f"<title>{escape(e.kind)}：{escape(e.title)}</title>",
                  f"<id>tag:{escape(authority)},{e.date}:{escape(e.url)}:{e.slug}</id>",
                  f"<updated>{e.date}T00:00:00+08:00</updated>",
                  f"<link href={href(e.url)}/>",
                  *([f"<summary>{escape(e.summary)}</summary>"] if e.summary else []),
                  "</entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()


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
