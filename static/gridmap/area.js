/* Assigning inspections by area: draw a polygon (Leaflet.draw) or click cells; the enterprises
   inside are listed with a box each (all ticked; the filters narrow the list, single ones can be
   unticked); "分配" asks the server what it would create (preview), asks "分配 N 家企业？", and
   only on confirmation posts exactly the ticked enterprises. */
(function () {
  "use strict";
  var cfg = window.gridmapArea;
  var map = cfg.map;
  var form = document.getElementById("area-form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var summary = document.getElementById("area-summary");
  var list = document.getElementById("area-list");
  var loads = document.querySelector("#loads tbody");
  var assignee = document.getElementById("assignee");
  var button = document.getElementById("assign-button");
  var confirmBox = document.getElementById("assign-confirm");
  var result = document.getElementById("assign-result");
  var drawn = new L.FeatureGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var cells = {};
  var polygon = null;
  var found = [];          // the enterprises of the last preview
  var ticked = {};         // id -> true
  var pending = null;      // the body confirmed by "确认分配"

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

  // What the enterprise marks mean: their risk colour, and a dark ring for an open task.
  var legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "gridmap-legend area-legend");
    div.appendChild(el("strong", "区域内企业"));
    JSON.parse(document.getElementById("risk-legend").textContent).forEach(function (entry) {
      var row = el("div");
      var swatch = row.appendChild(el("i", undefined, "swatch swatch-point"));
      swatch.style.background = entry.colour;
      swatch.style.borderColor = "#333";
      row.appendChild(document.createTextNode("风险" + entry.label));
      div.appendChild(row);
    });
    var open = el("div");
    open.appendChild(el("i", undefined, "swatch swatch-point open-task-mark"));
    open.appendChild(document.createTextNode("已有未完成任务"));
    div.appendChild(open);
    return div;
  };
  legend.addTo(map);

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

  function tickedIds() {
    return found.filter(function (e) { return ticked[e.id]; }).map(function (e) { return e.id; });
  }

  function counted() {
    var n = tickedIds().length;
    summary.replaceChildren(el("p", "区域内企业 " + found.length + " 家，已勾选 " + n + " 家", "area-count"));
    button.disabled = n === 0;
    button.textContent = n ? "分配所选 " + n + " 家企业" : "分配所选企业";
    hideConfirm();
  }

  function hideConfirm() { confirmBox.hidden = true; pending = null; }

  function renderList() {
    var table = el("table", undefined, "list area-table");
    var head = table.createTHead().insertRow();
    var all = el("input");
    all.type = "checkbox";
    all.checked = true;
    all.id = "tick-all";
    all.title = "全选";
    all.setAttribute("aria-label", "全选");
    head.appendChild(el("th")).appendChild(all);
    ["企业", "网格", "风险", "上次检查", "未完成任务"].forEach(function (t) { head.appendChild(el("th", t)); });
    var tbody = table.createTBody();
    found.forEach(function (e) {
      var row = tbody.insertRow();
      var box = el("input");
      box.type = "checkbox";
      box.name = "enterprise";
      box.value = e.id;
      box.checked = !!ticked[e.id];
      box.setAttribute("aria-label", e.name);
      box.addEventListener("change", function () {
        if (box.checked) { ticked[e.id] = true; } else { delete ticked[e.id]; }
        counted();
      });
      row.insertCell().appendChild(box);
      row.insertCell().textContent = e.name;
      row.insertCell().textContent = e.cell_name;
      var risk = row.insertCell();
      risk.appendChild(el("span", "●")).style.color = e.colour;
      risk.appendChild(document.createTextNode(e.risk_level_name));
      row.insertCell().textContent = e.last_inspected || "从未";
      row.insertCell().textContent = e.open_task_due ? "期限 " + e.open_task_due : "—";
    });
    all.addEventListener("change", function () {
      ticked = {};
      if (all.checked) { found.forEach(function (e) { ticked[e.id] = true; }); }
      tbody.querySelectorAll("input[name=enterprise]").forEach(function (b) { b.checked = all.checked; });
      counted();
    });
    list.replaceChildren(table);
  }

  function refresh() {
    markers.clearLayers();
    result.replaceChildren();
    hideConfirm();
    if (!polygon && !Object.keys(cells).length) {
      found = [];
      ticked = {};
      summary.replaceChildren(el("p", "尚未选择区域", "empty"));
      list.replaceChildren(el("p", "—", "empty"));
      button.disabled = true;
      return;
    }
    summary.replaceChildren(el("p", "查询中…"));
    post("/api/inspections/area/enterprises/", query()).then(function (res) {
      if (!res.ok) { summary.replaceChildren(el("p", problem(res.data), "error")); button.disabled = true; return; }
      var data = res.data;
      found = data.enterprises;
      ticked = {};
      found.forEach(function (e) { ticked[e.id] = true; });
      renderList();
      counted();
      if (data.truncated) { summary.appendChild(el("p", "仅列出前 5000 家，请缩小区域", "warn")); }
      found.forEach(function (e) {
        L.circleMarker([e.lat, e.lon], {radius: e.open_task_due ? 6 : 4, color: e.open_task_due ? "#000" : "#333",
                                        weight: e.open_task_due ? 3 : 1, fillColor: e.colour, fillOpacity: 0.9})
          // A node, not a string: Leaflet puts a string tooltip in as HTML.
          .bindTooltip(el("span", e.name)).addTo(markers);
      });
      loads.replaceChildren();
      var chosen = assignee.value;
      assignee.querySelectorAll("option[value]:not([value=''])").forEach(function (o) { o.remove(); });
      data.loads.forEach(function (p) {
        var row = loads.insertRow();
        [p.name + "（" + p.username + "）", p.cells.join("、"), p.open, p.overdue].forEach(function (v) {
          row.insertCell().textContent = v;
        });
        var option = el("option", p.name + "（" + p.cells.join("、") + "）· 未完成 " + p.open + " · 逾期 " + p.overdue);
        option.value = p.username;
        assignee.appendChild(option);
      });
      assignee.value = chosen;
      if (assignee.value !== chosen) { assignee.value = ""; }
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
  assignee.addEventListener("change", hideConfirm);
  document.getElementById("due-date").addEventListener("change", hideConfirm);
  document.getElementById("clear-area").addEventListener("click", function () {
    drawn.clearLayers();
    polygon = null;
    if (cfg.cells) { cfg.cells.eachLayer(function (l) { cfg.cells.resetStyle(l); }); }
    cells = {};
    refresh();
  });

  function assignBody(preview) {
    var body = query();
    body.due_date = document.getElementById("due-date").value;
    if (assignee.value) { body.assignee = assignee.value; }
    body.enterprises = tickedIds();
    body.preview = preview;
    return body;
  }

  // The batch just made, with its undo button, at the top of today's batches.
  function listBatch(id, count) {
    var panel = document.getElementById("batches");
    var ul = panel.querySelector("ul.batches");
    if (!ul) {
      ul = el("ul", undefined, "batches");
      var none = panel.querySelector("p.empty");
      if (none) { none.replaceWith(ul); } else { panel.appendChild(ul); }
    }
    var item = el("li", "刚才 · " + count + " 项 ");
    var undo = el("form", undefined, "inline");
    undo.method = "post";
    undo.action = cfg.undoUrl.replace("/0/", "/" + id + "/");
    var token = el("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrf;
    undo.appendChild(token);
    var submit = el("button", "撤销该批次", "button");
    submit.type = "submit";
    submit.id = "undo-batch";
    undo.appendChild(submit);
    item.appendChild(undo);
    ul.prepend(item);
  }

  // Step one: the server says what it would create; nothing is written.
  button.addEventListener("click", function () {
    var body = assignBody(true);
    button.disabled = true;
    result.replaceChildren(el("p", "核对中…"));
    post("/api/inspections/area/assign/", body).then(function (res) {
      button.disabled = false;
      result.replaceChildren();
      if (!res.ok) { result.replaceChildren(el("p", "未分配：" + problem(res.data), "error")); return; }
      var data = res.data;
      document.getElementById("confirm-question").textContent = "分配 " + data.selected + " 家企业？";
      var detail = document.getElementById("confirm-detail");
      detail.replaceChildren(el("p", "将" + data.summary, "hint"));
      var people = el("ul", undefined, "confirm-people");
      data.per_assignee.forEach(function (p) { people.appendChild(el("li", p.name + "（" + p.username + "）" + p.count + " 项")); });
      if (data.per_assignee.length) { detail.appendChild(people); }
      pending = body;
      pending.preview = false;
      confirmBox.hidden = false;
      document.getElementById("confirm-button").disabled = data.created === 0;
    });
  });

  document.getElementById("cancel-button").addEventListener("click", hideConfirm);

  // Step two: exactly the ticked enterprises, as confirmed.
  document.getElementById("confirm-button").addEventListener("click", function () {
    if (!pending) { return; }
    var body = pending;
    hideConfirm();
    button.disabled = true;
    result.replaceChildren(el("p", "分配中…"));
    post("/api/inspections/area/assign/", body).then(function (res) {
      button.disabled = false;
      if (!res.ok) { result.replaceChildren(el("p", "未分配：" + problem(res.data), "error")); return; }
      var done = el("p", res.data.summary, "ok assign-done");
      if (res.data.batch) { listBatch(res.data.batch, res.data.created); }
      if (cfg.tasks) { cfg.tasks.clearLayers(); gridmap.load(cfg.tasks, "/api/layers/tasks.geojson", false, map); }
      refresh();
      result.replaceChildren(done);
    });
  });
})();
