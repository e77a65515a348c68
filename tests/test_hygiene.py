"""Input hygiene (issue 11), through the CLI: text that hides or reorders what a reader sees is
refused with its file, line and field, never stripped, and the feed and sitemap stay valid XML
with whatever the records may hold; nothing reached through a symbolic link is read or
published; built and drawn files are world-readable under the usual umask; and a rebuild prunes
only the files an earlier build wrote."""
from __future__ import annotations

import json
import os
import shutil
import stat
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.records_tree import (
    FINDING,
    FIRM_ID,
    INSTITUTION,
    ITEM,
    JURISDICTION,
    PLAN,
    run_ssj,
    valid_tree,
    write_tree,
)
from tests.sitecheck import REPO, build_site
from tests.test_draw_commands import PLAN_ID, tree

ENV = {"SOURCE_DATE_EPOCH": "1798675200", "SSJ_SOURCE_REVISION": "test"}  # 2026-12-31
FIRM = f"records/institutions/{FIRM_ID}.yaml"
PERSON_ID = "01211300000000001"  # a lawyer nothing else cites


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems(output: str) -> list[str]:
    """The problem lines of `ssj check` (every line but the summary)."""
    lines = output.splitlines()
    assert lines and lines[-1].startswith("ssj check "), output
    assert "Traceback" not in output
    return lines[:-1]


def checked(root: Path, changes: dict[str, str | bytes | None]) -> list[str]:
    """`ssj check` on the valid tree with `changes`: it must fail; its problem lines."""
    write_tree(root, {**valid_tree(), **changes})
    run = run_ssj(root, "check")
    assert run.exit_code == 1, run.output
    return problems(run.output)


def small_site(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """The valid records tree with `changes`, and a copy of the site sources."""
    write_tree(root, {**valid_tree(), **(changes or {})})
    shutil.copytree(REPO / "site", root / "site")
    return root


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes()
            for p in sorted(folder.rglob("*"))}


# ------------------------------------------------------------------------------- hidden text

# (as written inside a YAML double-quoted string: the character itself or its escape, the code
# point the message names)
HIDDEN = [
    pytest.param("\u202e", "U+202E", id="bidi-override"),
    pytest.param("\\u2067", "U+2067", id="bidi-isolate-escaped"),
    pytest.param("\u200f", "U+200F", id="right-to-left-mark"),
    pytest.param("\u061c", "U+061C", id="arabic-letter-mark"),
    pytest.param("\u200b", "U+200B", id="zero-width-space"),
    pytest.param("\u200d", "U+200D", id="zero-width-joiner"),
    pytest.param("\u2060", "U+2060", id="word-joiner"),
    pytest.param("\ufeff", "U+FEFF", id="byte-order-mark-inside"),
    pytest.param("\\t", "U+0009", id="tab-escaped"),
    pytest.param("\\r", "U+000D", id="carriage-return"),
    pytest.param("\\x85", "U+0085", id="c1-next-line"),
    pytest.param("\\L", "U+2028", id="line-separator-escaped"),
    pytest.param("\\x9b", "U+009B", id="c1-csi"),
    pytest.param("\ufdd0", "U+FDD0", id="noncharacter-fdd0"),
    pytest.param("\\uFFFE", "U+FFFE", id="noncharacter-fffe"),
    pytest.param("\\U0010FFFF", "U+10FFFF", id="noncharacter-plane-16"),
    pytest.param("\\udc80", "U+DC80", id="lone-surrogate"),
]


@pytest.mark.parametrize("written, code", HIDDEN)
def test_a_name_holding_a_hidden_character_is_refused(tmp_path: Path, written: str,
                                                      code: str) -> None:
    firm = edit(INSTITUTION, "name: 示例青松律师事务所", f'name: "示例青松{written}律师事务所"')
    (line,) = checked(tmp_path, {FIRM: firm})
    assert line.startswith(f"{FIRM}:2: 错误 [load."), line
    assert "字段 name：含有" in line and code in line, line
    assert chr(int(code[2:], 16)) not in line  # named, never echoed


