"""A plan's draw as its page shows it (抽取): the frozen package and its commitment, the random
sources, the time-stamps and outside witnesses that prove when it was published, the result
with each sector's ranking and teams, and what a reader needs to check it by hand."""
from __future__ import annotations

import datetime as dt
import hmac
import json
from typing import Any

from generator.draw import table
from generator.draw.evidence import Evidence, duration
from generator.draw.timestamp import openssl_command
from generator.records.kinds import SECTORS
from generator.records.model import Draw, Records
from generator.records.timing import BEIJING, package_source_times
from generator.site import urls
from generator.site.handcheck import hand_checks
from generator.site.views import source_view, target_ref, url_of


def draw_view(records: Records, plan_id: str,
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
        "files": {name: urls.draw_file(plan_id, name) for name in sorted(folder.files)},
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
    name = table.source_label(source) + ("的随机数" if source.get("kind") == "drand" else "的开奖号码")
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
            "files": [{"label": label, "path": urls.draw_file(plan_id, name)} for label, name in
                      zip(["镜像记录"] + [f"{names[a]}的时间戳" for a in sighting.authorities],
                          sighting.files)]})
    return out



def pins_folder(plan_id: str, evidence: Evidence | None) -> str:
    """Where the site publishes the chains a draw's tokens are checked against: a higher
    bureau's under the plan, so that its ids never meet this county's."""
    return urls.pins(plan_id if evidence is not None and evidence.delegated else None)


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
            "file": urls.draw_file(folder.plan, name), "file_name": name,
            "chain": urls.chain(pins, token.authority),
            "root": urls.root(pins, token.authority),
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

