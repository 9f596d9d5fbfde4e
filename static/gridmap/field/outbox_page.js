/* The outbox page: every record on this phone not yet removed, its state, retry and discard. */
(function () {
  "use strict";
  var Outbox = window.GridmapOutbox;
  var list = document.getElementById("outbox-list"), empty = document.getElementById("outbox-empty");
  var STATES = {waiting: "等待上传", sending: "正在上传", refused: "被拒绝", sent: "已上传"};
  var OPEN = {inspection: "查看任务", reinspection: "查看隐患"};

  var clock = new Intl.DateTimeFormat("zh-CN", {timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
                                                day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function button(text, action) {
    var b = el("button", text, "button");
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }

  function render() {
    return Outbox.list().then(function (records) {
      list.replaceChildren();
      empty.hidden = records.length > 0;
      records.forEach(function (record) {
        var item = el("li", "", "outbox-item state-" + record.state);
        item.setAttribute("data-client-id", record.client_id);
        item.appendChild(el("strong", (Outbox.LABELS[record.kind] || record.kind) + " · " + record.summary));
        var state = el("span", STATES[record.state] || record.state, "outbox-state");
        state.setAttribute("data-state", record.state);
        item.appendChild(state);
        var files = record.files || {};
        var photos = Object.keys(files).reduce(function (n, name) { return n + files[name].length; },
                                               (record.photos || []).length);
        item.appendChild(el("span", "保存于 " + clock.format(new Date(record.created)) +
                             (photos ? " · 照片 " + photos + " 张" : "") +
                             (record.attempts ? " · 已尝试 " + record.attempts + " 次" : ""), "hint"));
        if (record.reason) { item.appendChild(el("p", record.reason, record.state === "refused" ? "error" : "warn")); }
        var actions = el("div", "", "actions");
        var shown = record.kind === "patrol" && record.server_id ? "/patrols/" + record.server_id + "/" : record.page;
        if (shown && (record.state === "sent" || record.kind !== "patrol")) {
          // A refused inspection or re-inspection: its task or hazard page shows what changed.
          var link = el("a", record.state === "sent" ? "查看记录" : OPEN[record.kind] || "查看", "button");
          link.href = shown;
          actions.appendChild(link);
        }
        if (record.state === "refused" || record.state === "waiting") {
          actions.appendChild(button("重试", function () { Outbox.retry(record.client_id).then(render); }));
        }
        actions.appendChild(button(record.state === "sent" ? "移除" : "放弃", function () {
          if (record.state !== "sent" && !window.confirm("放弃后这条记录不会上传，确定吗？")) { return; }
          Outbox.discard(record.client_id).then(render);
        }));
        item.appendChild(actions);
        list.appendChild(item);
      });
    });
  }

  window.addEventListener("gridmap:outbox", render);
  if (window.BroadcastChannel) { new BroadcastChannel(Outbox.SYNC_TAG).addEventListener("message", render); }
  render();
})();
