"""Assemble the site: every page (template, context, JSON beside it) and every data file, from the
records. Nothing here renders or writes; build.py does that."""
from __future__ import annotations

import datetime as dt
import hmac
import json
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from cryptography.hazmat.primitives.serialization import Encoding

from generator.rules import report as yearly
from generator.draw.evidence import Evidence, all_evidence, duration, pinned_authorities
from generator.draw.timestamp import openssl_command
from generator.records.kinds import METHODS, SECTORS
from generator.records.load import display_path
from generator.records.model import Draw, Record, Records
from generator.records.problems import Problem
from generator.records.timing import BEIJING, package_source_times
from generator.rules.catalogue import LISTED
from generator.site import opendata
from generator.site.charts import bar_chart
from generator.site.feeds import Feed
from generator.site.handcheck import hand_checks
from generator.site import irregular
from generator.site.markup import render_markdown
from generator.site.output import File, Page
from generator.site.public import public
from generator.site.render import typeset, zh_date
from generator.site.search import search_page
from generator.site.verifier import verifier
from generator.site.views import (
    LISTS,
    MODES,
    credit_notice_view,
    finding_view,
    inspector_view,
    institution_view,
    item_view,
    list_entry_view,
    person_view,
    source_view,
    target_ref,
    url_of,
)


AUTHORITIES_FOLDER = "timestamp-authorities"  # the pinned chains, for openssl ts -verify


@dataclass(frozen=True)
class Site:
    """Everything build.py renders and writes."""

    pages: list[Page]
    files: list[File]
    notices: list["Notice"]
    day: dt.date
    feeds: list[Feed]  # each institution's and each list's; the site's own is build.py's


@dataclass(frozen=True)
class Notice:
    """An entry of the home page's latest notices and of an Atom feed."""

    date: str
    kind: str
    title: str
    url: str
    slug: str  # ASCII word for the kind, so two notices of one page keep distinct feed ids
    summary: str = ""  # a line for subscribers (the site's feed and the home page show none)


def site_date(epoch: str | None) -> dt.date:
    """The site's "today", in Beijing: the build's time (SOURCE_DATE_EPOCH, or the records' HEAD
    commit: see revision.source_epoch), else the clock. Records published later are withheld."""
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), BEIJING).date()
    return dt.datetime.now(BEIJING).date()


def _draw_view(records: Records, plan_id: str,
               evidence: Evidence | None) -> dict[str, Any] | None:
    folder = records.draws.get(plan_id)
    package = folder.get("package.json") if folder else None
    if package is None:
        return None
    pkg = package.data
    names = {}
    for stratum in pkg["strata"]:
        for target in stratum["targets"]:
            names[target["id"]] = target_ref(records, target["id"])
    plan = records.get(plan_id, ("plan",))
    declared = plan.draw.sources if plan is not None else ()
    commitment = folder.get("commitment.txt").data if folder.get("commitment.txt") else ""
    stamps = _stamp_views(folder, commitment, evidence)
    policy = evidence.policy if evidence is not None else None
    view: dict[str, Any] = {
        "commitment": commitment,
        "as_of": pkg["as_of"], "team_size": pkg["team_size"],
        "sources": [{**s, **source_view(s, declared[n].result_url if n < len(declared) else None)}
                    for n, s in enumerate(pkg["sources"])],
        "stamps": stamps,
        "proven": evidence is not None and evidence.proven,
        "rule": evidence.rule() if evidence is not None else "",
        "published": _publication_view(evidence),
        "first": _first_source_view(pkg, declared),
        "sealed": _beijing_time(evidence.frozen_at) if evidence and evidence.frozen_at else None,
        "witnessed": _witnessed_view(evidence, plan_id, url_of(plan) if plan is not None else ""),
        "margin_hours": policy.margin_hours if policy else None,
        "max_revisions": policy.max_revisions if policy else None,
        "policy_since": policy.since.isoformat() if policy and policy.since else None,
        "example": records.jurisdiction.example,
        "strata": [{"id": s["id"], "name": SECTORS.get(s["id"], s["id"]), "k": s["k"],
                    "lead_department": s["lead_department"], "min_lead": s["min_lead"],
                    "targets": [{**t, "ref": names[t["id"]]} for t in s["targets"]]}
                   for s in pkg["strata"]],
        "inspector_count": len(pkg["inspectors"]),
        "exclusion_count": len(pkg["exclusions"]),
        "files": {name: f"draws/{plan_id}/{name}" for name in sorted(folder.files)},
        "result": None,
    }
    result_file = folder.get("result.json")
    result = result_file.data if result_file is not None else None
    key_example = _key_example(pkg, result) if result is not None else None
    view["check"] = hand_checks(pkg, commitment, stamps, result, key_example,
                                records.jurisdiction.site.get("ssj_requirement"))
    if result is not None:
        inspectors = {i.id: i.name for i in records.inspectors}
        teams = {t["target"]: t["inspectors"] for t in result["teams"]}
        view["result"] = {
            "seed": result["seed"], "values": result["values"],
            "strata": [{"id": s["id"], "name": SECTORS.get(s["id"], s["id"]), "k": s["k"],
                        "ranking": [{"rank": n, **entry, "ref": names[entry["id"]],
                                     "selected": n <= s["k"],
                                     "team": [{"id": i, "name": inspectors.get(i, i)}
                                              for i in teams.get(entry["id"], ())]}
                                    for n, entry in enumerate(s["ranking"], start=1)]}
                       for s in result["strata"]],
            "example": key_example,
        }
    return view


