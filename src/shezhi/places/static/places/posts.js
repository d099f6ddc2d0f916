/* Service posts (微阵地): the resident's "nearby" map, a post's small map, and the
 * staff form's map where the post is placed.
 *
 * Everything comes from data- attributes (no inline script: the CSP forbids it);
 * texts are inserted as text, never HTML. Without this script the pages still
 * work: ?lng=&lat= or a community picked in the form lists the nearest posts.
 */
(function () {
  "use strict";

  var kit = window.shezhiKit;
  var readJSON = kit.readJSON;
  var el = kit.el;
  var round6 = kit.round6;

  var parsePoint = window.shezhiPointPicker.parsePoint;
  var locate = window.shezhiPointPicker.locate;
  var CENTER = [30.78, 104.25];
  var ZOOM = 11;

  function baseMap(container, options) {
    return window.shezhiBaseMap(container, { map: options, center: CENTER, zoom: ZOOM });
  }

  var YOU_STYLE = {
    radius: 9,
    color: "#ffffff",
    weight: 3,
    fillColor: "#0b5c8a",
    fillOpacity: 1,
    className: "you-marker",
  };
  var POST_STYLE = {
    open: { radius: 9, color: "#ffffff", weight: 2, fillColor: "#2e7d32", fillOpacity: 0.95 },
    closed: { radius: 8, color: "#ffffff", weight: 2, fillColor: "#8a8a8a", fillOpacity: 0.9 },
  };

  /* ---------- the resident's nearby page ---------- */

  function initNearby(container) {
    var L = window.L;
    var i18n = readJSON(container.dataset.i18n, {});
    var readout = document.getElementById("where-readout");
    var button = document.getElementById("use-location");
    function say(text) {
      if (readout) readout.textContent = text;
    }

    function go(lng, lat) {
      var params = new URLSearchParams();
      params.set("lng", String(round6(lng)));
      params.set("lat", String(round6(lat)));
      if (container.dataset.includeClosed === "1") params.set("all", "1");
      if (container.dataset.type) params.set("type", container.dataset.type);
      window.location.assign(window.location.pathname + "?" + params.toString());
    }

    function fromBrowser() {
      if (button) button.disabled = true;
      locate(
        i18n,
        function (text) {
          if (button) button.disabled = false;
          say(text);
        },
        function (coords) {
          go(coords.longitude, coords.latitude);
        }
      );
    }
    if (button) button.addEventListener("click", fromBrowser);

    var map = L ? baseMap(container) : null;
    if (!map) return;
    map.on("click", function (e) {
      go(e.latlng.lng, e.latlng.lat);
    });

    var point = parsePoint(container.dataset.point);
    if (!point) {
      // Before any location: the posts of the person's area (or the default one), the
      // map fitted to them, so it is never an empty grey square.
      if (container.dataset.area) {
        showPosts(null);
      } else {
        container.dataset.markers = "0";
        container.dataset.state = "ready";
      }
      if (container.dataset.autoLocate === "1") fromBrowser();
      return;
    }
    var here = [point[1], point[0]];
    // Drawn on top but not clickable: a post right where the resident stands stays tappable.
    var you = L.circleMarker(here, Object.assign({}, YOU_STYLE, { interactive: false })).addTo(map);
    map.setView(here, 15, { animate: false });
    showPosts(you);

    function showPosts(you) {
      container.dataset.state = "loading";
      fetch(container.dataset.url, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          var bounds = you ? L.latLngBounds([here, here]) : null;
          var count = 0;
          (data.features || []).forEach(function (feature) {
            var props = feature.properties || {};
            var coords = (feature.geometry || {}).coordinates || [];
            if (coords.length !== 2) return;
            var kind = props.open ? "open" : "closed";
            var style = Object.assign({}, POST_STYLE[kind]);
            style.className = "post-marker post-" + kind + " post-id-" + props.id + " post-rank-" + props.rank;
            var tip = el("div", "post-tip");
            var link = el("a", null, props.rank + ". " + (props.name || ""));
            link.href = props.url;
            tip.appendChild(link);
            tip.appendChild(el("span", "muted", (props.type_label || "") + (props.distance ? " · " + props.distance : "")));
            tip.appendChild(el("span", "post-tip-state", (props.open ? i18n.open : i18n.closed) + " · " + (props.today || "")));
            var at = [coords[1], coords[0]];
            L.circleMarker(at, style).bindPopup(tip).addTo(map);
            if (bounds) bounds.extend(at);
            else bounds = L.latLngBounds([at, at]);
            count += 1;
          });
          if (you) you.bringToFront();
          if (count) map.fitBounds(bounds.pad(0.15), { maxZoom: 17, animate: false });
          container.dataset.markers = String(count);
          container.dataset.state = "ready";
        })
        .catch(function () {
          container.dataset.state = "error";
          say(i18n.load_failed || "");
        });
    }
  }

  /* ---------- a post's small map ---------- */

  function initPostMap(container) {
    var L = window.L;
    var point = parsePoint(container.dataset.point);
    if (!L || !point) return;
    var map = baseMap(container, { scrollWheelZoom: false });
    var at = [point[1], point[0]];
    L.circleMarker(at, Object.assign({}, POST_STYLE.open, { className: "post-marker post-here" })).addTo(map);
    map.setView(at, 16);
    container.dataset.state = "ready";
  }

  /* ---------- the staff form: place the post ---------- */

  function initForm(form) {
    window.shezhiPointPicker(form, {
      container: form.querySelector("#form-map"),
      readout: form.querySelector("#point-readout"),
      locateButton: form.querySelector("#use-location"),
      i18n: readJSON(form.dataset.i18n, {}),
      style: Object.assign({}, YOU_STYLE, { className: "post-point" }),
      map: { center: CENTER, zoom: ZOOM },
    });
  }

  function start() {
    var nearby = document.getElementById("posts-map");
    if (nearby) initNearby(nearby);
    var postMap = document.getElementById("post-map");
    if (postMap) initPostMap(postMap);
    var form = document.querySelector("form.post-form");
    if (form) initForm(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
