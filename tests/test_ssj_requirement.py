"""jurisdiction.yaml's site.ssj_requirement: the pinned ssj a citizen installs to verify a
draw. It is checked as requirements.txt is (types.requirement_problem), `ssj init` writes the
one it pins, and plan pages show it (or, without it, which ssj built the site)."""
from __future__ import annotations

import json
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest

from generator.records.load import load_records
from tests.records_tree import JURISDICTION, check_tree, run_ssj, valid_tree
from tests.sitecheck import build_site

REPO = Path(__file__).resolve().parent.parent
PINNED = "ssj @ git+https://example.invalid/ssj.git@0123456789abcdef0123456789abcdef01234567"
WHEEL = "wheels/ssj-0.1.0-py3-none-any.whl --hash=sha256:" + "0" * 64
SITE_BLOCK = 'site:\n  website_id: "2113240001"\n'


def with_requirement(requirement: str) -> dict:
    assert JURISDICTION.count(SITE_BLOCK) == 1
    files = valid_tree()
    files["records/jurisdiction.yaml"] = JURISDICTION.replace(
        SITE_BLOCK, f"{SITE_BLOCK}  ssj_requirement: {json.dumps(requirement)}\n")
    return files


def line_of_field(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1)
                if "ssj_requirement:" in line)


@pytest.mark.parametrize("requirement", [
    "ssj", "ssj==0.1.0", "ssj @ git+https://github.com/example/ssj@main",
    "ssj @ git+https://user:token@github.com/example/ssj@" + "a" * 40,
    "ssj-0.1.0-py3-none-any.whl", "-i https://evil.example/simple",
    "-r/ssj-0.1.0-py3-none-any.whl", "wheels/ssj-0.1.0-py3-none-any.whl",
])
def test_a_requirement_that_is_not_pinned_is_an_error_with_file_and_line(
        tmp_path: Path, requirement: str) -> None:
    files = with_requirement(requirement)
    run = check_tree(tmp_path, files)
    assert run.exit_code == 1, run.output
    line = line_of_field(files["records/jurisdiction.yaml"])
    errors = [x for x in run.output.splitlines() if " 错误 " in x]
    assert len(errors) == 1, run.output
    assert errors[0].startswith(f"records/jurisdiction.yaml:{line}: 错误 [load.format] "
                                "字段 site.ssj_requirement"), errors[0]
    assert "40 位提交号" in errors[0]


@pytest.mark.parametrize("requirement", [PINNED, WHEEL])
def test_a_pinned_requirement_passes(tmp_path: Path, requirement: str) -> None:
    run = check_tree(tmp_path, with_requirement(requirement))
    assert run.exit_code == 0, run.output


def test_the_example_county_pins_a_placeholder_commit() -> None:
    records, problems = load_records(REPO / "records")
    assert not problems
    requirement = records.jurisdiction.site.ssj_requirement
    assert requirement.startswith("ssj @ git+https://example.org/ssj.git@")
    text = (REPO / "records" / "jurisdiction.yaml").read_text(encoding="utf-8")
    comment = text.splitlines()[line_of_field(text) - 3:line_of_field(text) - 1]
    assert "example.org 是示例地址" in "".join(comment)  # labelled as an example address


@pytest.mark.parametrize("requirement", [PINNED, WHEEL])
def test_init_writes_the_requirement_it_pins(tmp_path: Path, requirement: str) -> None:
    run = run_ssj(tmp_path, "init", "bureau", "--name", "某某县司法局", "--short-name",
                  "某某县司法局", "--division-code", "210000", "--requirement", requirement)
    assert run.exit_code == 0, run.output
    records, problems = load_records(tmp_path / "bureau" / "records")
    assert not problems
    assert records.jurisdiction.site.ssj_requirement == requirement
    lines = (tmp_path / "bureau" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert requirement in lines


def test_plan_pages_show_the_pinned_install_or_the_building_version(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "records", root / "records")
    (root / "site").symlink_to(REPO / "site")
    built = build_site(root, tmp_path / "with", env={"SOURCE_DATE_EPOCH": "1798675200"})
    assert built.exit_code == 0, built.output
    page = (tmp_path / "with" / "plans" / "2025-01.html").read_text(encoding="utf-8")
    records, _ = load_records(root / "records")
    requirement = records.jurisdiction.site.ssj_requirement
    assert "python3 -m pip install &#39;" + requirement + "&#39;" in page
    jurisdiction = root / "records" / "jurisdiction.yaml"
    text = jurisdiction.read_text(encoding="utf-8")
    jurisdiction.write_text("\n".join(line for line in text.splitlines()
                                      if "ssj_requirement:" not in line) + "\n",
                            encoding="utf-8")
    built = build_site(root, tmp_path / "without", env={"SOURCE_DATE_EPOCH": "1798675200"})
    assert built.exit_code == 0, built.output
    page = (tmp_path / "without" / "plans" / "2025-01.html").read_text(encoding="utf-8")
    assert "pip install" not in page
    assert f"本站由 ssj {version('ssj')}生成；本局尚未公布固定版本的 ssj 源码地址" in page
    assert "ssj draw verify --package package.json" in page
