"""Verifying stored draws: what `ssj draw verify` and `ssj check` run over records/draws/.

Each stored result is recomputed from its package and values and compared byte for byte; the
commitment, the declared sources, the drand rounds and the commit-before-reveal timing are
checked too, so that a hand-edited draw file fails CI.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from collections.abc import Mapping
from typing import Any, Iterator

from generator.draw.derive import (POOL, Difference, explain_by_history, package_before,
                                   package_differences)
from generator.draw.drand import DrandError, verify_round
from generator.draw.evidence import (Authority, Evidence, delegated_authorities, judged,
                                     misdated_commits, package_evidence, pinned_authorities,
                                     witness_pins)
from generator.draw.freeze import freeze, package_source
from generator.draw.gittime import FirstCommit, MainLine, main_line
from generator.draw.redraw import Timing, check_redraws, check_unfrozen
from generator.draw.verifycache import open_draw_cache
from generator.draw.witnessed import Pin
from generator.draw.spec import (DrawError, commitment, draw, serialise, source_label,
                                 validate_package)
from generator.draw import table
from generator.records.load import DRAWS_FOLDER, display_path
from generator.records.model import Draw, DrawFile, Record, Records
from generator.records.problems import ERROR, NOTICE, Problem
from generator.records.tracing import Traced
from generator.rules.integrity import check_integrity, draw_source_problems


# the checks whose failure leaves a stored draw's files unproven (a result that may not be what
# its package and values give); evidence and derivation problems leave the result computed
_FILE_FAULTS = frozenset({"draw.plan", "draw.package", "draw.commitment", "draw.sources",
                          "draw.values", "draw.drand", "draw.result"})


def faulty_draws(records: Records, problems: list[Problem]) -> frozenset[str]:
    """The plans whose records/draws/<plan>/ files failed to load or to verify: nothing may be
    read from those draws until they are fixed."""
    return frozenset(plan for plan, folder in records.draws.items()
                     if any(in_draw(folder, p) and (p.rule.startswith("load.") or p.rule in _FILE_FAULTS)
                            for p in problems if p.severity == ERROR))


def in_draw(folder: Draw, problem: Problem) -> bool:
    """Whether `problem` is located in `folder` (the folder itself or a file under it)."""
    return problem.file == folder.folder or problem.file.startswith(folder.folder + "/")


def first_difference(expected: bytes, actual: bytes) -> str:
    """Where a published result departs from the recomputed one, in words a journalist can
    follow: the first differing field and its JSON path, as verify.html says it (bytes only
    when the file does not parse or says the same in other bytes); generator.draw.table."""
    return table.difference(expected, actual)


def round_file_name(source: dict[str, Any]) -> str:
    return f"drand-{source['chain']}-{source['round']}.json"


def _problem(file: str, rule: str, message: str, hint: str = "", severity: str = ERROR) -> Problem:
    return Problem(file, 1, rule, message, hint, severity)


def package_problems(records: Records, plan: Record,
                     folder: Draw) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The folder's package if it is valid, and whether it belongs to `plan` with its
    commitment: what a draw needs before it may run."""
    package_file = folder.get("package.json")
    if package_file is None:
        return None, [_problem(folder.folder, "draw.package", "缺少 package.json",
                               "用 ssj draw freeze 生成抽取包")]
    package = package_file.data
    try:
        validate_package(package)
    except DrawError as e:
        return None, [_problem(package_file.file, "draw.package", f"抽取包无效：{e}")]
    problems = list(_check_package_matches_plan(records, plan, package_file.file, package))
    commit = commitment(package)
    stored = folder.get("commitment.txt")
    if stored is None or stored.data != commit:
        problems.append(_problem(stored.file if stored else folder.folder, "draw.commitment",
                                 f"承诺值应为 {commit}（抽取包的 SHA-256），"
                                 + (f"实为 {stored.data[:80]!r}" if stored else "缺少 commitment.txt"),
                                 "抽取包冻结后不得修改"))
    return package, problems


