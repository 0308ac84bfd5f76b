// Draws the statistics explorer's choropleth with Leaflet: the municipalities' boundaries
// (GeoJSON from data-shapes, the same for every selection and cached by the browser) filled
// by the class the server gave each (data-areas and data-classes: parallel lists; a class of
// null means no value); data-colours holds the classes' colours, as in the legend. Each area
// gets the class name "class-N" (or "class-none") and a tooltip with its name. Without
// JavaScript the page's legend and the list of municipalities by class stand in.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  document.querySelectorAll(".choropleth[data-shapes]").forEach(function (element) {
    var areas = JSON.parse(element.dataset.areas || "[]");
    var classes = JSON.parse(element.dataset.classes || "[]");
    var colours = JSON.parse(element.dataset.colours || "[]");
    var classOf = {};
    areas.forEach(function (area, i) { classOf[area] = classes[i]; });
    var names = {};
    document.querySelectorAll(".map-fallback a[data-area]").forEach(function (a) {
      names[a.dataset.area] = a.textContent;
    });
    fetch(element.dataset.shapes).then(function (r) { return r.json(); }).then(function (shapes) {
      var wanted = shapes.features.filter(function (f) { return f.id in classOf; });
      if (!wanted.length) { return; }
      var map = L.map(element, {scrollWheelZoom: false});
      if (element.dataset.tiles) {
        L.tileLayer(element.dataset.tiles, {maxZoom: 18, attribution: element.dataset.attribution || ""}).addTo(map);
      }
      var layer = L.geoJSON({type: "FeatureCollection", features: wanted}, {
        style: function (feature) {
          var c = classOf[feature.id];
          var none = c === null || c === undefined;
          return {
            color: "#555", weight: 0.7, fillOpacity: 0.85,
            fillColor: none ? "#d9d9d9" : colours[c],
            className: none ? "class-none" : "class-" + c
          };
        },
        onEachFeature: function (feature, part) {
          if (names[feature.id]) { part.bindTooltip(names[feature.id]); }  // text, never HTML
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), {padding: [12, 12]});
      element.dataset.drawn = "true";
    });
  });
})();
