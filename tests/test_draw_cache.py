"""Issue 26: `ssj check` takes a drawn folder's verification from the user's cache only when
nothing it reads has changed, and says exactly what a full check says.

- A cached check (cold, then warm) prints what a full check (SSJ_CACHE=0) prints: on the
  example records and on a tree with a tampered draw.
- An edit to a record the draw is derived from, or a new commit, is caught, not served stale.
- A damaged cache file (garbage, truncated, or a clean draw's entry kept beside a tampered
  draw) changes nothing. Forging an entry under the tampered bytes' own key takes writing the
  cache itself, which lives in the user's cache directory, outside the repository.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.draw import verify
from tests.records_tree import Run, run_ssj
from tests.rules_tree import (  # noqa: F401  (the drawn_tree fixture)
    GIT_ENV,
    PLAN_ID,
    RESULT_FILE,
    Drawn,
    drawn_tree_fixture,
    edit,
    firm,
    firm_file,
    write_files,
)

AS_OF = "2025-06-01"


@pytest.fixture(name="cache")
def cache_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "user-cache"
    monkeypatch.setenv("SSJ_CACHE_DIR", str(where))
    return where


def check(root: Path, cached: bool, monkeypatch: pytest.MonkeyPatch, *args: str) -> Run:
    monkeypatch.setenv("SSJ_CACHE", "1" if cached else "0")
    return run_ssj(root, "check", *args)


def cache_file(cache: Path) -> Path:
    (found,) = cache.rglob("draws.json")
    return found


def same_as_full(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Run:
    """The full check's run, after asserting that a cached check prints exactly the same."""
    full = check(root, False, monkeypatch, *args)
    assert check(root, True, monkeypatch, *args) == full
    return full


def served_from_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on a draw verified afresh fails the test: each must come from the cache."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("verified afresh")
    monkeypatch.setattr(verify, "verify_draw", refuse)


def tamper(root: Path) -> None:
    path = root / RESULT_FILE
    path.write_bytes(path.read_bytes().replace(b'"teams"', b'"teams" ', 1))


def test_example_records(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(Path(__file__).parent.parent / "records", tmp_path / "records")
    full = same_as_full(tmp_path, monkeypatch)  # cold: every draw verified and stored
    assert len(json.loads(cache_file(cache).read_bytes())["entries"]) == 4
    served_from_cache(monkeypatch)
    assert check(tmp_path, True, monkeypatch) == full


def test_a_tampered_draw(drawn_tree: Drawn, tmp_path: Path, cache: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = drawn_tree.copy(tmp_path / "tree")
    tamper(root)
    full = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert full.exit_code == 1 and "[draw.result]" in full.output, full.output
    served_from_cache(monkeypatch)
    assert check(root, True, monkeypatch, "--as-of", AS_OF) == full


@pytest.mark.parametrize("file, before, after", [
    # the certificate ends before the schedule: no longer eligible, the package differs
    ("records/inspectors/21132419003.yaml", "valid_until: 2029-12-31", "valid_until: 2025-01-31"),
    # the undrawn firm active only from the day after the pool date: out of the pool
    ("institution", "since: 2015-03-01", "since: 2025-03-02"),
], ids=["inspector-certificate", "institution-status"])
def test_an_edited_record_is_caught(drawn_tree: Drawn, tmp_path: Path, cache: Path,
                                    monkeypatch: pytest.MonkeyPatch, file: str, before: str,
                                    after: str) -> None:
    root = drawn_tree.copy(tmp_path / "tree")
    # out of git, the package is compared with the records as they are now (in git, published
    # after its round, with the records on main before it)
    shutil.rmtree(root / ".git")
    clean = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert "[draw.derivation" not in clean.output, clean.output
    file = drawn_tree.institution_file(drawn_tree.undrawn) if file == "institution" else file
    write_files(root, {file: edit(drawn_tree.files[file], before, after)})
    edited = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert " 错误 [draw.derivation" in edited.output, edited.output


def test_an_edit_the_draw_does_not_read_verifies_it_not_again(
        drawn_tree: Drawn, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached verification holds the questions it asked of the records: an edit that leaves
    every answer as it was (the address of a firm in the pool but not drawn: not in the
    pool's ids and weights; a firm founded after the pool date) serves it from the cache, and
    says what a full check says; an edit of what it reads (a finding of the drawn plan)
    verifies it again."""
    root = drawn_tree.copy(tmp_path / "tree")
    shutil.rmtree(root / ".git")  # git's state is in every key: out of git, only the records
    same_as_full(root, monkeypatch, "--as-of", AS_OF)
    pooled = drawn_tree.institution_file(drawn_tree.undrawn)
    founded = edit(firm(9), "since: 2015-03-01", "since: 2025-03-02")
    unread = {pooled: edit(drawn_tree.files[pooled], "示例路 1 号", "示例路 9 号"),
              firm_file(9): founded}
    write_files(root, unread)
    full = check(root, False, monkeypatch, "--as-of", AS_OF)
    with monkeypatch.context() as refusing:
        served_from_cache(refusing)
        assert check(root, True, monkeypatch, "--as-of", AS_OF) == full
    finding = drawn_tree.finding_file(1)
    write_files(root, {finding: edit(drawn_tree.finding(1), "未发现问题。", "未发现问题（复核）。")})
    verified = []
    real = verify.verify_draw
    monkeypatch.setattr(verify, "verify_draw", lambda *a, **k: verified.append(1) or real(*a, **k))
    assert check(root, True, monkeypatch, "--as-of", AS_OF) == check(
        root, False, monkeypatch, "--as-of", AS_OF)
    assert len(verified) == 2  # once with the cache, once without


def test_a_new_commit_is_caught(drawn_tree: Drawn, tmp_path: Path, cache: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = drawn_tree.copy(tmp_path / "tree")
    late = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert "[draw.publication-late]" in late.output, late.output
    # the same files, committed a day before the round: published in time
    early = "2023-08-22T00:00:00+08:00"
    subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-q", "--amend", "--no-edit"],
                   cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": early})
    on_time = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert "[draw.publication-late]" not in on_time.output, on_time.output


@pytest.mark.parametrize("damage", [
    lambda stored: b"\x00garbage\xff" * 100,
    lambda stored: stored[:len(stored) // 2],
    lambda stored: stored.replace(b'"error"', b"1", 1),
], ids=["garbage", "truncated", "wrong-type"])
def test_a_damaged_cache_file(drawn_tree: Drawn, tmp_path: Path, cache: Path,
                              monkeypatch: pytest.MonkeyPatch, damage) -> None:  # type: ignore[no-untyped-def]
    root = drawn_tree.copy(tmp_path / "tree")
    tamper(root)
    full = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    stored = cache_file(cache)
    stored.write_bytes(damage(stored.read_bytes()))
    assert check(root, True, monkeypatch, "--as-of", AS_OF) == full


def test_a_clean_entry_does_not_hide_a_tampered_draw(drawn_tree: Drawn, tmp_path: Path,
                                                     cache: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = drawn_tree.copy(tmp_path / "tree")
    clean = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert "[draw.result]" not in clean.output
    forged = json.loads(cache_file(cache).read_bytes())
    (entry,) = forged["entries"].values()
    assert not any(p[5] == "error" for p in entry[0])
    tamper(root)
    # the clean draw's entry, as the cache stores it, under the key of the clean files
    cache_file(cache).write_text(json.dumps(forged), encoding="utf-8")
    tampered = same_as_full(root, monkeypatch, "--as-of", AS_OF)
    assert tampered.exit_code == 1 and "[draw.result]" in tampered.output, tampered.output
    assert PLAN_ID in tampered.output
