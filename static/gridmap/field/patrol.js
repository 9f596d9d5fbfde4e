/* The patrol form on the phone: position and track from the browser; the draft, the photos
   and the outbox are the shared record form's (record_form.js). */
(function () {
  "use strict";
  var Field = window.GridmapField, RecordForm = window.GridmapRecordForm;
  var form = document.getElementById("patrol-form");
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var crs = document.getElementById("id_crs"), status = document.getElementById("locate-status");
  var track = document.getElementById("id_track"), trackStatus = document.getElementById("track-status");
  var trackButton = document.getElementById("track-toggle");
  var points = [], watch = null;

  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此浏览器不支持定位，请手动输入。"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      crs.value = "wgs84";
      form.dispatchEvent(new Event("change"));
      status.textContent = "已定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
    }, function (error) { status.textContent = Field.chineseError(error) + "，请手动输入。"; },
    {enableHighAccuracy: true, timeout: 15000, maximumAge: 30000});
  });

  trackButton.addEventListener("click", function () {
    if (watch !== null) {
      navigator.geolocation.clearWatch(watch);
      watch = null;
      trackButton.textContent = "开始记录轨迹";
      return;
    }
    if (!navigator.geolocation) { trackStatus.textContent = "此浏览器不支持定位。"; return; }
    crs.value = "wgs84";
    points = track.value ? JSON.parse(track.value) : [];
    watch = navigator.geolocation.watchPosition(function (pos) {
      points.push([+pos.coords.longitude.toFixed(6), +pos.coords.latitude.toFixed(6)]);
      track.value = JSON.stringify(points);
      if (!lon.value) { lon.value = points[0][0]; lat.value = points[0][1]; }
      form.dispatchEvent(new Event("change"));
      trackStatus.textContent = "已记录 " + points.length + " 个轨迹点";
    }, function (error) { trackStatus.textContent = "定位失败：" + Field.chineseError(error); },
    {enableHighAccuracy: true, maximumAge: 5000});
    trackButton.textContent = "停止记录轨迹";
  });

  function summary(fields) {
    var select = document.getElementById("id_enterprise");
    var name = fields.enterprise && select.selectedOptions[0] ? select.selectedOptions[0].textContent : "";
    return (fields.patrolled_at || "").replace("T", " ") + " · " + (fields.visited || name || "巡查");
  }

  RecordForm.attach(form, {
    kind: "patrol", label: "巡查记录", summary: summary,
    fields: function (values) { return values; },
    sentPage: function (record) { return "/patrols/" + record.server_id + "/"; },
    afterQueued: function () { track.value = ""; points = []; }
  });
})();
