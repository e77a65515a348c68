"""Servers on 127.0.0.1 that stand in for the outside world in tests (a drand relay, a
time-stamping authority); nothing leaves this machine."""
from __future__ import annotations

import http.server
import socket
import threading
from contextlib import contextmanager
from typing import Iterator


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean and answers in one call."""

    def reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a deliberately slow handler must not hold the test up

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # the client hung up on a slow answer: expected


@contextmanager
def local_server(handler: type[http.server.BaseHTTPRequestHandler], port: int = 0,
                 release: threading.Event | None = None) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1 (`port`, or a free one); yields the base URL. On leaving,
    `release` is set so that slow handlers return at once."""
    server = _Server(("127.0.0.1", port), handler)
    # a short poll so that leaving the block does not wait half a second
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if release is not None:
            release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def closed_url(path: str = "") -> str:
    """A URL on a local port where nothing listens: an unreachable service."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