def _check_delegated_files(records: Records) -> Iterator[Problem]:
    """A plan drawn by a higher bureau carries that bureau's draw files: a commitment alone is
    a claim nobody here can check."""
    for plan in records.plans:
        folder = records.draws.get(plan.id)
        if plan.draw.get("delegated") is None or (folder and folder.get("package.json")):
            continue
        yield judged(records, Problem(
            plan.file, plan.line_of("draw.delegated"), "draw.delegated",
            f"字段 draw.delegated：上级抽取结果未随附，无法核验：records/draws/{plan.id}/ 中没有上级机关的"
            "抽取文件", "把上级机关公布的 package.json、commitment.txt、values.json、result.json、"
            "drand 轮次与时间戳原样放进该目录，并在 draw.delegated.authorities 固定其时间戳机构",
            ERROR, "draw.delegated"), plan.id)


def _delegated_package(plan: Record, folder: Draw) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The higher bureau's package, if valid and the one whose commitment the plan quotes."""
    package_file = folder.get("package.json")
    if package_file is None:
        return None, [_problem(folder.folder, "draw.delegated", "缺少上级机关的 package.json",
                               "把上级机关公布的抽取文件原样放进这个目录")]
    try:
        validate_package(package_file.data)
    except DrawError as e:
        return None, [_problem(package_file.file, "draw.package", f"抽取包无效：{e}")]
    commit = commitment(package_file.data)
    quoted = plan.draw.delegated.commitment
    problems = []
    if commit != quoted:
        problems.append(Problem(plan.file, plan.line_of("draw.delegated.commitment"),
                                "draw.delegated",
                                f"字段 draw.delegated.commitment：上级抽取包的承诺值是 {commit}，"
                                f"计划引用的却是 {quoted}", "核对上级机关公布的承诺值与抽取文件",
                                ERROR, "draw.delegated.commitment"))
    stored = folder.get("commitment.txt")
    if stored is None or stored.data != commit:
        problems.append(_problem(stored.file if stored else folder.folder, "draw.commitment",
                                 f"承诺值应为 {commit}（抽取包的 SHA-256）"
                                 + ("" if stored else "，缺少 commitment.txt"),
                                 "上级机关的抽取文件须原样保存"))
    return package_file.data, problems


@dataclass(frozen=True)
class Checked:
    """One draw folder's problems, and the evidence of when its package existed."""

    problems: list[Problem]
    evidence: Evidence | None = None