def _beijing_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M:%S 北京时间")


def _publication_view(evidence: Evidence | None) -> dict[str, Any] | None:
    """When the commitment was first published on the main line, beside its first source."""
    if evidence is None or evidence.git.time is None or evidence.first_source is None:
        return None
    lead = evidence.first_source - evidence.git.time
    return {"commit": evidence.git.commit, "time": _beijing_time(evidence.git.time),
            "lead": ("早 " if lead >= 0 else "晚 ") + duration(lead),
            "on_time": evidence.published_on_time}


def _first_source_view(package: dict[str, Any], declared: tuple) -> dict[str, Any] | None:
    """The source the draw waits for first, named as a citizen reads it, and when it is known."""
    times = package_source_times(package)
    if not times:
        return None
    n = times.index(min(times))
    source = package["sources"][n]
    view = source_view(source, declared[n].result_url if n < len(declared) else None)
    name = (f"drand公开随机信标第{source['round']}轮的随机数" if source.get("kind") == "drand"
            else f"{source.get('game', '彩票')}第{source.get('issue', '')}期的开奖号码")
    return {"name": name, "at": view["known_at"], "official": view["official"]}


def _witnessed_view(evidence: Evidence | None, plan_id: str, page: str) -> list[dict[str, Any]]:
    """Each outside witness's proven first sight of the commitment (`ssj check` verified its
    files), beside the first source; `page`: this plan's page, which the witness mirrors."""
    out = []
    for sighting in evidence.witnessed if evidence is not None else ():
        lead = evidence.first_source - sighting.proven.timestamp()
        names = {a.id: a.name for a in sighting.witness.authorities.values()}
        out.append({
            "name": sighting.witness.name, "page": sighting.witness.url + page,
            "first_seen": _beijing_time(sighting.first_seen.timestamp()),
            "proven": _beijing_time(sighting.proven.timestamp()),
            "by": [names[a] for a in sighting.authorities],
            "lead": ("早 " if lead >= 0 else "晚 ") + duration(lead),
            "on_time": evidence.witnessed_on_time(sighting),
            "files": [{"label": label, "path": f"draws/{plan_id}/{name}"} for label, name in
                      zip(["镜像记录"] + [f"{names[a]}的时间戳" for a in sighting.authorities],
                          sighting.files)]})
    return out


