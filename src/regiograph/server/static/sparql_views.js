// Result views of the SPARQL editor besides YASR's table: a map of WKT geometries (Leaflet,
// as on the resource pages) and a line chart of numeric series over a year or period (plain
// SVG). sparql.js registers them and, after each answer, shows the view that fits it.
window.regiographSparqlViews = (function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var WKT_TYPE = "http://www.opengis.net/ont/geosparql#wktLiteral";
  var WKT_TEXT = /^\s*(<[^>]*>\s*)?(MULTI)?(POINT|LINESTRING|POLYGON)\s*(Z|M|ZM)?\s*\(/i;
  var GEOJSON_TYPES = {
    POINT: "Point", LINESTRING: "LineString", POLYGON: "Polygon", MULTIPOINT: "MultiPoint",
    MULTILINESTRING: "MultiLineString", MULTIPOLYGON: "MultiPolygon"
  };
  // Columns whose numbers are points in time: the x axis of a line chart.
  var TIME_COLUMN = /(year|jahr|period|zeitraum|date|datum|month|monat)$/i;
  var TIME_TYPES = /#(gYear|date|dateTime|gYearMonth)$/;
  var MAX_SERIES = 8;
  var texts = {};
  var page = {};  // tiles and attribution, from the page

  function isWkt(binding) {
    return !!binding && binding.type === "literal" &&
      (binding.datatype === WKT_TYPE || WKT_TEXT.test(binding.value));
  }
  function variables(results) {
    return results && results.getVariables ? results.getVariables() || [] : [];
  }
  function rows(results) {
    return results && results.getBindings ? results.getBindings() || [] : [];
  }
  function wktColumns(results) {
    var bindings = rows(results);
    return variables(results).filter(function (name) {
      return bindings.some(function (row) { return isWkt(row[name]); });
    });
  }

  // WKT (with an optional CRS IRI in front, as GeoSPARQL writes it) as GeoJSON, or null.
  function geometry(text) {
    var match = /^\s*(?:<[^>]*>\s*)?([A-Za-z]+)\s*(?:ZM|Z|M)?\s*(\(.*\))\s*$/.exec(text);
    var type = match && GEOJSON_TYPES[match[1].toUpperCase()];
    if (!type) return null;
    var json = match[2].replace(/\(/g, "[").replace(/\)/g, "]")
      .replace(/(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)(?:\s+-?[\d.eE+-]+)*/g,
        "[$1,$2]");
    var coordinates;
    try { coordinates = JSON.parse(json); } catch (e) { return null; }
    if (type === "Point") coordinates = coordinates[0];
    if (type === "MultiPoint") {
      coordinates = coordinates.map(function (c) { return Array.isArray(c[0]) ? c[0] : c; });
    }
    return { type: type, coordinates: coordinates };
  }
  function label(row, names) {
    for (var i = 0; i < names.length; i++) {
      var b = row[names[i]];
      if (b && b.type === "literal" && !isWkt(b)) return b.value;
    }
    for (var j = 0; j < names.length; j++) {
      if (row[names[j]] && row[names[j]].type === "uri") return row[names[j]].value;
    }
    return "";
  }

  function MapView(yasr) {
    this.yasr = yasr;
    this.priority = 4;
    this.label = texts.map || "Map";
  }
  MapView.prototype.canHandleResults = function () {
    return typeof L !== "undefined" && wktColumns(this.yasr.results).length > 0;
  };
  MapView.prototype.getIcon = function () { return icon("⌖"); };
  MapView.prototype.draw = function () {
    var target = this.yasr.resultsEl;
    target.innerHTML = "";
    var element = document.createElement("div");
    element.className = "sparql-map";
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", texts.map || "Map");
    target.appendChild(element);
    var map = L.map(element, { scrollWheelZoom: false });
    if (page.tiles) {
      L.tileLayer(page.tiles, { maxZoom: 18, attribution: page.attribution || "" }).addTo(map);
    }
    var columns = wktColumns(this.yasr.results), names = variables(this.yasr.results);
    var bounds = L.latLngBounds([]);
    rows(this.yasr.results).forEach(function (row) {
      columns.forEach(function (column) {
        var shape = isWkt(row[column]) && geometry(row[column].value);
        if (!shape) return;
        var layer = L.geoJSON(shape, {
          style: { color: "#0b5cad", weight: 2, fillOpacity: 0.2 },
          pointToLayer: function (_feature, at) {
            return L.circleMarker(at, { radius: 6, color: "#fff", weight: 2,
              fillColor: "#0b5cad", fillOpacity: 0.9 });
          }
        }).addTo(map);
        var name = label(row, names);
        if (name) layer.bindTooltip(name);  // text, never HTML
        bounds.extend(layer.getBounds());
      });
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    else map.setView([49.5, 8.6], 8);
    element.dataset.drawn = "true";
  };

  function numeric(binding) {
    return !!binding && binding.type === "literal" && binding.value !== "" &&
      isFinite(Number(binding.value));
  }
  function isTime(name, bindings) {
    return bindings.every(function (row) {
      var b = row[name];
      return b && b.type === "literal" && (TIME_TYPES.test(b.datatype || "") ||
        (TIME_COLUMN.test(name) && /^\d{4}/.test(b.value)));
    });
  }
  // x: a year or period column; y: the first other numeric column; series: a text or IRI
  // column if there is one (one line each, the largest MAX_SERIES by their last value).
  function lineColumns(results) {
    var names = variables(results), bindings = rows(results);
    if (bindings.length < 2 || bindings.length > 5000) return null;
    var x = names.filter(function (n) { return isTime(n, bindings); })[0];
    if (!x) return null;
    var y = names.filter(function (n) {
      return n !== x && bindings.every(function (row) { return numeric(row[n]); });
    })[0];
    if (!y) return null;
    var series = names.filter(function (n) {
      return n !== x && n !== y && bindings.every(function (row) {
        return row[n] && !numeric(row[n]);
      });
    })[0] || null;
    return { x: x, y: y, series: series, rows: bindings };
  }
  function shortName(binding) {
    if (!binding) return "";
    if (binding.type !== "uri") return binding.value;
    return binding.value.replace(/[/#]+$/, "").split(/[/#]/).pop() || binding.value;
  }
  function lines(columns) {
    var byName = {};
    columns.rows.forEach(function (row) {
      var name = columns.series ? shortName(row[columns.series]) : columns.y;
      (byName[name] = byName[name] || []).push({
        x: parseFloat(row[columns.x].value), y: Number(row[columns.y].value)
      });
    });
    var all = Object.keys(byName).map(function (name) {
      var points = byName[name].sort(function (a, b) { return a.x - b.x; });
      return { name: name, points: points };
    });
    all.sort(function (a, b) {
      return b.points[b.points.length - 1].y - a.points[a.points.length - 1].y;
    });
    return all.slice(0, MAX_SERIES);
  }

  function LineView(yasr) {
    this.yasr = yasr;
    this.priority = 3;
    this.label = texts.line || "Time series";
  }
  LineView.prototype.canHandleResults = function () {
    return lineColumns(this.yasr.results) !== null;
  };
  LineView.prototype.getIcon = function () { return icon("⟋"); };
  LineView.prototype.draw = function () {
    var target = this.yasr.resultsEl;
    target.innerHTML = "";
    var columns = lineColumns(this.yasr.results);
    if (!columns) return;
    target.appendChild(lineChart(columns, lines(columns)));
  };
  var COLOURS = ["#1f5fa8", "#b33c00", "#1a6b1a", "#8e24aa", "#a40e26", "#00695c", "#5d4037",
    "#37474f"];
  function node(name, attributes, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { el.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(el);
    return el;
  }
  function lineChart(columns, series) {
    var width = 760, height = 360, left = 70, right = 170, top = 12, bottom = 30;
    var xs = [], ys = [0];
    series.forEach(function (s) {
      s.points.forEach(function (p) { xs.push(p.x); ys.push(p.y); });
    });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    function sx(v) { return left + (x1 === x0 ? 0 : (v - x0) / (x1 - x0)) * (width - left - right); }
    function sy(v) { return top + (y1 === y0 ? 0 : (y1 - v) / (y1 - y0)) * (height - top - bottom); }
    var svg = node("svg", { "class": "sparql-chart sparql-line", role: "img",
      viewBox: "0 0 " + width + " " + height, width: width, height: height });
    svg.setAttribute("aria-label", (texts.by || "%(y)s by %(x)s")
      .replace("%(y)s", columns.y).replace("%(x)s", columns.x));
    node("line", { x1: left, x2: width - right, y1: sy(y0), y2: sy(y0), "class": "axis" }, svg);
    node("line", { x1: left, x2: left, y1: top, y2: height - bottom, "class": "axis" }, svg);
    [[x0, "start"], [x1, "end"]].forEach(function (tick) {
      node("text", { x: sx(tick[0]), y: height - 8, "text-anchor": tick[1] }, svg)
        .textContent = String(tick[0]);
    });
    [y0, y1].forEach(function (v) {
      node("text", { x: left - 6, y: sy(v) + 4, "text-anchor": "end" }, svg)
        .textContent = formatNumber(v);
    });
    series.forEach(function (s, index) {
      var d = s.points.map(function (p, i) {
        return (i ? "L" : "M") + sx(p.x).toFixed(1) + " " + sy(p.y).toFixed(1);
      }).join(" ");
      var path = node("path", { d: d, fill: "none", stroke: COLOURS[index], "stroke-width": 2 }, svg);
      node("title", {}, path).textContent = s.name;
      var last = s.points[s.points.length - 1];
      node("text", { x: width - right + 6, y: sy(last.y) + 4, fill: COLOURS[index] }, svg)
        .textContent = s.name.length > 24 ? s.name.slice(0, 23) + "…" : s.name;
    });
    return svg;
  }
  function formatNumber(value) {
    try { return value.toLocaleString(document.documentElement.lang || "de"); }
    catch (e) { return String(value); }
  }
  function icon(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  return {
    // texts: the page's words; settings: {tiles, attribution} for the map.
    register: function (Yasr, pageTexts, settings) {
      texts = pageTexts || {};
      page = settings || {};
      if (!Yasr || !Yasr.registerPlugin) return;
      if (!Yasr.plugins.map) Yasr.registerPlugin("map", MapView);
      if (!Yasr.plugins.line) Yasr.registerPlugin("line", LineView);
    },
    // The view an answer is best seen in: its geometries on a map, a series over time as
    // lines, counts by name as bars (sparql.js's "chart"), anything else as a table.
    fitting: function (yasr, barsFit) {
      var results = yasr.results;
      if (typeof L !== "undefined" && wktColumns(results).length) return "map";
      if (lineColumns(results)) return "line";
      if (barsFit) return "chart";
      return "table";
    }
  };
})();
