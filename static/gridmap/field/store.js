/* The phone's own store (IndexedDB through idb): drafts, the outbox, the cell package and a
   few settings. Loaded by the pages and by the service worker (no DOM here). */
(function (global) {
  "use strict";
  var DB_NAME = "gridmap-field", DB_VERSION = 1;
  var opened = null;

  function db() {
    if (!opened) {
      opened = global.idb.openDB(DB_NAME, DB_VERSION, {
        upgrade: function (database) {
          database.createObjectStore("drafts");            // key: the form's draft key
          var outbox = database.createObjectStore("outbox", {keyPath: "client_id"});
          outbox.createIndex("created", "created");
          database.createObjectStore("meta");              // package, credentials, settings
        }
      });
    }
    return opened;
  }

  function uuid() {
    if (global.crypto && global.crypto.randomUUID) { return global.crypto.randomUUID(); }
    // crypto.randomUUID needs a secure context; plain-http test sites get the same format.
    var bytes = global.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  global.GridmapStore = {
    db: db,
    uuid: uuid,
    get: function (store, key) { return db().then(function (d) { return d.get(store, key); }); },
    put: function (store, value, key) { return db().then(function (d) { return d.put(store, value, key); }); },
    remove: function (store, key) { return db().then(function (d) { return d.delete(store, key); }); },
    all: function (store) { return db().then(function (d) { return d.getAll(store); }); },
    clear: function (store) { return db().then(function (d) { return d.clear(store); }); }
  };
})(self);