def _grouped(items: list[dict[str, Any]], key: Any) -> dict[str, list[dict[str, Any]]]:
    """`items` by `key(item)`, each group in the items' order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _lineage(records: Records, plan: Record) -> list[dict[str, Any]]:
    """Every plan of the revision chain `plan` belongs to, oldest first, with its reason and
    whether it was drawn: each attempt stays listed (spec: no silent redraw)."""
    family = records.revision_family(plan.id)
    if len(family) < 2:
        return []
    chain = sorted((records.get(i, ("plan",)) for i in family),
                   key=lambda p: (len(records.ancestors(p)), p.id))
    return [{"id": p.id, "url": url_of(p), "title": p.title,
             "reason": p.revision.reason if p.revision else "",
             "drawn": records.draw_result(p.id) is not None,
             "frozen": p.id in records.draws, "current": p.id == plan.id} for p in chain]


def pins_folder(plan_id: str, evidence: Evidence | None) -> str:
    """Where the site publishes the chains a draw's tokens are checked against: a higher
    bureau's under the plan, so that its ids never meet this county's."""
    return (f"{AUTHORITIES_FOLDER}/{plan_id}" if evidence is not None and evidence.delegated
            else AUTHORITIES_FOLDER)


def _stamp_views(folder: Draw, commitment: str,
                 evidence: Evidence | None) -> list[dict[str, Any]]:
    """The package's verified tokens, each with its authority's root fingerprint and the openssl
    commands that check it as downloaded (`ssj check` reports the ones that do not verify)."""
    out = []
    pins = pins_folder(folder.plan, evidence)
    for token in evidence.tokens if evidence is not None else ():
        authority = evidence.authorities[token.authority]
        name = f"timestamp-{token.authority}.tsr"
        out.append({
            "authority": authority.name, "authority_id": token.authority,
            "fingerprint": authority.shown_fingerprint, "root_url": authority.root_url,
            "gen_time": _beijing_time(token.stamp.gen_time.timestamp()),
            "lead": ("早 " if token.lead >= 0 else "晚 ") + duration(token.lead),
            "on_time": token.on_time, "counts": token.authority in evidence.in_force,
            "file": f"draws/{folder.plan}/{name}", "file_name": name,
            "chain": f"{pins}/{token.authority}.pem",
            "root": f"{pins}/{token.authority}-root.pem",
            "command": openssl_command(name, commitment, f"{token.authority}.pem", token.stamp),
        })
    return out


def _key_example(package: dict[str, Any], result: dict[str, Any]) -> dict[str, str] | None:
    """The top candidate's key, spelled out so a reader can recompute it with openssl: the
    message of its winning ticket (a weighted target's key is the smallest of its tickets)."""
    weights = {t["id"]: t["weight"] for s in package["strata"] for t in s["targets"]}
    seed = bytes.fromhex(result["seed"])
    for stratum in result["strata"]:
        if not stratum["ranking"]:
            continue
        top = stratum["ranking"][0]
        for ticket in range(1, weights[top["id"]] + 1):
            message = json.dumps(["ssj-draw/1", "target", stratum["id"], top["id"], ticket],
                                 ensure_ascii=False, separators=(",", ":"))
            if hmac.new(seed, message.encode(), "sha256").hexdigest() == top["key"]:
                return {"stratum": stratum["id"], "target": top["id"], "message": message,
                        "seed": result["seed"], "ticket": str(ticket)}
    return None


class PageError(ValueError):
    """A hand-written page under site/pages/ that cannot be read, in one line with its file."""


def _front_matter(md: Path) -> tuple[dict[str, Any], str]:
    """A page's front matter (a mapping between `---` lines) and its Markdown body."""
    where = display_path(md)
    try:
        text = md.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise PageError(f"{where}: 不是 UTF-8 编码（第 {e.start + 1} 字节）") from None
    if not text.startswith("---\n"):
        return {}, text
    head, _, body = text[4:].partition("\n---\n")
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", 0) + 2
        raise PageError(f"{where}:{line}: 页面开头的 YAML 无效") from None
    if meta is None:
        return {}, body
    if not isinstance(meta, dict) or not isinstance(meta.get("title", ""), str):
        raise PageError(f"{where}:2: 页面开头应为键值对，如 title: 页面标题")
    return meta, body


def assemble(records: Records, site_dir: Path, day: dt.date,
             history: dict[str, list[dict[str, str]]] | None = None,
             rules_today: tuple[Problem, ...] | None = None) -> Site:
    """All pages and files of the site as of `day`; `history` maps record files to their git
    changes; `rules_today`: what the rules found in `records` as of `day`, if they ran."""
    everything = records
    records = records.published_by(day)
    if records is not everything:  # the rules saw records the public does not: run them again
        rules_today = None
    history = history or {}

    def audit_trail(record_id: str, kind: str) -> dict[str, Any]:
        """Amendments beside the original, and the dates and commits that changed it."""
        record = records.get(record_id, (kind,))
        rel = PurePosixPath(record.file).relative_to(records.root).as_posix() if record else ""
        return {"amendments": [public(a) for a in sorted(records.amendments_of(record_id),
                                                          key=lambda a: (a.date, a.id))],
                "changes": history.get(rel, [])}

    policy = records.policy
    published_roster = policy.publish_inspector_roster
    pages: list[Page] = []
    files: list[File] = []
    feeds: list[Feed] = []

    institutions = [{**institution_view(records, i, day), **audit_trail(i.id, "institution")}
                    for i in records.institutions]
    personnel = [{**person_view(records, p, day), **audit_trail(p.id, "person")}
                 for p in records.personnel]
    findings = sorted(({**finding_view(records, f), **audit_trail(f.id, "finding")}
                       for f in records.findings),
                      key=lambda f: (f["inspected"]["start"], f["id"]), reverse=True)
    # a finding not yet published is not in `records`: links to it come out empty
    entries = [{**list_entry_view(records, e), **audit_trail(e.id, "list_entry")}
               for e in records.list_entries]
    notices = [{**credit_notice_view(records, n), **audit_trail(n.id, "credit_notice")}
               for n in records.credit_notices]
    items = [item_view(records, i) for i in records.items]

    by_sector = [{"id": s, "name": n, "institutions": [i for i in institutions if i["sector"] == s],
                  "items": [i for i in items if i["sector"] == s]} for s, n in SECTORS.items()]
    pages.append(Page("items.html", ("items.html",), "抽查事项清单",
                      {"sectors": by_sector}, items))
    pages.append(Page("institutions/index.html", ("institutions.html",), "检查对象名录",
                      {"sectors": by_sector, "personnel": personnel},
                      {"institutions": institutions, "personnel": personnel}))
    # each relation grouped once, in the lists' own order: a page reads its group, never scans
    by_target = _grouped(findings, lambda f: f["target_ref"]["id"])
    employer = {p.id: p.institution for p in records.personnel}
    by_institution = _grouped(findings, lambda f: employer.get(f["target_ref"]["id"],
                                                               f["target_ref"]["id"]))
    entries_of = _grouped(entries, lambda e: e["institution"])
    notices_of = _grouped(notices, lambda n: n["institution"])
    staff_of = _grouped(personnel, lambda p: p["institution"])
    for inst, record in zip(institutions, records.institutions):
        own = by_institution.get(inst["id"], [])
        listed = entries_of.get(inst["id"], [])
        noticed = notices_of.get(inst["id"], [])
        follow = _feed(f"{posixpath.splitext(inst['url'])[0]}.xml", f"{inst['name']}诚信档案更新",
                       f"ssj:institution:{inst['id']}", inst["url"], day,
                       [*(e for f in own for e in _finding_events(f, inst)),
                        *(e for x in listed for e in _entry_events(x)),
                        *(e for n in noticed for e in _credit_events(n))])
        feeds.append(follow)
        pages.append(Page(inst["url"], (f"institution-{inst['id']}.html", "institution.html"),
                          inst["name"], {
                              "institution": inst,
                              "personnel": staff_of.get(inst["id"], []),
                              "findings": own,
                              "entries": listed,
                              "notices": noticed,
                              "open_rectifications": [f for f in own if f["open_rectification"]],
                              "feeds": [_head_link(follow)], "subscribe": follow.path,
                          }, {"institution": inst, "findings": [f["id"] for f in own]}))
    for person in personnel:
        own = by_target.get(person["id"], [])
        pages.append(Page(person["url"], ("person.html",), person["name"],
                          {"person": person, "findings": own},
                          {"person": person, "findings": [f["id"] for f in own]}))
    if published_roster:
        inspectors = [inspector_view(records, i, day) for i in records.inspectors]
        pages.append(Page("inspectors.html", ("inspectors.html",), "执法检查人员名录",
                          {"inspectors": inspectors}, inspectors))

    authorities, _ = pinned_authorities(records)  # parsed once: every plan page and its files
    # judged as at the end of the site's day: the same records give the same pages all day
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BEIJING).timestamp()
    evidence = all_evidence(records, authorities, end_of_day)
    of_plan = _grouped(findings, lambda f: f["plan"])
    plan_views = []
    for plan in sorted(records.plans, key=lambda p: (p.year, p.id), reverse=True):
        draw = _draw_view(records, plan.id, evidence.get(plan.id))
        organiser = records.departments.get(plan.organiser.department)
        view = {**public(plan), "url": url_of(plan), "mode_label": MODES[plan.mode],
                "organiser_name": organiser.name if organiser else "",
                "scope_named": [{**public_scope, "name": SECTORS[public_scope["sector"]]}
                                for public_scope in public(plan)["scope"]],
                "item_titles": [records.get(i, ("item",)).title for i in plan.items],
                "findings": of_plan.get(plan.id, []),
                "superseded_by": [{"id": p.id, "url": url_of(p), "reason": p.revision.reason}
                                  for p in records.plans
                                  if p.revision and p.revision.supersedes == plan.id],
                "revisions": _lineage(records, plan),
                "drawing": draw, "irregularities": irregular.irregularity_views(records, plan.id),
                **audit_trail(plan.id, "plan")}
        plan_views.append(view)
        pages.append(Page(view["url"], (f"plan-{plan.id}.html", "plan.html"), plan.title,
                          {"plan": view}, {k: v for k, v in view.items() if k != "findings"}))
        folder = records.draws.get(plan.id)
        for name, stored in sorted((folder.files if folder else {}).items()):
            files.append(File(f"draws/{plan.id}/{name}", stored.raw))
    pinned = [(AUTHORITIES_FOLDER, authorities)] + [
        (pins_folder(plan_id, judged), judged.authorities)
        for plan_id, judged in sorted(evidence.items()) if judged.delegated]
    for where, table in pinned:
        for authority in table.values():
            files.append(File(f"{where}/{authority.id}.pem", authority.pem.encode()))
            files.append(File(f"{where}/{authority.id}-root.pem",
                              authority.root.public_bytes(Encoding.PEM)))
    pages.append(verifier(records, authorities, AUTHORITIES_FOLDER, site_dir, evidence))
    pages.append(search_page(by_sector, staff_of))
    pages.append(Page("plans/index.html", ("plans.html",), "抽查计划与抽取",
                      {"plans": plan_views}, [{k: v for k, v in p.items() if k not in
                                               ("findings", "drawing")} for p in plan_views]))

    for f in findings:
        pages.append(Page(f["url"], (f"finding-{f['id']}.html", "finding.html"),
                          f"{f['target_ref']['name']} {zh_date(f['inspected']['start'])}检查结果",
                          {"finding": f}, f))
    years = sorted({f["inspected"]["start"][:4] for f in findings}, reverse=True)
    pages.append(Page("findings/index.html", ("findings.html",), "抽查结果公示",
                      {"years": [{"year": y, "findings": [f for f in findings
                                                          if f["inspected"]["start"][:4] == y]}
                                 for y in years]}, findings))
    short_name = public(records.jurisdiction)["short_name"]
    list_feeds = {name: _feed(f"lists/{name}.xml", f"{short_name}{label}更新", f"ssj:list:{name}",
                              f"lists.html#{name}", day,
                              [e for x in entries if x["list"] == name for e in _entry_events(x)])
                  for name, label in LISTS.items()}
    list_feeds["credit"] = _feed("lists/credit-notices.xml", f"{short_name}信用平台公示更新",
                                 "ssj:credit-notices", "lists.html#credit", day,
                                 [e for n in notices for e in _credit_events(n)])
    feeds.extend(list_feeds.values())
    pages.append(Page("lists.html", ("lists.html",), "执业异常名录与信用黑名单", {
        "abnormal": [e for e in entries if e["list"] == "abnormal"],
        "blacklist": [e for e in entries if e["list"] == "blacklist"],
        "notices": notices,
        "feeds": [_head_link(f) for f in list_feeds.values()],
        "subscribe": {name: f.path for name, f in list_feeds.items()}},
        {"entries": entries, "credit_notices": notices}))

    report_years = sorted({p.year for p in records.plans} | {int(y) for y in years}
                          | {n.published_on.year for n in records.irregularities}, reverse=True)
    reports = []
    summaries = {}  # by year: the home page's progress reuses this year's
    for year in report_years:
        summary = summaries[year] = yearly.yearly_report(
            records, year, day, rules_today if year == day.year else None)
        rows = summary.as_dict()["rows"]
        charts = [bar_chart(f"{year}年各行业名录数与随机抽查对象数",
                            [r["name"] for r in rows],
                            [("名录数", [r["roster"] for r in rows]),
                             ("随机抽查对象", [r["inspected"] for r in rows])])]
        reports.append({"year": year, "url": f"report/{year}.html"})
        pages.append(Page(f"report/{year}.html", ("report.html",), f"{year}年度汇总",
                          {"report": summary.as_dict(), "charts": charts,
                           "columns": yearly.COLUMNS, "outcomes": yearly.OUTCOMES,
                           "irregularities": [irregular.irregularity_view(
                               records, records.get(line.id, ("irregularity",)))
                               for line in summary.irregularities]},
                          summary.as_dict()))

    pages.append(Page("rules.html", ("rules.html",), "规则目录",
                      {"rules": [r.as_dict() for r in LISTED]},
                      [r.as_dict() for r in LISTED]))
    for md in sorted((site_dir / "pages").glob("*.md")):
        meta, body = _front_matter(md)
        pages.append(Page(f"{md.stem}.html", (f"page-{md.stem}.html", "page.html"),
                          meta.get("title", md.stem), {"body": render_markdown(body, below_title=True)}))

    amendments = [public(a) for a in records.amendments]
    tables = opendata.tables(records, institutions, personnel, items, findings, entries, notices,
                             inspectors if published_roster else None, plan_views, amendments,
                             [public(n) for n in records.irregularities])
    files.extend(opendata.files(tables))
    pages.append(Page("data.html", ("data.html",), "开放数据", {
        "tables": [{"name": t.name, "title": t.title, "columns": t.columns, "rows": len(t.rows)}
                   for t in tables],
        "draws": [{"id": p["id"], "drawn": bool(p["drawing"]["result"])}
                  for p in plan_views if p["drawing"]]}))

    feed = [n for n in _notices(records, plan_views, findings, entries, notices)
            if n.date <= day.isoformat()]
    this_year = summaries.get(day.year) or yearly.yearly_report(records, day.year, day,
                                                                rules_today)
    progress = [{"name": r.name, "required": s.inspections_per_year, "min_targets": s.min_targets,
                 "done": len(records.drawn_plans(day.year, s.sector)),
                 "inspected": r.inspected, "roster": r.roster}
                for s in policy.sectors for r in this_year.rows if r.sector == s.sector]
    pages.append(Page("index.html", ("home.html",), "首页", {
        "notices": feed[:12], "progress": progress, "year": day.year, "reports": reports}))
    pages.append(Page("404.html", ("404.html",), "页面不存在"))
    return Site(pages, files, feed, day, feeds)


