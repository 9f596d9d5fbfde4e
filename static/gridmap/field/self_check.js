/* The enterprise's self-inspection (企业自查) on a phone or a desk: each item's result and note
   as the API takes them (items as JSON text); the draft, the photos and the outbox are the
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
    summary: function (fields) { return "企业自查 · " + JSON.parse(fields.items).length + " 项"; },
    sentPage: function () { return "/enterprise/"; }
  });
})();
