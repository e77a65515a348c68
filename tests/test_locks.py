"""The hashed locks in requirements/: every package at one version with the sha256 of its
files, every declared dependency in them at a version its range allows, the test lock at the
deploy lock's versions, and Dependabot keeping both current."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
LOCKS = ("deploy.txt", "test.txt")


def entries(lock: str) -> dict[str, tuple[str, list[str]]]:
    """Each package of `lock`: (its version, its hashes)."""
    found: dict[str, tuple[str, list[str]]] = {}
    text = (REQUIREMENTS / lock).read_text(encoding="utf-8")
    for entry in re.split(r"\n(?=\S)", text):
        if entry.startswith("#") or not entry.strip():
            continue
        head = entry.split("\\", 1)[0].strip()
        name, equals, version = head.partition("==")
        assert equals and re.fullmatch(r"[\w.+-]+", version), f"{lock}: not pinned: {head}"
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
        assert hashes, f"{lock}: {name} has no hash"
        found[canonicalize_name(name)] = (version, hashes)
    return found


def declared(name: str) -> list[Requirement]:
    return [Requirement(line) for line in (REQUIREMENTS / name).read_text(encoding="utf-8")
            .splitlines() if line.strip() and not line.startswith(("#", "-"))]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_package_is_pinned_with_its_hashes(lock: str) -> None:
    assert len(entries(lock)) >= 10


@pytest.mark.parametrize("lock, sources", [("deploy.txt", ["runtime.in", "deploy.in"]),
                                           ("test.txt", ["runtime.in", "testing.in"])])
def test_every_declared_dependency_is_locked_within_its_range(lock: str,
                                                              sources: list[str]) -> None:
    locked = entries(lock)
    for source in sources:
        for requirement in declared(source):
            name = canonicalize_name(requirement.name)
            assert name in locked, f"{source}: {requirement} is not in {lock}"
            assert requirement.specifier.contains(locked[name][0], prereleases=True), \
                f"{lock} has {name} {locked[name][0]}, outside {source}'s {requirement.specifier}"


def test_the_tests_run_on_the_versions_ci_deploys_with() -> None:
    deploy, test = entries("deploy.txt"), entries("test.txt")
    for name, (version, hashes) in deploy.items():
        assert test.get(name) == (version, hashes), name


def test_pyproject_reads_the_lists_the_locks_are_made_from() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dynamic = project["tool"]["setuptools"]["dynamic"]
    assert dynamic["dependencies"] == {"file": ["requirements/runtime.in"]}
    assert dynamic["optional-dependencies"]["test"] == {"file": ["requirements/testing.in"]}
    backend = Requirement(project["build-system"]["requires"][0])
    assert backend.specifier.contains(entries("deploy.txt")["setuptools"][0])


def test_dependabot_keeps_the_locks_and_the_action_pins_current() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {(u["package-ecosystem"], u["directory"]): u for u in config["updates"]}
    assert set(updates) == {("pip", "/requirements"), ("github-actions", "/")}
    assert all(u["cooldown"]["default-days"] >= 7 for u in updates.values())
