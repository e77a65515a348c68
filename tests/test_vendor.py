"""The vendored BLS12-381 library is exactly the pinned npm release: every file unmodified, no
file more or less than the verifier's imports reach, its licence beside it."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from tests.jsrun import run_node_tests

STATIC = Path(__file__).resolve().parent.parent / "site" / "static"
VENDOR = STATIC / "vendor"
# vendor.json's own digest: changing a vendored file means changing this line too, in review
VENDOR_JSON_SHA256 = "c3f0f41d79cb7fb55d504ddb9750de39611da9774d99d4effdc6dbc0cd228a2a"
IMPORT = re.compile(r"^\s*(?:import|export)\b[^;]*?\bfrom\s*['\"]([^'\"]+)['\"]", re.M)


def manifest(vendor: Path = VENDOR) -> dict:
    return json.loads((vendor / "vendor.json").read_text(encoding="utf-8"))


def listed_and_present(vendor: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The files a vendor.json pins (path -> SHA-256) and the files there are, hashed."""
    listed = {f"{folder}/{name}": digest for folder, meta in manifest(vendor).items()
              for name, digest in meta["files"].items()}
    present = {p.relative_to(vendor).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in vendor.rglob("*") if p.is_file() and p.name != "vendor.json"}
    return listed, present


def test_manifest_is_the_pinned_one() -> None:
    assert hashlib.sha256((VENDOR / "vendor.json").read_bytes()).hexdigest() == VENDOR_JSON_SHA256
    for folder, meta in manifest().items():
        assert meta["version"] == "2.4.0" and meta["licence"] == "MIT", folder
        assert meta["integrity"].startswith("sha512-") and meta["tarball"].startswith(
            "https://registry.npmjs.org/@noble/"), folder


def test_every_file_is_unmodified_and_listed() -> None:
    listed, present = listed_and_present(VENDOR)
    assert present == listed
    assert {"noble-curves/LICENSE", "noble-hashes/LICENSE"} <= present.keys()


def test_files_are_exactly_what_the_verifier_imports() -> None:
    imports = json.loads((STATIC / "verify" / "importmap.json").read_text())["imports"]
    todo = [STATIC / "verify" / "drand.js"]
    seen: set[Path] = set()
    while todo:
        module = todo.pop().resolve()
        if module in seen:
            continue
        seen.add(module)
        text = re.sub(r"/\*.*?\*/", "", module.read_text(encoding="utf-8"), flags=re.S)
        for spec in IMPORT.findall(text):
            prefix = next((p for p in imports if spec.startswith(p)), None)
            if prefix is not None:  # bare specifiers resolve as the page's import map says
                todo.append(STATIC.parent / imports[prefix] / spec[len(prefix):])
            else:
                assert spec.startswith("."), f"{module}: {spec} would load from elsewhere"
                todo.append(module.parent / spec)
    js = {p.resolve() for p in VENDOR.rglob("*.js")}
    assert js == {m for m in seen if VENDOR.resolve() in m.parents}


def test_drand_rounds_verify_in_javascript() -> None:
    run_node_tests("drand.test.mjs")
