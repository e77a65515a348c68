"""The append-only audit (`ssj check --base REV`): what has been published stays as published.

Each case commits a small records tree to a fresh git repository, edits the working tree the way
staff might, and runs `ssj check --base HEAD` from the repository root. Published findings, list
entries, credit notices, amendments, frozen plans and draw files may only grow (empty fields
filled in, lists extended at the end); drafts stay editable; corrections are new amendments.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.records.timing import BEIJING
from tests.records_tree import (FINDING, FIRM_ID, PLAN, Run, inspector, run_ssj, valid_tree,
                                write_tree)

ROOT = Path(__file__).resolve().parent.parent
RULE = "audit.append-only"
HINT = "更正请在 amendments/ 新建更正记录并写明理由"
AS_OF = "2025-08-01"  # every pending follow-up below is still within its deadline on this day

GIT_ENV = {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

FINDING_FILE = "records/findings/2025-01-01.yaml"
DRAFT_FILE = "records/findings/2025-01-02.yaml"
LIST_FILE = "records/lists/abnormal-2025-01.yaml"
NOTICE_FILE = "records/credit-notices/cn-2025-01.yaml"
PLAN_FILE = "records/plans/2025-01.yaml"
AMENDMENT_FILE = "records/amendments/2025-01-01-a1.yaml"

# The published finding of valid_tree() with handling and follow-ups. Its lines:
#   4 inspectors   10 outcome   11 result   12 published_on
#   13 handling (14 its item, 15 date)   17 follow_ups (18 first item: done, 19 its visited_on;
#   22 second item: pending)
PUBLISHED = FINDING + """\
handling:
  - action: rectification-ordered
    date: 2025-04-12
    detail: 责令限期整改。
follow_ups:
  - due: 2025-06-30
    visited_on: 2025-06-20
    outcome: partly-rectified
    note: 部分整改。
  - due: 2025-09-30
"""

# A draft: inspected, written up, not yet published (no published_on).
DRAFT = f"""\
id: 2025-01-02
targeted: {{ground: complaint, note: 再次收到投诉。}}
target: "{FIRM_ID}"
inspectors: ["21132419003", "21132419004"]
inspected:
  start: 2025-07-25
  end: 2025-07-25
