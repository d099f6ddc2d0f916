/*
 * One map point picker for every form that places a point (the event report and spot
 * forms, the service post form): tap the small map, or "use my location"; the point goes
 * into the form's hidden lng/lat inputs (WGS84, six decimals) and a readout says what
 * happened. Needs core/kit.js, core/basemap.js and the vendored Leaflet (all deferred,
 * in that order). Without scripts the forms still work (the server asks for a point).
 *
 *   var picker = shezhiPointPicker(form, {
 *     container,      the map element; data-point="lng,lat" is the initial point,
 *                     data-outlines a JSON list of GeoJSON URLs drawn for orientation
 *     readout,        where messages are said (role=status in the page)
 *     locateButton,   "use my location" (optional)
 *     clearButton,    "clear the point" (optional; hidden while there is none)
 *     i18n,           texts: placed, cleared, locating, located (%(m)s metres),
 *                     denied, timeout, unavailable, unsupported
 *     style,          the marker's Leaflet circleMarker options
 *     map,            shezhiBaseMap options (center, zoom when there is no bbox)
 *   });
 *   picker.map, picker.setPoint(lng, lat, {pan, message}), picker.clearPoint()
 *
 *   shezhiPointPicker.locate(i18n, say, done)   the browser's position, once: done(coords),
 *                                               or a message said on refusal
 */
(function () {
  "use strict";

  var kit = window.shezhiKit;

  var OUTLINE_STYLE = {
    color: "#0b5c8a",
    weight: 2,
    opacity: 0.8,
    fillColor: "#3d8fc4",
    fillOpacity: 0.06,
    interactive: false,
  };

  function locate(i18n, say, done) {
    if (!("geolocation" in navigator)) {
      say(i18n.unsupported || "");
      return false;
    }
    say(i18n.locating || "");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        done(position.coords);
      },
      function (error) {
        var key = error.code === 1 ? "denied" : error.code === 3 ? "timeout" : "unavailable";
        say(i18n[key] || "");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
    return true;
  }

  function parsePoint(text) {
    var parts = String(text || "").split(",");
    if (parts.length !== 2) return null;
    var lng = Number(parts[0]);
    var lat = Number(parts[1]);
    if (parts[0] === "" || parts[1] === "" || !isFinite(lng) || !isFinite(lat)) return null;
    return [lng, lat];
  }

  function picker(form, options) {
    var o = options || {};
    var i18n = o.i18n || {};
    var lngInput = form.querySelector("input[name=lng]");
    var latInput = form.querySelector("input[name=lat]");
    var container = o.container;
    var readout = o.readout;
    var clearButton = o.clearButton;
    var locateButton = o.locateButton;
    var map = null;
    var marker = null;

    function say(text) {
      if (readout) readout.textContent = text;
    }

    function setPoint(lng, lat, opts) {
      opts = opts || {};
      lngInput.value = String(kit.round6(lng));
      latInput.value = String(kit.round6(lat));
      form.dataset.point = lngInput.value + "," + latInput.value;
      if (clearButton) clearButton.hidden = false;
      if (map) {
        var at = [lat, lng];
        if (marker) {
          marker.setLatLng(at);
        } else {
          marker = window.L.circleMarker(at, o.style || {}).addTo(map);
        }
        if (opts.pan) map.setView(at, Math.max(map.getZoom(), 16));
      }
      say(opts.message || lngInput.value + ", " + latInput.value + " · " + (i18n.placed || ""));
    }

    function clearPoint() {
      lngInput.value = "";
      latInput.value = "";
      delete form.dataset.point;
      if (marker && map) map.removeLayer(marker);
      marker = null;
      if (clearButton) clearButton.hidden = true;
      say(i18n.cleared || "");
    }

    if (container && window.L) {
      var L = window.L;
      map = window.shezhiBaseMap(container, o.map || {});
      kit.readJSON(container.dataset.outlines, []).forEach(function (url) {
        kit
          .getJSON(url)
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

    var initial = parsePoint(container ? container.dataset.point : "");
    if (initial) {
      setPoint(initial[0], initial[1], {
        pan: true,
        message: container.dataset.point.split(",").join(", "),
      });
    }

    if (clearButton) clearButton.addEventListener("click", clearPoint);

    if (locateButton) {
      locateButton.addEventListener("click", function () {
        function said(text) {
          locateButton.disabled = false;
          say(text);
        }
        var asked = locate(i18n, said, function (c) {
          locateButton.disabled = false;
          setPoint(c.longitude, c.latitude, {
            pan: true,
            message:
              kit.round6(c.longitude) +
              ", " +
              kit.round6(c.latitude) +
              " · " +
              kit.fill(i18n.located, { m: Math.max(1, Math.round(c.accuracy || 0)) }),
          });
        });
        if (asked) locateButton.disabled = true;
      });
    }

    if (container && map) container.dataset.state = "ready";
    return { map: map, setPoint: setPoint, clearPoint: clearPoint };
  }

  picker.locate = locate;
  picker.parsePoint = parsePoint;
  window.shezhiPointPicker = picker;
})();
