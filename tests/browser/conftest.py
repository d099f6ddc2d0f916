"""Playwright (sync API) driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from django.conf import settings

from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

SHOTS = os.environ.get("SHEZHI_SHOTS_DIR", "/tmp/shots")

# Report Content-Security-Policy violations as console errors too, with detail.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


@dataclass
class Console:
    """Everything the page reported that a clean page never reports."""

    errors: list[str] = field(default_factory=list)

    def clean(self, *, allow: tuple[str, ...] = ()) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in allow)]


@pytest.fixture(scope="session")
def _playwright():
    if not os.path.exists(settings.SHEZHI_CHROMIUM):
        # Failing, not skipping: a missing browser must not pass as a green run.
        pytest.fail(f"chromium not installed at {settings.SHEZHI_CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=settings.SHEZHI_CHROMIUM, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _new_page(chromium, console: Console, **context_options):
    context = chromium.new_context(locale="zh-CN", **context_options)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda msg: console.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    page.on(
        "requestfailed",
        lambda req: console.errors.append(f"requestfailed: {req.url} {req.failure}"),
    )
    return context, page


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def page(chromium, console, live_server):
    context, page = _new_page(chromium, console, viewport=WIDE)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium, console, live_server):
    context, page = _new_page(
        chromium, console, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server):
    """Sign in through the login page; returns the page where the login lands."""

    def _sign_in(page, username: str, next_path: str = ""):
        url = f"{live_server.url}/accounts/login/"
        if next_path:
            url += f"?next={next_path}"
        page.goto(url)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("form.stack-form button[type=submit]")
        assert "/accounts/login/" not in page.url, "sign-in failed"
        # Let the landing page's own fetches finish, so a test that navigates on
        # at once does not see them aborted (net::ERR_ABORTED) as errors.
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in


@pytest.fixture
def shots_dir():
    os.makedirs(SHOTS, exist_ok=True)
    return SHOTS