method: onsite
items: [lf-01]
outcome: compliant
result: 未发现问题。
"""

AMENDMENT = """\
id: 2025-01-01-a1
record: 2025-01-01
date: 2025-05-10
reason: 公示时漏写了投诉的受理日期。
correction: 检查依据补充为“2025 年 4 月 8 日收到群众投诉”；原公示的其他内容不变。
"""


def base_tree() -> dict[str, str | bytes]:
    """valid_tree() with follow-ups on its published finding, a draft and an amendment."""
    return {
        **valid_tree(),
        FINDING_FILE: PUBLISHED,
        "records/inspectors/21132419003.yaml": inspector("21132419003", "lawyer"),
        "records/inspectors/21132419004.yaml": inspector("21132419004", "supervision"),
        DRAFT_FILE: DRAFT,
        AMENDMENT_FILE: AMENDMENT,
    }


# --------------------------------------------------------------------------- helpers


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                           *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True,
                          capture_output=True, text=True)
    return done.stdout


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "基准")


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    """A git repository at `root` whose one commit holds `files`."""
    root.mkdir(parents=True, exist_ok=True)
    write_tree(root, files)
    git(root, "init", "-q")
    commit(root)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", base_tree())


@pytest.fixture(scope="module")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example county (it has frozen and drawn plans) committed to a git repository."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(ROOT / "records", root / "records")
    git(root, "init", "-q")
    commit(root)
    return root


@pytest.fixture
def example(example_repo: Path) -> Path:
    """The example repository; whatever a test changes (or commits) is put back afterwards."""
    yield example_repo
    first = git(example_repo, "rev-list", "--max-parents=0", "HEAD").split()[0]
    git(example_repo, "reset", "-q", "--hard", first)
    git(example_repo, "clean", "-q", "-fdx")


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in the file `name` (relative to `root`)."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def audit(root: Path, *args: str) -> Run:
    return run_ssj(root, "check", "--base", "HEAD", "--as-of", AS_OF, *args)


def audit_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if f"[{RULE}]" in line]


def assert_refused(run: Run, file: str, line: int, *says: str) -> str:
    """Exit 1 and an audit problem on `file`:`line` saying `says`; returns that problem line."""
    assert "Traceback" not in run.output
    assert run.exit_code == 1, run.output
    found = [x for x in audit_lines(run.output)
             if x.startswith(f"{file}:{line}: 错误 [{RULE}] ")]
    assert found, f"no {RULE} problem at {file}:{line} in:\n{run.output}"
    problem = found[0]
    for text in says:
        assert text in problem, (text, problem)
    assert re.search(r"[\u4e00-\u9fff]", problem.split(f"[{RULE}]", 1)[1])  # a Chinese message
    assert len(problem) < 300, problem
    return problem


def assert_passes(run: Run) -> None:
    assert "Traceback" not in run.output
    assert not audit_lines(run.output), run.output
    assert run.exit_code == 0, run.output


# --------------------------------------------------------------------------- the base itself


def test_an_unchanged_tree_passes(repo: Path) -> None:
    assert_passes(audit(repo))


def test_the_example_county_committed_and_unchanged_passes(example: Path) -> None:
    run = run_ssj(example, "check", "--base", "HEAD")
    assert run.exit_code == 0, run.output
    assert not audit_lines(run.output)


# --------------------------------------------------------------------------- published findings


def test_deleting_a_published_finding_fails(repo: Path) -> None:
    (repo / FINDING_FILE).unlink()
    assert_refused(audit(repo), FINDING_FILE, 1, "2025-01-01", "删除", HINT)


def test_renaming_a_published_finding_fails(repo: Path) -> None:
    (repo / FINDING_FILE).unlink()
    write_tree(repo, {"records/findings/2025-01-09.yaml":
                      PUBLISHED.replace("id: 2025-01-01", "id: 2025-01-09")})
    assert_refused(audit(repo), FINDING_FILE, 1, "2025-01-01", "改名")


@pytest.mark.parametrize("old, new, line, field", [
    ("result: 通过登记的住所无法联系。", "result: 经核实可以联系。", 11, "result"),
    ("outcome: unreachable", "outcome: compliant", 10, "outcome"),
    ('inspectors: ["21132419001", "21132419002"]', 'inspectors: ["21132419001", "21132419003"]',
     4, "inspectors[2]"),
    ("published_on: 2025-04-20", "published_on: 2025-04-25", 12, "published_on"),
    ("  start: 2025-04-10", "  start: 2025-04-09", 6, "inspected.start"),
    ("    date: 2025-04-12", "    date: 2025-04-13", 15, "handling[1].date"),
    ("    visited_on: 2025-06-20", "    visited_on: 2025-06-21", 19, "follow_ups[1].visited_on"),
], ids=["result", "outcome", "inspectors", "published_on", "inspected", "handling", "follow-up"])
def test_rewriting_a_published_finding_fails(repo: Path, old: str, new: str, line: int,
                                             field: str) -> None:
    edit(repo, FINDING_FILE, old, new)
    assert_refused(audit(repo), FINDING_FILE, line, f"字段 {field}", "已公开的检查结果 2025-01-01",
                   "被改动", "HEAD", HINT)


def test_unpublishing_a_published_finding_fails(repo: Path) -> None:
    edit(repo, FINDING_FILE, "published_on: 2025-04-20\n", "")
    problem = assert_refused(audit(repo), FINDING_FILE, 1, "published_on", "2025-01-01")
    assert "被改动" in problem


def test_removing_a_follow_up_item_fails(repo: Path) -> None:
    edit(repo, FINDING_FILE, "  - due: 2025-09-30\n", "")
    assert_refused(audit(repo), FINDING_FILE, 17, "字段 follow_ups", "2025-01-01")


def test_removing_the_first_follow_up_item_fails(repo: Path) -> None:
    edit(repo, FINDING_FILE, "  - due: 2025-06-30\n    visited_on: 2025-06-20\n"
         "    outcome: partly-rectified\n    note: 部分整改。\n", "")
    run = audit(repo)
    assert run.exit_code == 1
    assert any(x.startswith(f"{FINDING_FILE}:") and "follow_ups" in x
               for x in audit_lines(run.output)), run.output


def test_inserting_a_follow_up_before_the_others_fails(repo: Path) -> None:
    edit(repo, FINDING_FILE, "follow_ups:\n", "follow_ups:\n  - due: 2025-05-31\n"
         "    visited_on: 2025-05-30\n    outcome: not-rectified\n")
    run = audit(repo)
    assert run.exit_code == 1
    assert any("follow_ups[1]" in x for x in audit_lines(run.output)), run.output


def test_adding_a_follow_up_item_passes(repo: Path) -> None:
    edit(repo, FINDING_FILE, "  - due: 2025-09-30\n",
         "  - due: 2025-09-30\n  - due: 2025-12-31\n    note: 第二次回访。\n")
    assert_passes(audit(repo))


def test_filling_in_a_pending_follow_up_passes(repo: Path) -> None:
    edit(repo, FINDING_FILE, "  - due: 2025-09-30\n",
         "  - due: 2025-09-30\n    visited_on: 2025-07-25\n    outcome: rectified\n")
    assert_passes(audit(repo))


def test_adding_a_later_handling_item_passes(repo: Path) -> None:
    edit(repo, FINDING_FILE, "    detail: 责令限期整改。\n",
         "    detail: 责令限期整改。\n  - action: interview\n    date: 2025-07-01\n"
         "    detail: 约谈负责人。\n")
    assert_passes(audit(repo))


def test_filling_in_an_empty_field_of_a_published_finding_passes(repo: Path) -> None:
    edit(repo, FINDING_FILE, "published_on: 2025-04-20\n",
         "published_on: 2025-04-20\nnotes: 内部备注：已电话告知负责人。\n")
    assert_passes(audit(repo))


@pytest.mark.parametrize("added", [
    '"21132419001", "21132419002", "21132419003"',
    '"21132419003", "21132419001", "21132419002"',
], ids=["at-the-end", "at-the-start"])
def test_adding_an_inspector_to_a_published_finding_fails(repo: Path, added: str) -> None:
    # inspectors is not a history: who inspected is what was published
    edit(repo, FINDING_FILE, '"21132419001", "21132419002"', added)
    assert_refused(audit(repo), FINDING_FILE, 4, "字段 inspectors", "已公开的检查结果 2025-01-01",
                   "被改动", "handling、guidance、follow_ups 末尾追加")


def test_adding_an_item_to_a_published_finding_fails(repo: Path) -> None:
    edit(repo, FINDING_FILE, "items: [lf-01]", "items: [lf-01, lf-02]")
    assert_refused(audit(repo), FINDING_FILE, 9, "字段 items", "2025-01-01")


def test_adding_guidance_to_a_published_finding_passes(repo: Path) -> None:
    edit(repo, FINDING_FILE, "follow_ups:\n", "guidance:\n  - kind: reminder\n    date: 2025-07-01\n"
         "    detail: 书面提醒按期整改。\nfollow_ups:\n")
    assert_passes(audit(repo))


def test_comments_and_layout_of_a_published_finding_may_change(repo: Path) -> None:
    edit(repo, FINDING_FILE, 'inspectors: ["21132419001", "21132419002"]',
         '# 检查人员\ninspectors:\n  - "21132419001"   # 组长\n  - "21132419002"')
    assert_passes(audit(repo))


# --------------------------------------------------------------------------- drafts


def test_editing_a_draft_finding_passes(repo: Path) -> None:
    edit(repo, DRAFT_FILE, "result: 未发现问题。", "result: 未发现问题，已给予行政指导。")
    edit(repo, DRAFT_FILE, "method: onsite", "method: document")
    edit(repo, DRAFT_FILE, "  end: 2025-07-25", "  end: 2025-07-26")
    assert_passes(audit(repo))


def test_deleting_a_draft_finding_passes(repo: Path) -> None:
    (repo / DRAFT_FILE).unlink()
    assert_passes(audit(repo))


def test_publishing_a_draft_passes(repo: Path) -> None:
    edit(repo, DRAFT_FILE, "result: 未发现问题。\n", "result: 未发现问题。\npublished_on: 2025-07-30\n")
    assert_passes(audit(repo))


# --------------------------------------------------------------------------- list entries


def test_editing_a_list_entry_reason_fails(repo: Path) -> None:
    edit(repo, LIST_FILE, "reason: 通过登记的住所无法联系。", "reason: 经多次联系均未果。")
    assert_refused(audit(repo), LIST_FILE, 5, "字段 reason", "名录记录 abnormal-2025-01", "被改动")


def test_deleting_a_list_entry_fails(repo: Path) -> None:
    (repo / LIST_FILE).unlink()
    assert_refused(audit(repo), LIST_FILE, 1, "名录记录 abnormal-2025-01", "删除")


def test_adding_an_exit_to_a_list_entry_passes(repo: Path) -> None:
    path = repo / LIST_FILE
    path.write_text(path.read_text(encoding="utf-8")
                    + "exit:\n  date: 2025-07-20\n  reason: 已恢复联系并整改。\n", encoding="utf-8")
    assert_passes(audit(repo))


# --------------------------------------------------------------------------- credit notices, amendments


def test_editing_a_credit_notice_fails(repo: Path) -> None:
    edit(repo, NOTICE_FILE, "platform: 信用中国", "platform: 信用中国（辽宁）")
    assert_refused(audit(repo), NOTICE_FILE, 4, "字段 platform", "信用平台公示 cn-2025-01", "被改动")


def test_deleting_a_credit_notice_fails(repo: Path) -> None:
    (repo / NOTICE_FILE).unlink()
    assert_refused(audit(repo), NOTICE_FILE, 1, "cn-2025-01", "删除")


def test_editing_an_amendment_fails(repo: Path) -> None:
    edit(repo, AMENDMENT_FILE, "原公示的其他内容不变。", "其他内容不变。")
    assert_refused(audit(repo), AMENDMENT_FILE, 5, "字段 correction", "更正 2025-01-01-a1",
                   "被改动")


def test_deleting_an_amendment_fails(repo: Path) -> None:
    (repo / AMENDMENT_FILE).unlink()
    assert_refused(audit(repo), AMENDMENT_FILE, 1, "更正 2025-01-01-a1", "删除")


# --------------------------------------------------------------------------- plans and draws


def test_editing_a_frozen_plan_fails(example: Path) -> None:
    # records/draws/2025-01/package.json exists at the base: the plan is frozen
    edit(example, PLAN_FILE, "  end: 2025-05-30", "  end: 2025-06-30")
    run = run_ssj(example, "check", "--base", "HEAD")
    assert_refused(run, PLAN_FILE, 17, "字段 schedule.end", "抽查计划 2025-01", "被改动")


def test_adding_a_witness_to_a_frozen_plan_fails(example: Path) -> None:
    edit(example, PLAN_FILE, "      capacity: 法律服务机构代表\n",
         "      capacity: 法律服务机构代表\n    - name: 王某\n      capacity: 群众代表\n")
    run = run_ssj(example, "check", "--base", "HEAD")
    assert_refused(run, PLAN_FILE, 28, "字段 draw.witnesses", "抽查计划 2025-01", "只能填写空字段")


# A plan announced for a later day (published_on after today), with a source after that: a draft
# until its day, however it is edited; the valid tree's plan 2025-01 was published 2023-08-01.
LATER_PLAN_FILE = "records/plans/2090-01.yaml"
LATER_PLAN = (PLAN.replace("2025-01", "2090-01").replace("year: 2025", "year: 2090")
              .replace("2025 年", "2090 年").replace("pool_date: 2025-03-01", "pool_date: 2090-05-01")
              .replace("start: 2025-04-01", "start: 2090-07-01")
              .replace("end: 2025-05-31", "end: 2090-08-31")
              .replace("round: 1000", "round: 702385012")
              .replace("published_on: 2023-08-01", "published_on: 2090-04-01"))


def test_editing_a_published_plan_without_a_draw_package_fails(repo: Path) -> None:
    # published on 2023-08-01, never frozen: what the public read stays as it was (issue 20)
    assert not (repo / "records" / "draws").exists()
    edit(repo, PLAN_FILE, "  end: 2025-05-31", "  end: 2025-06-30")
    assert_refused(audit(repo), PLAN_FILE, 13, "字段 schedule.end", "已公开的抽查计划 2025-01",
                   "被改动", HINT)


def test_changing_a_published_plans_source_fails(repo: Path) -> None:
    edit(repo, PLAN_FILE, "      round: 1000", "      round: 2000")
    assert_refused(audit(repo), PLAN_FILE, 21, "字段 draw.sources[1].round", "抽查计划 2025-01")


def test_deleting_a_published_plan_fails(repo: Path) -> None:
    (repo / PLAN_FILE).unlink()
    assert_refused(audit(repo), PLAN_FILE, 1, "已公开的抽查计划 2025-01", "删除")


def test_filling_in_an_empty_field_of_a_published_plan_passes(repo: Path) -> None:
    path = repo / PLAN_FILE
    path.write_text(path.read_text(encoding="utf-8") + "description: 抽取当天在县局会议室进行。\n",
                    encoding="utf-8")
    assert_passes(audit(repo))


def test_editing_a_plan_announced_for_a_later_day_passes(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {**base_tree(), LATER_PLAN_FILE: LATER_PLAN})
    edit(root, LATER_PLAN_FILE, "  end: 2090-08-31", "  end: 2090-09-30")
    edit(root, LATER_PLAN_FILE, "      round: 702385012", "      round: 702385013")
    assert_passes(audit(root))
    (root / LATER_PLAN_FILE).unlink()
    assert_passes(audit(root))


def test_a_plan_announced_for_a_later_day_whose_base_cannot_be_read_stays_editable(
        tmp_path: Path) -> None:
    root = unreadable_base_repo(tmp_path / "repo", LATER_PLAN_FILE, LATER_PLAN)
    edit(root, LATER_PLAN_FILE, "  end: 2090-08-31", "  end: 2090-09-30")
    assert_passes(audit(root))


def test_a_published_plan_whose_base_cannot_be_read_may_not_change(tmp_path: Path) -> None:
    root = unreadable_base_repo(tmp_path / "repo", PLAN_FILE, str(valid_tree()[PLAN_FILE]))
    edit(root, PLAN_FILE, "  end: 2025-05-31", "  end: 2025-06-30")
    assert_refused(audit(root), PLAN_FILE, 1, "抽查计划 2025-01", "被改动", "无法核对")


DRAW_FILES = ["package.json", "commitment.txt", "values.json", "result.json",
              "drand-quicknet-1000.json"]


def _one_byte_changed(data: bytes) -> bytes:
    """`data` with its last hex digit (or last digit) changed, otherwise the same file."""
    text = data.decode("utf-8")
    match = list(re.finditer(r"[0-9a-f]", text))[-1]
    digit = "1" if match.group() != "1" else "2"
    return (text[:match.start()] + digit + text[match.end():]).encode("utf-8")


@pytest.mark.parametrize("name", DRAW_FILES)
def test_changing_a_draw_file_fails(example: Path, name: str) -> None:
    path = example / "records" / "draws" / "2025-01" / name
    path.write_bytes(_one_byte_changed(path.read_bytes()))
    where = f"records/draws/2025-01/{name}"
    assert_refused(run_ssj(example, "check", "--base", "HEAD"), where, 1, "抽取文件", "被改动")


@pytest.mark.parametrize("name", DRAW_FILES)
def test_deleting_a_draw_file_fails(example: Path, name: str) -> None:
    (example / "records" / "draws" / "2025-01" / name).unlink()
    where = f"records/draws/2025-01/{name}"
    assert_refused(run_ssj(example, "check", "--base", "HEAD"), where, 1, "抽取文件", "被删除")


def test_every_problem_is_one_line_when_a_commitment_gains_a_line(example: Path) -> None:
    path = example / "records" / "draws" / "2025-01" / "commitment.txt"
    path.write_bytes(path.read_bytes() + b"x\n")
    run = run_ssj(example, "check", "--base", "HEAD")
    assert run.exit_code == 1
    problem = re.compile(r"^\S+:[0-9]+: (错误|警告|提示) \[[a-z]+\.[a-z-]+\] \S")
    lines = run.output.splitlines()
    assert lines[-1].startswith("ssj check ")
    for line in lines[:-1]:
        assert problem.match(line), line


# --------------------------------------------------------------------------- unreadable bases

# A field an older ssj accepted (here one it never knew) makes the base copy unreadable today.
OLD_FIELD = "reviewed_by: 李某\n"


def unreadable_base_repo(root: Path, name: str, text: str) -> Path:
    """base_tree() with `name` holding `text` plus OLD_FIELD at the base, and without it now."""
    repo = make_repo(root, {**base_tree(), name: text + OLD_FIELD})
    write_tree(repo, {name: text})
    return repo


def test_rewriting_a_published_finding_whose_base_cannot_be_read_fails(tmp_path: Path) -> None:
    repo = unreadable_base_repo(tmp_path / "repo", FINDING_FILE, PUBLISHED)
    edit(repo, FINDING_FILE, "outcome: unreachable", "outcome: compliant")
    assert_refused(audit(repo), FINDING_FILE, 1, "已公开的检查结果 2025-01-01", "被改动",
                   "reviewed_by", "无法核对")


@pytest.mark.parametrize("name, text, says", [
    (FINDING_FILE, PUBLISHED, "检查结果 2025-01-01"),
    (LIST_FILE, None, "名录记录 abnormal-2025-01"),
    (NOTICE_FILE, None, "信用平台公示 cn-2025-01"),
], ids=["finding", "list-entry", "credit-notice"])
def test_deleting_a_published_record_whose_base_cannot_be_read_fails(
        tmp_path: Path, name: str, text: str | None, says: str) -> None:
    repo = unreadable_base_repo(tmp_path / "repo", name, text or str(valid_tree()[name]))
    (repo / name).unlink()
    assert_refused(audit(repo), name, 1, says, "被删除")


def test_a_frozen_plan_whose_base_cannot_be_read_may_not_change(example: Path) -> None:
    plan = (example / PLAN_FILE).read_text(encoding="utf-8")
    (example / PLAN_FILE).write_text(plan + OLD_FIELD, encoding="utf-8")
    commit(example)
    (example / PLAN_FILE).write_text(plan.replace("  end: 2025-05-30", "  end: 2025-06-30"),
                                     encoding="utf-8")
    run = run_ssj(example, "check", "--base", "HEAD")
    assert_refused(run, PLAN_FILE, 1, "抽查计划 2025-01", "被改动")


def test_an_unreadable_base_copy_left_as_it_is_is_a_load_error_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**base_tree(), FINDING_FILE: PUBLISHED + OLD_FIELD})
    run = audit(repo)
    assert run.exit_code == 1 and not audit_lines(run.output), run.output
    assert f"{FINDING_FILE}:" in run.output and "reviewed_by" in run.output


def test_a_draft_whose_base_cannot_be_read_stays_editable(tmp_path: Path) -> None:
    repo = unreadable_base_repo(tmp_path / "repo", DRAFT_FILE, DRAFT)
    edit(repo, DRAFT_FILE, "result: 未发现问题。", "result: 未发现问题，已给予行政指导。")
    assert_passes(audit(repo))


def test_a_finding_whose_base_is_not_even_yaml_counts_as_published(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**base_tree(), DRAFT_FILE: DRAFT + "result: [未写完\n"})
    write_tree(repo, {DRAFT_FILE: DRAFT})
    assert_refused(audit(repo), DRAFT_FILE, 1, "检查结果 2025-01-02", "被改动")


# --------------------------------------------------------------------------- corrections


class _TextById(HTMLParser):
    """The text of each element that has an id (nested text included), and of the whole page."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.by_id: dict[str, list[str]] = {}
        self.all: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        element_id = dict(attrs).get("id")
        if element_id:
            self.by_id.setdefault(element_id, [])
        self.open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        self.all.append(data)
        for _, element_id in self.open:
            if element_id:
                self.by_id[element_id].append(data)


