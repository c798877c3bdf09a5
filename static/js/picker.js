// The person picker (zhangwan/picker.py): the chosen ids live in one hidden input, so they survive
// searching, paging and a form error; the list of matches is fetched from the page's own URL.
(function () {
  "use strict";

  function setUp(root) {
    var url = root.getAttribute("data-url");
    var multiple = root.hasAttribute("data-multiple");
    var value = root.querySelector("[data-picker-value]");
    var rows = root.querySelector("[data-picker-rows]");
    var count = root.querySelector("[data-picker-count]");
    var chips = root.querySelector("[data-picker-chips]");
    var more = root.querySelector("[data-picker-more]");
    var q = root.querySelector("[data-picker-q]");
    var trade = root.querySelector("[data-picker-trade]");
    var leader = root.querySelector("[data-picker-leader]");
    var chosen = value.value ? value.value.split(",") : [];
    var names = {};
    chips.querySelectorAll("[data-chip]").forEach(function (chip) {
      names[chip.getAttribute("data-chip")] = chip.textContent.trim();
    });
    var moreText = more.textContent;
    var timer = null;

    function params(extra) {
      var p = new URLSearchParams();
      if (q.value.trim()) { p.set("q", q.value.trim()); }
      if (trade && trade.value) { p.set("trade", trade.value); }
      if (leader.checked) { p.set("leader", "1"); }
      Object.keys(extra).forEach(function (k) { p.set(k, extra[k]); });
      return url + (url.indexOf("?") < 0 ? "?" : "&") + p.toString();
    }

    function chip(id) {
      var span = document.createElement("span");
      span.className = "badge text-bg-light border me-1";
      span.setAttribute("data-chip", id);
      span.textContent = names[id] + " ";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close btn-close-sm";
      remove.setAttribute("data-picker-remove", id);
      remove.setAttribute("aria-label", "×");
      span.appendChild(remove);
      return span;
    }

    function show() {
      value.value = chosen.join(",");
      count.textContent = String(chosen.length);
      chips.textContent = "";
      var named = chosen.filter(function (id) { return names[id]; }).slice(0, 30);
      named.forEach(function (id) { chips.appendChild(chip(id)); });
      more.textContent = chosen.length > named.length ? "+" + (chosen.length - named.length) : moreText && "";
      rows.querySelectorAll("[data-picker-id]").forEach(function (box) {
        box.checked = chosen.indexOf(box.getAttribute("data-picker-id")) >= 0;
      });
    }

    function choose(id, on) {
      var at = chosen.indexOf(id);
      if (on && at < 0) { chosen = multiple ? chosen.concat([id]) : [id]; }
      if (!on && at >= 0) { chosen.splice(at, 1); }
      show();
    }

    function load(page) {
      var extra = {pick: "rows"};
      if (page) { extra.page = page; }
      fetch(params(extra), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { rows.innerHTML = html; show(); });
    }

    rows.addEventListener("change", function (e) {
      var box = e.target.closest("[data-picker-id]");
      if (!box) { return; }
      var id = box.getAttribute("data-picker-id");
      names[id] = box.getAttribute("data-picker-label");
      choose(id, box.checked);
    });
    rows.addEventListener("click", function (e) {
      var page = e.target.closest("[data-picker-page]");
      if (page && page.getAttribute("data-picker-page")) { load(page.getAttribute("data-picker-page")); }
      if (e.target.closest("[data-picker-none]")) { chosen = []; show(); }
      if (e.target.closest("[data-picker-all]")) {
        fetch(params({pick: "ids"}), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (data) {
            data.ids.forEach(function (id) {
              id = String(id);
              if (chosen.indexOf(id) < 0) { chosen.push(id); }
            });
            rows.querySelectorAll("[data-picker-id]").forEach(function (box) {
              names[box.getAttribute("data-picker-id")] = box.getAttribute("data-picker-label");
            });
            show();
          });
      }
    });
    chips.addEventListener("click", function (e) {
      var remove = e.target.closest("[data-picker-remove]");
      if (remove) { choose(remove.getAttribute("data-picker-remove"), false); }
    });
    q.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { load(); }, 250);
    });
    q.addEventListener("keydown", function (e) {  // Enter searches; it never submits the form
      if (e.key === "Enter") { e.preventDefault(); window.clearTimeout(timer); load(); }
    });
    if (trade) { trade.addEventListener("change", function () { load(); }); }
    leader.addEventListener("change", function () { load(); });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker]").forEach(setUp);
  });
})();