def verify_draw(records: Records, folder: Draw, authorities: dict[str, Authority],
                now: float, line: MainLine, new_package: bool = False,
                derive: bool = True, witnesses: Mapping[str, Pin] | None = None) -> Checked:
    """All problems of one records/draws/<plan>/ folder; `derive`: also compare the package
    with what the records give (only records free of integrity errors can be read so)."""
    plan = records.get(folder.plan, ("plan",))
    if plan is None:
        return Checked([_problem(f.file, "draw.plan", f"没有编号为 {folder.plan} 的抽查计划，"
                                 "此抽取文件无所属", "抽取目录以计划编号命名")
                        for f in folder.files.values()]
                       or [_problem(folder.folder, "draw.plan",
                                    f"没有编号为 {folder.plan} 的抽查计划", "抽取目录以计划编号命名")])
    if folder.broken:
        return Checked([])  # the unreadable file is already reported; the rest would only echo it
    delegated = plan.draw.get("delegated")
    incomplete = [] if delegated else list(draw_source_problems(plan))
    if incomplete:
        # a package cannot be compared with sources that lack a field; the same problems as
        # `ssj check`'s integrity check, so that ssj draw verify says why and check lists them once
        return Checked(incomplete)
    if delegated is not None:
        # a higher bureau's draw (二（三）): its package, under its own pinned authorities
        authorities, problems = delegated_authorities(plan)
        package, mismatched = _delegated_package(plan, folder)
        problems += mismatched
    else:
        package, problems = package_problems(records, plan, folder)
    if package is None:
        return Checked(problems)
    package_file = folder.get("package.json")
    values_file, result_file = folder.get("values.json"), folder.get("result.json")
    evidence = package_evidence(records, plan, folder, commitment(package), authorities,
                                drawn=result_file is not None, now=now, line=line,
                                delegated=delegated is not None, witnesses=witnesses)
    problems.extend(evidence.problems)
    if delegated is not None:
        pass  # drawn from the higher bureau's rosters: nothing here can re-derive it
    elif derive and _published_after_its_source(evidence):
        problems.extend(_check_late_derivation(records, plan, package_file.file, package,
                                               evidence, line))
    elif derive:
        problems.extend(_check_derivation(records, plan, package_file.file, package,
                                          evidence.git, new_package))
    else:
        # not verified is not passed: ssj draw verify fails until the records can be read
        problems.append(_problem(package_file.file, POOL,
                                 "记录有完整性错误，无法按记录重新计算抽取包",
                                 "运行 ssj check，修正记录后再核验"))
    if values_file is None and result_file is None:
        return Checked(problems, evidence)
    if values_file is None or result_file is None:
        missing = "values.json" if values_file is None else "result.json"
        problems.append(_problem(folder.folder, "draw.result", f"缺少 {missing}",
                                 "ssj draw run 同时写出 values.json 与 result.json"))
        return Checked(problems, evidence)
    if any(p.rule == "draw.sources" for p in problems):
        # sources edited after freezing are reported; what they now name (a chain, a kind of
        # any JSON type) is nothing the rounds and values could be checked against
        return Checked(problems, evidence)
    problems.extend(_check_rounds(folder, package, values_file.data))
    problems.extend(_check_lottery_pages(plan))
    problems.extend(_lottery_notices(plan, values_file))
    try:
        result = draw(package, values_file.data)
    except DrawError as e:
        problems.append(_problem(values_file.file, "draw.values", f"随机值无效：{e}"))
        return Checked(problems, evidence)
    expected = serialise(result)
    if result_file.raw != expected:
        problems.append(_problem(result_file.file, "draw.result",
                                 "抽取结果与按抽取包和随机值重新计算的结果不符："
                                 + first_difference(expected, result_file.raw),
                                 "抽取结果只能由 ssj draw run 写出"))
        return Checked(problems, evidence)
    problems.extend(_check_findings(records, plan, result))
    return Checked(problems, evidence)


def _check_derivation(records: Records, plan: Record, file: str, package: dict[str, Any],
                      git: FirstCommit, new_package: bool) -> Iterator[Problem]:
    """The package must be what the records give as of its pool date (spec)."""
    expected = freeze(records, plan).package
    if expected == package:
        return
    differences = package_differences(records, plan, expected, package) or [
        Difference(POOL, "内容与按记录重新计算的抽取包不同")]
    explained = (explain_by_history(Path(records.root), records, plan, package, git.commit)
                 if git.commit and not new_package else None)
    if explained is None:
        for rule, difference in differences:
            yield _problem(file, rule, f"抽取包与记录不符：{difference}",
                           "抽取包只能由 ssj draw freeze 按记录生成；记录有误的，更正记录后新建修订计划")
        return
    if explained.rewritten:
        # only records added to since the freeze may account for a difference: a rewritten or
        # deleted one would let a false entry at freeze time be quietly withdrawn afterwards
        rewritten = "、".join(explained.rewritten[:3]) + ("等" if len(explained.rewritten) > 3 else "")
        for rule, difference in differences:
            yield _problem(file, rule,
                           f"抽取包与记录不符：{difference}；冻结时（提交 {explained.commit[:12]}）的记录"
                           f"可以得出它，但之后的记录不只是补录，有改动或删除：{rewritten}",
                           "已冻结抽取包所依据的记录只能补录，不能改删；记录有误的，新建修订计划重新抽取")
        return
    changed = "、".join(explained.changed[:5]) + ("等" if len(explained.changed) > 5 else "")
    for rule, difference in differences:
        yield _problem(file, rule,
                       f"抽取包与现在的记录不同：{difference}；按冻结时（提交 {explained.commit[:12]}）"
                       f"的记录重新计算与抽取包一致，差异来自之后修改的记录：{changed or '无'}",
                       "冻结后补录的记录（如补记的状态变更）不改变已冻结的抽取包", NOTICE)