def page_text(path: Path) -> _TextById:
    parser = _TextById()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def squash(text: str) -> str:
    return "".join(text.split())


def test_a_correction_made_the_right_way_passes_and_is_shown_beside_the_original(
        tmp_path: Path) -> None:
    files = base_tree()
    del files[AMENDMENT_FILE]
    # `ssj build` checks as of today: nothing may be overdue then (a draft, a pending follow-up)
    del files[DRAFT_FILE]
    files[FINDING_FILE] = PUBLISHED.replace("  - due: 2025-09-30\n", "  - due: 2025-09-30\n"
                                            "    visited_on: 2025-07-20\n    outcome: rectified\n")
    root = make_repo(tmp_path / "repo", files)
    write_tree(root, {AMENDMENT_FILE: AMENDMENT})
    assert_passes(audit(root))

    out = tmp_path / "out"
    built = run_ssj(root, "build", "--site", str(ROOT / "site"), "--out", str(out))
    assert built.exit_code == 0, built.output
    page = page_text(out / "findings" / "2025-01-01.html")
    # as typed, "2025 年 4 月 8 日"; the page sets dates as its own text does
    correction = squash("检查依据补充为“2025年4月8日收到群众投诉”；原公示的其他内容不变。")
    reason = squash("公示时漏写了投诉的受理日期。")
    assert correction in squash("".join(page.all))
    # the amendment is an element of its own on the original's page, with its reason and date
    assert "2025-01-01-a1" in page.by_id, sorted(page.by_id)
    shown = squash("".join(page.by_id["2025-01-01-a1"]))
    assert correction in shown and reason in shown and "2025年5月10日" in shown
    # and the original stays as it was published
    assert squash("通过登记的住所无法联系。") in squash("".join(page.all))


