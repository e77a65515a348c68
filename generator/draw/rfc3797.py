"""RFC 3797 publicly verifiable random selection (the IETF NomCom procedure).

The key is built from the published random sources: within each source the values are sorted
ascending and each is written in decimal followed by "."; each source ends with "/"; the sources
keep their published order. Selection number i (0-based) hashes the key with MD5, prefixed and
suffixed by i as two big-endian bytes; the 128-bit digest, read as an unsigned big-endian integer,
modulo the number of entries still unselected, picks (0-based) among those entries in pool order.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

MAX_POOL = 2**16  # selection indices 0..65535 are what fits in the two-byte prefix
_NUMBER = re.compile(r"[0-9]+")
_SEPARATORS = re.compile(r"[\s,]+")


class Rfc3797Error(ValueError):
    """Invalid input to the RFC 3797 procedure; the message says what and, for text, which line."""


def _lines(text: str) -> list[str]:
    # Split on "\n" only (not str.splitlines) so line numbers match what an editor shows; a
    # leading BOM, as some Windows editors write, is not part of the first line.
    return text.removeprefix("\ufeff").split("\n")


def parse_pool(text: str) -> list[str]:
    """The pool: one name a line, in pool order; whitespace stripped, blank lines ignored."""
    return [name for name in (line.strip() for line in _lines(text)) if name]


def parse_sources(text: str) -> list[list[int]]:
    """The random sources: one a line, non-negative decimal integers separated by spaces and/or
    commas; blank lines and lines starting with "#" are ignored."""
    sources: list[list[int]] = []
    for n, line in enumerate(_lines(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        tokens = [t for t in _SEPARATORS.split(stripped) if t]
        if not tokens:
            raise Rfc3797Error(f"line {n}: 该行没有数字")
        values = []
        for token in tokens:
            # ASCII digits only: str.isdigit() would also accept "²" or "٣".
            if not _NUMBER.fullmatch(token):
                raise Rfc3797Error(f"line {n}: {token!r} 不是非负十进制整数")
            try:
                values.append(int(token))
            except ValueError:  # longer than Python's int-from-string digit limit
                raise Rfc3797Error(f"line {n}: 数字过长（{len(token)} 位）") from None
        sources.append(values)
    return sources


def key_string(sources: Sequence[Sequence[int]]) -> str:
    """The RFC 3797 key, e.g. "9319./2.5.8.10.12./9.18.26.34.41.45./".

    Values are sorted within each source, so a source whose internal order matters (such as a
    four-digit daily number) must be given as one number, as the RFC's example does with 9319.
    """
    if not sources:
        raise Rfc3797Error("没有随机源")
    parts = []
    for n, source in enumerate(sources, start=1):
        if not source:
            raise Rfc3797Error(f"第 {n} 个随机源没有数字")
        for value in source:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise Rfc3797Error(f"第 {n} 个随机源含有非负整数以外的值 {value!r}")
        parts.append("".join(f"{value}." for value in sorted(source)) + "/")
    return "".join(parts)


def digest(key: str, index: int) -> bytes:
    """The MD5 digest for 0-based selection `index`: MD5(index || key || index), index as two
    big-endian bytes."""
    if not 0 <= index < MAX_POOL:
        raise Rfc3797Error(f"选取序号 {index} 超出两字节范围")
    prefix = index.to_bytes(2, "big")
    # usedforsecurity=False: MD5 is what the RFC fixes for reproducibility, and FIPS-mode
    # builds refuse it otherwise.
    return hashlib.md5(prefix + key.encode("ascii") + prefix, usedforsecurity=False).digest()


def select(pool: Sequence[str], sources: Sequence[Sequence[int]],
           count: int | None = None) -> list[tuple[int, int, str]]:
    """Select `count` entries (default: all, a full ordering) from `pool` as RFC 3797 does.

    Returns (selection number from 1, 1-based index into the original pool, name) in selection
    order; the first k rows do not depend on `count`.
    """
    if not pool:
        raise Rfc3797Error("名单为空")
    if len(pool) > MAX_POOL:
        raise Rfc3797Error(
            f"名单有 {len(pool)} 项，超过两字节序号所能容纳的 {MAX_POOL} 项")
    if count is None:
        count = len(pool)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= len(pool):
        raise Rfc3797Error(f"选取数应为 0..{len(pool)} 的整数，而不是 {count!r}")
    key = key_string(sources)
    remaining = list(range(1, len(pool) + 1))
    rows = []
    for i in range(count):
        position = int.from_bytes(digest(key, i), "big") % len(remaining)
        chosen = remaining.pop(position)
        rows.append((i + 1, chosen, pool[chosen - 1]))
    return rows


def format_selection(rows: Sequence[tuple[int, int, str]]) -> str:
    """One line per selection: selection number, 1-based pool index and name, tab-separated."""
    lines = []
    for number, index, name in rows:
        if any(c in name for c in "\t\r\n"):
            raise Rfc3797Error(
                f"第 {number} 项的名称含有制表符或换行，无法按行输出：{name!r}")
        lines.append(f"{number}\t{index}\t{name}\n")
    return "".join(lines)
