"""Commit before reveal: when a package provably existed, and whether that was early enough.

The proof is a clock the bureau does not control: RFC 3161 tokens from the time-stamping
authorities pinned in jurisdiction.yaml, each over the package's commitment. Git history is a
second signal only (commit dates are typed by whoever commits). A real bureau (`example: false`)
must have both; example data gets notices instead, since its packages were frozen long after
the rounds they declare.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.x509 import Certificate

from generator.draw.gittime import FirstCommit, first_commit
from generator.draw.timestamp import Stamp, TimestampError, load_chain, verify_stamp
from generator.records.model import Draw, Record, Records
from generator.records.problems import ERROR, NOTICE, WARNING, Problem
from generator.records.timing import plan_source_times

EXAMPLE_NOTE = "（示例数据，仅作提示）"
STAMP_HINT = "运行 ssj draw stamp 计划编号 向 jurisdiction.yaml 中的时间戳服务申请"
LATE_HINT = "随机源须在抽取包冻结之后才产生；新建修订计划并声明更晚的随机源"


@dataclass(frozen=True)
class Authority:
    """A pinned time-stamping authority: its record fields and its parsed chain."""

    id: str
    name: str
    url: str
    pem: str
    chain: tuple[Certificate, ...]


def pinned_authorities(records: Records) -> tuple[dict[str, Authority], list[Problem]]:
    """The authorities of jurisdiction.yaml whose chains parse; a problem for each that does not."""
    authorities: dict[str, Authority] = {}
    problems = []
    jurisdiction = records.jurisdiction
    for n, entry in enumerate(jurisdiction.fields.get("timestamp_authorities") or (), start=1):
        path = f"timestamp_authorities[{n}]"
        if entry.id in authorities:
            problems.append(Problem(jurisdiction.file, jurisdiction.line_of(f"{path}.id"),
                                    "draw.timestamp-authority", f"字段 {path}.id：{entry.id} 重复",
                                    "每个时间戳机构一个编号", ERROR, f"{path}.id"))
            continue
        try:
            chain = load_chain(entry.chain.encode())
        except TimestampError as e:
            problems.append(Problem(jurisdiction.file, jurisdiction.line_of(f"{path}.chain"),
                                    "draw.timestamp-authority", f"字段 {path}.chain：{e}",
                                    "粘贴时间戳机构公布的 PEM 证书链", ERROR, f"{path}.chain"))
            continue
        authorities[entry.id] = Authority(entry.id, entry.name, entry.url, entry.chain, chain)
    return authorities, problems


@dataclass(frozen=True)
class Evidence:
    """What proves when one package existed."""

    stamps: tuple[tuple[str, Stamp], ...]  # (authority id, verified token)
    git: FirstCommit
    problems: tuple[Problem, ...]

    @property
    def frozen_at(self) -> int | None:
        """The earliest proven time the package existed: a token's genTime, else git's date."""
        if self.stamps:
            return min(int(s.gen_time.timestamp()) for _, s in self.stamps)
        return self.git.time


def duration(seconds: float) -> str:
    """A lead or a delay in words: hours while short, days once long."""
    hours = abs(seconds) / 3600
    return f"{hours:.1f} 小时" if hours < 72 else f"{hours / 24:.1f} 天"


def package_evidence(records: Records, plan: Record, folder: Draw, commitment: str,
                     authorities: dict[str, Authority], drawn: bool, now: float) -> Evidence:
    """Verify every token of `folder` and read git; problems say what is missing or late."""
    package_file = folder.get("package.json").file
    example = records.jurisdiction.example
    margin_hours = records.policy.draw_margin_hours
    margin = margin_hours * 3600
    times = plan_source_times(plan)
    if times is None:
        return Evidence((), FirstCommit(None), ())
    earliest = min(times)
    problems: list[Problem] = []

    def add(file: str, rule: str, message: str, hint: str, severity: str) -> None:
        if example and severity != NOTICE:
            message, severity = message + EXAMPLE_NOTE, NOTICE
        problems.append(Problem(file, 1, rule, message, hint, severity))

    stamps = []
    late_tokens = []
    for authority_id, token in folder.stamps.items():
        authority = authorities.get(authority_id)
        if authority is None:
            problems.append(Problem(token.file, 1, "draw.timestamp",
                                    f"时间戳机构 {authority_id} 未在 jurisdiction.yaml 的 "
                                    "timestamp_authorities 中固定",
                                    "文件名 timestamp-<编号>.tsr 的编号须是已固定的时间戳机构"))
            continue
        try:
            stamp = verify_stamp(token.raw, commitment, authority.chain)
        except TimestampError as e:
            problems.append(Problem(token.file, 1, "draw.timestamp", f"时间戳无效：{e}",
                                    "删除此文件后重新运行 ssj draw stamp（随机源公布前）"))
            continue
        stamps.append((authority_id, stamp))
        late = stamp.gen_time.timestamp() + margin - earliest
        if late > 0:
            late_tokens.append((token.file, stamp, late))
    on_time = [s for _, s in stamps if s.gen_time.timestamp() + margin <= earliest]
    for file, stamp, late in late_tokens:
        message = (f"时间戳时间 {stamp.gen_time:%Y-%m-%d %H:%M:%S} UTC 晚于规定：须在首个随机源公布前 "
                   f"{margin_hours} 小时，差 {duration(late)}")
        if on_time:  # spec: one token on time is the proof; a later one (a retry) adds nothing
            problems.append(Problem(file, 1, "draw.timestamp-late",
                                    message + "；以按时的可信时间戳为准", "", NOTICE))
        else:
            add(file, "draw.timestamp-late", message, LATE_HINT, ERROR)
    if not stamps and not any(p.rule == "draw.timestamp" for p in problems):
        if drawn or now + margin > earliest:
            add(package_file, "draw.timestamp-missing",
                "没有可信时间戳证明抽取包在随机源公布前已冻结", LATE_HINT, ERROR)
        else:
            add(package_file, "draw.timestamp-missing",
                f"尚未取得可信时间戳（须在首个随机源公布前 {margin_hours} 小时取得）", STAMP_HINT,
                WARNING)

    git = first_commit(Path(package_file))
    if git.pending:
        add(package_file, "draw.commit-time", "抽取包尚未提交到 git", "提交并发起合并请求",
            WARNING)
    elif git.time is None:
        add(package_file, "draw.commit-time",
            f"{git.why_unknown}（git 历史是抽取时间的第二项证据）",
            "在完整的 git 仓库中运行；CI 检出时用 fetch-depth: 0", ERROR)
    elif git.time + margin > earliest:
        message = (f"抽取包在主分支首次提交（{git.commit[:12]}）晚于规定：须在首个随机源公布前 "
                   f"{margin_hours} 小时，差 {duration(git.time + margin - earliest)}")
        if on_time:
            problems.append(Problem(package_file, 1, "draw.commit-time",
                                    message + "；以可信时间戳为准", "", NOTICE))
        else:
            add(package_file, "draw.commit-time", message, LATE_HINT, ERROR)
    return Evidence(tuple(stamps), git, tuple(problems))
