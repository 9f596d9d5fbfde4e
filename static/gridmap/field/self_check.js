/* The enterprise's self-inspection (企业自查) on a phone or a desk: each item's result and note
   as the API takes them (items as JSON text), each hazard item's own photos (photo_<code>); the draft, the photos and the outbox are the
   shared record form's (record_form.js), so a check made without signal is sent later. */
(function () {
  "use strict";
  var form = document.getElementById("self-check-form");
  if (!form) { return; }
  window.GridmapRecordForm.attach(form, {
    kind: "self_inspection", label: "企业自查",
    fields: function (values) {
      var items = [];
      Array.prototype.forEach.call(form.querySelectorAll("[data-code]"), function (box) {
        var code = box.getAttribute("data-code"), result = values["result-" + code];
        if (result === "ok" || result === "hazard") {
          items.push({code: code, result: result, note: values["note-" + code] || ""});
        }
      });
      return {checked_at: values.checked_at, items: JSON.stringify(items)};
    },
    // Each item's photos (photo_<code>) go only with an item found with a hazard: a photo
    // taken before the result was changed to 正常 stays out rather than being refused.
    files: function (files) {
      var sent = {};
      Array.prototype.forEach.call(form.querySelectorAll("[data-code]"), function (box) {
        var code = box.getAttribute("data-code"), name = "photo_" + code;
        var hazard = box.querySelector("input[type=radio][value=hazard]");
        if (hazard && hazard.checked && files[name] && files[name].length) { sent[name] = files[name]; }
      });
      return sent;
    },
    summary: function (fields) { return "企业自查 · " + JSON.parse(fields.items).length + " 项"; },
    sentPage: function () { return "/enterprise/"; }
  });
})();
