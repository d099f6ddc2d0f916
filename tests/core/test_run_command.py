"""`shezhi run` end to end: migrate, demo, serve with gunicorn, and a worker that works."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.factories import feature_collection, territory_features

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, CSRF, multipart upload."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str, str]:
        req = urllib.request.Request(  # noqa: S310 - http to our own test server
            self.base + path,
            data=body,
            headers={
                "Content-Type": content_type,
                "X-CSRFToken": self.csrf(),
                "Referer": self.base + path,
            },
        )
        with self.opener.open(req, timeout=60) as resp:
            return resp.status, resp.geturl(), resp.read().decode()

    def login(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        _, url, _ = self.post("/accounts/login/", form, "application/x-www-form-urlencoded")
        assert "/accounts/login/" not in url, "sign-in failed"


def multipart(field: str, filename: str, data: bytes, token: str) -> tuple[bytes, str]:
    boundary = "----shezhi-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/geo+json\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_run_serves_the_demo_and_the_worker_runs_uploads(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SHEZHI_SECRET_KEY"}}
    env["SHEZHI_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "shezhi",
                "run",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ),
            # The plumbing, with a small demo: the demo's own tests build the whole one.
            *("--demo-households", "0", "--no-demo-events"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        # A bound on waiting, not a timing target: even the small demo takes a minute or
        # more on a two-core machine while the rest of the suite runs beside it.
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "Shezhi Harbor is at" in line:
                break
        text = "".join(output)
        assert "Demo district built: 3037 areas" in text, text[-3000:]
        assert "qbj_admin" in text and "shezhi-demo-2026" in text
        # The small demo asked for: no year of events, no household base.
        assert "Demo event history" not in text and "Demo households" not in text, text[-3000:]

        base = f"http://127.0.0.1:{port}"
        browser = Browser(base)
        for _ in range(100):
            try:
                status, page = browser.get("/accounts/login/")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200 and "登录" in page
        # static files are served by the app itself (whitenoise, hashed names)
        css = re.search(r'href="(/static/core/site\.[0-9a-f]+\.css)"', page)
        assert css, "collected, hashed stylesheet expected"
        assert browser.get(css.group(1))[0] == 200

        browser.login("admin", "shezhi-demo-2026")
        status, page = browser.get("/areas/510113/")
        assert status == 200 and "青白江区" in page

        features = territory_features()
        for f in features:  # a new district beside the demo one
            f.code = "510114" + f.code[6:]
            f.parent_code = ("510114" + f.parent_code[6:]) if f.parent_code else None
        data = json.dumps(feature_collection(features), ensure_ascii=False).encode()
        body, ctype = multipart("file", "xindu.geojson", data, browser.csrf())
        status, url, _ = browser.post("/areas/imports/", body, ctype)
        assert re.search(r"/areas/imports/\d+/$", url), url
        detail = url[len(base) :]
        for _ in range(150):  # the background worker picks it up
            _, page = browser.get(detail)
            if 'data-testid="import-summary"' in page:
                break
            time.sleep(0.2)
        assert "已导入" in page, page[-2000:]
        status, page = browser.get("/areas/510114/")
        assert status == 200 and "测试区" in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.parametrize("scale", ["-0.1", "1.5"])
def test_a_demo_scale_outside_0_to_1_is_refused_before_anything_runs(scale, db):
    from django.core.management import CommandError, call_command

    from shezhi.areas.models import Area

    with pytest.raises(CommandError, match="--demo-households"):
        call_command("run", "--demo-households", scale)
    assert not Area.objects.exists()
