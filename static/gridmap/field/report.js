/* The report form (受理举报) on the phone: its fields as the API takes them; the draft, the
   photos and the outbox are the shared record form's (record_form.js). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  window.GridmapRecordForm.attach(form, {
    kind: "report", label: "举报",
    fields: function (values) {
      return {description: values.description, lon: values.lon, lat: values.lat, crs: values.crs,
              source: values.source, reporter_name: values.reporter_name, reporter_phone: values.reporter_phone};
    },
    summary: function (fields) { return "举报 · " + (fields.description || "").slice(0, 24); },
    sentPage: function () { return location.pathname; }
  });
})();
