"""The text each page gave the search index, kept in the user's cache between builds.

A part of the index (search.parts) is made again whole when one of its pages changes, and
every other page of it must be fed to Pagefind again: reading each back and making its text
(search.for_index) was most of a rebuild after a one-record edit. The texts are kept per part,
each found by the digest of its page's bytes and valid only for the same code (the build's
shared digest, its `salt`). A hint, never trusted: a missing, damaged or foreign file means
the texts are made again from the pages; it is JSON, so reading it runs no code.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path

from generator.filewrite import write_durable


class IndexTexts:
    """Texts by page digest for the parts of one output folder's index (`folder` None: none)."""

    def __init__(self, folder: Path | None, salt: bytes) -> None:
        self.folder, self.salt = folder, salt.hex()

    def read(self, part: str) -> dict[str, str]:
        """The texts kept for `part`; empty when there are none or they cannot be used."""
        if self.folder is None:
            return {}
        try:
            stored = json.loads(zlib.decompress(self._path(part).read_bytes()))
        except (OSError, ValueError, zlib.error, RecursionError):
            return {}
        texts = stored.get("texts") if isinstance(stored, dict) and \
            stored.get("salt") == self.salt else None
        if not isinstance(texts, dict) or not all(isinstance(t, str) for t in texts.values()):
            return {}
        return texts

    def write(self, part: str, texts: dict[str, str]) -> None:
        """Keep `texts` (page digest -> text) as `part`'s, replacing what was kept."""
        if self.folder is None:
            return
        data = json.dumps({"salt": self.salt, "texts": texts}, ensure_ascii=False,
                          sort_keys=True).encode()
        try:
            write_durable(self._path(part), zlib.compress(data, 1))
        except OSError:  # a cache that cannot be written only costs time
            pass

    def _path(self, part: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{part or 'index'}.json.z"
