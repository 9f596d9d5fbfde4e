/* Assigning officers on the map: select cells, show their duties, fill the forms. */
(function () {
  "use strict";
  var cfg = window.gridmapAssign;
  var selected = {};           // code -> feature layer
  var multi = document.getElementById("multi");
  var selection = document.getElementById("selection");
  var cellsInput = document.getElementById("id_cells");
  var dutiesPanel = document.getElementById("duties-panel");
  var duties = document.getElementById("duties");
  var template = document.getElementById("duty-actions");
  var wanted = (cfg.selected || "").split(",").filter(Boolean);

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function codes() { return Object.keys(selected).sort(); }

  function highlight(layer, on) {
    if (on) { layer.setStyle({weight: 3, color: "#0d47a1", dashArray: null}); layer.bringToFront(); }
    else { cfg.layer.resetStyle(layer); }
  }

  function render() {
    var list = codes();
    cellsInput.value = list.join(",");
    document.querySelectorAll("input[name=back_cells]").forEach(function (i) { i.value = list.join(","); });
    selection.replaceChildren();
    if (!list.length) { selection.appendChild(el("p", "尚未选择网格", "empty")); }
    var ul = el("ul", undefined, "selected-cells");
    list.forEach(function (code) {
      var p = selected[code].feature.properties;
      ul.appendChild(el("li", p.name + "（" + code + "）· 在岗 " + p.on_duty + " 人"));
    });
    if (list.length) { selection.appendChild(ul); }
    if (list.length === 1) { loadDuties(list[0]); } else { dutiesPanel.hidden = true; }
  }

  function loadDuties(code) {
    dutiesPanel.hidden = false;
    duties.replaceChildren(el("p", "加载中…"));
    fetch("/api/grids/" + encodeURIComponent(code) + "/assignments/", {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (body) {
        duties.replaceChildren();
        var link = el("a", "网格详情与变更历史");
        link.href = cfg.cellUrl.replace("CODE", encodeURIComponent(code));
        duties.appendChild(el("p")).appendChild(link);
        var rows = body.assignments.filter(function (a) { return a.active || (a.valid_from && a.valid_from > body.on); });
        if (!rows.length) { duties.appendChild(el("p", "该网格当前无人任职", "warn")); }
        rows.forEach(function (a) {
          var box = el("div", undefined, "duty");
          var range = (a.valid_from || "…") + " 至 " + (a.valid_to || "长期");
          box.appendChild(el("div", a.role_display + "：" + (a.name || a.username) + "（" + a.username + "）", "duty-who"));
          box.appendChild(el("div", range + (a.active ? "" : "（未开始）"), "hint"));
          var actions = template.content.cloneNode(true);
          actions.querySelectorAll(".duty-action").forEach(function (d) {
            var form = d.querySelector("form");
            form.action = cfg.actionUrl.replace("/0/", "/" + a.id + "/").replace("ACTION", d.dataset.action);
            form.querySelector("input[name=back_cells]").value = code;
          });
          box.appendChild(actions);
          duties.appendChild(box);
        });
      })
      .catch(function (e) { duties.replaceChildren(el("p", "无法加载职责：" + e.message, "error")); });
  }

  function toggle(layer, additive) {
    var code = layer.feature.properties.code;
    if (!additive) {
      codes().forEach(function (c) { if (c !== code) { highlight(selected[c], false); delete selected[c]; } });
    }
    if (selected[code] && additive) { highlight(layer, false); delete selected[code]; }
    else { selected[code] = layer; highlight(layer, true); }
    render();
  }

  cfg.layer.on("click", function (event) {
    event.layer.closePopup();
    var original = event.originalEvent || {};
    toggle(event.layer, multi.checked || original.ctrlKey || original.metaKey || original.shiftKey);
  });

  document.getElementById("clear").addEventListener("click", function () {
    codes().forEach(function (c) { highlight(selected[c], false); delete selected[c]; });
    render();
  });

  document.addEventListener("gridmap:layerloaded", function () {
    if (!wanted.length || !cfg.layer.getLayers().length) { return; }
    cfg.layer.eachLayer(function (layer) {
      layer.unbindPopup();
      if (wanted.indexOf(layer.feature.properties.code) >= 0) { selected[layer.feature.properties.code] = layer; highlight(layer, true); }
    });
    wanted = [];
    render();
  });
  document.addEventListener("gridmap:layerloaded", function () {
    cfg.layer.eachLayer(function (layer) { layer.unbindPopup(); });
  });
})();
