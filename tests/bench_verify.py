"""Benchmark: the browser verifier (verify.html) on a large draw, in Debian's chromium, against
the Python tool on the same files. Prints numbers; asserts nothing.

Run: python -m tests.bench_verify [--targets 10000] [--teams 1000] [--inspectors 200]

The files are chosen in the page as a reader would (package, values, result and a real drand
quicknet round, so the BLS check is timed too); the page's own clock (main[data-seconds]) covers
every step from reading the files to the verdict.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from generator.draw.spec import draw, serialise
from tests.bench_draw import DEPARTMENTS, synthetic_package
from tests.browser import CHROMIUM_ARGS, chromium_path, serve_site
from tests.sitecheck import build_site, copy_example

ROUND = next(r for r in json.loads((Path(__file__).parent / "vectors" / "drand" / "rounds.json")
                                   .read_text()) if r["chain"] == "quicknet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=1_000)
    parser.add_argument("--inspectors", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    per_mille = args.teams * 1000 // args.targets
    package = synthetic_package(args.targets, args.inspectors, per_mille)
    package["sources"] = [{"kind": "drand", "chain": "quicknet", "round": ROUND["round"]}]
    values = [ROUND["randomness"]]
    start = time.perf_counter()
    result = serialise(draw(package, values))
    python_seconds = time.perf_counter() - start
    teams = len(json.loads(result)["teams"])
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_example(Path(tmp))
        built = build_site(root, root / "out")
        if built.exit_code:
            sys.exit(built.output)
        files = {"package.json": json.dumps(package, ensure_ascii=False, indent=1).encode(),
                 "values.json": json.dumps(values).encode(), "result.json": result,
                 f"drand-quicknet-{ROUND['round']}.json": json.dumps(ROUND).encode()}
        for name, content in files.items():
            (root / name).write_bytes(content)
        seconds = []
        with sync_playwright() as p, serve_site(root / "out") as served:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                page = browser.new_page()
                page.goto(served.url + "/verify.html")
                page.set_input_files("#files", [str(root / n) for n in files])
                page.wait_for_selector("main[data-verdict=pass], main[data-verdict=fail], "
                                       "main[data-verdict=incomplete]", timeout=600_000)
                verdict = page.get_attribute("main", "data-verdict")
                seconds.append(float(page.get_attribute("main", "data-seconds")))
                page.close()
            browser.close()
    print(f"draw: {args.targets} targets in {len(DEPARTMENTS)} strata, {teams} teams, "
          f"{args.inspectors} inspectors, package {len(files['package.json']) // 1024} KiB")
    print(f"browser verifier (chromium): verdict {verdict}; "
          f"{', '.join(f'{s:.2f}' for s in seconds)} s (median {sorted(seconds)[len(seconds) // 2]:.2f} s)")
    print(f"python tool, same draw: {python_seconds:.2f} s")


if __name__ == "__main__":
    main()
