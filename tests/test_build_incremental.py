"""Incremental and parallel `ssj build`: a rebuild renders only the pages whose inputs changed, a
build on several processes writes the same bytes as one process, and whatever the last build left
behind (its state, its output) is checked before it is reused, never trusted."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("state", [b"", b"\x00\xff not json", b'{"format": "ssj-site-state/1"}',
                                   b'{"format": "ssj-site-state/1", "pages": {"index.html": '
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


def test_ssj_cache_0_keeps_no_state(example: Path, tmp_path: Path) -> None:
    pages, _ = build(example, tmp_path / "out", cache=False)
    assert not states()
    assert build(example, tmp_path / "out", cache=False) == (pages, pages)
