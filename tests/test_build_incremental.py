"""Incremental and parallel `ssj build`: a rebuild renders only the pages whose inputs changed, a
build on several processes writes the same bytes as one process, a rebuild writes the same bytes
as a full build whatever was edited, and whatever the last build left behind (its state, its
output) is checked before it is reused, never trusted blindly: a kept file's size and mtime
are, --verify-output reads it back."""
from __future__ import annotations

import json
import os
import re
import zlib
from pathlib import Path
from typing import Callable, Iterator

import pytest

from generator.site import search
from tests.sitecheck import build_site, copy_example
from tests.browser import EXAMPLE_ENV

FINDING = "records/findings/2025-01-01.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a built site (the marker listing them included)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rendered(output: str) -> tuple[int, int]:
    """(pages, pages rendered) from `ssj build`'s summary line."""
    pages, fresh = re.search(r"(\d+) 个页面（渲染 (\d+)）", output).groups()
    return int(pages), int(fresh)


def build(root: Path, out: Path, *args: str, cache: bool = True) -> tuple[int, int]:
    env = {**EXAMPLE_ENV, "SSJ_CACHE": "1" if cache else "0"}
    built = build_site(root, out, *args, env=env)
    assert built.exit_code == 0, built.output
    assert "Traceback" not in built.output
    return rendered(built.output)


@pytest.fixture()
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SSJ_CACHE_DIR", str(tmp_path / "user-cache"))
    return copy_example(tmp_path / "example")


def states() -> list[Path]:
    """The build states kept in the user cache directory."""
    return sorted(Path(os.environ["SSJ_CACHE_DIR"]).rglob("site-*.json"))


def test_several_processes_write_the_same_bytes_as_one(example: Path, tmp_path: Path) -> None:
    pages, fresh = build(example, tmp_path / "serial", "--jobs", "1", cache=False)
    assert fresh == pages > 100
    build(example, tmp_path / "parallel", "--jobs", "3", cache=False)
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def test_a_rebuild_with_nothing_changed_renders_nothing(example: Path, tmp_path: Path) -> None:
    pages, fresh = build(example, tmp_path / "out")
    assert fresh == pages
    assert build(example, tmp_path / "out") == (pages, 0)


