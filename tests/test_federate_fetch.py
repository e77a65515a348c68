"""generator.federation.fetch: member sites written by hand into temporary folders, served on
127.0.0.1 with ETags, and fetched into a mirror through the real httpx client."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from generator.federation.fetch import USER_AGENT, MemberFetch, fetch_members
from generator.federation.mirror import (
    MANIFEST_PATH, MIRRORED, last_good, missing, object_path, open_file, read_state)
from tests.localhost import QuietHandler, closed_url, local_server

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(hours=1)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Site:
    """One member's published site in a folder, its manifest written by hand, and what its
    server was asked."""

    def __init__(self, root: Path, code: str) -> None:
        self.root, self.code, self.name = root, code, f"{code} 司法局"
        self.draws: list[dict[str, Any]] = []
        self.lies: dict[str, tuple[str, int]] = {}  # path -> (sha256, size) the manifest claims
        self.requests: list[tuple[str, int, dict[str, str]]] = []  # (path, status, headers)
        self.special: dict[str, Callable[[QuietHandler], None]] = {}  # path -> answer
        self.url = ""
        for path, data in {
                "index.html": b"<!doctype html><title>home</title>",
                "plans/2025-01.html": b"<!doctype html><title>plan</title>",
                "data/findings.json": b'{"findings": []}\n',
                "data/plans.csv": "\ufeffid,标题\n2025-01,上半年\n".encode(),
                "draws/2025-01/timestamp-a.tsr": b"\x30\x03\x02\x01\x00"}.items():
            self.put(path, data)
        self.add_draw("2025-01")

    def put(self, path: str, data: bytes) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_bytes(data)

    def add_draw(self, plan: str) -> str:
        package = json.dumps({"plan": plan}).encode()
        self.put(f"draws/{plan}/package.json", package)
        self.put(f"draws/{plan}/commitment.txt", sha(package).encode())
        self.draws.append({"plan": plan, "commitment": sha(package),
                           "first_source": {"label": "drand quicknet", "time": None},
                           "package": f"draws/{plan}/package.json", "tokens": [],
                           "files": [f"draws/{plan}/commitment.txt",
                                     f"draws/{plan}/package.json"]})
        return sha(package)

    def files(self) -> dict[str, bytes]:
        return {p.relative_to(self.root).as_posix(): p.read_bytes()
                for p in sorted(self.root.rglob("*")) if p.is_file()
                and p.relative_to(self.root).as_posix() != MANIFEST_PATH}

    def mirrored(self) -> dict[str, bytes]:
        return {path: data for path, data in self.files().items()
                if path.startswith(MIRRORED) and not path.endswith(".html")}

    def document(self) -> dict[str, Any]:
        files = [{"path": path, "sha256": self.lies.get(path, (sha(data), 0))[0],
                  "size": self.lies.get(path, (None, len(data)))[1]}
                 for path, data in self.files().items()]
        return {"format": "ssj-manifest/1",
                "site": {"name": self.name, "division_code": self.code, "base_url": None},
                "revision": "0123456789ab", "built_on": "2026-12-07", "files": files,
                "draws": copy.deepcopy(self.draws)}

    def publish(self, document: dict[str, Any] | None = None, raw: bytes | None = None) -> bytes:
        data = raw if raw is not None else (json.dumps(
            document or self.document(), ensure_ascii=False, indent=1, sort_keys=True)
            + "\n").encode()
        self.put(MANIFEST_PATH, data)
        return data

    def member(self) -> tuple[str, str, str]:
        return (self.name, self.code, self.url + "/")

    def asked(self) -> list[str]:
        return [path for path, _, _ in self.requests]


class SiteHandler(QuietHandler):
    site: Site

    def lowered(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = unquote(self.path.lstrip("/"))
        if path in self.site.special:
            self.site.requests.append((path, 0, self.lowered()))
            self.site.special[path](self)
            return
        file = self.site.root / path
        if not file.is_file():
            self.site.requests.append((path, 404, self.lowered()))
            self.reply(404, b"not found", "text/plain")
            return
        data = file.read_bytes()
        etag = f'"{sha(data)[:16]}"'
        if self.headers.get("If-None-Match") == etag:
            self.site.requests.append((path, 304, self.lowered()))
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.site.requests.append((path, 200, self.lowered()))
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours the environment's proxies; these requests must stay on this machine
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], Site]]:
    """Make and serve a member's site; every server is shut down at the end of the test."""
    release = threading.Event()  # lets a deliberately slow answer return at teardown
    with ExitStack() as stack:
        def make(code: str) -> Site:
            site = Site(tmp_path / f"site-{code}", code)
            site.publish()
            handler = type(f"Handler{code}", (SiteHandler,), {"site": site})
            site.url = stack.enter_context(local_server(handler, release=release))
            return site
        yield make


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return tmp_path / "mirror"


