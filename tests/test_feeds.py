"""Following one institution (issue 14): each institution's integrity file (诚信档案) and each list
(the abnormal list, the blacklist, the credit-platform notices) has its own Atom feed, named in its
page's head with <link rel="alternate"> and linked visibly on the page.

Every feed of the built example, the site's own feed.xml included, is read back with an XML
parser and checked against RFC 4287's structure (`atom_problems`), and the entries of each feed are
compared with the records they come from. What a feed carries for one institution or person, and
that nothing published later reaches any feed, is checked on small trees written inline.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.records.kinds import choices
from generator.records.load import load_records
from generator.records.model import Record, Records
from tests.records_tree import CREDIT_NOTICE, ITEM, LIST_ENTRY, PERSON, valid_tree
from tests.rules_tree import FIRM_ID, ITEM_FILE, LIST_FILE, NOTICE_FILE, firm, firm_file, firm_id
from tests.site_tree import (  # noqa: F401  (the site_tree fixture)
    Files,
    SiteTrees,
    amendment,
    edit,
    finding,
    site_tree_fixture,
    ssj_build,
    with_exit,
    write_records,
)
from tests.sitecheck import Site, copy_example

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM = "{" + ATOM_NS + "}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
EXTENSIONS: frozenset[str] = frozenset()  # foreign elements a feed may carry: none so far
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
DAY = "2026-12-31"
LIST_FEEDS = {"abnormal": "lists/abnormal.xml", "blacklist": "lists/blacklist.xml",
              "credit": "lists/credit-notices.xml"}
SUBSCRIBE = "订阅本机构的诚信档案更新"
OUTCOMES = choices("finding", "outcome")
LISTS = choices("list_entry", "list")
NAME = "示例青松律师事务所"  # the valid tree's firm


# --------------------------------------------------------------------------- the validator


def _instant(text: str | None) -> dt.datetime | str:
    """An RFC 3339 date-time with its offset, or why it is not one."""
    if text is None or not RFC3339.fullmatch(text):
        return f"{text!r} is not an RFC 3339 date-time"
    stamp = dt.datetime.fromisoformat(text)
    return stamp if stamp.tzinfo is not None else f"{text!r} has no offset"


def _names(href: str, path: str) -> bool:
    """Whether `href`, in the document at site path `path`, is that document: an absolute URL
    ending with the path, or a reference relative to the document's own place."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
        return href.endswith("/" + path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), href)) == path