def _notices(records: Records, plans: list[dict[str, Any]], findings: list[dict[str, Any]],
             entries: list[dict[str, Any]], notices: list[dict[str, Any]]) -> list[Notice]:
    """The site's feed and the home page's latest notices: each plan's notice and draw result,
    finding, listing and exit, credit notice and irregularity notice. A finding, listing, exit
    or credit notice has the title and summary it has in an institution's or a list's feed."""
    out = []
    for plan in plans:
        if plan["published_on"]:
            out.append(_notice(plan["published_on"], "抽取公告", plan["title"], plan["url"],
                               "draw-notice", _plan_summary(plan)))
        if plan["drawing"] and plan["drawing"]["result"]:
            held = plan["draw"]["held_on"] or plan["schedule"]["start"]
            out.append(_notice(held, "抽取结果", plan["title"], plan["url"], "draw-result",
                               _draw_summary(records, plan, held)))
    out.extend(_finding_notice(f, _who(records, f)) for f in findings)
    for e in entries:
        out.extend(_entry_notices(e))
    out.extend(_credit_notice(n) for n in notices)
    out.extend(_irregularity_event(v) for v in irregular.all_irregularity_views(records))
    return _newest_first(out)


def _notice(date: str, kind: str, title: str, url: str, slug: str, summary: str) -> Notice:
    """A notice as people read it: title and summary set as the pages set their text (dates
    without spaces: 2026年度), staff's line breaks as spaces (a summary is one plain line)."""
    return Notice(date, kind, typeset(" ".join(title.split())), url, slug,
                  typeset(" ".join(summary.split())))


