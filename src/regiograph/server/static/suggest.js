// Autocomplete for search boxes with a data-suggest URL: a listbox of matches from
// /search/suggest, usable with arrow keys, Enter and Escape. The form works without it.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) { return; }
    var timer = null, active = -1, items = [];
    function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }
    function show(suggestions) {
      list.textContent = "";
      items = suggestions;
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + i;
        var a = document.createElement("a");
        a.href = s.url;
        a.textContent = s.label;
        li.appendChild(a);
        if (s.types.length) {
          var t = document.createElement("span");
          t.className = "badge";
          t.textContent = s.types[0];
          li.appendChild(t);
        }
        list.appendChild(li);
      });
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
          .then(function (data) { if (input.value.trim() === q) { show(data.suggestions); } })
          .catch(close);
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + items.length) % items.length;
        mark();
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].url;
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  }
  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
