"""Hand-written pages under site/pages/ that cannot be read stop the build with one line naming
the file, never a traceback (issue 11), and nothing is written."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.records_tree import valid_tree
from tests.site_tree import SITE, ssj_build, write_records


def small_site(root: Path) -> Path:
    """A small records tree and a copy of the site's sources under `root`."""
    write_records(root, valid_tree())
    shutil.copytree(SITE, root / "site")
    return root


@pytest.mark.parametrize("content, words", [
    ("---\n- a\n- b\n---\n正文\n".encode(), ("guide.md:2", "键值对")),
    ("---\ntitle: [未闭合\n---\n正文\n".encode(), ("guide.md:", "YAML 无效")),
    ("---\ntitle: 1\n---\n正文\n".encode(), ("guide.md:2", "键值对")),
    ("---\ntitle: 操作指南\n---\n正文".encode("gb18030"), ("guide.md", "不是 UTF-8")),
], ids=["list", "invalid-yaml", "title-not-text", "not-utf-8"])
def test_an_unreadable_page_stops_the_build_in_one_line(tmp_path: Path, content: bytes,
                                                        words: tuple[str, ...]) -> None:
    root = small_site(tmp_path / "root")
    (root / "site/pages/guide.md").write_bytes(content)
    out = tmp_path / "out"
    built = ssj_build(root / "records", out, site=root / "site")
    assert built.exit_code == 1, built.output
    assert "Traceback" not in built.output and "内部错误" not in built.output
    (line,) = built.output.strip().splitlines()
    assert all(w in line for w in words), line
    assert not out.exists()


def test_a_page_without_front_matter_is_titled_by_its_name(tmp_path: Path) -> None:
    root = small_site(tmp_path / "root")
    (root / "site/pages/notes.md").write_text("# 说明\n\n正文。\n", encoding="utf-8")
    built = ssj_build(root / "records", tmp_path / "out", site=root / "site")
    assert built.exit_code == 0, built.output
    assert "<title>notes" in (tmp_path / "out/notes.html").read_text(encoding="utf-8")