def _fields(parts: list[str]) -> str:
    """A summary's fields, `名称：内容`, one sentence: staff text loses its closing 。 inside."""
    return "；".join(p.rstrip("。；") for p in parts) + "。"


def _plan_summary(plan: dict[str, Any]) -> str:
    """A plan's notice: its year, what share of which sectors it draws, how it inspects, when
    it draws and inspects, and which plan it draws again for."""
    scope = "、".join(f"{SECTORS[s['sector']]}抽取{s['ratio_percent']}%（不少于{s['min_count']}个）"
                     for s in plan["scope"])
    draw, schedule = plan["draw"], plan["schedule"]
    by = plan["organiser"]["delegated_by"]
    drawing = (f"检查对象由{by or '上级机关'}抽取" if draw["delegated"] else
               f"抽取日期：{zh_date(draw['held_on']) or '未定'}"
               + (f"，地点：{draw['place']}" if draw["place"] else ""))
    revision = plan["revision"]
    return _fields([f"计划年度：{plan['year']}年", f"抽查范围：{scope}",
                    f"抽查方式：{METHODS[plan['method']]}", f"检查方式：{MODES[plan['mode']]}",
                    drawing, f"实施时间：{zh_date(schedule['start'])}至{zh_date(schedule['end'])}",
                    *([f"重新抽取：取代计划{revision['supersedes']}，理由：{revision['reason']}"]
                      if revision else [])])


