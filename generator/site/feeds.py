"""The Atom feed of notices, sitemap.xml and robots.txt."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

FEED_SIZE = 50


def atom(notices, title: str, base_url: str | None, authority: str) -> bytes:  # type: ignore[no-untyped-def]
    """An Atom feed; ids are tag: URIs so they stay stable if the site moves."""
    base = base_url or ""
    updated = f"{notices[0].date}T00:00:00+08:00" if notices else "1970-01-01T00:00:00Z"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{escape(title)}</title>",
             f"<id>tag:{escape(authority)},2024:ssj</id>",
             f"<updated>{updated}</updated>",
             f"<author><name>{escape(title)}</name></author>",
             f"<link rel=\"self\" href={quoteattr(base + 'feed.xml')}/>",
             f"<link rel=\"alternate\" href={quoteattr(base + 'index.html')}/>"]
    for n in notices[:FEED_SIZE]:
        lines += ["<entry>",
                  f"<title>{escape(n.kind)}：{escape(n.title)}</title>",
                  f"<id>tag:{escape(authority)},{n.date}:{escape(n.url)}:{n.slug}</id>",
                  f"<updated>{n.date}T00:00:00+08:00</updated>",
                  f"<link href={quoteattr(base + n.url)}/>",
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
