/* Assigning inspections by area: draw a polygon (Leaflet.draw) or click cells, preview the
   enterprises inside with the filters, assign them in one request. */
(function () {
  "use strict";
  var cfg = window.gridmapArea;
  var map = cfg.map;
  var form = document.getElementById("area-form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var summary = document.getElementById("area-summary");
  var list = document.getElementById("area-list");
  var loads = document.querySelector("#loads tbody");
  var button = document.getElementById("assign-button");
  var result = document.getElementById("assign-result");
  var drawn = new L.FeatureGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var cells = {};
  var polygon = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  map.addControl(new L.Control.Draw({
    position: "topleft",
    draw: {polygon: {allowIntersection: false, showArea: false}, polyline: false, rectangle: false,
           circle: false, marker: false, circlemarker: false},
    edit: {featureGroup: drawn, remove: true}
  }));

  function query() {
    var body = {};
    new FormData(form).forEach(function (value, key) {
      if (value && key !== "csrfmiddlewaretoken") { body[key] = value; }
    });
    if (polygon) { body.polygon = polygon; }
    var codes = Object.keys(cells);
    if (codes.length) { body.cells = codes; }
    return body;
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
                       headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                       body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); });
  }

  function problem(data) {
    if (!data) { return "请求失败"; }
    return Object.keys(data).map(function (k) { return [].concat(data[k]).join(" "); }).join("；");
  }

  function refresh() {
    markers.clearLayers();
    result.replaceChildren();
    if (!polygon && !Object.keys(cells).length) {
      summary.replaceChildren(el("p", "尚未选择区域", "empty"));
      list.replaceChildren(el("p", "—", "empty"));
      button.disabled = true;
      return;
    }
    summary.replaceChildren(el("p", "查询中…"));
    post("/api/inspections/area/enterprises/", query()).then(function (res) {
      if (!res.ok) { summary.replaceChildren(el("p", problem(res.data), "error")); button.disabled = true; return; }
      var data = res.data;
      summary.replaceChildren(el("p", "区域内企业 " + data.count + " 家" + (data.truncated ? "（仅显示前 5000 家）" : ""),
                                 "area-count"));
      button.disabled = data.count === 0;
      var table = el("table", undefined, "list");
      var head = table.createTHead().insertRow();
      ["企业", "网格", "风险", "上次检查", "未完成任务"].forEach(function (t) { head.appendChild(el("th", t)); });
      var tbody = table.createTBody();
      data.enterprises.slice(0, 300).forEach(function (e) {
        var row = tbody.insertRow();
        row.insertCell().textContent = e.name;
        row.insertCell().textContent = e.cell_name;
        var risk = row.insertCell();
        risk.appendChild(el("span", "●")).style.color = e.colour;
        risk.appendChild(document.createTextNode(e.risk_level_name));
        row.insertCell().textContent = e.last_inspected || "从未";
        row.insertCell().textContent = e.open_task_due ? "期限 " + e.open_task_due : "—";
      });
      data.enterprises.forEach(function (e) {
        L.circleMarker([e.lat, e.lon], {radius: 4, color: "#333", weight: 1, fillColor: e.colour, fillOpacity: 0.9})
          // A node, not a string: Leaflet puts a string tooltip in as HTML.
          .bindTooltip(el("span", e.name)).addTo(markers);
      });
      list.replaceChildren(table);
      if (data.enterprises.length > 300) { list.appendChild(el("p", "列表仅显示前 300 家", "hint")); }
      loads.replaceChildren();
      data.loads.forEach(function (p) {
        var row = loads.insertRow();
        [p.name + "（" + p.username + "）", p.cells.join("、"), p.open, p.overdue].forEach(function (v) {
          row.insertCell().textContent = v;
        });
      });
    });
  }

  map.on(L.Draw.Event.CREATED, function (event) {
    drawn.clearLayers();
    drawn.addLayer(event.layer);
    polygon = event.layer.toGeoJSON().geometry;
    refresh();
  });
  map.on(L.Draw.Event.EDITED, function () {
    var layers = drawn.getLayers();
    polygon = layers.length ? layers[0].toGeoJSON().geometry : null;
    refresh();
  });
  map.on(L.Draw.Event.DELETED, function () { polygon = null; refresh(); });

  if (cfg.cells) {
    cfg.cells.on("click", function (event) {
      event.layer.closePopup();
      var code = event.layer.feature.properties.code;
      if (cells[code]) { cfg.cells.resetStyle(event.layer); delete cells[code]; }
      else { cells[code] = true; event.layer.setStyle({color: "#0d47a1", weight: 3, fillOpacity: 0.3}); }
      refresh();
    });
  }
  form.addEventListener("change", refresh);
  document.getElementById("clear-area").addEventListener("click", function () {
    drawn.clearLayers();
    polygon = null;
    if (cfg.cells) { cfg.cells.eachLayer(function (l) { cfg.cells.resetStyle(l); }); }
    cells = {};
    refresh();
  });

  button.addEventListener("click", function () {
    var body = query();
    body.due_date = document.getElementById("due-date").value;
    var assignee = document.getElementById("assignee").value.trim();
    if (assignee) { body.assignee = assignee; }
    button.disabled = true;
    result.replaceChildren(el("p", "分配中…"));
    post("/api/inspections/area/assign/", body).then(function (res) {
      button.disabled = false;
      if (!res.ok) { result.replaceChildren(el("p", "未分配：" + problem(res.data), "error")); return; }
      result.replaceChildren(el("p", res.data.summary, "ok assign-done"));
      if (cfg.tasks) { cfg.tasks.clearLayers(); gridmap.load(cfg.tasks, "/api/layers/tasks.geojson", false, map); }
      refresh();
      result.replaceChildren(el("p", res.data.summary, "ok assign-done"));
    });
  });
})();