def _draw_summary(records: Records, plan: dict[str, Any], held: str) -> str:
    """A draw's result: when, and which institutions or people each sector drew (its
    result.json, as the plan page ranks them)."""
    folder = records.draws.get(plan["id"])
    result = folder.get("result.json") if folder else None
    chosen = [f"{SECTORS.get(s['id'], s['id'])}{min(s['k'], len(s['ranking']))}个："
              + "、".join(target_ref(records, e["id"])["name"] for e in s["ranking"][:s["k"]])
              for s in (result.data["strata"] if result is not None else [])]
    by = plan["organiser"]["delegated_by"] if plan["draw"]["delegated"] else None
    return (f"抽取日期：{zh_date(held)}" + (f"（由{by}抽取）" if by else "")
            + (f"；抽中{'；'.join(chosen)}" if chosen else "") + "。")


def _who(records: Records, f: dict[str, Any]) -> str:
    """A finding's target as its feed entries name it: a person with their institution."""
    person = records.get(f["target_ref"]["id"], ("person",))
    inst = records.get(person.institution, ("institution",)) if person else None
    return f"{f['target_ref']['name']}（{inst.name}）" if inst else f["target_ref"]["name"]


def _finding_notice(f: dict[str, Any], who: str) -> Notice:
    """A finding's publication: who, when and how it was inspected, the result and its
    handling (a penalty with its decision number), and the published explanation."""
    start, end = f["inspected"]["start"], f["inspected"]["end"]
    basis = (f"（{typeset(f['plan_ref']['title'])}）" if f["plan_ref"] else
             f"（{f['ground_label']}）" if f["ground_label"] else "")
    handled = "、".join(h["label"] + (f"（{h['decision_number']}）" if h["decision_number"] else "")
                        for h in f["handling_labelled"])
    summary = _fields([
        f"检查对象：{who}",
        f"检查日期：{zh_date(start)}" + (f"至{zh_date(end)}" if end != start else ""),
        f"检查类别：{f['kind_label']}{basis}", f"抽查方式：{f['method_label']}",
        f"抽查结果：{f['outcome_label']}", *([f"查处情况：{handled}"] if handled else []),
        f"结果说明：{f['result']}"])
    return _notice(f["published_on"], "检查结果",
                   f"{who}{zh_date(start)}{f['kind_label']}：{f['outcome_label']}", f["url"],
                   "finding", summary)


