// The SPARQL editor: YASGUI (served by the platform, from npm) in place of the plain form.
// Without JavaScript, or if YASGUI fails to load, the plain form stays and works.
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("yasgui");
    if (!element || typeof window.Yasgui === "undefined") return;
    var endpoint = element.dataset.endpoint;
    var base = element.dataset.base;
    var prefixes = JSON.parse(element.dataset.prefixes || "{}");
    var examples = JSON.parse(element.dataset.examples || "[]");
    var form = document.getElementById("sparql-query");
    var initial = form ? form.value : "";
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
