/* Flood command, live: the stations coloured by state and the list of those above normal,
   refreshed from /api/flood/situation/ every few seconds. An unchanged picture costs a 304
   (If-None-Match); a dropped connection keeps the last good picture, says how old it is and
   retries. */
(function () {
  "use strict";
  var cfg = window.gridmapFlood;
  var map = cfg.map;
  var interval = cfg.liveInterval || 2000;
  var COLOURS = {danger: "#d50000", warning: "#ff8f00", normal: "#ffffff"};
  var ORDER = {danger: 0, warning: 1, normal: 2};
  var layer = L.layerGroup().addTo(map);
  var markers = {};
  var etag = null;
  var lastGood = null;
  var failing = false;
  var list = document.getElementById("station-list");
  var status = document.getElementById("live-status");

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function clock(date) { return date.toLocaleTimeString("zh-CN", {hour12: false}); }
  function when(iso) {
    if (!iso) { return "无数据"; }
    var d = new Date(iso);
    return d.toLocaleDateString("zh-CN") + " " + clock(d);
  }
  function reading(p) {
    if (p.latest_value === null) { return "无数据"; }
    if (p.kind === "rain") {
      return "24 小时雨量 " + (p.rain_24h_mm === null ? 0 : p.rain_24h_mm).toFixed(1) + " mm（暴雨 " +
        p.warning_level + " / 大暴雨 " + p.guarantee_level + "）";
    }
    return "水位 " + p.latest_value.toFixed(2) + " m（警戒 " + p.warning_level.toFixed(2) + " / 保证 " +
      p.guarantee_level.toFixed(2) + "）";
  }
  function describe(p) {
    return p.name + " · " + p.state_name + " · " + reading(p) + " · " + when(p.latest_time) +
      (p.stale ? "（超过 6 小时无数据）" : "");
  }

  function draw(features) {
    var seen = {};
    features.forEach(function (f) {
      var p = f.properties;
      var latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var style = {radius: p.state === "normal" ? 6 : 9, color: p.stale ? "#78909c" : "#263238",
                   weight: 2, dashArray: p.stale ? "3 3" : null, fillColor: COLOURS[p.state] || COLOURS.normal,
                   fillOpacity: 0.95, className: "station-marker station-" + p.code};
      var marker = markers[p.code];
      if (!marker) {
        marker = L.circleMarker(latlng, style).addTo(layer);
        markers[p.code] = marker;
      } else {
        marker.setLatLng(latlng);
        marker.setStyle(style);
      }
      // A text node: a station's name is typed by people (Leaflet puts a string in as HTML).
      var label = document.createElement("span");
      label.textContent = describe(p);
      marker.bindTooltip(label);
      if (p.state !== "normal") { marker.bringToFront(); }
      seen[p.code] = true;
    });
    Object.keys(markers).forEach(function (code) {
      if (!seen[code]) { layer.removeLayer(markers[code]); delete markers[code]; }
    });
  }

  function fillList(features) {
    var above = features.map(function (f) { return f.properties; })
      .filter(function (p) { return p.state !== "normal"; })
      .sort(function (a, b) { return ORDER[a.state] - ORDER[b.state] || a.code.localeCompare(b.code); });
    list.replaceChildren();
    if (!above.length) { list.appendChild(el("li", "所有测站正常", "empty")); return; }
    above.forEach(function (p) {
      var li = el("li", null, "station station-" + p.state);
      li.dataset.station = p.code;
      li.dataset.state = p.state;
      var name = el("strong", p.name + "（" + p.state_name + "）");
      li.append(name, el("br"), document.createTextNode(reading(p) + " · " + when(p.latest_time) +
        (p.stale ? "（超过 6 小时无数据）" : "")));
      li.addEventListener("click", function () {
        var marker = markers[p.code];
        if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 12)); marker.openTooltip(); }
      });
      list.appendChild(li);
    });
  }

  function showStatus() {
    if (!lastGood) {
      status.textContent = failing ? "无法连接服务器，正在重试…" : "正在读取实时数据…";
    } else if (failing) {
      var seconds = Math.round((Date.now() - lastGood) / 1000);
      var age = seconds < 60 ? seconds + " 秒" : Math.floor(seconds / 60) + " 分 " + (seconds % 60) + " 秒";
      status.textContent = "连接中断：显示的是 " + age + "前的数据（" + clock(new Date(lastGood)) + "），正在重试…";
    } else {
      status.textContent = "实时数据，最近确认于 " + clock(new Date(lastGood));
    }
    status.classList.toggle("live-failing", failing);
  }

  function apply(data) {
    var stations = data.parts.stations;
    if (stations) { draw(stations.features); fillList(stations.features); }
    document.documentElement.dataset.situation = data.generated_at;
  }

  function poll() {
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    // no-store: the browser's cache neither answers nor hides the 304; the page keeps its own copy.
    fetch(cfg.situation, {headers: headers, cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        var tag = response.headers.get("ETag");
        return response.json().then(function (data) { apply(data); etag = tag; });
      })
      .then(function () { failing = false; lastGood = Date.now(); })
      .catch(function () { failing = true; })
      .then(function () { showStatus(); window.setTimeout(poll, interval); });
  }

  window.setInterval(function () { if (failing) { showStatus(); } }, 1000);
  poll();
})();
