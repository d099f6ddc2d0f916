/*
 * One base map for every page that shows one: the vendored Leaflet, the configured
 * tiles (SHEZHI_TILE_URL; without them a plain background, class "no-tiles"), framed
 * on the page's bbox ("lat,lng,lat,lng" in data-bbox) or else centred on
 * options.center at options.zoom.
 *
 *   shezhiBaseMap(node, {source, map, padding, center, zoom})
 *     source   the element whose data-tile-url / data-tile-attribution / data-bbox
 *              apply (default: node itself)
 *     map      Leaflet map options over { zoomSnap: 0.5 }
 *     padding  [x, y] pixels around the bbox
 *
 * Every map's attribution starts with the configured prefix (SHEZHI_MAP_ATTRIBUTION_PREFIX,
 * plain text, from <body data-map-attribution-prefix>; default "Leaflet", no flag), and
 * its zoom buttons are named in the page's language (<body data-map-zoom-in/-out>).
 */
(function () {
  "use strict";

  function bodyData(name) {
    return (document.body && document.body.dataset[name]) || "";
  }

  function chinese() {
    return /^zh/i.test(document.documentElement.lang || "");
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  window.shezhiBaseMap = function (node, options) {
    var o = options || {};
    var data = (o.source || node).dataset;
    var L = window.L;
    var mapOptions = Object.assign({ zoomSnap: 0.5 }, o.map || {});
    var zoomControl = mapOptions.zoomControl !== false;
    mapOptions.zoomControl = false;
    var map = L.map(node, mapOptions);
    if (zoomControl) {
      L.control
        .zoom({
          zoomInTitle: bodyData("mapZoomIn") || (chinese() ? "放大" : "Zoom in"),
          zoomOutTitle: bodyData("mapZoomOut") || (chinese() ? "缩小" : "Zoom out"),
        })
        .addTo(map);
    }
    if (map.attributionControl) {
      var prefix = document.body && "mapAttributionPrefix" in document.body.dataset
        ? document.body.dataset.mapAttributionPrefix
        : "Leaflet";
      map.attributionControl.setPrefix(prefix ? escapeHtml(prefix) : false);
    }
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(
        map
      );
    } else {
      node.classList.add("no-tiles");
    }
    var bbox = (data.bbox || "").split(",").map(Number);
    if (data.bbox && bbox.length === 4 && bbox.every(isFinite)) {
      map.fitBounds(
        [
          [bbox[0], bbox[1]],
          [bbox[2], bbox[3]],
        ],
        o.padding ? { padding: o.padding } : {}
      );
    } else {
      map.setView(o.center || [30.7, 104.1], o.zoom || 10);
    }
    return map;
  };
})();
