"""Benchmark: an ssj-draw/1 draw over a large synthetic pool. Prints numbers; asserts nothing.

Run: python tests/bench_draw.py [--targets 100000] [--inspectors 10000] [--per-mille 5]

Cost grows with targets x weight (ranking) and with selected targets x inspectors (each team
ranks every eligible inspector at the lowest load), so the selected share matters most.
The pool is deterministic (a fixed pseudo-random generator), so runs are comparable.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import random
import time
from collections import Counter
from typing import Any, Callable

from generator.draw import spec
from generator.draw.spec import commitment, draw, serialise, validate_package

DEPARTMENTS = ("律师工作股", "公共法律服务管理股", "基层工作股", "法治督察股", "执法监督股")


def synthetic_package(targets: int, inspectors: int, per_mille: int) -> dict:
    rng = random.Random(20240416)
    strata = []
    per = targets // len(DEPARTMENTS)
    for n, department in enumerate(DEPARTMENTS):
        ids = sorted(f"{n}{i:07d}" for i in range(per))
        strata.append({"id": f"stratum-{n}", "k": max(1, per * per_mille // 1000),
                       "lead_department": department, "min_lead": 1,
                       "targets": [{"id": t, "weight": rng.choice((1, 1, 1, 2, 3))} for t in ids]})
    people = [{"id": f"i{i:06d}", "department": DEPARTMENTS[i % len(DEPARTMENTS)]}
              for i in range(inspectors)]
    exclusions = sorted({(rng.choice(s["targets"])["id"], rng.choice(people)["id"])
                         for s in strata for _ in range(200)})
    return {"spec": "ssj-draw/1", "plan": "bench", "as_of": "2026-01-01", "team_size": 2,
            "sources": [{"kind": "drand", "chain": "quicknet", "round": 1}], "strata": strata,
            "inspectors": people,
            "exclusions": [{"target": t, "inspector": i, "reason": "recent"} for t, i in exclusions]}


def timed(name: str, seconds: Counter[str], fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, adding its wall time to seconds[name] (about a microsecond per call)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[name] += time.perf_counter() - start
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=10_000)
    parser.add_argument("--per-mille", type=int, default=5,
                        help="share of each stratum selected, in thousandths")
    args = parser.parse_args()
    package = synthetic_package(args.targets, args.inspectors, args.per_mille)
    values = [hashlib.sha256(b"bench").hexdigest()]
    start = time.perf_counter()
    validate_package(package)
    commitment(package)
    checked = time.perf_counter()
    seconds: Counter[str] = Counter()
    rank_targets, build_team = spec._rank_targets, spec._build_team
    spec._rank_targets = timed("targets", seconds, rank_targets)  # type: ignore[assignment]
    spec._build_team = timed("teams", seconds, build_team)  # type: ignore[assignment]
    cpu = time.process_time()
    try:
        result = draw(package, values)
    finally:
        spec._rank_targets, spec._build_team = rank_targets, build_team
    cpu = time.process_time() - cpu
    drawn = time.perf_counter()
    size = len(serialise(result))
    selected = sum(s["k"] for s in package["strata"])
    print(f"pool: {args.targets} targets in {len(package['strata'])} strata, {args.inspectors} "
          f"inspectors, {len(package['exclusions'])} exclusions; per-mille {args.per_mille}: "
          f"{selected} selected, {len(result['teams'])} teams of {package['team_size']}")
    print(f"validate+commit: {checked - start:.2f} s; draw (validation included): "
          f"{drawn - checked:.2f} s ({cpu:.2f} s CPU; ranking targets {seconds['targets']:.2f} s, "
          f"building teams {seconds['teams']:.2f} s); result {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
