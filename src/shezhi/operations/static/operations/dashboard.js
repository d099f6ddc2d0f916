/*
 * The live operation dashboard: polls data.json (data-data-url) every
 * data-refresh-seconds (0: a stood-down operation, no polling), updates the figures
 * (data-fig), the areas' table (tr[data-code] > [data-col]) and the map's colours
 * (the children's boundaries from data-boundaries-url, coloured by coverage).
 * On the roll-call form, fills the location from the phone's position when allowed.
 */
(function () {
  "use strict";
  var root = document.getElementById("op-dashboard");
  if (!root) return;
  var shapes = null;
  var coverage = {};
  var COLOURS = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];

  function colour(share) {
    if (share === null || share === undefined) return "#cccccc";
    if (share >= 1) return COLOURS[4];
    if (share >= 0.75) return COLOURS[3];
    if (share >= 0.5) return COLOURS[2];
    if (share >= 0.25) return COLOURS[1];
    return COLOURS[0];
  }

  function pct(value) {
    return value === null || value === undefined ? "—" : Math.floor(value * 100) + "%";
  }

  function setFig(name, text) {
    var nodes = root.querySelectorAll('[data-fig="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = text;
  }

  function restyle() {
    if (!shapes) return;
    shapes.eachLayer(function (layer) {
      var code = layer.feature && layer.feature.properties.code;
      layer.setStyle({
        fillColor: colour(coverage[code]),
        fillOpacity: 0.6,
        color: "#333333",
        weight: 1,
      });
      layer.feature.properties.coverage = coverage[code];
    });
  }

  function apply(data) {
    var t = data.total;
    setFig("coverage", pct(t.coverage));
    setFig("checked", String(t.checked));
    setFig("households", String(t.households));
    setFig("vulnerable_coverage", pct(t.vulnerable_coverage));
    setFig("vulnerable_checked", String(t.vulnerable_checked));
    setFig("vulnerable", String(t.vulnerable));
    setFig("on_duty", String(data.workers.on_duty));
    setFig("unavailable", String(data.workers.unavailable));
    setFig("open_needs", String(data.needs.open));
    setFig("needs_raised", String(data.needs.raised));
    coverage = {};
    data.children.forEach(function (row) {
      coverage[row.code] = row.coverage;
      var tr = root.querySelector('tr[data-code="' + row.code + '"]');
      if (!tr) return;
      ["checked", "households", "vulnerable_checked", "vulnerable", "needs_help"].forEach(
        function (col) {
          var cell = tr.querySelector('[data-col="' + col + '"]');
          if (cell) cell.textContent = String(row[col]);
        }
      );
    });
    restyle();
    var stamp = root.querySelector("[data-updated]");
    if (stamp) stamp.textContent = new Date().toLocaleTimeString();
    root.dataset.refreshes = String(Number(root.dataset.refreshes || "0") + 1);
  }

  function poll() {
    fetch(root.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(apply)
      .catch(function () {
        root.dataset.pollError = "1";
      });
  }

  function drawMap() {
    var node = document.getElementById("op-map");
    if (!node || !window.L || !window.shezhiBaseMap) return;
    var map = window.shezhiBaseMap(node, { source: root, map: { zoomSnap: 0.25 }, padding: [8, 8] });
    fetch(root.dataset.boundariesUrl, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (geo) {
        shapes = window.L.geoJSON(geo, {
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(function () {
              return feature.properties.name + " " + pct(feature.properties.coverage);
            }, { sticky: true });
          },
        }).addTo(map);
        var bounds = shapes.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
        node.dataset.state = "ready";
        node.dataset.shapes = String(geo.features ? geo.features.length : 1);
        restyle();
      })
      .catch(function () {
        node.dataset.state = "error";
        var p = document.createElement("p");
        p.className = "map-error";
        p.textContent = root.dataset.labelMapError || "";
        node.appendChild(p);
      });
  }

  function locate() {
    var lng = root.querySelector('[data-geo="lng"]');
    var lat = root.querySelector('[data-geo="lat"]');
    if (!lng || !lat || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lng.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
      },
      function () {},
      { maximumAge: 60000, timeout: 10000 }
    );
  }

  function start() {
    drawMap();
    locate();
    poll();
    var seconds = Number(root.dataset.refreshSeconds || "0");
    if (seconds > 0) window.setInterval(poll, seconds * 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
