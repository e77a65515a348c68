"""Benchmark: build the bundled example county's site N times. Prints numbers; asserts nothing.

Each run builds into a fresh folder (every file written); a final no-change rebuild into the
last folder shows the cost of load + check + render when nothing needs writing.

Run: python tests/bench_build.py [--records DIR] [--site DIR] [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from generator.checks.run import check_loaded
from generator.records.load import load_records
from generator.site.build import BuildResult, build, read_source
from generator.site.renderpass import default_jobs

ROOT = Path(__file__).resolve().parent.parent


def build_once(records: Path, site: Path, out: Path, state: Path) -> BuildResult:
    """What `ssj build` does: read, check as of the site's day, build (incrementally by `state`)."""
    source = read_source(records)
    loaded, problems = load_records(records)
    return build(check_loaded(loaded, problems, source.day), site, out, source,
                 jobs=default_jobs(), state_file=state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=Path, default=ROOT / "records")
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("SSJ_SOURCE_REVISION", "bench")  # no git call per build
    timings = []
    with tempfile.TemporaryDirectory(prefix="ssj-bench-") as tmp:
        for n in range(args.repeat):
            out = Path(tmp) / f"site{n}"
            start = time.perf_counter()
            result = build_once(args.records, args.site, out, Path(tmp) / f"state{n}.json")
            timings.append(time.perf_counter() - start)
            print(f"run {n + 1}: {result.pages} pages, {result.files} files, "
                  f"{result.written} written, {timings[-1]:.3f} s, "
                  f"{result.pages / timings[-1]:.0f} pages/s")
        start = time.perf_counter()
        again = build_once(args.records, args.site, out, Path(tmp) / f"state{n}.json")
        rebuild = time.perf_counter() - start
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    median = statistics.median(timings)
    print(f"site: {result.pages} pages, {result.files} files, {size / 1024:.0f} KiB")
    print(f"full build: median {median:.3f} s, min {min(timings):.3f} s, "
          f"max {max(timings):.3f} s over {args.repeat} runs; "
          f"{result.pages / median:.0f} pages/s, {result.files / median:.0f} files/s")
    print(f"no-change rebuild: {rebuild:.3f} s, {again.written} written, {again.removed} removed")


if __name__ == "__main__":
    main()
