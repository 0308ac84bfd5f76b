// Draws the maps of resource pages with Leaflet: every element with class "map" and a
// data-points attribute (JSON list of {lat, lon, label, url, kind}). Tiles come from the
// configured URL in data-tiles; without it the points are drawn on a plain background.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var colours = {self: "#0b5cad", lead: "#a40e26", participant: "#0b5cad", member: "#0b5cad"};
  document.querySelectorAll(".map[data-points]").forEach(function (element) {
    var points = JSON.parse(element.dataset.points || "[]");
    if (!points.length) { return; }
    var map = L.map(element, {scrollWheelZoom: false});
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {maxZoom: 18, attribution: element.dataset.attribution || ""}).addTo(map);
    }
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: p.kind === "lead" || p.kind === "self" ? 9 : 6,
        color: "#fff", weight: 2, fillOpacity: 0.9,
        fillColor: colours[p.kind] || "#0b5cad"
      }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.label;  // text, never HTML
      marker.bindPopup(link);
      marker.bindTooltip(p.label);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 11);
    } else {
      map.fitBounds(bounds, {padding: [24, 24], maxZoom: 12});
    }
    element.dataset.drawn = "true";
  });
})();
