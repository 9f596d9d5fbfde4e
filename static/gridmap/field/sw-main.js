/* The service worker (Workbox, served from this site): precached static files; officer pages,
   layers and tiles from the network when it answers, else from the cache; Background Sync of
   the outbox. self.GRIDMAP_PRECACHE and GRIDMAP_STATIC come from /sw.js. */
/* global workbox */
importScripts(self.GRIDMAP_STATIC + "vendor/workbox/workbox-sw.js");
workbox.setConfig({modulePathPrefix: self.GRIDMAP_STATIC + "vendor/workbox/", debug: false});
importScripts(self.GRIDMAP_STATIC + "vendor/idb/umd.js", self.GRIDMAP_STATIC + "gridmap/field/store.js",
              self.GRIDMAP_STATIC + "gridmap/field/outbox.js");

var PAGES = "gridmap-pages", DATA = "gridmap-data", STATIC = "gridmap-static";
// Slow signal counts as none: after this the cached copy is shown.
var NETWORK_TIMEOUT_SECONDS = 4;

workbox.core.clientsClaim();
self.skipWaiting();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(self.GRIDMAP_PRECACHE, {ignoreURLParametersMatching: [/^v$/]});

// A redirect (to the sign-in page) or an error is never kept under the page's address.
var onlyGoodAnswers = {
  cacheWillUpdate: function (args) {
    var response = args.response;
    return response && response.status === 200 && !response.redirected ? response : null;
  }
};
var NOT_PAGES = /^\/(accounts|admin|api\/docs|api\/schema)\//;

workbox.routing.registerRoute(function (options) {
  return options.request.mode === "navigate" && options.url.origin === self.location.origin &&
         !NOT_PAGES.test(options.url.pathname);
}, new workbox.strategies.NetworkFirst({
  cacheName: PAGES, networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS, plugins: [onlyGoodAnswers],
  matchOptions: {ignoreVary: true}
}));

workbox.routing.registerRoute(function (options) {
  return options.url.origin === self.location.origin &&
         (options.url.pathname.indexOf("/api/layers/") === 0 || options.url.pathname.indexOf("/tiles/") === 0);
}, new workbox.strategies.NetworkFirst({
  cacheName: DATA, networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS, plugins: [onlyGoodAnswers],
  matchOptions: {ignoreVary: true}
}));

workbox.routing.registerRoute(function (options) {
  return options.url.origin === self.location.origin && options.url.pathname.indexOf(self.GRIDMAP_STATIC) === 0;
}, new workbox.strategies.StaleWhileRevalidate({cacheName: STATIC, plugins: [onlyGoodAnswers]}));

// Background Sync: the browser wakes the worker when the signal is back, even with no page open.
self.addEventListener("sync", function (event) {
  if (event.tag === self.GridmapOutbox.SYNC_TAG) {
    event.waitUntil(self.GridmapOutbox.sendAll());
  }
});

/* The cell package: fetched when it changed (ETag), kept in the phone's store, and its pages
   and tiles kept in the caches for working without signal. Asked by a page ({type:
   "refresh", user, data}) and done here, so that it goes on when the officer opens another
   page; a few requests at a time, for the server is shared by every phone. */
var KEEP_PARALLEL = 6;
var Store = self.GridmapStore;

function keepAll(cacheName, urls) {
  return caches.open(cacheName).then(function (cache) {
    var queue = urls.slice();
    function next() {
      var url = queue.shift();
      if (url === undefined) { return Promise.resolve(); }
      return fetch(url, {credentials: "same-origin"}).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(url, response); }
      }).catch(function () { /* kept the next time the package is refreshed */ }).then(next);
    }
    var workers = [];
    for (var i = 0; i < KEEP_PARALLEL; i++) { workers.push(next()); }
    return Promise.all(workers);
  });
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

function tileUrls(pkg) {
  var urls = {};
  pkg.cells.forEach(function (cell) {
    if (!cell.bbox) { return; }
    for (var z = pkg.tiles.zooms[0]; z <= pkg.tiles.zooms[1]; z++) {
      tilesOf(cell.bbox, z).forEach(function (t) {
        pkg.tiles.layers.forEach(function (template) {
          urls[template.replace("{z}", t[0]).replace("{x}", t[1]).replace("{y}", t[2])] = true;
        });
      });
    }
  });
  return Object.keys(urls);
}

/* Another person signing in on this phone: the first one's kept pages and data go. */
function forget() {
  return Promise.all([caches.delete(PAGES), caches.delete(DATA), Store.remove("meta", "package")]);
}

function refreshPackage(user, pageData) {
  return Store.get("meta", "package").then(function (kept) {
    if (kept && kept.user !== user) { return forget().then(function () { return null; }); }
    return kept;
  }).then(function (kept) {
    var headers = {Accept: "application/json"};
    if (kept && kept.etag && kept.cached) { headers["If-None-Match"] = kept.etag; }
    return fetch("/api/field/package/", {credentials: "same-origin", headers: headers}).then(function (response) {
      if (response.status === 304) { return kept; }
      if (!response.ok) { return kept; }
      return response.json().then(function (data) {
        var entry = {user: user, etag: response.headers.get("ETag"), data: data, cached: false,
                     fetched: new Date().toISOString()};
        return Store.put("meta", entry, "package").then(function () { return entry; });
      });
    }, function () { return kept; });
  }).then(function (entry) {
    if (!entry || !entry.data.cells.length) { return keepAll(DATA, pageData).then(function () { return false; }); }
    if (entry.cached) { return keepAll(DATA, pageData).then(function () { return true; }); }
    return Promise.all([keepAll(PAGES, entry.data.pages), keepAll(DATA, tileUrls(entry.data).concat(pageData))])
      .then(function () {
        entry.cached = true;
        return Store.put("meta", entry, "package");
      }).then(function () { return true; });
  });
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "refresh" || !message.user) { return; }
  var done = refreshPackage(message.user, message.data || []).then(function (ready) {
    if (event.ports && event.ports[0]) { event.ports[0].postMessage({type: "refreshed", ready: ready}); }
  });
  event.waitUntil(done);
});
