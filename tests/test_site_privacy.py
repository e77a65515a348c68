"""What must never reach the public site: private fields (phone numbers, declared conflicts, risk
flags, internal notes), unpublished findings, and active content typed into a text field.

A small records tree is written inline with distinctive values planted in every private field, and
the whole output (HTML, JSON, CSV, XML, text and the copied draw files) is read back byte by byte;
the example county's own private values are checked the same way on its site.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.records.kinds import KINDS_BY_NAME
from generator.records.load import load_records
from generator.records.types import Enum, ListOf, Obj, Ref, Str
from tests.records_tree import FINDING as FINDING_TEXT
from tests.records_tree import INSTITUTION as INSTITUTION_TEXT
from tests.records_tree import FIRM_ID, ITEM, LIST_ENTRY, PLAN, inspector, valid_tree
from tests.records_tree import PERSON as PERSON_TEXT
from tests.rules_tree import (
    FINDING_FILE,
    FIRM_FILE,
    ITEM_FILE,
    LIST_FILE,
    PLAN_FILE,
    edit,
    firm,
    firm_file,
    firm_id,
    inspector_file,
)
from tests.site_tree import Files, build_tree, finding
from tests.sitecheck import REPO, Site, build_site, copy_example, is_external, parse

# The site's date: after every planted value's date, before the drafted finding's deadline
# (inspected 2025-05-25; results are due within 20 days).
DAY = "2025-06-01"

INSTITUTION = FIRM_ID                 # 示例青松律师事务所
PERSON = "01211300000000001"          # 王某明, a lawyer there
PERSON_FILE = f"records/personnel/{PERSON}.yaml"
INSPECTOR = "21132419002"
INSPECTOR_FILE = inspector_file(2)
CONFLICT_TARGET = firm_id(2)          # 示例第2律师事务所, which 21132419002 never inspected
FINDING = "2025-01-01"
DRAFT = "2025-t-01"

PLANTED = {
    "institution contact_phone": "0421-73642918",
    "institution notes": "内部备注：负责人私人住址在示例小区7号楼（隐私探针A9）",
    "institution risk_flags note": "匿名举报线索：疑似挂靠执业（隐私探针B7）",
    "person phone": "13973642918",
    "inspector phone": "13688442917",
    "inspector conflicts detail": "其表兄在该所任合伙人（隐私探针C5）",
    "finding notes": "举报人张某某，电话13811117355（隐私探针D3）",
    "draft finding result": "草稿：尚未公示的检查结论（隐私探针E1）",
}
# Shorter, still distinctive cores: a leak in another form (digits regrouped, text cut) shows too.
CORES = ["73642918", "3642918", "88442917", "11117355", "隐私探针"]


def planted_tree() -> Files:
    """The valid tree, a second firm, and a value planted in every private field."""
    return {
        **valid_tree(),
        FIRM_FILE: edit(INSTITUTION_TEXT, '"0421-0000001"',
                        f'"{PLANTED["institution contact_phone"]}"') + f"""\
risk_flags:
  - kind: complaints
    since: 2025-05-01
    note: {PLANTED['institution risk_flags note']}
notes: {PLANTED['institution notes']}
""",
        firm_file(2): firm(2),
        PERSON_FILE: PERSON_TEXT + f'phone: "{PLANTED["person phone"]}"\n',
        INSPECTOR_FILE: inspector(INSPECTOR, "supervision") + f"""\
phone: "{PLANTED['inspector phone']}"
conflicts:
  - target: "{CONFLICT_TARGET}"
    declared_on: 2025-05-01
    detail: {PLANTED['inspector conflicts detail']}
