"""Re-verifying every member's draws from its mirrored files alone, trusting none of them, and
auditing its published records across runs.

For each draw in a member's last good manifest: "commitment", "rounds" and "result" (the
standalone verification of the draw's files, generator.draw.standalone), "tokens" (each token
against the chain the member publishes, whose root must be one members.yaml lists for it),
"timing" (the earliest such token the margin before the first source), "witness" (the
federation's own log saw the commitment the federation's margin before the first source), and
"delegated" for a plan drawn by a higher bureau. Each is "pass", "fail" or "incomplete" with one
line of Chinese.

The records audit keeps, per member, mirror/members/<code>/published.json: every record id of
the audited open data with the SHA-256 of its canonical JSON and the day it was first seen.
Entries are only ever added; a record whose JSON changed or that vanished (its data file gone or
unreadable included) is a rewrite, every run after. A record corrected through the site's own
amendments is flagged too when its published JSON changed: the ledger cannot tell a disclosed
correction from a silent one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.draw.evidence import duration, fingerprint
from generator.draw.policy import MIN_MARGIN_HOURS
from generator.draw.spec import source_label
from generator.draw.standalone import (FAIL, INCOMPLETE, PASS, Names, Outcome, Step,
                                       verify_files, worst)
from generator.draw.table import (CHAIN_FILE, COMMITMENT_FILE, RESULT_FILE, ROUND_FILE_PATTERN,
                                  TOKEN_FILE_PATTERN, VALUES_FILE, say)
from generator.draw.timestamp import TimestampError, load_chain, verify_stamp
from generator.federation.config import Federation, Member
from generator.federation.mirror import (MANIFEST_PATH, Draw, Flag, Manifest, last_good,
                                         object_path, read_state)
from generator.federation.witness import Entry, proven_sightings, run_digests
from generator.filewrite import write_changed
from generator.records.load import WITNESS_RUN
from generator.records.timing import BEIJING, package_source_times
from generator.site import urls
from generator.site.renderpass import default_jobs

FORMAT = "ssj-federation-verify/1"
MIRROR = "mirror"
LEDGER = "published.json"
AUDITED = {"plans": "抽查计划", "findings": "检查结果", "list-entries": "名录记录",
           "credit-notices": "信用公示"}  # data/<kind>.json -> what a clerk calls it

_Sightings = dict[tuple[str, str], tuple[Entry, dt.datetime | None]]


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str


@dataclass(frozen=True)
class DrawVerdict:
    plan: str
    commitment: str | None  # as the manifest publishes it
    checks: tuple[Check, ...]

    @property
    def status(self) -> str:
        return worst(check.status for check in self.checks)


@dataclass(frozen=True)
class Rewrite:
    kind: str  # plans, findings, list-entries, credit-notices
    id: str
    change: str  # "changed" or "removed"
    message: str


@dataclass(frozen=True)
class MemberVerdict:
    id: str
    name: str
    division_code: str
    fetch_status: str  # "updated", "unchanged", "kept-last-good", "never-fetched"
    last_good: str | None
    last_attempt: str | None
    flags: tuple[Flag, ...]
    revision: str | None  # the source revision of the manifest verified
    draws: tuple[DrawVerdict, ...]
    rewrites: tuple[Rewrite, ...]

    @property
    def status(self) -> str:
        # a site that could not be fetched whole is as the oversight site marks it: red
        if self.fetch_status == "never-fetched" or self.rewrites or self.flags:
            return FAIL
        return worst(draw.status for draw in self.draws)


@dataclass(frozen=True)
class _Task:
    """One member's work, as sent to a worker process."""

    mirror: Path
    member: Member
    members: tuple[Member, ...]
    margin_hours: int  # the federation's witness margin
    now: dt.datetime
    sightings: _Sightings
    federation: str = ""  # its division code: a run file naming it is one it wrote
    runs: Mapping[str, str] = field(default_factory=dict)  # its run files' SHA-256, by run


def verify_federation(root: Path, federation: Federation, now: dt.datetime,
                      jobs: int = 0) -> list[MemberVerdict]:
    """Every member's verdict, in members.yaml order, its draws by plan. Members run in
    parallel on `jobs` processes (0: every core; 1: in this process)."""
    sightings = proven_sightings(root, federation.authorities)  # verified once, here
    # every sighting to every member: a delegated draw is judged by the drawing member's
    runs = run_digests(root)
    tasks = [_Task(root / MIRROR, member, federation.members, federation.witness_margin_hours,
                   now, sightings, federation.division_code, runs)
             for member in federation.members]
    jobs = min(jobs or default_jobs(), len(tasks))
    if jobs <= 1:
        return [_verify_member(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_verify_member, tasks))


