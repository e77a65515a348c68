"""A witness's record of a draw, kept beside it: records/draws/<plan>/witness-<id>/ holds the
run file in which a higher bureau's mirror first saw this plan's commitment (run.json, as that
bureau publishes it) and its time-stamping authorities' tokens over that file.

What `ssj check` proves of it offline: a run file naming the witness (by division code) as its
writer and first seeing this bureau's commitment of this plan existed by the genTime of a token
verified against a chain pinned for that witness in jurisdiction.yaml. What it cannot prove: who
wrote the file (a token proves when, not who) and the run's own first_seen (the witness's word).
So the page names where the record came from, and the witness's own `ssj federate verify` flags
a member publishing a record in its name that differs from the one it wrote.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.draw.timestamp import TimestampError, verify_stamp
from generator.records.load import WITNESS_RUN
from generator.records.model import Draw
from generator.records.problems import Problem

if TYPE_CHECKING:
    from generator.draw.evidence import Authority

RUN_FORMAT = "ssj-witness-run/1"  # what `ssj federate fetch` writes (federation/witness.py)
FETCH_HINT = "删除该见证目录后重新运行 ssj draw witness 计划编号，从见证机关的网站取回"


@dataclass(frozen=True)
class Pin:
    """A witness as jurisdiction.yaml names it, with the authorities it pins there."""

    id: str
    name: str
    division_code: str  # a run file it wrote names it as its federation
    url: str  # where it mirrors this site: this site's paths are under it
    authorities: Mapping[str, Authority]


@dataclass(frozen=True)
class Sighting:
    """One witness's verified record of first seeing a draw's commitment."""

    witness: Pin
    run: str
    first_seen: dt.datetime  # as the witness's run file says
    proven: dt.datetime  # the earliest genTime of a pinned authority's token over that file
    authorities: tuple[str, ...]  # the ids of the authorities whose token verified
    run_file: str  # where run.json is, as problems name it
    files: tuple[str, ...]  # run.json, then the verified tokens, as named in the draw folder


def sightings(folder: Draw, division_code: str, commitment: str, pins: Mapping[str, Pin]
              ) -> tuple[list[Sighting], list[Problem]]:
    """Each witness folder of `folder` that proves its witness saw `commitment` of this plan
    from this bureau; a problem (rule draw.witness) for each file that proves nothing."""
    found, problems = [], []
    for witness_id, files in folder.witnessed.items():
        def refuse(file: str, message: str, hint: str = FETCH_HINT) -> None:
            problems.append(Problem(file, 1, "draw.witness", message, hint))

        pin = pins.get(witness_id)
        where = f"{folder.folder}/witness-{witness_id}"
        if pin is None:
            refuse(where, f"见证机关 {witness_id} 未在 jurisdiction.yaml 的 witnesses 中列出",
                   "目录名 witness-<编号> 的编号须是 witnesses 中一个见证机关的 id")
            continue
        run = files.get(WITNESS_RUN)
        if run is None:
            refuse(where, f"缺少 {WITNESS_RUN}（见证机关记录首次看到承诺值的文件）")
            continue
        entry = _entry(run.data, pin.division_code, division_code, folder.plan, commitment)
        if isinstance(entry, str):
            refuse(run.file, entry)
            continue
        digest = hashlib.sha256(run.raw).hexdigest()
        verified: dict[str, dt.datetime] = {}
        for name, token in files.items():
            if name == WITNESS_RUN:
                continue
            authority_id = name[len("timestamp-"):-len(".tsr")]
            authority = pin.authorities.get(authority_id)
            if authority is None:
                refuse(token.file, f"时间戳机构 {authority_id} 未在 jurisdiction.yaml 中为见证机关"
                       f" {pin.name} 固定（witnesses 的 timestamp_authorities）",
                       "核对见证机关网站“见证记录”页列出的时间戳机构及其根证书指纹后固定")
                continue
            try:
                verified[authority_id] = verify_stamp(token.raw, digest, authority.chain).gen_time
            except TimestampError as e:
                refuse(token.file, f"见证记录的时间戳无效：{e}")
        if not verified:
            if not any(p.file.startswith(where) for p in problems):
                refuse(where, f"{pin.name}的见证记录没有时间戳：无从证明它何时看到承诺值")
            continue
        found.append(Sighting(pin, entry["run"], entry["first_seen"], min(verified.values()),
                              tuple(sorted(verified)), run.file,
                              tuple(f"witness-{witness_id}/{name}" for name in
                                    (WITNESS_RUN, *(f"timestamp-{a}.tsr" for a in sorted(verified))))))
    return found, problems


def _entry(data: Any, witness: str, division_code: str, plan: str, commitment: str
           ) -> dict[str, Any] | str:
    """The run file's entry first seeing this commitment, its time parsed; else what is wrong."""
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT \
            or not isinstance(data.get("first_seen"), list):
        return f"不是见证机关的镜像记录（应为 {RUN_FORMAT} 格式，含 first_seen）"
    if data.get("federation") != witness:
        return (f"这是区划代码 {data.get('federation')} 的机关的镜像记录，不是 jurisdiction.yaml 中"
                f"该见证机关（{witness}）的")
    for entry in data["first_seen"]:
        if isinstance(entry, dict) and (entry.get("member"), entry.get("plan"),
                                        entry.get("commitment")) == (division_code, plan,
                                                                      commitment):
            try:
                when = dt.datetime.strptime(str(entry.get("first_seen")), "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                return f"first_seen 中本计划一条的时间不是 YYYY-MM-DDTHH:MM:SSZ：{entry.get('first_seen')!r}"
            return {"run": str(data.get("run", "")),
                    "first_seen": when.replace(tzinfo=dt.timezone.utc)}
    return (f"这次镜像没有首次看到本局（{division_code}）计划 {plan} 的承诺值 {commitment[:12]}…："
            "见证记录须是首次看到该承诺值的那一次")
