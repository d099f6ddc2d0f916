/* The command dashboard (驾驶舱) and its wall display.
 *
 * The page renders a shell; this script fetches data.json (the figures, the
 * KPIs, the parts of the area, the trend, the top categories, the red and
 * yellow lists) and draws it: figures as text, charts with ECharts, the parts
 * on a Leaflet map coloured by the chosen KPI, the event density from
 * heat.json on demand. On the wall display it fetches again every
 * data-refresh-seconds. Everything it needs comes from data- attributes (the
 * Content-Security-Policy forbids inline scripts); names are inserted as text.
 */
(function () {
  "use strict";

  var kit = window.shezhiKit;
  var readJSON = kit.readJSON;
  var fill = kit.fill;
  var el = kit.el;
  var clear = kit.clear;

  var CODE_SLOT = "__code__";
  var GREY = "#b8c0c8";
  // Good to bad, as the grades: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below.
  var STEPS = [0.9, 0.75, 0.6, 0.4];
  var GOOD_TO_BAD = ["#1a7f37", "#71b33c", "#e0b300", "#e8801a", "#c62828"];
  var COUNT_RAMP = ["#dbe9f6", "#a9cce8", "#6baed6", "#2f7ebc", "#0b4f8a"];
  var HEAT_RAMP = ["#fff3b0", "#fdcf6a", "#f99b3c", "#e8572a", "#b3171d"];

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(
        function (body) {
          if (!response.ok) {
            var error = new Error((body && body.detail) || "HTTP " + response.status);
            error.detail = body && body.detail;
            throw error;
          }
          return body;
        },
        function () {
          throw new Error("HTTP " + response.status);
        }
      );
    });
  }

  var root = document.getElementById("dashboard");
  if (!root || !root.dataset.dataUrl) return;

  var i18n = readJSON(root.dataset.i18n, {});
  var choices = readJSON(root.dataset.kpis, []);
  var wall = root.dataset.mode === "wall";
  var lang = document.documentElement.lang || undefined;
  var state = {
    kpi: root.dataset.kpi || "score",
    layer: "kpi",
    data: null,
    heat: null,
    loads: 0,
  };

  function choice(name) {
    for (var i = 0; i < choices.length; i++) {
      if (choices[i].name === name) return choices[i];
    }
    return { name: name, label: name, inverted: false, count: false };
  }

  /* ---------- numbers ---------- */

  function number(n) {
    if (n === null || n === undefined) return "—";
    return Number(n).toLocaleString(lang);
  }

  function percent(v) {
    if (v === null || v === undefined) return "—";
    return (v * 100).toFixed(1) + "%";
  }

  function formatKpi(name, v) {
    if (v === null || v === undefined) return "—";
    if (name === "score") return v.toFixed(1);
    if (/_rate$/.test(name)) return percent(v);
    if (/^handling_hours/.test(name)) return v.toFixed(1) + " h";
    return number(v);
  }

  function duration(minutes) {
    if (minutes < 60) return fill(i18n.minutes, { n: minutes });
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return fill(i18n.hours, { h: hours, m: minutes % 60 });
    return fill(i18n.days, { d: Math.floor(hours / 24), h: hours % 24 });
  }

  /* ---------- colours ---------- */

  // [0, 1]: how good a value is (1 - rate for the rates where lower is better).
  function goodness(name, v) {
    if (v === null || v === undefined) return null;
    if (name === "score") return v / 100;
    return choice(name).inverted ? 1 - v : v;
  }

  function countSteps(max) {
    // Five steps up to the largest count: 0 | 1–a | … | d–max.
    var top = Math.max(max, 1);
    return [0.2, 0.4, 0.6, 0.8].map(function (f) {
      return Math.max(1, Math.round(top * f));
    });
  }

  function colourFor(name, v, max) {
    if (choice(name).count) {
      if (v === null || v === undefined) return GREY;
      var steps = countSteps(max);
      var i = 0;
      while (i < steps.length && v > steps[i]) i++;
      return COUNT_RAMP[i];
    }
    var g = goodness(name, v);
    if (g === null) return GREY;
    for (var k = 0; k < STEPS.length; k++) {
      if (g >= STEPS[k] - 1e-9) return GOOD_TO_BAD[k];
    }
    return GOOD_TO_BAD[GOOD_TO_BAD.length - 1];
  }

  function legendRows(name, max) {
    var c = choice(name);
    if (c.count) {
      var steps = countSteps(max);
      var rows = [];
      var low = 0;
      for (var i = 0; i < COUNT_RAMP.length; i++) {
        var high = i < steps.length ? steps[i] : Math.max(max, 1);
        rows.push({ colour: COUNT_RAMP[i], text: number(low) + "–" + number(high) });
        low = high + 1;
        if (i >= steps.length) break;
      }
      return rows;
    }
    var out = [];
    var bounds = [100].concat(
      STEPS.map(function (s) {
        return Math.round(s * 100);
      })
    );
    bounds.push(0);
    for (var k = 0; k < GOOD_TO_BAD.length; k++) {
      var hi = bounds[k];
      var lo = bounds[k + 1];
      var text;
      if (name === "score") {
        text = k === 0 ? "≥ " + lo + " (A)" : lo + "–" + hi + " (" + "ABCDE"[k] + ")";
        if (k === GOOD_TO_BAD.length - 1) text = "< " + hi + " (E)";
      } else if (c.inverted) {
        text = 100 - hi + "–" + (100 - lo) + "%";
        if (k === 0) text = "≤ " + (100 - lo) + "%";
        if (k === GOOD_TO_BAD.length - 1) text = "> " + (100 - hi) + "%";
      } else {
        text = lo + "–" + hi + "%";
        if (k === 0) text = "≥ " + lo + "%";
        if (k === GOOD_TO_BAD.length - 1) text = "< " + hi + "%";
      }
      out.push({ colour: GOOD_TO_BAD[k], text: text });
    }
    out.push({ colour: GREY, text: i18n.nothing, key: "none" });
    return out;
  }

  /* ---------- links ---------- */

  function currentQuery() {
    var params = new URLSearchParams(window.location.search);
    params.delete("refresh");
    if (state.kpi && state.kpi !== "score") params.set("kpi", state.kpi);
    else params.delete("kpi");
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function dashboardUrl(code) {
    var template = root.dataset.dashboardUrl;
    if (!template) return "";
    return template.replace(CODE_SLOT, encodeURIComponent(code)) + currentQuery();
  }

  function withKpi(href) {
    var url = new URL(href, window.location.href);
    if (state.kpi && state.kpi !== "score") url.searchParams.set("kpi", state.kpi);
    else url.searchParams.delete("kpi");
    return url.pathname + url.search;
  }

  /* ---------- figures, tables, lists ---------- */

  function setFigure(name, text) {
    root.querySelectorAll('[data-figure="' + name + '"]').forEach(function (node) {
      node.textContent = text;
    });
  }

  function renderFigures(d) {
    var h = d.headline;
    setFigure("handled", number(h.handled));
    setFigure("closed", number(h.closed));
    setFigure("reported", number(h.reported));
    setFigure("completion_rate", percent(h.completion_rate));
    setFigure("satisfaction_rate", percent(h.satisfaction_rate));
    setFigure("score", formatKpi("score", h.score));
    setFigure("grade", h.grade || "");
    root.querySelectorAll('[data-figure="grade"]').forEach(function (node) {
      node.dataset.grade = h.grade || "";
    });
    setFigure("workforce_total", number(h.workforce.total));
    root.querySelectorAll('[data-figure="grids"]').forEach(function (list) {
      clear(list);
      if (!h.grids.length) list.appendChild(el("li", "muted", i18n.no_children));
      h.grids.forEach(function (g) {
        var li = el("li");
        li.dataset.level = g.key;
        li.appendChild(el("span", "row-label", g.label));
        var value = el("b", null, number(g.n));
        value.dataset.count = g.key;
        li.appendChild(value);
        if (g.key === "micro_grid" && h.dedicated_micro_grids !== null) {
          li.appendChild(
            el("span", "row-note", fill(i18n.dedicated, { n: number(h.dedicated_micro_grids) }))
          );
        }
        list.appendChild(li);
      });
    });
    root.querySelectorAll('[data-figure="workforce"]').forEach(function (list) {
      clear(list);
      h.workforce.force_types.forEach(function (f) {
        var li = el("li");
        li.appendChild(el("span", "row-label", f.label));
        var value = el("b", null, number(f.n));
        value.dataset.count = f.key;
        li.appendChild(value);
        list.appendChild(li);
      });
    });
  }

  function renderKpis(d) {
    root.querySelectorAll("[data-kpi-value]").forEach(function (node) {
      var name = node.dataset.kpiValue;
      node.textContent = formatKpi(name, d.kpis[name]);
      if (name === "score" && d.kpis.grade) node.textContent += " (" + d.kpis.grade + ")";
    });
  }

  function renderChildren(d) {
    var body = root.querySelector('[data-rows="children"]');
    if (!body) return;
    clear(body);
    var rows = d.children.slice();
    if (d.unassigned) {
      rows.push({ code: "", name: i18n.unassigned, kpis: d.unassigned, unassigned: true });
    }
    if (!rows.length) {
      var tr = el("tr");
      var td = el("td", "muted", i18n.no_children);
      td.colSpan = 5;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (child) {
      var tr = el("tr");
      tr.dataset.code = child.code;
      var name = el("td");
      var url = child.unassigned ? "" : dashboardUrl(child.code);
      if (url) {
        var a = el("a", "drill", child.name);
        a.href = url;
        a.dataset.code = child.code;
        name.appendChild(a);
      } else {
        name.textContent = child.name;
      }
      tr.appendChild(name);
      [
        ["score", child.kpis.score],
        ["completion_rate", child.kpis.completion_rate],
        ["satisfaction_rate", child.kpis.satisfaction_rate],
        ["reported", child.kpis.reported],
      ].forEach(function (pair) {
        var cell = el("td", "num", formatKpi(pair[0], pair[1]));
        if (pair[0] === "score" && child.kpis.grade) cell.textContent += " " + child.kpis.grade;
        cell.dataset.kpi = pair[0];
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
  }

  function renderList(name, list) {
    root.querySelectorAll('[data-list-total="' + name + '"]').forEach(function (node) {
      node.textContent = number(list.total) + (list.capped ? "+" : "");
    });
    root.querySelectorAll('[data-list="' + name + '"]').forEach(function (ol) {
      clear(ol);
      if (!list.rows.length) {
        ol.appendChild(el("li", "muted empty", i18n.no_events));
        return;
      }
      list.rows.forEach(function (row) {
        var li = el("li", "sla-row");
        li.dataset.event = row.id;
        var head = row.url ? el("a", "sla-link") : el("span", "sla-link");
        if (row.url) head.href = row.url;
        head.appendChild(el("span", "sla-number", row.number));
        head.appendChild(document.createTextNode(" "));
        head.appendChild(el("span", "sla-category", row.category));
        li.appendChild(head);
        var meta = el("span", "sla-meta");
        meta.appendChild(el("span", null, row.area));
        meta.appendChild(document.createTextNode(" · "));
        var when = el(
          "span",
          "sla-when",
          fill(name === "red" ? i18n.overdue_by : i18n.left, { time: duration(row.minutes) })
        );
        meta.appendChild(when);
        li.appendChild(meta);
        ol.appendChild(li);
      });
      if (list.total > list.rows.length) {
        ol.appendChild(
          el("li", "muted more", fill(i18n.more, { shown: list.rows.length, total: list.total }))
        );
      }
    });
  }

  /* ---------- the charts' figures as tables (in <details>, beside each chart) ---------- */

  function tableRows(name, rows) {
    root.querySelectorAll('[data-table-rows="' + name + '"]').forEach(function (body) {
      clear(body);
      if (!rows.length) {
        var tr = el("tr");
        var td = el("td", "muted", i18n.no_events);
        td.colSpan = 5;
        tr.appendChild(td);
        body.appendChild(tr);
        return;
      }
      rows.forEach(function (cells) {
        var tr = el("tr");
        cells.forEach(function (text, i) {
          var cell = i === 0 ? el("th", null, text) : el("td", "num", text);
          if (i === 0) cell.scope = "row";
          tr.appendChild(cell);
        });
        body.appendChild(tr);
      });
    });
  }

  function trendTable(d) {
    tableRows(
      "trend",
      d.trend.points.map(function (p) {
        return [
          d.trend.monthly ? p.date.slice(0, 7) : p.date,
          number(p.reported),
          number(p.closed),
          percent(p.completion_rate),
          percent(p.satisfaction_rate),
        ];
      })
    );
  }

  function rankingTable(rows, name) {
    root.querySelectorAll("[data-kpi-heading]").forEach(function (th) {
      th.textContent = choice(name).label;
    });
    tableRows(
      "ranking",
      rows.map(function (child) {
        return [child.name, formatKpi(name, kpiValue(child, name))];
      })
    );
  }

  function categoriesTable(d) {
    tableRows(
      "categories",
      d.top_categories.map(function (r) {
        return [r["class"] ? r.name + "（" + r["class"] + "）" : r.name, number(r.n)];
      })
    );
  }

  /* ---------- charts ---------- */

  var charts = {};
  var fontSize = 12;

  // The wall's type follows the screen: 13 px at 1366 wide, 18 px at 1920 and up.
  function wallFont() {
    return Math.round(Math.max(13, Math.min(18, window.innerWidth / 106)));
  }
  if (wall) fontSize = wallFont();

  var measurer = null;

  // The widest of ``texts`` at ``size`` px, in px (for the room a bar's value label needs).
  function textWidth(texts, size) {
    if (!measurer) measurer = document.createElement("canvas").getContext("2d");
    var family = window.getComputedStyle(document.body).fontFamily || "sans-serif";
    measurer.font = size + "px " + family;
    var widest = 0;
    texts.forEach(function (t) {
      widest = Math.max(widest, measurer.measureText(String(t)).width);
    });
    return Math.ceil(widest);
  }

  // A font size at which ``rows`` category labels each get their own line in the chart.
  function rowFont(name, rows) {
    var node = root.querySelector('[data-chart="' + name + '"]');
    var height = node ? node.clientHeight : 0;
    if (!rows || !height) return fontSize;
    var per = (height - 3 * fontSize) / rows; // less the value axis below
    return Math.max(9, Math.min(fontSize, Math.floor(per * 0.8)));
  }

  function chart(name) {
    var node = root.querySelector('[data-chart="' + name + '"]');
    if (!node || !window.echarts) return null;
    if (!charts[name]) charts[name] = window.echarts.init(node, null, { renderer: "svg" });
    return charts[name];
  }

  function axisLabel() {
    return { fontSize: fontSize, color: wall ? "#c9d6e3" : "#52606d" };
  }

  function pct(v) {
    return v === null || v === undefined ? null : Math.round(v * 1000) / 10;
  }

  function drawTrend(d) {
    trendTable(d);
    var c = chart("trend");
    if (!c) return;
    var pts = d.trend.points;
    var labels = pts.map(function (p) {
      return d.trend.monthly ? p.date.slice(0, 7) : p.date.slice(5);
    });
    var text = wall ? "#e8eef5" : "#1d2733";
    c.setOption(
      {
        animation: !wall,
        textStyle: { fontSize: fontSize },
        tooltip: { trigger: "axis" },
        legend: { top: 0, type: "scroll", textStyle: { fontSize: fontSize, color: text } },
        grid: { left: 8, right: 8, top: wall ? 48 : 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: labels, axisLabel: axisLabel() },
        yAxis: [
          { type: "value", minInterval: 1, splitNumber: wall ? 3 : 5, axisLabel: axisLabel() },
          {
            type: "value",
            min: 0,
            max: 100,
            splitNumber: wall ? 2 : 5,
            axisLabel: Object.assign(axisLabel(), { formatter: "{value}%" }),
            splitLine: { show: false },
          },
        ],
        series: [
          {
            name: i18n.reported,
            type: "bar",
            barMaxWidth: 32,
            data: pts.map(function (p) { return p.reported; }),
            itemStyle: { color: "#6baed6" },
          },
          {
            name: i18n.closed,
            type: "bar",
            barMaxWidth: 32,
            data: pts.map(function (p) { return p.closed; }),
            itemStyle: { color: "#1a7f37" },
          },
          {
            name: i18n.completion_rate,
            type: "line",
            yAxisIndex: 1,
            connectNulls: false,
            data: pts.map(function (p) { return pct(p.completion_rate); }),
            itemStyle: { color: "#b4410b" },
          },
          {
            name: i18n.satisfaction_rate,
            type: "line",
            yAxisIndex: 1,
            connectNulls: false,
            data: pts.map(function (p) { return pct(p.satisfaction_rate); }),
            itemStyle: { color: "#7b3fa0" },
          },
        ],
      },
      true
    );
  }

  function kpiValue(child, name) {
    return child.kpis[name];
  }

  function maxOf(name) {
    var max = 0;
    (state.data ? state.data.children : []).forEach(function (child) {
      var v = kpiValue(child, name);
      if (typeof v === "number" && v > max) max = v;
    });
    return max;
  }

  function drawRanking(d) {
    var name = state.kpi;
    var c = chart("ranking");
    var isCount = choice(name).count;
    var max = maxOf(name);
    var rows = d.children
      .filter(function (child) {
        return kpiValue(child, name) !== null && kpiValue(child, name) !== undefined;
      })
      .sort(function (a, b) {
        var ga = isCount ? kpiValue(a, name) : goodness(name, kpiValue(a, name));
        var gb = isCount ? kpiValue(b, name) : goodness(name, kpiValue(b, name));
        return ga - gb; // worst at the bottom of the axis, best on top
      });
    rankingTable(rows.slice().reverse(), name);
    if (!c) return;
    var scale = function (v) {
      if (name === "score" || isCount) return v;
      return pct(v);
    };
    var valueText = function (v) {
      if (isCount) return number(v);
      return name === "score" ? v.toFixed(1) : v.toFixed(1) + "%";
    };
    // Every part named on its own line; every value label whole beside its bar.
    var size = rowFont("ranking", rows.length);
    var room = textWidth(rows.map(function (child) {
      return valueText(scale(kpiValue(child, name)));
    }), size) + 12;
    c.setOption(
      {
        animation: !wall,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: Math.max(room, 24), top: 8, bottom: 8, containLabel: true },
        xAxis: {
          type: "value",
          max: isCount ? null : 100,
          splitNumber: wall ? 3 : 5,
          axisLabel: Object.assign(axisLabel(), {
            hideOverlap: true,
            formatter: name === "score" || isCount ? "{value}" : "{value}%",
          }),
        },
        yAxis: {
          type: "category",
          data: rows.map(function (child) { return child.name; }),
          axisLabel: Object.assign(axisLabel(), { interval: 0, fontSize: size }),
        },
        series: [
          {
            name: choice(name).label,
            type: "bar",
            barMaxWidth: wall ? 40 : 24,
            data: rows.map(function (child) {
              var v = kpiValue(child, name);
              return { value: scale(v), itemStyle: { color: colourFor(name, v, max) } };
            }),
            label: {
              show: true,
              position: "right",
              fontSize: size,
              color: wall ? "#e8eef5" : "#1d2733",
              formatter: function (p) {
                return valueText(p.value);
              },
            },
          },
        ],
      },
      true
    );
  }

  function drawCategories(d) {
    categoriesTable(d);
    var c = chart("categories");
    if (!c) return;
    var rows = d.top_categories.slice().reverse();
    var size = rowFont("categories", rows.length);
    var room = textWidth(rows.map(function (r) { return number(r.n); }), size) + 12;
    c.setOption(
      {
        animation: !wall,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: Math.max(room, 24), top: 8, bottom: 8, containLabel: true },
        xAxis: {
          type: "value",
          minInterval: 1,
          splitNumber: wall ? 3 : 5,
          axisLabel: Object.assign(axisLabel(), { hideOverlap: true }),
        },
        yAxis: {
          type: "category",
          data: rows.map(function (r) { return r.name; }),
          axisLabel: Object.assign(axisLabel(), { interval: 0, fontSize: size }),
        },
        series: [
          {
            name: i18n.events,
            type: "bar",
            barMaxWidth: wall ? 40 : 24,
            data: rows.map(function (r) { return r.n; }),
            itemStyle: { color: "#0b5c8a" },
            label: {
              show: true,
              position: "right",
              fontSize: size,
              color: wall ? "#e8eef5" : "#1d2733",
              formatter: function (p) { return number(p.value); },
            },
          },
        ],
      },
      true
    );
  }

  function resizeCharts() {
    Object.keys(charts).forEach(function (k) {
      charts[k].resize();
    });
  }

  /* ---------- map ---------- */

  var map = null;
  var shapes = null; // the parts (or the area itself), as one GeoJSON layer
  var heatLayer = null;
  var mapNode = document.getElementById("dash-map");
  var legend = document.getElementById("dash-legend");
  var drill = Boolean(root.dataset.boundariesUrl) && Boolean(root.dataset.dashboardUrl);

  function childByCode(code) {
    if (!state.data) return null;
    for (var i = 0; i < state.data.children.length; i++) {
      if (state.data.children[i].code === code) return state.data.children[i];
    }
    return null;
  }

  function valueFor(feature) {
    var code = feature.properties && feature.properties.code;
    if (!root.dataset.boundariesUrl) return state.data ? state.data.kpis[state.kpi] : null;
    var child = childByCode(code);
    return child ? kpiValue(child, state.kpi) : null;
  }

  function shapeStyle(feature) {
    var code = (feature.properties && feature.properties.code) || "";
    var heat = state.layer === "heat";
    var colour = colourFor(state.kpi, valueFor(feature), maxOf(state.kpi));
    return {
      color: heat ? "#0b5c8a" : "#ffffff",
      weight: heat ? 1.5 : 1.5,
      opacity: 1,
      fillColor: colour,
      fillOpacity: heat ? 0 : 0.75,
      className: "dash-shape area-code-" + code,
    };
  }

  function tooltip(feature) {
    var props = feature.properties || {};
    var box = el("div", "area-tip");
    box.appendChild(el("strong", null, props.name));
    var value = valueFor(feature);
    box.appendChild(
      el("span", null, choice(state.kpi).label + ": " + formatKpi(state.kpi, value))
    );
    return box;
  }

  function restyle() {
    if (!shapes) return;
    shapes.eachLayer(function (layer) {
      layer.setStyle(shapeStyle(layer.feature));
      var path = layer.getElement && layer.getElement();
      if (path) {
        path.setAttribute("data-code", layer.feature.properties.code);
        path.setAttribute("data-fill", shapeStyle(layer.feature).fillColor);
      }
      layer.setTooltipContent(tooltip(layer.feature));
    });
  }

  function drawLegend() {
    if (!legend) return;
    clear(legend);
    var rows;
    if (state.layer === "heat") {
      var max = state.heat ? state.heat.max : 0;
      if (!max) {
        legend.appendChild(el("li", "muted", i18n.no_density));
        return;
      }
      var title = state.heat.resolution === "micro_grid" ? i18n.density_micro_grid : i18n.density;
      legend.appendChild(el("li", "legend-title", title));
      rows = HEAT_RAMP.map(function (colour, i) {
        var lo = Math.max(1, Math.ceil((max * i) / HEAT_RAMP.length));
        var hi = Math.max(lo, Math.ceil((max * (i + 1)) / HEAT_RAMP.length));
        return { colour: colour, text: lo === hi ? number(lo) : number(lo) + "–" + number(hi) };
      });
    } else {
      legend.appendChild(el("li", "legend-title", choice(state.kpi).label));
      rows = legendRows(state.kpi, maxOf(state.kpi));
    }
    rows.forEach(function (row) {
      var li = el("li");
      if (row.key) li.dataset.legend = row.key;
      var swatch = el("span", "swatch");
      swatch.style.background = row.colour;
      swatch.setAttribute("aria-hidden", "true");
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(row.text));
      legend.appendChild(li);
    });
  }

  function initMap() {
    if (!mapNode || !window.L) return;
    var L = window.L;
    map = window.shezhiBaseMap(mapNode, {
      source: root,
      map: {
        zoomSnap: 0.25,
        zoomDelta: 0.5,
        preferCanvas: false,
        zoomControl: !wall,
        attributionControl: Boolean(root.dataset.tileUrl),
      },
      padding: [8, 8],
    });
    map.createPane("heat");
    map.getPane("heat").style.zIndex = 390; // under the shapes' outlines (overlayPane: 400)
    mapNode.dataset.state = "loading";
    var url = root.dataset.boundariesUrl || root.dataset.boundaryUrl;
    getJSON(url)
      .then(function (geo) {
        var features = geo.type === "FeatureCollection" ? geo.features : [geo];
        // Dedicated micro-grids sit inside general ones: draw them last, on top.
        features.sort(function (a, b) {
          var da = a.properties && a.properties.kind === "dedicated" ? 1 : 0;
          var db = b.properties && b.properties.kind === "dedicated" ? 1 : 0;
          return da - db;
        });
        shapes = L.geoJSON(
          { type: "FeatureCollection", features: features },
          {
            style: shapeStyle,
            onEachFeature: function (feature, layer) {
              layer.bindTooltip(tooltip(feature), { sticky: true, direction: "top" });
              if (!drill) return;
              layer.on("click", function () {
                window.location.assign(dashboardUrl(feature.properties.code));
              });
              layer.on("mouseover", function () {
                layer.setStyle({ weight: 3 });
              });
              layer.on("mouseout", function () {
                layer.setStyle({ weight: 1.5 });
              });
            },
          }
        ).addTo(map);
        var bounds = shapes.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
        mapNode.dataset.shapes = String(features.length);
        mapNode.dataset.state = "ready";
        if (drill) mapNode.classList.add("can-drill");
        restyle();
      })
      .catch(function () {
        mapNode.dataset.state = "error";
        mapNode.appendChild(el("p", "map-error", i18n.load_failed));
      });
  }

  function drawHeat() {
    if (!map || !state.heat) return;
    var L = window.L;
    if (heatLayer) map.removeLayer(heatLayer);
    var renderer = L.canvas({ pane: "heat" });
    heatLayer = L.layerGroup();
    var h = state.heat;
    h.cells.forEach(function (cell) {
      var share = cell[2] / Math.max(h.max, 1);
      var i = Math.min(HEAT_RAMP.length - 1, Math.floor(share * HEAT_RAMP.length - 1e-9));
      L.rectangle(
        [
          [cell[0], cell[1]],
          [cell[0] + h.cell.lat, cell[1] + h.cell.lng],
        ],
        {
          renderer: renderer,
          pane: "heat",
          stroke: false,
          fillColor: HEAT_RAMP[Math.max(i, 0)],
          fillOpacity: 0.35 + 0.5 * share,
          interactive: false,
        }
      ).addTo(heatLayer);
    });
    heatLayer.addTo(map);
    mapNode.dataset.heatCells = String(h.cells.length);
  }

  function setLayer(layer) {
    state.layer = layer;
    if (layer === "heat") {
      var url = root.dataset.heatUrl;
      var load = state.heat ? Promise.resolve(state.heat) : getJSON(url);
      mapNode.dataset.heat = "loading";
      load
        .then(function (h) {
          state.heat = h;
          if (state.layer !== "heat") return;
          drawHeat();
          restyle();
          drawLegend();
          mapNode.dataset.heat = "ready";
        })
        .catch(function () {
          mapNode.dataset.heat = "error";
        });
    } else {
      if (heatLayer && map) map.removeLayer(heatLayer);
      restyle();
      drawLegend();
    }
  }

  /* ---------- loading ---------- */

  var errorNote = root.querySelector('[data-testid="load-error"]');

  function render(d) {
    state.data = d;
    renderFigures(d);
    renderKpis(d);
    renderChildren(d);
    renderList("red", d.red);
    renderList("yellow", d.yellow);
    drawTrend(d);
    drawRanking(d);
    drawCategories(d);
    restyle();
    drawLegend();
    var stamp = root.querySelector("[data-updated]");
    if (stamp) stamp.textContent = fill(i18n.updated, { time: d.generated_at.slice(11, 19) });
  }

  function load() {
    root.setAttribute("aria-busy", "true");
    return getJSON(root.dataset.dataUrl)
      .then(function (d) {
        render(d);
        state.loads += 1;
        root.dataset.loads = String(state.loads);
        root.dataset.state = "ready";
        if (errorNote) errorNote.hidden = true;
      })
      .catch(function (error) {
        root.dataset.state = "error";
        if (errorNote) {
          errorNote.textContent = error.detail || i18n.load_failed;
          errorNote.hidden = false;
        }
      })
      .then(function () {
        root.removeAttribute("aria-busy");
      });
  }

  function scheduleRefresh() {
    var seconds = parseFloat(root.dataset.refreshSeconds);
    if (!(seconds > 0)) return;
    window.setTimeout(function () {
      load().then(function () {
        root.dataset.refreshes = String(Number(root.dataset.refreshes || 0) + 1);
        scheduleRefresh();
      });
    }, seconds * 1000);
  }

  /* ---------- controls ---------- */

  var kpiSelect = document.getElementById("dash-kpi");
  if (kpiSelect) {
    kpiSelect.addEventListener("change", function () {
      state.kpi = kpiSelect.value;
      root.dataset.kpi = state.kpi;
      if (state.data) {
        drawRanking(state.data);
        renderChildren(state.data);
      }
      restyle();
      drawLegend();
      // Keep the choice in the address and in every link that carries the period.
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname + currentQuery());
      }
      root.querySelectorAll(".period-preset, .crumbs a, [data-testid=wall-link]").forEach(
        function (a) {
          a.setAttribute("href", withKpi(a.getAttribute("href")));
        }
      );
      var hidden = root.querySelector('.dash-period input[name="kpi"]');
      if (!hidden) {
        hidden = el("input");
        hidden.type = "hidden";
        hidden.name = "kpi";
        var form = root.querySelector(".dash-period .period-custom");
        if (form) form.appendChild(hidden);
      }
      hidden.value = state.kpi;
    });
  }
  root.querySelectorAll('input[name="layer"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) setLayer(radio.value);
    });
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      if (wall) fontSize = wallFont();
      resizeCharts();
      if (state.data) {
        drawTrend(state.data);
        drawRanking(state.data);
        drawCategories(state.data);
      }
      if (map) map.invalidateSize();
    }, 150);
  });

  initMap();
  load().then(function () {
    if (wall) scheduleRefresh();
  });
})();