def _published_after_its_source(evidence: Evidence) -> bool:
    return (evidence.git.time is not None and evidence.first_source is not None
            and evidence.git.time >= evidence.first_source)


def _check_late_derivation(records: Records, plan: Record, file: str, package: dict[str, Any],
                           evidence: Evidence, line: MainLine) -> Iterator[Problem]:
    """A package published after its randomness was public must be what the records gave
    before it: records edited once the round was known could steer the late package."""
    before, given = package_before(Path(records.root), plan.id, evidence.first_source, line)
    if given is not None and given[1] == package:
        return
    what = (package_differences(given[0], plan, given[1], package)
            or [Difference(POOL, "内容不同")]) if given else [
        Difference(POOL, "随机源公布前主分支上还没有这个计划或记录无法读取")]
    for rule, difference in what:
        # example data (frozen years after its rounds) is told, not refused; nothing discloses
        # this away for a real bureau: a steered package must never pass
        yield judged(records, _problem(
            file, rule,
            f"抽取包在随机源公布之后才公开，须与随机源公布前主分支上的记录"
            f"（提交 {before[:12] if before else '无'}）得出的抽取包一致：{difference}",
            "随机源公布后改动记录可以左右抽取：晚冻结的抽取包只能按此前的记录生成"), plan.id)


def _check_lottery_pages(plan: Record) -> Iterator[Problem]:
    """A drawn lottery value is tied to the official result page of its issue."""
    for n, source in enumerate(plan.draw.sources, start=1):
        if source.kind == "lottery" and source.result_url is None:
            path = f"draw.sources[{n}].result_url"
            yield Problem(plan.file, plan.line_of(f"draw.sources[{n}]"), "draw.lottery-page",
                          f"字段 {path}：已抽取，须填写 {source.game} 第 {source.issue} 期官方开奖公告的网址",
                          "公众据此核对 values.json 中的开奖号码（出球顺序）", ERROR, path)


def _lottery_notices(plan: Record, values: DrawFile) -> Iterator[Problem]:
    """A lottery value is typed by the bureau: never verified here, always to compare by hand."""
    for n, source in enumerate(plan.draw.sources, start=1):
        if source.kind != "lottery" or not isinstance(values.data, list) or n > len(values.data):
            continue
        page = source.result_url or "（尚未填写官方开奖公告网址）"
        yield Problem(values.file, 1, "draw.lottery-hand-check",
                      f"第 {n} 个随机值 {values.data[n - 1]!r} 是 {source.game} 第 {source.issue} 期"
                      f"（{source.date}）的开奖号码，由本局录入，无法离线核验：公众须按出球顺序与官方"
                      f"开奖公告 {page} 人工核对", "", NOTICE)


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


def _check_rounds(folder: Draw, package: dict[str, Any], values: Any) -> Iterator[Problem]:
    for n, source in enumerate(package["sources"]):
        if source.get("kind") != "drand":
            continue
        name = round_file_name(source)
        stored = folder.get(name)
        label = source_label(source)
        if stored is None:
            yield _problem(folder.folder, "draw.drand",
                           table.say("round_missing", n=n + 1, label=label)
                           + table.say("round_expected", file=name),
                           "ssj draw run 会保存所用轮次，便于离线核验")
            continue
        try:
            randomness = verify_round(source["chain"], source["round"], stored.data)
        except DrandError as e:
            yield _problem(stored.file, "draw.drand",
                           table.say("round_invalid", file=name, reason=e, n=n + 1, label=label))
            continue
        if not isinstance(values, list) or n >= len(values) or values[n] != randomness:
            value = values[n] if isinstance(values, list) and n < len(values) else "（缺失）"
            yield _problem(stored.file, "draw.drand",
                           table.say("value_mismatch", file=name, randomness=randomness,
                                     values=table.VALUES_FILE, n=n + 1, value=value, label=label))


