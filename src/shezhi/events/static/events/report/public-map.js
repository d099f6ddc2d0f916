/* The public map of events: open and closed, anonymised (no sign-in).
 *
 * Reads the GeoJSON of the events in view (?bbox=west,south,east,north) after
 * every move, and draws each as a dot: orange while open, green once closed.
 * Dots close together are drawn as one cluster (the vendored
 * leaflet.markercluster) with their count, large enough to tap; tapping it
 * zooms in. Beside the map, a list of the events in view (the latest first),
 * each a button that shows its dot and opens its popup: the map's content for
 * keyboards and screen readers. Texts come from the data- attributes and are
 * inserted as text, never HTML.
 */
(function () {
  "use strict";

  var kit = window.shezhiKit;
  var readJSON = kit.readJSON;
  var fill = kit.fill;
  var el = kit.el;

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

  var LIST_LIMIT = 50;

  function clusterIcon(L) {
    return function (cluster) {
      var n = cluster.getChildCount();
      var open = cluster.getAllChildMarkers().some(function (m) {
        return m.options.eventOpen;
      });
      var large = n >= 100;
      var size = large ? 52 : 44;
      var disc = el("span", "event-cluster" + (open ? " has-open" : "") + (large ? " is-large" : ""),
                    String(n));  // prettier-ignore
      disc.dataset.count = String(n);
      var icon = L.divIcon({
        html: disc.outerHTML,
        className: "event-cluster-icon",
        iconSize: L.point(size, size),
      });
      return icon;
    };
  }

  function init(container) {
    if (!window.L) return;
    var L = window.L;
    var i18n = readJSON(container.dataset.i18n, {});
    var summary = document.getElementById("public-map-summary");
    var list = document.getElementById("events-in-view-list");
    var showOpen = document.getElementById("show-open");
    var showClosed = document.getElementById("show-closed");
    // The clusters need a highest zoom even without tiles (no tile layer sets one then).
    var map = window.shezhiBaseMap(container, { map: { maxZoom: 19 } });

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

    var clusters = L.markerClusterGroup({
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      maxClusterRadius: 72, // discs 44–52 px apart: each one tappable alone
      chunkedLoading: true,
      chunkProgress: function (done, total) {
        if (done === total) nameClusters();
      },
      iconCreateFunction: clusterIcon(L),
    }).addTo(map);
    // The events' dots by id, kept across reloads (a dot being shown stays the same layer).
    var byId = {};
    var onMap = {}; // id -> true while its dot is in the clusters
    var lastData = null;
    var sequence = 0;

    function wanted(kind) {
      var box = kind === "open" ? showOpen : showClosed;
      return !box || box.checked;
    }

    // The cluster icons are links without words: give each its count as a name.
    function nameClusters() {
      container.querySelectorAll(".event-cluster-icon").forEach(function (icon) {
        var disc = icon.querySelector(".event-cluster");
        if (!disc) return;
        icon.setAttribute("role", "button");
        icon.setAttribute("aria-label", fill(container.dataset.clusterLabel, { n: disc.dataset.count }));
      });
    }

    // A listed event on the map: zoom until its dot leaves its cluster, open its popup,
    // and bring the map into sight (on a phone the list is below it).
    function showIn(marker) {
      clusters.zoomToShowLayer(marker, function () {
        marker.openPopup();
      });
      if (container.scrollIntoView) container.scrollIntoView({ block: "center" });
    }

    function renderList() {
      if (!list) return;
      while (list.firstChild) list.removeChild(list.firstChild);
      var bounds = map.getBounds();
      var rows = [];
      Object.keys(byId).forEach(function (id) {
        var m = byId[id];
        if (onMap[id] && bounds.contains(m.getLatLng())) rows.push(m);
      });
      // The latest first, as the server sends them.
      rows.sort(function (a, b) {
        return a.options.eventOrder - b.options.eventOrder;
      });
      var counts = { open: 0, closed: 0 };
      rows.forEach(function (m) {
        counts[m.options.eventOpen ? "open" : "closed"] += 1;
      });
      var text = fill(i18n.shown, counts);
      if (lastData && lastData.truncated) text += " " + fill(i18n.truncated, { n: lastData.limit });
      if (summary) summary.textContent = text;
      list.dataset.count = String(rows.length);
      if (!rows.length) {
        list.appendChild(el("li", "more", list.dataset.none));
        return;
      }
      rows.slice(0, LIST_LIMIT).forEach(function (m) {
        var props = m.options.eventProps;
        var li = el("li");
        li.dataset.event = String(props.id);
        var button = el("button", "event-in-view");
        button.type = "button";
        var what = el("span", "event-in-view-what");
        var dot = el("span", "swatch-dot " + (props.open ? "dot-open" : "dot-closed"));
        dot.setAttribute("aria-hidden", "true");
        what.appendChild(dot);
        what.appendChild(document.createTextNode(props.category || ""));
        button.appendChild(what);
        var dates = fill(i18n.reported_on, { date: props.reported_on || "" });
        if (props.closed_on) dates += ", " + fill(i18n.closed_on, { date: props.closed_on });
        button.appendChild(
          el("span", "event-in-view-when", (props.open ? i18n.open : i18n.closed) + " · " + dates)
        );
        button.title = list.dataset.show;
        button.addEventListener("click", function () {
          showIn(m);
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      if (rows.length > LIST_LIMIT) {
        list.appendChild(
          el("li", "more", fill(list.dataset.more, { shown: LIST_LIMIT, total: rows.length }))
        );
      }
    }

    // Show the dots the filters want, hide the others: only the difference moves.
    function applyFilters() {
      var add = [];
      var remove = [];
      Object.keys(byId).forEach(function (id) {
        var m = byId[id];
        var want = wanted(m.options.eventOpen ? "open" : "closed");
        if (want && !onMap[id]) {
          add.push(m);
          onMap[id] = true;
        } else if (!want && onMap[id]) {
          remove.push(m);
          delete onMap[id];
        }
      });
      if (remove.length) clusters.removeLayers(remove);
      if (add.length) clusters.addLayers(add);
      renderList();
      nameClusters();
    }

    function draw(data) {
      lastData = data;
      var next = {};
      var gone = [];
      (data.features || []).forEach(function (feature, i) {
        var props = feature.properties || {};
        var coords = (feature.geometry || {}).coordinates || [];
        if (coords.length !== 2) return;
        var kind = props.open ? "open" : "closed";
        var id = String(props.id);
        var m = byId[id];
        if (m && m.options.eventOpen !== Boolean(props.open)) {
          if (onMap[id]) gone.push(m); // closed since: drawn anew
          delete onMap[id];
          m = null;
        }
        if (!m) {
          var style = {};
          Object.keys(STYLE[kind]).forEach(function (k) {
            style[k] = STYLE[kind][k];
          });
          style.className = "event-marker event-" + kind + " event-id-" + props.id;
          style.eventOpen = Boolean(props.open);
          m = L.circleMarker([coords[1], coords[0]], style).bindPopup(popup(props, i18n));
        }
        m.options.eventOrder = i;
        m.options.eventProps = props;
        next[id] = m;
      });
      Object.keys(byId).forEach(function (id) {
        if (!next[id] && onMap[id]) {
          gone.push(byId[id]);
          delete onMap[id];
        }
      });
      if (gone.length) clusters.removeLayers(gone);
      byId = next;
      applyFilters();
      container.dataset.markers = String(Object.keys(byId).length);
      container.dataset.state = "ready";
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
          draw(data);
        })
        .catch(function () {
          if (mine !== sequence) return;
          container.dataset.state = "error";
          if (summary) summary.textContent = i18n.load_failed || "";
        });
    }

    clusters.on("animationend", nameClusters);
    map.on("zoomend", nameClusters);
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