def atom_problems(data: bytes, path: str) -> list[str]:
    """What makes `data`, served at site path `path`, not a valid Atom feed (RFC 4287): an
    atom:feed root; exactly one atom:id (an absolute IRI), atom:title and atom:updated (RFC 3339
    with an offset, no earlier than any entry's); an author on the feed or on every entry; one
    rel="self" link ending with `path`, and at most one alternate link per type and hreflang;
    each entry with exactly one atom:id (unique in the feed), atom:title and atom:updated, and an
    alternate link or content; no element outside the Atom namespace but EXTENSIONS."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return [f"{path}: not well-formed XML: {e}"]
    if root.tag != f"{ATOM}feed":
        return [f"{path}: the root is {root.tag}, not atom:feed"]
    problems = []

    def say(where: str, what: str) -> None:
        problems.append(f"{path}{where}: {what}")

    for element in root.iter():
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        if namespace != ATOM_NS and element.tag not in EXTENSIONS:
            say("", f"element {element.tag} outside the Atom namespace")

    def one(parent: ET.Element, name: str, where: str) -> ET.Element | None:
        found = parent.findall(f"{ATOM}{name}")
        if len(found) != 1:
            say(where, f"{len(found)} atom:{name}, not one")
        return found[0] if found else None

    def text_construct(parent: ET.Element, name: str, where: str) -> None:
        element = one(parent, name, where)
        if element is not None and element.get("type", "text") not in ("text", "html", "xhtml"):
            say(where, f"atom:{name} of type {element.get('type')!r}")
        if element is not None and not "".join(element.itertext()).strip():
            say(where, f"empty atom:{name}")

    def updated(parent: ET.Element, where: str) -> dt.datetime | None:
        element = one(parent, "updated", where)
        stamp = _instant(element.text if element is not None else None)
        if isinstance(stamp, str):
            say(where, f"atom:updated {stamp}")
            return None
        return stamp

    def links(parent: ET.Element, where: str) -> list[ET.Element]:
        found = parent.findall(f"{ATOM}link")
        alternates = [(link.get("type"), link.get("hreflang")) for link in found
                      if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != len(set(alternates)):
            say(where, "two alternate links of one type and hreflang")
        for link in found:
            if not link.get("href"):
                say(where, "atom:link without href")
        return found

    def authored(parent: ET.Element) -> bool:
        authors = parent.findall(f"{ATOM}author")
        for author in authors:
            names = author.findall(f"{ATOM}name")
            if len(names) != 1 or not (names[0].text or "").strip():
                say("", "atom:author without exactly one atom:name")
        return bool(authors)

    feed_id = one(root, "id", "")
    if feed_id is not None and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S+$", feed_id.text or ""):
        say("", f"atom:id {feed_id.text!r} is not an absolute IRI")
    text_construct(root, "title", "")
    feed_updated = updated(root, "")
    selves = [link.get("href") or "" for link in links(root, "")
              if link.get("rel") == "self"]
    if len(selves) != 1 or not _names(selves[0], path):
        say("", f"self links {selves} do not name {path}")
    feed_authored = authored(root)

    seen: set[str] = set()
    for n, entry in enumerate(root.findall(f"{ATOM}entry")):
        where = f" entry {n}"
        entry_id = one(entry, "id", where)
        if entry_id is not None:
            if entry_id.text in seen:
                say(where, f"atom:id {entry_id.text!r} used twice")
            seen.add(entry_id.text or "")
            if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S+$", entry_id.text or ""):
                say(where, f"atom:id {entry_id.text!r} is not an absolute IRI")
        text_construct(entry, "title", where)
        stamp = updated(entry, where)
        if stamp is not None and feed_updated is not None and stamp > feed_updated:
            say(where, f"updated {stamp} is later than the feed's {feed_updated}")
        alternate = [link for link in links(entry, where)
                     if link.get("rel", "alternate") == "alternate"]
        if not alternate and entry.find(f"{ATOM}content") is None:
            say(where, "neither an alternate link nor content")
        if len(entry.findall(f"{ATOM}summary")) > 1:
            say(where, "more than one atom:summary")
        if not feed_authored and not authored(entry):
            say(where, "no author, and none on the feed")
    return problems


def test_the_validator_finds_what_breaks_a_feed() -> None:
    good = (f'<feed xmlns="{ATOM_NS}"><id>tag:x,2024:f</id><title>t</title>'
            "<updated>2026-01-02T00:00:00+08:00</updated><author><name>a</name></author>"
            '<link rel="self" href="https://x/f.xml"/>'
            "<entry><id>tag:x,2026:1</id><title>e</title><updated>2026-01-02T00:00:00+08:00"
            '</updated><link href="https://x/1.html"/></entry></feed>')
    assert atom_problems(good.encode(), "f.xml") == []
    broken = {
        "no offset": good.replace("<updated>2026-01-02T00:00:00+08:00</updated><author>",
                                  "<updated>2026-01-02T00:00:00</updated><author>"),
        "not RFC 3339": good.replace("2026-01-02T00:00:00+08:00</updated><author>",
                                     "2026-01-02</updated><author>"),
        "entry later": good.replace("2026-01-02T00:00:00+08:00</updated><link",
                                    "2026-01-03T00:00:00+08:00</updated><link"),
        "no author": good.replace("<author><name>a</name></author>", ""),
        "two ids": good.replace("<id>tag:x,2026:1</id>", "<id>tag:x,2026:1</id><id>tag:y</id>"),
        "same id twice": good.replace("</entry>", "</entry>" + good[good.index("<entry>"):
                                                                    good.index("</feed>")]),
        "no link": good.replace('<link href="https://x/1.html"/>', ""),
        "wrong self": good.replace("https://x/f.xml", "https://x/other.xml"),
        "foreign element": good.replace("<title>e</title>", '<title>e</title><x:y xmlns:x="u"/>'),
        "not a feed": good.replace("<feed", "<fed").replace("</feed>", "</fed>"),
    }
    for name, text in broken.items():
        assert atom_problems(text.encode(), "f.xml"), name


# --------------------------------------------------------------------------- the example site


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example"))


def build(root: Path, out: Path, day: str = DAY) -> Site:
    """root/records built with the repository's site/ as of `day`."""
    result = ssj_build(root / "records", out, day=day)
    assert result.exit_code == 0, result.output
    return Site(out)


