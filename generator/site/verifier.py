"""The in-browser draw verifier: its page, and the index it reads (verify.json, the page's data) telling it,
for each published draw, which files to fetch, when each declared source became known and which
authority chains are pinned. The drand chain table comes from generator.draw.drand, so the page
checks rounds against the same pinned keys as `ssj check`."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from generator.draw.drand import CHAINS
from generator.draw.evidence import Authority
from generator.records.model import Records
from generator.records.timing import source_time
from generator.site.output import Page
from generator.site.views import source_view, url_of

PAGE = "verify.html"


def import_map(site_dir: Path) -> dict[str, str]:
    """The page's inline import map and the CSP hash that lets exactly that text run."""
    text = (site_dir / "static" / "verify" / "importmap.json").read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return {"text": text, "csp": f"'sha256-{digest}'"}


def verifier(records: Records, authorities: dict[str, Authority], authorities_folder: str,
             site_dir: Path) -> Page:
    """verify.html, with verify.json beside it, for the draws published in `records`."""
    plans: dict[str, Any] = {}
    for plan in records.plans:
        folder = records.draws.get(plan.id)
        if folder is None or folder.get("package.json") is None:
            continue
        declared = plan.draw.sources
        stored = folder.get("commitment.txt")
        plans[plan.id] = {
            "title": plan.title, "page": url_of(plan),
            "commitment": stored.data if stored else None,
            "files": sorted(folder.files),
            "sources": [{**source_view(s, declared[n].result_url if n < len(declared) else None),
                         "time": source_time(declared[n]) if n < len(declared) else None}
                        for n, s in enumerate(folder.get("package.json").data["sources"])],
        }
    index = {
        "example": records.jurisdiction.example,
        "margin_hours": records.policy.draw_margin_hours,
        "chains": {name: asdict(chain) for name, chain in CHAINS.items()},
        "authorities": {a.id: {"name": a.name, "chain": f"{authorities_folder}/{a.id}.pem"}
                        for a in authorities.values()},
        "plans": plans,
    }
    return Page(PAGE, ("verify.html",), "核验抽取",
                {"import_map": import_map(site_dir), "plans": plans}, index)
