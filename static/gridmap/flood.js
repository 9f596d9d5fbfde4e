/* Flood command: draw an area (Leaflet.draw) or pick a zone, ask the impact API (影响分析), list it. */
(function () {
  "use strict";
  var cfg = window.gridmapFlood;
  var map = cfg.map;
  var drawn = new L.FeatureGroup().addTo(map);
  var last = null;

  L.drawLocal.draw.toolbar.buttons.polygon = "绘制淹没范围";
  map.addControl(new L.Control.Draw({
    position: "topleft",
    draw: {polygon: {allowIntersection: false, showArea: false, shapeOptions: {color: "#d50000", weight: 2}},
           polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false},
    edit: false
  }));

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function fill(id, rows, render, empty) {
    var list = document.getElementById(id);
    list.replaceChildren();
    if (!rows.length) { list.appendChild(el("li", empty, "empty")); return; }
    rows.forEach(function (row) { list.appendChild(render(row)); });
  }
  function metres(value) { return Math.round(value).toLocaleString("zh-CN") + " m"; }
  function params() {
    return {k: Number(document.getElementById("k").value) || 5,
            distance_m: Number(document.getElementById("distance").value) || 0};
  }
  function query(body) {
    var p = params();
    var q = new URLSearchParams({k: p.k, distance_m: p.distance_m});
    if (body.zone) { q.set("zone", body.zone); } else { q.set("geometry", JSON.stringify(body.geometry)); }
    return q.toString();
  }

  function show(data, body) {
    var status = document.getElementById("impact-status");
    status.hidden = true;
    document.getElementById("impact").hidden = false;
    var t = data.totals;
    document.getElementById("impact-summary").textContent =
      (data.zone ? data.zone.name + "：" : "绘制范围：") + "企业 " + t.enterprises + " 家（涉危化品 " +
      t.hazardous + " 家），风险点 " + t.risk_points + " 个（重大 " + t.major + "，较大 " + t.large +
      "），涉及二级网格 " + data.grids.filter(function (g) { return g.rollup === 0; }).length + " 个";
    var links = document.getElementById("impact-links");
    links.replaceChildren();
    var q = query(body);
    var page = el("a", "查看详情", "button"); page.href = cfg.page + "?" + q; page.id = "impact-page";
    var pdf = el("a", "下载简报（PDF）", "button"); pdf.href = cfg.pdf + "?" + q;
    links.append(page, " ", pdf);
    fill("impact-list", data.enterprises.slice(0, 200), function (e) {
      var li = el("li", e.name + (e.hazardous_chemicals ? "（危化品）" : "") + " · " + e.risk_level_name +
                  "风险 · " + (e.cell_name || "未划入网格"), e.hazardous_chemicals ? "hazardous" : "");
      li.dataset.creditCode = e.credit_code;
      return li;
    }, "范围内没有企业");
    fill("depot-list", data.depots, function (d) {
      var stock = d.items.map(function (i) {
        return i.name + " " + i.quantity + i.unit + (i.below_minimum ? "（低于最低储备）" : "");
      }).join("；");
      return el("li", d.name + " · " + metres(d.distance_m) + " · " + d.manager + " " + d.phone + " · " + stock);
    }, "没有仓库");
    fill("pump-list", data.pumping_stations, function (s) {
      return el("li", s.name + " · " + (s.inside ? "范围内" : "相距 " + metres(s.distance_m)) + " · " +
                s.design_flow_m3s + " m³/s");
    }, "范围内及附近没有泵站");
    var people = data.zones.map(function (z) { return z.kind_name + "责任人 " + z.responsible_person + " " + z.phone + "（" + z.name + "）"; })
      .concat(data.people.map(function (p) { return p.role_name + " " + p.name + " " + p.phone + "（" + p.grid_name + "）"; }));
    fill("people-list", people, function (text) { return el("li", text); }, "无");
  }

  function analyse(body) {
    last = body;
    var status = document.getElementById("impact-status");
    status.hidden = false;
    status.textContent = "分析中…";
    document.getElementById("impact").hidden = true;
    var request = Object.assign({}, body, params());
    var options = {credentials: "same-origin", headers: {"Accept": "application/json"}};
    var url = cfg.api;
    if (body.zone) {
      url += "?" + new URLSearchParams({zone: body.zone, k: request.k, distance_m: request.distance_m});
    } else {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = document.querySelector("input[name=csrfmiddlewaretoken]").value;
      options.body = JSON.stringify(request);
    }
    fetch(url, options)
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(JSON.stringify(data)); }
          return data;
        });
      })
      .then(function (data) { show(data, body); })
      .catch(function (error) { status.textContent = "分析失败：" + error.message; });
  }

  map.on(L.Draw.Event.CREATED, function (event) {
    drawn.clearLayers();
    drawn.addLayer(event.layer);
    document.getElementById("zone").value = "";
    analyse({geometry: event.layer.toGeoJSON().geometry});
  });
  document.getElementById("zone").addEventListener("change", function (event) {
    drawn.clearLayers();
    if (event.target.value) { analyse({zone: Number(event.target.value)}); }
  });
  ["k", "distance"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () { if (last) { analyse(last); } });
  });
})();
