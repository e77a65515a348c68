"""`ssj new` for staff who are not programmers (issue 24), and `ssj draw round`.

Prompts are answered through click's CliRunner (`--ask`, answers on standard input): a finding
of a drawn plan is offered the draw's targets and takes the draw's team; a targeted finding is
asked its ground first; Enter skips an optional question; wrong answers are explained and
asked again a few times, never forever; choices are typed as Chinese labels, numbers or codes;
a new plan is asked when it will be drawn and declares the drand round that leaves the margin.
`ssj draw round` is checked against the spec's formula, computed here on its own.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from tests.records_tree import FIRM_ID, JURISDICTION, Run, run_ssj, valid_tree, write_tree
from tests.sitecheck import copy_example

BEIJING = dt.timezone(dt.timedelta(hours=8))
# shared/spec/draw.md: a drand round's time is genesis + (round - 1) x period
CHAINS = {"quicknet": (1692803367, 3), "default": (1595431050, 30)}


def ssj(root: Path, *args: str, answers: str | None = None) -> Run:
    """The CLI in `root`, with `answers` typed one per line (`--ask` added for `new`)."""
    here = os.getcwd()
    os.chdir(root)
    try:
        argv = [*args, "--ask"] if args[0] == "new" and answers is not None else list(args)
        result = CliRunner().invoke(cli, argv, input=answers, catch_exceptions=False)
    finally:
        os.chdir(here)
    return Run(result.exit_code, result.output)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def lines(*answers: str) -> str:
    return "".join(a + "\n" for a in answers)


def expected_round(chain: str, at: dt.datetime) -> tuple[int, dt.datetime]:
    """The first round published at or after `at`, and its time, from the spec's formula."""
    genesis, period = CHAINS[chain]
    seconds = int(at.timestamp())
    number = 1
    if seconds > genesis:
        number = (seconds - genesis + period - 1) // period + 1
    assert genesis + (number - 1) * period >= seconds > genesis + (number - 2) * period
    return number, dt.datetime.fromtimestamp(genesis + (number - 1) * period, BEIJING)


