"""Issue 26: a check that reuses what it cached (checks/memo.py) says exactly what a full check
says, on every rules fixture, after every kind of edit.

The rules tests' trees (tests/test_rules.py, test_rules_reading.py, test_rules_second_pass.py)
are written one after the other into the same folder, each replacing the last: every step is an
edit of the tree the cache was made from, of whatever kind the fixtures differ by (a field, a
record added or removed, the policy, a draw's files). After each, `ssj check` with the cache and
`ssj check` without it must print the same and exit alike.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pytest

from generator.checks import memo as memo_module
from tests import test_rules, test_rules_reading, test_rules_second_pass
from tests.records_tree import run_ssj, valid_tree
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    Drawn, drawn_tree_fixture, edit, firm, firm_file, tree_with)

FIXTURES = [p.values[0] for module in (test_rules, test_rules_reading, test_rules_second_pass)
            for p in module.CASES]


def _files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def _become(root: Path, files: dict[str, bytes]) -> None:
    """Make records/ under `root` hold exactly `files`, touching only what differs."""
    for name in set(_files_under(root)) - set(files):
        (root / name).unlink()
    for name, data in files.items():
        path = root / name
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _as_bytes(files: dict[str, str | bytes | None],
              base: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """`base` with `files` written over it, None removing one."""
    out = dict(base or {})
    for name, content in files.items():
        if content is None:
            out.pop(name, None)
        else:
            out[name] = content.encode() if isinstance(content, str) else content
    return out


def _same_both_ways(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setenv("SSJ_CACHE", "1")
    cached = run_ssj(root, "check", *args)
    monkeypatch.setenv("SSJ_CACHE", "0")
    full = run_ssj(root, "check", *args)
    assert (cached.exit_code, cached.output) == (full.exit_code, full.output)


def _walk(root: Path, trees: Iterable[tuple[dict[str, bytes], str]],
          monkeypatch: pytest.MonkeyPatch) -> None:
    for files, as_of in trees:
        _become(root, files)
        _same_both_ways(root, monkeypatch, "--as-of", as_of)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SSJ_CACHE_DIR", str(folder))
    return folder


def test_every_inline_fixture_in_turn(tmp_path: Path, cache: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    trees = [(_as_bytes(tree_with(case.files)), case.as_of)
             for case in FIXTURES if not case.drawn]
    assert len(trees) > 150
    _walk(root, trees, monkeypatch)
    assert any(cache.rglob("checks.pickle"))


def test_every_drawn_fixture_in_turn(tmp_path: Path, cache: Path, drawn_tree: Drawn,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawn fixtures change records and the draw's own files under a committed package."""
    root = drawn_tree.copy(tmp_path / "tree")
    base = _files_under(root)
    trees = [(_as_bytes(case.files(drawn_tree), base), case.as_of)
             for case in FIXTURES if case.drawn]
    assert len(trees) > 20
    _walk(root, trees, monkeypatch)


class _Counting:
    """Every check cache opened, so a test can see how many units each check ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[memo_module.CheckMemo] = []
        real = memo_module.CheckMemo.__init__

        def remember(memo: memo_module.CheckMemo, *args) -> None:  # type: ignore[no-untyped-def]
            real(memo, *args)
            self.opened.append(memo)
        monkeypatch.setattr(memo_module.CheckMemo, "__init__", remember)

    def ran(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> int:
        _same_both_ways(root, monkeypatch, "--as-of", "2025-06-01")
        return self.opened[-1].ran  # the cached check's: the full one opens none


def test_a_check_runs_again_only_what_the_edit_reaches(tmp_path: Path, cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged records run nothing; an edited finding runs its own per-record rules and the
    checks that read every finding, not the per-record checks of the other records."""
    counting = _Counting(monkeypatch)
    root = tmp_path / "tree"
    root.mkdir()
    files = _as_bytes(tree_with({firm_file(n): firm(n) for n in range(2, 6)}))
    _become(root, files)
    cold = counting.ran(root, monkeypatch)
    assert cold > 0
    assert counting.ran(root, monkeypatch) == 0
    finding = next(k for k in files if k.startswith("records/findings/"))
    _become(root, {**files, finding: files[finding].replace("outcome: ".encode(), "# 改\noutcome: ".encode())})
    edited = counting.ran(root, monkeypatch)
    assert 0 < edited < cold
    # a firm's record: the rules that read it run, not those of plans that never name it
    firm5 = firm_file(5)
    _become(root, {**files, firm5: edit(files[firm5].decode(), "示例第5律师事务所",
                                        "示例第五律师事务所").encode()})
    assert 0 < counting.ran(root, monkeypatch) < cold


def test_a_damaged_cache_is_a_full_check(tmp_path: Path, cache: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _Counting(monkeypatch)
    root = tmp_path / "tree"
    root.mkdir()
    _become(root, _as_bytes(valid_tree()))
    cold = counting.ran(root, monkeypatch)
    (stored,) = cache.rglob("checks.pickle")
    data = stored.read_bytes()
    for damaged in (data[:-7], data[:40] + bytes([data[40] ^ 1]) + data[41:], b"", b"x" * 99):
        stored.write_bytes(damaged)
        assert counting.ran(root, monkeypatch) == cold
