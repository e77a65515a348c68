"""What the oversight site's pages show: each member's verdict, with what the member itself
publishes (its yearly reports, its lists) read from the mirror, and the witness log with each
run's tokens and the command that checks them.

Everything read from the mirror is a member's to write, so it is never trusted: a field of the
wrong type is shown as missing, never taken for something else.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.serialization import Encoding

from generator.draw.standalone import FAIL, INCOMPLETE, PASS
from generator.draw.timestamp import Stamp, TimestampError, verify_stamp
from generator.federation import witness
from generator.federation.config import Federation, Member
from generator.federation.history import (CHANGES, CHECK_LABELS, STATUS_LABELS, draw_anchor,
                                          draw_page, member_page, overall, reasons)
from generator.federation.mirror import Manifest, ManifestError, last_good, object_path
from generator.federation.verify import AUDITED, MIRROR, MemberVerdict
from generator.records.kinds import IRREGULARITY_KINDS
from generator.records.timing import BEIJING
from generator.site.handcheck import TS_OK
from generator.site.output import File
from generator.site import urls
from generator.site.views import LIST_GROUNDS, LISTS

CHECK_STATES = {PASS: "通过", INCOMPLETE: "待核", FAIL: "不通过"}
FETCH_LABELS = {"updated": "已更新", "unchanged": "无变化",
                "kept-last-good": "最近一次抓取失败，沿用上次成功的副本",
                "never-fetched": "从未抓取成功"}
_REPORT = re.compile(r"report/([0-9]{4})\.json")
_RUN = re.compile(r"[0-9]{8}T[0-9]{6}Z(?:-[0-9]+)?")  # witness.run_name, and a second run's suffix


def beijing(value: str | dt.datetime | None) -> str | None:
    """An instant (ISO text or aware datetime) as pages write it: 2026-12-07 10:00:00 北京时间."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value is None:
        return None
    if value.tzinfo is None:  # never the machine's own zone: UTC, as the mirror writes
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S 北京时间")


class Published:
    """A member's files as the mirror holds them under its last good manifest."""

    def __init__(self, root: Path, division_code: str) -> None:
        self.mirror = root / MIRROR
        try:
            self.manifest: Manifest | None = last_good(self.mirror, division_code)
        except ManifestError:
            self.manifest = None

    def json(self, path: str) -> Any:
        """The file's JSON; None when it is not published, not held or not JSON."""
        entry = self.manifest.files.get(path) if self.manifest else None
        if entry is None:
            return None
        try:
            return json.loads(object_path(self.mirror, entry.sha256).read_bytes())
        except (OSError, ValueError):
            return None

    def reports(self) -> list[tuple[int, str]]:
        """(year, path) of each yearly report it publishes, newest first."""
        found = [(int(m.group(1)), path) for path in (self.manifest.files if self.manifest else ())
                 if (m := _REPORT.fullmatch(path))]
        return sorted(found, reverse=True)


def _str(obj: Any, key: str) -> str:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else ""


def _int(obj: Any, key: str) -> int | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if type(value) is int else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def member_view(member: Member | None, verdict: MemberVerdict,
                published: Published) -> dict[str, Any]:
    """Everything the member's page and its row on the home page show."""
    site = member.url if member else None
    status = overall(verdict)
    draws = [{
        "plan": draw.plan, "anchor": draw_anchor(draw.plan), "commitment": draw.commitment,
        "witness_page": draw_page(verdict.id, draw.plan),
        "status": draw.status, "status_label": CHECK_STATES[draw.status],
        "page": f"{site}plans/{quote(draw.plan, safe='')}.html" if site else None,
        "checks": [{"name": c.name, "label": CHECK_LABELS.get(c.name, c.name),
                    "status": c.status, "status_label": CHECK_STATES[c.status],
                    "message": c.message} for c in draw.checks],
    } for draw in verdict.draws]
    return {
        "id": verdict.id, "name": verdict.name, "division_code": verdict.division_code,
        "site": site, "page": member_page(verdict.id), "feed": f"members/{verdict.id}.xml",
        "status": status, "status_label": STATUS_LABELS[status], "reasons": reasons(verdict),
        "fetch": {"status": verdict.fetch_status,
                  "label": FETCH_LABELS.get(verdict.fetch_status, verdict.fetch_status),
                  "last_good": beijing(verdict.last_good),
                  "last_attempt": beijing(verdict.last_attempt)},
        "flags": [{"kind": f.kind, "path": f.path, "message": f.message} for f in verdict.flags],
        "revision": verdict.revision,
        "draws": draws,
        "failing": sum(1 for d in draws if d["status"] == FAIL),
        "incomplete": sum(1 for d in draws if d["status"] == INCOMPLETE),
        "rewrites": [{"kind": r.kind, "kind_label": AUDITED.get(r.kind, r.kind), "id": r.id,
                      "change": r.change, "change_label": CHANGES.get(r.change, r.change),
                      "message": r.message} for r in verdict.rewrites],
        "reports": [_report_view(year, published.json(path), site)
                    for year, path in published.reports()],
    }


