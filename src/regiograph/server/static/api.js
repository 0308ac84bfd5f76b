// /api: Swagger UI (from npm, served from vendor/) on the platform's own OpenAPI document,
// started from this file because the pages' Content-Security-Policy allows no inline script.
// Without JavaScript, or if Swagger UI fails to load, the server-rendered list stays.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof SwaggerUIBundle === "undefined") { return; }
  target.closest("section").hidden = false;
  SwaggerUIBundle({
    url: target.dataset.spec,
    domNode: target,
    deepLinking: false,
    tryItOutEnabled: false,
    supportedSubmitMethods: ["get"],  // the admin API's POST needs a token: described, not run
    validatorUrl: null,  // never send the document to an outside validator
    defaultModelsExpandDepth: -1,
    onComplete: function () {
      var servers = target.querySelector("select#servers");
      if (servers) { servers.setAttribute("aria-label", "Servers"); }  // it has no label
      // Swagger UI draws its operations in a <main> of its own, inside the page's: a second
      // main landmark (axe: landmark-no-duplicate-main, -main-is-top-level, -unique)
      var inner = target.querySelector("main");
      if (inner) {
        inner.setAttribute("role", "region");
        inner.setAttribute("aria-label", "Swagger UI");
      }
      target.dataset.ready = "true";
      var list = document.querySelector(".api-operations");
      if (list) { list.hidden = true; }  // Swagger UI shows the same operations
    }
  });
})();
