/* Leaflet.draw's toolbar and tooltips in Chinese: one translation, loaded after leaflet.draw.js
   on every map that lets people draw (layers.maps.add_draw_tools, the flood map). */
(function () {
  "use strict";
  if (!window.L || !L.drawLocal) { return; }
  var draw = L.drawLocal.draw;
  var edit = L.drawLocal.edit;
  draw.toolbar.actions = {title: "取消绘制", text: "取消"};
  draw.toolbar.finish = {title: "完成绘制", text: "完成"};
  draw.toolbar.undo = {title: "删除最后绘制的点", text: "撤销上一点"};
  draw.toolbar.buttons = {polyline: "绘制折线", polygon: "绘制多边形", rectangle: "绘制矩形",
                          circle: "绘制圆", marker: "放置标记", circlemarker: "放置圆点"};
  draw.handlers.circle.tooltip.start = "按住并拖动以绘制圆";
  draw.handlers.circle.radius = "半径";
  draw.handlers.circlemarker.tooltip.start = "单击地图放置圆点";
  draw.handlers.marker.tooltip.start = "单击地图放置标记";
  draw.handlers.polygon.tooltip = {start: "单击开始绘制", cont: "单击继续绘制", end: "单击起点结束绘制"};
  draw.handlers.polyline.error = "<strong>错误：</strong>边线不能交叉！";
  draw.handlers.polyline.tooltip = {start: "单击开始绘制折线", cont: "单击继续绘制折线", end: "单击最后一点结束"};
  draw.handlers.rectangle.tooltip.start = "按住并拖动以绘制矩形";
  draw.handlers.simpleshape.tooltip.end = "松开鼠标完成绘制";
  edit.toolbar.actions = {save: {title: "保存修改", text: "保存"},
                          cancel: {title: "取消编辑，放弃全部修改", text: "取消"},
                          clearAll: {title: "清除全部图形", text: "全部清除"}};
  edit.toolbar.buttons = {edit: "编辑图形", editDisabled: "没有可编辑的图形",
                          remove: "删除图形", removeDisabled: "没有可删除的图形"};
  edit.handlers.edit.tooltip = {text: "拖动控制点以修改图形", subtext: "单击“取消”放弃修改"};
  edit.handlers.remove.tooltip.text = "单击图形将其删除";
})();