def _report_view(year: int, report: Any, site: str | None) -> dict[str, Any]:
    """A yearly report as the member publishes it: each sector's inspections against the
    方案's floor, and the irregularities it disclosed (its own word on late publication)."""
    as_of = _str(report, "as_of")
    in_progress = as_of < f"{year}-12-31"
    return {
        "year": year, "as_of": as_of, "readable": isinstance(report, dict),
        "page": f"{site}report/{year}.html" if site else None,
        "rows": [{"name": _str(row, "name") or _str(row, "sector"),
                  **{key: _int(row, key) for key in ("rounds", "smallest_round", "floor_per_year",
                                                     "floor_min_targets")},
                  "floor": _str(row, "floor"), "policy": _str(row, "policy"),
                  "exemption": _str(row, "exemption"),
                  **dict(zip(("status", "status_label"), _against_floor(row, in_progress)))}
                 for row in _dicts(report.get("rows") if isinstance(report, dict) else None)],
        "irregularities": [{"id": _str(line, "id"), "published_on": _str(line, "published_on"),
                            "plan": _str(line, "plan"),
                            "kind_label": IRREGULARITY_KINDS.get(_str(line, "kind"))
                            or _str(line, "kind_label")}
                           for line in _dicts(report.get("irregularities")
                                              if isinstance(report, dict) else None)],
        "rule_errors": _int(report, "rule_errors"), "rule_warnings": _int(report, "rule_warnings"),
    }


def _against_floor(row: dict[str, Any], in_progress: bool) -> tuple[str, str]:
    numbers = [_int(row, key) for key in ("rounds", "floor_per_year", "smallest_round",
                                          "floor_min_targets")]
    if None in numbers:
        return INCOMPLETE, "数字不全，无法判断"
    rounds, per_year, smallest, min_targets = numbers
    if rounds >= per_year and smallest >= min_targets:
        return PASS, "达到下限"
    if _str(row, "exemption"):
        return INCOMPLETE, "低于下限，已说明理由"
    if in_progress:
        return INCOMPLETE, "尚未达到（年度未结束）"
    return FAIL, "未达到下限"


