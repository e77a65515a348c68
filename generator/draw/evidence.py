"""Commit before reveal: when a package provably existed, when it was published, and whether
both were early enough under the policy in force when it was frozen.

Two different facts, each needed (spec ssj-draw/1, rules around the algorithm):
- **Existed.** RFC 3161 tokens from the time-stamping authorities pinned in jurisdiction.yaml,
  each identified by its root's SHA-256 fingerprint. Every authority in force must give an
  on-time token, unless the policy names a quorum.
- **Published.** A token cannot show that the package was the only one: a bureau could stamp
  several candidates and publish the one it likes after the round. So the first-parent commit
  that put the package on main must be the margin early too, even when the token is on time.
  Outside witnesses (a higher bureau's mirror) prove publication to the public; git is the
  bureau's own record of it, and the first thing CI can hold it to.

A real bureau (`example: false`) gets errors; example data, frozen long after its rounds, gets
notices. A past failure stays an error until the bureau publishes an irregularity notice
(records/irregularities/) saying why; from then on it is a notice here and a red mark on the site.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import Certificate, NameOID

from generator.draw.gittime import FirstCommit, MainLine, first_commit, main_line
from generator.draw.policy import DrawPolicy, policy_on
from generator.draw.timestamp import Stamp, TimestampError, load_chain, verify_stamp
from generator.draw.witnessed import Pin, Sighting, sightings
from generator.records.model import Draw, Record, Records
from generator.records.problems import ERROR, NOTICE, WARNING, Problem
from generator.records.timing import BEIJING, package_source_times, plan_source_times

EXAMPLE_NOTE = "（示例数据，仅作提示）"
STAMP_HINT = "运行 ssj draw stamp 计划编号 向 jurisdiction.yaml 中的时间戳服务申请"
LATE_HINT = ("已经发生、无法补救的：在 records/irregularities/ 公布抽取异常说明写明原因（网站永久标红）；"
             "需要重新抽取的，新建修订计划并声明更晚的随机源")
# the problems an irregularity notice discloses, by rule: the kinds of notice that disclose it
# (a missed freeze brings a package frozen and published late, and no token in time)
DISCLOSED_BY = {
    "draw.timestamp-late": ("late-timestamp", "missed-freeze"),
    "draw.timestamp-missing": ("late-timestamp", "missed-freeze"),
    "draw.timestamp-quorum": ("late-timestamp", "missed-freeze"),
    "draw.publication-late": ("late-publication", "missed-freeze"),
    "draw.witness-late": ("late-publication", "missed-freeze"),
    "draw.commit-date": ("misdated-commit",),
    "draw.unfrozen": ("missed-freeze",),
    "draw.undrawn": ("late-draw",),
}


def fingerprint(cert: Certificate) -> str:
    """SHA-256 over the certificate's DER, lowercase hex: what identifies an authority."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def colon_hex(digest: str) -> str:
    """`AB:CD:…`, as `openssl x509 -noout -fingerprint -sha256` prints it."""
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)).upper()


@dataclass(frozen=True)
class Authority:
    """A pinned time-stamping authority: its record fields, its parsed chain, and its root's
    fingerprint (checked against the PEM)."""

    id: str
    name: str
    url: str
    pem: str
    chain: tuple[Certificate, ...]
    fingerprint: str  # 64 lowercase hex
    root_url: str
    since: dt.date | None = None

    @property
    def shown_fingerprint(self) -> str:
        return colon_hex(self.fingerprint)

    @property
    def root(self) -> Certificate:
        """The one self-signed certificate of the chain (pinned_authorities made sure)."""
        return next(c for c in self.chain if _self_signed(c))


