"""The parse cache (records/.ssj-cache/): a second `ssj check` parses nothing that did not change
and says exactly what the first said; an edited file is read again; a cache that is damaged,
forged or from elsewhere is ignored and rebuilt, never trusted; SSJ_CACHE=0 writes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.authoring.bureau import Bureau, init_files
from generator.records import load, parsecache
from tests.records_tree import FIRM_ID, INSTITUTION, Run, run_ssj, valid_tree, write_tree

CACHE = Path("records") / parsecache.FOLDER / "parsed.pickle"
FIRM = f"records/institutions/{FIRM_ID}.yaml"
BROKEN = {
    FIRM: INSTITUTION.replace("sector: law-firm", "sector: law_firm"),
    "records/items/lf-01.yaml": "id: lf-01\ntitle:\tx\n",
    "records/credit-notices/cn-2025-01.yaml": "id: cn-2025-01\nid: again\n",
    "records/draws/2025-01/values.json": "{\"values\": [1,]}\n",
}


@pytest.fixture(autouse=True)
def caching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSJ_CACHE", raising=False)  # tests/conftest.py turns it off elsewhere


def check(root: Path, *args: str) -> Run:
    run = run_ssj(root, "check", *args)
    assert "Traceback" not in run.output
    return run


def without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading any record or draw file's text fails the test."""
    def refuse(*args: object) -> None:
        raise AssertionError("parsed although cached")
    monkeypatch.setattr(load, "parse_record", refuse)
    monkeypatch.setattr(parsecache, "read_json", refuse)


def stored(root: Path) -> dict[bytes, object]:
    return parsecache._read(root / CACHE)


def test_a_warm_check_parses_nothing_and_says_the_same(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, valid_tree())
    cold = check(tmp_path)
    assert cold.exit_code == 0, cold.output
    assert len(stored(tmp_path)) == len(valid_tree())
    written = (tmp_path / CACHE).stat()
    without_parsing(monkeypatch)
    assert check(tmp_path) == cold
    assert (tmp_path / CACHE).stat().st_mtime_ns == written.st_mtime_ns  # nothing changed


def test_broken_files_give_the_same_problems_warm(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {**valid_tree(), **BROKEN})
    cold = check(tmp_path)
    assert cold.exit_code == 1
    assert all(name in cold.output for name in BROKEN), cold.output
    without_parsing(monkeypatch)
    assert check(tmp_path) == cold


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    assert check(tmp_path).exit_code == 0
    write_tree(tmp_path, {FIRM: BROKEN[FIRM]})
    edited = check(tmp_path)
    assert edited.exit_code == 1 and f"{FIRM}:3: 错误 [load.enum]" in edited.output
    write_tree(tmp_path, {FIRM: INSTITUTION})
    assert check(tmp_path).exit_code == 0


def test_only_the_files_of_the_tree_are_kept(tmp_path: Path) -> None:
    write_tree(tmp_path, valid_tree())
    check(tmp_path)
    write_tree(tmp_path, {FIRM: BROKEN[FIRM]})
    (tmp_path / "records/credit-notices/cn-2025-01.yaml").unlink()
    check(tmp_path)
    assert len(stored(tmp_path)) == len(valid_tree()) - 1


def test_file_names_follow_the_working_directory(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {**valid_tree(), FIRM: BROKEN[FIRM]})
    check(tmp_path)
    warm = check(tmp_path / "records", "--records", ".")
    assert f"\ninstitutions/{FIRM_ID}.yaml:3: 错误 [load.enum]" in "\n" + warm.output
    monkeypatch.setenv("SSJ_CACHE", "0")
    assert check(tmp_path / "records", "--records", ".") == warm


def forged(body: bytes) -> bytes:
    """A cache file with a right header and digest around `body`."""
    return parsecache._MAGIC + hashlib.sha256(body).digest() + body


class _Shell:
    """Unpickled, it would run a shell command: the cache must refuse it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return os.system, (f"touch '{self.marker}'",)


KEY = b"k" * 32
DAMAGED = {
    "truncated": lambda good, root: good[:len(good) // 2],
    "random bytes": lambda good, root: os.urandom(len(good)),
    "empty": lambda good, root: b"",
    "wrong digest": lambda good, root: good[:-1] + bytes([good[-1] ^ 1]),
    "older layout": lambda good, root: good.replace(parsecache._MAGIC, b"ssj parse cache 0\n"),
    "runs a command": lambda good, root: forged(pickle.dumps({KEY: _Shell(root / "pwned")})),
    "not a dict": lambda good, root: forged(pickle.dumps([1, 2, 3])),
    "wrong entry": lambda good, root: forged(pickle.dumps({KEY: ("a", "b", "c")})),
    "foreign class": lambda good, root: forged(pickle.dumps({KEY: (dt.datetime.now(), None)})),
}


@pytest.mark.parametrize("damage", DAMAGED, ids=list(DAMAGED))
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: str) -> None:
    write_tree(tmp_path, {**valid_tree(), FIRM: BROKEN[FIRM]})
    cold = check(tmp_path)
    good = (tmp_path / CACHE).read_bytes()
    (tmp_path / CACHE).write_bytes(DAMAGED[damage](good, tmp_path))
    assert stored(tmp_path) == {}
    assert check(tmp_path) == cold
    assert not (tmp_path / "pwned").exists()
    assert (tmp_path / CACHE).read_bytes() == good  # rebuilt


def test_an_entry_for_other_bytes_is_never_used(tmp_path: Path) -> None:
    """The key is the content: a valid cache copied from another tree changes nothing."""
    write_tree(tmp_path / "a", valid_tree())
    write_tree(tmp_path / "b", {**valid_tree(), FIRM: BROKEN[FIRM]})
    broken = check(tmp_path / "b")
    check(tmp_path / "a")
    shutil.copy(tmp_path / "a" / CACHE, tmp_path / "b" / CACHE)
    assert check(tmp_path / "b") == broken


def test_the_cache_folder_is_no_stray_file_and_git_ignores_it(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write_tree(tmp_path, valid_tree())
    check(tmp_path)
    run = check(tmp_path)
    assert run.exit_code == 0 and "stray" not in run.output and parsecache.FOLDER not in run.output
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert parsecache.FOLDER not in status and "records/" in status
    ignores = init_files(Bureau("某县司法局", "某县司法局", "210000", "ssj"), dt.date(2025, 1, 1))
    assert parsecache.FOLDER + "/" in ignores[".gitignore"].decode().splitlines()


def test_a_folder_that_cannot_be_written_means_no_cache(tmp_path: Path) -> None:
    write_tree(tmp_path, {**valid_tree(), f"records/{parsecache.FOLDER}": "not a folder\n"})
    assert check(tmp_path).exit_code == 0
    assert check(tmp_path).exit_code == 0
    assert (tmp_path / "records" / parsecache.FOLDER).read_text() == "not a folder\n"


def test_ssj_cache_0_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, valid_tree())
    monkeypatch.setenv("SSJ_CACHE", "0")
    before = sorted(tmp_path.rglob("*"))
    assert check(tmp_path).exit_code == 0
    assert sorted(tmp_path.rglob("*")) == before