@pytest.fixture(scope="module")
def site(example: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build(example, tmp_path_factory.mktemp("built") / "site")


@pytest.fixture(scope="module")
def records(example: Path) -> Records:
    loaded, problems = load_records(example / "records")
    assert not [p for p in problems if p.severity == "error"]
    published = loaded.published_by(dt.date.fromisoformat(DAY))
    # the tests loop over these: an empty kind would let them pass without checking anything
    assert published.institutions and published.findings and published.credit_notices
    assert {e.list for e in published.list_entries} == set(LISTS)
    return published


def tree_records(site: Site) -> Records:
    """The published records of a tree built by site_tree (its records/ beside its out/)."""
    loaded, problems = load_records(site.root.parent / "records")
    assert not [p for p in problems if p.severity == "error"]
    return loaded.published_by(dt.date.fromisoformat(DAY))


def feed_paths(site: Site) -> list[str]:
    return [p for p in site.files() if p.endswith(".xml") and p != "sitemap.xml"]


def entries(site: Site, path: str) -> dict[str, str]:
    """id -> title of every entry of the feed at `path`."""
    root = ET.fromstring(site.bytes(path))
    return {e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}title")
            for e in root.iter(f"{ATOM}entry")}


def tag(records: Records, date: dt.date, url: str, slug: str) -> str:
    return f"tag:{records.jurisdiction.division_code}.ssj,{date}:{url}:{slug}"


def list_events(records: Records, entry: Record) -> set[str]:
    url = f"lists.html#{entry.id}"
    out = {tag(records, entry.entered_on, url, "listed")}
    if entry.exit and entry.exit.date <= dt.date.fromisoformat(DAY):
        out.add(tag(records, entry.exit.date, url, "delisted"))
    return out | amended(records, entry, url)


def amended(records: Records, record: Record, url: str) -> set[str]:
    return {tag(records, a.date, url, f"amendment-{a.id}")
            for a in records.amendments_of(record.id)}


def expected_of(records: Records, inst: Record) -> set[str]:
    """The entry ids of an institution's feed, worked out from the published records."""
    targets = {inst.id} | {p.id for p in records.persons_of(inst.id)}
    out: set[str] = set()
    for f in records.findings:
        if f.target in targets:
            url = f"findings/{f.id}.html"
            out |= {tag(records, f.published_on, url, "finding")} | amended(records, f, url)
    for e in records.list_entries_of(inst.id):
        out |= list_events(records, e)
    for n in records.credit_notices:
        if n.institution == inst.id:
            url = f"lists.html#{n.id}"
            out |= {tag(records, n.published_on, url, "credit-notice")} | amended(records, n, url)
    return out


def test_every_feed_is_valid_atom(site: Site, records: Records) -> None:
    paths = feed_paths(site)
    assert "feed.xml" in paths
    assert {f"institutions/{i.id}.xml" for i in records.institutions} | set(
        LIST_FEEDS.values()) | {"feed.xml"} == set(paths)
    problems = [p for path in paths for p in atom_problems(site.bytes(path), path)]
    assert not problems, "\n".join(problems[:20])


def test_every_feed_link_resolves_under_the_base(site: Site, records: Records) -> None:
    base = records.jurisdiction.site.base_url
    mapped = Site(site.root, base)
    links = 0
    for path in feed_paths(site):
        for link in ET.fromstring(site.bytes(path)).iter(f"{ATOM}link"):
            links += 1
            href = link.get("href")
            assert href.startswith(base), (path, href)
            target, fragment = mapped.resolve(path, href)
            assert target and (site.root / target).is_file(), (path, href)
            if fragment:
                assert fragment in site.ids(target), (path, href)
    assert links > len(feed_paths(site))  # more than the feeds' own links to themselves


def head_feeds(site: Site, page: str) -> list[str]:
    """The site paths of the Atom feeds a page names in its head, the site's own left out."""
    head = site.page(page).one("head")
    found = [site.resolve(page, link.get("href"))[0]
             for link in head.find_all("link", rel="alternate", type="application/atom+xml")]
    return [f for f in found if f != "feed.xml"]


