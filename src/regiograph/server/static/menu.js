// The site header's compact menu on narrow screens: navigation and search fold behind one
// button. Without JavaScript the button stays hidden and the header shows everything.
(function () {
  "use strict";
  function start() {
    var button = document.querySelector("header.site .menu-toggle");
    var header = button && button.closest("header.site");
    if (!header) { return; }
    button.hidden = false;
    header.classList.add("has-menu");
    button.addEventListener("click", function () {
      var open = header.classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
