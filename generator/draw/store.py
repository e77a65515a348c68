"""Freezing, time-stamping and drawing a plan into records/draws/<plan>/: the steps that write.

Each refuses rather than overwrite, and writes all of its files or none (filewrite.write_new);
each token is written as it arrives, so one unreachable authority never costs another's token.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.draw.canon import canon
from generator.draw.drand import DrandError, round_fields, verify_round
from generator.draw.evidence import Authority, pinned_authorities
from generator.draw.derive import package_before
from generator.draw.freeze import freeze
from generator.draw.gittime import main_line
from generator.draw.policy import policy_now
from generator.draw.redraw import overlaps
from generator.draw.spec import DrawError, commitment, draw, serialise
from generator.draw.timestamp import TimestampError, request_stamp
from generator.draw.verify import package_problems, round_file_name
from generator.filewrite import write_new
from generator.records.load import DRAWS_FOLDER
from generator.records.model import Record, Records
from generator.records.timing import BEIJING, source_time


def pretty_json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()


def draw_folder(root: Path, plan_id: str) -> Path:
    return root / DRAWS_FOLDER / plan_id


@dataclass(frozen=True)
class StampOutcome:
    """Tokens written (authority id → genTime, UTC) and why the other authorities gave none;
    `late`: the written ones too late to prove anything (stored all the same: every token
    stays on record)."""

    written: dict[str, str]
    failed: dict[str, str]
    late: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreezeOutcome:
    commitment: str
    package: dict[str, Any]
    warnings: tuple[str, ...]
    stamps: StampOutcome


def freeze_plan(root: Path, records: Records, plan_id: str, now: float,
                timeout: float = 20.0) -> FreezeOutcome:
    """Compute and write package.json and commitment.txt, then ask every pinned authority for a
    token (an unreachable one is reported, not fatal: `ssj draw stamp` retries); raises
    DrawError on any refusal."""
    plan = records.get(plan_id, ("plan",))
    if plan is None:
        raise DrawError(f"没有编号为 {plan_id} 的抽查计划")
    if plan.draw.get("delegated") is not None:
        raise DrawError(f"计划 {plan_id} 的对象由上级机关抽取（draw.delegated），本局不冻结抽取包")
    folder = draw_folder(root, plan_id)
    if (folder / "package.json").exists():
        raise DrawError(f"计划 {plan_id} 已冻结；重新抽取须新建修订计划"
                        "（revision.supersedes 与 reason），原抽取记录保留")
    clash = overlaps(records, plan)
    if clash:
        other, shared = clash[0]
        raise DrawError(f"已冻结的计划 {other.id} 同含行业 {'、'.join(shared)} 且实施时间重叠；"
                        "同一行业同一期间只能有一个抽取，重新抽取请用 revision.supersedes")
    frozen = freeze(records, plan)
    if frozen.infeasible:
        raise DrawError(f"无法组成检查组：{frozen.infeasible[0]}"
                        + (f"（另有 {len(frozen.infeasible) - 1} 个对象同样不足）"
                           if len(frozen.infeasible) > 1 else ""))
    warnings = list(frozen.warnings)
    package = frozen.package
    if now > _deadline(records, plan, now):
        margin = policy_now(records.policy, now).margin_hours
        message = (f"随机源公布时间距现在不足 {margin} 小时（或已公布）；请在计划中声明更晚的随机源")
        if records.jurisdiction.example:
            warnings.append(message + "（示例数据，仅作提示）")
        elif _owed(plan, now):
            package = _owed_package(root, plan, now)
            warnings.append(f"计划 {plan_id} 已公布，随机源已公开却没有按时冻结：这是计划应有的抽取，"
                            "按随机源公布前主分支上的记录补做，结果照样公布；请在 records/irregularities/ "
                            "公布抽取异常说明（missed-freeze）")
        else:
            raise DrawError(message)
    commit = commitment(package)
    write_new({folder / "package.json": pretty_json(package),
               folder / "commitment.txt": (commit + "\n").encode()})
    authorities, _ = pinned_authorities(records)
    if not authorities:
        warnings.append("jurisdiction.yaml 没有固定可信时间戳服务（timestamp_authorities），"
                        "无法证明抽取包早于随机源；固定后在随机源公布前运行 ssj draw stamp")
    stamps = _stamp(folder, package, commit, list(authorities.values()), timeout,
                    _deadline(records, plan, now))
    return FreezeOutcome(commit, package, tuple(warnings), stamps)


def _first_source(plan: Record) -> int:
    return min(source_time(s) for s in plan.draw.sources)


def _owed(plan: Record, now: float) -> bool:
    """A published plan whose first source is public: its draw is owed, frozen or not (spec:
    a plan never simply disappears)."""
    today = dt.datetime.fromtimestamp(now, BEIJING).date()
    return (plan.published_on is not None and plan.published_on <= today
            and _first_source(plan) <= now)


def _owed_package(root: Path, plan: Record, now: float) -> dict[str, Any]:
    """The package the records on main gave before the plan's first source."""
    _, given = package_before(root, plan.id, _first_source(plan), main_line(root, now))
    if given is None:
        raise DrawError(f"随机源公布前主分支上没有计划 {plan.id} 的记录（或无法读取），无法补做抽取；"
                        "请在完整的 git 仓库中运行")
    return given[1]