def test_each_institution_page_names_and_links_its_feed(site: Site, records: Records) -> None:
    for inst in records.institutions:
        page, feed = f"institutions/{inst.id}.html", f"institutions/{inst.id}.xml"
        assert head_feeds(site, page) == [feed], page
        visible = [a for a in site.main(page).iter("a") if a.text() == SUBSCRIBE]
        assert [site.resolve(page, a.get("href"))[0] for a in visible] == [feed], page
        title = ET.fromstring(site.bytes(feed)).findtext(f"{ATOM}title")
        assert inst.name in title


def test_the_lists_page_names_and_links_each_lists_feed(site: Site) -> None:
    assert head_feeds(site, "lists.html") == list(LIST_FEEDS.values())
    main = site.main("lists.html")
    for heading, feed in LIST_FEEDS.items():
        section = main.one("section", **{"aria-labelledby": heading})
        links = [a for a in section.iter("a") if a.text() == "订阅更新"]
        assert [site.resolve("lists.html", a.get("href"))[0] for a in links] == [feed], heading
        assert (site.root / feed).is_file()


def test_an_institutions_feed_holds_exactly_its_events(site: Site, records: Records) -> None:
    for inst in records.institutions:
        found = set(entries(site, f"institutions/{inst.id}.xml"))
        assert found == expected_of(records, inst), inst.id


EVENTS_AMENDMENT = "检查日期应为 2025 年 4 月 10 日，原公示中的其他内容不变。"


def events_tree() -> Files:
    """The valid tree's firm with one event of every kind: its finding (amended), an abnormal
    list entry that has ended, a blacklist entry, and a credit notice; and a firm with none."""
    # on the blacklist by a penalty decision (三（三）), its number standing for the decision
    blacklist = edit(edit(edit(edit(edit(LIST_ENTRY, "id: abnormal-2025-01", "id: blacklist-2025-01"),
                                    "list: abnormal", "list: blacklist"),
                               "ground: unreachable", "ground: penalty"),
                          "finding: 2025-01-01\n", ""),
                     "  date: 2025-04-25\n", "  number: 测司黑〔2025〕1号\n  date: 2025-04-25\n")
    return {**valid_tree(), firm_file(2): firm(2),
            LIST_FILE: with_exit(LIST_ENTRY, "2025-09-01", "已恢复在登记住所执业，依申请移出。"),
            "records/lists/blacklist-2025-01.yaml": blacklist,
            "records/amendments/2025-01-01-a1.yaml": amendment(
                "2025-01-01-a1", "2025-01-01", "2025-06-02", EVENTS_AMENDMENT)}


def test_an_institutions_feed_carries_its_events_with_their_titles(
        site_tree: SiteTrees) -> None:
    site = site_tree(events_tree(), day=DAY)
    records = tree_records(site)
    feed = entries(site, f"institutions/{FIRM_ID}.xml")
    assert set(feed) == expected_of(records, records.get(FIRM_ID))
    assert sorted(feed.values()) == sorted([
        f"检查结果：{NAME}2025年4月10日非随机检查：{OUTCOMES['unreachable']}",
        f"更正：{NAME}2025年4月10日检查结果",
        f"列入{LISTS['abnormal']}：{NAME}", f"移出{LISTS['abnormal']}：{NAME}",
        f"列入{LISTS['blacklist']}：{NAME}",
        f"信用平台公示：{NAME}"]), sorted(feed.values())
    # and each list's feed, and the site's, carry the list's events
    assert sorted(entries(site, LIST_FEEDS["abnormal"]).values()) == sorted([
        f"列入{LISTS['abnormal']}：{NAME}", f"移出{LISTS['abnormal']}：{NAME}"])
    assert list(entries(site, LIST_FEEDS["blacklist"]).values()) == [
        f"列入{LISTS['blacklist']}：{NAME}"]
    assert set(entries(site, f"institutions/{FIRM_ID}.xml")) - set(entries(site, "feed.xml")) == \
        {tag(records, dt.date(2025, 6, 2), "findings/2025-01-01.html", "amendment-2025-01-01-a1")}


def test_an_institution_without_events_has_a_valid_empty_feed(site_tree: SiteTrees) -> None:
    site = site_tree(events_tree(), day=DAY)
    path = f"institutions/{firm_id(2)}.xml"
    assert not expected_of(tree_records(site), tree_records(site).get(firm_id(2)))
    root = ET.fromstring(site.bytes(path))
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    assert atom_problems(site.bytes(path), path) == []
    assert entries(site, f"institutions/{FIRM_ID}.xml")  # beside a feed that has entries


