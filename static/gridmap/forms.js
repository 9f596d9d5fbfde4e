// The browser's own validation bubbles ("Please fill out this field.") follow the browser's
// language, not the page's: every form field says it in Chinese instead.
(function () {
  "use strict";
  function message(field) {
    var v = field.validity;
    if (v.valueMissing) {
      if (field.type === "file") { return "请选择文件。"; }
      if (field.tagName === "SELECT" || field.type === "radio" || field.type === "checkbox") { return "请选择此项。"; }
      return "请填写此项。";
    }
    if (v.typeMismatch) { return field.type === "email" ? "请输入有效的电子邮件地址。" : "格式不正确。"; }
    if (v.badInput) { return "请输入数字。"; }
    if (v.rangeUnderflow) { return "不能小于 " + field.min + "。"; }
    if (v.rangeOverflow) { return "不能大于 " + field.max + "。"; }
    if (v.stepMismatch) { return "数值不符合要求的间隔。"; }
    if (v.tooShort) { return "至少 " + field.minLength + " 个字符。"; }
    if (v.tooLong) { return "最多 " + field.maxLength + " 个字符。"; }
    if (v.patternMismatch) { return field.title || "格式不正确。"; }
    return "";
  }
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    field.setCustomValidity("");
    if (!field.validity.valid) { field.setCustomValidity(message(field)); }
  }, true);
  function clear(event) { if (event.target.setCustomValidity) { event.target.setCustomValidity(""); } }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);
  // A hidden file input (its Chinese button beside it, site.css) says in words how many photos
  // are chosen, where the browser's own input would have said it in the browser's language.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.classList || !field.classList.contains("file-hidden")) { return; }
    var count = field.parentNode.querySelector(".file-count");
    if (!count) {
      count = document.createElement("span");
      count.className = "file-count";
      field.parentNode.appendChild(count);
    }
    count.textContent = field.files.length ? "已选 " + field.files.length + " 张" : "未选择";
  }, true);
})();
