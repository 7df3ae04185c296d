/* CaseStudio shell: search shortcut, theme, toasts, confirmations, htmx error reporting.
 * Plain script (no build step); every feature degrades to plain links and forms. */
(function () {
  "use strict";

  var TOAST_MS = 6000;

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  /* "/" focuses the global search (unless the user is typing somewhere). */
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      var search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    }
    if (event.key === "Escape") {
      document.querySelectorAll("details[open].usermenu, details[open].dropdown").forEach(function (d) { d.open = false; });
    }
  });

  /* Theme: System / Light / Dark, remembered in localStorage. */
  var themeSelect = document.querySelector("[data-theme-select]");
  if (themeSelect) {
    themeSelect.value = localStorage.getItem("cs-theme") || "auto";
    themeSelect.addEventListener("change", function () {
      localStorage.setItem("cs-theme", themeSelect.value);
      document.documentElement.dataset.theme = themeSelect.value;
      document.dispatchEvent(new CustomEvent("cs-theme"));
    });
  }

  /* Toasts: results of background work and of htmx actions (DESIGN §10). */
  function toast(message, kind) {
    var region = document.getElementById("toasts");
    if (!region || !message) { return; }
    var item = document.createElement("div");
    item.className = "toast toast--" + (kind || "info");
    item.textContent = message;
    region.appendChild(item);
    setTimeout(function () { item.remove(); }, TOAST_MS);
  }
  window.CaseStudio = { toast: toast };
  document.querySelectorAll(".toast[data-autohide]").forEach(function (item) {
    setTimeout(function () { item.remove(); }, TOAST_MS);
  });
  document.body.addEventListener("cs-toast", function (event) {
    var detail = event.detail || {};
    toast(detail.message || detail.value, detail.kind);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr.getResponseHeader("HX-Trigger")) { toast("The request failed (" + xhr.status + "). Please try again.", "error"); }
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("The server could not be reached. Check your connection.", "error");
  });

  /* Destructive actions ask first: <form data-confirm="…" data-confirm-ok="…">. */
  var dialog = document.getElementById("cs-confirm");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.confirm || form.dataset.confirmed === "1" || !dialog) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    document.getElementById("cs-confirm-text").textContent = form.dataset.confirm;
    document.getElementById("cs-confirm-ok").textContent = form.dataset.confirmOk || "Confirm";
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue === "ok") { form.dataset.confirmed = "1"; form.requestSubmit(); }
    };
    dialog.showModal();
  }, true);

  /* <select data-autosubmit> submits its form on change. */
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-autosubmit]")) { event.target.form.requestSubmit(); }
  });
}());