def _stamp(folder: Path, package: dict[str, Any], commit: str, authorities: list[Authority],
           timeout: float, deadline: float) -> StampOutcome:
    """Ask each authority for a token over the commitment; write each one as it arrives.
    `deadline`: the latest genTime that proves the package came first."""
    written, failed, late = {}, {}, []
    for authority in authorities:
        try:
            token, stamp = request_stamp(authority.url, canon(package), commit, authority.chain,
                                         timeout)
        except TimestampError as e:
            failed[authority.id] = str(e)
            continue
        write_new({folder / f"timestamp-{authority.id}.tsr": token})
        written[authority.id] = f"{stamp.gen_time:%Y-%m-%d %H:%M:%S}"
        if stamp.gen_time.timestamp() > deadline:
            late.append(authority.id)
    return StampOutcome(written, failed, tuple(late))


def _deadline(records: Records, plan: Record, now: float) -> float:
    """The latest moment that still proves the package came before its first source."""
    return _first_source(plan) - policy_now(records.policy, now).margin_hours * 3600


def stamp_plan(root: Path, records: Records, plan_id: str, timeout: float) -> StampOutcome:
    """Fetch a token from every pinned authority that has none for this plan yet."""
    plan = records.get(plan_id, ("plan",))
    folder_record = records.draws.get(plan_id)
    if plan is None or folder_record is None:
        raise DrawError(f"计划 {plan_id} 没有抽取包：先运行 ssj draw freeze {plan_id}")
    package, problems = package_problems(records, plan, folder_record)
    if package is None or problems:
        raise DrawError(f"抽取目录有误，不能申请时间戳：{problems[0].file}: {problems[0].message}")
    authorities, bad = pinned_authorities(records)
    if bad:
        raise DrawError(f"{bad[0].file}:{bad[0].line}: {bad[0].message}")
    if not authorities:
        raise DrawError("jurisdiction.yaml 中没有 timestamp_authorities：先固定至少一个可信时间戳服务")
    missing = [a for a in authorities.values() if a.id not in folder_record.stamps]
    if not missing:
        raise DrawError(f"计划 {plan_id} 已有每个时间戳机构的时间戳")
    outcome = _stamp(draw_folder(root, plan_id), package, commitment(package), missing, timeout,
                     _deadline(records, plan, time.time()))
    if not outcome.written:
        raise DrawError("；".join(f"{a}：{why}" for a, why in outcome.failed.items()))
    return outcome


def resolve_values(package: dict[str, Any], given: list[str],
                   rounds: list[dict[str, Any]]) -> tuple[list[str], dict[str, bytes]]:
    """One value per declared source: drand values from verified rounds, the rest from `given`.

    `given` holds either one value per source, or one per non-drand source. Returns the values
    and the round files to store beside them.
    """
    sources = package["sources"]
    drand_count = sum(1 for s in sources if s.get("kind") == "drand")
    if len(given) not in (len(sources), len(sources) - drand_count):
        raise DrawError(f"需要 {len(sources)} 个随机值（每个声明的随机源一个），"
                        f"或为 {len(sources) - drand_count} 个非 drand 随机源各给一个值"
                        f"并用 --drand-round 提供 drand 轮次；实际给了 {len(given)} 个")
    every_source = len(given) == len(sources)
    remaining = iter(given)
    values, files = [], {}
    for n, source in enumerate(sources):
        if source.get("kind") != "drand":
            values.append(next(remaining))
            continue
        match = [r for r in rounds if isinstance(r, dict) and r.get("round") == source["round"]]
        if not match:
            raise DrawError(f"第 {n + 1} 个随机源是 drand {source['chain']} 第 {source['round']} "
                            "轮：用 --drand-round 提供该轮的 JSON（或先运行 ssj draw seed drand）")
        data = round_fields(match[0])
        try:
            randomness = verify_round(source["chain"], source["round"], data)
        except DrandError as e:
            raise DrawError(str(e)) from None
        if every_source and next(remaining) != randomness:
            raise DrawError(f"第 {n + 1} 个随机值与 drand 第 {source['round']} 轮的 randomness 不一致")
        values.append(randomness)
        files[round_file_name(source)] = pretty_json(data)
    return values, files


@dataclass(frozen=True)
class RunOutcome:
    result: dict[str, Any]


def run_plan(root: Path, records: Records, plan_id: str, given: list[str],
             rounds: list[dict[str, Any]]) -> RunOutcome:
    """Draw a frozen plan and write values.json, result.json and the rounds used."""
    folder_record = records.draws.get(plan_id)
    folder = draw_folder(root, plan_id)
    if folder_record is None or folder_record.get("package.json") is None:
        raise DrawError(f"计划 {plan_id} 尚未冻结：先运行 ssj draw freeze {plan_id}")
    if folder_record.get("result.json") is not None or (folder / "result.json").exists():
        raise DrawError(f"计划 {plan_id} 已有抽取结果，不能覆盖；重新抽取须新建修订计划")
    plan = records.get(plan_id, ("plan",))
    package, problems = package_problems(records, plan, folder_record)
    if package is None or problems:
        raise DrawError(f"抽取目录有误，不能抽取：{problems[0].file}: {problems[0].message}")
    stored_rounds = [f.data for f in folder_record.rounds]
    values, round_files = resolve_values(package, given, rounds + stored_rounds)
    result = draw(package, values)
    files = {folder / name: data for name, data in round_files.items()
             if folder_record.get(name) is None}
    files[folder / "values.json"] = pretty_json(values)
    files[folder / "result.json"] = serialise(result)
    write_new(files)
    return RunOutcome(result)
