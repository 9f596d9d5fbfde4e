/* GCJ-02 (Amap) and BD-09 (Baidu) to WGS84 with the server's formulas
   (gridmap/geo/coords.py: the same constants, the same fixed-point inverses), and point in
   polygon for GeoJSON outlines: "where am I" against the cells kept on the phone. */
(function (root) {
  "use strict";
  var GCJ_A = 6378245.0, GCJ_EE = 0.00669342162296594323, BD_X_PI = Math.PI * 3000.0 / 180.0;
  var PI = Math.PI;

  function delta(lon, lat) {
    var x = lon - 105.0, y = lat - 35.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radlat = lat / 180.0 * PI;
    var magic = 1 - GCJ_EE * Math.pow(Math.sin(radlat), 2);
    var sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtmagic) * PI);
    dlon = (dlon * 180.0) / (GCJ_A / sqrtmagic * Math.cos(radlat) * PI);
    return [dlon, dlat];
  }

  function wgs84ToGcj02(lon, lat) {
    var d = delta(lon, lat);
    return [lon + d[0], lat + d[1]];
  }

  function gcj02ToWgs84(lon, lat) {
    var wlon = lon, wlat = lat;
    for (var i = 0; i < 30; i++) {
      var g = wgs84ToGcj02(wlon, wlat), elon = g[0] - lon, elat = g[1] - lat;
      wlon -= elon; wlat -= elat;
      if (Math.abs(elon) < 1e-10 && Math.abs(elat) < 1e-10) { break; }
    }
    return [wlon, wlat];
  }

  function gcj02ToBd09(lon, lat) {
    var z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * BD_X_PI);
    var theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * BD_X_PI);
    return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
  }

  function bd09ToGcj02(lon, lat) {
    var x = lon - 0.0065, y = lat - 0.006;
    var z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * BD_X_PI);
    var theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * BD_X_PI);
    var glon = z * Math.cos(theta), glat = z * Math.sin(theta);
    for (var i = 0; i < 10; i++) {
      var b = gcj02ToBd09(glon, glat);
      glon -= b[0] - lon; glat -= b[1] - lat;
    }
    return [glon, glat];
  }

  function bd09ToWgs84(lon, lat) { var g = bd09ToGcj02(lon, lat); return gcj02ToWgs84(g[0], g[1]); }
  function wgs84ToBd09(lon, lat) { var g = wgs84ToGcj02(lon, lat); return gcj02ToBd09(g[0], g[1]); }

  /* WGS84 from a typed coordinate; CGCS2000 is taken as WGS84 (they differ by centimetres). */
  function toWgs84(lon, lat, crs) {
    if (crs === "gcj02") { return gcj02ToWgs84(lon, lat); }
    if (crs === "bd09") { return bd09ToWgs84(lon, lat); }
    return [lon, lat];
  }

  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  /* A point in a GeoJSON Polygon or MultiPolygon (holes excluded). */
  function contains(geometry, lon, lat) {
    if (!geometry) { return false; }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] :
                   geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polygons.some(function (rings) {
      return inRing(lon, lat, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(lon, lat, hole); });
    });
  }

  var api = {wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, gcj02ToBd09: gcj02ToBd09,
             bd09ToGcj02: bd09ToGcj02, bd09ToWgs84: bd09ToWgs84, wgs84ToBd09: wgs84ToBd09,
             toWgs84: toWgs84, contains: contains};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; } else { root.GridmapCoords = api; }
})(this);
