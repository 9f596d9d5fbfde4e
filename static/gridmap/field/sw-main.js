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
         (options.url.pathname.indexOf("/api/layers/") === 0 || options.url.pathname.indexOf("/tiles/") === 0 ||
          options.url.pathname.indexOf("/api/patrols/photos/") === 0);
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