# (file, its text with one hidden character, the field named): one case per kind of string
FIELDS = [
    pytest.param("records/findings/2025-01-01.yaml",
                 edit(FINDING, "result: 通过登记的住所无法联系。",
                      "result: |\n  第一行。\n  通过登记的住所\n  无法\u200b联系。"),
                 "result", id="text-in-a-literal-block"),
    pytest.param("records/plans/2025-01.yaml",
                 edit(PLAN, "mode: direct\n", "mode: direct\njoint_departments:\n"
                      "  - 县市场监督管理局\n  - 县\u202e税务局\n"),
                 "joint_departments[2]", id="list-item"),
    pytest.param("records/items/lf-01.yaml",
                 edit(ITEM, "law: 中华人民共和国律师法", "law: 中华人民共和国\u2066律师法"),
                 "basis[1].law", id="field-of-an-object-in-a-list"),
    pytest.param(FIRM, edit(INSTITUTION, "sector: law-firm", "sector: law-firm\u200b"),
                 "sector", id="code"),
    pytest.param("records/jurisdiction.yaml",
                 edit(JURISDICTION, "name: 律师工作股", "name: 律师\u00ad工作股"),
                 "departments[1].name", id="jurisdiction"),
    pytest.param(FIRM, edit(INSTITUTION, "contact_phone:", "contact\u202e_phone:"), "", id="key"),
]


@pytest.mark.parametrize("file, text, field", FIELDS)
def test_every_string_field_and_key_refuses_hidden_characters_on_their_line(
        tmp_path: Path, file: str, text: str, field: str) -> None:
    hidden = next(c for c in text if c in "\u200b\u202e\u2066\u00ad")
    line = text[:text.index(hidden)].count("\n") + 1
    lines = checked(tmp_path, {file: text})
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{file}:{line}: 错误 [load.unicode] "), lines
    assert (f"字段 {field}：" if field else "字段名") in lines[0]
    assert hidden not in lines[0]


def test_a_newline_in_block_text_and_visible_symbols_are_accepted(tmp_path: Path) -> None:
    write_tree(tmp_path, {**valid_tree(), "records/findings/2025-01-01.yaml": edit(
        FINDING, "result: 通过登记的住所无法联系。",
        'result: |\n  第一行 <b>&amp; "引号" ]]>\n  第二行 😀 café 〔2024〕\n')})
    run = run_ssj(tmp_path, "check")
    assert run.exit_code == 0, run.output


DRAW_VALUES = f"records/draws/{PLAN_ID}/values.json"


@pytest.mark.parametrize("content, line, words", [
    pytest.param('[\n  "a\u202eb"\n]\n'.encode(), 2, ("[load.json]", "U+202E"), id="bidi"),
    pytest.param(b'{\n  "a": 1,\n  "b\\u200b": 2\n}\n', 3, ("[load.json]", "U+200B"),
                 id="zero-width-in-a-key"),
    pytest.param(b'[\n  1,\n  "\\ud800"\n]\n', 3, ("[load.json]", "U+D800"), id="lone-surrogate"),
    pytest.param(b"[" * 100000 + b"]" * 100000, 1, ("[load.too-deep]",), id="nested-too-deep"),
])
def test_a_draw_file_holding_what_no_record_may_is_refused(tmp_path: Path, content: bytes,
                                                           line: int,
                                                           words: tuple[str, ...]) -> None:
    lines = [x for x in checked(tmp_path, {DRAW_VALUES: content})
             if x.startswith(f"{DRAW_VALUES}:")]
    assert len(lines) == 1 and lines[0].startswith(f"{DRAW_VALUES}:{line}: 错误 "), lines
    assert all(w in lines[0] for w in words), lines


# accepted, being visible characters only; XML needs them escaped
HOSTILE = "示例<青松>&\"律师\"]]>事务所'😀'"
AUTHORITY = "测试县<司法局>&]]>"