def _fetch_status(manifest: Manifest | None, last_good_at: str | None,
                  last_attempt: str | None, flags: tuple[Flag, ...]) -> str:
    """What the last fetch did, as fetch.MemberFetch says it, from the state it left."""
    if manifest is None:
        return "never-fetched"
    if flags:
        return "kept-last-good"
    return "updated" if last_attempt and last_good_at == last_attempt else "unchanged"


class _Site:
    """A member's published files as its last good manifest lists them, read from the mirror
    once for the whole verification (a fetch running meanwhile changes nothing here)."""

    def __init__(self, mirror: Path, manifest: Manifest) -> None:
        self.mirror, self.manifest = mirror, manifest

    def read(self, path: str) -> bytes | None:
        entry = self.manifest.files.get(path)
        if entry is None:
            return None
        try:
            return object_path(self.mirror, entry.sha256).read_bytes()
        except FileNotFoundError:
            return None

    def missing(self, path: str) -> str:
        """Why `read(path)` gave nothing, in words."""
        if path in self.manifest.files:
            return f"镜像中没有 {path}（清单列出了它，但见证机关未镜像该文件）"
        return f"该站没有公布 {path}"

    def json(self, path: str) -> Any:
        data = self.read(path)
        try:
            return None if data is None else json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def records(self, kind: str) -> dict[str, dict[str, Any]]:
        """The open data's records of `kind` by id; none if the file is gone or unreadable."""
        data = self.json(f"data/{kind}.json")
        items = data if isinstance(data, list) else []
        return {item["id"]: item for item in items
                if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _verify_member(task: _Task) -> MemberVerdict:
    member, code = task.member, task.member.division_code
    state = read_state(task.mirror, code)
    manifest = last_good(task.mirror, code)
    status = _fetch_status(manifest, state.last_good, state.last_attempt, state.flags)
    draws: list[DrawVerdict] = []
    rewrites: tuple[Rewrite, ...] = ()
    if manifest is not None:
        site = _Site(task.mirror, manifest)
        plans = site.records("plans")
        published = {draw.plan: draw for draw in manifest.draws}
        for plan in sorted(set(published) | {p for p in plans if _delegation(plans[p])}):
            draws.append(_verify_draw(task, site, plan, published.get(plan), plans.get(plan)))
        rewrites = _audit(task.mirror / "members" / code, site, task.now)
    return MemberVerdict(member.id, member.name, code, status, state.last_good,
                         state.last_attempt, state.flags,
                         manifest.revision if manifest else None, tuple(draws), rewrites)


def _delegation(plan: dict[str, Any]) -> dict[str, Any] | None:
    """A plan's draw.delegated (a higher bureau drew it), if it is readable."""
    draw = plan.get("draw")
    delegated = draw.get("delegated") if isinstance(draw, dict) else None
    return delegated if isinstance(delegated, dict) else None


def _delegate(task: _Task, url: Any) -> Member | None:
    """The other member whose site publishes `url`: the longest site address it starts with."""
    if not isinstance(url, str):
        return None
    owners = [m for m in task.members if m != task.member and url.startswith(m.url)]
    return max(owners, key=lambda m: len(m.url), default=None)


def _verify_draw(task: _Task, site: _Site, plan: str, draw: Draw | None,
                 record: dict[str, Any] | None) -> DrawVerdict:
    delegation = _delegation(record) if record else None
    delegate = _delegate(task, delegation.get("url")) if delegation else None
    checks: list[Check] = []
    outcome = None
    if draw is not None:
        outcome, package = _standalone(site, draw)
        checks += _file_checks(site, draw, outcome)
        # a higher bureau's draw: judged by its pins and its sightings when it is a member
        judge = delegate if delegation else task.member
        computed = outcome.commitment if outcome else None
        tokens, earliest = _tokens(site, draw, computed, judge, bool(delegation))
        first = _first_source(package) if computed else None
        checks.append(tokens)
        checks.append(_timing(task, site, plan, earliest, first))
        checks.append(_forged(task, site, draw)
                      or _witness(task, judge, draw, first, bool(delegation)))
    if delegation is not None:
        checks.append(_delegated(task, delegation, delegate,
                                 outcome.commitment if outcome else None))
    return DrawVerdict(plan, draw.commitment if draw else None, tuple(checks))


def _standalone(site: _Site, draw: Draw) -> tuple[Outcome | None, Any]:
    """The draw's files through generator.draw.standalone, and its package's JSON."""
    folder = f"draws/{draw.plan}/"
    package = site.read(draw.package) if draw.package else None
    if package is None:
        return None, None

    def read(name: str) -> bytes | None:
        return site.read(folder + name) if folder + name in draw.files else None

    rounds = {path: data for path in draw.files
              if re.fullmatch(ROUND_FILE_PATTERN, PurePosixPath(path).name)
              and (data := site.read(path)) is not None}
    outcome = verify_files(package, read(VALUES_FILE), result=read(RESULT_FILE),
                           commitment_file=read(COMMITMENT_FILE), rounds=rounds,
                           names=Names(draw.package, folder + VALUES_FILE, folder + RESULT_FILE,
                                       folder + COMMITMENT_FILE))
    return outcome, site.json(draw.package)


def _summary(name: str, steps: list[Step], passed: str | None = None) -> Check:
    """One check from its steps: the first failure, else the first gap, else `passed` (the
    last step's words without it)."""
    for status in (FAIL, INCOMPLETE):
        found = next((step for step in steps if step.status == status), None)
        if found is not None:
            return Check(name, status, found.message)
    return Check(name, PASS, steps[-1].message if passed is None else passed)


def _file_checks(site: _Site, draw: Draw, outcome: Outcome | None) -> list[Check]:
    if outcome is None:
        why = (say("package_missing", file=draw.package) if draw.package is None
               else site.missing(draw.package))
        return [Check(name, INCOMPLETE, why) for name in ("commitment", "rounds", "result")]
    claimed_file = f"draws/{draw.plan}/{COMMITMENT_FILE}"
    commitment = outcome.of("package", "commitment")
    if outcome.commitment is not None and draw.commitment != outcome.commitment:
        commitment.append(Step("commitment", FAIL, say(
            "commitment_mismatch", where=MANIFEST_PATH, claimed=draw.commitment or "（未公布）",
            computed=outcome.commitment)))
    elif not outcome.of("commitment"):
        commitment.append(Step("commitment", INCOMPLETE, site.missing(claimed_file)))
    verified = sum(1 for step in outcome.of("source") if step.status == PASS)
    return [
        _summary("commitment", commitment,
                 say("commitment_same", where=f"{claimed_file}、{MANIFEST_PATH}")),
        _summary("rounds", outcome.of("values", "round-file", "source"),
                 say("values_verified", count=verified)),
        _summary("result", outcome.of("result")),
    ]


def _tokens(site: _Site, draw: Draw, commitment: str | None, judge: Member | None,
            delegated: bool) -> tuple[Check, dt.datetime | None]:
    """The tokens check, and the earliest genTime of a token that counts: verified, from a
    root members.yaml lists (from any verified token when it lists none)."""
    if commitment is None:
        return Check("tokens", INCOMPLETE, say("step_blocked")), None
    if not draw.tokens:
        return Check("tokens", FAIL, say("stamp_none")), None
    listed = judge.authorities if judge is not None else ()
    pins = urls.pins(draw.plan if delegated else None)
    failed, gaps, times, listed_times = [], [], [], []
    for path in draw.tokens:
        named = re.fullmatch(TOKEN_FILE_PATTERN, PurePosixPath(path).name)
        token = site.read(path)
        if named is None or token is None:
            gaps.append(site.missing(path) if token is None
                        else f"{path}：文件名不是 timestamp-<机构编号>.tsr，无法确定其时间戳机构")
            continue
        chain_path = f"{pins}/{CHAIN_FILE.replace('{authority}', named.group(1))}"
        pem = site.read(chain_path)
        if pem is None:
            gaps.append(f"{path}：" + (site.missing(chain_path) if chain_path in site.manifest.files
                                      else say("stamp_no_chain", file=chain_path)))
            continue
        try:
            chain = load_chain(pem)
            # verify_stamp ends its path at a self-signed pinned certificate: with one
            # certificate naming itself as issuer, that one is the root it used
            roots = [c for c in chain if c.subject == c.issuer]
            if len(roots) != 1:
                raise TimestampError(say("root_count", count=len(roots)))
            stamp = verify_stamp(token, commitment, chain)
        except TimestampError as e:
            failed.append(f"{path}：时间戳无效：{e}")
            continue
        root = fingerprint(roots[0])
        times.append(stamp.gen_time)
        if root in listed:
            listed_times.append(stamp.gen_time)
        elif listed:
            failed.append(f"{path}：根证书指纹 {root} 不在 members.yaml 为"
                          f"{judge.name}列出的时间戳机构中")
    earliest = min(listed_times if listed else times, default=None)
    if failed:
        return Check("tokens", FAIL, failed[0]), earliest
    if gaps:
        return Check("tokens", INCOMPLETE, gaps[0]), earliest
    if judge is None:
        return Check("tokens", INCOMPLETE, "上级机关不是本见证机关的成员，无法确认其应固定的时间戳机构"), \
            earliest
    if not listed:
        return Check("tokens", INCOMPLETE, "成员未列出应固定的时间戳机构，无法确认"), earliest
    return Check("tokens", PASS, f"{len(times)} 个时间戳有效，针对的正是该承诺值，根证书均是 "
                                 f"members.yaml 为{judge.name}列出的时间戳机构"), earliest


def _first_source(package: Any) -> tuple[int, str] | None:
    """When the package's first source becomes known (Unix time) and its label; a lottery
    counts from the start of its day, as for a higher bureau's package (the hour is not in
    it). None when the package cannot say."""
    sources = package.get("sources") if isinstance(package, dict) else None
    try:
        times = package_source_times(package) if isinstance(sources, list) else None
    except (KeyError, TypeError, ValueError):
        return None
    if not times:
        return None
    first = times.index(min(times))
    return times[first], source_label(sources[first])


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M 北京时间")


def _timing(task: _Task, site: _Site, plan: str, earliest: dt.datetime | None,
            first: tuple[int, str] | None) -> Check:
    if first is None:
        return Check("timing", INCOMPLETE, say("stamp_no_source_time"))
    if earliest is None:
        return Check("timing", INCOMPLETE, "没有可信的有效时间戳，无法判断抽取包是否按时冻结")
    # the policy in force for this draw, as the plan's page data publishes it
    page = site.json(urls.json_beside(urls.record("plan", plan)))
    drawing = page.get("drawing") if isinstance(page, dict) else None
    published = drawing.get("margin_hours") if isinstance(drawing, dict) else None
    if type(published) is int:
        margin, which = max(published, MIN_MARGIN_HOURS), "按该局公布的时限"
    else:
        margin, which = task.margin_hours, "该局未公布时限，按见证机关的时限"
    lead = first[0] - earliest.timestamp()
    words = (say("stamp_on_time", lead=duration(lead), margin=margin) if lead >= margin * 3600
             else say("stamp_too_late", relation="只早于" if lead >= 0 else "晚于",
                      lead=duration(lead), margin=margin))
    status = PASS if lead >= margin * 3600 else FAIL
    return Check("timing", status, f"最早的时间戳 {_when(earliest.timestamp())}：{words}（{which}）")


def _witness(task: _Task, judge: Member | None, draw: Draw, first: tuple[int, str] | None,
             delegated: bool) -> Check:
    if judge is None:
        return Check("witness", INCOMPLETE, "上级机关不是本见证机关的成员，其公开时间由其网站与见证证明")
    if draw.commitment is None or first is None:
        return Check("witness", INCOMPLETE, say("stamp_no_source_time") if draw.commitment
                     else "该站没有公布承诺值，无从见证")
    where = f"（{judge.name}网站）" if delegated else ""
    seen = task.sightings.get((judge.division_code, draw.commitment))
    margin = task.margin_hours
    if seen is None:
        if RESULT_FILE in {PurePosixPath(path).name for path in draw.files}:
            return Check("witness", FAIL, f"抽取前见证机关从未看到该承诺值{where}：公开晚/未经见证")
        return Check("witness", INCOMPLETE, f"见证机关尚未看到该承诺值{where}")
    entry, proven = seen
    when = proven or entry.first_seen
    deadline = first[0] - margin * 3600
    if when.timestamp() > deadline:
        return Check("witness", FAIL, (
            f"见证机关首次看到承诺值{where}（{_when(when.timestamp())}，记录 {entry.run}）晚于"
            f"首个随机源（{first[1]}，{_when(first[0])}）前 {margin} 小时：公开晚/未经见证"))
    lead = duration(first[0] - when.timestamp())
    if proven is None:
        return Check("witness", INCOMPLETE, (
            f"见证记录 {entry.run} 称于 {_when(when.timestamp())} 首次看到承诺值{where}，早于首个随机源 "
            f"{lead}，但没有时间戳证明这次记录的时间"))
    return Check("witness", PASS, (
        f"见证机关于 {_when(when.timestamp())} 首次看到承诺值{where}（记录 {entry.run}，有时间戳证明），"
        f"早于首个随机源（{first[1]}）{lead}，不少于 {margin} 小时"))


def _forged(task: _Task, site: _Site, draw: Draw) -> Check | None:
    """A record the member publishes as this witness's (draws/<plan>/witness-*/run.json naming
    this federation) that is not byte for byte a run file this federation wrote: a token proves
    when such a file existed, not who wrote it, so only the witness itself can catch this."""
    for path in draw.files:
        if not re.fullmatch(rf"draws/[^/]+/witness-[^/]+/{WITNESS_RUN}", path):
            continue
        data, claimed = site.read(path), site.json(path)
        if not isinstance(claimed, dict) or claimed.get("federation") != task.federation:
            continue
        run = claimed.get("run")
        if data is None or task.runs.get(run if isinstance(run, str) else "") \
                != hashlib.sha256(data).hexdigest():
            return Check("witness", FAIL, (
                f"该站公布的 {path} 以本见证机关的名义写成，却不是本机关的见证记录"
                f"{f'（{run}）' if isinstance(run, str) else ''}：冒称见证"))
    return None


def _delegated(task: _Task, delegation: dict[str, Any], delegate: Member | None,
               computed: str | None) -> Check:
    declared, url = delegation.get("commitment"), delegation.get("url")
    if computed is not None and computed != declared:
        return Check("delegated", FAIL, f"计划声明的上级抽取承诺值 {declared} 与本站公布的抽取包"
                                        f"（承诺值 {computed}）不符")
    if delegate is None:
        return Check("delegated", INCOMPLETE, f"上级机关（{url}）不是本见证机关的成员，无法比对其抽取承诺值")
    manifest = last_good(task.mirror, delegate.division_code)
    if manifest is None:
        return Check("delegated", INCOMPLETE, f"尚未镜像{delegate.name}的网站，无法比对其抽取承诺值")
    plans = [plan for plan, commitment in manifest.commitments if commitment == declared]
    if not plans:
        return Check("delegated", FAIL, f"计划声明的上级抽取承诺值 {declared} 不在{delegate.name}"
                                        "网站公布的抽取中")
    return Check("delegated", PASS, f"承诺值与{delegate.name}网站公布的计划 {plans[0]} 的抽取一致")


def _record_hash(record: dict[str, Any]) -> str:
    # canonical JSON as ssj-draw/1 writes it, without its value checks: any record can be hashed
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _audit(member_dir: Path, site: _Site, now: dt.datetime) -> tuple[Rewrite, ...]:
    """Compare the audited open data with the member's ledger, then add the ids never seen."""
    path = member_dir / LEDGER
    ledger: dict[str, dict[str, dict[str, str]]] = (
        json.loads(path.read_bytes()) if path.is_file() else {})
    day = now.astimezone(BEIJING).date().isoformat()
    rewrites, grown = [], False
    for kind, label in AUDITED.items():
        known = ledger.setdefault(kind, {})
        current = {rid: _record_hash(record) for rid, record in site.records(kind).items()}
        for rid in sorted(known):
            first = known[rid]["first_seen"]
            if rid not in current:
                rewrites.append(Rewrite(kind, rid, "removed", (
                    f"{label} {rid}（{first} 首次见到）已不再公布：公开的记录只能增加，不能删除")))
            elif current[rid] != known[rid]["sha256"]:
                rewrites.append(Rewrite(kind, rid, "changed", (
                    f"{label} {rid} 的公开内容与 {first} 首次见到的不同：已公开的记录被改写")))
        for rid in sorted(current.keys() - known.keys()):
            known[rid] = {"sha256": current[rid], "first_seen": day}
            grown = True
    if grown or not path.is_file():
        data = json.dumps(ledger, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_changed(member_dir, {LEDGER: data.encode()})
    return tuple(rewrites)


def as_json(verdicts: Iterable[MemberVerdict]) -> bytes:
    """The verdicts as deterministic JSON: the oversight site's data and
    `ssj federate verify --format json`."""
    members = [{
        "id": v.id, "name": v.name, "division_code": v.division_code, "status": v.status,
        "revision": v.revision,
        "fetch": {"status": v.fetch_status, "last_good": v.last_good,
                  "last_attempt": v.last_attempt,
                  "flags": [{"kind": f.kind, "path": f.path, "message": f.message}
                            for f in v.flags]},
        "draws": [{"plan": d.plan, "commitment": d.commitment, "status": d.status,
                   "checks": [{"name": c.name, "status": c.status, "message": c.message}
                              for c in d.checks]} for d in v.draws],
        "rewrites": [{"kind": r.kind, "id": r.id, "change": r.change, "message": r.message}
                     for r in v.rewrites],
    } for v in verdicts]
    text = json.dumps({"format": FORMAT, "members": members}, ensure_ascii=False, indent=1,
                      sort_keys=True)
    return (text + "\n").encode()
