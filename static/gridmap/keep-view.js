/* A map that keeps its view: the centre and zoom go into the URL's hash (#map=z/lat/lon) and
   the session; when the page is shown again (a form posted and came back, a reload) the map
   returns there instead of fitting the district again (map.js skips its fit). */
(function () {
  "use strict";
  function read(text) {
    var m = /map=(\d+)\/(-?[\d.]+)\/(-?[\d.]+)/.exec(text || "");
    return m ? {zoom: Number(m[1]), lat: Number(m[2]), lon: Number(m[3])} : null;
  }
  window.gridmap.keepView = function (map) {
    var key = "gridmap-view:" + location.pathname;
    var saved = read(location.hash);
    try { saved = saved || read(sessionStorage.getItem(key)); } catch (e) { /* storage refused */ }
    if (saved) {
      map.gridmapKeptView = true;
      map.setView([saved.lat, saved.lon], saved.zoom);
    }
    map.on("moveend", function () {
      var c = map.getCenter();
      var text = "map=" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
      history.replaceState(history.state, "", location.pathname + location.search + "#" + text);
      try { sessionStorage.setItem(key, text); } catch (e) { /* storage refused */ }
    });
  };
})();
