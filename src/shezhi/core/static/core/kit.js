/*
 * The page scripts' shared helpers, loaded (deferred) by core/base.html before every
 * page's own scripts, which read them from window.shezhiKit:
 *
 *   readJSON(text, fallback)   JSON from a data- attribute, or fallback when it is not JSON
 *   fill(template, values)     "%(name)s" slots filled, as Django's translations write them
 *   el(tag, className, text)   a new element; text is inserted as text, never HTML
 *   clear(node)                remove every child
 *   round6(value)              degrees to six decimals (about 0.1 m)
 *   getJSON(url)               fetch JSON from this site (cookies sent); rejects on non-2xx
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

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function round6(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status + " for " + url);
      }
      return response.json();
    });
  }

  window.shezhiKit = {
    readJSON: readJSON,
    fill: fill,
    el: el,
    clear: clear,
    round6: round6,
    getJSON: getJSON,
  };
})();
