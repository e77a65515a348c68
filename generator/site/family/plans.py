"""The plans (抽查计划与抽取公告): each plan's page with its draw, the draw folders and the pinned
chains their tokens are checked against, the in-browser verifier, and the plans' index."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from generator.draw.evidence import Authority, Evidence, all_evidence, pinned_authorities
from generator.records.kinds import SECTORS
from generator.records.model import Record, Records
from generator.records.timing import BEIJING
from generator.site import irregular, urls
from generator.site.family.draws import draw_view, pins_folder
from generator.site.family.shared import Part, View, Views
from generator.site.output import File, Page
from generator.site.public import public
from generator.site.verifier import verifier
from generator.site.views import MODES, url_of


def judged(records: Records, day: dt.date) -> tuple[dict[str, Authority], dict[str, Evidence]]:
    """The pinned authorities (parsed once: every plan page and its files) and each frozen
    plan's evidence, judged as at the end of the site's day: the same records give the same
    pages all day."""
    authorities, _ = pinned_authorities(records)
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BEIJING).timestamp()
    return authorities, all_evidence(records, authorities, end_of_day)


def plan_views(views: Views, evidence: dict[str, Evidence]) -> list[View]:
    """Every published plan as its page shows it, newest year first."""
    records = views.records
    return [_plan_view(views, plan, evidence.get(plan.id))
            for plan in sorted(records.plans, key=lambda p: (p.year, p.id), reverse=True)]


def _plan_view(views: Views, plan: Record, evidence: Evidence | None) -> View:
    records = views.records
    organiser = records.departments.get(plan.organiser.department)
    return {**public(plan), "url": url_of(plan), "mode_label": MODES[plan.mode],
            "organiser_name": organiser.name if organiser else "",
            "scope_named": [{**public_scope, "name": SECTORS[public_scope["sector"]]}
                            for public_scope in public(plan)["scope"]],
            "item_titles": [records.get(i, ("item",)).title for i in plan.items],
            "findings": views.by_plan.get(plan.id, []),
            "superseded_by": [{"id": p.id, "url": url_of(p), "reason": p.revision.reason}
                              for p in records.plans
                              if p.revision and p.revision.supersedes == plan.id],
            "revisions": _lineage(records, plan),
            "drawing": draw_view(records, plan.id, evidence),
            "irregularities": irregular.irregularity_views(records, plan.id, views.meta),
            **views.notice(plan.id, "plan")}


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


def part(records: Records, plans: list[View], authorities: dict[str, Authority],
          evidence: dict[str, Evidence], site_dir: Path) -> Part:
    """Each plan's page (its data without the findings, which have their own) and draw folder,
    the pinned chains (the county's and each higher bureau's that drew a plan), the verifier
    and the plans' index."""
    part = Part()
    for view in plans:
        part.pages.append(Page(view["url"], (f"plan-{view['id']}.html", "plan.html"),
                               view["title"], {"plan": view, "item_links": [
                                   urls.record("item", i) for i in view["items"]]},
                               {k: v for k, v in view.items() if k != "findings"}))
        folder = records.draws.get(view["id"])
        for name, stored in sorted((folder.files if folder else {}).items()):
            part.files.append(File(urls.draw_file(view["id"], name), stored.raw))
    pinned = [(urls.pins(), authorities)] + [
        (pins_folder(plan_id, judged), judged.authorities)
        for plan_id, judged in sorted(evidence.items()) if judged.delegated]
    for where, table in pinned:
        for authority in table.values():
            part.files.append(File(urls.chain(where, authority.id), authority.pem.encode()))
            part.files.append(File(urls.root(where, authority.id),
                                   authority.root.public_bytes(Encoding.PEM)))
    part.pages.append(verifier(records, authorities, urls.AUTHORITIES_FOLDER, site_dir, evidence))
    part.pages.append(Page(urls.PLANS, ("plans.html",), "抽查计划与抽取", {"plans": plans},
                           [{k: v for k, v in p.items() if k not in ("findings", "drawing")}
                            for p in plans]))
    return part
