/* gridmap: drawing registry layers on folium/Leaflet maps. No external requests. */
(function () {
  "use strict";
  var pending = 0;
  document.documentElement.dataset.layersPending = "0";

  // Every map speaks Chinese and measures in metres: no flag or library name in the
  // attribution, metric scale only, the zoom buttons' titles in Chinese.
  L.Control.Zoom.mergeOptions({zoomInTitle: "放大", zoomOutTitle: "缩小"});
  L.Control.Scale.mergeOptions({imperial: false});
  L.Control.Attribution.mergeOptions({prefix: ""});

  function colourFor(options, feature) {
    var by = options.styleBy;
    if (!by) { return null; }
    var value = feature.properties[by.property];
    return (by.values && by.values[value]) || by.default || null;
  }

  function styleFor(options, feature) {
    var style = Object.assign({}, options.style);
    var colour = colourFor(options, feature);
    if (colour) { style.color = colour; style.fillColor = colour; }
    return style;
  }

  function formatValue(value) {
    if (value === null || value === undefined || value === "") { return "—"; }
    if (value === true || value === false) { return value ? "是" : "否"; }
    if (Array.isArray(value)) {
      if (value.length === 0) { return "（未配置）"; }
      return value.map(function (p) {
        if (p && typeof p === "object") { return p.name + (p.phone ? "（" + p.phone + "）" : ""); }
        return String(p);
      }).join("、");
    }
    if (typeof value === "number") {
      return Math.abs(value) >= 1000 ? value.toLocaleString("zh-CN", {maximumFractionDigits: 0})
                                     : String(Math.round(value * 100) / 100);
    }
    return String(value);
  }

  function popupFor(options, feature) {
    var root = document.createElement("div");
    root.className = "gridmap-popup";
    var title = document.createElement("strong");
    title.textContent = options.title;
    root.appendChild(title);
    var table = document.createElement("table");
    options.popup.forEach(function (pair) {
      var row = table.insertRow();
      var th = document.createElement("th");
      th.textContent = pair[1];
      row.appendChild(th);
      row.insertCell().textContent = formatValue(feature.properties[pair[0]]);
    });
    root.appendChild(table);
    return root;
  }

  function geoJsonLayer(options) {
    var group = L.geoJSON(null, {
      // A passive layer (an outline under clickable cells) lets every click through.
      interactive: options.interactive !== false,
      style: function (feature) { return styleFor(options, feature); },
      pointToLayer: function (feature, latlng) {
        var style = styleFor(options, feature);
        style.radius = style.radius || 5;
        return L.circleMarker(latlng, style);
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () { return popupFor(options, feature); });
        if (options.tooltip && feature.properties[options.tooltip]) {
          // A text node, not a string: Leaflet puts a string tooltip in as HTML, and names are
          // typed by people.
          var label = document.createElement("span");
          label.textContent = String(feature.properties[options.tooltip]);
          if (options.labelZoom === null || options.labelZoom === undefined) {
            layer.bindTooltip(label, {sticky: true});
          } else {
            layer.bindTooltip(label, {permanent: true, direction: "center", className: "gridmap-label"});
          }
        }
      }
    });
    if (options.labelZoom !== null && options.labelZoom !== undefined) { labelsFollowZoom(group, options.labelZoom); }
    return group;
  }

  // Place names (the maps have no basemap): shown from the layer's label zoom on.
  function labelsFollowZoom(group, labelZoom) {
    function update() {
      var map = group._map;
      if (!map) { return; }
      var shown = map.getZoom() >= labelZoom;
      group.eachLayer(function (layer) {
        if (!layer.getTooltip()) { return; }
        if (shown) { layer.openTooltip(); } else { layer.closeTooltip(); }
      });
    }
    group.on("add", function () { group._map.on("zoomend", update); update(); });
    group.on("remove", function (event) { event.target._map && event.target._map.off("zoomend", update); });
    group.on("data", update);
  }

  // Timings for people and benchmarks alike (no eval needed to read them under the CSP).
  document.addEventListener("gridmap:layerloaded", function () {
    var root = document.documentElement.dataset;
    if (!root.firstFeature) { root.firstFeature = String(Math.round(performance.now())); }
  });

  function setPending(delta) {
    pending += delta;
    document.documentElement.dataset.layersPending = String(pending);
    if (pending === 0) { document.documentElement.dataset.layersDone = String(Math.round(performance.now())); }
  }

  function load(layer, url, fit, map) {
    setPending(1);
    fetch(url, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.json();
      })
      .then(function (data) {
        layer.addData(data);
        layer.fire("data");
        layer.featureCount = data.features.length;
        if (fit && data.features.length && !map.gridmapKeptView) { map.fitBounds(layer.getBounds(), {padding: [10, 10]}); }
        document.dispatchEvent(new CustomEvent("gridmap:layerloaded", {detail: {url: url}}));
      })
      .catch(function (error) {
        var box = document.getElementById("map-error");
        if (box) { box.hidden = false; box.textContent = "图层加载失败：" + url + "（" +
          (window.GridmapField ? window.GridmapField.chineseError(error) : error.message) + "）"; }
      })
      .finally(function () { setPending(-1); });
  }

  function legend(map, groups) {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "gridmap-legend");
      var heading = document.createElement("strong");
      heading.textContent = "图例";
      div.appendChild(heading);
      var shown = {};
      groups.forEach(function (group) {
        group.entries.forEach(function (entry) {
          // Layers sharing a colour scale (enterprises, risk points) share one legend entry.
          var key = group.geometry + "|" + entry.label + "|" + entry.color;
          if (shown[key]) { return; }
          shown[key] = true;
          var row = document.createElement("div");
          var swatch = document.createElement("i");
          swatch.className = "swatch swatch-" + group.geometry;
          swatch.style.borderColor = entry.color;
          if (group.geometry !== "line" && group.style.fill !== false) {
            swatch.style.background = entry.color;
            swatch.style.opacity = group.geometry === "point" ? 1 : 0.6;
          }
          row.appendChild(swatch);
          row.appendChild(document.createTextNode(entry.label));
          div.appendChild(row);
        });
      });
      return div;
    };
    control.addTo(map);
  }

  function tileLayer(options, url) {
    var styles = {};
    styles[options.name] = function (properties) {
      var style = styleFor(options, {properties: properties});
      if (options.geometry === "point") {
        style.radius = style.radius || 4;
        style.fill = true;
        // A cluster from the tile server: bigger for more points, coloured by its most severe.
        if (properties.cluster_count > 1) {
          style.radius = 5 + 2.5 * Math.log2(properties.cluster_count);
          style.fillOpacity = 0.75;
          style.weight = 1;
          style.color = "#ffffff";
        }
      }
      else if (options.geometry === "polygon" && style.fill !== false) { style.fill = true; }
      return style;
    };
    var layer = L.vectorGrid.protobuf(url, {
      vectorTileLayerStyles: styles,
      interactive: true,
      minZoom: options.minZoom || 0,
      maxNativeZoom: 16,
      rendererFactory: L.canvas.tile,
      fetchOptions: {credentials: "same-origin"},
      getFeatureId: function (feature) { return feature.id; }
    });
    layer.on("click", function (event) {
      var properties = event.layer.properties;
      if (properties.cluster_count > 1) {
        L.popup().setLatLng(event.latlng)
          .setContent(properties.cluster_count + " 个" + options.title + "，放大查看").openOn(layer._map);
        return;
      }
      var popup = L.popup().setLatLng(event.latlng)
        .setContent(popupFor(options, {properties: properties})).openOn(layer._map);
      if (options.detailUrl) {
        var detail = options.detailUrl.replace(/\{(\w+)\}/g, function (_, key) {
          return encodeURIComponent(properties[key]);
        });
        fetch(detail, {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            if (data) { popup.setContent(popupFor(options, {properties: Object.assign({}, properties, data)})); }
          });
      }
    });
    layer.on("loading", function () { setPending(1); });
    layer.on("load", function () {
      setPending(-1);
      document.dispatchEvent(new CustomEvent("gridmap:layerloaded", {detail: {url: url}}));
    });
    return layer;
  }

  window.gridmap = {geoJsonLayer: geoJsonLayer, tileLayer: tileLayer, load: load, legend: legend};
})();
