/* Flood command, live: the stations coloured by state and the list of those above normal, the
   zones coloured by the worst state inside them, the situation reports where they were made
   (by severity), the dispatches' destinations and the open hazards of inspections, refreshed
   from /api/flood/situation/ every few seconds. An unchanged picture costs a 304
   (If-None-Match); a changed one carries only the parts whose tags moved (`known`); a dropped
   connection keeps the last good picture, says how old it is and retries. The colours are the
   maps' palette (flood.js reads it from the page). */
(function () {
  "use strict";
  var cfg = window.gridmapFlood;
  var map = cfg.map;
  var interval = cfg.liveInterval || 2000;
  var palette = cfg.palette;
  var COLOURS = palette.state;
  var ORDER = {danger: 0, warning: 1, normal: 2};
  var SEVERITY_ORDER = {critical: 0, serious: 1, general: 2};
  // Zones lie under everything else (the chosen zone's outline and the markers stay on top).
  map.createPane("liveZones").style.zIndex = 350;
  map.getPane("liveZones").style.pointerEvents = "none";
  var zoneLayer = L.layerGroup().addTo(map);
  var hazardLayer = L.layerGroup().addTo(map);
  var dispatchLayer = L.layerGroup().addTo(map);
  var layer = L.layerGroup().addTo(map);
  var reportLayer = L.layerGroup().addTo(map);
  var markers = {};
  var etag = null;
  var tags = {};
  var lastGood = null;
  var failing = false;
  var list = document.getElementById("station-list");
  var zoneList = document.getElementById("zone-list");
  var reportList = document.getElementById("report-list");
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

  function tip(target, text) {
    var label = document.createElement("span");
    label.textContent = text;
    target.bindTooltip(label);
    return target;
  }
  function latlngOf(f) { return [f.geometry.coordinates[1], f.geometry.coordinates[0]]; }
  function focus(latlng) { map.setView(latlng, Math.max(map.getZoom(), 13)); }

  // The zones' outlines and their states come as two parts: a reading moves only the states.
  var zoneStates = {};
  function zoneProps(f) {
    var st = zoneStates[f.id] || {state: "normal", state_name: "正常", stations_danger: 0, stations_warning: 0,
                                  reports: 0, reports_critical: 0};
    return Object.assign({}, f.properties, st);
  }
  function setZoneStates(rows) {
    zoneStates = {};
    rows.forEach(function (row) { zoneStates[row.id] = row; });
  }
  function drawZones() {
    var features = zoneFeatures.map(function (f) {
      return {type: "Feature", id: f.id, geometry: f.geometry, properties: zoneProps(f)};
    });
    zoneLayer.clearLayers();
    features.forEach(function (f) {
      var p = f.properties;
      if (!f.geometry) { return; }
      var above = p.state !== "normal";
      // Zones in normal state take no ink (the zones' own layer outlines them). Not
      // interactive: the layers' popups under them stay reachable; a click on the map
      // chooses the zone under it (zoneAt).
      if (p.state === "normal") { return; }
      L.geoJSON(f, {pane: "liveZones", interactive: false, style: {
        stroke: true, color: COLOURS[p.state], weight: 2, fill: true, fillColor: COLOURS[p.state],
        fillOpacity: 0.22, className: "zone-area zone-" + f.id + " zone-state-" + p.state}}).addTo(zoneLayer);
    });
    var above = features.filter(function (f) { return f.properties.state !== "normal"; })
      .sort(function (a, b) {
        return ORDER[a.properties.state] - ORDER[b.properties.state] ||
          a.properties.name.localeCompare(b.properties.name, "zh-CN");
      });
    zoneList.replaceChildren();
    if (!above.length) { zoneList.appendChild(el("li", "所有责任区正常", "empty")); return; }
    above.forEach(function (f) {
      var p = f.properties;
      var li = el("li", null, "zone zone-" + p.state + (cfg.chosenZone === f.id ? " zone-chosen" : ""));
      li.dataset.zone = String(f.id);
      li.dataset.state = p.state;
      li.append(el("strong", p.name + "（" + p.state_name + "）"), el("br"), document.createTextNode(
        "超保证测站 " + p.stations_danger + "，超警戒测站 " + p.stations_warning + "，险情报告 " + p.reports));
      li.addEventListener("click", function () { if (cfg.choose) { cfg.choose(f.id); } });
      zoneList.appendChild(li);
    });
  }

  // The zone under a point of the map: ray casting over its rings; the smallest if nested.
  var zoneFeatures = [];
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function polygons(geometry) {
    if (!geometry) { return []; }
    return geometry.type === "Polygon" ? [geometry.coordinates] :
      geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  }
  function zoneAt(latlng) {
    var best = null;
    zoneFeatures.forEach(function (f) {
      var hit = polygons(f.geometry).some(function (rings) {
        return inRing(rings[0], latlng.lng, latlng.lat) &&
          !rings.slice(1).some(function (hole) { return inRing(hole, latlng.lng, latlng.lat); });
      });
      if (!hit) { return; }
      var size = L.geoJSON(f).getBounds();
      var area = (size.getEast() - size.getWest()) * (size.getNorth() - size.getSouth());
      if (!best || area < best.area) { best = {id: f.id, area: area}; }
    });
    return best && best.id;
  }
  var drawing = false;
  map.on("draw:drawstart", function () { drawing = true; });
  map.on("draw:drawstop", function () { drawing = false; });
  map.on("click", function (event) {
    if (drawing || !cfg.choose) { return; }
    var target = event.originalEvent && event.originalEvent.target;
    var cls = target && target.getAttribute ? target.getAttribute("class") || "" : "";
    if (/(station|report|dispatch|hazard)-marker|exposed-/.test(cls)) { return; }
    var id = zoneAt(event.latlng);
    if (id) { cfg.choose(id); }
  });

  var reportRows = [];
  var dispatchRows = [];
  function fillReportList() {
    reportList.replaceChildren();
    if (!reportRows.length && !dispatchRows.length) {
      reportList.appendChild(el("li", "暂无险情报告和调度", "empty"));
      return;
    }
    reportRows.forEach(function (f) {
      var p = f.properties;
      var li = el("li", null, "report report-" + p.severity);
      li.dataset.report = String(f.id);
      li.dataset.severity = p.severity;
      li.style.borderLeftColor = palette.severity[p.severity];
      li.append(el("strong", p.kind_name + "（" + p.severity_name + "）"), el("br"),
                document.createTextNode(p.description + " · " + p.reporter_name + " · " + p.when));
      li.addEventListener("click", function () { focus(latlngOf(f)); });
      reportList.appendChild(li);
    });
    dispatchRows.forEach(function (f) {
      var p = f.properties;
      var li = el("li", null, "dispatch dispatch-" + p.state);
      li.dataset.dispatch = String(f.id);
      li.style.borderLeftColor = palette.dispatch[p.state];
      var sent = [p.items_text, p.teams_text].filter(Boolean).join("、");
      li.append(el("strong", "调度：" + p.depot_name + " → 目的地（" + p.distance_km + " km）"), el("br"),
                document.createTextNode((sent || "—") + " · " + p.state_name + " · " + p.when));
      li.addEventListener("click", function () { focus(latlngOf(f)); });
      reportList.appendChild(li);
    });
  }

  function drawReports(features) {
    reportLayer.clearLayers();
    reportRows = features.slice().sort(function (a, b) {
      return SEVERITY_ORDER[a.properties.severity] - SEVERITY_ORDER[b.properties.severity] ||
        (a.properties.when < b.properties.when ? 1 : -1);
    });
    features.forEach(function (f) {
      var p = f.properties;
      var marker = L.circleMarker(latlngOf(f), {
        radius: p.severity === "critical" ? 11 : 9, weight: 2, color: "#ffffff",
        fillColor: palette.severity[p.severity], fillOpacity: 0.95,
        className: "report-marker report-" + f.id + " report-" + p.severity});
      tip(marker, "险情：" + p.kind_name + "（" + p.severity_name + "）· " + p.description + " · " +
        p.reporter_name + " · " + p.when + (p.event_name ? " · " + p.event_name : "")).addTo(reportLayer);
    });
    fillReportList();
  }

  function drawDispatches(features) {
    dispatchLayer.clearLayers();
    dispatchRows = features;
    features.forEach(function (f) {
      var p = f.properties;
      var colour = palette.dispatch[p.state];
      var to = latlngOf(f);
      if (p.depot_lat !== null && p.depot_lon !== null) {
        L.polyline([[p.depot_lat, p.depot_lon], to], {color: colour, weight: 2, dashArray: "6 4",
                                                      interactive: false}).addTo(dispatchLayer);
      }
      var marker = L.circleMarker(to, {radius: 8, weight: 3, color: colour, fillColor: "#ffffff",
                                       fillOpacity: 0.9, className: "dispatch-marker dispatch-" + f.id});
      var sent = [p.items_text, p.teams_text].filter(Boolean).join("、");
      tip(marker, "调度：" + p.depot_name + " → 此处（" + p.distance_km + " km）· " + (sent || "—") + " · " +
        p.state_name + " · " + p.when).addTo(dispatchLayer);
    });
    fillReportList();
  }

  function drawHazards(features) {
    hazardLayer.clearLayers();
    features.forEach(function (f) {
      var p = f.properties;
      var marker = L.circleMarker(latlngOf(f), {radius: 4, weight: 1, color: "#ffffff",
                                                fillColor: palette.hazard[p.overdue], fillOpacity: 0.9,
                                                className: "hazard-marker"});
      tip(marker, "未销号隐患：" + p.enterprise_name + " · " + p.level_name + " · " + p.status_name +
        " · 整改期限 " + p.due + (p.overdue === "overdue" ? "（逾期）" : "")).addTo(hazardLayer);
    });
  }

  function legend() {
    var node = document.getElementById("live-legend");
    var entries = [["险情（一般）", palette.severity.general], ["险情（较重）", palette.severity.serious],
                   ["险情（严重）", palette.severity.critical], ["调度目的地（队伍在外）", palette.dispatch.deployed],
                   ["调度目的地（已撤回/仅物资）", palette.dispatch.done], ["逾期隐患", palette.hazard.overdue],
                   ["整改期限内隐患", palette.hazard.on_time]];
    node.replaceChildren();
    entries.forEach(function (entry) {
      var swatch = el("span");
      swatch.style.background = entry[1];
      node.append(swatch, document.createTextNode(entry[0]));
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
    var parts = data.parts;
    if (parts.stations) { draw(parts.stations.features); fillList(parts.stations.features); }
    if (parts.zones) { zoneFeatures = parts.zones.features; }
    if (parts.zone_states) { setZoneStates(parts.zone_states); }
    if (parts.zones || parts.zone_states) { drawZones(); }
    if (parts.hazards) { drawHazards(parts.hazards.features); }
    if (parts.dispatches) { drawDispatches(parts.dispatches.features); }
    if (parts.reports) { drawReports(parts.reports.features); }
    // The parts now held, at their tags (kept ones were not re-sent: what is drawn is current).
    tags = data.tags || {};
    document.documentElement.dataset.situation = data.generated_at;
  }

  function url() {
    var known = Object.keys(tags).map(function (name) { return name + ":" + tags[name]; }).join(",");
    return known ? cfg.situation + "?" + new URLSearchParams({known: known}) : cfg.situation;
  }

  function poll() {
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    // no-store: the browser's cache neither answers nor hides the 304; the page keeps its own copy.
    fetch(url(), {headers: headers, cache: "no-store", credentials: "same-origin"})
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
  legend();
  poll();
})();
