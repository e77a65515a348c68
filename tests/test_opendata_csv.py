"""Open data a citizen can read: the CSV files of the built example, opened as a spreadsheet would
open them, have Chinese column headers, each code beside its Chinese label, each reference to
another record beside that record's name; data.html's dictionary explains every column with the
code vocabularies; the JSON files keep the records' field names and codes for programs; and two
builds give the same bytes."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from generator.records.kinds import KINDS_BY_NAME
from generator.records.load import load_records
from generator.records.model import Records
from generator.records.types import Enum, ListOf, Obj, Ref
from tests.browser import EXAMPLE_ENV
from tests.sitecheck import Element, Site, build_site, copy_example, records_of

KINDS = {"institutions": "institution", "personnel": "person", "inspectors": "inspector",
         "items": "item", "plans": "plan", "findings": "finding", "list-entries": "list_entry",
         "credit-notices": "credit_notice", "amendments": "amendment",
         "irregularities": "irregularity"}
HAN = re.compile(r"[\u4e00-\u9fff]")
DICTIONARY = ("列名", "JSON 字段", "类型", "含义")


def build(tmp: Path) -> Site:
    root = copy_example(tmp)
    built = build_site(root, root / "out", env=EXAMPLE_ENV)
    assert built.exit_code == 0, built.output
    return Site(root / "out")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def records(site: Site) -> Records:
    loaded, problems = load_records(site.root.parent / "records")
    assert not [p for p in problems if p.severity == "error"]
    epoch = int(EXAMPLE_ENV["SOURCE_DATE_EPOCH"])
    day = dt.datetime.fromtimestamp(epoch, dt.timezone(dt.timedelta(hours=8))).date()
    return loaded.published_by(day)


def table(site: Site, name: str) -> list[list[str]]:
    """A CSV file as a spreadsheet reads it: the BOM says UTF-8; header row first."""
    raw = site.bytes(f"data/{name}.csv")
    assert raw.startswith(b"\xef\xbb\xbf"), name
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def dictionary(site: Site, name: str) -> list[dict[str, Element]]:
    section = site.page("data.html").one("section", **{"aria-labelledby": f"t-{name}"})
    found = [t for t in section.iter("table") if t.find("caption").text().endswith("（CSV 的每一列）")]
    assert len(found) == 1, name
    return records_of(found[0])


def names(site: Site) -> list[str]:
    found = [p.removeprefix("data/").removesuffix(".csv") for p in site.files()
             if p.startswith("data/") and p.endswith(".csv")]
    assert set(found) <= set(KINDS) and {"institutions", "findings", "plans"} <= set(found)
    return sorted(found)


def scalar_fields(obj: Obj, prefix: str = "") -> dict[str, object]:
    """path -> type of the public fields a CSV shows (lists of objects stay in the JSON)."""
    out: dict[str, object] = {}
    for f in obj.fields:
        if not f.public:
            continue
        inner = f.type.item if isinstance(f.type, ListOf) else f.type
        if isinstance(f.type, Obj):
            out.update(scalar_fields(f.type, f"{prefix}{f.name}."))
        elif not isinstance(inner, Obj):
            out[prefix + f.name] = inner
    return out


def test_every_header_is_chinese_and_unique(site: Site) -> None:
    for name in names(site):
        header = table(site, name)[0]
        assert len(header) == len(set(header)), (name, header)
        for h in header:
            assert HAN.search(h) and not re.search(r"[A-Za-z_.]", h), (name, h)


def test_csv_is_excel_friendly(site: Site) -> None:
    for name in names(site):
        raw = site.bytes(f"data/{name}.csv")
        first = raw.split(b"\r\n", 1)[0]
        assert b"\n" not in first, name  # CRLF after each record (RFC 4180)
        rows = table(site, name)
        assert all(len(r) == len(rows[0]) for r in rows), name
        # a cell a spreadsheet would take for a formula is quoted with '
        assert not [c for r in rows[1:] for c in r if c[:1] in ("=", "+", "-", "@")], name


def pairs(site: Site, name: str) -> list[tuple[str, int, object]]:
    """(field path, column of its code or id, its Enum or Ref) for each coded or referring field:
    the column right after it is its label or name."""
    header = table(site, name)[0]
    fields = {r["列名"].text(): r["JSON 字段"].text() for r in dictionary(site, name)}
    declared = scalar_fields(KINDS_BY_NAME[KINDS[name]].schema)
    out = []
    for path, ftype in declared.items():
        if isinstance(ftype, (Enum, Ref)):
            at = [i for i, h in enumerate(header) if fields[h] == path]
            assert len(at) == 2 and at[1] == at[0] + 1, (name, path, at)
            suffix = "代码" if isinstance(ftype, Enum) else "编号"
            assert header[at[0]] == header[at[1]] + suffix, (name, header[at[0]], header[at[1]])
            out.append((path, at[0], ftype))
        else:
            assert [h for h in header if fields[h] == path], (name, path)
    return out


def test_every_code_column_has_its_label_column_and_no_label_is_a_code(site: Site) -> None:
    coded = 0
    for name in names(site):
        rows = table(site, name)[1:]
        for path, at, ftype in pairs(site, name):
            if not isinstance(ftype, Enum):
                continue
            for row in rows:
                codes = [c for c in row[at].split("；") if c]
                labels = [c for c in row[at + 1].split("；") if c]
                assert labels == [ftype.choices[c] for c in codes], (name, path, row[at])
                assert not set(labels) & set(ftype.choices), (name, path, labels)
                coded += bool(codes)
    assert coded > 50


def test_every_id_has_the_name_of_what_it_refers_to(site: Site, records: Records) -> None:
    referring = 0
    for name in names(site):
        rows = table(site, name)[1:]
        for path, at, ftype in pairs(site, name):
            if not isinstance(ftype, Ref):
                continue
            for row in rows:
                ids = [c for c in row[at].split("；") if c]
                shown = row[at + 1].split("；") if row[at + 1] else []
                assert len(shown) == len(ids), (name, path, row[at], row[at + 1])
                for record_id, text in zip(ids, shown):
                    referring += 1
                    assert text and text != record_id and HAN.search(text), (name, path, record_id)
                    record = records.get(record_id)
                    if record is not None and record.kind in ("institution", "person",
                                                              "inspector"):
                        assert text == record.name, (name, path, record_id)
                    if record is not None and record.kind in ("plan", "item"):
                        assert text == record.title, (name, path, record_id)
    assert referring > 50


def test_findings_name_the_institution_and_the_inspectors(site: Site, records: Records) -> None:
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(
        site.bytes("data/findings.csv").decode("utf-8-sig"), newline=""))}
    for f in records.findings:
        row = rows[f.id]
        assert row["检查对象编号"] == f.target and row["检查对象"] == records.get(f.target).name
        assert row["执法检查人员"] == "；".join(records.get(i).name for i in f.inspectors)
        assert row["抽查方式代码"] == f.method and HAN.search(row["抽查方式"])


def test_the_dictionary_explains_every_column_and_lists_each_vocabulary(site: Site) -> None:
    for name in names(site):
        header = table(site, name)[0]
        entries = dictionary(site, name)
        assert [r["列名"].text() for r in entries] == header, name
        for r in entries:
            assert all(r[c].text() for c in DICTIONARY), (name, r["列名"].text())
        declared = scalar_fields(KINDS_BY_NAME[KINDS[name]].schema)
        for r in entries:
            ftype = declared[r["JSON 字段"].text()]
            listed = {li.one("code").text(): li.text().split("：", 1)[1]
                      for li in r["含义"].iter("li")}
            if isinstance(ftype, Enum) and r["列名"].text().endswith("代码"):
                assert listed == dict(ftype.choices), (name, r["列名"].text())
            else:
                assert not listed, (name, r["列名"].text())


def test_json_keeps_the_records_fields_and_codes(site: Site) -> None:
    for name in names(site):
        public = {f.name for f in KINDS_BY_NAME[KINDS[name]].fields if f.public}
        rows = json.loads(site.bytes(f"data/{name}.json"))
        assert all(set(r) == public for r in rows), name
    institutions = json.loads(site.bytes("data/institutions.json"))
    sectors = KINDS_BY_NAME["institution"].schema.field_named("sector").type.choices
    assert institutions and all(r["sector"] in sectors for r in institutions)


def test_two_builds_give_the_same_bytes(site: Site, tmp_path: Path) -> None:
    again = build(tmp_path)
    paths = [p for p in site.files() if p.startswith("data/") and p.endswith((".csv", ".json"))]
    paths.append("data.html")
    assert {p: again.bytes(p) for p in paths} == {p: site.bytes(p) for p in paths}