def one(results: list[MemberFetch], code: str) -> MemberFetch:
    return next(result for result in results if result.division_code == code)


def kinds(result: MemberFetch) -> list[tuple[str, str | None]]:
    return [(flag.kind, flag.path) for flag in result.flags]


def objects(mirror: Path) -> set[str]:
    return {p.name for p in (mirror / "objects").glob("*/*")
            if not p.name.startswith(".")} if (mirror / "objects").exists() else set()


def test_a_first_fetch_stores_exactly_the_data_and_draw_files(serve, mirror: Path) -> None:
    a, b = serve("211324"), serve("211381")
    b.put("data/findings.json", b'{"findings": ["b"]}\n')
    b.publish()
    results = fetch_members([a.member(), b.member()], mirror, NOW)
    assert [r.division_code for r in results] == ["211324", "211381"]
    wanted = {**{sha(d): d for d in a.mirrored().values()},
              **{sha(d): d for d in b.mirrored().values()}}
    assert objects(mirror) == set(wanted)
    for digest, data in wanted.items():
        assert object_path(mirror, digest).read_bytes() == data
    for site in (a, b):
        result = one(results, site.code)
        assert (result.status, result.flags) == ("updated", ())
        assert result.files_fetched == len(site.mirrored())
        assert result.bytes_fetched == sum(map(len, site.mirrored().values()))
        assert sorted(site.asked()) == sorted([MANIFEST_PATH, *site.mirrored()])  # no pages
        assert {h["user-agent"] for _, _, h in site.requests} == {USER_AGENT}
        assert last_good(mirror, site.code).raw == (site.root / MANIFEST_PATH).read_bytes()
        with open_file(mirror, site.code, "data/findings.json") as held:
            assert held.read() == site.mirrored()["data/findings.json"]
        state_file = mirror / "members" / site.code / "state.json"
        state = json.loads(state_file.read_bytes())
        assert state_file.read_text(encoding="utf-8") == json.dumps(
            state, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        assert state["last_good"] == state["last_attempt"] == "2026-12-07T02:00:00Z"
        assert state["flags"] == [] and state["etag"].startswith('"')
    manifest = last_good(mirror, a.code)
    assert missing(mirror, manifest) == []
    with pytest.raises(KeyError):
        open_file(mirror, a.code, "data/absent.json")
    with pytest.raises(FileNotFoundError):
        open_file(mirror, a.code, "index.html")  # listed, but pages are not mirrored
    object_path(mirror, sha(a.mirrored()["data/plans.csv"])).unlink()
    assert [e.path for e in missing(mirror, manifest)] == ["data/plans.csv"]


def test_nothing_changed_is_one_conditional_request_answered_304(serve, mirror: Path) -> None:
    a = serve("211324")
    fetch_members([a.member()], mirror, NOW)
    etag = read_state(mirror, a.code).etag
    a.requests.clear()
    [result] = fetch_members([a.member()], mirror, LATER)
    assert (result.status, result.flags, result.files_fetched) == ("unchanged", (), 0)
    assert [(p, s) for p, s, _ in a.requests] == [(MANIFEST_PATH, 304)]
    assert a.requests[0][2]["if-none-match"] == etag
    state = read_state(mirror, a.code)
    assert (state.last_good, state.last_attempt, state.etag) == (
        "2026-12-07T02:00:00Z", "2026-12-07T03:00:00Z", etag)


def test_a_changed_file_is_the_only_one_fetched_again(serve, mirror: Path) -> None:
    a = serve("211324")
    fetch_members([a.member()], mirror, NOW)
    old = a.mirrored()["data/findings.json"]
    a.put("data/findings.json", b'{"findings": ["new"]}\n')
    a.publish()
    a.requests.clear()
    [result] = fetch_members([a.member()], mirror, LATER)
    assert (result.status, result.files_fetched) == ("updated", 1)
    assert a.asked() == [MANIFEST_PATH, "data/findings.json"]
    with open_file(mirror, a.code, "data/findings.json") as held:
        assert held.read() == b'{"findings": ["new"]}\n'
    assert object_path(mirror, sha(old)).is_file()  # objects are kept, keyed by content
    assert read_state(mirror, a.code).last_good == "2026-12-07T03:00:00Z"


def test_an_unreachable_member_keeps_its_last_good_manifest(serve, mirror: Path) -> None:
    a, b = serve("211324"), serve("211381")
    fetch_members([a.member(), b.member()], mirror, NOW)
    kept = last_good(mirror, a.code).raw
    b.put("data/findings.json", b'{"findings": ["b"]}\n')
    b.publish()
    gone = (a.name, a.code, closed_url("/"))
    never = ("某县司法局", "211300", closed_url("/"))
    results = fetch_members([gone, b.member(), never], mirror, LATER, timeout=2)
    assert one(results, a.code).status == "kept-last-good"
    assert kinds(one(results, a.code)) == [("unreachable", MANIFEST_PATH)]
    assert "无法连接" in one(results, a.code).flags[0].message
    assert last_good(mirror, a.code).raw == kept
    assert (one(results, b.code).status, one(results, b.code).files_fetched) == ("updated", 1)
    assert one(results, "211300").status == "never-fetched"
    assert last_good(mirror, "211300") is None
    state = read_state(mirror, a.code)
    assert state.last_good == "2026-12-07T02:00:00Z" and state.flags[0].kind == "unreachable"


def test_a_file_that_does_not_match_its_manifest_is_not_stored(serve, mirror: Path) -> None:
    a = serve("211324")
    fetch_members([a.member()], mirror, NOW)
    kept = last_good(mirror, a.code).raw
    promised = b'{"findings": ["promised"]}\n'
    a.put("data/findings.json", b'{"findings": ["tampered"]}\n')
    a.put("data/plans.csv", b"id\n2025-02\n")
    a.lies["data/findings.json"] = (sha(promised), len(promised))
    a.publish()
    [result] = fetch_members([a.member()], mirror, LATER)
    assert result.status == "kept-last-good"
    assert kinds(result) == [("file-mismatch", "data/findings.json")]
    assert not object_path(mirror, sha(promised)).exists()
    assert not object_path(mirror, sha(b'{"findings": ["tampered"]}\n')).exists()
    assert last_good(mirror, a.code).raw == kept
    assert object_path(mirror, sha(b"id\n2025-02\n")).is_file()  # verified: stored anyway
    assert (result.files_fetched, result.bytes_fetched) == (1, len(b"id\n2025-02\n"))
    a.put("data/findings.json", promised)  # the member repairs its site
    a.requests.clear()
    [result] = fetch_members([a.member()], mirror, LATER)
    assert (result.status, result.flags) == ("updated", ())
    assert a.asked() == [MANIFEST_PATH, "data/findings.json"]


def _bad_json(site: Site) -> bytes:
    return site.publish(raw=b'{"format": "ssj-manifest/1", "files": [')


def _dot_dot(site: Site) -> bytes:
    document = site.document()
    document["files"][1]["path"] = "data/../../etc/passwd"
    return site.publish(document)


def _wrong_code(site: Site) -> bytes:
    document = site.document()
    document["site"]["division_code"] = "110101"
    return site.publish(document)


def _absolute(site: Site) -> bytes:
    document = site.document()
    document["draws"][0]["package"] = "/draws/2025-01/package.json"
    return site.publish(document)


def _backslash(site: Site) -> bytes:
    document = site.document()
    document["files"][1]["path"] = "data\\plans.csv"
    return site.publish(document)


def _short_hash(site: Site) -> bytes:
    document = site.document()
    document["files"][1]["sha256"] = "abc123"
    return site.publish(document)


def _wrong_type(site: Site) -> bytes:
    document = site.document()
    document["files"][1]["size"] = "12"
    return site.publish(document)


def _other_format(site: Site) -> bytes:
    document = site.document()
    document["format"] = "ssj-manifest/2"
    return site.publish(document)


@pytest.mark.parametrize("spoil", [_bad_json, _dot_dot, _wrong_code, _absolute, _backslash,
                                   _short_hash, _wrong_type, _other_format])
def test_a_malformed_manifest_is_flagged_and_nothing_else_fetched(serve, mirror: Path,
                                                                  spoil) -> None:
    a = serve("211324")
    fetch_members([a.member()], mirror, NOW)
    kept = last_good(mirror, a.code).raw
    a.put("data/findings.json", b'{"findings": ["new"]}\n')
    spoil(a)
    a.requests.clear()
    [result] = fetch_members([a.member()], mirror, LATER)
    assert (result.status, kinds(result)) == ("kept-last-good",
                                              [("malformed-manifest", MANIFEST_PATH)])
    assert "\n" not in result.flags[0].message and "清单" in result.flags[0].message
    assert a.asked() == [MANIFEST_PATH]
    assert last_good(mirror, a.code).raw == kept


def test_a_malformed_first_manifest_leaves_the_member_never_fetched(serve, mirror: Path) -> None:
    a = serve("211324")
    _dot_dot(a)
    [result] = fetch_members([a.member()], mirror, NOW)
    assert (result.status, kinds(result)) == ("never-fetched",
                                              [("malformed-manifest", MANIFEST_PATH)])
    assert "data/../../etc/passwd" in result.flags[0].message
    assert last_good(mirror, a.code) is None and objects(mirror) == set()


def test_oversized_files_and_manifests_are_refused(serve, mirror: Path) -> None:
    a = serve("211324")
    a.put("data/big.bin", bytes(3000))  # honest about its size: never asked for
    a.put("data/liar.json", bytes(5000))  # claims 10 bytes: cut off while streaming
    a.lies["data/liar.json"] = (sha(bytes(10)), 10)
    a.publish()
    [result] = fetch_members([a.member()], mirror, NOW, max_bytes=2500)
    assert result.status == "never-fetched"
    assert kinds(result) == [("too-large", "data/big.bin"), ("too-large", "data/liar.json")]
    assert "data/big.bin" not in a.asked() and "data/liar.json" in a.asked()
    assert not object_path(mirror, sha(bytes(5000))).exists()
    assert result.files_fetched == len(a.mirrored()) - 2
    [result] = fetch_members([a.member()], mirror, LATER, max_bytes=200)
    assert kinds(result) == [("too-large", MANIFEST_PATH)]


def test_new_commitments_are_reported_once(serve, mirror: Path) -> None:
    a = serve("211324")
    first = a.draws[0]["commitment"]
    a.draws.append({"plan": "2025-04", "commitment": None,
                    "first_source": {"label": None, "time": None}, "package": None,
                    "tokens": [], "files": []})  # not frozen yet: no commitment to report
    a.publish()
    [result] = fetch_members([a.member()], mirror, NOW)
    assert result.new_commitments == (("2025-01", first),)
    [result] = fetch_members([a.member()], mirror, LATER)
    assert (result.status, result.new_commitments) == ("unchanged", ())
    a.draws.pop()
    second = a.add_draw("2025-07")
    a.publish()
    [result] = fetch_members([a.member()], mirror, LATER + dt.timedelta(hours=1))
    assert (result.status, result.new_commitments) == ("updated", (("2025-07", second),))
    [result] = fetch_members([a.member()], mirror, LATER + dt.timedelta(hours=2))
    assert result.new_commitments == ()


def test_redirects_are_followed_within_the_host_only(serve, mirror: Path) -> None:
    moved, elsewhere = serve("211324"), serve("211381")

    def to(location: str) -> Callable[[QuietHandler], None]:
        def answer(handler: QuietHandler) -> None:
            handler.send_response(301)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        return answer

    for path in [MANIFEST_PATH, *moved.mirrored()]:
        moved.special[f"old/{path}"] = to(f"/{path}")
    port = elsewhere.url.rsplit(":", 1)[1]
    elsewhere.special[MANIFEST_PATH] = to(f"http://localhost:{port}/{MANIFEST_PATH}")
    results = fetch_members([(moved.name, moved.code, moved.url + "/old/"), elsewhere.member()],
                            mirror, NOW)
    assert (results[0].status, results[0].flags) == ("updated", ())
    assert results[0].files_fetched == len(moved.mirrored())
    assert (results[1].status, kinds(results[1])) == ("never-fetched",
                                                      [("off-site-redirect", MANIFEST_PATH)])
    assert elsewhere.asked() == [MANIFEST_PATH]


def test_a_member_that_does_not_answer_in_time_is_unreachable(serve, mirror: Path) -> None:
    slow, quick = serve("211324"), serve("211381")
    slow.special[MANIFEST_PATH] = lambda handler: time.sleep(3)
    started = time.monotonic()
    results = fetch_members([slow.member(), quick.member()], mirror, NOW, timeout=0.3)
    assert time.monotonic() - started < 2
    assert (results[0].status, kinds(results[0])) == ("never-fetched",
                                                      [("unreachable", MANIFEST_PATH)])
    assert "0.3 秒" in results[0].flags[0].message
    assert results[1].status == "updated"


def test_requests_are_bounded_by_the_concurrency(serve, mirror: Path) -> None:
    a = serve("211324")
    lock, running, most = threading.Lock(), [0], [0]

    def slowly(path: str) -> Callable[[QuietHandler], None]:
        def answer(handler: QuietHandler) -> None:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.03)
            with lock:
                running[0] -= 1
            handler.reply(200, (a.root / path).read_bytes(), "application/octet-stream")
        return answer

    for index in range(8):
        a.put(f"data/part-{index}.json", f'{{"part": {index}}}'.encode())
        a.special[f"data/part-{index}.json"] = slowly(f"data/part-{index}.json")
    a.publish()
    [result] = fetch_members([a.member()], mirror, NOW, concurrency=2)
    assert (result.status, result.files_fetched) == ("updated", len(a.mirrored()))
    assert most[0] <= 2


