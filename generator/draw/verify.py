"""Verifying stored draws: what `ssj draw verify` and `ssj check` run over records/draws/.

Each stored result is recomputed from its package and values and compared byte for byte; the
commitment, the declared sources, the drand rounds and the commit-before-reveal timing are
checked too, so that a hand-edited draw file fails CI.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from generator.draw.drand import DrandError, verify_round
from generator.draw.freeze import package_source
from generator.records.timing import source_time
from generator.draw.gittime import first_commit
from generator.draw.spec import DrawError, commitment, draw, serialise, validate_package
from generator.records.model import Draw, Record, Records
from generator.records.problems import ERROR, NOTICE, WARNING, Problem


def first_difference(expected: bytes, actual: bytes) -> str:
    """Where two serialisations part, in words a journalist can follow."""
    at = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b),
              min(len(expected), len(actual)))
    context = expected[max(0, at - 40):at].decode("utf-8", "replace")
    want = expected[at:at + 24].decode("utf-8", "replace") or "（文件结束）"
    got = actual[at:at + 24].decode("utf-8", "replace") or "（文件结束）"
    return f"第 {at + 1} 字节起不同：…{context} 之后应为 {want!r}，实为 {got!r}"


def round_file_name(source: dict[str, Any]) -> str:
    return f"drand-{source['chain']}-{source['round']}.json"


def _problem(file: str, rule: str, message: str, hint: str = "", severity: str = ERROR) -> Problem:
    return Problem(file, 1, rule, message, hint, severity)


def verify_draw(records: Records, folder: Draw) -> Iterator[Problem]:
    """All problems of one records/draws/<plan>/ folder."""
    plan = records.get(folder.plan, ("plan",))
    if plan is None:
        yield _problem(folder.folder, "draw.plan", f"没有编号为 {folder.plan} 的抽查计划",
                       "抽取目录以计划编号命名")
        return
    if folder.broken:
        return  # the unreadable file is already reported; comparing the rest would only echo it
    package_file = folder.get("package.json")
    if package_file is None:
        yield _problem(folder.folder, "draw.package", "缺少 package.json",
                       "用 ssj draw freeze 生成抽取包")
        return
    package = package_file.data
    try:
        validate_package(package)
    except DrawError as e:
        yield _problem(package_file.file, "draw.package", f"抽取包无效：{e}")
        return
    commit = commitment(package)
    yield from _check_package_matches_plan(records, plan, package_file.file, package)
    stored = folder.get("commitment.txt")
    if stored is None or stored.data != commit:
        yield _problem(stored.file if stored else folder.folder, "draw.commitment",
                       f"承诺值应为 {commit}（抽取包的 SHA-256），"
                       + (f"实为 {stored.data[:80]!r}" if stored else "缺少 commitment.txt"),
                       "抽取包冻结后不得修改")
    yield from _check_timing(records, plan, package_file.file)
    values_file, result_file = folder.get("values.json"), folder.get("result.json")
    if values_file is None and result_file is None:
        return
    if values_file is None or result_file is None:
        missing = "values.json" if values_file is None else "result.json"
        yield _problem(folder.folder, "draw.result", f"缺少 {missing}",
                       "ssj draw run 同时写出 values.json 与 result.json")
        return
    yield from _check_rounds(folder, package, values_file.data)
    try:
        result = draw(package, values_file.data)
    except DrawError as e:
        yield _problem(values_file.file, "draw.values", f"随机值无效：{e}")
        return
    expected = serialise(result)
    if result_file.raw != expected:
        yield _problem(result_file.file, "draw.result",
                       "抽取结果与按抽取包和随机值重新计算的结果不符："
                       + first_difference(expected, result_file.raw),
                       "抽取结果只能由 ssj draw run 写出")
        return
    yield from _check_findings(records, plan, result)


def _check_package_matches_plan(records: Records, plan: Record, file: str,
                                package: dict[str, Any]) -> Iterator[Problem]:
    declared = [package_source(s) for s in plan.draw.sources]
    if package["plan"] != plan.id:
        yield _problem(file, "draw.package", f"抽取包属于计划 {package['plan']}，不是 {plan.id}")
    if package["sources"] != declared:
        yield _problem(file, "draw.sources", "抽取包中的随机源与计划声明的不一致",
                       "计划的 draw.sources 在冻结后不得修改；需要改动时新建修订计划")
    if package["as_of"] != plan.pool_date.isoformat():
        yield _problem(file, "draw.package",
                       f"抽取包的取数日期 {package['as_of']} 与计划的 pool_date 不一致")


def _check_timing(records: Records, plan: Record, file: str) -> Iterator[Problem]:
    """Commit before reveal: the package's first commit precedes the first source by the margin."""
    margin = records.policy.draw_margin_hours * 3600
    earliest = min(source_time(s) for s in plan.draw.sources)
    first = first_commit(Path(file))
    if first.time is None:
        yield _problem(file, "draw.commit-time", f"{first.why_unknown}（抽取包须在随机源公布前"
                       f"至少 {records.policy.draw_margin_hours} 小时提交）", severity=WARNING)
        return
    if first.time + margin <= earliest:
        return
    late = (first.time + margin - earliest) / 3600
    message = (f"抽取包首次提交晚于规定：须在首个随机源公布前 {records.policy.draw_margin_hours} "
               f"小时提交，差 {late:.1f} 小时")
    if records.jurisdiction.example:
        yield _problem(file, "draw.commit-time", message + "（示例数据，仅作提示）",
                       severity=NOTICE)
    else:
        yield _problem(file, "draw.commit-time", message,
                       "随机源须在抽取包公开之后才产生；新建修订计划并声明更晚的随机源")