def _entry_notices(e: dict[str, Any]) -> list[Notice]:
    """A list entry: entered and, once it has, left."""
    name, decision = e["institution_ref"]["name"], e["decision"]
    out = [_notice(e["entered_on"], f"列入{e['list_label']}", name, e["url"], "listed", _fields([
        f"机构：{name}", f"名录：{e['list_label']}", f"列入日期：{zh_date(e['entered_on'])}",
        f"列入情形：{e['ground_label']}", f"列入理由：{e['reason']}",
        f"列入决定：{decision['authority']}" + (decision["number"] or "")
        + f"（{zh_date(decision['date'])}）"]))]
    if e["exit"]:
        out.append(_notice(e["exit"]["date"], f"移出{e['list_label']}", name, e["url"],
                           "delisted", _fields([
                               f"机构：{name}", f"名录：{e['list_label']}",
                               f"移出日期：{zh_date(e['exit']['date'])}",
                               f"移出理由：{e['exit']['reason']}"])))
    return out


def _credit_notice(n: dict[str, Any]) -> Notice:
    name = n["institution_ref"]["name"]
    return _notice(n["published_on"], "信用平台公示", name, n["url"], "credit-notice", _fields([
        f"机构：{name}", f"公示平台：{n['platform']}", f"公示日期：{zh_date(n['published_on'])}",
        f"公示内容：{n['reason']}"]))


