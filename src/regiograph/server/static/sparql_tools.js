// Around the SPARQL editor: code that runs the current query from a program (cURL, Python with
// SPARQLWrapper or requests, R with httr), and a filter over the examples. sparql.js calls
// showSnippets with each new query text; the filter works on its own.
window.regiographSparqlTools = (function () {
  "use strict";
  function shellQuoted(text) { return "'" + text.replace(/'/g, "'\\''") + "'"; }
  function pythonString(text) {
    return '"""' + text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"') + '"""';
  }
  function rString(text) {
    var dashes = "-";
    while (text.indexOf(")" + dashes + '"') >= 0) dashes += "-";
    return "r\"" + dashes + "(" + text + ")" + dashes + "\"";
  }
  var SNIPPETS = {
    curl: function (endpoint, query) {
      return "curl -s " + shellQuoted(endpoint) + " \\\n" +
        "  -H 'Accept: application/sparql-results+json' \\\n" +
        "  --data-urlencode " + shellQuoted("query=" + query);
    },
    sparqlwrapper: function (endpoint, query) {
      return "from SPARQLWrapper import JSON, SPARQLWrapper\n\n" +
        "sparql = SPARQLWrapper(" + JSON.stringify(endpoint) + ")\n" +
        "sparql.setMethod(\"POST\")\n" +
        "sparql.setQuery(" + pythonString(query) + ")\n" +
        "sparql.setReturnFormat(JSON)\n" +
        "for row in sparql.queryAndConvert()[\"results\"][\"bindings\"]:\n" +
        "    print({name: cell[\"value\"] for name, cell in row.items()})\n";
    },
    requests: function (endpoint, query) {
      return "import requests\n\n" +
        "query = " + pythonString(query) + "\n" +
        "response = requests.post(\n" +
        "    " + JSON.stringify(endpoint) + ",\n" +
        "    data={\"query\": query},\n" +
        "    headers={\"Accept\": \"application/sparql-results+json\"},\n" +
        "    timeout=60,\n)\n" +
        "response.raise_for_status()\n" +
        "for row in response.json()[\"results\"][\"bindings\"]:\n" +
        "    print({name: cell[\"value\"] for name, cell in row.items()})\n";
    },
    r: function (endpoint, query) {
      return "library(httr)\n\n" +
        "query <- " + rString(query) + "\n" +
        "response <- POST(" + JSON.stringify(endpoint) + ", body = list(query = query),\n" +
        "                 encode = \"form\", accept(\"text/csv\"))\n" +
        "stop_for_status(response)\n" +
        "rows <- read.csv(text = content(response, \"text\", encoding = \"UTF-8\"))\n" +
        "print(rows)\n";
    }
  };

  // Fills every <code data-snippet="…"> inside the element with the query's code.
  function showSnippets(element, endpoint, query) {
    if (!element) return;
    var absolute = new URL(endpoint, window.location.href).href;
    element.querySelectorAll("code[data-snippet]").forEach(function (code) {
      var make = SNIPPETS[code.dataset.snippet];
      if (make) code.textContent = make(absolute, query);
    });
    element.hidden = false;
  }

  // Shows only the examples whose title or query holds every word typed (case and accents
  // ignored), and says how many are shown.
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function filterExamples(input, examples) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.dataset.status);
    if (!list) return;
    function apply() {
      var words = folded(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll("li").forEach(function (item) {
        var link = item.querySelector("[data-example]");
        var example = link ? examples[Number(link.dataset.example)] : null;
        var haystack = folded(item.textContent + " " + (example ? example.query : ""));
        var match = words.every(function (word) { return haystack.indexOf(word) >= 0; });
        item.hidden = !match;
        if (match) shown += 1;
      });
      if (status) status.textContent = (status.dataset.template || "%(num)s")
        .replace("%(num)s", String(shown));
    }
    input.addEventListener("input", apply);
    input.closest("[hidden]") && input.closest("[hidden]").removeAttribute("hidden");
    apply();
  }

  return { showSnippets: showSnippets, filterExamples: filterExamples };
})();