# --------------------------------------------------------------------------- the base revision


def test_a_bad_revision_is_a_usage_error_in_one_line(repo: Path) -> None:
    run = run_ssj(repo, "check", "--base", "no-such-revision")
    assert run.exit_code == 2
    assert "Traceback" not in run.output
    lines = run.output.strip().splitlines()
    assert len(lines) == 1, run.output
    assert "no-such-revision" in lines[0] and "基准版本" in lines[0]


def test_a_revision_before_the_first_commit_is_a_usage_error(repo: Path) -> None:
    run = run_ssj(repo, "check", "--base", "HEAD~1")
    assert run.exit_code == 2
    assert len(run.output.strip().splitlines()) == 1, run.output


def test_a_repository_without_commits_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    git(tmp_path, "init", "-q")
    run = run_ssj(tmp_path, "check", "--base", "HEAD")
    assert run.exit_code == 2
    assert "Traceback" not in run.output
    assert len(run.output.strip().splitlines()) == 1, run.output


def test_an_option_like_revision_is_a_usage_error(repo: Path) -> None:
    run = run_ssj(repo, "check", "--base=--output=x")
    assert run.exit_code == 2
    assert len(run.output.strip().splitlines()) == 1, run.output
    assert not (repo / "records" / "x").exists() and not (repo / "x").exists()


