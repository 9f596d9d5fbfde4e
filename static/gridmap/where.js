/* "Where am I": the browser's position (or typed coordinates) -> the lookup API -> the cell
   and its officers. No external requests. */
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

  function lookup(lon, lat, crs) {
    show([text("p", "正在查询…")]);
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
        if (page.map && window.L) {
          if (marker) { marker.remove(); }
          marker = L.circleMarker([cell.lat, cell.lon], {radius: 8, color: "#d32f2f", fillOpacity: 0.8})
            .addTo(page.map).bindTooltip("我的位置");
          page.map.panTo([cell.lat, cell.lon]);
        }
      })
      .catch(function (error) { show([text("p", "查询失败：" + error.message, "error")]); });
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
        show([text("p", "无法获取位置（" + error.message + "），请手动输入坐标。", "warn")]);
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }
})();
