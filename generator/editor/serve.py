"""`ssj edit`: the forms over the working repository, for a bureau without a hosted forge.

Two local servers, both on 127.0.0.1: decap-server (npm, pinned in ./server) in git mode, which
is Decap's "proxy" backend over the repository — saving a form commits it to a new branch
`cms/<collection>/<id>` (the editorial workflow), never to the checked-out branch — and this
process serving the admin page, the vendored decap-cms.js and the configuration generated from
the kinds. Nothing is downloaded at run time: decap-server is installed once by `npm ci`.
"""
from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.editor.config import config_yaml, decap_config

HERE = Path(__file__).resolve().parent
SERVER_DIR = HERE / "server"
SERVER_SCRIPT = SERVER_DIR / "node_modules" / "decap-server" / "dist" / "index.js"
DECAP_JS = HERE / "vendor" / "decap-cms" / "decap-cms.js"
INDEX_HTML = HERE / "index.html"
SSJ_EDITOR_JS = HERE / "ssj-editor.js"


class EditorError(Exception):
    """Why the editor cannot start, in words for the person who ran it."""


def install_command() -> str:
    return f"npm ci --prefix {SERVER_DIR} --omit=dev --no-audit --no-fund"


def node_and_server() -> tuple[str, Path]:
    """node and decap-server's script, or EditorError saying the one command that installs it."""
    node = shutil.which("node")
    if node is None:
        raise EditorError("找不到 node：表单编辑器的本地服务端 decap-server 需要 Node.js 18 或更新版本"
                          "（Debian/Ubuntu：apt install nodejs npm）")
    if not SERVER_SCRIPT.is_file():
        raise EditorError(f"表单编辑器的本地服务端 decap-server 尚未安装；运行一次：{install_command()}")
    return node, SERVER_SCRIPT


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise EditorError(f"git {' '.join(args)}：{done.stderr.strip()}")
    return done.stdout.strip()


@dataclass(frozen=True)
class Repository:
    root: Path
    branch: str  # the checked-out branch: the forms' branches start from it
    records_root: str  # the records folder, relative to root


def repository(records_dir: Path) -> Repository:
    """The git repository holding `records_dir`, ready for decap-server to commit in."""
    if not records_dir.is_dir():
        raise EditorError(f"找不到记录目录 {records_dir}（用 --records 指定）")
    root = Path(_git(records_dir, "rev-parse", "--show-toplevel"))
    branch = subprocess.run(["git", "-C", str(root), "symbolic-ref", "--quiet", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    if not branch:
        raise EditorError("当前没有检出分支（detached HEAD）：先 git switch 到主分支")
    # decap-server commits with `git add .` on the branch it makes: anything uncommitted here
    # would go into a form's commit unseen
    if _git(root, "status", "--porcelain", "--untracked-files=all"):
        raise EditorError("工作区有未提交的改动或新文件：表单保存时会把它们一并提交。"
                          "先提交或移走它们（git status 查看）")
    records_root = records_dir.resolve().relative_to(root.resolve()).as_posix()
    return Repository(root, branch, records_root)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _PageHandler(http.server.BaseHTTPRequestHandler):
    files: dict[str, tuple[bytes, str]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        found = self.files.get("/index.html" if path == "/" else path)
        if found is None:
            self.send_error(404)
            return
        body, content_type = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def page_files(config_text: str) -> dict[str, tuple[bytes, str]]:
    """The admin page's files by URL path."""
    return {"/index.html": (INDEX_HTML.read_bytes(), "text/html; charset=utf-8"),
            "/config.yml": (config_text.encode(), "text/yaml; charset=utf-8"),
            "/decap-cms.js": (DECAP_JS.read_bytes(), "text/javascript; charset=utf-8"),
            "/ssj-editor.js": (SSJ_EDITOR_JS.read_bytes(), "text/javascript; charset=utf-8")}


@contextmanager
def _page_server(files: dict[str, tuple[bytes, str]], port: int) -> Iterator[str]:
    handler = type("Handler", (_PageHandler,), {"files": files})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _wait_for(api: str, process: subprocess.Popen, timeout: float) -> None:
    request = json.dumps({"action": "info"}).encode()
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise EditorError(f"decap-server 启动失败：{output.strip()[-800:]}")
        try:
            with urllib.request.urlopen(urllib.request.Request(
                    api, data=request, headers={"Content-Type": "application/json"}),
                    timeout=2) as answer:
                if json.load(answer).get("type") == "local_git":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise EditorError(f"decap-server 在 {timeout:.0f} 秒内没有应答")
        time.sleep(0.1)


@contextmanager
def _decap_server(root: Path, port: int, origin: str, timeout: float) -> Iterator[str]:
    node, script = node_and_server()
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "git",
           "GIT_REPO_DIRECTORY": str(root), "ORIGIN": origin, "LOG_LEVEL": "warn"}
    process = subprocess.Popen([node, str(script)], cwd=root, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        _wait_for(api, process, timeout)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@dataclass(frozen=True)
class Editor:
    url: str  # the admin page
    api: str  # decap-server's API
    repository: Repository


@contextmanager
def running_editor(records_dir: Path, port: int = 0, server_port: int = 0,
                   timeout: float = 30.0) -> Iterator[Editor]:
    """Both servers up for the repository holding `records_dir`; both stopped on leaving."""
    repo = repository(records_dir)
    node_and_server()
    server_port = server_port or free_port()
    page_port = port or free_port()
    origin = f"http://127.0.0.1:{page_port}"
    backend = {"name": "ssj-proxy", "proxy_url": f"http://127.0.0.1:{server_port}/api/v1",
               "branch": repo.branch}
    text = config_yaml(decap_config(backend, repo.records_root))
    with _decap_server(repo.root, server_port, origin, timeout) as api, \
            _page_server(page_files(text), page_port) as url:
        yield Editor(url + "/", api, repo)
