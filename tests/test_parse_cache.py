"""The parse cache (in the user's cache directory): a second `ssj check` parses nothing that did
not change and says exactly what the first said; an edited file is read again; a cache that is
damaged, forged or from elsewhere is ignored and rebuilt, never trusted; a cache inside the
records or tracked by git is ignored with a warning; SSJ_CACHE=0, and CI, write nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.records import load, parsecache
from tests.sitecheck import REPO
from tests.records_tree import FIRM_ID, INSTITUTION, Run, run_ssj, valid_tree, write_tree

FIRM = f"records/institutions/{FIRM_ID}.yaml"
BROKEN = {
    FIRM: INSTITUTION.replace("sector: law-firm", "sector: law_firm"),
    "records/items/lf-01.yaml": "id: lf-01\ntitle:\tx\n",
    "records/credit-notices/cn-2025-01.yaml": "id: cn-2025-01\nid: again\n",
    "records/draws/2025-01/values.json": "{\"values\": [1,]}\n",
}


@pytest.fixture(autouse=True)
def user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Caching on (tests/conftest.py turns it off elsewhere, and CI would), in a user cache
    directory of this test's own."""
    folder = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("SSJ_CACHE", "1")
    monkeypatch.setenv("SSJ_CACHE_DIR", str(folder))
    return folder


def cache_file(root: Path) -> Path:
    """The parse cache of the records under `root`."""
    folder = parsecache.cache_folder(root / "records")
    assert folder is not None
    return folder / "parsed.pickle"


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
    return parsecache._read(cache_file(root))


def test_a_warm_check_parses_nothing_and_says_the_same(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, valid_tree())
    cold = check(tmp_path)
    assert cold.exit_code == 0, cold.output
    assert len(stored(tmp_path)) == len(valid_tree())
    written = cache_file(tmp_path).stat()
    without_parsing(monkeypatch)
    assert check(tmp_path) == cold
    assert cache_file(tmp_path).stat().st_mtime_ns == written.st_mtime_ns  # nothing changed


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
    good = cache_file(tmp_path).read_bytes()
    cache_file(tmp_path).write_bytes(DAMAGED[damage](good, tmp_path))
    assert stored(tmp_path) == {}
    assert check(tmp_path) == cold
    assert not (tmp_path / "pwned").exists()
    assert cache_file(tmp_path).read_bytes() == good  # rebuilt