def test_each_lists_feed_holds_exactly_its_lists_events(site: Site, records: Records) -> None:
    for name in ("abnormal", "blacklist"):
        expected = set().union(*(list_events(records, e) for e in records.list_entries
                                 if e.list == name))
        assert expected, name
        assert set(entries(site, LIST_FEEDS[name])) == expected, name
    expected = set().union(*({tag(records, n.published_on, f"lists.html#{n.id}", "credit-notice")}
                             | amended(records, n, f"lists.html#{n.id}")
                             for n in records.credit_notices))
    assert expected and set(entries(site, LIST_FEEDS["credit"])) == expected


def test_an_event_has_one_id_in_every_feed(site: Site) -> None:
    """A finding, a listing or an exit, or a credit notice carries the id it has in feed.xml,
    so a reader who follows both sees it once."""
    everywhere = set(entries(site, "feed.xml"))
    checked = 0
    for path in feed_paths(site):
        for entry_id in entries(site, path):
            if not re.search(r":amendment-[^:]+$", entry_id):
                checked += path != "feed.xml"
                assert entry_id in everywhere, (path, entry_id)
    assert checked, "no entry of an institution's or a list's feed was compared"


def test_the_feeds_are_the_same_in_a_second_build(example: Path, site: Site,
                                                  tmp_path: Path) -> None:
    again = build(example, tmp_path / "again")
    assert {p: again.bytes(p) for p in feed_paths(again)} == {p: site.bytes(p)
                                                             for p in feed_paths(site)}


def test_without_a_base_url_feed_links_are_relative_to_the_feed(site_tree: SiteTrees) -> None:
    files = events_tree()
    assert "base_url" not in str(files["records/jurisdiction.yaml"])
    site = site_tree(files, day=DAY)
    links = 0
    for path in feed_paths(site):
        assert atom_problems(site.bytes(path), path) == [], path
        for link in ET.fromstring(site.bytes(path)).iter(f"{ATOM}link"):
            links += 1
            href = link.get("href")
            assert "://" not in href, (path, href)
            target, fragment = site.resolve(path, href)
            assert target and (site.root / target).is_file(), (path, href)
            if fragment:
                assert fragment in site.ids(target), (path, href)
    assert links > len(feed_paths(site))  # more than the feeds' own links to themselves


PERSON_ID = "01211300000000002"  # a lawyer of the second firm, which has no other event
PERSON_ITEM = "lf-02"


def test_a_finding_about_a_person_is_in_the_feed_of_their_institution(
        site_tree: SiteTrees) -> None:
    files = {**valid_tree(), firm_file(2): firm(2),
             f"records/personnel/{PERSON_ID}.yaml": PERSON.replace(
                 "01211300000000001", PERSON_ID).replace(FIRM_ID, firm_id(2)),
             ITEM_FILE.replace("lf-01", PERSON_ITEM): edit(edit(
                 ITEM, "id: lf-01", f"id: {PERSON_ITEM}"), "target_kind: institution",
                 "target_kind: person"),
             "records/findings/2025-t-01.yaml": finding(
                 "2025-t-01", target=PERSON_ID, day="2025-09-01", published_on="2025-09-10",
                 items=PERSON_ITEM)}
    site = site_tree(files, day=DAY)
    loaded = tree_records(site)
    person = loaded.get(PERSON_ID)
    inst = loaded.get(person.institution)
    assert inst.id == firm_id(2)
    found = entries(site, f"institutions/{inst.id}.xml")
    assert found == {tag(loaded, dt.date(2025, 9, 10), "findings/2025-t-01.html", "finding"):
                     f"检查结果：{person.name}（{inst.name}）2025年9月1日非随机检查："
                     f"{OUTCOMES['compliant']}"}
    path = f"institutions/{inst.id}.xml"
    assert atom_problems(site.bytes(path), path) == []


# --------------------------------------------------------------------------- publication dates