def _irregularity_event(view: dict[str, Any]) -> Notice:
    """An irregularity notice (issue 20): its plan's page (or, naming no plan, its yearly
    report), with the reason on one line for subscribers."""
    return _notice(view["published_on"], irregular.HEADING, irregular.feed_title(view),
                   view["url"], f"{irregular.SLUG}-{view['id']}", view["reason"])


def _newest_first(notices: list[Notice]) -> list[Notice]:
    return sorted(notices, key=lambda n: (n.date, n.url, n.title), reverse=True)


def _feed(path: str, title: str, key: str, page: str, day: dt.date,
          events: list[Notice]) -> Feed:
    """A subscription feed of `events`, newest first; an event dated after `day` (a list exit
    recorded ahead) is left out, as on the home page."""
    return Feed(path, title, key, page, _newest_first([e for e in events
                                                       if e.date <= day.isoformat()]))


def _head_link(feed: Feed) -> dict[str, str]:
    """A feed as base.html names it in the page head (<link rel="alternate">)."""
    return {"title": feed.title, "path": feed.path}


def _amendment_events(view: dict[str, Any], what: str) -> list[Notice]:
    """The published amendments of a record (already dated by `day`): one event each."""
    return [_notice(a["date"], "更正", what, view["url"], f"amendment-{a['id']}", _fields([
        f"更正对象：{what}", f"更正日期：{zh_date(a['date'])}", f"更正内容：{a['correction']}",
        f"更正理由：{a['reason']}"])) for a in view["amendments"]]


def _finding_events(f: dict[str, Any], inst: dict[str, Any]) -> list[Notice]:
    """A finding about `inst` or one of its people: its publication (as in the site feed) and
    its amendments."""
    who = (inst["name"] if f["target_ref"]["id"] == inst["id"]
           else f"{f['target_ref']['name']}（{inst['name']}）")
    return [_finding_notice(f, who),
            *_amendment_events(f, f"{who}{zh_date(f['inspected']['start'])}检查结果")]


def _entry_events(e: dict[str, Any]) -> list[Notice]:
    """A list entry: entered, left (as in the site feed), amended."""
    return _entry_notices(e) + _amendment_events(
        e, f"{e['institution_ref']['name']}列入{e['list_label']}")


def _credit_events(n: dict[str, Any]) -> list[Notice]:
    """A credit notice (as in the site feed) and its amendments."""
    return [_credit_notice(n),
            *_amendment_events(n, f"{n['institution_ref']['name']}信用平台公示")]