def test_base_outside_a_git_repository_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write_tree(tmp_path, valid_tree())
    run = run_ssj(tmp_path, "check", "--base", "HEAD")
    assert run.exit_code == 2
    assert "Traceback" not in run.output
    lines = run.output.strip().splitlines()
    assert len(lines) == 1, run.output
    assert lines[0].startswith("ssj: ") and "基准版本" in lines[0]


def test_records_below_the_repository_root(tmp_path: Path) -> None:
    files = {f"data/{name}": text for name, text in base_tree().items()}
    root = make_repo(tmp_path / "repo", files)
    edit(root, f"data/{FINDING_FILE}", "outcome: unreachable", "outcome: compliant")
    run = run_ssj(root, "check", "--records", "data/records", "--base", "HEAD", "--as-of", AS_OF)
    assert_refused(run, f"data/{FINDING_FILE}", 10, "字段 outcome")


def test_an_older_base_sees_what_was_published_then(repo: Path) -> None:
    # published after the base: still free at that base, protected at the next one
    edit(repo, DRAFT_FILE, "result: 未发现问题。\n", "result: 未发现问题。\npublished_on: 2025-07-30\n")
    commit(repo)
    edit(repo, DRAFT_FILE, "result: 未发现问题。", "result: 未发现问题，已给予行政指导。")
    assert_passes(run_ssj(repo, "check", "--base", "HEAD~1", "--as-of", AS_OF))
    assert_refused(audit(repo), DRAFT_FILE, 11, "字段 result", "2025-01-02")


# --------------------------------------------------------------------------- CI output


def _findings(count: int) -> dict[str, str]:
    """`count` published findings 2025-01-01 …, all copies of the valid tree's one."""
    return {f"records/findings/2025-01-{n:02d}.yaml": FINDING.replace("id: 2025-01-01",
                                                                         f"id: 2025-01-{n:02d}")
            for n in range(1, count + 1)}


