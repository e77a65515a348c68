"""What changed, and when the oversight site first showed it: each member's status, each failing
draw check and each rewritten record, dated the day of the first build that saw it.

A verdict says how things stand, not since when; so each member's history is kept in the
federation repository, beside its state and its ledger in the mirror
(mirror/members/<division_code>/history.json, which the fetch workflow commits with them), and
the site publishes all of them as data/history.json. An event once recorded keeps its date and
its feed id; the same verdicts on the same history add nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generator.draw.standalone import FAIL, INCOMPLETE
from generator.federation.verify import AUDITED, MIRROR, MemberVerdict
from generator.filewrite import write_changed
from generator.records.types import ID_PATTERN
from generator.site.build import BuildRefused
from generator.site.family.notices import Notice

PATH = "data/history.json"  # every member's, as the site publishes it
FILE = "history.json"  # one member's, in its folder of the mirror
FORMAT = "ssj-federation-history/1"
STATUS_LABELS = {"pass": "合格", "incomplete": "待核", "fail": "不合格"}
CHECK_LABELS = {"commitment": "承诺值", "rounds": "公开随机源", "result": "抽取结果",
                "tokens": "可信时间戳", "timing": "按时冻结", "witness": "见证",
                "delegated": "上级抽取"}
CHANGES = {"changed": "被改写", "removed": "被删除"}
EVENT = ("date", "kind", "title", "url", "slug", "summary")  # an event's fields, Notice's order


def overall(verdict: MemberVerdict) -> str:
    """The member's mark: its verdict's status, and "fail" whenever its site could not be
    fetched (the page then shows the last good copy)."""
    return FAIL if verdict.flags else verdict.status


def member_page(member_id: str) -> str:
    return f"members/{member_id}.html"


def draw_page(member_id: str, plan: str) -> str:
    """A draw's own page: where the member's site has its plan page, under the member's folder
    (a county's plan page links its witness's copy of that path)."""
    return f"members/{member_id}/plans/{quote(plan, safe='')}.html"


def draw_anchor(plan: str) -> str:
    """The id of a draw's section on its member's page: the plan id, or its digest when the
    manifest names the plan with characters an id should not hold."""
    return f"plan-{plan}" if re.fullmatch(ID_PATTERN, plan) else f"plan-{_digest(plan)}"


def read(root: Path, verdicts: list[MemberVerdict]) -> dict[str, Any]:
    """Each member's history as the last build left it; refused, rather than started afresh,
    when a file is not one this site writes: dates once published would change."""
    previous = {}
    for verdict in verdicts:
        path = _file(root, verdict)
        try:
            kept = json.loads(path.read_bytes())
        except FileNotFoundError:
            continue
        except ValueError:
            kept = None
        if not (isinstance(kept, dict) and kept.get("format") == FORMAT
                and kept.get("status") in STATUS_LABELS and isinstance(kept.get("events"), list)
                and all(isinstance(e, dict) and all(isinstance(e.get(key), str) for key in EVENT)
                        for e in kept["events"])):
            raise BuildRefused(f"{path} 不是本程序写的 {FORMAT} 文件，无法接续状态变化记录")
        previous[verdict.id] = {"status": kept["status"], "events": kept["events"]}
    return previous


def write(root: Path, verdicts: list[MemberVerdict], members: dict[str, Any]) -> None:
    """Each member's history into the repository, where the next build reads it."""
    for verdict in verdicts:
        path = _file(root, verdict)
        write_changed(path.parent, {path.name: _json({"format": FORMAT,
                                                      **members[verdict.id]})})


def _file(root: Path, verdict: MemberVerdict) -> Path:
    return root / MIRROR / "members" / verdict.division_code / FILE


def update(previous: dict[str, Any], verdicts: list[MemberVerdict],
           today: dt.date) -> dict[str, Any]:
    """Every member's history: what `previous` held, and each change first seen `today`."""
    return {verdict.id: _member(previous.get(verdict.id) or {}, verdict, today.isoformat())
            for verdict in verdicts}


def _member(kept: dict[str, Any], verdict: MemberVerdict, day: str) -> dict[str, Any]:
    events = list(kept.get("events") or [])
    status = overall(verdict)
    page = member_page(verdict.id)
    found = []  # (kind, title, url, slug, summary), as EVENT after the date
    if status != kept.get("status"):
        turns = sum(1 for event in events if event["slug"].startswith("status-"))
        found.append(("核验状态", f"{verdict.name}：{STATUS_LABELS[status]}", page,
                      f"status-{turns + 1}-{status}", "；".join(reasons(verdict)) or "各项核验通过"))
    for draw in verdict.draws:
        found += [("抽取核验不通过", f"{verdict.name} 计划 {draw.plan}："
                   f"{CHECK_LABELS.get(check.name, check.name)}不通过",
                   f"{page}#{draw_anchor(draw.plan)}",
                   f"draw-{_digest(draw.plan, draw.commitment or '', check.name)}", check.message)
                  for check in draw.checks if check.status == FAIL]
    found += [("改写已公开记录", f"{verdict.name}：{AUDITED.get(r.kind, r.kind)} {r.id} "
               f"{CHANGES.get(r.change, r.change)}", f"{page}#rewrites",
               f"rewrite-{_digest(r.kind, r.id, r.change)}", r.message) for r in verdict.rewrites]
    known = {event["slug"] for event in events}
    for event in found:
        if event[3] not in known:
            events.append(dict(zip(EVENT, (day, *event))))
            known.add(event[3])
    return {"status": status, "events": events}


def as_json(members: dict[str, Any]) -> bytes:
    """Every member's history, by member id, as the site publishes it."""
    return _json({"format": FORMAT, "members": members})


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def notices(members: dict[str, Any], member_id: str | None = None) -> list[Notice]:
    """The events of one member (or of all), newest first, as the Atom feeds take them."""
    dated = [(event["date"], mid, n, event) for mid, kept in sorted(members.items())
             if member_id in (None, mid) for n, event in enumerate(kept["events"])]
    return [Notice(*(event[key] for key in EVENT))
            for *_, event in sorted(dated, key=lambda d: d[:3], reverse=True)]


def reasons(verdict: MemberVerdict) -> list[str]:
    """Why the member is not 合格, one short phrase each."""
    failing = sum(1 for draw in verdict.draws if draw.status == FAIL)
    pending = sum(1 for draw in verdict.draws if draw.status == INCOMPLETE)
    out = []
    if verdict.fetch_status == "never-fetched":
        out.append("网站从未抓取成功")
    elif verdict.flags:
        out.append(f"最近一次抓取失败：{verdict.flags[0].message}")
    if failing:
        out.append(f"{failing} 次抽取核验不通过")
    if verdict.rewrites:
        out.append(f"{len(verdict.rewrites)} 条已公开记录被改写或删除")
    if pending:
        out.append(f"{pending} 次抽取尚待核实")
    return out


def _digest(*parts: str) -> str:
    # an ASCII slug for a feed id, the same for the same event in every build
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
