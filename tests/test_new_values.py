"""`ssj new` writes every value so that it can only ever be that value (issue 11): quotes,
backslashes and newlines cannot add a line or a key, the id it derives names a file inside
records/ or nothing is written."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.records_tree import FIRM_ID, run_ssj
from tests.test_scaffold import CASES, assert_nothing_written, new, snapshot, tree

PERSON = next(c for c in CASES if c.kind == "person")


@pytest.mark.parametrize("licence", [
    'a"/../../../escaped',
    "x/../../escaped",
    "..",
    "a\nb",
    "",
])
def test_an_id_that_is_no_file_name_writes_nothing(tmp_path: Path, licence: str) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    line = assert_nothing_written(tmp_path, before, new(tmp_path, "person",
                                                        {**PERSON.values, "licence_number": licence}))
    assert "未新建" in line
    assert not list(tmp_path.parent.glob("escaped*")) and not list(tmp_path.glob("**/escaped*"))


@pytest.mark.parametrize("name", [
    '某"华\npublished_on: 2020-01-01',
    "某华\\",
    "某华 # 不是注释",
    "'某华'",
    "某华: 律师",
])
def test_a_value_stays_one_value(tmp_path: Path, name: str) -> None:
    tree(tmp_path)
    run = new(tmp_path, "person", {**PERSON.values, "name": name})
    path = tmp_path / f"records/personnel/{PERSON.values['licence_number']}.yaml"
    if "\n" in name:
        # a name may not hold a line break: refused, and nothing written
        assert run.exit_code == 1 and not path.exists(), run.output
        return
    assert run.exit_code == 0, run.output
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["name"] == name and data["institution"] == FIRM_ID
    assert set(data) == {"id", "licence_number", "name", "role", "institution", "status_history"}
    assert run_ssj(tmp_path, "check").exit_code == 0


def test_a_date_or_number_of_the_wrong_form_is_named(tmp_path: Path) -> None:
    tree(tmp_path)
    before = snapshot(tmp_path)
    inspector = next(c for c in CASES if c.kind == "inspector")
    line = assert_nothing_written(tmp_path, before, new(tmp_path, "inspector", {
        **inspector.values, "certificate.valid_until": "2030-01-01\nnotes: x"}))
    assert "字段 certificate.valid_until" in line