def test_the_feed_and_sitemap_stay_valid_xml_with_hostile_but_accepted_text(
        tmp_path: Path) -> None:
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted string

    root = small_site(tmp_path / "root", {
        "records/jurisdiction.yaml": edit(JURISDICTION, "name: 测试县司法局",
                                          f"name: {quoted(AUTHORITY)}"),
        FIRM: edit(INSTITUTION, "name: 示例青松律师事务所", f"name: {quoted(HOSTILE)}"),
    })
    base = "https://example.org/a&b/"
    built = build_site(root, tmp_path / "out", "--base-url", base, env=ENV)
    assert built.exit_code == 0, built.output
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((tmp_path / "out/feed.xml").read_bytes())
    assert feed.findtext(f"{atom}title") == AUTHORITY
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    # every entry but the plan's (published, so it has one: 抽取公告) names the firm
    about_the_firm = [t for t in titles if not t.startswith("抽取公告")]
    assert about_the_firm and all(HOSTILE in t for t in about_the_firm), titles
    assert len(about_the_firm) == len(titles) - 1, titles
    sitemap = ET.fromstring((tmp_path / "out/sitemap.xml").read_bytes())
    locs = [e.text or "" for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(base) for loc in locs)


# --------------------------------------------------------------------------- symbolic links

def test_a_record_linked_to_a_file_outside_the_repository_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "elsewhere" / "firm.yaml"
    outside.parent.mkdir()
    outside.write_text(INSTITUTION, encoding="utf-8")
    write_tree(root, valid_tree())
    (root / FIRM).unlink()
    (root / FIRM).symlink_to(outside)
    run = run_ssj(root, "check")
    assert run.exit_code == 1, run.output
    assert problems(run.output) == [
        f"{FIRM}:1: 错误 [load.symlink] 是符号链接，记录须是仓库中的普通文件或目录 "
        "提示：把所指的内容本身放进仓库，或删除该链接"]


@pytest.mark.parametrize("link", [
    pytest.param(FIRM, id="record"),
    pytest.param("records/jurisdiction.yaml", id="jurisdiction"),
    pytest.param("records/credit-notices", id="kind-folder"),
    pytest.param(DRAW_VALUES, id="draw-file"),
    pytest.param(f"records/draws/{PLAN_ID}", id="draw-folder"),
])
def test_no_record_is_read_through_a_link(tmp_path: Path, link: str) -> None:
    """The link points inside the repository (outside records/), and is refused all the same."""
    write_tree(tmp_path, {**valid_tree(), DRAW_VALUES: "[]\n"})
    moved = tmp_path / "moved" / Path(link).name
    moved.parent.mkdir()
    shutil.move(tmp_path / link, moved)
    (tmp_path / link).symlink_to(moved)
    run = run_ssj(tmp_path, "check")
    assert run.exit_code == 1, run.output
    assert f"{link}:1: 错误 [load.symlink]" in run.output


@pytest.mark.parametrize("link, is_folder", [
    pytest.param("site/static/leak.txt", False, id="static-file"),
    pytest.param("site/static/leaked", True, id="static-folder"),
    pytest.param("site/static", True, id="the-static-folder"),
    pytest.param("site/pages/leak.md", False, id="page"),
    pytest.param("site/templates/page.html", False, id="template"),
])
def test_nothing_is_built_from_a_link_under_site(tmp_path: Path, link: str,
                                                 is_folder: bool) -> None:
    root = small_site(tmp_path / "root")
    secret = tmp_path / "secret"
    if (root / link).exists():
        shutil.move(root / link, secret)
    elif is_folder:
        (secret / "inner").mkdir(parents=True)
        (secret / "inner" / "key.txt").write_text("机密\n", encoding="utf-8")
    else:
        secret.write_text("# 机密\n", encoding="utf-8")
    (root / link).symlink_to(secret)
    out = tmp_path / "out"
    built = build_site(root, out, env=ENV)
    assert built.exit_code == 1, built.output
    (line,) = built.output.strip().splitlines()
    assert line.startswith("ssj: 未生成网站：") and f"{link} 是符号链接" in line, line
    assert not out.exists()


# ------------------------------------------------------------------------------- permissions