def list_views(members: list[tuple[dict[str, Any], Published]]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every member's list entries and credit notices, newest first, each with its member and
    the institution's name from the member's own roster."""
    entries, notices = [], []
    for view, published in members:
        names = {_str(i, "id"): _str(i, "name")
                 for i in _dicts(published.json("data/institutions.json"))}
        for item in _dicts(published.json("data/list-entries.json")):
            decision, left = item.get("decision"), item.get("exit")
            entries.append({**_listed(item, view, names), "date": _str(item, "entered_on"),
                            "list_label": LISTS.get(_str(item, "list"), _str(item, "list")),
                            "ground_label": LIST_GROUNDS.get(_str(item, "ground"),
                                                             _str(item, "ground")),
                            "authority": _str(decision, "authority"),
                            "number": _str(decision, "number"),
                            "exit": {"date": _str(left, "date"), "reason": _str(left, "reason")}
                            if isinstance(left, dict) else None})
        for item in _dicts(published.json("data/credit-notices.json")):
            notices.append({**_listed(item, view, names), "date": _str(item, "published_on"),
                            "platform": _str(item, "platform")})

    def newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda i: (i["date"], i["member"]["id"], i["id"]), reverse=True)
    return newest_first(entries), newest_first(notices)


def _listed(item: dict[str, Any], member: dict[str, Any], names: dict[str, str]
            ) -> dict[str, Any]:
    """What a list entry and a credit notice share: the member, the institution, the reason and
    the place on the member's own lists page."""
    institution = _str(item, "institution")
    anchor = quote(_str(item, "id"), safe="")
    return {"id": _str(item, "id"),
            "member": {"id": member["id"], "name": member["name"], "page": member["page"]},
            "institution": names.get(institution) or institution, "registration": institution,
            "reason": _str(item, "reason"),
            "source": f"{member['site']}lists.html#{anchor}" if member["site"] else None}


def witness_view(root: Path, federation: Federation, members: list[dict[str, Any]]
                 ) -> tuple[dict[str, Any], list[File]]:
    """The witness log newest first, each run that first saw a commitment with its tokens and
    the commands that check them, and the files those commands read (published as they are)."""
    entries = witness.read_log(root)
    by_code = {m["division_code"]: {"id": m["id"], "name": m["name"], "page": m["page"]}
               for m in members}
    files = [File(witness.LOG, (root / witness.LOG).read_bytes())] if entries else []
    runs = []
    for run in dict.fromkeys(entry.run for entry in reversed(entries)):
        path = f"{witness.RUNS}/{run}.json"
        data = (root / path).read_bytes() if _RUN.fullmatch(run) and (root / path).is_file() \
            else None
        if data is not None:
            files.append(File(path, data))
        tokens = []
        for authority in federation.authorities.values() if data is not None else ():
            token_path = witness.token_file(run, authority.id)
            if not (root / token_path).is_file():
                continue
            token = (root / token_path).read_bytes()
            files.append(File(token_path, token))
            try:
                stamp = verify_stamp(token, hashlib.sha256(data).hexdigest(), authority.chain)
            except TimestampError as e:
                tokens.append({"authority": authority.name, "file": token_path, "error": str(e)})
                continue
            tokens.append({"authority": authority.name, "file": token_path, "error": None,
                           "gen_time": beijing(stamp.gen_time),
                           "command": _ts_verify(token_path, path, authority.id, stamp)})
        runs.append({"name": run, "anchor": f"run-{run}" if _RUN.fullmatch(run) else None,
                     "file": path if data is not None else None, "tokens": tokens})
    anchors = {run["name"]: run["anchor"] for run in runs}
    shown = {(m["division_code"], d["plan"]) for m in members for d in m["draws"]}
    authorities = []
    for authority in federation.authorities.values():
        chain = urls.chain(urls.AUTHORITIES_FOLDER, authority.id)
        root_file = urls.root(urls.AUTHORITIES_FOLDER, authority.id)
        files += [File(chain, authority.pem.encode()),
                  File(root_file, authority.root.public_bytes(Encoding.PEM))]
        authorities.append({
            "id": authority.id, "name": authority.name, "chain": chain, "root": root_file,
            "root_url": authority.root_url, "fingerprint": authority.shown_fingerprint,
            "command": shlex.join(["openssl", "x509", "-noout", "-fingerprint", "-sha256",
                                   "-in", root_file])})
    return {
        "entries": [{"member": by_code.get(e.member) or {"id": None, "name": e.member,
                                                         "page": None},
                     "plan": e.plan, "commitment": e.commitment,
                     "draw": draw_anchor(e.plan) if (e.member, e.plan) in shown else None,
                     "first_seen": beijing(e.first_seen), "run": e.run,
                     "run_anchor": anchors[e.run]} for e in reversed(entries)],
        "runs": runs, "authorities": authorities, "expect": TS_OK,
    }, files


def _ts_verify(token: str, data: str, authority: str, stamp: Stamp) -> str:
    """`openssl ts -verify` for a run's token, from the downloaded site's top folder; -attime
    judges the certificates at genTime, so the command outlives them."""
    return shlex.join(["openssl", "ts", "-verify", *(["-token_in"] if stamp.form == "token"
                                                     else []),
                       "-in", token, "-data", data,
                       "-CAfile", urls.chain(urls.AUTHORITIES_FOLDER, authority),
                       "-attime", str(int(stamp.gen_time.timestamp()))])
