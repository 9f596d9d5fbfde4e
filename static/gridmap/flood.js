/* Flood command: draw an area (Leaflet.draw) or pick a zone (list, select or map), ask the impact
   API (影响分析), zoom to the area, outline it, plot the exposed enterprises (risk colour; the
   hazardous-chemical sites as a diamond marked 危) and list them. */
(function () {
  "use strict";
  var cfg = window.gridmapFlood;
  var map = cfg.map;
  var palette = JSON.parse(document.getElementById("flood-palette").textContent);
  cfg.palette = palette;
  var drawn = new L.FeatureGroup().addTo(map);
  var exposure = L.layerGroup().addTo(map);
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

  function tip(layer, text) {
    // A text node: names are typed by people (Leaflet puts a string in as HTML).
    var label = document.createElement("span");
    label.textContent = text;
    layer.bindTooltip(label);
    return layer;
  }
  function plot(data) {
    exposure.clearLayers();
    var outline = L.geoJSON(data.area.geojson, {interactive: false, className: "chosen-area",
      style: {color: palette.chosen, weight: 3, fill: false, dashArray: null}}).addTo(exposure);
    var bounds = outline.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, {padding: [20, 20], maxZoom: 15}); }
    // Hazardous-chemical sites last, so that they lie on top.
    var rows = data.enterprises.filter(function (e) { return e.lon !== null && e.lat !== null; })
      .sort(function (a, b) { return a.hazardous_chemicals - b.hazardous_chemicals; });
    rows.forEach(function (e) {
      var colour = palette.risk[e.risk_level || ""] || palette.risk[""];
      var text = e.name + (e.hazardous_chemicals ? "（危化品）" : "") + " · " + e.risk_level_name + "风险";
      var marker;
      if (e.hazardous_chemicals) {
        var icon = L.divIcon({className: "hazchem-icon exposed-hazchem", iconSize: [16, 16],
                              html: '<span></span><b>危</b>'});
        marker = L.marker([e.lat, e.lon], {icon: icon, zIndexOffset: 500});
        marker.on("add", function () {
          var node = marker.getElement();
          if (node) { node.firstChild.style.background = colour; node.dataset.creditCode = e.credit_code; }
        });
      } else {
        marker = L.circleMarker([e.lat, e.lon], {radius: 5, weight: 1, color: "#555", fillColor: colour,
                                                 fillOpacity: 0.9, className: "exposed-enterprise"});
      }
      tip(marker, text).addTo(exposure);
    });
  }

  function show(data, body) {
    plot(data);
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
    cfg.chosenZone = null;
    analyse({geometry: event.layer.toGeoJSON().geometry});
  });
  function choose(id) {
    drawn.clearLayers();
    exposure.clearLayers();
    document.getElementById("zone").value = id ? String(id) : "";
    document.querySelectorAll("#zone-list li").forEach(function (li) {
      li.classList.toggle("zone-chosen", li.dataset.zone === String(id));
    });
    cfg.chosenZone = id ? Number(id) : null;
    if (id) { analyse({zone: Number(id)}); }
  }
  // The live map (flood_live.js) chooses a zone clicked on the map or in its list.
  cfg.choose = choose;
  document.getElementById("zone").addEventListener("change", function (event) {
    choose(event.target.value);
  });
  ["k", "distance"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () { if (last) { analyse(last); } });
  });
})();