@pytest.fixture
def umask() -> Iterator[None]:
    """Restores the process's umask after a test that sets it."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def modes(folder: Path) -> set[tuple[str, int]]:
    """(kind, permission bits) of the folder and of everything in it."""
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode))
            for p in [folder, *folder.rglob("*")]}


@pytest.mark.parametrize("mask, file_mode, dir_mode", [
    pytest.param(0o022, 0o644, 0o755, id="umask-022"),
    pytest.param(0o027, 0o640, 0o750, id="umask-027"),
])
def test_built_files_have_the_permissions_of_an_ordinary_write(
        tmp_path: Path, umask: None, mask: int, file_mode: int, dir_mode: int) -> None:
    root = small_site(tmp_path / "root")
    os.umask(mask)
    built = build_site(root, tmp_path / "out", env=ENV)
    assert built.exit_code == 0, built.output
    assert modes(tmp_path / "out") == {("file", file_mode), ("dir", dir_mode)}


def test_drawn_files_are_world_readable(tmp_path: Path, umask: None) -> None:
    write_tree(tmp_path, tree())
    run = run_ssj(tmp_path, "draw", "freeze", PLAN_ID)
    assert run.exit_code == 0, run.output
    assert modes(tmp_path / f"records/draws/{PLAN_ID}") == {("file", 0o644), ("dir", 0o755)}


# ----------------------------------------------------------------------------------- pruning

USER_FILES = {"CNAME": "ssj.example.org\n", ".nojekyll": "", ".git/HEAD": "ref: refs/heads/main\n",
              ".well-known/security.txt": "Contact: mailto:it@example.org\n",
              "notes/keep.txt": "我的文件\n"}


def test_a_rebuild_prunes_only_what_an_earlier_build_wrote(tmp_path: Path) -> None:
    root = small_site(tmp_path / "root")
    out = tmp_path / "out"
    assert build_site(root, out, env=ENV).exit_code == 0
    person_pages = sorted(p.relative_to(out).as_posix() for p in out.rglob(f"*{PERSON_ID}*"))
    assert person_pages
    write_tree(out, USER_FILES)
    (out / ".well-known" / "empty").mkdir()
    (root / f"records/personnel/{PERSON_ID}.yaml").unlink()
    rebuilt = build_site(root, out, env=ENV)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert not [p for p in person_pages if (out / p).exists()]
    assert not (out / "personnel").exists()  # the folder it emptied
    for rel, text in USER_FILES.items():
        assert (out / rel).read_text(encoding="utf-8") == text, rel
    assert (out / ".well-known" / "empty").is_dir()
    fresh = tmp_path / "fresh"
    assert build_site(root, fresh, env=ENV).exit_code == 0
    ours = {rel: data for rel, data in snapshot(out).items()
            if rel.split("/")[0] not in {".git", ".well-known", "notes", "CNAME", ".nojekyll"}}
    assert ours == snapshot(fresh)


@pytest.mark.parametrize("marker", [
    pytest.param(b"ssj build output; this folder is rewritten by every build\n", id="older-build"),
    pytest.param(b"not json", id="garbled"),
    pytest.param(b'{"files": 5}', id="not-a-list"),
])
def test_an_unreadable_marker_prunes_nothing(tmp_path: Path, marker: bytes) -> None:
    root = small_site(tmp_path / "root")
    out = tmp_path / "out"
    assert build_site(root, out, env=ENV).exit_code == 0
    write_tree(out, {"CNAME": "ssj.example.org\n", ".ssj-site": marker})
    assert build_site(root, out, env=ENV).exit_code == 0
    assert (out / "CNAME").read_text(encoding="utf-8") == "ssj.example.org\n"


def test_pruning_never_leaves_the_output_folder_whatever_the_marker_says(tmp_path: Path) -> None:
    root = small_site(tmp_path / "root")
    out = tmp_path / "site" / "out"
    assert build_site(root, out, env=ENV).exit_code == 0
    victims = [tmp_path / "site" / "victim.txt", tmp_path / "absolute.txt"]
    for victim in victims:
        victim.write_text("不是网站的文件\n", encoding="utf-8")
    (out / "linked").symlink_to(tmp_path / "site")
    listed = json.loads((out / ".ssj-site").read_bytes())["files"]
    (out / ".ssj-site").write_text(json.dumps({"files": listed + [
        "../victim.txt", str(victims[1]), "static/../../victim.txt", "linked/victim.txt"]}),
        encoding="utf-8")
    # a link in the output folder: the build refuses before anything is read or removed
    refused = build_site(root, out, env=ENV)
    assert refused.exit_code == 2 and "linked 是符号链接" in refused.output
    assert all(v.read_text(encoding="utf-8") == "不是网站的文件\n" for v in victims)
    assert (out / "linked").is_symlink()
    (out / "linked").unlink()
    assert build_site(root, out, env=ENV).exit_code == 0
    assert all(v.read_text(encoding="utf-8") == "不是网站的文件\n" for v in victims)
