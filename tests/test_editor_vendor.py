"""The vendored Decap CMS is exactly the pinned npm release: its files unmodified, no file more or
less than the editor loads, its licence beside it, and none of it in the public site."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.sitecheck import build_site, copy_example
from tests.test_vendor import listed_and_present
from tests.test_vendor import manifest as vendored

EDITOR = Path(__file__).resolve().parent.parent / "generator" / "editor"
VENDOR = EDITOR / "vendor"
# vendor.json's own digest: changing a vendored file means changing this line too, in review
VENDOR_JSON_SHA256 = "a13917bdd0fe111df1f36c80140bd126575e705310a51e899df6234abd250267"


def manifest() -> dict:
    return vendored(VENDOR)


def test_manifest_is_the_pinned_one() -> None:
    assert hashlib.sha256((VENDOR / "vendor.json").read_bytes()).hexdigest() == VENDOR_JSON_SHA256
    meta = manifest()["decap-cms"]
    assert (meta["package"], meta["version"], meta["licence"]) == ("decap-cms", "3.16.3", "MIT")
    assert meta["tarball"] == "https://registry.npmjs.org/decap-cms/-/decap-cms-3.16.3.tgz"
    assert meta["integrity"].startswith("sha512-")
    # the tarball has no LICENSE file: its package.json declares MIT, and the bundle's
    # third-party notices ship beside it
    package = json.loads((VENDOR / "decap-cms" / "package.json").read_text(encoding="utf-8"))
    assert (package["name"], package["version"], package["license"]) == ("decap-cms", "3.16.3",
                                                                         "MIT")


def test_every_file_is_unmodified_and_listed() -> None:
    listed, present = listed_and_present(VENDOR)
    assert present == listed
    assert set(present) == {"decap-cms/decap-cms.js", "decap-cms/decap-cms.js.LICENSE.txt",
                            "decap-cms/package.json"}


def test_the_admin_page_loads_the_vendored_bundle() -> None:
    page = (EDITOR / "index.html").read_text(encoding="utf-8")
    assert '<script src="decap-cms.js"></script>' in page
    assert "http" not in page.replace('type="text/yaml"', "")  # nothing from elsewhere


def test_decap_server_is_pinned_with_integrity() -> None:
    server = EDITOR / "server"
    assert json.loads((server / "package.json").read_text())["dependencies"] == {
        "decap-server": "3.11.3"}
    lock = json.loads((server / "package-lock.json").read_text())
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert lock["packages"]["node_modules/decap-server"]["version"] == "3.11.3"
    # npm ci refuses a package whose bytes do not match (resolved from the configured registry)
    assert packages and all(p.get("integrity", "").startswith("sha512-")
                            for p in packages.values())


def test_the_public_site_has_no_editor(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    built = build_site(root, root / "out", env={"SOURCE_DATE_EPOCH": "1796083200"})
    assert built.exit_code == 0, built.output
    names = [p.relative_to(root / "out").as_posix() for p in (root / "out").rglob("*")]
    assert not [n for n in names if "decap" in n.lower() or n.split("/")[0] in ("admin", "editor")
                or n.endswith("config.yml")]
    for page in (root / "out").rglob("*.html"):
        assert "decap-cms" not in page.read_text(encoding="utf-8"), page
