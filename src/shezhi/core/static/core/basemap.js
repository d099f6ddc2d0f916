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
 */
(function () {
  "use strict";

  window.shezhiBaseMap = function (node, options) {
    var o = options || {};
    var data = (o.source || node).dataset;
    var L = window.L;
    var map = L.map(node, Object.assign({ zoomSnap: 0.5 }, o.map || {}));
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
