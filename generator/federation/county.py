"""The county side of a federation: taking a witness's record of a draw home.

Each witness listed in jurisdiction.yaml publishes, beside its page for a draw
(`<its url>plans/<plan>.json`), when it first saw each commitment of that plan, the run file of
that fetch and its authorities' tokens over it. `ssj draw witness` fetches the entry for this
plan's commitment, checks it exactly as `ssj check` will (the run names this bureau, this plan
and this commitment; a token verifies against the chain pinned for that witness) and only then
writes it to records/draws/<plan>/witness-<id>/. Nothing the witness's site says is taken on its
word: what is written proves itself.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from generator.draw.witnessed import Pin, sightings
from generator.federation.fetch import USER_AGENT, Getter, Refused
from generator.filewrite import write_new
from generator.records.load import WITNESS_RUN, display_path
from generator.records.model import Draw, DrawFile
from generator.records.jsonread import read_json
from generator.records.yamlread import YamlProblem

MAX_BYTES = 4 * 2**20  # a run file lists one run's members: far below this


@dataclass(frozen=True)
class Taken:
    """One witness's outcome: `folder` written (a new record), else `message` says why not."""

    witness: Pin
    folder: Path | None
    message: str
    failed: bool  # the witness could not be asked, or its answer proves nothing


def take_home(draw_dir: Path, division_code: str, plan: str, commitment: str,
              pins: dict[str, Pin], timeout: float = 20.0,
              client: httpx.Client | None = None) -> list[Taken]:
    """For each witness in `pins` with no record of this draw yet, fetch and check its record of
    first seeing `commitment` and write it beside the draw in `draw_dir`."""
    session = client if client is not None else httpx.Client(headers={"User-Agent": USER_AGENT})
    get = Getter(session, timeout, MAX_BYTES)
    try:
        return [_take(get, draw_dir, division_code, plan, commitment, pin)
                for pin in pins.values()]
    finally:
        if client is None:
            session.close()


def _take(get: Getter, draw_dir: Path, division_code: str, plan: str, commitment: str,
          pin: Pin) -> Taken:
    folder = draw_dir / f"witness-{pin.id}"
    if folder.exists():
        return Taken(pin, None, f"已有见证记录 {display_path(folder)}，未重新取回", False)
    index = f"{pin.url}plans/{plan}.json"
    try:
        _, _, body = get(index, index)
        listed = json.loads(body)
        entries = [s for s in listed.get("sightings", []) if isinstance(s, dict)
                   and s.get("commitment") == commitment] if listed.get("member") == division_code \
            else None
        if entries is None:
            return Taken(pin, None, f"{index} 不是本局（{division_code}）计划 {plan} 的见证记录；"
                         "请核对 jurisdiction.yaml 中该见证机关的 url", True)
        if not entries:
            return Taken(pin, None, "尚未看到本计划当前的承诺值：见证机关定时镜像本站，"
                         "抽取包公开后稍候再取", False)
        entry = entries[0]
        files = {WITNESS_RUN: get(urljoin(index, entry["run_file"]), entry["run_file"])[2]}
        for authority, path in sorted(entry.get("tokens", {}).items()):
            if authority in pin.authorities:
                files[f"timestamp-{authority}.tsr"] = get(urljoin(index, path), path)[2]
    except Refused as e:
        return Taken(pin, None, e.flag.message, True)
    except (ValueError, TypeError, KeyError, AttributeError):
        return Taken(pin, None, f"{index} 不是见证机关网站的抽取见证数据（ssj-witness-draw/1）", True)
    if len(files) == 1:
        return Taken(pin, None, "见证记录没有 jurisdiction.yaml 中为该见证机关固定的时间戳机构的"
                     "时间戳；请核对其网站“见证记录”页列出的时间戳机构并固定", True)
    problems = _check(folder, files, division_code, plan, commitment, pin)
    if problems:
        return Taken(pin, None, "取回的见证记录未通过核验，未写入：" + "；".join(problems), True)
    write_new({folder / name: data for name, data in files.items()})
    return Taken(pin, folder, f"已写入 {display_path(folder)}", False)


def _check(folder: Path, files: dict[str, bytes], division_code: str, plan: str,
           commitment: str, pin: Pin) -> list[str]:
    """What `ssj check` would refuse in these files, before any is written."""
    prefix = f"witness-{pin.id}/"
    stored = {}
    for name, raw in files.items():
        where = display_path(folder / name)
        try:
            data = read_json(raw) if name == WITNESS_RUN else raw
        except YamlProblem as e:
            return [f"{where} 第 {e.line} 行：{e.message}"]
        stored[prefix + name] = DrawFile(where, data, raw)
    _, problems = sightings(Draw(plan, display_path(folder.parent), stored), division_code,
                            commitment, {pin.id: pin})
    return [f"{p.file}：{p.message}" for p in problems]
