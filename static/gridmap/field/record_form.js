/* What every form recording something on the phone shares (patrol, inspection, re-inspection):
   the draft kept as the officer types (photos included, scaled down to 1600 px), the record's
   own time on the district's clock, and the submit that puts the record in the outbox, sent at
   once when there is signal and later by itself when there is not. */
(function () {
  "use strict";
  var Drafts = window.GridmapDrafts, Outbox = window.GridmapOutbox, Field = window.GridmapField;

  /* Now on the wall clock of the district (Asia/Shanghai), as a datetime-local value: a page
     kept for working offline was rendered hours ago. */
  function nowInDistrict() {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
                                      hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }

  /* options: kind (outbox kind), label (what the record is called), target (the task's or
     hazard's id in the endpoint, if any), fields(values) → the API's fields, summary(fields),
     sentPage(record) → the page to show once the server has it, afterQueued() (clears what
     the form keeps outside its fields). The form holds its photo input, a .photo-list, a
     [role=status] line and a datetime-local time field; other file inputs are photos sent under
     their own name (a self-check item's photo_<code>), shown in the [data-photo-list=name]. */
  function attach(form, options) {
    var photoInput = form.querySelector("input[type=file][name=photos]");
    var photoList = form.querySelector(".photo-list");
    var result = form.querySelector("[role=status]");
    var when = form.querySelector("input[type=datetime-local]");
    var draft = Drafts.attach(form, {maxPhotos: 6});

    function say(text, cls) {
      result.textContent = text;
      result.className = cls || "";
      result.hidden = !text;
    }

    var namedInputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.name && input !== photoInput;
    });

    function showList(list, photos, removeAt) {
      list.replaceChildren();
      photos.forEach(function (photo, index) {
        var item = document.createElement("li"), img = document.createElement("img");
        var remove = document.createElement("button");
        img.src = URL.createObjectURL(photo);
        img.alt = "照片 " + (index + 1);
        remove.type = "button"; remove.className = "button"; remove.textContent = "删除";
        remove.addEventListener("click", function () { removeAt(index).then(showPhotos); });
        item.append(img, remove);
        list.appendChild(item);
      });
    }

    function showPhotos() {
      showList(photoList, draft.draft.photos, draft.removePhoto);
      namedInputs.forEach(function (input) {
        var list = form.querySelector("[data-photo-list=\"" + input.name + "\"]");
        if (!list) { return; }
        showList(list, draft.draft.files[input.name] || [], function (index) {
          return draft.removeNamedPhoto(input.name, index);
        });
      });
    }

    draft.ready.then(function (state) {
      if (!state.restored) { if (when) { when.value = nowInDistrict(); } return draft.save(); }
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
    namedInputs.forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files);
        photosPending = photosPending.then(function () { return draft.addNamedPhotos(input.name, files); })
          .then(function () { input.value = ""; showPhotos(); });
      });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      photosPending.then(draft.save).then(function () {
        if (when && !when.value) { when.value = nowInDistrict(); }
        var d = draft.draft, fields = options.fields(Drafts.values(form)), clientId = d.client_id;
        var where = {target: options.target || null, page: location.pathname};
        return Outbox.add(options.kind, clientId, fields, d.photos, options.summary(fields), where,
                          options.files ? options.files(d.files || {}) : {}).then(function () {
          return Outbox.sendAll();
        }).then(function () {
          return window.GridmapStore.get("outbox", clientId);
        }).then(function (record) {
          if (record.state === "sent") {
            return draft.clear().then(function () {
              sessionStorage.setItem("gridmap-flash", options.label + "已保存");
              location.assign(options.sentPage(record));
            });
          }
          if (record.state === "refused") {
            // Refused at once, with signal: nothing was created; the officer corrects the draft.
            return Outbox.discard(clientId).then(function () { say("未保存：" + record.reason, "error"); });
          }
          return draft.clear().then(function () { return draft.fresh(); }).then(function () {
            form.reset();
            if (when) { when.value = nowInDistrict(); }
            if (options.afterQueued) { options.afterQueued(); }
            showPhotos();
            return Outbox.count();
          }).then(function (n) {
            say("没有网络：" + options.label + "已放入待上传（共 " + n + " 条），恢复网络后自动上传。", "warn");
          });
        });
      }).catch(function (error) {
        say("保存失败：" + Field.chineseError(error), "error");
      }).finally(function () { button.disabled = false; Field.showCount(); });
    });

    return {draft: draft, say: say};
  }

  window.GridmapRecordForm = {attach: attach, nowInDistrict: nowInDistrict};
})();
