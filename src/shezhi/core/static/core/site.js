/*
 * The site shell's small behaviours, on every page (everything also works without them):
 *  - after a refused form, focus moves to the first error message, so a screen-reader or
 *    keyboard user hears what went wrong instead of starting again at the top;
 *  - the "更多" (more) menu closes with Escape (focus back on its toggle) and on a tap
 *    outside it.
 */
(function () {
  "use strict";

  // What a refused form shows: a summary of errors first, else a field's own message.
  var ERROR_SELECTORS = [
    "[data-error-summary]",
    "form .errorlist",
    "form .field-error",
    "form span.error",
    ".notice.error",
    ".ev-error",
    "form [role=alert]",
  ];

  function firstError(root) {
    var found = [];
    ERROR_SELECTORS.forEach(function (sel) {
      root.querySelectorAll(sel).forEach(function (el) {
        if (el.offsetParent !== null || el.getClientRects().length) found.push(el);
      });
    });
    if (!found.length) return null;
    found.sort(function (a, b) {
      return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    return found[0];
  }

  function focusError() {
    var main = document.getElementById("main");
    if (!main || !main.querySelector("form")) return;
    var el = firstError(main);
    if (!el) return;
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.classList.add("is-focused-error");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  }

  function wireMoreMenu() {
    document.querySelectorAll("details.nav-more").forEach(function (menu) {
      var toggle = menu.querySelector("summary");
      menu.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && menu.open) {
          menu.open = false;
          toggle.focus();
        }
      });
      document.addEventListener("click", function (e) {
        if (menu.open && !menu.contains(e.target)) menu.open = false;
      });
    });
  }

  function ready() {
    wireMoreMenu();
    focusError();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
