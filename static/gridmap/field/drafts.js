/* Drafts: a form marked data-draft keeps what the officer types in the phone's store as they
   type, so a closed tab, a reload or a dead battery loses nothing. Photos chosen in a form are
   scaled down to at most 1600 px and kept with the draft. */
(function () {
  "use strict";
  var Store = window.GridmapStore;
  var MAX_SIDE = 1600;
  var PENDING = "gridmap-draft-submitted";

  function keyOf(form) {
    return location.pathname + "#" + (form.id || form.getAttribute("action") || "form");
  }

  function values(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.type === "submit") { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (fields[el.name] !== undefined && el.type === "checkbox") { fields[el.name] = [].concat(fields[el.name], el.value); return; }
      fields[el.name] = el.value;
    });
    return fields;
  }

  function restore(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in fields) || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
      var value = fields[el.name];
      if (el.type === "radio" || el.type === "checkbox") { el.checked = [].concat(value).indexOf(el.value) >= 0; }
      else { el.value = value; }
    });
  }

  /* A photo no larger than MAX_SIDE on its longer side (re-encoded as JPEG only when it had to
     be scaled down). */
  function scaled(file) {
    if (!window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bitmap) {
      var side = Math.max(bitmap.width, bitmap.height);
      if (side <= MAX_SIDE) { bitmap.close(); return file; }
      var ratio = MAX_SIDE / side, canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); }).then(function (blob) {
        return new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", {type: "image/jpeg"});
      });
    }, function () { return file; });
  }

  /* Keep a form's draft: returns {draft, save(), clear(), fresh()}. The draft's client_id is
     made once, when the draft is, and travels with the record to the server. */
  function attach(form, options) {
    options = options || {};
    var key = keyOf(form);
    var draft = null;
    var timer = null;

    function save() {
      draft.fields = values(form);
      draft.updated = new Date().toISOString();
      return Store.put("drafts", draft, key);
    }
    function later() { clearTimeout(timer); timer = setTimeout(save, 300); }
    function fresh() {
      draft = {client_id: Store.uuid(), fields: {}, photos: [], files: {}, created: new Date().toISOString()};
      return Store.put("drafts", draft, key).then(function () { return draft; });
    }

    var loaded = Store.get("drafts", key).then(function (kept) {
      if (kept) {
        draft = kept;
        draft.files = draft.files || {};  // a draft kept before photos were named per field
        restore(form, kept.fields);
        var named = Object.keys(draft.files).some(function (name) { return draft.files[name].length > 0; });
        return {draft: kept, restored: Object.keys(kept.fields).length > 0 || kept.photos.length > 0 || named};
      }
      return fresh().then(function (d) { return {draft: d, restored: false}; });
    });
    form.addEventListener("input", function () { if (draft) { later(); } });
    form.addEventListener("change", function () { if (draft) { later(); } });

    var handle = {
      ready: loaded,
      get draft() { return draft; },
      save: save,
      fresh: fresh,
      addPhotos: function (files) {
        return Promise.all(Array.prototype.map.call(files, scaled)).then(function (photos) {
          draft.photos = draft.photos.concat(photos).slice(0, options.maxPhotos || 6);
          return save();
        });
      },
      removePhoto: function (index) { draft.photos.splice(index, 1); return save(); },
      // Photos under their own field name (e.g. one self-check item's photo_<code>).
      addNamedPhotos: function (name, files) {
        return Promise.all(Array.prototype.map.call(files, scaled)).then(function (photos) {
          draft.files[name] = (draft.files[name] || []).concat(photos).slice(0, options.maxPhotos || 6);
          return save();
        });
      },
      removeNamedPhoto: function (name, index) { draft.files[name].splice(index, 1); return save(); },
      clear: function () { clearTimeout(timer); return Store.remove("drafts", key); }
    };
    return handle;
  }

  /* Plain forms (sent by the browser, not the outbox): the draft is kept until the server has
     taken the form, i.e. until the page after the submit is another one. */
  function plain(form) {
    var handle = attach(form);
    var key = keyOf(form);
    form.addEventListener("submit", function (event) {
      if (!navigator.onLine) {
        event.preventDefault();
        var note = form.querySelector(".draft-note") || form.appendChild(document.createElement("p"));
        note.className = "draft-note warn";
        note.textContent = "没有网络：内容已保存为草稿，恢复网络后再提交。";
        return;
      }
      handle.save();
      sessionStorage.setItem(PENDING, JSON.stringify({key: key, page: location.pathname}));
    });
  }

  var pending = sessionStorage.getItem(PENDING);
  if (pending) {
    sessionStorage.removeItem(PENDING);
    pending = JSON.parse(pending);
    // Another page, or the same page saying it was saved: the server took the form.
    if (pending.page !== location.pathname || document.querySelector(".messages .success")) {
      Store.remove("drafts", pending.key);
    }
  }
  document.querySelectorAll("form[data-draft]").forEach(plain);

  window.GridmapDrafts = {attach: attach, scaled: scaled, values: values};
})();
