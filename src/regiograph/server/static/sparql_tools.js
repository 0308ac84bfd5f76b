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
  // Each program as the reader will see it, with {endpoint} and {query} where the values go,
  // quoted in that program's language (so a quote in the query cannot end its string early).
  var SNIPPETS = {
    curl: {
      endpoint: shellQuoted,
      query: function (query) { return shellQuoted("query=" + query); },
      text: String.raw`curl -s {endpoint} \
  -H 'Accept: application/sparql-results+json' \
  --data-urlencode {query}`
    },
    sparqlwrapper: {
      endpoint: JSON.stringify,
      query: pythonString,
      text: `from SPARQLWrapper import JSON, SPARQLWrapper

sparql = SPARQLWrapper({endpoint})
sparql.setMethod("POST")
sparql.setQuery({query})
sparql.setReturnFormat(JSON)
for row in sparql.queryAndConvert()["results"]["bindings"]:
    print({name: cell["value"] for name, cell in row.items()})
`
    },
    requests: {
      endpoint: JSON.stringify,
      query: pythonString,
      text: `import requests

query = {query}
response = requests.post(
    {endpoint},
    data={"query": query},
    headers={"Accept": "application/sparql-results+json"},
    timeout=60,
)
response.raise_for_status()
for row in response.json()["results"]["bindings"]:
    print({name: cell["value"] for name, cell in row.items()})
`
    },
    r: {
      endpoint: JSON.stringify,
      query: rString,
      text: `library(httr)

query <- {query}
response <- POST({endpoint}, body = list(query = query),
                 encode = "form", accept("text/csv"))
stop_for_status(response)
rows <- read.csv(text = content(response, "text", encoding = "UTF-8"))
print(rows)
`
    }
  };
  // One pass over the text, so a query that itself holds "{endpoint}" is left as it is.
  function fill(snippet, endpoint, query) {
    var values = { endpoint: snippet.endpoint(endpoint), query: snippet.query(query) };
    return snippet.text.replace(/\{(endpoint|query)\}/g, function (hole, name) {
      return values[name];
    });
  }

  // Fills every <code data-snippet="…"> inside the element with the query's code.
  function showSnippets(element, endpoint, query) {
    if (!element) return;
    var absolute = new URL(endpoint, window.location.href).href;
    element.querySelectorAll("code[data-snippet]").forEach(function (code) {
      var snippet = SNIPPETS[code.dataset.snippet];
      if (snippet) code.textContent = fill(snippet, absolute, query);
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