LATER = "2025-06-10"
AMENDMENT_TEXT = "列入决定文号应为测司异〔2025〕2号"
AMENDMENT = amendment("abnormal-2025-01-a1", "abnormal-2025-01", LATER,
                      f"{AMENDMENT_TEXT}，原公示中的其他内容不变。", "核对决定书时发现文号有误。")


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid tree with one event of every kind dated LATER: a finding published then, an
    amendment of a published list entry, a credit notice, and an exit from the abnormal list (an
    exit recorded ahead of its day)."""
    root = tmp_path_factory.mktemp("later")
    write_records(root, {
        **valid_tree(),
        "records/findings/2025-t-01.yaml": finding(
            "2025-t-01", target=FIRM_ID, day="2025-05-25", published_on=LATER),
        "records/amendments/abnormal-2025-01-a1.yaml": AMENDMENT,
        NOTICE_FILE: edit(CREDIT_NOTICE, "published_on: 2025-05-01", f"published_on: {LATER}"),
        LIST_FILE: with_exit(LIST_ENTRY, LATER, "已恢复在登记住所执业，依申请移出。"),
    })
    return root


def withheld(site: Site) -> list[str]:
    """Which of the LATER events some feed shows."""
    text = {path: site.read(path) for path in feed_paths(site)}
    marks = {"finding": "findings/2025-t-01.html", "amendment": AMENDMENT_TEXT,
             "credit notice": "cn-2025-01", "exit": f"{LATER}:lists.html#abnormal-2025-01"}
    return sorted(f"{what} in {path}" for what, mark in marks.items()
                  for path, body in text.items() if mark in body)


def test_nothing_published_later_reaches_a_feed(later: Path, tmp_path: Path) -> None:
    before = build(later, tmp_path / "before", "2025-06-09")
    assert withheld(before) == []
    problems = [p for path in feed_paths(before) for p in atom_problems(before.bytes(path), path)]
    assert not problems, "\n".join(problems)
    on = build(later, tmp_path / "on", LATER)
    shown = withheld(on)
    for what in ("finding", "amendment", "credit notice", "exit"):
        assert any(s.startswith(what + " in ") for s in shown), (what, shown)
    assert f"amendment in institutions/{FIRM_ID}.xml" in shown
    assert "amendment in lists/abnormal.xml" in shown
    assert "exit in lists/abnormal.xml" in shown
    assert "credit notice in lists/credit-notices.xml" in shown


# --------------------------------------------------------------------------- what a reader sees

HAN4 = re.compile(r"(?=([\u4e00-\u9fff]{4}))")


def repeated_phrase(title: str) -> str | None:
    """A run of four Chinese characters that `title` holds twice (抽取结果：…计划：抽取结果), or
    None."""
    seen: set[str] = set()
    for phrase in HAN4.findall(title):
        if phrase in seen:
            return phrase
        seen.add(phrase)
    return None


def summaries(site: Site, path: str) -> dict[str, str]:
    """title -> summary of every entry of the feed at `path` (titles are unique: tested)."""
    root = ET.fromstring(site.bytes(path))
    return {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary") or ""
            for e in root.iter(f"{ATOM}entry")}


def test_every_entry_has_a_summary_and_a_title_of_its_own(site: Site) -> None:
    checked = 0
    for path in feed_paths(site):
        root = ET.fromstring(site.bytes(path))
        titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
        assert len(titles) == len(set(titles)), (path, titles)
        for entry in root.iter(f"{ATOM}entry"):
            checked += 1
            title, summary = entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary")
            assert summary and re.search(r"[\u4e00-\u9fff]", summary), (path, title)
            assert entry.find(f"{ATOM}summary").get("type", "text") == "text"
            assert repeated_phrase(title) is None, (path, title, repeated_phrase(title))
            for text in (title, summary):  # dates as pages set them: 2026年, not 2026 年
                assert not re.search(r"\d{4} +年|年 *\d{1,2} +月|月 *\d{1,2} +日|[年月] +\d", text), (path, text)
                assert "\n" not in text and "。；" not in text, (path, text)
    assert checked > 30


def test_the_repeated_phrase_check_finds_the_old_titles() -> None:
    assert repeated_phrase("抽取结果：2026年度抽查计划：抽取结果") == "抽取结果"
    assert repeated_phrase("执业异常名录：示例律师事务所 列入执业异常名录") == "执业异常名录"[:4]
    assert repeated_phrase("列入执业异常名录：示例博睿律师事务所") is None


def test_a_findings_summary_gives_who_when_how_the_result_and_the_penalty(
        site: Site, records: Records) -> None:
    feed = summaries(site, "feed.xml")
    methods = choices("finding", "method")
    actions = choices("finding", "handling.action")
    penalised = 0
    for f in records.findings:
        name = records.get(f.target).name
        day = f"{f.inspected.start.year}年{f.inspected.start.month}月{f.inspected.start.day}日"
        kind = "随机抽查" if f.plan else "非随机检查"
        title = f"检查结果：{name}{day}{kind}：{OUTCOMES[f.outcome]}"
        assert title in feed, title
        summary = feed[title]
        for part in (f"检查对象：{name}", f"检查日期：{day}", f"抽查方式：{methods[f.method]}",
                     f"抽查结果：{OUTCOMES[f.outcome]}"):
            assert part in summary, (part, summary)
        for h in f.handling:
            assert actions[h.action] in summary, summary
            if h.decision_number:
                assert h.decision_number in summary, summary
                penalised += h.action == "penalty"
    assert penalised  # the example has a penalty with its decision number


def test_a_plans_notice_and_result_give_year_sectors_counts_and_dates(
        site: Site, records: Records) -> None:
    feed = summaries(site, "feed.xml")
    sectors = choices("plan", "scope.sector")
    drawn = 0
    for plan in records.plans:
        title = re.sub(r"(\d) +(?=[年月日])", r"\1", plan.title)  # set as pages set it
        notice = feed[f"抽取公告：{title}"]
        assert f"计划年度：{plan.year}年" in notice, notice
        for s in plan.scope:
            assert f"{sectors[s.sector]}抽取{s.ratio_percent}%（不少于{s.min_count}个）" in notice
        start = plan.schedule.start
        assert f"实施时间：{start.year}年{start.month}月{start.day}日至" in notice, notice
        result = feed.get(f"抽取结果：{title}")
        if result is None:
            continue
        drawn += 1
        held = plan.draw.held_on
        assert result.startswith(f"抽取日期：{held.year}年{held.month}月{held.day}日"), result
        for f in records.findings:  # each drawn and inspected target is named
            if f.plan == plan.id:
                assert records.get(f.target).name in result, result
    assert drawn >= 2


def test_list_and_credit_summaries_give_institution_list_reason_and_date(
        site: Site, records: Records) -> None:
    feed = summaries(site, "feed.xml")
    for e in records.list_entries:
        name = records.get(e.institution).name
        summary = feed[f"列入{LISTS[e.list]}：{name}"]
        day = e.entered_on
        for part in (f"机构：{name}", f"名录：{LISTS[e.list]}",
                     f"列入日期：{day.year}年{day.month}月{day.day}日",
                     f"列入情形：{choices('list_entry', 'ground')[e.ground]}",
                     e.decision.authority):
            assert part in summary, (part, summary)
        if e.exit and e.exit.date <= dt.date.fromisoformat(DAY):
            assert "移出理由：" in feed[f"移出{LISTS[e.list]}：{name}"]
    for n in records.credit_notices:
        name = records.get(n.institution).name
        summary = feed[f"信用平台公示：{name}"]
        assert f"公示平台：{n.platform}" in summary and f"机构：{name}" in summary


def test_an_amendments_summary_gives_what_was_corrected_and_why(site_tree: SiteTrees) -> None:
    site = site_tree(events_tree(), day=DAY)
    summary = summaries(site, f"institutions/{FIRM_ID}.xml")[f"更正：{NAME}2025年4月10日检查结果"]
    assert summary == (f"更正对象：{NAME}2025年4月10日检查结果；更正日期：2025年6月2日；"
                       "更正内容：检查日期应为2025年4月10日，原公示中的其他内容不变；"
                       "更正理由：核对时发现有误。")


def test_titles_two_entries_share_take_their_date_and_then_their_place() -> None:
    from generator.site.feeds import unique_titles
    from generator.site.pages import Notice

    def n(date: str, title: str) -> Notice:
        return Notice(date, "核验状态", title, "x.html", "s", "摘要")

    entries = [n("2026-03-02", "甲：合格"), n("2026-03-01", "甲：合格"), n("2026-03-01", "甲：合格"),
               n("2026-02-01", "甲：不合格"), n("2026-01-01", "甲：合格")]
    assert unique_titles(entries) == [
        "核验状态：甲：合格（2026年3月2日）", "核验状态：甲：合格（2026年3月1日，第2条）",
        "核验状态：甲：合格（2026年3月1日，第1条）", "核验状态：甲：不合格",
        "核验状态：甲：合格（2026年1月1日）"]
    assert unique_titles(entries[1:]) [1:] == unique_titles(entries)[2:]  # the past keeps its titles