# --------------------------------------------------------------------------- a drawn finding


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The example county with finding 2026-01-01 (of the drawn plan 2026-01) not yet written."""
    copy_example(tmp_path)
    (tmp_path / "records/findings/2026-01-01.yaml").unlink()
    return tmp_path


def drawn(root: Path, plan: str) -> list[tuple[str, str, list[str]]]:
    """(target id, name, team) for each target the plan's stored draw selected, read here from
    result.json and the institution files, not through the code under test."""
    result = json.loads((root / f"records/draws/{plan}/result.json").read_text(encoding="utf-8"))
    selected = [r["id"] for s in result["strata"] for r in s["ranking"][:s["k"]]]
    teams = {t["target"]: t["inspectors"] for t in result["teams"]}
    assert sorted(selected) == sorted(teams)
    out = []
    for target in selected:
        data = yaml.safe_load((root / f"records/institutions/{target}.yaml").read_text("utf-8"))
        out.append((target, data["name"], teams[target]))
    return out


def test_a_finding_of_a_drawn_plan_offers_its_targets_and_takes_its_team(example: Path) -> None:
    targets = drawn(example, "2026-01")
    target, name, team = next(t for t in targets if t[1] == "示例青松律师事务所")
    run = ssj(example, "new", "finding", "--plan", "2026-01", answers=lines(
        name,                                   # the target, by its name
        "2026-04-14", "",                       # inspected: start, end (Enter: the same day)
        "",                                     # method: Enter takes the plan's (onsite)
        "律师事务所执业条件与登记事项,lf-02",   # items: one by title, one by code
        "未发现问题",                           # outcome, by its label
        "自查报告按时提交；实地检查未发现问题。",
        "2026-04-28"))                          # published on
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output
    for _, other, _ in targets:  # every drawn target offered, by name
        assert re.search(rf"^  [0-9]\. {other}（", run.output, re.M), other
    assert "已有检查结果 2026-01-02" in run.output  # those already inspected say so
    assert "targeted" not in run.output and "依据情形" not in run.output
    assert "inspectors（" not in run.output, "the team is the draw's, not asked"
    assert re.search(r"^  [0-9]\. 律师事务所收费与财务管理（lf-05）$", run.output, re.M)
    assert "gr-01" not in run.output, "only items of the target's sector are offered"
    assert "ssj check 通过" in run.output

    path = example / "records/findings/2026-01-01.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["plan"] == "2026-01" and data["target"] == target
    assert data["inspectors"] == team
    assert data["items"] == ["lf-01", "lf-02"]
    assert data["method"] == "onsite" and data["outcome"] == "compliant"
    assert str(data["inspected"]["end"]) == "2026-04-14"
    checked = run_ssj(example, "check")
    assert checked.exit_code == 0, checked.output


def test_without_plan_a_finding_asks_drawn_or_targeted_first(example: Path) -> None:
    targets = drawn(example, "2026-01")
    run = ssj(example, "new", "finding", answers=lines(
        "1",            # a drawn inspection
        "2026-01",      # of this plan
        next(str(n) for n, t in enumerate(targets, 1) if t[1] == "示例青松律师事务所"),
        "2026-04-14", "", "", "1", "1", "未发现问题。", "2026-04-28"))
    assert run.exit_code == 0, run.output
    assert run.output.index("这次检查是") < run.output.index("抽查计划") < run.output.index("target（")
    data = yaml.safe_load((example / "records/findings/2026-01-01.yaml").read_text("utf-8"))
    assert data["plan"] == "2026-01" and len(data["items"]) == 5  # 1: every item offered


def test_a_targeted_finding_asks_its_ground_first_and_enter_skips_optional(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    run = ssj(tmp_path, "new", "finding", answers=lines(
        "2",                   # not drawn: a targeted inspection
        "4",                   # its ground: the firm is on the abnormal list (abnormal-2025-01)
        "",                    # targeted.note: optional for a listed target, Enter skips it
        "示例青松律师事务所",   # target
        "1,2",                 # inspectors
        "2025-06-10", "",      # inspected
        "实地检查",            # method
        "",                    # items: optional for a targeted inspection, skipped: then its basis
        "收费情况", "中华人民共和国律师法", "第二十五条",
        "1", "未发现问题。",
        "2025-06-20"))
    assert run.exit_code == 0, run.output
    out = run.output
    assert out.index("这次检查是") < out.index("依据情形") < out.index("target（")
    assert "回车跳过" in out
    path = tmp_path / f"records/findings/{dt.date.today().year}-targeted-01.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["targeted"]["ground"] == "abnormal-listed"
    assert "note" not in data["targeted"] and "items" not in data
    assert data["targeted"]["basis"] == [{"matter": "收费情况", "law": "中华人民共和国律师法",
                                          "articles": "第二十五条"}]
    assert data["method"] == "onsite" and data["target"] == FIRM_ID
    assert data["inspectors"] == ["21132419001", "21132419002"]
    assert run_ssj(tmp_path, "check").exit_code == 0


def test_a_complaint_must_name_its_source(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    run = ssj(tmp_path, "new", "finding", answers=lines("非随机检查", "1", "", "", ""))
    assert run.exit_code == 2, run.output
    assert "这一项必须填写" in run.output and "targeted.note 连续 3 次" in run.output


@pytest.mark.parametrize("answers", [
    ["99", "某某律师事务所", "0"],                       # no such target, three times
    ["示例青松律师事务所", "2026-02-30", "明天", "2027-01-01"],  # three dates that are not
])
def test_wrong_answers_are_explained_and_stop_after_a_few(example: Path,
                                                          answers: list[str]) -> None:
    before = snapshot(example)
    run = ssj(example, "new", "finding", "--plan", "2026-01",
              answers=lines(*answers, *["1"] * 20))
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    assert run.output.count("请重新输入") == 2
    last = run.output.strip().splitlines()[-1]
    assert last.startswith("ssj: 未新建：") and "连续 3 次" in last and "未写入任何文件" in last
    assert snapshot(example) == before


def test_enter_on_a_required_question_is_asked_again_not_forever(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    before = snapshot(tmp_path)
    run = ssj(tmp_path, "new", "institution", answers="\n" * 50)
    assert run.exit_code == 2, run.output
    assert "这一项必须填写" in run.output and run.output.count("uscc（") == 3
    assert snapshot(tmp_path) == before


def test_input_that_ends_stops_cleanly(example: Path) -> None:
    before = snapshot(example)
    run = ssj(example, "new", "finding", "--plan", "2026-01", answers="示例青松律师事务所\n")
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "Aborted" not in run.output
    assert run.output.strip().splitlines()[-1] == "ssj: 未新建：输入已结束，未写入任何文件"
    assert snapshot(example) == before


def test_a_plan_without_a_draw_says_so(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    run = ssj(tmp_path, "new", "finding", "--plan", "2025-01", answers="")
    assert run.exit_code == 1
    assert "计划 2025-01 还没有抽取结果" in run.output and "Traceback" not in run.output


# --------------------------------------------------------------------------- choices in Chinese


def test_set_takes_a_chinese_label_and_the_file_keeps_the_code(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    run = run_ssj(tmp_path, "new", "person", "--set", "licence_number=01211300000000002",
                  "--set", "name=李某华", "--set", "role=律师", "--set", f"institution={FIRM_ID}")
    assert run.exit_code == 0, run.output
    data = yaml.safe_load((tmp_path / "records/personnel/01211300000000002.yaml")
                          .read_text(encoding="utf-8"))
    assert data["role"] == "lawyer"


def test_an_unknown_choice_lists_the_labels(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    before = snapshot(tmp_path)
    run = run_ssj(tmp_path, "new", "person", "--set", "licence_number=01211300000000002",
                  "--set", "name=李某华", "--set", "role=厨师", "--set", f"institution={FIRM_ID}")
    assert run.exit_code == 1 and len(run.output.strip().splitlines()) == 1, run.output
    assert "律师（lawyer）" in run.output and "公证员（notary）" in run.output
    assert snapshot(tmp_path) == before


def test_a_prompt_lists_choices_by_label_and_takes_a_number(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    run = ssj(tmp_path, "new", "person", "--set", "licence_number=01211300000000002",
              "--set", "name=李某华", answers=lines("2", "1"))
    assert run.exit_code == 0, run.output
    assert "  1. 律师（lawyer）\n  2. 公证员（notary）" in run.output
    data = yaml.safe_load((tmp_path / "records/personnel/01211300000000002.yaml")
                          .read_text(encoding="utf-8"))
    assert data["role"] == "notary" and data["institution"] == FIRM_ID


def test_list_choices_take_labels_numbers_and_codes(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    run = run_ssj(tmp_path, "new", "item", "--set", "sector=律师事务所", "--set", "title=收费检查",
                  "--set", "content=检查收费。", "--set", "methods=实地检查,document",
                  "--set", "subject=律师工作股", "--set", "target_kind=机构",
                  "--set", "basis.law=中华人民共和国律师法", "--set", "basis.articles=第二十五条",
                  "--set", "effective_from=2025-01-01", "--set", "published_on=2024-12-20")
    assert run.exit_code == 0, run.output
    data = yaml.safe_load((tmp_path / "records/items/law-firm-01.yaml").read_text("utf-8"))
    assert data["sector"] == "law-firm" and data["methods"] == ["onsite", "document"]
    assert data["target_kind"] == "institution" and data["subject"] == "lawyer"


# --------------------------------------------------------------------------- a new plan


PLAN = {"year": "2031", "title": "2031 年律师事务所随机抽查", "scope.sector": "律师事务所",
        "scope.ratio_percent": "20", "scope.min_count": "1", "method": "实地检查",
        "items": "lf-01", "pool_date": "2031-05-01", "schedule.start": "2031-06-01",
        "schedule.end": "2031-07-31", "mode": "直接检查", "organiser.department": "lawyer"}


def test_a_new_plan_is_asked_its_draw_time_and_declares_the_round(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    at = dt.datetime(2031, 5, 20, 9, 30, 10, tzinfo=BEIJING)
    number, published = expected_round("quicknet", at)
    sets = [a for k, v in PLAN.items() for a in ("--set", f"{k}={v}")]
    run = ssj(tmp_path, "new", "plan", *sets, answers=lines(
        "2020-01-01 10:00",          # long past: refused, with the earliest time allowed
        "2031-05-20 09:30:10",
        "2031-05-20",                # published on the day of the round: too late
        "2031-05-19"))
    assert run.exit_code == 0, run.output
    assert "太早了" in run.output and "24 小时" in run.output
    assert f"drand quicknet 第 {number} 轮，北京时间 {published:%Y-%m-%d %H:%M:%S} 公布" in run.output
    freeze = published - dt.timedelta(hours=24)
    assert f"最迟须在北京时间 {freeze:%Y-%m-%d %H:%M:%S} 前冻结" in run.output
    assert "最晚 2031-05-19" in run.output
    data = yaml.safe_load((tmp_path / "records/plans/2031-01.yaml").read_text("utf-8"))
    assert data["draw"]["sources"] == [{"kind": "drand", "chain": "quicknet", "round": number}]
    assert str(data["draw"]["held_on"]) == "2031-05-20"
    assert data["scope"][0]["sector"] == "law-firm" and data["mode"] == "direct"
    assert "ssj check 通过" in run.output
    checked = run_ssj(tmp_path, "check")
    assert checked.exit_code == 0, checked.output


def test_a_new_plan_without_a_terminal_says_how_to_find_the_round(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    sets = [a for k, v in PLAN.items() for a in ("--set", f"{k}={v}")]
    run = run_ssj(tmp_path, "new", "plan", *sets)
    assert run.exit_code == 1
    assert "draw.sources" in run.output and "ssj draw round --at" in run.output


def test_what_check_still_wants_is_named_field_by_field(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    sets = [a for k, v in {**PLAN, "draw.sources.kind": "drand", "draw.sources.chain": "quicknet",
                           "draw.sources.round": "100"}.items() for a in ("--set", f"{k}={v}")]
    run = run_ssj(tmp_path, "new", "plan", *sets)
    assert run.exit_code == 0, run.output
    assert "ssj check 还会报告" in run.output
    assert re.search(r"^  published_on（第 [0-9]+ 行）：.*公布", run.output, re.M), run.output


# --------------------------------------------------------------------------- ssj draw round


@pytest.mark.parametrize("chain, at", [
    ("quicknet", "2026-03-13 10:00"),
    ("quicknet", "2026-03-13 10:00:01"),
    ("default", "2027-01-05 08:07:59"),
])
def test_draw_round_prints_the_round_its_time_and_the_freeze_deadline(tmp_path: Path, chain: str,
                                                                      at: str) -> None:
    write_tree(tmp_path, valid_tree())  # draw_margin_hours: 24
    when = dt.datetime.fromisoformat(at).replace(tzinfo=BEIJING)
    number, published = expected_round(chain, when)
    run = ssj(tmp_path, "draw", "round", "--at", at, "--chain", chain)
    assert run.exit_code == 0, run.output
    out = run.output
    assert f"drand {chain} 第 {number} 轮：北京时间 {published:%Y-%m-%d %H:%M:%S} 公布" in out
    freeze = published - dt.timedelta(hours=24)
    assert f"最迟须在北京时间 {freeze:%Y-%m-%d %H:%M:%S} 前冻结" in out
    assert f"round: {number}" in out


def test_draw_round_uses_the_policy_margin(tmp_path: Path) -> None:
    write_tree(tmp_path, {**valid_tree(), "records/jurisdiction.yaml":
                          JURISDICTION.replace("draw_margin_hours: 24", "draw_margin_hours: 2")})
    run = ssj(tmp_path, "draw", "round", "--at", "2026-03-13 10:00:01")
    number, published = expected_round("quicknet", dt.datetime(2026, 3, 13, 10, 0, 1,
                                                               tzinfo=BEIJING))
    assert run.exit_code == 0, run.output
    assert f"第 {number} 轮" in run.output  # quicknet is the default chain
    assert f"{published - dt.timedelta(hours=2):%Y-%m-%d %H:%M:%S} 前冻结" in run.output


def test_draw_round_without_records_uses_the_spec_default(tmp_path: Path) -> None:
    run = ssj(tmp_path, "draw", "round", "--at", "2026-03-13 10:00")
    assert run.exit_code == 0, run.output
    assert "2026-03-12 10:00:00 前冻结" in run.output and "默认 24 小时" in run.output


def test_draw_round_refuses_a_time_it_cannot_read(tmp_path: Path) -> None:
    run = ssj(tmp_path, "draw", "round", "--at", "明天上午")
    assert run.exit_code == 2 and "2026-03-13 10:00" in run.output


def test_the_margin_never_goes_below_the_floor() -> None:
    from generator.draw.rounds import margin_hours
    from generator.records.model import Fields

    assert margin_hours(Fields({"draw_margin_hours": 0}), 1.8e9) == 1
    assert margin_hours(Fields({"draw_margin_hours": 48}), 1.8e9) == 48
    assert margin_hours(None, 1.8e9) == 24
