"""Views: each record as the public sees it — its allowlisted fields, plus names, labels and
links worked out from other records. Templates and data files only ever see these."""
from __future__ import annotations

import datetime as dt
from typing import Any

from generator.draw.drand import CHAINS
from generator.draw.spec import source_label
from generator.records.timing import BEIJING, round_time
from generator.records.kinds import METHODS, ROLES, SECTORS, choices
from generator.records.model import Record, Records
from generator.site import urls
from generator.site.public import public

STATUS = {"institution": choices("institution", "status_history.status"),
          "person": choices("person", "status_history.status"),
          "inspector": choices("inspector", "status_history.status")}
OUTCOMES = choices("finding", "outcome")
ACTIONS = choices("finding", "handling.action")
GUIDANCE = choices("finding", "guidance.kind")
FOLLOW_UP = choices("finding", "follow_ups.outcome")
GROUNDS = choices("finding", "targeted.ground")
CONCERNS = choices("finding", "concerns")
LISTS = choices("list_entry", "list")
LIST_GROUNDS = choices("list_entry", "ground")
MODES = choices("plan", "mode")
TARGET_KINDS = choices("item", "target_kind")

# where each lottery publishes its results: the welfare lottery (福彩) and the sports lottery (体彩)
SPORTS_GAMES = ("排列三", "排列五", "大乐透", "七星彩")  # the rest are 中国福利彩票's

def url_of(record: Record) -> str:
    return urls.record(record.kind, record.id)


def current_status(record: Record, day: dt.date) -> str:
    return STATUS[record.kind].get(record.status_on(day) or "", "未登记")


def registration(inst: Record) -> str:
    return inst.uscc or inst.licence_number or ""


def history(record: Record) -> list[dict[str, Any]]:
    """The status history with each status's label."""
    return [{"since": s.since.isoformat(), "label": STATUS[record.kind][s.status],
             "note": s.note} for s in record.status_history]


def institution_view(records: Records, inst: Record, day: dt.date) -> dict[str, Any]:
    return {**public(inst), "url": url_of(inst), "sector_name": SECTORS[inst.sector],
            "registration": registration(inst), "status_label": current_status(inst, day),
            "history": history(inst)}


def person_view(records: Records, person: Record, day: dt.date) -> dict[str, Any]:
    inst = records.get(person.institution, ("institution",))
    return {**public(person), "url": url_of(person), "role_label": ROLES[person.role],
            "status_label": current_status(person, day), "history": history(person),
            "institution_ref": {"name": inst.name, "url": url_of(inst)} if inst else None}


def target_ref(records: Records, target_id: str) -> dict[str, Any]:
    """Name, registration number and link of an inspected institution or person."""
    target = records.get(target_id, ("institution", "person"))
    if target is None:
        return {"id": target_id, "name": target_id, "registration": "", "url": None}
    if target.kind == "person":
        return {"id": target.id, "name": target.name, "registration": target.licence_number or "",
                "url": url_of(target)}
    return {"id": target.id, "name": target.name, "registration": registration(target),
            "url": url_of(target)}


def inspector_ref(records: Records, inspector_id: str, published: bool) -> dict[str, Any]:
    inspector = records.get(inspector_id, ("inspector",))
    department = records.departments.get(inspector.department) if inspector else None
    return {"id": inspector_id, "name": inspector.name if inspector else inspector_id,
            "department": department.name if department else "",
            "url": urls.record("inspector", inspector_id) if published else None}


def item_ref(records: Records, item_id: str) -> dict[str, Any]:
    item = records.get(item_id, ("item",))
    return {"id": item_id, "title": item.title if item else item_id,
            "url": urls.record("item", item_id)}


def finding_view(records: Records, finding: Record) -> dict[str, Any]:
    published = records.policy.publish_inspector_roster
    plan = records.get(finding.plan, ("plan",)) if finding.plan else None
    data = public(finding)
    return {
        **data,
        "url": url_of(finding),
        "target_ref": target_ref(records, finding.target),
        "inspector_refs": [inspector_ref(records, i, published) for i in finding.inspectors],
        "item_refs": [item_ref(records, i) for i in finding.items],
        "plan_ref": {"id": plan.id, "title": plan.title, "url": url_of(plan)} if plan else None,
        "kind_label": "随机抽查" if plan else "非随机检查",
        "ground_label": GROUNDS[finding.targeted.ground] if finding.targeted else None,
        "method_label": METHODS[finding.method],
        "outcome_label": OUTCOMES[finding.outcome],
        "concern_labels": [CONCERNS[c] for c in finding.concerns],
        "handling_labelled": [{**h, "label": ACTIONS[h["action"]]} for h in data["handling"]],
        "guidance_labelled": [{**g, "label": GUIDANCE[g["kind"]]} for g in data["guidance"]],
        "follow_ups_labelled": [{**f, "label": FOLLOW_UP.get(f["outcome"] or "", "待回访")}
                                for f in data["follow_ups"]],
        "open_rectification": any(f.outcome != "rectified" for f in finding.follow_ups),
    }


def list_entry_view(records: Records, entry: Record) -> dict[str, Any]:
    inst = records.get(entry.institution, ("institution",))
    finding = records.get(entry.finding, ("finding",)) if entry.finding else None
    return {**public(entry), "url": url_of(entry), "list_label": LISTS[entry.list],
            "ground_label": LIST_GROUNDS[entry.ground],
            "institution_ref": target_ref(records, inst.id) if inst else None,
            "finding_ref": {"id": finding.id, "url": url_of(finding)} if finding else None,
            "current": entry.exit is None}


def credit_notice_view(records: Records, notice: Record) -> dict[str, Any]:
    finding = records.get(notice.finding, ("finding",))
    return {**public(notice), "url": url_of(notice),
            "institution_ref": target_ref(records, notice.institution),
            "finding_ref": {"id": finding.id, "url": url_of(finding)} if finding else None}


def item_view(records: Records, item: Record) -> dict[str, Any]:
    subject = records.departments.get(item.subject)
    return {**public(item), "sector_name": SECTORS[item.sector],
            "method_labels": [METHODS[m] for m in item.methods],
            "subject_name": f"{records.jurisdiction.short_name}{subject.name if subject else ''}",
            "target_kind_label": TARGET_KINDS[item.target_kind]}


def inspector_view(records: Records, inspector: Record, day: dt.date) -> dict[str, Any]:
    department = records.departments.get(inspector.department)
    return {**public(inspector), "department_name": department.name if department else "",
            "status_label": current_status(inspector, day)}


def source_view(source: dict[str, Any], result_url: str | None = None) -> dict[str, Any]:
    """A declared random source: what it is, when it becomes known, where to read it (for a
    lottery, the official result page of its issue once the plan records it)."""
    if source.get("kind") == "drand" and source.get("chain") in CHAINS:
        chain = CHAINS[source["chain"]]
        when = dt.datetime.fromtimestamp(round_time(chain.name, source["round"]), BEIJING)
        return {"label": source_label(source),
                "known_at": when.strftime("%Y-%m-%d %H:%M:%S 北京时间"),
                "official": f"https://api.drand.sh/{chain.chain_hash}/public/{source['round']}"}
    game = source.get("game", "彩票")
    return {"label": source_label(source),
            "known_at": f"{source.get('date', '')} {source.get('time', '')} 北京时间",
            "official": result_url,
            "operator": "中国体育彩票" if game in SPORTS_GAMES else "中国福利彩票"}
