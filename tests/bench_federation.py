"""Benchmark: a federation of 100 county-size members, as `ssj federate` runs it every three
hours. Prints numbers; asserts nothing (timed tests are flaky; README quotes these).

One synthetic county (`ssj example --scale county`) is built once and served on 127.0.0.1 under
100 paths, each with its own division code in its manifest, so every member is fetched,
verified and shown separately. Measured, each as its own `ssj` process:
  cold fetch (empty mirror), warm fetch (nothing changed: one 304 per member), verify (all
  cores), build (the oversight site);
the goal is a run with nothing changed (warm fetch, then build, which verifies) under 60 s on
2 cores. Work goes to a tmpfs (/dev/shm)
where there is one: the disk here varies several-fold from minute to minute.

    python tests/bench_federation.py [--members 100] [--keep DIR]
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = 2_800  # county-level justice bureaus in China, about


def ssj(*args: str | Path, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-P", "-m", "generator", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "SSJ_CACHE": "0"})
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1, 3):  # verify's 1 and 3 are verdicts, not failures
        sys.exit(f"ssj {' '.join(map(str, args))} failed ({done.returncode}):\n"
                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, done


def code_of(n: int) -> str:
    return f"{219000 + n:06d}"


def handler(site: Path):  # type: ignore[no-untyped-def]
    """Serve `site` under /m<n>/ for every member, the manifest naming that member's code."""
    manifest = json.loads((site / "data" / "manifest.json").read_bytes())

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def translate_path(self, path: str) -> str:
            _, member, rest = path.split("/", 2)
            return super().translate_path("/" + rest)

        def do_GET(self) -> None:
            parts = self.path.split("/", 2)
            if len(parts) == 3 and parts[2] == "data/manifest.json":
                own = {**manifest, "site": {**manifest["site"],
                                            "division_code": code_of(int(parts[1][1:]))}}
                body = (json.dumps(own, ensure_ascii=False, indent=1, sort_keys=True)
                        + "\n").encode()
                etag = f'"{hash(body) & 0xffffffff:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    return functools.partial(Handler, directory=str(site))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a tmpfs)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="ssj-federation-",
                                              dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    base.mkdir(parents=True, exist_ok=True)
    try:
        run(base, args.members)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


def run(base: Path, members: int) -> None:
    county = base / "county"
    seconds, _ = ssj("example", "--scale", "county", "--out", county / "records", cwd=ROOT)
    print(f"county records written in {seconds:.1f} s")
    seconds, _ = ssj("build", "--records", county / "records", "--site", ROOT / "site",
                     "--out", county / "site", cwd=ROOT)
    files = sum(1 for p in (county / "site").rglob("*") if p.is_file())
    print(f"county site built in {seconds:.1f} s: {files} files")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(county / "site"))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    fed = base / "federation"
    ssj("federate", "init", fed, "--name", "基准测试市司法局", "--division-code", "219000",
        "--requirement", "ssj @ git+https://example.invalid/ssj.git@" + "0" * 40, cwd=base)
    (fed / "members.yaml").write_text("members:\n" + "".join(
        f'  - id: m{n}\n    name: 基准测试县{n}司法局\n    division_code: "{code_of(n)}"\n'
        f"    url: {url}/m{n}/\n" for n in range(1, members + 1)), encoding="utf-8")
    timings = {}
    for phase, command in (("cold fetch", ("federate", "fetch")),
                           ("warm fetch", ("federate", "fetch")),
                           ("verify", ("federate", "verify", "--format", "json")),
                           ("build", ("federate", "build", "--out", base / "oversight"))):
        timings[phase], done = ssj(*command, cwd=fed)
        print(f"{phase:<11}{timings[phase]:7.1f} s   {timings[phase] / members * 1000:7.0f} ms/member")
    server.shutdown()
    mirrored = sum(p.stat().st_size for p in (fed / "mirror").rglob("*") if p.is_file())
    # the workflow runs fetch, then build (which verifies); verify alone is shown above
    steady = timings["warm fetch"] + timings["build"]
    print(f"\nmirror: {mirrored / 2**20:.1f} MB for {members} members (objects shared by "
          "members are stored once)")
    print(f"a run with nothing changed, as the workflow runs it (warm fetch + build, which "
          f"verifies): {steady:.1f} s (goal: under 60 s on 2 cores) = "
          f"{steady / members * 1000:.0f} ms per member")
    print(f"national estimate, {COUNTIES:,} county-level bureaus: {steady / members * COUNTIES:.0f} s "
          f"per run on this machine ({os.cpu_count()} cores); cold: "
          f"{timings['cold fetch'] / members * COUNTIES / 60:.0f} min of fetching, "
          f"{mirrored / members * COUNTIES / 2**30:.1f} GB of mirror")


if __name__ == "__main__":
    main()