""",
        FINDING_FILE: FINDING_TEXT + f"notes: {PLANTED['finding notes']}\n",
        f"records/findings/{DRAFT}.yaml": finding(
            DRAFT, target=INSTITUTION, day="2025-05-25", published_on=None,
            rest=f"outcome: compliant\nresult: {PLANTED['draft finding result']}\n"),
    }


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Site]:
    root = tmp_path_factory.mktemp("planted")
    return root, build_tree(root, planted_tree(), day=DAY)


def forms(value: str) -> set[bytes]:
    """The ways a string could be written into an output file."""
    return {value.encode("utf-8"), json.dumps(value)[1:-1].encode("ascii"),
            html.escape(value).encode("utf-8"),
            value.encode("utf-8").hex().encode("ascii")}


def all_outputs(site: Site) -> dict[str, bytes]:
    files = {path: site.bytes(path) for path in site.files()}
    assert any(p.endswith(".html") for p in files) and any(p.endswith(".json") for p in files)
    assert any(p.endswith(".csv") for p in files) and "feed.xml" in files
    return files


def test_the_planted_records_are_valid_and_the_site_is_built(planted: tuple[Path, Site]) -> None:
    root, site = planted
    records, problems = load_records(root / "records")
    assert not [p for p in problems if p.severity == "error"]
    inst = records.get(INSTITUTION, ("institution",))
    assert inst.contact_phone == PLANTED["institution contact_phone"]
    assert inst.risk_flags[0].note == PLANTED["institution risk_flags note"]
    assert records.get(PERSON).phone == PLANTED["person phone"]
    assert any(c.detail == PLANTED["inspector conflicts detail"]
               for c in records.get(INSPECTOR).conflicts)
    assert records.get(FINDING).notes == PLANTED["finding notes"]
    assert records.get(DRAFT).published_on is None
    # the pages that would show them exist
    for path in (f"institutions/{INSTITUTION}.html", f"personnel/{PERSON}.html",
                 "inspectors.html", f"findings/{FINDING}.html"):
        assert path in site.files()


@pytest.mark.parametrize("what", sorted(PLANTED))
def test_a_planted_private_value_appears_in_no_output_file(planted: tuple[Path, Site],
                                                           what: str) -> None:
    _, site = planted
    leaks = [(path, form) for path, data in all_outputs(site).items()
             for form in forms(PLANTED[what]) if form in data]
    assert not leaks


def test_no_fragment_of_a_planted_value_appears(planted: tuple[Path, Site]) -> None:
    _, site = planted
    leaks = [(path, core) for path, data in all_outputs(site).items()
             for core in CORES for form in forms(core) if form in data]
    assert not leaks


def private_strings(records_dir: Path) -> set[str]:
    """Every string held in a field declared public=False, anywhere in the records (references to
    other records excepted: ids are public in their own right)."""
    records, _ = load_records(records_dir)
    found: set[str] = set()

    def walk(value, ftype, private: bool) -> None:  # type: ignore[no-untyped-def]
        if value is None:
            return
        if isinstance(ftype, Obj):
            for f in ftype.fields:
                walk(value.get(f.name), f.type, private or not f.public)
        elif isinstance(ftype, ListOf):
            for item in value:
                walk(item, ftype.item, private)
        elif private and isinstance(ftype, Str) and not isinstance(ftype, (Ref, Enum)):
            found.add(value)

    for kind in records.by_kind.values():
        for record in kind:
            walk(record.fields, KINDS_BY_NAME[record.kind].schema, False)
    return found


def test_the_examples_own_private_values_appear_in_no_output_file(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    secrets = private_strings(REPO / "records")
    phones = [s for s in secrets if re.fullmatch(r"[0-9-]{11,13}", s)]
    assert len(phones) >= 20
    assert "配偶在该所执业" in secrets  # an inspector's declared conflict
    root = copy_example(tmp_path_factory.mktemp("example"))
    built = build_site(root, root / "out", env={"SSJ_SOURCE_REVISION": "x"})
    assert built.exit_code == 0, built.output
    site = Site(root / "out")
    leaks = [(path, secret) for path, data in all_outputs(site).items()
             for secret in secrets for form in forms(secret) if form in data]
    assert not leaks


PRIVATE_KEYS = {"contact_phone", "phone", "conflicts", "risk_flags", "notes"}


def test_a_declared_conflict_ties_the_inspector_to_the_institution_nowhere(
        planted: tuple[Path, Site]) -> None:
    """conflicts[].target is private although both ends are public: no page of either names the
    other (the inspector never inspected that institution, and no draw package holds the pair)."""
    root, site = planted
    records, _ = load_records(root / "records")
    inspector, target = records.get(INSPECTOR), records.get(CONFLICT_TARGET)
    assert [c for c in inspector.conflicts if c.target == CONFLICT_TARGET]
    pages = [p for p in site.files() if p.startswith(f"institutions/{CONFLICT_TARGET}.")]
    assert pages
    for path in pages:
        data = site.bytes(path)
        assert not [v for v in (INSPECTOR, inspector.name) for f in forms(v) if f in data], path
    shown = [entry for entry in json.loads(site.bytes("inspectors.json"))
             if entry["id"] == INSPECTOR]
    shown += [line for line in site.bytes("data/inspectors.csv").decode("utf-8-sig").splitlines()
              if line.startswith(INSPECTOR)]
    shown += [" ".join([row.text(), *(v or "" for e in row.iter() for v in e.attrs.values())])
              for row in site.page("inspectors.html").iter("tr") if inspector.name in row.text()]
    assert len(shown) == 3
    assert not [s for s in map(str, shown) if CONFLICT_TARGET in s or target.name in s]


def test_no_json_file_carries_a_private_field(planted: tuple[Path, Site]) -> None:
    _, site = planted
    found = []

    def keys(value, path: str) -> None:  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            found.extend(f"{path}: {k}" for k in value if k in PRIVATE_KEYS)
            for v in value.values():
                keys(v, path)
        elif isinstance(value, list):
            for v in value:
                keys(v, path)

    all_outputs(site)  # there are JSON and CSV files to read
    for path in site.files():
        if path.endswith(".json"):
            keys(json.loads(site.bytes(path)), path)
    assert not found
    for path in site.files():
        if path.endswith(".csv"):
            header = site.bytes(path).decode("utf-8-sig").splitlines()[0].split(",")
            assert not PRIVATE_KEYS & {h.split(".")[0] for h in header}, path


def test_an_unpublished_finding_is_nowhere(planted: tuple[Path, Site], tmp_path: Path) -> None:
    _, site = planted
    assert f"findings/{DRAFT}.html" not in site.files()
    assert f"findings/{DRAFT}.json" not in site.files()
    mentions = [p for p, data in all_outputs(site).items() if f"findings/{DRAFT}".encode() in data]
    assert not mentions

    def ids(value) -> list[str]:  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            return [value.get("id")] + [i for v in value.values() for i in ids(v)]
        if isinstance(value, list):
            return [i for v in value for i in ids(v)]
        return []

    assert not [p for p in site.files() if p.endswith(".json")
                and DRAFT in ids(json.loads(site.bytes(p)))]
    assert not [line for line in site.bytes("data/findings.csv").decode("utf-8-sig").splitlines()
                if line.startswith(DRAFT)]
    # the other finding of the same institution is published, and so is this one once it has a
    # publication date
    assert f"findings/{FINDING}.html" in site.files()
    files = planted_tree()
    files[f"records/findings/{DRAFT}.yaml"] = str(files[f"records/findings/{DRAFT}.yaml"]) + \
        "published_on: 2025-05-30\n"
    published = build_tree(tmp_path, files, day=DAY)
    assert PLANTED["draft finding result"] in published.main(f"findings/{DRAFT}.html").text()


# --------------------------------------------------------------------------- hostile text

HOSTILE = """\
<script>alert(1)</script>
<img src=x onerror=alert(1)>
[link](javascript:alert(1)) [two](JaVaScRiPt:alert(2)) [three]( javascript:alert(3) )
<a href="javascript:alert(4)">four</a> <a href="jav&#x09;ascript:alert(5)">five</a>
<svg onload=alert(6)><circle r=1 /></svg> <iframe src="https://evil.example/"></iframe>
![pic](https://evil.example/track.png) <style>p{background:url(https://evil.example/)}</style>
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<a href="https://example.org/" onclick="alert(7)" style="color:red">fine link</a>
<form action="https://evil.example/"><input name=x></form> <object data="x.swf"></object>
"""
BOLD_INSTITUTION = "示例<b>加粗</b>律师事务所"
BOLD_PERSON = "熊<b>某</b>辉"
BOLD_INSPECTOR = "马<b>某</b>红"
BOLD_ITEM = "律师事务所执业条件<b>与</b>登记事项"


def block(text: str, indent: str = "  ") -> str:
    return "|-\n" + "".join(indent + line + "\n" for line in text.splitlines())


def hostile_tree() -> Files:
    """The valid tree with HOSTILE in Markdown fields (a finding's result, a plan's description,
    an item's content, a status note) and plain text fields (a list entry's reason), and markup in
    names."""
    def with_hostile(text: str, field: str) -> str:
        """`text` with HOSTILE as the value of `field` (replaced, or added at the end)."""
        value = f"{field}: " + block(HOSTILE)
        replaced = re.sub(rf"(?m)^{field}: .*\n", lambda _: value, text, count=1)
        return replaced if replaced != text else text + value

    inst = edit(INSTITUTION_TEXT, "name: 示例青松律师事务所", f"name: {BOLD_INSTITUTION}")
    inst = edit(inst, "    status: active\n", "    status: active\n    note: "
                + block(HOSTILE, "      "))
    return {
        **valid_tree(),
        FINDING_FILE: with_hostile(FINDING_TEXT, "result"),
        PLAN_FILE: with_hostile(PLAN, "description"),
        ITEM_FILE: edit(with_hostile(ITEM, "content"), "title: 律师事务所执业活动检查",
                        f"title: {BOLD_ITEM}"),
        FIRM_FILE: inst,
        LIST_FILE: with_hostile(LIST_ENTRY, "reason"),
        PERSON_FILE: edit(PERSON_TEXT, "name: 王某明", f"name: {BOLD_PERSON}"),
        INSPECTOR_FILE: edit(inspector(INSPECTOR, "supervision"), "name: 检查员2",
                             f"name: {BOLD_INSPECTOR}"),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_tree(tmp_path_factory.mktemp("hostile"), hostile_tree())


def url_is_script(value: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]", "", unquote(html.unescape(value))).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html"))


def test_hostile_text_is_shown_where_expected(hostile: Site) -> None:
    """The fields really reach the pages checked below (as harmless text)."""
    finding = hostile.main(f"findings/{FINDING}.html").text()
    assert "fine link" in finding and "four" in finding
    assert "fine link" in hostile.main("plans/2025-01.html").text()
    assert "fine link" in hostile.main("items.html").text()
    assert "fine link" in hostile.main(f"institutions/{INSTITUTION}.html").text()
    assert "alert(1)" in hostile.main("lists.html").text()  # plain text, shown escaped


VERIFIER_ACTIVE = (("script", {"type": "importmap"}),
                   ("script", {"type": "module", "src": "static/verify/page.js"}),
                   ("input", {"type": "file", "id": "files", "multiple": None}))
SEARCH_ACTIVE = (("script", {"type": "module", "src": "static/search/search.js"}),
                 ("input", {"type": "search", "id": "q", "aria-describedby": "q-hint",
                            "enterkeyhint": "search"}))


def test_no_active_content_anywhere(hostile: Site) -> None:
    problems = []
    assert len([p for p in hostile.files() if p.endswith((".html", ".xml"))]) > 10
    for path in hostile.files():
        if path.endswith((".html", ".xml")):
            raw = hostile.read(path)
            # the verifier runs scripts (its import map and its own module) and has a file input;
            # the search page runs its own module and has a search box; no other page has either
            allowed = {"verify.html": VERIFIER_ACTIVE, "search.html": SEARCH_ACTIVE}.get(path, ())
            scripts = sum(1 for tag, _ in allowed if tag == "script")
            if len(re.findall(r"<\s*script", raw, re.IGNORECASE)) > scripts:
                problems.append(f"{path}: <script")
            for e in parse(raw).iter():
                if (e.tag, e.attrs) in allowed:
                    continue
                if e.tag in ("script", "iframe", "object", "embed", "form", "input", "style",
                             "base", "frame", "applet"):
                    problems.append(f"{path}: <{e.tag}>")
                if e.tag == "img":
                    problems.append(f"{path}: <img {e.attrs}>")
                for name, value in e.attrs.items():
                    if name.startswith("on"):
                        problems.append(f"{path}: <{e.tag} {name}>")
                    if value and url_is_script(value):
                        problems.append(f"{path}: <{e.tag} {name}={value!r}>")
                    if name == "style":
                        problems.append(f"{path}: <{e.tag} style>")
                    if name in ("src", "data", "action") and value and is_external(value):
                        problems.append(f"{path}: <{e.tag} {name}={value!r}> loads from outside")
                if e.tag == "svg" and not any(c.tag == "figure" for c in e.ancestors()):
                    problems.append(f"{path}: <svg> outside a chart")
    assert not problems, "\n".join(problems[:30])


def test_links_in_text_keep_only_safe_targets(hostile: Site) -> None:
    main = hostile.main(f"findings/{FINDING}.html")
    result = main.one(id_="result").section()
    hrefs = [a.get("href") for a in result.iter("a")]
    assert "https://example.org/" in hrefs
    assert all(h is None or h.startswith(("https://", "http://", "mailto:")) for h in hrefs)
    for a in result.iter("a"):
        if a.get("href", "").startswith("http"):
            assert "noopener" in (a.get("rel") or "") and "noreferrer" in (a.get("rel") or "")


@pytest.mark.parametrize("name, page", [
    (BOLD_INSTITUTION, f"institutions/{INSTITUTION}.html"),
    (BOLD_PERSON, f"personnel/{PERSON}.html"),
])
def test_names_with_markup_are_escaped(hostile: Site, name: str, page: str) -> None:
    doc = hostile.page(page)
    assert doc.one("h1").text() == name
    assert name in doc.one("title").text()
    assert html.escape(name, quote=False) in hostile.read(page)
    problems = [f"{path}: <b>" for path in hostile.html_pages()
                if hostile.page(path).find_all("b")]
    assert not problems


def test_other_names_with_markup_are_escaped(hostile: Site) -> None:
    assert BOLD_ITEM in [th.text() for th in hostile.page("items.html").iter("th")]
    assert any(BOLD_INSPECTOR == th.text() for th in hostile.page("inspectors.html").iter("th"))
    institutions = hostile.page("institutions/index.html")
    assert BOLD_INSTITUTION in [a.text() for a in institutions.iter("a")]
    assert BOLD_PERSON in [a.text() for a in institutions.iter("a")]


def test_the_feed_escapes_names(hostile: Site) -> None:
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(hostile.bytes("feed.xml"))
    ns = "{http://www.w3.org/2005/Atom}"
    titles = [e.find(f"{ns}title").text for e in feed.iter(f"{ns}entry")]
    assert any(BOLD_INSTITUTION in t for t in titles)
    assert not list(feed.iter("b")) and not list(feed.iter(f"{ns}b"))
