/* The visit form of a task page and the re-inspection form of a hazard page on the phone:
   the form's fields as the API takes them (items [{code, result, note}], an optional hazard).
   A grid officer's visit is a patrol (巡查) and what it finds is a lead (隐患线索) for the bureau
   to confirm; a supervision inspection (监督检查) also names its certified inspectors. The draft,
   the photos and the outbox are the shared record form's (record_form.js). */
(function () {
  "use strict";
  var RecordForm = window.GridmapRecordForm;
  var ITEM = "item_";

  function summary(form) {
    return function (fields) {
      return form.getAttribute("data-summary") + " · " + (fields.inspected_at || "").replace("T", " ");
    };
  }

  function inspection(values) {
    var items = Object.keys(values).filter(function (name) { return name.indexOf(ITEM) === 0; })
      .map(function (name) { return {code: name.slice(ITEM.length), result: values[name], note: ""}; });
    var fields = {inspected_at: values.inspected_at, findings: values.findings, lon: values.lon, lat: values.lat,
                  items: JSON.stringify(items)};
    if (values.kind) { fields.kind = values.kind; }
    if ((values.inspectors || "").trim()) { fields.inspectors = values.inspectors; }
    if ((values.hazard_description || "").trim()) {
      fields.hazard = JSON.stringify({description: values.hazard_description, level: values.hazard_level || "general",
                                      criterion_code: values.criterion_code || "", measures: values.measures || "",
                                      deadline: values.deadline || null});
    }
    return fields;
  }

  function reinspection(values) {
    var fields = {inspected_at: values.inspected_at, findings: values.findings, passed: values.passed};
    if ((values.inspectors || "").trim()) { fields.inspectors = values.inspectors; }
    return fields;
  }

  function here() { return location.pathname; }

  var inspect = document.getElementById("inspect-form");
  if (inspect) {
    var patrol = inspect.getAttribute("data-kind") === "patrol";
    RecordForm.attach(inspect, {kind: "inspection", label: patrol ? "巡查记录" : "检查记录", target: inspect.getAttribute("data-task"),
                                fields: inspection, summary: summary(inspect), sentPage: here});
  }
  var reinspect = document.getElementById("reinspect-form");
  if (reinspect) {
    RecordForm.attach(reinspect, {kind: "reinspection", label: "整改复查", target: reinspect.getAttribute("data-hazard"),
                                  fields: reinspection, summary: summary(reinspect), sentPage: here});
  }
})();