def _check_rounds(folder: Draw, package: dict[str, Any], values: Any) -> Iterator[Problem]:
    for n, source in enumerate(package["sources"]):
        if source.get("kind") != "drand":
            continue
        name = round_file_name(source)
        stored = folder.get(name)
        if stored is None:
            yield _problem(folder.folder, "draw.drand", f"缺少 drand 轮次数据 {name}",
                           "ssj draw run 会保存所用轮次，便于离线核验")
            continue
        try:
            randomness = verify_round(source["chain"], source["round"], stored.data)
        except DrandError as e:
            yield _problem(stored.file, "draw.drand", str(e))
            continue
        if not isinstance(values, list) or n >= len(values) or values[n] != randomness:
            yield _problem(stored.file, "draw.drand",
                           f"values.json 第 {n + 1} 项与 drand 轮次的 randomness 不一致")


def _check_findings(records: Records, plan: Record, result: dict[str, Any]) -> Iterator[Problem]:
    """Findings of a drawn plan inspect the drawn targets with the drawn teams (方案 二(九))."""
    teams = {t["target"]: set(t["inspectors"]) for t in result["teams"]}
    for finding in records.findings_for_plan(plan.id):
        team = teams.get(finding.target)
        if team is None:
            yield Problem(finding.file, finding.line_of("target"), "draw.finding-target",
                          f"字段 target：{finding.target} 不在计划 {plan.id} 的抽取结果中",
                          "随机抽查只能检查抽中的对象；其他检查写 targeted", ERROR, "target")
        elif set(finding.inspectors) != team:
            yield Problem(finding.file, finding.line_of("inspectors"), "draw.finding-team",
                          f"字段 inspectors：应为抽取结果中的检查组 {'、'.join(sorted(team))}",
                          "检查人员由随机选派，不得更换", ERROR, "inspectors")


def verify_revisions(records: Records) -> Iterator[Problem]:
    """A redraw is a new plan revision with new, later sources (spec: rules around the algorithm)."""
    for plan in records.plans:
        old = records.get(plan.revision.supersedes, ("plan",)) if plan.revision else None
        if old is None:
            continue
        if min(source_time(s) for s in plan.draw.sources) <= max(
                source_time(s) for s in old.draw.sources):
            yield Problem(plan.file, plan.line_of("draw.sources"), "draw.revision-sources",
                          f"字段 draw.sources：修订计划的随机源须晚于被取代计划 {old.id} 的全部随机源",
                          "声明尚未公布的新轮次或新期号", ERROR, "draw.sources")


def verify_draws(records: Records, plans: tuple[str, ...] = ()) -> list[Problem]:
    """Problems of every stored draw (or only those of `plans`)."""
    problems = [p for plan_id, folder in records.draws.items() if not plans or plan_id in plans
                for p in verify_draw(records, folder)]
    return problems + [p for p in verify_revisions(records)
                       if not plans or PurePosixPath(p.file).stem in plans]
