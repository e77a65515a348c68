"""Benchmark: load and check the bundled example county. Prints numbers; asserts nothing.

Run: python tests/bench_check.py [--records DIR] [--repeat N]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from generator.checks.run import check_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=Path, default=Path(__file__).parent.parent / "records")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = check_records(args.records)
        timings.append(time.perf_counter() - start)
    files = sum(result.records.counts().values()) + 1
    print(f"records: {files} files, {result.errors} errors, {result.warnings} warnings")
    print(f"load+check: median {statistics.median(timings) * 1000:.1f} ms, "
          f"min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
          f"over {args.repeat} runs")


if __name__ == "__main__":
    main()