def test_github_format_annotates_and_summarises_every_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    count = 14
    root = make_repo(tmp_path / "repo", {**valid_tree(), **_findings(count)})
    for n in range(1, count + 1):
        edit(root, f"records/findings/2025-01-{n:02d}.yaml", "result: 通过登记的住所无法联系。",
             f"result: 第 {n} 次改写 | 管道符。")
    summary = tmp_path / "summary.md"
    summary.write_text("# 之前的内容\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, ["check", "--format", "github", "--base", "HEAD"],
                                    catch_exceptions=False)
    finally:
        os.chdir(here)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output

    annotations = [x for x in result.stdout.splitlines() if x.startswith("::")]
    for n in range(1, count + 1):
        wanted = (f"::error file=records/findings/2025-01-{n:02d}.yaml,line=11,"
                  f"title={RULE}::")
        assert any(x.startswith(wanted) for x in annotations), (wanted, result.stdout)
    assert all(re.match(r"::(error|warning|notice) file=[^,]+,line=[0-9]+,title=", x)
               for x in annotations)

    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# 之前的内容\n"), "the job summary is appended to, not replaced"
    assert "| 位置 | 程度 | 规则 | 问题 | 提示 |" in text
    rows = [x for x in text.splitlines() if x.startswith("| `")]
    assert len(rows) == len(annotations) >= count
    for n in range(1, count + 1):
        row = [x for x in rows if x.startswith(f"| `records/findings/2025-01-{n:02d}.yaml:11` |")]
        assert len(row) == 1, (n, text)
        assert f"`{RULE}`" in row[0] and "错误" in row[0] and "字段 result" in row[0]
    assert "未通过" in text


# --------------------------------------------------------------------------- irregularity notices

IRREGULARITY_FILE = "records/irregularities/2025-01-irregularity-01.yaml"
IRREGULARITY = """\
id: 2025-01-irregularity-01
kind: late-timestamp
plan: 2025-01
published_on: 2025-06-01
reason: 时间戳服务中断，抽取包的时间戳晚于规定。
"""
IRREGULARITY_HINT = "抽取异常说明一经公布不得删改"


@pytest.fixture
def noticed(tmp_path: Path) -> Path:
    """base_tree() with an irregularity notice about its plan, committed."""
    return make_repo(tmp_path / "repo", {**base_tree(), IRREGULARITY_FILE: IRREGULARITY})


def test_an_unchanged_irregularity_notice_passes(noticed: Path) -> None:
    assert_passes(audit(noticed))


@pytest.mark.parametrize("old, new, line, field", [
    ("reason: 时间戳服务中断，抽取包的时间戳晚于规定。", "reason: 时间戳服务中断。", 5, "reason"),
    ("kind: late-timestamp", "kind: late-publication", 2, "kind"),
    ("published_on: 2025-06-01", "published_on: 2025-06-02", 4, "published_on"),
], ids=["reason", "kind", "published_on"])
def test_rewriting_an_irregularity_notice_fails(noticed: Path, old: str, new: str, line: int,
                                                field: str) -> None:
    edit(noticed, IRREGULARITY_FILE, old, new)
    assert_refused(audit(noticed), IRREGULARITY_FILE, line, f"字段 {field}",
                   "已公开的抽取异常说明 2025-01-irregularity-01", "被改动", IRREGULARITY_HINT)


def test_deleting_an_irregularity_notice_fails(noticed: Path) -> None:
    (noticed / IRREGULARITY_FILE).unlink()
    assert_refused(audit(noticed), IRREGULARITY_FILE, 1, "抽取异常说明 2025-01-irregularity-01",
                   "删除", IRREGULARITY_HINT)


def test_the_example_countys_irregularity_notice_may_not_be_edited(example: Path) -> None:
    name = "records/irregularities/2026-01-irregularity-01.yaml"
    edit(example, name, "kind: late-timestamp", "kind: late-draw")
    run = run_ssj(example, "check", "--base", "HEAD")
    assert_refused(run, name, 3, "字段 kind", "抽取异常说明 2026-01-irregularity-01", "被改动")


def test_adding_an_irregularity_notice_passes(repo: Path) -> None:
    write_tree(repo, {IRREGULARITY_FILE: IRREGULARITY})
    assert_passes(audit(repo))


# --------------------------------------------------------------------------- the draw policy
# Once the base has a frozen package, the policy that judged it stays: jurisdiction.yaml's first
# values do not change, dated changes are appended from the day they are made, and a pinned
# authority stays as its tokens were verified (issue 20).

POLICY_RULE = "audit.policy"
JURISDICTION_FILE = "records/jurisdiction.yaml"
RETROACTIVE = "已冻结的抽取按冻结时的规则判断，修改只能自今日或以后生效"


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def policy_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if f"[{POLICY_RULE}]" in line]


def line_of(root: Path, name: str, text: str, nth: int | None = None) -> int:
    """The number of the one line of `name` that starts with `text` (leading spaces ignored), or
    of the `nth` such line."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if line.lstrip().startswith(text)]
    assert len(found) == 1 or nth is not None, (name, text, found)
    return found[0 if nth is None else nth - 1]


def assert_policy_refused(run: Run, line: int, *says: str) -> str:
    assert "Traceback" not in run.output
    assert run.exit_code == 1, run.output
    found = [x for x in policy_lines(run.output)
             if x.startswith(f"{JURISDICTION_FILE}:{line}: 错误 [{POLICY_RULE}] ")]
    assert found, f"no {POLICY_RULE} problem at line {line} in:\n{run.output}"
    for text in says:
        assert text in found[0], (text, found[0])
    assert len(found[0]) < 300, found[0]
    return found[0]


def assert_policy_passes(run: Run) -> None:
    assert "Traceback" not in run.output
    assert not policy_lines(run.output) and not audit_lines(run.output), run.output
    assert run.exit_code == 0, run.output


def check_example(root: Path, base: str = "HEAD") -> Run:
    return run_ssj(root, "check", "--base", base)


def change(day: dt.date, reason: str = "按上级要求调整。", **values: int) -> str:
    """A policy.draw_changes item from `day`."""
    lines = [f"    - from: {day.isoformat()}"]
    lines += [f"      {k}: {v}" for k, v in values.items()]
    return "\n".join(lines + [f"      reason: {reason}"]) + "\n"


def add_changes(root: Path, *items: str) -> None:
    """policy.draw_changes with `items`, right after the policy's max_revisions line."""
    path = root / JURISDICTION_FILE
    text = path.read_text(encoding="utf-8")
    start = text.index("\n  max_revisions:") + 1
    end = text.index("\n", start) + 1
    head = "" if "\n  draw_changes:\n" in text else "  draw_changes:\n"
    if head:
        text = text[:end] + head + "".join(items) + text[end:]
    else:
        at = text.index("\n  draw_changes:\n") + len("\n  draw_changes:\n")
        while text[at:].startswith("    "):
            at = text.index("\n", at) + 1
        text = text[:at] + "".join(items) + text[at:]
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("old, new, field, says", [
    ("  draw_margin_hours: 24 ", "  draw_margin_hours: 12 ", "draw_margin_hours", "24 改为 12"),
    ("  max_revisions: 1 ", "  max_revisions: 3 ", "max_revisions", "1 改为 3"),
    ("  max_revisions: 1 ", "  timestamp_quorum: 1\n  max_revisions: 1 ", "timestamp_quorum",
     "未填 改为 1"),
], ids=["margin", "revisions", "quorum-added"])
def test_a_first_value_of_the_draw_policy_may_not_change_once_a_draw_is_frozen(
        example: Path, old: str, new: str, field: str, says: str) -> None:
    edit(example, JURISDICTION_FILE, old, new)
    problem = assert_policy_refused(check_example(example),
                                    line_of(example, JURISDICTION_FILE, f"{field}:"),
                                    f"字段 policy.{field}", says, RETROACTIVE)
    assert "policy.draw_changes" in problem  # the hint says how to change it instead


