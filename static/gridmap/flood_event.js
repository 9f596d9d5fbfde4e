/* The event page: a click on the map picks the dispatch's destination (WGS84), marked. */
(function () {
  "use strict";
  var page = window.gridmapEvent;
  var form = document.getElementById("dispatch-form");
  if (!page || !page.map || !form) { return; }
  var marker = null;
  // "preclick": a click on a feature opens its popup, which stops the click reaching the map.
  page.map.on("preclick", function (e) {
    form.elements.lon.value = e.latlng.lng.toFixed(6);
    form.elements.lat.value = e.latlng.lat.toFixed(6);
    form.elements.crs.value = "wgs84";
    if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng, {title: "调度目的地"}).addTo(page.map); }
  });
})();
