/* The report form: place the point by "use my location" or by tapping a small map.
 *
 * The point goes into the hidden lng/lat fields (WGS84, as the browser's
 * geolocation and the map give it). Everything the script needs comes from
 * data- attributes (no inline script: the Content-Security-Policy forbids it).
 * Without this script the form still works: a photo's location, or the
 * server's error asking for one.
 */
(function () {
  "use strict";

  var kit = window.shezhiKit;
  var readJSON = kit.readJSON;

  var POINT_STYLE = {
    radius: 10,
    color: "#ffffff",
    weight: 3,
    fillColor: "#b4410b",
    fillOpacity: 1,
    className: "report-point",
  };

  function init(form) {
    var i18n = readJSON(form.dataset.i18n, {});

    /* ---------- the point: the map or "use my location" (core/point-picker.js) ---------- */

    window.shezhiPointPicker(form, {
      container: form.querySelector("#report-map"),
      readout: form.querySelector("#point-readout"),
      locateButton: form.querySelector("#use-location"),
      clearButton: form.querySelector("#clear-point"),
      i18n: i18n,
      style: POINT_STYLE,
    });

    /* ---------- anonymity only where the category allows it ---------- */

    var category = form.querySelector("select[name=category]");
    var anonymous = form.querySelector("input[name=anonymous]");
    var note = form.querySelector("#anonymous-note");
    var noAnonymous = readJSON(form.dataset.noAnonymous, []);
    function syncAnonymous() {
      if (!category || !anonymous) return;
      var refused = noAnonymous.indexOf(category.value) !== -1;
      anonymous.disabled = refused;
      if (refused) anonymous.checked = false;
      if (note) {
        note.hidden = !refused;
        note.textContent = refused ? i18n.no_anonymous || "" : "";
      }
    }
    if (category && anonymous) {
      category.addEventListener("change", syncAnonymous);
      syncAnonymous();
    }

    /* ---------- one tap sends once (the idempotency key covers retries) ---------- */

    var submit = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function () {
      if (!submit) return;
      // After this handler, so the button's value is still part of the submission.
      window.setTimeout(function () {
        submit.disabled = true;
        submit.dataset.label = submit.dataset.label || submit.textContent;
        submit.textContent = i18n.sending || submit.textContent;
      }, 0);
    });
    window.addEventListener("pageshow", function () {
      if (submit && submit.disabled) {
        submit.disabled = false;
        if (submit.dataset.label) submit.textContent = submit.dataset.label;
      }
    });

    /* ---------- a refused form: focus goes to what is missing ---------- */

    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.addEventListener("click", function (e) {
        var link = e.target.closest ? e.target.closest("a[href^='#']") : null;
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        e.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus();
      });
      summary.focus();
    }

  }

  function start() {
    var form = document.querySelector("form.report-form");
    if (form) init(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
