"""Fetching the member sites into the mirror: each member's data/manifest.json (conditionally,
by its ETag and Last-Modified), then only the open data and draw files the mirror does not hold
yet, each verified against the manifest's SHA-256 before it is stored.

A new manifest becomes the member's last good one only once every file it lists for the mirror
is held; until then the previous one stays, so a reader of the mirror never sees a manifest
whose files it lacks. Whatever goes wrong with one member is a flag on that member: the others
proceed. Requests run on a bounded thread pool sharing one httpx client; the results depend on
what the servers answer, never on the order the answers arrive in.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import httpx

from generator.federation.mirror import (
    DIVISION_CODE, MANIFEST_PATH, FileEntry, Flag, Manifest, ManifestError, State, last_good,
    missing, parse_manifest, read_state, store_object, write_last_good, write_state)

USER_AGENT = "ssj-federate/1"
_REDIRECTS = 5


class Member(NamedTuple):
    name: str
    division_code: str
    base_url: str  # the site's root, ending with "/"


@dataclass(frozen=True)
class MemberFetch:
    """One member's outcome. status: "updated" (a new manifest is its last good one),
    "unchanged" (the last good one is still current), "kept-last-good" (something failed; the
    previous manifest stays), "never-fetched" (failed, and there is no previous one).
    files_fetched, bytes_fetched: the files verified and stored in this run.
    new_commitments: (plan, commitment) in the new last good manifest and not in the previous."""

    name: str
    division_code: str
    status: str
    flags: tuple[Flag, ...]
    files_fetched: int
    bytes_fetched: int
    new_commitments: tuple[tuple[str, str], ...]


class Refused(Exception):
    """A request that gave no usable answer."""

    def __init__(self, flag: Flag) -> None:
        super().__init__(flag.message)
        self.flag = flag


@dataclass
class _Attempt:
    """One member's manifest step: the manifest whose files to fetch (the new one, or the last
    good one again on 304), and the validators that came with it."""

    member: Member
    previous: Manifest | None
    state: State
    candidate: Manifest | None = None
    etag: str | None = None
    last_modified: str | None = None
    needed: list[FileEntry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # of the files stored


def fetch_members(members: Iterable[tuple[str, str, str]], mirror: Path, now: dt.datetime, *,
                  concurrency: int = 8, timeout: float = 20.0, max_bytes: int = 20 * 2**20,
                  client: httpx.Client | None = None) -> list[MemberFetch]:
    """Bring each member's (name, division code, site URL) last good manifest and its files up
    to date in `mirror`; one result per member, in the given order. `timeout`: seconds to
    connect, or between two reads; `max_bytes`: the largest file (or manifest) taken. Raises
    ValueError for a malformed member list, and nothing for a member's failure."""
    given = [Member(*member) for member in members]
    for member in given:
        if not DIVISION_CODE.fullmatch(member.division_code):
            raise ValueError(f"{member.name}: not a 6-digit division code: "
                             f"{member.division_code!r}")
        if not member.base_url.startswith(("http://", "https://")) \
                or not member.base_url.endswith("/"):
            raise ValueError(f"{member.name}: not a site URL ending with '/': {member.base_url!r}")
    codes = [member.division_code for member in given]
    if len(set(codes)) != len(codes):
        raise ValueError("a division code is listed twice")
    if now.utcoffset() is None:
        raise ValueError("now must carry its time zone")
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    session = client if client is not None else httpx.Client(
        limits=httpx.Limits(max_connections=concurrency))
    get = Getter(session, timeout, max_bytes)
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            attempts = list(pool.map(lambda member: _manifest_step(get, mirror, member), given))
            tasks = [(attempt, entry) for attempt in attempts for entry in attempt.needed]
            taken = list(pool.map(lambda task: _file_step(get, mirror, *task), tasks))
    finally:
        if client is None:
            session.close()
    for (attempt, _), (flag, size) in zip(tasks, taken):
        if flag is not None:
            attempt.flags.append(flag)
        else:
            attempt.sizes.append(size)
    return [_finish(mirror, attempt, stamp) for attempt in attempts]


