// Small behaviours shared by every page; no inline scripts (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  // Forms and buttons marked data-confirm ask before they submit.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    var event = el.tagName === "FORM" ? "submit" : "click";
    el.addEventListener(event, function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  // Filter selects submit their form when changed.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
});
