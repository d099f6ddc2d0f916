/* The working-side pages: the small map on an event's page.
 *
 * Everything comes from data- attributes (the Content-Security-Policy forbids
 * inline scripts). Without configured tiles the map still shows the event's
 * micro-grid outline and the point.
 */
(function () {
  "use strict";

  function parseJSON(text) {
    try {
      return JSON.parse(text || "null");
    } catch (e) {
      return null;
    }
  }

  function eventMap() {
    var el = document.getElementById("event-map");
    if (!el || typeof L === "undefined") return;
    var lng = parseFloat(el.dataset.lng);
    var lat = parseFloat(el.dataset.lat);
    if (!isFinite(lng) || !isFinite(lat)) return;
    // The view first (the point): Leaflet's renderer cannot draw into a map without one.
    var map = window.shezhiBaseMap(el, {
      map: { scrollWheelZoom: false, attributionControl: Boolean(el.dataset.tileUrl) },
      center: [lat, lng],
      zoom: 16,
    });
    var boundary = parseJSON(el.dataset.boundary);
    var outline = boundary
      ? L.geoJSON(boundary, {
          style: { color: "#0b5c8a", weight: 2, fillColor: "#3d8fc4", fillOpacity: 0.12 },
          interactive: false,
        })
      : null;
    if (outline && outline.getBounds().isValid()) {
      map.fitBounds(outline.getBounds(), { padding: [12, 12], maxZoom: 17 });
    }
    if (outline) outline.addTo(map);
    L.circleMarker([lat, lng], {
      radius: 8,
      color: "#fff",
      weight: 2,
      fillColor: "#b4410b",
      fillOpacity: 1,
    }).addTo(map);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", eventMap);
  } else {
    eventMap();
  }
})();
