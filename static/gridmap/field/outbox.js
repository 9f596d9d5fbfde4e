/* The outbox: records made on the phone wait here until the server has them. Each record keeps
   the client_id made with its draft, so a retried upload is the same record to the server
   (exactly once). Used by the pages and by the service worker's Background Sync. */
(function (global) {
  "use strict";
  var Store = global.GridmapStore;
  var SYNC_TAG = "gridmap-outbox";
  // Which endpoint takes which kind of record ({id}: the record's target, its task or hazard).
  var ENDPOINTS = {patrol: "/api/patrols/", inspection: "/api/inspections/tasks/{id}/inspections/",
                   reinspection: "/api/inspections/hazards/{id}/reinspections/", report: "/api/inspections/reports/",
                   situation: "/api/flood/situation-reports/", self_inspection: "/api/self-inspections/"};
  var LABELS = {patrol: "巡查记录", inspection: "检查记录", reinspection: "整改复查", report: "举报", situation: "险情报告",
                self_inspection: "企业自查"};
  var FIELD_LABELS = {lon: "经度", lat: "纬度", crs: "坐标系", patrolled_at: "巡查时间", track: "轨迹",
                      visited: "走访单位/地点", enterprise: "走访企业", notes: "巡查情况", photos: "现场照片",
                      client_id: "记录编号", inspected_at: "检查时间", inspected_on: "检查日期", items: "检查项",
                      findings: "检查情况", hazard: "隐患", task: "检查任务", passed: "复查结论",
                      source: "来源", reporter_name: "举报人", reporter_phone: "电话",
                      description: "隐患描述", level: "隐患等级", criterion_code: "判定依据", measures: "整改措施",
                      deadline: "整改期限", status: "状态", kind: "险情类型", severity: "严重程度",
                      reported_at: "报告时间", position: "位置", checked_at: "自查时间"};

  function endpoint(record) {
    return ENDPOINTS[record.kind].replace("{id}", encodeURIComponent(record.target || ""));
  }

  /* The one place that says how the phone proves who it is: a device token of the record's
     own user, an officer or an enterprise's account (Authorization: Token, no CSRF cookie needed), made once through the signed-in
     session (POST /api/auth/devices/) and kept in the store. Only the officer signed in now can
     make their token, so a record made by another officer on this phone waits for them. Without
     a token (it could not be made) the session and its CSRF token are used. */
  function deviceToken(user) {
    return Store.get("meta", "device:" + user).then(function (device) {
      if (device) { return device; }
      return Promise.all([Store.get("meta", "user"), Store.get("meta", "csrf")]).then(function (now) {
        if (!user || now[0] !== user || !now[1]) { return null; }
        return fetch("/api/auth/devices/", {
          method: "POST", credentials: "same-origin",
          headers: {"X-CSRFToken": now[1], "Content-Type": "application/json", Accept: "application/json"},
          body: JSON.stringify({name: "外勤手机 " + new Date().toISOString().slice(0, 10)})
        }).then(function (response) { return response.ok ? response.json() : null; }).then(function (made) {
          if (!made || !made.token) { return null; }
          var kept = {id: made.id, token: made.token, expires: made.expires};
          return Store.put("meta", kept, "device:" + user).then(function () { return kept; });
        });
      });
    });
  }

  function authHeaders(record) {
    var user = record && record.user;
    return deviceToken(user).then(function (device) {
      if (device) { return {"Authorization": "Token " + device.token}; }
      return Store.get("meta", "csrf").then(function (csrf) { return csrf ? {"X-CSRFToken": csrf} : {}; });
    });
  }

  function forgetDevice(user) {
    return Store.get("meta", "device:" + user).then(function (device) {
      if (!device) { return null; }
      // Best effort: a phone that signs out revokes its token; an unreachable server lets it expire.
      var revoke = fetch("/api/auth/devices/" + device.id + "/", {
        method: "DELETE", headers: {"Authorization": "Token " + device.token}}).catch(function () { return null; });
      return Promise.all([revoke, Store.remove("meta", "device:" + user)]);
    });
  }

  function notSent(record) { return record.state === "waiting" || record.state === "refused" || record.state === "sending"; }

  function list() {
    return Store.all("outbox").then(function (records) {
      return records.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }

  function count() {
    return list().then(function (records) { return records.filter(notSent).length; });
  }

  function announce() {
    if (global.BroadcastChannel) { new global.BroadcastChannel(SYNC_TAG).postMessage("changed"); }
    if (global.document) { global.dispatchEvent(new global.CustomEvent("gridmap:outbox")); }
  }

  function update(record, changes) {
    Object.keys(changes).forEach(function (key) { record[key] = changes[key]; });
    record.updated = new Date().toISOString();
    return Store.put("outbox", record).then(function () { announce(); return record; });
  }

  /* Put a record in the outbox: {kind, client_id, fields: {name: value}, photos: [Blob],
     files: {name: [Blob]} (photos under their own field, e.g. a self-check item's photo_<code>)};
     where: {target: the task's or hazard's id its endpoint names, page: the page it was made on}. */
  function add(kind, clientId, fields, photos, summary, where, files) {
    where = where || {};
    return Store.get("meta", "user").then(function (user) {
      var record = {client_id: clientId, kind: kind, fields: fields, photos: photos || [], files: files || {},
                    target: where.target || null, page: where.page || "",
                    summary: summary || "", state: "waiting", reason: "", attempts: 0, user: user || "",
                    created: new Date().toISOString(), updated: new Date().toISOString()};
      return Store.put("outbox", record).then(function () { announce(); requestSync(); return record; });
    });
  }

  function body(record) {
    var form = new FormData();
    Object.keys(record.fields).forEach(function (name) {
      var value = record.fields[name];
      if (value !== null && value !== undefined && value !== "") { form.append(name, value); }
    });
    form.append("client_id", record.client_id);
    record.photos.forEach(function (photo, i) { form.append("photos", photo, photo.name || ("photo-" + (i + 1) + ".jpg")); });
    var files = record.files || {};
    Object.keys(files).forEach(function (name) {
      files[name].forEach(function (photo, i) { form.append(name, photo, photo.name || (name + "-" + (i + 1) + ".jpg")); });
    });
    return form;
  }

  /* The server's refusal as one Chinese sentence: DRF answers {"detail": ...} or
     {field: [messages]}. */
  function reasonOf(status, payload) {
    if (payload && typeof payload === "object") {
      if (payload.detail) { return String(payload.detail); }
      var parts = [];
      Object.keys(payload).forEach(function (field) {
        var messages = [].concat(payload[field]).map(function (m) { return typeof m === "object" ? JSON.stringify(m) : m; });
        parts.push((field === "non_field_errors" ? "" : (FIELD_LABELS[field] || field) + "：") + messages.join("；"));
      });
      if (parts.length) { return parts.join("；"); }
    }
    return "服务器拒绝（" + status + "）";
  }

  function sendOne(record) {
    return update(record, {state: "sending", attempts: (record.attempts || 0) + 1}).then(function () {
      return authHeaders(record);
    }).then(function (headers) {
      headers.Accept = "application/json";
      return fetch(endpoint(record), {method: "POST", body: body(record), headers: headers,
                                            credentials: "same-origin"});
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (payload) {
        if (response.ok) {
          return update(record, {state: "sent", reason: "", server_id: payload && payload.id,
                                 sent: new Date().toISOString(), photos: []});
        }
        var reason = reasonOf(response.status, payload);
        // Signed out, or the session's CSRF token is stale: the record itself is fine.
        if (response.status === 401 || (response.status === 403 && /CSRF|认证|身份|登录|credentials/i.test(reason))) {
          // A revoked or expired device token: dropped, and a new one is made while signed in.
          return Store.remove("meta", "device:" + record.user).then(function () {
            return update(record, {state: "waiting", reason: "登录已过期，请重新登录后上传"});
          });
        }
        if (response.status >= 500) {
          return update(record, {state: "waiting", reason: "服务器暂时不可用（" + response.status + "），稍后自动重试"});
        }
        return update(record, {state: "refused", reason: reason});
      });
    }, function () {
      return update(record, {state: "waiting", reason: "没有网络，恢复网络后自动上传"});
    });
  }

  var running = null;

  /* Send every waiting record, one at a time, oldest first; one sender at a time across the
     tabs and the service worker (Web Locks where the browser has them). */
  function sendAll(options) {
    var retryRefused = options && options.retryRefused;
    if (running) { return running; }
    var work = function () {
      return list().then(function (records) {
        var queue = records.filter(function (r) {
          return r.state === "waiting" || r.state === "sending" || (retryRefused && r.state === "refused");
        });
        return queue.reduce(function (chain, record) {
          return chain.then(function () { return sendOne(record); });
        }, Promise.resolve());
      });
    };
    var locks = global.navigator && global.navigator.locks;
    running = (locks ? locks.request(SYNC_TAG, work) : work()).finally(function () { running = null; });
    return running;
  }

  function retry(clientId) {
    return Store.get("outbox", clientId).then(function (record) {
      if (!record) { return null; }
      return update(record, {state: "waiting", reason: ""}).then(function () { return sendAll(); });
    });
  }

  function discard(clientId) {
    return Store.remove("outbox", clientId).then(announce);
  }

  function requestSync() {
    var nav = global.navigator;
    if (!nav || !nav.serviceWorker || !global.document) { return; }
    nav.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register(SYNC_TAG); }
    }).catch(function () { /* no Background Sync: the online event and 上传 do it */ });
  }

  global.GridmapOutbox = {
    SYNC_TAG: SYNC_TAG, LABELS: LABELS, authHeaders: authHeaders, forgetDevice: forgetDevice, add: add, list: list, count: count,
    sendAll: sendAll, retry: retry, discard: discard, requestSync: requestSync
  };
})(self);
