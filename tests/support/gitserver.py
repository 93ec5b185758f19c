"""A real git server on loopback: ``git http-backend`` (CGI) behind a small HTTP server.

It speaks git's smart HTTP protocol exactly as git does (it *is* git), requires HTTP basic
auth with one of ``tokens`` as the password, and can be stopped and started again on the
same port to play an outage.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"
OWNER = "x"  # repositories live at /x/<name>.git, as on GitHub


def run_git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout


class GitServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tokens: set[str] = {"ghp_loopback"}
        self.requests = 0
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{OWNER}/{name}.git"

    def path(self, name: str) -> Path:
        """The bare repository on the server's disk (what a direct push writes to)."""
        return self.root / OWNER / f"{name}.git"

    def create(self, name: str, files: dict[str, str] | None = None) -> Path:
        """A bare repository ``name`` whose main holds one commit (``files``)."""
        path = self.path(name)
        run_git("init", "--bare", "-q", "-b", "main", str(path))
        run_git("-C", str(path), "config", "http.receivepack", "true")
        work = self.root / f"{name}-seed"
        run_git("clone", "-q", str(path), str(work))
        for relative, text in (files or {"README.md": "# team\n"}).items():
            (work / relative).write_text(text)
        commit_all(work, "Seed")
        run_git("push", "-q", "origin", "HEAD:main", cwd=work)
        return path

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                server.requests += 1
                if not self._authorized():
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = self._body()
                parts = urlsplit(self.path)
                env = {
                    "GIT_PROJECT_ROOT": str(server.root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "PATH_INFO": parts.path,
                    "QUERY_STRING": parts.query,
                    "REQUEST_METHOD": self.command,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_USER": "loopback",
                    "REMOTE_ADDR": "127.0.0.1",
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                    "PATH": os.environ.get("PATH", ""),
                }
                out = subprocess.run(
                    [HTTP_BACKEND], input=body, env=env, capture_output=True, check=False
                ).stdout
                head, _, payload = out.partition(b"\r\n\r\n")
                status = 200
                headers = []
                for line in head.decode().split("\r\n"):
                    name, _, value = line.partition(": ")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    elif name:
                        headers.append((name, value))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _authorized(self) -> bool:
                scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
                if scheme != "Basic":
                    return False
                _, _, password = base64.b64decode(encoded).decode().partition(":")
                return password in server.tokens

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = None


def commit_all(work: Path, message: str) -> None:
    run_git("add", "-A", cwd=work)
    run_git(
        "-c",
        "user.name=Someone",
        "-c",
        "user.email=someone@example.com",
        "commit",
        "-q",
        "-m",
        message,
        cwd=work,
    )


def log(gitdir: Path, ref: str) -> list[str]:
    """Commit shas of ``ref``, newest first (empty when the ref does not exist)."""
    try:
        return run_git("--git-dir", str(gitdir), "log", "--format=%H", ref).split()
    except subprocess.CalledProcessError:
        return []
