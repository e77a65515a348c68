"""YAML 1.1 surprises do not corrupt data: values mean what the field declares, as written.

Plain YAML would read `0123` as 83, `no` as False, `2024-04-16` as a date and `1:20` as 80; the
strict reader keeps every scalar as text and only the declared field type gives it a meaning.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.records.load import load_records
from tests.records_tree import FIRM_ID, INSTITUTION, check_tree, valid_tree, write_tree

FIRM = f"records/institutions/{FIRM_ID}.yaml"


def load(root: Path, changes: dict[str, str | bytes]):  # type: ignore[no-untyped-def]
    """Write valid_tree() with `changes` under `root` and load it: (records, problems)."""
    write_tree(root, {**valid_tree(), **changes})
    return load_records(root / "records")


def firm_with(line: str) -> str:
    """The institution with one more line before status_history."""
    return INSTITUTION.replace("status_history:", f"{line}\nstatus_history:")


LEADING_ZERO_FIRM = """\
id: 0123
name: 示例红枫律师事务所
sector: law-firm
licence_number: 0123456
address: 喀左县大城子街道示例路 2 号
status_history:
  - since: 2018-06-01
    status: active
"""

LEADING_ZERO_PERSON = """\
id: 0456
name: 李某
role: lawyer
institution: 0123
licence_number: 0456
status_history:
  - since: 2019-01-01
    status: active
"""


def test_leading_zero_ids_and_numbers_stay_text(tmp_path):
    records, problems = load(tmp_path, {
        "records/institutions/0123.yaml": LEADING_ZERO_FIRM,
        "records/personnel/0456.yaml": LEADING_ZERO_PERSON,
    })
    assert problems == []
    firm = records.get("0123")
    assert firm is not None and firm.kind == "institution"
    assert firm.fields["id"] == "0123"
    assert firm.fields["licence_number"] == "0123456"
    person = records.get("0456")
    assert person.fields["institution"] == "0123"
    assert person.fields["licence_number"] == "0456"
    assert records.persons_of("0123") == (person,)


def test_leading_zero_ids_pass_the_whole_check(tmp_path):
    run = check_tree(tmp_path, {
        **valid_tree(),
        "records/institutions/0123.yaml": LEADING_ZERO_FIRM,
        "records/personnel/0456.yaml": LEADING_ZERO_PERSON,
    })
    assert run.exit_code == 0, run.output


def test_date_like_ids_stay_text(tmp_path):
    records, problems = load(tmp_path, {})
    assert problems == []
    finding = records.get("2025-01-01")  # written `id: 2025-01-01`, unquoted
    assert finding is not None and finding.kind == "finding"
    assert finding.fields["id"] == "2025-01-01"
    assert records.get("2025-01").fields["year"] == 2025


@pytest.mark.parametrize("written", [
    "no", "No", "NO", "yes", "Yes", "on", "off", "On", "y", "Y", "n", "true", "False",
    "2024-04-16", "2024-04-16 10:00:00", "1_000", "0x1F", "0o17", "017", "1e3", "3.10", ".inf",
    ".NaN", "+1", "-0", "1:20", "190:20:30", "12:30:45",
])
def test_string_fields_keep_what_is_written(tmp_path, written):
    records, problems = load(tmp_path, {
        FIRM: firm_with(f"responsible_person: {written}\nnotes: {written}"),
    })
    assert problems == []
    fields = records.get(FIRM_ID).fields
    assert fields["responsible_person"] == written
    assert fields["notes"] == written


def test_date_text_in_string_field_but_date_in_date_field(tmp_path):
    records, problems = load(tmp_path, {
        FIRM: INSTITUTION.replace("address: 喀左县大城子街道示例路 1 号",
                                  "address: 2024-04-16\nfounded: 2024-04-16"),
    })
    assert problems == []
    fields = records.get(FIRM_ID).fields
    assert fields["address"] == "2024-04-16"
    assert fields["founded"] == dt.date(2024, 4, 16)
    assert type(fields["founded"]) is dt.date


def test_typed_fields_get_their_types(tmp_path):
    records, problems = load(tmp_path, {})
    assert problems == []
    policy = records.policy
    assert policy.team_size == 2 and type(policy.team_size) is int
    assert policy.witnesses_required is False
    assert policy.publish_inspector_roster is True
    assert records.jurisdiction.fields["division_code"] == "211324"
    assert records.jurisdiction.fields["site"]["website_id"] == "2113240001"
    assert records.get("2025-01").fields["draw"]["sources"][0]["round"] == 1000


def test_utf8_bom_loads(tmp_path):
    records, problems = load(tmp_path, {FIRM: b"\xef\xbb\xbf" + INSTITUTION.encode()})
    assert problems == []
    assert records.get(FIRM_ID).fields["name"] == "示例青松律师事务所"


def test_crlf_tree_loads_and_passes(tmp_path):
    crlf = {path: text.replace("\n", "\r\n").encode() if isinstance(text, str) else text
            for path, text in valid_tree().items()}
    run = check_tree(tmp_path, crlf)
    assert run.exit_code == 0, run.output
    records, problems = load_records(tmp_path / "records")
    assert problems == []
    fields = records.get(FIRM_ID).fields
    assert fields["name"] == "示例青松律师事务所"  # no stray \r
    assert fields["address"] == "喀左县大城子街道示例路 1 号"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["crlf", "bom-crlf"])
def test_crlf_reports_the_right_line(tmp_path, bom):
    text = INSTITUTION.replace("status: active", "status: open")  # line 9 of the file
    records, problems = load(tmp_path, {FIRM: bom + text.replace("\n", "\r\n").encode()})
    assert [(p.file.endswith(FIRM), p.line, p.rule, p.field) for p in problems] == [
        (True, 9, "load.enum", "status_history[1].status")]


def test_crlf_reports_the_right_line_in_multi_line_text(tmp_path):
    text = INSTITUTION.replace("status_history:", "notes: |\n  第一行\n  第二行\n  第三行\n"
                               "status_history:").replace("status: active", "status: open")
    records, problems = load(tmp_path, {FIRM: text.replace("\n", "\r\n").encode()})
    assert [(p.line, p.rule) for p in problems] == [(13, "load.enum")]
