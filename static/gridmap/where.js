/* "Where am I": the browser's position (or typed coordinates) -> the cells kept on the phone,
   else the lookup API -> the cell and its officers. No external requests. */
(function () {
  "use strict";
  var page = window.gridmapPage || {};
  // Inline event handlers are refused by the Content-Security-Policy: wire them here.
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var result = document.getElementById("where-result");
  var form = document.getElementById("where-form");
  var marker = null;

  function show(nodes) {
    result.replaceChildren.apply(result, nodes);
  }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function showPosition(lat, lon) {
    if (!page.map || !window.L) { return; }
    if (marker) { marker.remove(); }
    // Its own marker: no layer's colour (risk, task or hazard) means "you are here".
    marker = L.marker([lat, lon], {icon: L.divIcon({className: "you-are-here", iconSize: [22, 22]}),
                                   title: "我的位置", zIndexOffset: 1000})
      .addTo(page.map).bindTooltip("我的位置");
    page.map.panTo([lat, lon]);
  }

  /* The cells kept on the phone answer first (no signal needed); the server is asked only
     about a point outside them. */
  function localCell(lon, lat) {
    if (!window.GridmapField || !window.GridmapCoords) { return Promise.resolve(null); }
    return window.GridmapField.packageData().then(function (pkg) {
      if (!pkg) { return null; }
      var cell = pkg.cells.filter(function (c) { return window.GridmapCoords.contains(c.geometry, lon, lat); })[0];
      if (!cell) { return {pkg: pkg, cell: null}; }
      var town = pkg.towns.filter(function (t) { return t.code === cell.town; })[0];
      return {pkg: pkg, cell: cell, town: town};
    }).catch(function () { return null; });
  }

  function lookup(lon, lat, crs) {
    show([text("p", "正在查询…")]);
    var x = parseFloat(lon), y = parseFloat(lat);
    if (!isFinite(x) || !isFinite(y)) { show([text("p", "请输入数字形式的经度和纬度。", "error")]); return; }
    var wgs = window.GridmapCoords ? window.GridmapCoords.toWgs84(x, y, crs || "wgs84") : [x, y];
    localCell(wgs[0], wgs[1]).then(function (found) {
      if (found && found.cell) {
        show([
          text("p", "您位于 " + found.cell.name + "（" + found.cell.code + "）", "where-cell"),
          text("p", "所属一级网格：" + (found.town ? found.town.name + "（" + found.town.code + "）" : found.cell.town)),
          text("p", "这是您负责的网格。", "ok")
        ]);
        showPosition(wgs[1], wgs[0]);
        return;
      }
      serverLookup(lon, lat, crs, Boolean(found));
    });
  }

  function serverLookup(lon, lat, crs, outsideMine) {
    var url = "/api/grids/lookup/?lon=" + encodeURIComponent(lon) + "&lat=" + encodeURIComponent(lat) +
              "&crs=" + encodeURIComponent(crs || "wgs84");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, status: response.status, body: body}; });
      })
      .then(function (r) {
        if (!r.ok) { show([text("p", (r.body && r.body.detail) || ("查询失败（" + r.status + "）"), "error")]); return; }
        var cell = r.body;
        var mine = (page.myCells || []).indexOf(cell.code) >= 0;
        var nodes = [
          text("p", "您位于 " + cell.name + "（" + cell.code + "）", "where-cell"),
          text("p", "所属一级网格：" + cell.parent.name + "（" + cell.parent.code + "）"),
          text("p", mine ? "这是您负责的网格。" : "这不是您负责的网格。", mine ? "ok" : "warn")
        ];
        var list = document.createElement("ul");
        cell.officers.forEach(function (o) {
          list.appendChild(text("li", (o.role === "substitute" ? "代岗网格员：" : "网格员：") + o.name + (o.phone ? "（" + o.phone + "）" : "")));
        });
        if (!cell.officers.length) { list.appendChild(text("li", "该网格暂无在岗网格员")); }
        nodes.push(list);
        show(nodes);
        showPosition(cell.lat, cell.lon);
      })
      .catch(function (error) {
        var why = window.GridmapField ? window.GridmapField.chineseError(error) : error.message;
        show([text("p", outsideMine ? "此位置不在您负责的网格内；" + why + "，暂时无法查询其他网格。"
                                    : "查询失败：" + why, "warn")]);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    lookup(form.lon.value.trim(), form.lat.value.trim(), form.crs.value);
  });

  var button = document.getElementById("where-am-i");
  if (button) {
    button.addEventListener("click", function () {
      document.getElementById("where").scrollIntoView({behavior: "smooth"});
      if (!navigator.geolocation) { show([text("p", "此浏览器不支持定位，请手动输入坐标。", "warn")]); return; }
      show([text("p", "正在定位…")]);
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.lon.value = pos.coords.longitude.toFixed(6);
        form.lat.value = pos.coords.latitude.toFixed(6);
        form.crs.value = "wgs84";
        lookup(form.lon.value, form.lat.value, "wgs84");
      }, function (error) {
        var why = window.GridmapField ? window.GridmapField.chineseError(error) : error.message;
        show([text("p", why + "，请手动输入坐标。", "warn")]);
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }
})();
