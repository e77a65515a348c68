"""The oversight site (`ssj federate build`): the verdicts on every member, for the public, made
with the county site's own templates, renderer, feeds, style sheet and writer.

index.html (every member and its mark), members/<id>.html (its yearly floors, each draw's
checks, rewrites and fetch problems), lists.html (every member's list entries and credit
notices), witness.html (the witness log and how to check its tokens with openssl), data.html and
accessibility.html; feed.xml and members/<id>.xml; data/verdicts.json and data/history.json; the
witness files and pinned chains the commands read.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.federation import history, witness
from generator.federation.history import draw_page
from generator.federation.config import Federation
from generator.federation.verify import MemberVerdict, as_json
from generator.federation.views import Published, list_views, member_view, witness_view
from generator.filewrite import TreeWriter
from generator.site import feeds
from generator.site.build import BuildRefused, refuse_links, static_files
from generator.site.output import File, Page
from generator.site.render import environment, json_path, page_json, render
from generator.site.revision import source_revision

NAV = (("index.html", "各局核验"), ("lists.html", "名录与信用公示"), ("witness.html", "见证记录"),
       ("data.html", "开放数据"))
LATEST = 12  # events on the home page
# the footer's fields a county's jurisdiction.yaml fills; a federation has none of them yet
_FOOTER = ("host", "contact_address", "telephone", "email", "website_id", "icp_record",
           "psb_record", "base_url", "gov_mark")


@dataclass(frozen=True)
class SiteResult:
    pages: int
    files: int
    written: int
    removed: int


def build_federation_site(root: Path, federation: Federation, verdicts: list[MemberVerdict],
                          site_dir: Path, out: Path, today: dt.date) -> SiteResult:
    """Write the oversight site into `out` from `verdicts` (verify_federation's, as of
    `today`), the mirror and witness log under `root`, and the templates and assets of
    `site_dir`; then add what this build saw first to each member's history in the mirror
    (history.py). The same inputs give the same bytes. Raises BuildRefused (a link under site/,
    a history this site did not write) and FileExistsError (an output folder an earlier build
    did not mark), having written nothing."""
    refuse_links(site_dir)
    kept = history.update(history.read(root, verdicts), verdicts, today)
    writer = TreeWriter(out)
    pages, files = _assemble(root, federation, verdicts, kept)
    env = environment(site_dir)
    shared = {"site": {"name": federation.name, "short_name": federation.name, "address": None,
                       "site": dict.fromkeys(_FOOTER), "regulation": {"number": "所属各局的实施方案"},
                       "example": False, "revision": source_revision(root),
                       "built_on": today.isoformat(), "nav": NAV}}
    authority = f"{federation.division_code}.ssj"
    written: set[str] = set()
    with contextlib.ExitStack() as stack:
        stack.callback(writer.abort)  # a refused build leaves no temporary file behind

        def put(path: str, content: bytes) -> None:
            if path in written:
                raise BuildRefused(f"两个输出写到同一路径 {path}")
            written.add(path)
            writer.put(path, content)

        for page in pages:
            put(page.path, render(env, page, shared, None))
            if page.data is not None:
                put(json_path(page.path), page_json(page.data))
        for file in [*files, *static_files(site_dir)]:
            put(file.path, file.content)
        for feed in [feeds.Feed("feed.xml", f"{federation.name}核验动态", "ssj:federation",
                                "index.html", history.notices(kept))] + [
                feeds.Feed(f"members/{v.id}.xml", f"{v.name}核验动态", f"ssj:member:{v.id}",
                           history.member_page(v.id), history.notices(kept, v.id))
                for v in verdicts]:
            put(feed.path, feeds.atom(feed, None, authority, federation.name))
        put("robots.txt", feeds.robots(None))
        done, _, removed = writer.commit()
    history.write(root, verdicts, kept)
    return SiteResult(len(pages), len(written), done, removed)


TOP = "../../../"  # from members/<id>/plans/ to the site's top folder


def _draw_data(federation: Federation, member: dict[str, Any], plan: str,
               pins: list[dict[str, Any]], sights: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON beside a draw's page: when this federation first saw each commitment of it,
    with the run file and tokens that prove it and the authorities to pin, by paths relative to
    the page, for the county to take home (`ssj draw witness`) and check on its own."""
    return {"format": "ssj-witness-draw/1", "witness": federation.name,
            "witness_division_code": federation.division_code,
            "member": member["division_code"], "plan": plan, "authorities": pins,
            "sightings": [{**s, "run_file": TOP + s["run_file"],
                           "tokens": {a: TOP + path for a, path in s["tokens"].items()}}
                          for s in sights]}


def _assemble(root: Path, federation: Federation, verdicts: list[MemberVerdict],
              kept: dict[str, Any]) -> tuple[list[Page], list[File]]:
    """Every page (template, context, the JSON beside it) and every file to copy."""
    configured = {member.id: member for member in federation.members}
    published = [Published(root, verdict.division_code) for verdict in verdicts]
    members = [member_view(configured.get(verdict.id), verdict, copy)
               for verdict, copy in zip(verdicts, published)]
    entries, notices = list_views(list(zip(members, published)))
    witnessed, files = witness_view(root, federation, members)
    rows = [{key: m[key] for key in ("id", "name", "division_code", "page", "status",
                                     "status_label", "reasons", "failing", "incomplete")}
            | {"draws": len(m["draws"]), "rewrites": len(m["rewrites"]),
               "fetch": m["fetch"]} for m in members]
    pages = [Page("index.html", ("federation/home.html",), "各局核验",
                  {"members": rows, "latest": history.notices(kept)[:LATEST]}, rows)]
    for m in members:
        pages.append(Page(m["page"], (f"federation/member-{m['id']}.html",
                                      "federation/member.html"), m["name"],
                          {"member": m, "feeds": [{"title": f"{m['name']}核验动态",
                                                   "path": m["feed"]}]}, m))
    # each draw also where the member's own page for it sits, under the member's folder: a
    # county lists this site's members/<id>/ as its witness, and its plan pages link there
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in witnessed["entries"]:
        seen.setdefault((entry["member"]["id"], entry["plan"]), []).append(entry)
    sights = witness.first_sights(root, federation.authorities)
    pins = [{"id": a["id"], "name": a["name"], "root_sha256": a["fingerprint"],
             "root_url": a["root_url"], "chain": TOP + a["chain"]}
            for a in witnessed["authorities"]]
    for m in members:
        for d in m["draws"]:
            pages.append(Page(draw_page(m["id"], d["plan"]), ("federation/draw.html",),
                              f"{m['name']} 计划 {d['plan']}",
                              {"member": m, "draw": d, "seen": seen.get((m["id"], d["plan"]), [])},
                              _draw_data(federation, m, d["plan"], pins,
                                         sights.get((m["division_code"], d["plan"]), []))))
    pages += [
        Page("lists.html", ("federation/lists.html",), "各局执业异常名录、信用黑名单与信用公示",
             {"entries": entries, "notices": notices},
             {"entries": entries, "credit_notices": notices}),
        Page("witness.html", ("federation/witness.html",), "见证记录", witnessed, witnessed),
        Page("data.html", ("federation/data.html",), "开放数据",
             {"witness_files": [f.path for f in files]}),
        Page("accessibility.html", ("federation/accessibility.html",), "无障碍与适老化说明"),
    ]
    files += [File("data/verdicts.json", as_json(verdicts)),
              File(history.PATH, history.as_json(kept))]
    return pages, files
