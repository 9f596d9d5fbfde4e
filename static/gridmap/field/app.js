/* The officer's phone app on every signed-in page: the service worker, the outbox count, the
   cell package and what the phone keeps of it for working without signal. */
(function () {
  "use strict";
  var Store = window.GridmapStore, Outbox = window.GridmapOutbox;
  var PAGES = "gridmap-pages", DATA = "gridmap-data";
  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  var small = window.matchMedia("(max-width: 600px)");

  /* Browser messages in Chinese: fetch failures and geolocation errors. */
  function chineseError(error) {
    if (error && typeof error.code === "number" && "PERMISSION_DENIED" in error) {
      return {1: "您未允许本网站使用定位，请在浏览器设置中允许定位后重试",
              2: "暂时无法获取位置（没有定位信号）",
              3: "定位超时，请到开阔处重试"}[error.code] || "无法获取位置";
    }
    var text = (error && error.message) || String(error || "");
    if (/Failed to fetch|NetworkError|Load failed|network/i.test(text)) { return "网络不可用，无法连接服务器"; }
    if (/abort/i.test(text)) { return "请求已取消"; }
    return text || "未知错误";
  }

  function showCount() {
    return Outbox.count().then(function (n) {
      document.querySelectorAll("[data-outbox-count]").forEach(function (el) { el.textContent = String(n); });
      document.querySelectorAll(".outbox-link").forEach(function (el) { el.classList.toggle("has-waiting", n > 0); });
      return n;
    });
  }

  function flash() {
    var text = sessionStorage.getItem("gridmap-flash");
    if (!text) { return; }
    sessionStorage.removeItem("gridmap-flash");
    var list = document.createElement("ul"), item = document.createElement("li");
    list.className = "messages"; item.className = "success"; item.textContent = text;
    list.appendChild(item);
    document.querySelector("main").before(list);
  }

  function send() {
    return Outbox.sendAll().then(showCount, showCount);
  }

  /* The layer data this page loaded before the service worker took control of it. */
  function pageData() {
    var seen = {};
    performance.getEntriesByType("resource").forEach(function (entry) {
      var url = new URL(entry.name);
      if (url.origin === location.origin && /^\/(api\/layers|tiles)\//.test(url.pathname)) { seen[url.pathname + url.search] = true; }
    });
    return Object.keys(seen);
  }

  function ready() { body.setAttribute("data-offline-ready", ""); }

  function fromStore() {
    return Store.get("meta", "package").then(function (entry) {
      if (entry && entry.user === user && entry.cached) {
        ready();
        window.dispatchEvent(new CustomEvent("gridmap:package", {detail: entry.data}));
      }
    });
  }

  /* The service worker refreshes the package and keeps its pages and tiles (see sw-main.js);
     the answer comes when everything is kept. */
  function refreshPackage(registration, controlled) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      registration.active.postMessage({type: "refresh", user: user, data: controlled ? [] : pageData()},
                                      [channel.port2]);
    }).then(fromStore);
  }

  /* Signing out removes the kept pages and data; the outbox stays: its records are the
     person's who made them, sent with their session when they sign in again. */
  function forget() {
    return Promise.all([caches.delete(PAGES), caches.delete(DATA), Store.remove("meta", "package"),
                        Outbox.forgetDevice(user), Store.remove("meta", "user")]);
  }

  function collapseControls() {
    if (!small.matches) { return; }
    document.querySelectorAll(".leaflet-control-layers").forEach(function (control) {
      control.classList.remove("leaflet-control-layers-expanded");
      var toggle = control.querySelector(".leaflet-control-layers-toggle");
      if (toggle) {
        toggle.setAttribute("aria-label", "图层");
        toggle.title = "图层";
        toggle.addEventListener("click", function (event) {
          event.preventDefault();
          control.classList.toggle("leaflet-control-layers-expanded");
        });
      }
    });
    document.querySelectorAll(".gridmap-legend").forEach(function (legend) {
      legend.classList.add("collapsed");
      var heading = legend.querySelector("strong");
      if (heading) {
        heading.setAttribute("role", "button");
        heading.tabIndex = 0;
        heading.addEventListener("click", function () { legend.classList.toggle("collapsed"); });
      }
    });
  }

  window.GridmapField = {chineseError: chineseError, showCount: showCount, send: send,
                         packageData: function () {
                           return Store.get("meta", "package").then(function (e) { return e && e.user === user ? e.data : null; });
                         }};

  var csrf = document.querySelector("meta[name=csrf-token]");
  var saved = csrf ? Promise.all([Store.put("meta", csrf.content, "csrf"), Store.put("meta", user, "user")])
                   : Promise.resolve();
  flash();
  collapseControls();
  showCount();
  window.addEventListener("gridmap:outbox", showCount);
  if (window.BroadcastChannel) { new BroadcastChannel(Outbox.SYNC_TAG).addEventListener("message", showCount); }
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (form) {
    form.addEventListener("submit", function () { forget(); });
  });
  document.querySelectorAll("[data-outbox-send]").forEach(function (button) {
    button.addEventListener("click", function () { Outbox.sendAll({retryRefused: true}).then(showCount, showCount); });
  });

  var controlled = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
  var worker = ("serviceWorker" in navigator && window.workbox) ? new window.workbox.Workbox("/sw.js", {scope: "/"}) : null;
  var registered = worker ? worker.register().then(function () { return navigator.serviceWorker.ready; })
                          : Promise.reject(new Error("no service worker"));
  registered.catch(function () {});

  function online() {
    saved.then(send);
    return registered.then(function (registration) { return refreshPackage(registration, controlled); });
  }
  window.addEventListener("online", function () { online().catch(fromStore); });
  fromStore().then(function () { return navigator.onLine ? online() : null; }).catch(fromStore);
})();
