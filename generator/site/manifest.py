"""data/manifest.json: every file a build published, with its SHA-256 and size, and each
published draw's commitment and first random source, so that a higher bureau's mirror fetches
only what changed and its witness knows what to look for. Same records, same bytes."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from generator.draw.spec import source_label
from generator.records.model import Records
from generator.records.timing import package_source_times, plan_source_times
from generator.site import urls

FORMAT = "ssj-manifest/1"
PATH = urls.MANIFEST
_DRAWS = urls.DRAWS_FOLDER + "/"


def manifest(records: Records, site: dict[str, Any], revision: str, built_on: dt.date,
             files: Mapping[str, tuple[str, int]]) -> bytes:
    """The manifest of a site whose files are `files` (path -> (sha256 hex, size)); `site`:
    name, division_code and base_url. The draws are the plans with files under draws/."""
    folders: dict[str, list[str]] = {}
    for path in sorted(files):
        if path.startswith(_DRAWS):
            folders.setdefault(path.split("/")[1], []).append(path)
    document = {
        "format": FORMAT,
        "site": site,
        "revision": revision,
        "built_on": built_on.isoformat(),
        "files": [{"path": path, "sha256": files[path][0], "size": files[path][1]}
                  for path in sorted(files)],
        "draws": [_draw(records, plan, paths) for plan, paths in sorted(folders.items())],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _draw(records: Records, plan_id: str, paths: list[str]) -> dict[str, Any]:
    folder = records.draws[plan_id]
    package, stored = folder.get("package.json"), folder.get("commitment.txt")
    prefix = f"{_DRAWS}{plan_id}/"
    return {
        "plan": plan_id,
        # what `ssj check` holds equal to the package's SHA-256 before any build runs
        "commitment": stored.data if package is not None and stored is not None else None,
        "first_source": _first_source(records, plan_id, package.data if package else None),
        "package": prefix + "package.json" if package is not None else None,
        "tokens": [p for p in paths if p.startswith(prefix + "timestamp-") and p.endswith(".tsr")],
        "files": paths,
    }


def _first_source(records: Records, plan_id: str,
                  package: dict[str, Any] | None) -> dict[str, str | None]:
    """The source the draw waits for first, as ssj's evidence judges it: the plan's declared
    times, or a higher bureau's package's. The time is null where it is not known exactly
    (no package; a lottery in a package, which holds its day but not its hour)."""
    if package is None:
        return {"label": None, "time": None}
    plan = records.get(plan_id, ("plan",))
    delegated = plan is None or plan.draw.get("delegated") is not None
    # an own plan's sources are its package's, in order (ssj check holds them equal)
    times = package_source_times(package) if delegated else plan_source_times(plan)
    if not times:
        return {"label": None, "time": None}
    first = times.index(min(times))
    source = package["sources"][first]
    # a package's lottery gives the start of its day, the earliest it can be known: not a time
    exact = not delegated or source.get("kind") == "drand"
    return {"label": source_label(source), "time": dt.datetime.fromtimestamp(
        times[first], dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if exact else None}
