/* 险情报告 on the phone: its fields as the API takes them; the draft, the photos and the
   outbox are the shared record form's (record_form.js). */
(function () {
  "use strict";
  var form = document.getElementById("situation-form");
  if (!form) { return; }
  window.GridmapRecordForm.attach(form, {
    kind: "situation", label: "险情报告",
    fields: function (values) {
      return {kind: values.kind, severity: values.severity, description: values.description, lon: values.lon,
              lat: values.lat, crs: values.crs, reported_at: values.reported_at};
    },
    summary: function (fields) { return "险情报告 · " + (fields.description || "").slice(0, 24); },
    sentPage: function () { return location.pathname; }
  });
  var locate = document.getElementById("situation-locate");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.crs.value = "wgs84";
        form.elements.lon.dispatchEvent(new Event("input", {bubbles: true}));
      });
    });
  } else if (locate) {
    locate.hidden = true;
  }
})();
