"""data/manifest.json, through `ssj build`: every file the build published with its SHA-256 and
size, and each published draw's commitment, first source and token files, byte-identical from
the same records, so that a higher bureau's mirror fetches only what changed."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.records.timing import round_time
from tests.browser import EXAMPLE_ENV
from tests.sitecheck import build_site, copy_example, parse
from tests.test_draw_publication import (  # noqa: F401 (fixtures)
    authority, built, city, delegated_county, second)
from tests.timeline import ROUND_TIME
from tests.tsa_authority import Authority

MANIFEST = "data/manifest.json"
FINDING = "records/findings/2025-01-01.yaml"


def build(root: Path, out: Path, cache: str = "0") -> Path:
    built_ = build_site(root, out, env={**EXAMPLE_ENV, "SSJ_CACHE": cache})
    assert built_.exit_code == 0, built_.output
    return out


def on_disk(out: Path) -> dict[str, bytes]:
    """What a mirror would fetch: every file but the manifest and the build's own marker."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).as_posix() not in (MANIFEST, ".ssj-site")}


def measured(files: dict[str, bytes]) -> dict[str, tuple[str, int]]:
    return {path: (hashlib.sha256(data).hexdigest(), len(data)) for path, data in files.items()}


def read(out: Path) -> dict[str, Any]:
    return json.loads((out / MANIFEST).read_bytes())


def listed(manifest: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {f["path"]: (f["sha256"], f["size"]) for f in manifest["files"]}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("example"))
    build(root, root / "out")
    return root


def test_the_manifest_lists_exactly_the_files_on_disk(example: Path) -> None:
    out = example / "out"
    manifest = read(out)
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(paths)
    assert listed(manifest) == measured(on_disk(out))
    assert manifest["format"] == "ssj-manifest/1"
    assert manifest["site"] == {"name": "喀喇沁左翼蒙古族自治县司法局", "division_code": "211324",
                                "base_url": "https://example.org/kazuo-ssj/"}
    assert manifest["revision"] == EXAMPLE_ENV["SSJ_SOURCE_REVISION"]
    beijing = dt.timezone(dt.timedelta(hours=8))
    epoch = int(EXAMPLE_ENV["SOURCE_DATE_EPOCH"])
    assert manifest["built_on"] == dt.datetime.fromtimestamp(epoch, beijing).date().isoformat()
    # the open data page points mirrors at it
    page = parse((out / "data.html").read_text(encoding="utf-8"))
    assert any(a.get("href") == MANIFEST for a in page.iter("a"))


def test_two_builds_give_byte_identical_manifests(example: Path, tmp_path: Path) -> None:
    again = build(example, tmp_path / "again", cache="1")
    first = (example / "out" / MANIFEST).read_bytes()
    assert (again / MANIFEST).read_bytes() == first
    again_serialised = json.dumps(json.loads(first), ensure_ascii=False, indent=1, sort_keys=True)
    assert first == (again_serialised + "\n").encode()


def test_every_draw_folder_is_listed_with_its_commitment_and_tokens(example: Path) -> None:
    out = example / "out"
    draws = read(out)["draws"]
    plans = sorted(p.name for p in (example / "records/draws").iterdir())
    assert [d["plan"] for d in draws] == plans
    for draw in draws:
        folder = out / "draws" / draw["plan"]
        files = sorted(p.relative_to(out).as_posix() for p in folder.iterdir())
        assert draw["files"] == files
        assert draw["commitment"] == (folder / "commitment.txt").read_text().strip()
        assert draw["package"] == f"draws/{draw['plan']}/package.json"
        assert draw["tokens"] == [f for f in files if re.fullmatch(r".*/timestamp-[^/]+\.tsr", f)]
        assert draw["tokens"]
        # the example's draws wait for one drand round each, named as on the plan page
        (chain, number), = re.findall(r"drand-(\w+)-(\d+)\.json", " ".join(files))
        when = dt.datetime.fromtimestamp(round_time(chain, int(number)), dt.timezone.utc)
        assert draw["first_source"] == {"label": f"drand {chain} 第 {number} 轮",
                                        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_a_rebuild_after_an_edited_record_changes_only_the_changed_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSJ_CACHE_DIR", str(tmp_path / "user-cache"))
    root = copy_example(tmp_path / "example")
    out = build(root, tmp_path / "out", cache="1")
    before, files_before = read(out), on_disk(out)
    finding = root / FINDING
    text = finding.read_text(encoding="utf-8")
    finding.write_text(re.sub(r"^(result: .*)$", r"\1（已更正）", text, count=1, flags=re.M),
                       encoding="utf-8")
    build(root, out, cache="1")  # incremental: unchanged pages are read back, not rendered
    after, files_after = read(out), on_disk(out)
    changed = {path for path in files_before.keys() | files_after.keys()
               if files_before.get(path) != files_after.get(path)}
    assert "findings/2025-01-01.html" in changed
    old, new = listed(before), listed(after)
    assert {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)} == changed
    assert new == measured(files_after)
    assert {k: v for k, v in after.items() if k != "files"} == {
        k: v for k, v in before.items() if k != "files"}


def test_a_delegated_draw_waits_for_the_higher_bureaus_first_source(
        tmp_path: Path, city: Path, authority: Authority,  # noqa: F811
        second: Authority) -> None:  # noqa: F811
    commitment = delegated_county(tmp_path, city, authority, second)
    (draw,) = read(built(tmp_path))["draws"]
    assert draw["plan"] == "2025-01" and draw["commitment"] == commitment
    assert draw["tokens"] == ["draws/2025-01/timestamp-test-tsa.tsr"]
    assert draw["first_source"] == {
        "label": "drand quicknet 第 1000 轮",
        "time": dt.datetime.fromtimestamp(ROUND_TIME, dt.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")}