def test_the_first_values_may_change_while_nothing_is_frozen(repo: Path) -> None:
    edit(repo, JURISDICTION_FILE, "  draw_margin_hours: 24", "  draw_margin_hours: 48\n"
         "  max_revisions: 2\n  timestamp_quorum: 1")
    assert_passes(audit(repo))


def test_writing_out_a_default_or_a_comment_is_no_change(example: Path) -> None:
    text = (example / JURISDICTION_FILE).read_text(encoding="utf-8")
    (example / JURISDICTION_FILE).write_text(
        text.replace("  max_revisions: 1 ", "  # 修订次数\n  max_revisions: 1 "), encoding="utf-8")
    assert_policy_passes(check_example(example))


def test_a_change_from_today_or_later_may_be_appended(example: Path) -> None:
    today = beijing_today()
    add_changes(example, change(today, draw_margin_hours=48),
                change(today + dt.timedelta(days=30), max_revisions=2, reason="下年度起放宽。"))
    assert_policy_passes(check_example(example))


@pytest.mark.parametrize("days", [1, 400], ids=["yesterday", "last-year"])
def test_a_retroactive_change_is_refused(example: Path, days: int) -> None:
    today = beijing_today()
    earlier = today - dt.timedelta(days=days)
    add_changes(example, change(today, draw_margin_hours=48),
                change(earlier, draw_margin_hours=2))
    line = line_of(example, JURISDICTION_FILE, f"- from: {earlier.isoformat()}")
    assert_policy_refused(check_example(example), line, "字段 policy.draw_changes[2].from",
                          earlier.isoformat(), f"早于今日（{today}）", RETROACTIVE)


def committed_change_repo(tmp_path: Path, *items: str) -> Path:
    """The example county with `items` as policy.draw_changes, committed on top of it."""
    root = tmp_path / "example"
    shutil.copytree(ROOT / "records", root / "records")
    git(root, "init", "-q")
    commit(root)
    add_changes(root, *items)
    commit(root)
    return root


def test_an_appended_change_stays_as_it_was(tmp_path: Path) -> None:
    today = beijing_today()
    root = committed_change_repo(tmp_path, change(today, draw_margin_hours=48),
                                 change(today, max_revisions=2))
    assert_policy_passes(check_example(root))
    edit(root, JURISDICTION_FILE, "      draw_margin_hours: 48", "      draw_margin_hours: 6")
    assert_policy_refused(check_example(root),
                          line_of(root, JURISDICTION_FILE, "draw_margin_hours: 6"),
                          "字段 policy.draw_changes[1].draw_margin_hours", "第 1 条", "被改动",
                          RETROACTIVE)


def test_an_appended_change_may_not_be_removed(tmp_path: Path) -> None:
    today = beijing_today()
    root = committed_change_repo(tmp_path, change(today, draw_margin_hours=48),
                                 change(today, max_revisions=2))
    text = (root / JURISDICTION_FILE).read_text(encoding="utf-8")
    second = change(today, max_revisions=2)
    (root / JURISDICTION_FILE).write_text(text.replace(second, ""), encoding="utf-8")
    assert_policy_refused(check_example(root), line_of(root, JURISDICTION_FILE, "draw_changes:"),
                          "policy.draw_changes[2]", "第 2 条", "删除")


def test_a_change_may_not_be_inserted_before_the_others(tmp_path: Path) -> None:
    today = beijing_today()
    root = committed_change_repo(tmp_path, change(today, draw_margin_hours=48))
    text = (root / JURISDICTION_FILE).read_text(encoding="utf-8")
    (root / JURISDICTION_FILE).write_text(
        text.replace("  draw_changes:\n", "  draw_changes:\n" + change(today, max_revisions=2)),
        encoding="utf-8")
    run = check_example(root)
    assert run.exit_code == 1 and any("policy.draw_changes[1]" in x and "被改动" in x
                                      for x in policy_lines(run.output)), run.output


