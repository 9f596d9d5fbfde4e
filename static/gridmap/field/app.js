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

  /* The tiles of a box at one zoom (Web Mercator tile numbers). */
  function tilesOf(bbox, z) {
    var n = Math.pow(2, z);
    function x(lon) { return Math.floor((lon + 180) / 360 * n); }
    function y(lat) { var r = lat * Math.PI / 180; return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n); }
    var tiles = [];
    for (var tx = x(bbox[0]); tx <= x(bbox[2]); tx++) {
      for (var ty = y(bbox[3]); ty <= y(bbox[1]); ty++) { tiles.push([z, tx, ty]); }
    }
    return tiles;
  }

  function keep(cacheName, urls) {
    return caches.open(cacheName).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return fetch(url, {credentials: "same-origin"}).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
        }).catch(function () { /* kept next time */ });
      }));
    });
  }

  function tileUrls(pkg) {
    var urls = [];
    pkg.cells.forEach(function (cell) {
      if (!cell.bbox) { return; }
      for (var z = pkg.tiles.zooms[0]; z <= pkg.tiles.zooms[1]; z++) {
        tilesOf(cell.bbox, z).forEach(function (t) {
          pkg.tiles.layers.forEach(function (template) {
            urls.push(template.replace("{z}", t[0]).replace("{x}", t[1]).replace("{y}", t[2]));
          });
        });
      }
    });
    return urls.filter(function (url, i) { return urls.indexOf(url) === i; });
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

  /* Fetch the package when it changed (ETag), keep it, and keep its pages and tiles. */
  function refreshPackage() {
    return Store.get("meta", "package").then(function (kept) {
      if (kept && kept.user !== user) { return forget().then(function () { return null; }); }
      return kept;
    }).then(function (kept) {
      var headers = {Accept: "application/json"};
      if (kept && kept.etag && kept.cached) { headers["If-None-Match"] = kept.etag; }
      return fetch("/api/field/package/", {credentials: "same-origin", headers: headers}).then(function (response) {
        if (response.status === 304) { return kept; }
        if (!response.ok) { throw new Error("package " + response.status); }
        return response.json().then(function (data) {
          var entry = {user: user, etag: response.headers.get("ETag"), data: data, cached: false,
                       fetched: new Date().toISOString()};
          return Store.put("meta", entry, "package").then(function () { return entry; });
        });
      });
    }).then(function (entry) {
      if (!entry || !entry.data.cells.length) { return; }
      window.dispatchEvent(new CustomEvent("gridmap:package", {detail: entry.data}));
      if (entry.cached) { ready(); return keep(DATA, pageData()); }
      return Promise.all([keep(PAGES, entry.data.pages), keep(DATA, tileUrls(entry.data).concat(pageData()))])
        .then(function () {
          entry.cached = true;
          return Store.put("meta", entry, "package");
        }).then(ready);
    });
  }

  /* Signing out (or another person signing in on this phone) removes the kept pages and data;
     the outbox stays: its records are the person's who made them, sent with their session. */
  function forget() {
    return Promise.all([caches.delete(PAGES), caches.delete(DATA), Store.remove("meta", "package")]);
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

  window.GridmapField = {chineseError: chineseError, showCount: showCount, send: send, tilesOf: tilesOf,
                         packageData: function () {
                           return Store.get("meta", "package").then(function (e) { return e && e.user === user ? e.data : null; });
                         }};

  var csrf = document.querySelector("meta[name=csrf-token]");
  var saved = csrf ? Store.put("meta", csrf.content, "csrf") : Promise.resolve();
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

  window.addEventListener("online", function () { saved.then(send).then(refreshPackage).catch(function () {}); });

  var worker = ("serviceWorker" in navigator && window.workbox) ? new window.workbox.Workbox("/sw.js", {scope: "/"}) : null;
  var controlled = worker ? worker.register().then(function () { return navigator.serviceWorker.ready; })
                          : Promise.resolve();
  controlled.catch(function () {}).then(function () {
    if (!navigator.onLine) {
      return Store.get("meta", "package").then(function (entry) {
        if (entry && entry.user === user && entry.cached) {
          ready();
          window.dispatchEvent(new CustomEvent("gridmap:package", {detail: entry.data}));
        }
      });
    }
    return saved.then(send).then(refreshPackage);
  }).catch(function () {
    // Offline or the server refused: what the phone has kept still counts.
    return Store.get("meta", "package").then(function (entry) {
      if (entry && entry.user === user && entry.cached) {
        ready();
        window.dispatchEvent(new CustomEvent("gridmap:package", {detail: entry.data}));
      }
    });
  });
})();
