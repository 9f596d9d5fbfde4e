/* The patrol form on the phone: position and track from the browser, the draft kept as the
   officer types (photos included), and the record put in the outbox on submit, sent at once
   when there is signal and later by itself when there is not. */
(function () {
  "use strict";
  var Drafts = window.GridmapDrafts, Outbox = window.GridmapOutbox, Field = window.GridmapField;
  var form = document.getElementById("patrol-form");
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var crs = document.getElementById("id_crs"), status = document.getElementById("locate-status");
  var track = document.getElementById("id_track"), trackStatus = document.getElementById("track-status");
  var trackButton = document.getElementById("track-toggle");
  var when = document.getElementById("id_patrolled_at");
  var photoInput = document.getElementById("id_photos"), photoList = document.getElementById("photo-list");
  var result = document.getElementById("patrol-result");
  var points = [], watch = null;

  /* Now on the wall clock of the district (Asia/Shanghai), as a datetime-local value: a page
     kept for working offline was rendered hours ago. */
  function nowInDistrict() {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
                                      hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }

  function say(text, cls) {
    result.textContent = text;
    result.className = cls || "";
    result.hidden = !text;
  }

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

  var draft = Drafts.attach(form, {maxPhotos: 6});

  function showPhotos() {
    photoList.replaceChildren();
    draft.draft.photos.forEach(function (photo, index) {
      var item = document.createElement("li"), img = document.createElement("img"), remove = document.createElement("button");
      img.src = URL.createObjectURL(photo);
      img.alt = "照片 " + (index + 1);
      remove.type = "button"; remove.className = "button"; remove.textContent = "删除";
      remove.addEventListener("click", function () { draft.removePhoto(index).then(showPhotos); });
      item.append(img, remove);
      photoList.appendChild(item);
    });
  }

  draft.ready.then(function (state) {
    if (!state.restored) { when.value = nowInDistrict(); return draft.save(); }
    showPhotos();
    say("已恢复未提交的草稿。", "hint");
  });

  // Scaling takes a moment: a submit right after choosing photos waits for them.
  var photosPending = Promise.resolve();
  photoInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(photoInput.files);
    photosPending = photosPending.then(function () { return draft.addPhotos(files); })
      .then(function () { photoInput.value = ""; showPhotos(); });
  });

  function summary(fields) {
    var select = document.getElementById("id_enterprise");
    var name = fields.enterprise && select.selectedOptions[0] ? select.selectedOptions[0].textContent : "";
    return (fields.patrolled_at || "").replace("T", " ") + " · " + (fields.visited || name || "巡查");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    photosPending.then(draft.save).then(function () {
      var d = draft.draft, fields = Drafts.values(form);
      if (!fields.patrolled_at) { fields.patrolled_at = nowInDistrict(); }
      var clientId = d.client_id;
      return Outbox.add("patrol", clientId, fields, d.photos, summary(fields)).then(function () {
        return Outbox.sendAll();
      }).then(function () {
        return window.GridmapStore.get("outbox", clientId);
      }).then(function (record) {
        if (record.state === "sent") {
          return draft.clear().then(function () {
            sessionStorage.setItem("gridmap-flash", "巡查记录已保存");
            location.assign("/patrols/" + record.server_id + "/");
          });
        }
        if (record.state === "refused") {
          // Refused at once, with signal: nothing was created; the officer corrects the draft.
          return Outbox.discard(clientId).then(function () { say("未保存：" + record.reason, "error"); });
        }
        return draft.clear().then(function () { return draft.fresh(); }).then(function () {
          form.reset();
          when.value = nowInDistrict();
          track.value = "";
          showPhotos();
          return Outbox.count();
        }).then(function (n) {
          say("没有网络：巡查记录已放入待上传（共 " + n + " 条），恢复网络后自动上传。", "warn");
        });
      });
    }).catch(function (error) {
      say("保存失败：" + Field.chineseError(error), "error");
    }).finally(function () { button.disabled = false; Field.showCount(); });
  });
})();