def _self_signed(cert: Certificate) -> bool:
    try:
        # a damaged name raises here, not at parsing: cryptography reads fields lazily
        if cert.subject != cert.issuer:
            return False
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _common_name(cert: Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def pinned_authorities(records: Records) -> tuple[dict[str, Authority], list[Problem]]:
    """The authorities of jurisdiction.yaml whose chains parse and whose root is the one their
    fingerprint names; a problem for each that is not."""
    jurisdiction = records.jurisdiction
    return parse_authorities(jurisdiction, jurisdiction.fields.get("timestamp_authorities") or (),
                             "timestamp_authorities")


def delegated_authorities(plan: Record) -> tuple[dict[str, Authority], list[Problem]]:
    """The authorities a higher bureau pinned for the draw it made for `plan` (二（三））."""
    return parse_authorities(plan, plan.draw.delegated.get("authorities") or (),
                             "draw.delegated.authorities")


def witness_pins(records: Records) -> tuple[dict[str, Pin], list[Problem]]:
    """The witnesses of jurisdiction.yaml, each with the authorities pinned for it."""
    jurisdiction = records.jurisdiction
    pins, problems = {}, []
    for n, entry in enumerate(jurisdiction.fields.get("witnesses") or (), start=1):
        authorities, bad = parse_authorities(
            jurisdiction, entry.get("timestamp_authorities") or (),
            f"witnesses[{n}].timestamp_authorities")
        problems += bad
        pins[entry.id] = Pin(entry.id, entry.name, entry.division_code, entry.url, authorities)
    return pins, problems


def parse_authorities(record: Record, entries: tuple, where: str,  # tuple of Fields
                      ) -> tuple[dict[str, Authority], list[Problem]]:
    """The authorities pinned at `where` in `record` (jurisdiction.yaml, or a plan drawn by a
    higher bureau), each checked against the root its fingerprint names."""
    authorities: dict[str, Authority] = {}
    problems = []

    def refuse(path: str, message: str, hint: str) -> None:
        problems.append(Problem(record.file, record.line_of(path), "draw.timestamp-authority",
                                f"字段 {path}：{message}", hint, ERROR, path))

    for n, entry in enumerate(entries, start=1):
        path = f"{where}[{n}]"
        if entry.id in authorities:
            refuse(f"{path}.id", f"{entry.id} 重复", "每个时间戳机构一个编号")
            continue
        try:
            chain = load_chain(entry.chain.encode())
        except TimestampError as e:
            refuse(f"{path}.chain", str(e), "粘贴时间戳机构公布的 PEM 证书链")
            continue
        roots = [c for c in chain if _self_signed(c)]
        if len(roots) != 1:
            refuse(f"{path}.chain", f"应恰有一张自签名的根证书，实有 {len(roots)} 张",
                   "固定到时间戳机构的根证书为止，只放一条链")
            continue
        digest = fingerprint(roots[0])
        if entry.root_sha256.replace(":", "").lower() != digest:
            refuse(f"{path}.root_sha256",
                   f"与 chain 中根证书“{_common_name(roots[0])}”的 SHA-256 指纹 {colon_hex(digest)} 不符",
                   f"到 {entry.root_url} 核对时间戳机构公布的根证书；名称相同不等于是同一家机构")
            continue
        authorities[entry.id] = Authority(entry.id, entry.name, entry.url, entry.chain, chain,
                                          digest, entry.root_url, entry.get("since"))
    return authorities, problems


@dataclass(frozen=True)
class Token:
    """One verified token of a draw."""

    authority: str
    stamp: Stamp
    lead: int  # seconds from genTime to the first source (negative: after it)
    on_time: bool


@dataclass(frozen=True)
class Evidence:
    """What proves when one package existed and was published, judged by `policy`."""

    tokens: tuple[Token, ...]
    git: FirstCommit
    policy: DrawPolicy | None
    in_force: tuple[str, ...]  # authorities whose token this draw needs
    needed: int  # on-time tokens the rule requires
    first_source: int | None
    problems: tuple[Problem, ...]
    authorities: Mapping[str, Authority] = field(default_factory=dict)  # the ones it was judged by
    delegated: bool = False  # a higher bureau's draw, under that bureau's authorities
    witnessed: tuple[Sighting, ...] = ()  # outside witnesses' proven first sight of it

    @property
    def frozen_at(self) -> int | None:
        """The earliest proven time the package existed: a token's genTime, else git's date."""
        if self.tokens:
            return min(int(t.stamp.gen_time.timestamp()) for t in self.tokens)
        return self.git.time

    @property
    def on_time(self) -> tuple[str, ...]:
        return tuple(sorted({t.authority for t in self.tokens
                             if t.on_time and t.authority in self.in_force}))

    @property
    def proven(self) -> bool:
        """The tokens the rule requires, all on time."""
        return self.needed > 0 and len(self.on_time) >= self.needed

    def witnessed_on_time(self, sighting: Sighting) -> bool:
        return (self.first_source is not None and self.policy is not None
                and sighting.proven.timestamp() + self.policy.margin_hours * 3600
                <= self.first_source)

    @property
    def published_on_time(self) -> bool:
        return (self.git.time is not None and self.first_source is not None
                and self.policy is not None
                and self.git.time + self.policy.margin_hours * 3600 <= self.first_source)

    def rule(self) -> str:
        return self.policy.rule(len(self.in_force)) if self.policy else ""


def duration(seconds: float) -> str:
    """A lead or a delay in words: hours while short, days once long."""
    hours = abs(seconds) / 3600
    return f"{hours:.1f} 小时" if hours < 72 else f"{hours / 24:.1f} 天"


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M 北京时间")


def disclosure(records: Records, kinds: tuple[str, ...], plan: str | None = None,
               commit: str | None = None) -> Record | None:
    """The irregularity notice of one of `kinds` about `plan` (or `commit`), if the bureau
    published one."""
    for notice in records.irregularities:
        fields = notice.fields  # `notice.kind` is the record's kind; the notice's own is a field
        if fields["kind"] in kinds and (fields.get("plan") == plan if commit is None
                                       else fields.get("commit") == commit):
            return notice
    return None


def judged(records: Records, problem: Problem, plan: str | None,
           commit: str | None = None) -> Problem:
    """`problem` as it stands: a notice on example data, or once an irregularity notice
    discloses it; an error of a real bureau until then."""
    if problem.severity != ERROR:
        return problem
    if records.jurisdiction.example:
        return replace(problem, message=problem.message + EXAMPLE_NOTE, severity=NOTICE)
    notice = disclosure(records, DISCLOSED_BY.get(problem.rule, ()), plan, commit)
    if notice is None:
        return problem
    return replace(problem, message=f"{problem.message}；已公开说明（{notice.id}），网站标红公示",
                   hint="", severity=NOTICE)


def _policy_day(stamps: list[Stamp], git: FirstCommit, now: float) -> dt.date:
    """The day the package was frozen: its earliest token, else its commit, else today."""
    moment = min((s.gen_time.timestamp() for s in stamps), default=git.time or now)
    return dt.datetime.fromtimestamp(moment, BEIJING).date()


def package_evidence(records: Records, plan: Record, folder: Draw, commitment: str,
                     authorities: dict[str, Authority], drawn: bool, now: float,
                     line: MainLine, delegated: bool = False,
                     witnesses: Mapping[str, Pin] | None = None) -> Evidence:
    """Verify every token of `folder` and read git; problems say what is missing or late.
    `delegated`: a higher bureau's draw (二（三）): its sources are its package's, and when it
    was published is that bureau's record, not this county's git. `witnesses`: those pinned in
    jurisdiction.yaml, whose records of first seeing the commitment `folder` may hold."""
    package_file = folder.get("package.json").file
    if delegated:
        times = package_source_times(folder.get("package.json").data)
        git = FirstCommit(None, why_unknown="上级机关的抽取，公开时间以其网站与见证为准")
    else:
        times = plan_source_times(plan)
        git = first_commit(Path(package_file), line)
    if times is None:
        return Evidence((), git, None, (), 0, None, (), authorities, delegated)
    first = min(times)
    problems: list[Problem] = []

    def add(problem: Problem, commit: str | None = None) -> None:
        problems.append(judged(records, problem, plan.id, commit))

    checked: list[tuple[str, str, Stamp]] = []
    for authority_id, token in folder.stamps.items():
        authority = authorities.get(authority_id)
        if authority is None:
            pinned_at = (f"计划 {plan.id} 的 draw.delegated.authorities" if delegated
                         else "jurisdiction.yaml 的 timestamp_authorities")
            add(Problem(token.file, 1, "draw.timestamp",
                        f"时间戳机构 {authority_id} 未在 {pinned_at} 中固定",
                        "文件名 timestamp-<编号>.tsr 的编号须是已固定的时间戳机构"))
            continue
        try:
            checked.append((authority_id, token.file,
                            verify_stamp(token.raw, commitment, authority.chain)))
        except TimestampError as e:
            add(Problem(token.file, 1, "draw.timestamp", f"时间戳无效：{e}",
                        "删除此文件后重新运行 ssj draw stamp（随机源公布前）"))
    day = _policy_day([s for _, _, s in checked], git, now)
    policy = policy_on(records.policy, day)
    margin = policy.margin_hours * 3600
    tokens = [Token(a, s, int(first - s.gen_time.timestamp()),
                    s.gen_time.timestamp() + margin <= first) for a, _, s in checked]
    in_force = tuple(sorted(a.id for a in authorities.values()
                            if a.since is None or a.since <= day))
    needed = max(1, policy.required(len(in_force)))
    evidence = Evidence(tuple(tokens), git, policy, in_force, needed, first, (), authorities,
                        delegated)
    files = {a: f for a, f, _ in checked}
    names = {a.id: a.name for a in authorities.values()}
    on_time = evidence.on_time
    rule = evidence.rule() if in_force else "至少一家固定的时间戳机构给出按时的时间戳"
    for token in tokens:
        if token.on_time:
            continue
        message = (f"时间戳时间 {token.stamp.gen_time:%Y-%m-%d %H:%M:%S} UTC 晚于规定：须在首个随机源"
                   f"公布前 {policy.margin_hours} 小时，差 {duration(margin - token.lead)}")
        if evidence.proven:  # the rule is met without it: a later retry adds nothing
            problems.append(Problem(files[token.authority], 1, "draw.timestamp-late",
                                    message + "；按规则已有足够的按时时间戳", "", NOTICE))
        elif not on_time:
            add(Problem(files[token.authority], 1, "draw.timestamp-late", message, LATE_HINT))
    still_time = not drawn and now + margin <= first
    refused = any(p.rule == "draw.timestamp" for p in problems)  # a bad token says so itself
    # short of the rule: said here unless each late token or each refused one said it above
    if not evidence.proven and (on_time if tokens else not refused):
        missing = [names.get(a, a) for a in in_force if a not in on_time]
        if still_time:
            problems.append(Problem(package_file, 1, "draw.timestamp-missing",
                                    f"尚未取得足够的可信时间戳（规则：{rule}；还缺 {'、'.join(missing) or '一家'}）",
                                    STAMP_HINT, WARNING))
        elif not tokens:
            add(Problem(package_file, 1, "draw.timestamp-missing",
                        f"没有可信时间戳证明抽取包在随机源公布前已冻结（规则：{rule}）", LATE_HINT))
        else:
            add(Problem(package_file, 1, "draw.timestamp-quorum",
                        f"按时的可信时间戳不够：规则是{rule}，按时的只有 "
                        f"{'、'.join(names.get(a, a) for a in on_time)}，缺少 {'、'.join(missing)}",
                        LATE_HINT))

    if delegated:
        pass  # its publication is the higher bureau's to prove (its site and witnesses)
    elif git.pending:
        if not still_time:
            add(Problem(package_file, 1, "draw.publication-late",
                        "抽取包尚未提交到 git 主分支，而随机源公布前的公开期限已过", LATE_HINT))
        else:
            problems.append(Problem(package_file, 1, "draw.publication-late",
                                    "抽取包尚未提交到 git", "提交并发起合并请求，在期限前合并到主分支",
                                    WARNING))
    elif git.time is None:
        add(Problem(package_file, 1, "draw.publication-late",
                    f"{git.why_unknown}（抽取包在主分支上的公开时间是抽取的证据之一）",
                    "在完整的 git 仓库中运行；CI 检出时用 fetch-depth: 0"))
    else:
        if git.dated is not None:
            add(Problem(package_file, 1, "draw.commit-date",
                        f"提交 {git.commit[:12]} 的时间 {_when(git.dated)} 早于主分支上在它之前的提交，"
                        f"提交时间系手工填写，不能作为证据；按它之前最晚的提交，抽取包最早于 "
                        f"{_when(git.time)} 公开", LATE_HINT), git.commit)
        if not evidence.published_on_time:
            add(Problem(package_file, 1, "draw.publication-late",
                        f"抽取包在主分支首次公开（提交 {git.commit[:12]}，{_when(git.time)}）晚于规定："
                        f"须在首个随机源公布（{_when(first)}）前 {policy.margin_hours} 小时，差 "
                        f"{duration(git.time + margin - first)}。时间戳只能证明抽取包当时已存在，"
                        "不能证明它是唯一的：私下冻结、事后才公开的抽取包可能是几个候选之一",
                        LATE_HINT))
    seen, refused = sightings(folder, records.jurisdiction.division_code, commitment,
                              witnesses or {})
    problems += refused
    evidence = replace(evidence, witnessed=tuple(seen))
    for sighting in seen:
        if not evidence.witnessed_on_time(sighting):
            add(Problem(sighting.run_file, 1, "draw.witness-late",
                        f"{sighting.witness.name}首次看到承诺值（时间戳证明不晚于 "
                        f"{_when(sighting.proven.timestamp())}）晚于规定：须在首个随机源公布"
                        f"（{_when(first)}）前 {policy.margin_hours} 小时，差 "
                        f"{duration(sighting.proven.timestamp() + margin - first)}；"
                        "外部见证表明抽取包公开得晚", LATE_HINT))
    return replace(evidence, problems=tuple(problems))


def misdated_commits(records: Records, line: MainLine, where: str) -> list[Problem]:
    """One problem for each main-line commit dated after now: wrong, whatever it holds."""
    return [judged(records, Problem(where, 1, "draw.commit-date",
                                    f"主分支上的提交 {commit[:12]} 的时间 {_when(line.dated[commit])} "
                                    "晚于现在，提交时间有误；它不作为任何抽取的证据", LATE_HINT),
                   None, commit)
            for commit in line.future]


def all_evidence(records: Records, authorities: dict[str, Authority],
                 now: float) -> dict[str, Evidence]:
    """The evidence of every frozen package whose commitment is stored, by plan: what the site
    shows beside each draw (ssj check reports the problems)."""
    line = main_line(Path(records.root), now)
    witnesses, _ = witness_pins(records)  # `ssj check` reports a witness pinned wrongly
    out = {}
    for plan_id, folder in records.draws.items():
        plan = records.get(plan_id, ("plan",))
        stored = folder.get("commitment.txt")
        if plan is None or folder.get("package.json") is None or stored is None:
            continue
        delegated = plan.draw.get("delegated") is not None
        judged_by = delegated_authorities(plan)[0] if delegated else authorities
        out[plan_id] = package_evidence(records, plan, folder, stored.data, judged_by,
                                        folder.get("result.json") is not None, now, line,
                                        delegated, witnesses)
    return out
