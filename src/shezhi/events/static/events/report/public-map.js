/* The public map of events: open and closed, anonymised (no sign-in).
 *
 * Reads the GeoJSON of the events in view (?bbox=west,south,east,north) after
 * every move, and draws each as a dot: orange while open, green once closed.
 * Texts come from the data- attributes and are inserted as text, never HTML.
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

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  var STYLE = {
    open: { radius: 7, color: "#ffffff", weight: 2, fillColor: "#b4410b", fillOpacity: 0.9 },
    closed: { radius: 6, color: "#ffffff", weight: 2, fillColor: "#2e7d32", fillOpacity: 0.8 },
  };

  function popup(props, i18n) {
    var box = el("div", "event-tip");
    box.appendChild(el("strong", null, props.category || ""));
    if (props["class"]) box.appendChild(el("span", "muted", props["class"]));
    var state = props.open ? i18n.open : i18n.closed;
    var dates = fill(i18n.reported_on, { date: props.reported_on || "" });
    if (props.closed_on) dates += ", " + fill(i18n.closed_on, { date: props.closed_on });
    box.appendChild(el("span", "event-tip-state", state + " · " + dates));
    return box;
  }

  function init(container) {
    if (!window.L) return;
    var L = window.L;
    var i18n = readJSON(container.dataset.i18n, {});
    var summary = document.getElementById("public-map-summary");
    var showOpen = document.getElementById("show-open");
    var showClosed = document.getElementById("show-closed");
    var map = window.shezhiBaseMap(container);

    // The districts' outlines: orientation when no tile server is configured.
    var outlines = readJSON(container.dataset.outlines, null);
    if (outlines && outlines.features && outlines.features.length) {
      L.geoJSON(outlines, {
        interactive: false,
        style: {
          color: "#0b5c8a",
          weight: 2,
          opacity: 0.8,
          fillColor: "#3d8fc4",
          fillOpacity: 0.05,
          className: "district-outline",
        },
      }).addTo(map);
    }

    var layers = { open: L.layerGroup().addTo(map), closed: L.layerGroup().addTo(map) };
    var sequence = 0;

    function applyFilters() {
      [
        ["open", showOpen],
        ["closed", showClosed],
      ].forEach(function (pair) {
        var wanted = !pair[1] || pair[1].checked;
        if (wanted && !map.hasLayer(layers[pair[0]])) layers[pair[0]].addTo(map);
        if (!wanted && map.hasLayer(layers[pair[0]])) map.removeLayer(layers[pair[0]]);
      });
    }

    function load() {
      var b = map.getBounds();
      var w = clamp(b.getWest(), -180, 180);
      var e = clamp(b.getEast(), -180, 180);
      var s = clamp(b.getSouth(), -90, 90);
      var n = clamp(b.getNorth(), -90, 90);
      var url = container.dataset.url;
      if (w < e && s < n) {
        url += "?bbox=" + [w, s, e, n].map(function (v) { return v.toFixed(5); }).join(",");
      }
      var mine = ++sequence;
      container.dataset.state = "loading";
      fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (mine !== sequence) return; // a later move asked again
          layers.open.clearLayers();
          layers.closed.clearLayers();
          var counts = { open: 0, closed: 0 };
          (data.features || []).forEach(function (feature) {
            var props = feature.properties || {};
            var coords = (feature.geometry || {}).coordinates || [];
            if (coords.length !== 2) return;
            var kind = props.open ? "open" : "closed";
            counts[kind] += 1;
            var style = {};
            Object.keys(STYLE[kind]).forEach(function (k) {
              style[k] = STYLE[kind][k];
            });
            style.className = "event-marker event-" + kind + " event-id-" + props.id;
            L.circleMarker([coords[1], coords[0]], style)
              .bindPopup(popup(props, i18n))
              .addTo(layers[kind]);
          });
          var text = fill(i18n.shown, { open: counts.open, closed: counts.closed });
          if (data.truncated) text += " " + fill(i18n.truncated, { n: data.limit });
          if (summary) summary.textContent = text;
          container.dataset.markers = String(counts.open + counts.closed);
          container.dataset.state = "ready";
        })
        .catch(function () {
          if (mine !== sequence) return;
          container.dataset.state = "error";
          if (summary) summary.textContent = i18n.load_failed || "";
        });
    }

    if (showOpen) showOpen.addEventListener("change", applyFilters);
    if (showClosed) showClosed.addEventListener("change", applyFilters);
    var timer = null;
    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 250);
    });
    load();
  }

  function start() {
    var container = document.getElementById("public-map");
    if (container) init(container);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
