from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import make_user


@pytest.fixture
def people(db):
    """Two active users and one whose sign-in is switched off."""
    return {
        "alice": make_user("alice"),
        "bob": make_user("bob"),
        "gone": make_user("gone", is_active=False),
    }


class _Recorder(BaseHTTPRequestHandler):
    """Records every POST; answers with the next queued (status, body), else 200 ok."""

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "json": json.loads(raw.decode()),
            }
        )
        status, body, delay = (
            self.server.answers.pop(0) if self.server.answers else (200, self.server.ok, 0)
        )
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


class Gateway:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        self.server.daemon_threads = True
        self.server.requests = []
        self.server.answers = []
        self.server.ok = b'{"errcode": 0, "errmsg": "ok"}'
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    @property
    def requests(self) -> list[dict]:
        return self.server.requests

    def answer(self, status: int, body: bytes = b"{}", delay: float = 0) -> None:
        """Queue one answer for the next request."""
        self.server.answers.append((status, body, delay))


@pytest.fixture
def gateway(monkeypatch):
    """A real HTTP server on 127.0.0.1, in a thread, recording what it is sent."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    gw = Gateway()
    thread = threading.Thread(target=gw.server.serve_forever, daemon=True)
    thread.start()
    yield gw
    gw.server.shutdown()
    gw.server.server_close()
