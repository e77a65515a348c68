"""A federation repository's two files, read as strictly as a bureau's records:
federation.yaml (the higher bureau, its policy and its own pinned time-stamping authorities)
and members.yaml (the sites it mirrors and witnesses, and the authorities each is expected to
pin). Declared once here with the records' field types, so errors name file, line and field.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.draw.evidence import Authority, parse_authorities
from generator.records.kinds import ID, TIMESTAMP_AUTHORITY, Field, Kind
from generator.records.load import load_record
from generator.records.problems import Problem
from generator.records.types import Int, ListOf, Obj, Str

DIVISION = Str(pattern=r"[0-9]{6}", pattern_help="6 位行政区划代码")
FINGERPRINT = Str(pattern=r"[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}",
                  pattern_help="64 位十六进制，可用冒号分隔")

FEDERATION = Kind(
    "federation", "见证机关", "federation",
    "上级司法行政机关：镜像并见证所属各局的公示网站（方案 二（三））。",
    fields=(
        Field("name", Str(), "机关全称，如 朝阳市司法局", public=True, required=True),
        Field("division_code", DIVISION, "行政区划代码", public=True, required=True),
        Field("policy", Obj((
            Field("witness_margin_hours", Int(minimum=1),
                  "见证机关须早于首个随机源公布至少这么多小时看到承诺值，抽取才算“已见证”",
                  public=True, required=True, default=24),
            Field("fetch_concurrency", Int(minimum=1, maximum=64), "同时进行的下载数",
                  public=True, default=8),
            Field("max_file_mb", Int(minimum=1, maximum=1024), "单个文件的大小上限（MB）",
                  public=True, default=20),
        )), "见证与镜像的政策数字", public=True, required=True),
        Field("timestamp_authorities", ListOf(TIMESTAMP_AUTHORITY),
              "本机关固定的可信时间戳服务：每次镜像的见证记录都向它们申请时间戳", public=True),
    ),
    singleton=True)

MEMBERS = Kind(
    "members", "成员", "members",
    "见证机关镜像的各局网站。",
    fields=(
        Field("members", ListOf(Obj((
            Field("id", ID, "编号，一般用行政区划代码", public=True, required=True),
            Field("name", Str(), "机关全称，如 喀左县司法局", public=True, required=True),
            Field("division_code", DIVISION, "行政区划代码：须与该站 manifest 中的一致",
                  public=True, required=True),
            Field("url", Str(pattern=r"https?://\S+/", pattern_help="以 / 结尾的网址"),
                  "该局公示网站的地址", public=True, required=True),
            Field("authorities", ListOf(FINGERPRINT),
                  "该局应固定的时间戳机构根证书 SHA-256 指纹：其抽取的时间戳须出自其中之一",
                  public=True),
        ))), "成员网站", public=True, required=True),
    ),
    singleton=True)


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    division_code: str
    url: str
    authorities: tuple[str, ...]  # root fingerprints, 64 lowercase hex


@dataclass(frozen=True)
class Federation:
    name: str
    division_code: str
    witness_margin_hours: int
    fetch_concurrency: int
    max_file_bytes: int
    authorities: dict[str, Authority]
    members: tuple[Member, ...]


def load_federation(root: Path) -> tuple[Federation | None, list[Problem]]:
    """The federation repository at `root`; None with the problems when it does not load."""
    records, problems = {}, []
    for kind in (FEDERATION, MEMBERS):
        path = root / f"{kind.folder}.yaml"
        record, _, found = load_record(path, kind, file=path.name)
        problems += found
        records[kind.name] = record
    federation, members = records["federation"], records["members"]
    if federation is None or members is None:
        return None, problems
    authorities, found = parse_authorities(
        federation, federation.fields.get("timestamp_authorities") or (), "timestamp_authorities")
    problems += found
    seen: dict[str, int] = {}
    for n, entry in enumerate(members.fields["members"], start=1):
        for key in ("id", "division_code", "url"):
            value = entry[key]
            if (key, value) in seen:
                problems.append(Problem(members.file, members.line_of(f"members[{n}].{key}"),
                                        "federation.member", f"字段 members[{n}].{key}：{value} "
                                        f"与第 {seen[key, value]} 个成员重复",
                                        "每个成员一个编号、一个区划代码、一个网址"))
            seen.setdefault((key, value), n)
    if problems:
        return None, problems
    policy = federation.fields["policy"]
    return Federation(
        federation.fields["name"], federation.fields["division_code"],
        policy["witness_margin_hours"], policy.get("fetch_concurrency") or 8,
        (policy.get("max_file_mb") or 20) * 2 ** 20, authorities,
        tuple(Member(m.id, m.name, m.division_code, m.url,
                     tuple(f.replace(":", "").lower() for f in m.get("authorities") or ()))
              for m in members.fields["members"])), []
