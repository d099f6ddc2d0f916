/* The area browser: children drawn on a Leaflet map, a tree that expands in place.
 *
 * Everything the script needs comes from data- attributes the page renders
 * (no inline script: the Content-Security-Policy forbids it). Area names are
 * always inserted as text, never as HTML.
 */
(function () {
  "use strict";

  var kit = window.shezhiKit;
  var fill = kit.fill;
  var el = kit.el;
  var getJSON = kit.getJSON;

  var CODE_SLOT = "__code__";

  function readI18n(el) {
    try {
      return JSON.parse(el.dataset.i18n || "{}");
    } catch (e) {
      return {};
    }
  }

  function urlFor(template, code) {
    return template.replace(CODE_SLOT, encodeURIComponent(code));
  }

  /* ---------- map ---------- */

  var STYLE = {
    general: {
      color: "#0b5c8a",
      weight: 1.5,
      opacity: 0.9,
      fillColor: "#3d8fc4",
      fillOpacity: 0.14,
    },
    dedicated: {
      color: "#b4410b",
      weight: 2,
      opacity: 1,
      dashArray: "5 3",
      fillColor: "#f28c28",
      fillOpacity: 0.4,
    },
    self: {
      color: "#0b5c8a",
      weight: 2,
      opacity: 1,
      fillColor: "#3d8fc4",
      fillOpacity: 0.2,
    },
  };

  var HIGHLIGHT = { weight: 3, fillOpacity: 0.45 };

  function isDedicated(feature) {
    return Boolean(feature && feature.properties && feature.properties.kind === "dedicated");
  }

  function styleFor(feature, self) {
    var base = self ? STYLE.self : isDedicated(feature) ? STYLE.dedicated : STYLE.general;
    var style = {};
    Object.keys(base).forEach(function (key) {
      style[key] = base[key];
    });
    var code = (feature && feature.properties && feature.properties.code) || "";
    style.className =
      "area-shape area-code-" +
      code +
      (self ? " area-self" : isDedicated(feature) ? " area-dedicated" : " area-child");
    return style;
  }

  function tooltipContent(props, i18n) {
    var box = el("div", "area-tip");
    box.appendChild(el("strong", null, props.name));
    var meta = (i18n.levels && i18n.levels[props.level]) || props.level || "";
    if (props.kind === "dedicated") {
      var type = i18n.dedicated_types && i18n.dedicated_types[props.dedicated_type];
      meta += " · " + (type || i18n.dedicated || "");
    }
    box.appendChild(el("span", null, meta));
    box.appendChild(el("code", null, props.code));
    return box;
  }

  function initMap(container) {
    if (!window.L) return null;
    var L = window.L;
    var i18n = readI18n(container);
    var areaUrl = container.dataset.areaUrl;
    var childrenUrl = container.dataset.boundariesUrl;
    var self = !childrenUrl;
    var url = childrenUrl || container.dataset.boundaryUrl;

    // Frame the area at once (its bbox is on the page); the shapes follow.
    var map = window.shezhiBaseMap(container, {
      map: { zoomSnap: 0.25, zoomDelta: 0.5 },
      padding: [12, 12],
      center: [0, 0],
      zoom: 2,
    });
    // Dedicated micro-grids sit inside general ones: draw them in a pane above.
    map.createPane("dedicated");
    map.getPane("dedicated").style.zIndex = 450;

    var layersByCode = {};
    container.dataset.state = "loading";

    function onEachFeature(feature, layer) {
      var props = feature.properties || {};
      layersByCode[props.code] = layer;
      layer.bindTooltip(tooltipContent(props, i18n), { sticky: true, direction: "top" });
      if (self) return;
      layer.on("click", function () {
        window.location.assign(urlFor(areaUrl, props.code));
      });
      layer.on("mouseover", function () {
        layer.setStyle(HIGHLIGHT);
      });
      layer.on("mouseout", function () {
        layer.setStyle(styleFor(feature, false));
      });
    }

    getJSON(url)
      .then(function (data) {
        var features = data.type === "FeatureCollection" ? data.features : [data];
        var general = features.filter(function (f) {
          return !isDedicated(f);
        });
        var dedicated = features.filter(isDedicated);
        var group = L.featureGroup().addTo(map);
        [
          [general, "overlayPane"],
          [dedicated, "dedicated"],
        ].forEach(function (pair) {
          if (!pair[0].length) return;
          L.geoJSON(
            { type: "FeatureCollection", features: pair[0] },
            {
              pane: pair[1],
              style: function (f) {
                return styleFor(f, self);
              },
              onEachFeature: onEachFeature,
            }
          ).addTo(group);
        });
        var bounds = group.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [12, 12] });
        }
        container.dataset.shapes = String(features.length);
        container.dataset.state = "ready";
      })
      .catch(function () {
        container.dataset.state = "error";
        var note = el("p", "map-error", i18n.load_failed || "");
        container.appendChild(note);
      });

    return {
      highlight: function (code, on) {
        var layer = layersByCode[code];
        if (!layer || self) return;
        layer.setStyle(on ? HIGHLIGHT : styleFor(layer.feature, false));
      },
    };
  }

  /* ---------- tree ---------- */

  function treeItem(area, ctx) {
    var dedicated = area.kind === "dedicated";
    var li = el("li", "tree-item" + (dedicated ? " is-dedicated" : ""));
    li.dataset.code = area.code;
    var row = el("div", "tree-row");
    if (area.children > 0) {
      var toggle = el("button", "tree-toggle");
      toggle.type = "button";
      toggle.dataset.code = area.code;
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-label", fill(ctx.i18n.expand, { name: area.name }));
      row.appendChild(toggle);
    } else {
      var leaf = el("span", "tree-leaf");
      leaf.setAttribute("aria-hidden", "true");
      row.appendChild(leaf);
    }
    var text = el("div", "tree-text");
    var link = el("a", "tree-link", area.name);
    link.href = urlFor(ctx.areaUrl, area.code);
    text.appendChild(link);
    var meta = el("span", "tree-meta");
    var level = (ctx.i18n.levels && ctx.i18n.levels[area.level]) || area.level;
    if (dedicated) {
      var type = ctx.i18n.dedicated_types && ctx.i18n.dedicated_types[area.dedicated_type];
      level += " · " + (type || ctx.i18n.dedicated || "");
    }
    meta.appendChild(el("span", "tree-level", level));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("code", null, area.code));
    if (area.children > 0) {
      meta.appendChild(document.createTextNode(" · "));
      var form = area.children === 1 ? ctx.i18n.subareas_one : ctx.i18n.subareas_other;
      meta.appendChild(el("span", "tree-count", fill(form, { n: area.children })));
    }
    text.appendChild(meta);
    row.appendChild(text);
    li.appendChild(row);
    return li;
  }

  function setExpanded(button, li, expanded, ctx) {
    var name = li.querySelector(".tree-link").textContent;
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    button.setAttribute(
      "aria-label",
      fill(expanded ? ctx.i18n.collapse : ctx.i18n.expand, { name: name })
    );
  }

  function toggleNode(button, ctx) {
    var li = button.closest(".tree-item");
    var sub = li.querySelector(":scope > .tree-children");
    var expanded = button.getAttribute("aria-expanded") === "true";
    if (expanded) {
      if (sub) sub.hidden = true;
      setExpanded(button, li, false, ctx);
      return;
    }
    if (sub) {
      sub.hidden = false;
      setExpanded(button, li, true, ctx);
      return;
    }
    if (li.classList.contains("is-loading")) return;
    li.classList.add("is-loading");
    var status = el("p", "tree-status", ctx.i18n.loading);
    status.setAttribute("role", "status");
    li.appendChild(status);
    getJSON(urlFor(ctx.childrenUrl, button.dataset.code))
      .then(function (areas) {
        status.remove();
        var list = el("ul", "tree tree-children");
        if (!areas.length) {
          list.appendChild(el("li", "tree-empty muted", ctx.i18n.empty));
        }
        areas.forEach(function (area) {
          list.appendChild(treeItem(area, ctx));
        });
        li.appendChild(list);
        setExpanded(button, li, true, ctx);
      })
      .catch(function () {
        status.textContent = ctx.i18n.load_failed;
        status.classList.add("is-error");
        window.setTimeout(function () {
          status.remove();
        }, 4000);
      })
      .finally(function () {
        li.classList.remove("is-loading");
      });
  }

  function initTree(tree, mapApi) {
    var ctx = {
      i18n: readI18n(tree),
      childrenUrl: tree.dataset.childrenUrl,
      areaUrl: tree.dataset.areaUrl,
    };
    tree.addEventListener("click", function (event) {
      var button = event.target.closest(".tree-toggle");
      if (button && tree.contains(button)) {
        event.preventDefault();
        toggleNode(button, ctx);
      }
    });
    if (!mapApi) return;
    // Pointing at a top-level row highlights its polygon on the map.
    Array.prototype.forEach.call(tree.children, function (li) {
      var code = li.dataset.code;
      var row = li.querySelector(".tree-row");
      if (!code || !row) return;
      row.addEventListener("mouseenter", function () {
        mapApi.highlight(code, true);
      });
      row.addEventListener("mouseleave", function () {
        mapApi.highlight(code, false);
      });
      row.addEventListener("focusin", function () {
        mapApi.highlight(code, true);
      });
      row.addEventListener("focusout", function () {
        mapApi.highlight(code, false);
      });
    });
  }

  function start() {
    var mapEl = document.getElementById("area-map");
    var mapApi = mapEl ? initMap(mapEl) : null;
    var tree = document.getElementById("area-tree");
    if (tree) initTree(tree, mapApi);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
