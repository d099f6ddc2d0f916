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

  function readJSON(value, fallback) {
    try {
      return JSON.parse(value || "");
    } catch (e) {
      return fallback;
    }
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function round6(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  var POINT_STYLE = {
    radius: 10,
    color: "#ffffff",
    weight: 3,
    fillColor: "#b4410b",
    fillOpacity: 1,
    className: "report-point",
  };
  var OUTLINE_STYLE = {
    color: "#0b5c8a",
    weight: 2,
    opacity: 0.8,
    fillColor: "#3d8fc4",
    fillOpacity: 0.06,
    interactive: false,
  };

  function init(form) {
    var i18n = readJSON(form.dataset.i18n, {});
    var lngInput = form.querySelector("input[name=lng]");
    var latInput = form.querySelector("input[name=lat]");
    var readout = form.querySelector("#point-readout");
    var locateButton = form.querySelector("#use-location");
    var clearButton = form.querySelector("#clear-point");
    var container = form.querySelector("#report-map");
    var map = null;
    var marker = null;

    function say(text) {
      if (readout) readout.textContent = text;
    }

    function setPoint(lng, lat, opts) {
      opts = opts || {};
      lngInput.value = String(round6(lng));
      latInput.value = String(round6(lat));
      form.dataset.point = lngInput.value + "," + latInput.value;
      if (clearButton) clearButton.hidden = false;
      if (map) {
        var at = [lat, lng];
        if (marker) {
          marker.setLatLng(at);
        } else {
          marker = window.L.circleMarker(at, POINT_STYLE).addTo(map);
        }
        if (opts.pan) map.setView(at, Math.max(map.getZoom(), 16));
      }
      say(opts.message || lngInput.value + ", " + latInput.value + " · " + (i18n.placed || ""));
    }

    function clearPoint() {
      lngInput.value = "";
      latInput.value = "";
      delete form.dataset.point;
      if (marker && map) {
        map.removeLayer(marker);
      }
      marker = null;
      if (clearButton) clearButton.hidden = true;
      say(i18n.cleared || "");
    }

    /* ---------- the map ---------- */

    if (container && window.L) {
      var L = window.L;
      map = window.shezhiBaseMap(container);
      readJSON(container.dataset.outlines, []).forEach(function (url) {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (feature) {
            L.geoJSON(feature, { style: OUTLINE_STYLE, interactive: false }).addTo(map);
          })
          .catch(function () {
            /* The outline only helps orientation; the map works without it. */
          });
      });
      map.on("click", function (e) {
        setPoint(e.latlng.lng, e.latlng.lat);
      });
    }

    var initial = (container && container.dataset.point ? container.dataset.point : "").split(",");
    if (initial.length === 2 && initial.every(function (v) { return v !== "" && isFinite(v); })) {
      setPoint(Number(initial[0]), Number(initial[1]), { pan: true, message: initial.join(", ") });
    }

    if (clearButton) {
      clearButton.addEventListener("click", clearPoint);
    }

    /* ---------- "use my location" ---------- */

    if (locateButton) {
      locateButton.addEventListener("click", function () {
        if (!("geolocation" in navigator)) {
          say(i18n.unsupported || "");
          return;
        }
        locateButton.disabled = true;
        say(i18n.locating || "");
        navigator.geolocation.getCurrentPosition(
          function (position) {
            locateButton.disabled = false;
            var c = position.coords;
            setPoint(c.longitude, c.latitude, {
              pan: true,
              message:
                round6(c.longitude) +
                ", " +
                round6(c.latitude) +
                " · " +
                fill(i18n.located, { m: Math.max(1, Math.round(c.accuracy || 0)) }),
            });
          },
          function (error) {
            locateButton.disabled = false;
            var key =
              error.code === 1 ? "denied" : error.code === 3 ? "timeout" : "unavailable";
            say(i18n[key] || "");
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }

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

    if (container && map) container.dataset.state = "ready";
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
