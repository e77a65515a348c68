"""`ssj serve`: a local preview that rebuilds when records, templates or pages change."""
from __future__ import annotations

import functools
import http.server
import os
import threading
import time
import unicodedata
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit


class _PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """The standard file handler, answering 400 to a path no link of the site can produce (a
    control character, bytes that are not UTF-8, a `..` segment): a NUL byte would otherwise
    raise inside the handler, print a traceback and drop the connection unanswered."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = unquote(urlsplit(self.path).path, errors="surrogateescape")
        if ".." in path.split("/") or any(unicodedata.category(c) in ("Cc", "Cs") for c in path):
            self.send_error(400, "Bad request path")
            return None
        return super().send_head()


def _fingerprint(folders: tuple[Path, ...]) -> tuple[tuple[str, int, int], ...]:
    """Every file under `folders` with its mtime and size: one stat a file (a province's 66,000
    record files are walked every second)."""
    found: list[tuple[str, int, int]] = []
    pending = [str(f) for f in folders]
    while pending:
        try:
            entries = os.scandir(pending.pop())
        except OSError:  # gone since it was listed
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.is_file():
                        st = entry.stat()
                        found.append((entry.path, st.st_mtime_ns, st.st_size))
                except OSError:
                    continue
    return tuple(sorted(found))


def serve_forever(out: Path, port: int, rebuild: Callable[[], object],
                  watched: tuple[Path, ...], say: Callable[[str], None],
                  interval: float = 0.25) -> None:
    """Serve `out` on 127.0.0.1 and poll `watched`, rebuilding on any change, until Ctrl-C:
    every `interval` seconds, or less often where walking the folders takes long (it then
    waits twice as long as the walk took, so polling never takes more than a third of a core)."""
    handler = functools.partial(_PreviewHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    # the baseline comes before the address is announced: an edit made as soon as the preview
    # is up must count as a change
    seen = _fingerprint(watched)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say(f"预览：http://127.0.0.1:{server.server_address[1]}/index.html（Ctrl-C 结束）")
    try:
        walked = 0.0
        while True:
            time.sleep(max(interval, 2 * walked))
            start = time.monotonic()
            now = _fingerprint(watched)
            walked = time.monotonic() - start
            if now != seen:
                seen = now
                try:
                    rebuild()
                    say("已重新生成")
                except SystemExit:
                    say("记录有错误，保留上一次生成的网站；运行 ssj check 查看")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