def _check_findings(records: Records, plan: Record, result: dict[str, Any]) -> Iterator[Problem]:
    """Findings of a drawn plan inspect the drawn targets with the drawn teams (方案 二（九）)."""
    teams = {t["target"]: set(t["inspectors"]) for t in result["teams"]}
    for finding in records.findings_for_plan(plan.id):
        # 二（五）: a drawn institution's own staff are inspected with it, by its drawn team
        inst = records.institution_of(finding.target)
        team = teams.get(finding.target) or (teams.get(inst.id) if inst is not None else None)
        if team is None:
            yield Problem(finding.file, finding.line_of("target"), "draw.finding-target",
                          f"字段 target：{finding.target} 不在计划 {plan.id} 的抽取结果中",
                          "随机抽查只能检查抽中的对象；其他检查写 targeted", ERROR, "target")
        elif set(finding.inspectors) != team:
            yield Problem(finding.file, finding.line_of("inspectors"), "draw.finding-team",
                          f"字段 inspectors：应为抽取结果中的检查组 {'、'.join(sorted(team))}",
                          "检查人员由随机选派，不得更换", ERROR, "inspectors")


def verify_draws(records: Records, plans: tuple[str, ...] = (),
                 new_packages: frozenset[str] = frozenset(), now: float | None = None,
                 integrity: list[Problem] | None = None, cached: bool = False) -> list[Problem]:
    """Problems of every stored draw (or only those of `plans`) and of the redraw rules.

    `new_packages`: plans whose package is new in this change (ssj check --base); theirs must
    equal what the records give, with no appeal to history. `integrity`: the integrity
    problems, when the caller has run those checks already. `cached`: a drawn folder's
    verification may be taken from the user's cache when nothing it reads has changed
    (generator.draw.verifycache), as `ssj check` does; `ssj draw verify` verifies afresh.
    """
    now = time.time() if now is None else now
    authorities, problems = pinned_authorities(records)
    witnesses, wrongly_pinned = witness_pins(records)
    problems += wrongly_pinned
    # freeze() reads references and dates that the integrity checks vouch for; on records they
    # fault (an unknown department, say) it cannot re-derive a package, it would crash
    if integrity is None:
        integrity = check_integrity(records)
    derive = not any(p.severity == ERROR for p in integrity)
    line = main_line(Path(records.root) / DRAWS_FOLDER, now)
    if records.draws and not plans:
        problems.extend(misdated_commits(records, line,
                                         display_path(Path(records.root) / DRAWS_FOLDER)))
    if not plans:
        problems.extend(check_unfrozen(records, line, now))
        problems.extend(_check_delegated_files(records))
    timings: dict[str, Timing] = {}
    cache = open_draw_cache(records, line, now) if cached else None
    for plan_id, folder in records.draws.items():
        if plans and plan_id not in plans:
            continue
        key = cache.key(folder, plan_id in new_packages, derive) if cache else None
        stored = cache.get(key) if cache and key else None
        if stored is None:
            # read through a traced view when it is to be kept: the entry holds what it asked
            view = Traced(cache.answers) if cache and key else records
            checked = verify_draw(view, folder, authorities, now, line,  # type: ignore[arg-type]
                                  plan_id in new_packages, derive, witnesses)
            stored = (checked.problems,
                      None if checked.evidence is None else Timing.of(checked.evidence))
            if isinstance(view, Traced):
                cache.put(key, *stored, view.reads)
        problems.extend(stored[0])
        if stored[1] is not None:
            timings[plan_id] = stored[1]
    if cache is not None:
        cache.save()
    places = {f.folder for plan_id, f in records.draws.items() if plan_id in plans} | {
        plan.file for plan in records.plans if plan.id in plans}
    return problems + [p for p in check_redraws(records, timings, now)
                       if not plans or p.file in places or str(PurePosixPath(p.file).parent) in places]
