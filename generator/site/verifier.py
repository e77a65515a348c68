"""The in-browser draw verifier: its page, and the index it reads (verify.json, the page's data)
telling it, for each published draw, which files to fetch, its commitment and sources, the policy
in force when its package was frozen (margin, quorum, revision cap) and the time-stamping
authorities whose tokens it needs, and, for each pinned authority, its chain file, its root's
SHA-256 fingerprint and the address where it publishes that root; and the sectors' Chinese names
(generator.records.kinds.SECTORS), which the page shows for a stratum's code.

verify.json is written by the same bureau as the files it lists, so the page takes nothing from it
that could make a draw pass: the drand chains and the spec's minimum margin are the page's own
(site/static/verify/table.js, generated from generator/draw/table.py), a margin below the floor
is raised to it, and a fingerprint that differs from the pinned chain's root is a failure.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.draw.evidence import Authority, Evidence
from generator.draw.policy import MIN_MARGIN_HOURS, DrawPolicy
from generator.records.kinds import SECTORS
from generator.records.model import Records
from generator.records.timing import source_time
from generator.site.output import Page
from generator.site.render import typeset
from generator.site.views import source_view, url_of

PAGE = "verify.html"


def import_map(site_dir: Path) -> dict[str, str]:
    """The page's inline import map and the CSP hash that lets exactly that text run."""
    text = (site_dir / "static" / "verify" / "importmap.json").read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return {"text": text, "csp": f"'sha256-{digest}'"}


def policy_view(policy: DrawPolicy | None) -> dict[str, int | None] | None:
    """The policy that judges one draw, as verify.json gives it."""
    if policy is None:
        return None
    return {"margin_hours": policy.margin_hours, "quorum": policy.quorum,
            "max_revisions": policy.max_revisions}


def authority_view(authority: Authority, authorities_folder: str) -> dict[str, str]:
    return {"name": authority.name, "chain": f"{authorities_folder}/{authority.id}.pem",
            "fingerprint": authority.fingerprint, "root_url": authority.root_url}


def verifier(records: Records, authorities: dict[str, Authority], authorities_folder: str,
             site_dir: Path, evidence: Mapping[str, Evidence]) -> Page:
    """verify.html, with verify.json beside it, for the draws published in `records`.
    `evidence`: each frozen plan's, as the plan pages use it (generator.draw.evidence
    .all_evidence), which says the policy and the authorities in force when it was frozen."""
    plans: dict[str, Any] = {}
    for plan in records.plans:
        folder = records.draws.get(plan.id)
        if folder is None or folder.get("package.json") is None:
            continue
        declared = plan.draw.sources
        stored = folder.get("commitment.txt")
        judged = evidence.get(plan.id)
        plans[plan.id] = {
            "title": typeset(plan.title), "page": url_of(plan),
            "commitment": stored.data if stored else None,
            "files": sorted(folder.files),
            "sources": [{**source_view(s, declared[n].result_url if n < len(declared) else None),
                         "time": source_time(declared[n]) if n < len(declared) else None}
                        for n, s in enumerate(folder.get("package.json").data["sources"])],
            "policy": policy_view(judged.policy if judged else None),
            "authorities": list(judged.in_force) if judged else sorted(authorities),
        }
        if judged is not None and judged.delegated:
            # a higher bureau's draw: its own pinned chains, published under the plan
            plans[plan.id]["pins"] = {a.id: authority_view(a, f"{authorities_folder}/{plan.id}")
                                      for a in judged.authorities.values()}
    index = {
        "example": records.jurisdiction.example,
        "authorities": {a.id: authority_view(a, authorities_folder) for a in authorities.values()},
        "sectors": dict(SECTORS),  # words only: nothing a draw's verdict depends on
        "plans": plans,
    }
    return Page(PAGE, ("verify.html",), "核验抽取",
                {"import_map": import_map(site_dir), "plans": plans,
                 "min_margin_hours": MIN_MARGIN_HOURS}, index)