class Getter:
    """GETs on the shared client: our User-Agent, redirects followed only within the host,
    bodies read up to max_bytes."""

    def __init__(self, client: httpx.Client, timeout: float, max_bytes: int) -> None:
        self.client, self.timeout, self.max_bytes = client, timeout, max_bytes

    def __call__(self, url: str, path: str, conditional: dict[str, str] | None = None
                 ) -> tuple[int, httpx.Headers, bytes]:
        """(status, headers, body) of a 200, or of a 304 to a `conditional` request; raises
        Refused for anything else."""
        current = httpx.URL(url)
        accepted = (200, 304) if conditional else (200,)
        for _ in range(_REDIRECTS + 1):
            try:
                with self.client.stream("GET", current, timeout=self.timeout,
                                        follow_redirects=False,
                                        headers={"User-Agent": USER_AGENT,
                                                 # the size limit counts what is stored: no
                                                 # compressed body that decodes past it
                                                 "Accept-Encoding": "identity",
                                                 **(conditional or {})}
                                        ) as response:
                    if response.has_redirect_location:
                        current = self._redirect(response, path)
                        continue
                    if response.status_code not in accepted:
                        raise Refused(Flag("http-error", path, (
                            f"{current} 返回 HTTP {response.status_code}；"
                            "请联系该单位核对网站是否完整发布。")))
                    return response.status_code, response.headers, self._body(response, path)
            except httpx.TimeoutException:
                raise Refused(Flag("unreachable", path, (
                    f"{current} 在 {self.timeout:g} 秒内没有应答；"
                    "请确认该单位网站能够打开后重新抓取。"))) from None
            except httpx.HTTPError:
                raise Refused(Flag("unreachable", path, (
                    f"无法连接 {current}，或连接中途断开、应答不合 HTTP 协议；"
                    "请确认该单位网站能够打开后重新抓取。"))) from None
        raise Refused(Flag("http-error", path, (
            f"{url} 重定向超过 {_REDIRECTS} 次；请联系该单位核对网站地址。")))

    @staticmethod
    def _redirect(response: httpx.Response, path: str) -> httpx.URL:
        target = response.next_request.url  # httpx resolves it even when not following
        # another host could serve anything under the member's name; an https site must not
        # hand us to plain http
        if target.host != response.url.host or target.scheme not in ("http", "https") \
                or (response.url.scheme, target.scheme) == ("https", "http"):
            raise Refused(Flag("off-site-redirect", path, (
                f"{response.url} 重定向到 {target}，已拒绝跟随；"
                "如该单位网站已迁址，请更新其网站地址。")))
        return target

    def _body(self, response: httpx.Response, path: str) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise Refused(Flag("http-error", path, (
                f"{path} 以 {encoding} 压缩编码返回（已要求不压缩），未下载：压缩的内容解开后可能"
                "远超大小上限；请该单位的网站对 Accept-Encoding: identity 返回原文件。")))
        body = bytearray()
        for chunk in response.iter_raw():
            body += chunk
            if len(body) > self.max_bytes:
                raise Refused(_too_large(path, self.max_bytes))
        return bytes(body)


def _too_large(path: str, limit: int) -> Flag:
    return Flag("too-large", path, (
        f"{path} 超过 {limit} 字节的上限，未下载；请向该单位核实此文件是否应有这么大，"
        "属实则提高上限后重新抓取。"))


def _manifest_step(get: Getter, mirror: Path, member: Member) -> _Attempt:
    previous = last_good(mirror, member.division_code)
    attempt = _Attempt(member, previous, read_state(mirror, member.division_code))
    conditional = {}
    if previous is not None:
        if attempt.state.etag:
            conditional["If-None-Match"] = attempt.state.etag
        if attempt.state.last_modified:
            conditional["If-Modified-Since"] = attempt.state.last_modified
    url = member.base_url + MANIFEST_PATH
    try:
        status, headers, body = get(url, MANIFEST_PATH, conditional)
    except Refused as refused:
        attempt.flags.append(refused.flag)
        return attempt
    if status == 304:  # only ever an answer to a conditional request: previous is not None
        attempt.candidate = previous
        attempt.etag, attempt.last_modified = attempt.state.etag, attempt.state.last_modified
    else:
        try:
            attempt.candidate = parse_manifest(body, member.division_code)
        except ManifestError as error:
            attempt.flags.append(Flag("malformed-manifest", MANIFEST_PATH, (
                f"{url}：{error}；请通知该单位重新生成并发布网站，本次未下载其文件。")))
            return attempt
        attempt.etag = _validator(headers.get("ETag"))
        attempt.last_modified = _validator(headers.get("Last-Modified"))
    seen: set[str] = set()
    for entry in missing(mirror, attempt.candidate):
        if entry.sha256 in seen:  # one body serves every path with these bytes
            continue
        seen.add(entry.sha256)
        if entry.size > get.max_bytes:
            attempt.flags.append(_too_large(entry.path, get.max_bytes))
        else:
            attempt.needed.append(entry)
    return attempt


def _validator(value: str | None) -> str | None:
    # sent back in a header, which must be ASCII: a server's odd bytes must not break the next run
    if value is None or not (value.isascii() and value.isprintable()):
        return None
    return value


def _file_step(get: Getter, mirror: Path, attempt: _Attempt, entry: FileEntry
               ) -> tuple[Flag | None, int]:
    """(None, the size of the file stored), or (the flag, 0)."""
    url = attempt.member.base_url + quote(entry.path, safe="/")
    try:
        _, _, body = get(url, entry.path)
    except Refused as refused:
        return refused.flag, 0
    if store_object(mirror, entry.sha256, body):
        return None, len(body)
    return Flag("file-mismatch", entry.path, (
        f"{url} 的内容与清单所记 SHA-256 不符，未保存；"
        "请联系该单位核查此文件是否被改动或未发布完整。")), 0


def _finish(mirror: Path, attempt: _Attempt, stamp: str) -> MemberFetch:
    previous, candidate, state = attempt.previous, attempt.candidate, attempt.state
    etag, last_modified, taken_at = state.etag, state.last_modified, state.last_good
    new: list[tuple[str, str]] = []
    if candidate is not None and not missing(mirror, candidate):
        etag, last_modified = attempt.etag, attempt.last_modified
        if previous is not None and candidate.raw == previous.raw:
            status = "unchanged"
        else:
            write_last_good(mirror, candidate)
            status, taken_at = "updated", stamp
            known = set(previous.commitments) if previous is not None else set()
            new = [pair for pair in candidate.commitments if pair not in known]
    else:
        status = "kept-last-good" if previous is not None else "never-fetched"
    write_state(mirror, attempt.member.division_code, State(
        etag=etag, last_modified=last_modified, last_good=taken_at, last_attempt=stamp,
        flags=tuple(attempt.flags)))
    return MemberFetch(attempt.member.name, attempt.member.division_code, status,
                       tuple(attempt.flags), len(attempt.sizes), sum(attempt.sizes), tuple(new))