def test_hostile_answers_are_flags_never_exceptions(serve, mirror: Path) -> None:
    broken, bad_location, ftp, odd_etag = (serve(code) for code in
                                           ("211324", "211381", "211382", "211321"))

    def status(code: int, **headers: str) -> Callable[[QuietHandler], None]:
        def answer(handler: QuietHandler) -> None:
            handler.send_response(code)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        return answer

    broken.put("data/plans.csv", b"id\n2025-03\n")  # no other member has these bytes
    broken.publish()
    broken.special[MANIFEST_PATH] = status(500)
    broken.special["data/plans.csv"] = status(404)
    bad_location.special[MANIFEST_PATH] = status(302, Location="http://127.0.0.1:x/")
    port = ftp.url.rsplit(":", 1)[1]
    ftp.special[MANIFEST_PATH] = status(302, Location=f"ftp://127.0.0.1:{port}/m.json")
    manifest = (odd_etag.root / MANIFEST_PATH).read_bytes()
    odd_etag.special[MANIFEST_PATH] = lambda handler: (
        handler.send_response(200), handler.send_header("ETag", '"\xe9"'),
        handler.send_header("Content-Length", str(len(manifest))), handler.end_headers(),
        handler.wfile.write(manifest))
    sites = (broken, bad_location, ftp, odd_etag)
    results = fetch_members([site.member() for site in sites], mirror, NOW)
    assert [(r.status, kinds(r)) for r in results] == [
        ("never-fetched", [("http-error", MANIFEST_PATH)]),
        ("never-fetched", [("unreachable", MANIFEST_PATH)]),
        ("never-fetched", [("off-site-redirect", MANIFEST_PATH)]),
        ("updated", [])]
    assert "HTTP 500" in results[0].flags[0].message
    assert read_state(mirror, odd_etag.code).etag is None  # not sent back as a header
    del broken.special[MANIFEST_PATH]
    [result] = fetch_members([broken.member()], mirror, LATER)
    assert (result.status, kinds(result)) == ("never-fetched", [("http-error", "data/plans.csv")])
    assert "HTTP 404" in result.flags[0].message
    [result] = fetch_members([odd_etag.member()], mirror, LATER)
    assert (result.status, result.flags) == ("unchanged", ())


def test_a_compressed_answer_is_refused_before_it_can_decode_past_the_limit(
        serve, mirror: Path) -> None:
    """ssj asks for files as they are (Accept-Encoding: identity); a site that compresses
    anyway is flagged and nothing of that file is stored: a small gzip body can decode to far
    more than the size limit."""
    import gzip

    site = serve("211324")
    site.put("data/plans.csv", b"id\n" + b"2025-03\n" * 1000)  # no other member has these bytes
    site.publish()
    body = gzip.compress((site.root / "data/plans.csv").read_bytes())
    site.special["data/plans.csv"] = lambda handler: (
        handler.send_response(200), handler.send_header("Content-Encoding", "gzip"),
        handler.send_header("Content-Length", str(len(body))), handler.end_headers(),
        handler.wfile.write(body))
    [result] = fetch_members([site.member()], mirror, NOW)
    assert (result.status, kinds(result)) == ("never-fetched", [("http-error", "data/plans.csv")])
    assert "压缩编码" in result.flags[0].message
    asked = {path: headers for path, _, headers in site.requests}
    assert asked[MANIFEST_PATH]["accept-encoding"] == "identity"
