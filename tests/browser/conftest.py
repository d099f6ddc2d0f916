"""Playwright (sync API) driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

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


# axe-core (vendored by scripts/vendor_static.py, never from a CDN), run on every page the
# browser tests visit; on phone pages also the 44 px target and 16 px text minimums.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
MIN_TARGET_PX = 44
MIN_TEXT_PX = 16

# Defines window.__shezhiAudit() (axe, plus the phone's measurements) and runs it once the
# page has loaded, reporting through the __shezhiAuditReport binding. Injected before any
# page script (Playwright's init scripts are not subject to the page's CSP).
AUDIT_SCRIPT = r"""
(() => {
  if (window.top !== window) return;
  const PHONE = %(phone)s, TAGS = %(tags)s, IMPACTS = %(impacts)s;
  const MIN_TARGET = %(target)d, MIN_TEXT = %(text)d;
  const CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary,"
    + " [role=button], [role=link], [role=tab], [role=checkbox], [tabindex]:not([tabindex='-1'])";
  // Pins and shapes on a map sit where the place is (WCAG 2.5.8's "essential" exception).
  const EXEMPT = ".leaflet-marker-icon, .leaflet-interactive, .leaflet-marker-pane *";

  function shown(el) {
    if (!el.isConnected) return false;
    if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
      return false;
    const r = el.getBoundingClientRect();
    return r.width >= 2 && r.height >= 2;  // .visually-hidden is 1 x 1
  }
  function describe(el) {
    let d = el.tagName.toLowerCase();
    if (el.id) d += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
    if (cls.length) d += "." + cls.slice(0, 3).join(".");
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return d + (text ? " \"" + text.replace(/\s+/g, " ").slice(0, 30) + "\"" : "");
  }
  // WCAG 2.5.8's inline exception: a link inside a sentence of text.
  function inSentence(el) {
    if (getComputedStyle(el).display !== "inline") return false;
    const parent = el.parentElement;
    return !!parent && [...parent.childNodes].some(
      (n) => n.nodeType === 3 && n.textContent.trim().length > 1);
  }
  function box(el) {
    let r = el.getBoundingClientRect();
    // A check box or radio button is tapped with its label.
    if ((el.type === "checkbox" || el.type === "radio") && el.labels && el.labels.length) {
      const l = el.labels[0].getBoundingClientRect();
      const left = Math.min(r.left, l.left), top = Math.min(r.top, l.top);
      r = {width: Math.max(r.right, l.right) - left, height: Math.max(r.bottom, l.bottom) - top};
    }
    return r;
  }
  function measure() {
    const small = [];
    for (const el of document.querySelectorAll(CONTROLS)) {
      if (el.closest(EXEMPT) || el.disabled || !shown(el)) continue;
      if (el.tagName === "A" && inSentence(el)) continue;
      const r = box(el);
      if (r.width < MIN_TARGET - 0.5 || r.height < MIN_TARGET - 0.5)
        small.push("target " + Math.round(r.width) + "x" + Math.round(r.height) + " "
          + describe(el));
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim()) continue;
      seen.add(el);
      if (el.closest("svg, script, style, noscript, [aria-hidden=true]") || !shown(el)) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < MIN_TEXT - 0.01) small.push("text " + size + "px " + describe(el));
    }
    return small;
  }
  // Let transitions (a popup fading in) end: a half-faded text is not what people read.
  async function settled() {
    const running = (document.getAnimations ? document.getAnimations() : []).filter((a) =>
      a.playState === "running" && isFinite(a.effect.getComputedTiming().endTime));
    await Promise.race([
      Promise.all(running.map((a) => a.finished.catch(() => null))),
      new Promise((resolve) => setTimeout(resolve, 1500)),
    ]);
  }
  async function audit() {
    const out = {url: location.href, violations: [], small: []};
    await settled();
    if (window.axe) {
      const r = await window.axe.run(document, {
        runOnly: {type: "tag", values: TAGS}, resultTypes: ["violations"]});
      out.violations = r.violations.filter((v) => IMPACTS.includes(v.impact)).map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 6).map((n) => n.target.join(" ")),
      }));
    }
    if (PHONE) out.small = measure();
    return out;
  }
  let running = null;
  window.__shezhiAudit = () => {
    if (!running) running = audit().finally(() => { running = null; });
    return running;
  };
  window.addEventListener("load", () => setTimeout(() => {
    window.__shezhiAudit().then((r) => window.__shezhiAuditReport(r)).catch(() => {});
  }, 300));
})();
"""


@dataclass
class Audit:
    """What axe (and on a phone, the size checks) found on the pages of one browser context."""

    phone: bool
    findings: dict[str, list[str]] = field(default_factory=dict)  # path -> problems

    def add(self, report: dict) -> None:
        if not report:
            return
        path = report["url"].split("//", 1)[-1].split("/", 1)[-1]
        found = self.findings.setdefault("/" + path, [])
        for v in report["violations"]:
            line = f"axe {v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}"
            if line not in found:
                found.append(line)
        for line in report["small"]:
            if line not in found:
                found.append(line)

    def final(self, page) -> None:
        """Audit the page as the test leaves it (its last state, not only its loads)."""
        if page.is_closed() or not page.url.startswith("http"):
            return
        try:
            page.wait_for_load_state("load")
            self.add(page.evaluate("window.__shezhiAudit && window.__shezhiAudit()"))
        except Exception as exc:  # a page torn down mid-audit
            if "closed" not in str(exc) and "destroyed" not in str(exc):
                raise

    def problems(self) -> list[str]:
        return [f"{path}: {line}" for path, lines in self.findings.items() for line in lines]


# The audits of the running test's pages; checked when the test ends.
_AUDITS: list[Audit] = []


def _install_audit(context, *, phone: bool) -> Audit:
    audit = Audit(phone=phone)
    context.expose_binding("__shezhiAuditReport", lambda _source, report: audit.add(report))
    context.add_init_script(path=str(AXE))
    context.add_init_script(
        AUDIT_SCRIPT
        % {
            "phone": "true" if phone else "false",
            "tags": json.dumps(AXE_TAGS),
            "impacts": json.dumps(FAILING_IMPACTS),
            "target": MIN_TARGET_PX,
            "text": MIN_TEXT_PX,
        }
    )
    _AUDITS.append(audit)
    return audit


@pytest.fixture(autouse=True)
def accessibility_audit():
    """Fail a browser test whose pages break WCAG 2.1 A/AA at serious or critical impact
    (axe-core), or, on a phone, show a control under 44 x 44 px or text under 16 px."""
    _AUDITS.clear()
    yield _AUDITS
    problems = [p for audit in _AUDITS for p in audit.problems()]
    _AUDITS.clear()
    if problems:
        pytest.fail(
            f"{len(problems)} accessibility problem(s) on the pages visited:\n  "
            + "\n  ".join(problems[:60]),
            pytrace=False,
        )


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
    audit = _install_audit(context, phone=bool(context_options.get("is_mobile")))
    page = context.new_page()
    page.shezhi_audit = audit
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
    page.shezhi_audit.final(page)
    context.close()


@pytest.fixture
def phone_page(chromium, console, live_server):
    context, page = _new_page(
        chromium, console, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    page.shezhi_audit.final(page)
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