def test_an_entry_for_other_bytes_is_never_used(tmp_path: Path) -> None:
    """The key is the content: a valid cache copied from another tree changes nothing."""
    write_tree(tmp_path / "a", valid_tree())
    write_tree(tmp_path / "b", {**valid_tree(), FIRM: BROKEN[FIRM]})
    broken = check(tmp_path / "b")
    check(tmp_path / "a")
    shutil.copy(cache_file(tmp_path / "a"), cache_file(tmp_path / "b"))
    assert check(tmp_path / "b") == broken


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def test_the_cache_lives_outside_the_repository(tmp_path: Path, user_cache: Path) -> None:
    git(tmp_path, "init", "-q")
    write_tree(tmp_path, valid_tree())
    check(tmp_path)
    run = check(tmp_path)
    assert run.exit_code == 0 and "ssj: 警告" not in run.output
    assert cache_file(tmp_path).is_file() and cache_file(tmp_path).is_relative_to(user_cache)
    status = git(tmp_path, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert status and all(line.startswith("?? records/") for line in status)
    assert sorted(p.relative_to(tmp_path / "records").as_posix()
                  for p in (tmp_path / "records").rglob("*") if p.is_file()) == sorted(
        name.removeprefix("records/") for name in valid_tree())


def test_two_records_folders_have_two_caches(tmp_path: Path) -> None:
    write_tree(tmp_path / "a", valid_tree())
    write_tree(tmp_path / "b", valid_tree())
    check(tmp_path / "a")
    check(tmp_path / "b")
    assert cache_file(tmp_path / "a") != cache_file(tmp_path / "b")
    assert cache_file(tmp_path / "a").is_file() and cache_file(tmp_path / "b").is_file()


def forged_tree(root: Path) -> tuple[bytes, str]:
    """A valid cache for the tree under `root` in which the institution file's (unchanged)
    bytes parse to a record that shows its private phone number as its public address, and
    that number."""
    firm = root / FIRM
    original = firm.read_bytes()
    number = re.search(r'^contact_phone: "(.*)"$', original.decode(), re.M).group(1)
    firm.write_text(re.sub(r"^address: .*$", f'address: "{number}"', original.decode(), flags=re.M),
                    encoding="utf-8")
    check(root)
    entries = stored(root)
    firm.write_bytes(original)
    cache = parsecache.ParseCache(cache_file(root).parent)
    forged_key = cache.key("institution", firm.name, firm.read_bytes())
    for key, entry in list(entries.items()):
        if entry[0] is not None and entry[0][1] == FIRM_ID:
            entries[forged_key] = entries.pop(key)
    return forged(parsecache._dump(entries)), number


def test_a_forged_cache_in_the_records_is_ignored_with_a_warning(tmp_path: Path) -> None:
    """The probe of issue 21: a forged parse committed as records/.ssj-cache/parsed.pickle.
    Where ssj reads its cache the forgery works (so the test can fail); in the records it is
    never read, and ssj says so."""
    write_tree(tmp_path, valid_tree())
    body, number = forged_tree(tmp_path)
    cache_file(tmp_path).write_bytes(body)
    assert number in published(tmp_path, "forged")  # the forgery works where ssj reads
    cache_file(tmp_path).unlink()
    legacy = tmp_path / "records" / parsecache.OLD_FOLDER / "parsed.pickle"
    legacy.parent.mkdir()
    legacy.write_bytes(body)
    run = check(tmp_path)
    assert run.exit_code == 0
    assert f"警告：{Path('records') / parsecache.OLD_FOLDER} 是旧版 ssj 留在记录目录中的缓存，已忽略" \
        in run.output
    assert number not in published(tmp_path, "site")


def published(root: Path, name: str) -> str:
    """The text of every page `ssj build` makes of the records under `root`."""
    out = root.parent / f"{root.name}-{name}"
    run = run_ssj(root, "build", "--site", str(REPO / "site"), "--out", str(out))
    assert run.exit_code == 0, run.output
    return "".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html")))


def test_a_cache_folder_inside_the_records_is_not_used(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, valid_tree())
    monkeypatch.setenv("SSJ_CACHE_DIR", str(tmp_path / "records" / "cache"))
    run = check(tmp_path)
    assert run.exit_code == 0 and "在记录目录" in run.output and "不使用缓存" in run.output
    assert not (tmp_path / "records" / "cache").exists()


def test_a_cache_folder_git_tracks_is_not_used(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    write_tree(tmp_path, valid_tree())
    monkeypatch.setenv("SSJ_CACHE_DIR", str(tmp_path / ".cache"))
    check(tmp_path)  # an untracked folder of the work tree: a checkout never has one
    assert cache_file(tmp_path).is_file()
    git(tmp_path, "add", "-f", ".cache")
    run = check(tmp_path)
    assert run.exit_code == 0 and "git 跟踪的文件" in run.output and "不使用缓存" in run.output


def test_a_cache_folder_that_cannot_be_written_means_no_cache(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {**valid_tree(), "not-a-folder": "x\n"})
    monkeypatch.setenv("SSJ_CACHE_DIR", str(tmp_path / "not-a-folder"))
    assert check(tmp_path).exit_code == 0
    assert check(tmp_path).exit_code == 0
    assert (tmp_path / "not-a-folder").read_text() == "x\n"


@pytest.mark.parametrize("env", [{"SSJ_CACHE": "0"}, {"SSJ_CACHE": None, "CI": "true"}],
                         ids=["SSJ_CACHE=0", "CI"])
def test_caching_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    user_cache: Path, env: dict[str, str | None]) -> None:
    write_tree(tmp_path, valid_tree())
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    before = sorted(tmp_path.rglob("*"))
    assert check(tmp_path).exit_code == 0
    assert check(tmp_path).exit_code == 0
    assert sorted(tmp_path.rglob("*")) == before and not any(user_cache.iterdir())
