// The SPARQL editor: YASGUI (served by the platform, from npm) in place of the plain form.
// Without JavaScript, or if YASGUI fails to load, the plain form stays and works.
(function () {
  "use strict";
  // A bar chart for results with a label column and a numeric column (e.g. counts per
  // district). Drawn as plain SVG: no chart library, nothing from outside the platform.
  var SVG = "http://www.w3.org/2000/svg";
  var texts = {};  // the page's language, from data-texts on #yasgui
  var locale = document.documentElement.lang || "de";
  function numeric(binding) {
    return binding && binding.type === "literal" && binding.value !== "" &&
      isFinite(Number(binding.value));
  }
  // Columns whose numbers are keys or points in time (year, ags …), never the bar's length.
  var KEY_COLUMN = /(year|jahr|period|ags|ars|code|key|id)$/i;
  function every(rows, name, test) {
    return rows.every(function (row) { return test(row[name]); });
  }
  function isText(binding) {
    return !binding || (binding.type === "literal" && !numeric(binding));
  }
  function isIri(binding) { return !binding || binding.type === "uri"; }
  // The label column: text (a name) before an IRI; the value column: the first number that
  // is not a key or a year.
  function chartColumns(results) {
    if (!results || !results.getVariables || !results.getBindings) return null;
    var names = results.getVariables() || [];
    var rows = results.getBindings() || [];
    if (!rows.length || rows.length > 200) return null;
    var numbers = names.filter(function (n) { return every(rows, n, numeric); });
    var value = numbers.filter(function (n) { return !KEY_COLUMN.test(n); })[0] || null;
    var label = names.filter(function (n) { return n !== value && every(rows, n, isText); })[0] ||
      names.filter(function (n) { return n !== value && every(rows, n, isIri); })[0] ||
      names.filter(function (n) { return n !== value; })[0] || null;
    return value !== null && label !== null ? { label: label, value: value, rows: rows } : null;
  }
  function shortName(binding) {
    if (!binding) return "";
    if (binding.type !== "uri") return binding.value;
    return binding.value.replace(/[/#]+$/, "").split(/[/#]/).pop() || binding.value;
  }
  function formatNumber(value) {
    try { return value.toLocaleString(locale); } catch (e) { return String(value); }
  }
  function BarChart(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = texts.chart || "Chart";
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
    svg.setAttribute("aria-label", (texts.by || "%(y)s by %(x)s")
      .replace("%(y)s", columns.value).replace("%(x)s", columns.label));
    svg.setAttribute("width", width);
    svg.setAttribute("height", columns.rows.length * (barHeight + 4) + 4);
    columns.rows.forEach(function (row, index) {
      var y = 4 + index * (barHeight + 4);
      var text = document.createElementNS(SVG, "text");
      var raw = shortName(row[columns.label]);
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
      title.textContent = raw + ": " + formatNumber(values[index]);
      bar.appendChild(title);
      var number = document.createElementNS(SVG, "text");
      number.textContent = formatNumber(values[index]);
      number.setAttribute("x", labelWidth + Number(bar.getAttribute("width")) + 4);
      number.setAttribute("y", y + barHeight - 5);
      svg.appendChild(text);
      svg.appendChild(bar);
      svg.appendChild(number);
    });
    target.appendChild(svg);
  };

  // YASGUI's controls without names get them, and the "add tab" button leaves the tab list
  // (a tablist may only hold tabs). Run again whenever YASGUI redraws.
  function name(selector, text, root) {
    root.querySelectorAll(selector).forEach(function (el) {
      if (!el.getAttribute("aria-label") && text) el.setAttribute("aria-label", text);
    });
  }
  function accessible(root) {
    name("input.autocomplete", texts.endpoint, root);
    name(".CodeMirror textarea", texts.query, root);
    name(".yasr select", texts.select, root);
    name(".yasr input:not([type=hidden])", texts.filter, root);
    root.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
    root.querySelectorAll("[role=tablist] > *").forEach(function (child) {
      if (child.querySelector("[role=tab]") || child.getAttribute("role") === "tab") return;
      var list = child.parentNode;
      list.parentNode.insertBefore(child, list.nextSibling);
    });
  }

  // Which IRIs may become links: the pages' rule (resources/values.py safe_href, schemes from
  // data-link-schemes): http(s) with a host, or mailto. Any other IRI (javascript:, data: …)
  // is shown as text, in YASR's table as on the server's.
  var linkSchemes = ["http", "https", "mailto"];
  function mayLink(iri) {
    var url;
    try { url = new URL(iri.trim()); } catch (e) { return false; }
    var scheme = url.protocol.slice(0, -1).toLowerCase();
    if (linkSchemes.indexOf(scheme) < 0) return false;
    return scheme === "mailto" || url.host !== "";
  }
  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  function guardTableLinks(Yasr) {
    var Table = Yasr && Yasr.plugins && Yasr.plugins.table;
    var proto = Table && Table.prototype;
    if (!proto || !proto.getUriLinkFromBinding || proto.getUriLinkFromBinding.guarded) return;
    var linked = proto.getUriLinkFromBinding;
    proto.getUriLinkFromBinding = function (binding, prefixes) {
      if (binding && mayLink(String(binding.value))) return linked.call(this, binding, prefixes);
      return "&lt;" + escapeHtml(binding ? String(binding.value) : "") + "&gt;";
    };
    proto.getUriLinkFromBinding.guarded = true;
  }

  // YASQE completes "PREFIX …" from the platform's table (the one the endpoint applies),
  // not from prefix.cc or its bundled list; its class and property completion asks LOV, an
  // outside service the page's CSP does not allow (it only showed "Failed fetching"), so off.
  function platformPrefixes(Yasqe, prefixes) {
    if (!Yasqe || !Yasqe.forkAutocompleter || !Yasqe.Autocompleters.prefixes) return;
    var offered = Object.keys(prefixes).sort().map(function (name) {
      return name + ": <" + prefixes[name] + ">";
    });
    Yasqe.forkAutocompleter("prefixes", {
      name: "platformPrefixes",
      persistenceId: null,
      get: function () { return Promise.resolve(offered); }
    });
    Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
      return ["prefixes", "class", "property"].indexOf(name) < 0;
    });
  }

  function start() {
    var element = document.getElementById("yasgui");
    if (!element || typeof window.Yasgui === "undefined") return;
    var endpoint = element.dataset.endpoint;
    var base = element.dataset.base;
    var prefixes = JSON.parse(element.dataset.prefixes || "{}");
    var examples = JSON.parse(element.dataset.examples || "[]");
    texts = JSON.parse(element.dataset.texts || "{}");
    linkSchemes = JSON.parse(element.dataset.linkSchemes || "[]");
    guardTableLinks(window.Yasgui.Yasr);
    var form = document.getElementById("sparql-query");
    // A share link (#query=…) names the query; otherwise the form holds it (the example, or
    // the ?query= the server has already answered below: that one is not run again).
    var shared = new URLSearchParams(window.location.hash.slice(1)).get("query");
    var initial = shared || (form ? form.value : "");
    if (window.Yasgui.Yasr && window.Yasgui.Yasr.registerPlugin && !window.Yasgui.Yasr.plugins.chart) {
      window.Yasgui.Yasr.registerPlugin("chart", BarChart);
    }
    var views = window.regiographSparqlViews;
    if (views) {
      views.register(window.Yasgui.Yasr, texts,
        { tiles: element.dataset.tiles, attribution: element.dataset.attribution });
    }
    platformPrefixes(window.Yasgui.Yasqe, prefixes);
    var yasgui = new window.Yasgui(element, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistencyExpire: 0,
      // the page reads the URL itself: YASGUI's reader would run ?query= a second time and
      // pass ?format=html on to the endpoint (an HTML page as a "result")
      populateFromUrl: false,
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
      if (shared) tab.query();
    }
    // After each answer, the view that fits it (the reader can switch with YASR's buttons).
    yasgui.on("queryResponse", function (_yasgui, answered) {
      window.setTimeout(function () {
        var yasr = answered.getYasr && answered.getYasr();
        if (!yasr || !yasr.results || !views) return;
        var bars = chartColumns(yasr.results) !== null;
        yasr.selectPlugin(views.fitting(yasr, bars));
      }, 0);
    });
    var tools = window.regiographSparqlTools;
    var snippets = document.getElementById("sparql-snippets");
    function showSnippets() {
      var current = yasgui.getTab();
      var text = current && current.getQuery ? current.getQuery() : initial;
      if (tools) tools.showSnippets(snippets, endpoint, text);
    }
    showSnippets();
    yasgui.on("tabChange", showSnippets);
    yasgui.on("tabSelect", function () { window.setTimeout(showSnippets, 0); });
    var filter = document.getElementById("example-filter");
    if (tools && filter) tools.filterExamples(filter, examples);
    accessible(element);
    new MutationObserver(function () { accessible(element); })
      .observe(element, { childList: true, subtree: true });
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
