// The SPARQL editor: YASGUI (served by the platform, from npm) in place of the plain form.
// Without JavaScript, or if YASGUI fails to load, the plain form stays and works.
(function () {
  "use strict";
  // A bar chart for results with a label column and a numeric column (e.g. counts per
  // district). Drawn as plain SVG: no chart library, nothing from outside the platform.
  var SVG = "http://www.w3.org/2000/svg";
  function numeric(binding) {
    return binding && binding.type === "literal" && binding.value !== "" &&
      isFinite(Number(binding.value));
  }
  function chartColumns(results) {
    if (!results || !results.getVariables || !results.getBindings) return null;
    var names = results.getVariables() || [];
    var rows = results.getBindings() || [];
    if (!rows.length || rows.length > 200) return null;
    var value = null, label = null;
    names.forEach(function (name) {
      var all = rows.every(function (row) { return numeric(row[name]); });
      if (all && value === null) value = name;
      else if (!all && label === null) label = name;
    });
    return value !== null && label !== null ? { label: label, value: value, rows: rows } : null;
  }
  function BarChart(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
  }
  BarChart.prototype.canHandleResults = function () {
    return chartColumns(this.yasr.results) !== null;
  };
  BarChart.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "▮";
    return icon;
  };
  BarChart.prototype.draw = function () {
    var columns = chartColumns(this.yasr.results);
    var target = this.yasr.resultsEl;
    target.innerHTML = "";
    if (!columns) return;
    var values = columns.rows.map(function (row) { return Number(row[columns.value].value); });
    var max = Math.max.apply(null, values.concat([0])) || 1;
    var barHeight = 18, labelWidth = 280, width = 760;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "sparql-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", columns.value + " by " + columns.label);
    svg.setAttribute("width", width);
    svg.setAttribute("height", columns.rows.length * (barHeight + 4) + 4);
    columns.rows.forEach(function (row, index) {
      var y = 4 + index * (barHeight + 4);
      var text = document.createElementNS(SVG, "text");
      var raw = row[columns.label] ? row[columns.label].value : "";
      text.textContent = raw.length > 40 ? raw.slice(raw.length - 40) : raw;
      text.setAttribute("x", labelWidth - 6);
      text.setAttribute("y", y + barHeight - 5);
      text.setAttribute("text-anchor", "end");
      var bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", labelWidth);
      bar.setAttribute("y", y);
      bar.setAttribute("height", barHeight);
      bar.setAttribute("width", Math.max(1, (width - labelWidth - 80) * values[index] / max));
      var title = document.createElementNS(SVG, "title");
      title.textContent = raw + ": " + values[index];
      bar.appendChild(title);
      var number = document.createElementNS(SVG, "text");
      number.textContent = String(values[index]);
      number.setAttribute("x", labelWidth + Number(bar.getAttribute("width")) + 4);
      number.setAttribute("y", y + barHeight - 5);
      svg.appendChild(text);
      svg.appendChild(bar);
      svg.appendChild(number);
    });
    target.appendChild(svg);
  };

  function start() {
    var element = document.getElementById("yasgui");
    if (!element || typeof window.Yasgui === "undefined") return;
    var endpoint = element.dataset.endpoint;
    var base = element.dataset.base;
    var prefixes = JSON.parse(element.dataset.prefixes || "{}");
    var examples = JSON.parse(element.dataset.examples || "[]");
    var form = document.getElementById("sparql-query");
    var initial = form ? form.value : "";
    if (window.Yasgui.Yasr && window.Yasgui.Yasr.registerPlugin && !window.Yasgui.Yasr.plugins.chart) {
      window.Yasgui.Yasr.registerPlugin("chart", BarChart);
    }
    var yasgui = new window.Yasgui(element, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistencyExpire: 0,
      yasqe: { value: initial },
      yasr: {
        prefixes: prefixes,
        plugins: {},
      },
    });
    document.body.classList.add("js-yasgui");
    var tab = yasgui.getTab();
    if (tab) {
      tab.setQuery(initial);
      var yasqe = tab.getYasqe();
      if (yasqe && yasqe.addPrefixes) {
        // Offer the platform's prefixes in autocompletion without adding them to the query.
        window.Yasgui.Yasqe.defaults.prefixes = prefixes;
      }
    }
    // Result links to our own resources open the platform's pages, others a new tab.
    element.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || !link.href) return;
      if (link.href.indexOf(base) === 0) { link.target = "_self"; }
    }, true);
    document.querySelectorAll("[data-example]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var example = examples[Number(link.dataset.example)];
        if (!example) return;
        event.preventDefault();
        var newTab = yasgui.addTab(true, { name: example.title });
        newTab.setQuery(example.query);
        element.scrollIntoView();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