def test_a_change_is_judged_by_the_day_it_was_made(tmp_path: Path) -> None:
    # the deploy audits against the revision last deployed, maybe days old: a change dated from
    # the day its commit was made still passes; one dated before the base, never
    today = beijing_today()
    root = tmp_path / "example"
    shutil.copytree(ROOT / "records", root / "records")
    git(root, "init", "-q")
    days_ago = {n: (today - dt.timedelta(days=n)) for n in (2, 3, 5)}

    def commit_on(day: dt.date) -> None:
        stamp = f"{day.isoformat()}T12:00:00+08:00"
        git(root, "add", "-A")
        subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "改", "--date",
                        stamp], cwd=root, check=True, capture_output=True,
                       env={**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": stamp})

    commit_on(days_ago[3])
    add_changes(root, change(days_ago[2], draw_margin_hours=48))
    commit_on(days_ago[2])
    assert_policy_passes(check_example(root, "HEAD~1"))
    # uncommitted, the same kind of entry is made today
    add_changes(root, change(days_ago[2], max_revisions=2))
    assert_policy_refused(check_example(root, "HEAD~1"),
                          line_of(root, JURISDICTION_FILE, "- from:", nth=2),
                          "policy.draw_changes[2].from", f"早于今日（{today}）")
    git(root, "checkout", "-q", "--", ".")
    # a commit dated before its base was made no earlier than the base
    add_changes(root, change(days_ago[5], max_revisions=2))
    commit_on(days_ago[5])
    assert_policy_refused(check_example(root, "HEAD~2"),
                          line_of(root, JURISDICTION_FILE, "- from:", nth=2),
                          "policy.draw_changes[2].from", f"早于作出修改之日（{days_ago[3]}）")


def test_changes_are_free_while_nothing_is_frozen(repo: Path) -> None:
    add_changes_to = repo / JURISDICTION_FILE
    text = add_changes_to.read_text(encoding="utf-8")
    add_changes_to.write_text(text.replace(
        "  draw_margin_hours: 24\n",
        "  draw_margin_hours: 24\n  draw_changes:\n" + change(dt.date(2020, 1, 1), draw_margin_hours=6)),
        encoding="utf-8")
    assert_passes(audit(repo))


# ------------------------------------------------------------- pinned time-stamping authorities


def authority_block(root: Path) -> str:
    """The example's one pinned authority, as written in its jurisdiction.yaml."""
    lines = (root / JURISDICTION_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("  - id: example-tsa\n")
    end = next((n for n in range(start + 1, len(lines))
                if not lines[n].startswith("    ") and lines[n].strip()), len(lines))
    return "".join(lines[start:end])


def add_authority(root: Path, since: dt.date | None) -> None:
    """A second authority (the same chain under another id), with `since` if given."""
    block = authority_block(root).replace("  - id: example-tsa\n", "  - id: second-tsa\n")
    if since is not None:
        block = block.replace("    chain: |\n", f"    since: {since.isoformat()}\n    chain: |\n")
    path = root / JURISDICTION_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(authority_block(root), authority_block(root) + block),
                    encoding="utf-8")


def test_an_authority_added_from_today_passes(example: Path) -> None:
    add_authority(example, beijing_today())
    assert_policy_passes(check_example(example))


def test_an_authority_added_without_since_is_refused(example: Path) -> None:
    add_authority(example, None)
    assert_policy_refused(check_example(example),
                          line_of(example, JURISDICTION_FILE, "- id: second-tsa"),
                          "字段 timestamp_authorities[2].since", "second-tsa", "须写明 since")


def test_an_authority_added_with_an_earlier_since_is_refused(example: Path) -> None:
    earlier = beijing_today() - dt.timedelta(days=10)
    add_authority(example, earlier)
    assert_policy_refused(check_example(example),
                          line_of(example, JURISDICTION_FILE, f"since: {earlier.isoformat()}"),
                          "字段 timestamp_authorities[2].since", earlier.isoformat(), RETROACTIVE)


def test_a_pinned_authority_may_not_be_removed(example: Path) -> None:
    path = example / JURISDICTION_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(authority_block(example), ""), encoding="utf-8")
    run = check_example(example)
    assert_policy_refused(run, line_of(example, JURISDICTION_FILE, "timestamp_authorities:"),
                          "example-tsa", "被删除")


def test_a_pinned_authoritys_chain_may_not_change(example: Path) -> None:
    # a digit of the last certificate's signature: still a certificate, no longer the pinned one
    block = authority_block(example)
    last = block[block.rindex("-----BEGIN CERTIFICATE-----"):].splitlines()[-3]
    changed = last[:10] + ("A" if last[10] != "A" else "B") + last[11:]
    edit(example, JURISDICTION_FILE, last, changed)
    assert_policy_refused(check_example(example), line_of(example, JURISDICTION_FILE, "chain: |"),
                          "字段 timestamp_authorities[1].chain", "example-tsa", "证书链")


def test_a_pinned_authoritys_fingerprint_may_not_change(example: Path) -> None:
    edit(example, JURISDICTION_FILE, 'root_sha256: "7A:45', 'root_sha256: "7B:45')
    assert_policy_refused(check_example(example),
                          line_of(example, JURISDICTION_FILE, "root_sha256:"),
                          "字段 timestamp_authorities[1].root_sha256", "根证书指纹")


def test_a_pinned_authoritys_since_may_not_change(example: Path) -> None:
    later = beijing_today() + dt.timedelta(days=1)
    edit(example, JURISDICTION_FILE, "    chain: |\n", f"    since: {later.isoformat()}\n    chain: |\n")
    assert_policy_refused(check_example(example),
                          line_of(example, JURISDICTION_FILE, f"since: {later.isoformat()}"),
                          "字段 timestamp_authorities[1].since", "未填 改为", RETROACTIVE)


def test_a_pinned_authority_may_be_renamed_and_its_chain_rewrapped(example: Path) -> None:
    # what identifies it (its id, chain and root) stays; the name, the URL and the PEM's line
    # breaks are not what its tokens were verified against
    edit(example, JURISDICTION_FILE, "    name: 示例时间戳机构（仅供演示，不可信）",
         "    name: 示例时间戳机构（仅供演示，不可信，已更名）")
    block = authority_block(example)
    pem_lines = block[block.index("-----BEGIN CERTIFICATE-----"):].splitlines()
    edit(example, JURISDICTION_FILE, pem_lines[1] + "\n", pem_lines[1] + "\n\n")
    run = check_example(example)
    assert not policy_lines(run.output), run.output