def test_an_edited_finding_rerenders_only_what_shows_it(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pages, _ = build(example, out)
    finding = example / FINDING
    text = finding.read_text(encoding="utf-8")
    edited = re.sub(r"^(result: .*)$", r"\1（已更正）", text, count=1, flags=re.M)
    assert edited != text
    finding.write_text(edited, encoding="utf-8")
    _, fresh = build(example, out)
    # the finding's page, its institution's, the plan's, the findings index, the home page …
    assert 3 <= fresh < pages // 2
    assert "（已更正）" in (out / "findings" / "2025-01-01.html").read_text(encoding="utf-8")
    build(example, tmp_path / "fresh", cache=False)
    assert snapshot(out) == snapshot(tmp_path / "fresh")


def test_a_template_change_rerenders_every_page(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pages, _ = build(example, out)
    footer = example / "site" / "templates" / "footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "<!-- 改 -->\n", encoding="utf-8")
    assert build(example, out) == (pages, pages)


def test_an_output_file_changed_by_hand_is_made_again(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(example, out)
    before = snapshot(out)
    page = out / "findings" / "2025-01-01.html"
    page.write_text("<p>被改动</p>", encoding="utf-8")
    (out / "pagefind" / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    _, fresh = build(example, out)
    assert fresh == 1
    assert snapshot(out) == before


@pytest.mark.parametrize("state", [b"", b"\x00\xff not json", b'{"format": "ssj-site-state/2"}',
                                   b'{"format": "ssj-site-state/2", "pages": {"index.html": '
                                   b'["x", ["../../outside"]]}, "files": {}}', b"[]"])
def test_a_broken_state_file_means_a_full_build(example: Path, tmp_path: Path,
                                                state: bytes) -> None:
    out = tmp_path / "out"
    pages, _ = build(example, out)
    kept = states()
    assert len(kept) == 1
    kept[0].write_bytes(state)
    assert build(example, out) == (pages, pages)
    assert build(example, out) == (pages, 0)  # and the state is sound again


def test_a_state_with_odd_file_entries_means_a_full_build(example: Path,
                                                          tmp_path: Path) -> None:
    """The state's record of a file (digest, size, mtime_ns, inode) is read, never obeyed: one
    of another shape matches no file."""
    out = tmp_path / "out"
    pages, _ = build(example, out)
    state = states()[0]
    kept = json.loads(state.read_bytes())
    kept["files"] = {name: [digest, str(size), *rest]
                     for name, (digest, size, *rest) in kept["files"].items()}
    state.write_text(json.dumps(kept), encoding="utf-8")
    assert build(example, out) == (pages, pages)


def test_ssj_cache_0_keeps_no_state(example: Path, tmp_path: Path) -> None:
    pages, _ = build(example, tmp_path / "out", cache=False)
    assert not states()
    assert build(example, tmp_path / "out", cache=False) == (pages, pages)


def test_an_output_file_changed_behind_ssjs_back_is_made_again(example: Path,
                                                               tmp_path: Path) -> None:
    """A rebuild trusts a kept file whose size, mtime and inode are those the last build
    recorded, without reading it: a file edited in place to the same size is made again when
    its mtime moved, and so is a deleted one; one whose mtime was set back to the recorded one
    (os.utime) passes for unchanged, and only --verify-output, which reads every file back,
    catches it."""
    out = tmp_path / "out"
    build(example, out)
    before = snapshot(out)
    moved, reset, deleted = (out / "findings" / "2025-01-01.html", out / "regulation.html",
                             out / "findings" / "2025-01-02.html")
    for page in (moved, reset):
        stat = page.stat()
        data = page.read_bytes()
        page.write_bytes(data.replace(b"</title>", b"</TITLE>", 1))
        assert page.read_bytes() != data and page.stat().st_size == stat.st_size
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + (0 if page is reset else 10**9)))
    deleted.unlink()
    assert build(example, out)[1] == 2
    assert moved.read_bytes() == before["findings/2025-01-01.html"]
    assert deleted.read_bytes() == before["findings/2025-01-02.html"]
    assert reset.read_bytes() != before["regulation.html"]
    assert build(example, out, "--verify-output")[1] == 1
    assert snapshot(out) == before


def _add_institution(root: Path) -> None:
    from generator.rules.uscc import check_character

    records = root / "records" / "institutions"
    uscc = "31211324MA0199990" + check_character("31211324MA0199990")
    # founded after the example's last draw, whose package it would otherwise be missing from
    (records / f"{uscc}.yaml").write_text(f"""id: "{uscc}"
name: 示例新立律师事务所
sector: law-firm
uscc: "{uscc}"
licence_number: "22113202610000999"
address: 辽宁省朝阳市喀左县大城子街道示例中路 99 号
responsible_person: 韩某立
founded: 2026-09-01
contact_phone: "0421-00009999"
status_history:
  - since: 2026-09-01
    status: active
""", encoding="utf-8")


def _append(path: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / path
        file.write_text(file.read_text(encoding="utf-8") + text, encoding="utf-8")
    return edit


def _replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new), encoding="utf-8")
    return edit


# an edited finding: test_an_edited_finding_rerenders_only_what_shows_it
EDITS: dict[str, Callable[[Path], None]] = {
    "institution added": _add_institution,
    "person removed": lambda root: (root / "records/personnel/52113242021000002.yaml").unlink(),
    "template edited": _append("site/templates/footer.html", "<!-- 改 -->\n"),
    "hand page edited": _append("site/pages/accessibility.md", "\n本页于测试中改动。\n"),
    "policy edited": _replace("records/jurisdiction.yaml", "publish_inspector_roster: true",
                              "publish_inspector_roster: false"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """One example tree and its site, built once for the module's edits, which pile up."""
    root = copy_example(tmp_path_factory.mktemp("edited"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSJ_CACHE_DIR", str(root / "user-cache"))
        build(root, root / "out")
        yield root, root / "out"


@pytest.mark.parametrize("edit", EDITS)
def test_a_rebuild_after_an_edit_equals_a_full_build(built: tuple[Path, Path], edit: str,
                                                     tmp_path: Path) -> None:
    root, out = built
    EDITS[edit](root)
    build(root, out)
    build(root, tmp_path / "full", cache=False)
    assert snapshot(out) == snapshot(tmp_path / "full")


def test_a_damaged_past_report_is_made_again(example: Path, tmp_path: Path) -> None:
    """Past years' reports are kept in the user cache directory, found by the records' digest;
    one that is not a report as stored is made again, with no traceback and the same site."""
    out = tmp_path / "out"
    build(example, out)
    before = snapshot(out)
    stored = sorted(Path(os.environ["SSJ_CACHE_DIR"]).rglob("report-*.json"))
    assert stored
    key = json.loads(stored[0].read_bytes())["key"]
    for damage in (b"\x00\xff", b'{"key": "x"', json.dumps({"key": key, "report": {"year": 1}}),
                   json.dumps({"key": key, "report": []})):
        stored[0].write_bytes(damage.encode() if isinstance(damage, str) else damage)
        build(example, out)
        assert snapshot(out) == before
        assert json.loads(stored[0].read_bytes())["key"] == key


def test_damaged_index_texts_are_made_again(example: Path, tmp_path: Path) -> None:
    """The texts the search index was fed are kept in the user cache directory, so that a part
    made again takes its unchanged pages' texts from there; damaged, of other code or of
    another type, they are made again from the pages: the same site as a full build."""
    out = tmp_path / "out"
    build(example, out)
    (kept,) = Path(os.environ["SSJ_CACHE_DIR"]).rglob("site-*-index/*.json.z")
    finding = example / FINDING
    for n, damage in enumerate((b"\x00\xff", zlib.compress(b'{"salt": "00", "texts": {}}'),
                                zlib.compress(b'{"texts": {"a": 1}}'))):
        kept.write_bytes(damage)
        finding.write_text(re.sub(r"^(result: .*)$", rf"\1（{n}）", finding.read_text(
            encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
        assert build(example, out)[1] > 0
    build(example, tmp_path / "full", cache=False)
    assert snapshot(out) == snapshot(tmp_path / "full")


def test_an_index_in_parts_rebuilt_equals_a_full_build(example: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """An index cut into parts (as a province's is): after an edit, the parts made again (each
    finished while the next is fed, from kept texts) and the parts kept are a full build's."""
    monkeypatch.setattr(search, "SINGLE", 20)
    monkeypatch.setattr(search, "PART", 16)
    out = tmp_path / "out"
    build(example, out)
    finding = example / FINDING
    finding.write_text(re.sub(r"^(result: .*)$", r"\1（已更正）", finding.read_text(
        encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
    build(example, out)
    build(example, tmp_path / "full", cache=False)
    assert len(list((out / "pagefind").glob("*/pagefind-entry.json"))) >= 4
    assert snapshot(out) == snapshot(tmp_path / "full")
