// Draws the maps of resource pages with Leaflet: every element with class "map" and a
// data-points attribute (JSON list of {lat, lon, label, url, kind, shape?}). A place with a
// shape (a GeoJSON Polygon or MultiPolygon, made from its WKT by the server) is drawn as
// that area, any other as a point; kind "outline" is the page's own area under its members.
// Tiles come from the configured URL in data-tiles; without it the places are drawn on a
// plain background.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var colours = {self: "#0b5cad", lead: "#a40e26", participant: "#0b5cad", member: "#0b5cad"};

  function areaStyle(kind) {
    if (kind === "outline") {
      return {color: "#333", weight: 2, fill: false, interactive: false};
    }
    return {
      color: colours[kind] || "#0b5cad", weight: kind === "member" ? 1 : 2,
      fillColor: colours[kind] || "#0b5cad", fillOpacity: kind === "member" ? 0.15 : 0.25
    };
  }

  function layerFor(p) {
    if (p.shape) {
      return L.geoJSON(p.shape, {style: areaStyle(p.kind)});
    }
    return L.circleMarker([p.lat, p.lon], {
      radius: p.kind === "lead" || p.kind === "self" ? 9 : 6,
      color: "#fff", weight: 2, fillOpacity: 0.9,
      fillColor: colours[p.kind] || "#0b5cad"
    });
  }

  function extent(entry) {
    if (!entry.p.shape) { return 0; }
    var b = entry.layer.getBounds();
    return (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
  }

  document.querySelectorAll(".map[data-points]").forEach(function (element) {
    var points = JSON.parse(element.dataset.points || "[]");
    if (!points.length) { return; }
    var map = L.map(element, {scrollWheelZoom: false});
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {maxZoom: 18, attribution: element.dataset.attribution || ""}).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    var layers = points.map(function (p) { return {p: p, layer: layerFor(p)}; });
    // larger areas first, so a district does not cover the towns drawn with it
    layers.sort(function (a, b) { return extent(b) - extent(a); });
    layers.forEach(function (entry) {
      var p = entry.p, layer = entry.layer.addTo(map);
      bounds.extend(p.shape ? layer.getBounds() : L.latLng(p.lat, p.lon));
      if (p.kind === "outline") { return; }
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.label;  // text, never HTML
      layer.bindPopup(link);
      layer.bindTooltip(p.label);
    });
    if (points.length === 1 && !points[0].shape) {
      map.setView([points[0].lat, points[0].lon], 11);
    } else {
      map.fitBounds(bounds, {padding: [24, 24], maxZoom: 12});
    }
    element.dataset.drawn = "true";
  });
})();
