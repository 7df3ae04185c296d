/* CaseStudio studio: autosave of the draft editor, row editors, problem marks.
 *
 * Every input with data-draft-file (a textarea holding a whole bundle file, also the
 * widgets' state) or a structured field (data-manifest, data-collect containers) is
 * saved through PATCH /api/v1/studio/drafts/<key> with If-Match: "<revision>".
 * A 412 shows a conflict notice and keeps the user's input; nothing is overwritten
 * unless the user chooses to. Plain script, no build step. */
(function () {
  "use strict";

  var SAVE_DELAY_MS = 700;
  var root = document.querySelector("[data-draft]");

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  /* ---- row editors (stages, queues, hooks): add, remove, move ------------------ */
  function rowsOf(container) { return container.querySelector("[data-rows]"); }

  function changed(container) {
    container.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function uniqueDefault(container, input) {
    var base = input.dataset.default, taken = {}, n = 1;
    container.querySelectorAll('[data-row] [data-prop="' + input.dataset.prop + '"]').forEach(function (i) { taken[i.value] = true; });
    if (!taken[base]) { return base; }
    while (taken[base + "_" + n] || taken[base + " " + n]) { n += 1; }
    return input.dataset.prop === "name" ? base + " " + n : base + "_" + n;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-row-add],[data-row-remove],[data-row-up],[data-row-down]");
    if (!button) { return; }
    var container = button.closest("[data-collect]");
    if (!container) { return; }
    var row = button.closest("[data-row]");
    if (button.hasAttribute("data-row-add")) {
      var fresh = container.querySelector("template[data-row-template]").content.firstElementChild.cloneNode(true);
      rowsOf(container).appendChild(fresh);
      fresh.querySelectorAll("[data-default]").forEach(function (input) { input.value = uniqueDefault(container, input); });
      var first = fresh.querySelector("input, select");
      if (first) { first.focus(); first.select && first.select(); }
    } else if (button.hasAttribute("data-row-remove")) {
      row.remove();
    } else if (button.hasAttribute("data-row-up") && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
    } else if (button.hasAttribute("data-row-down") && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
    }
    changed(container);
  });

  /* ---- collecting structured fields into manifest values ------------------------ */
  function setPath(target, path, value) {
    var parts = path.split("."), last = parts.pop();
    parts.forEach(function (p) { target = target[p] = target[p] || {}; });
    target[last] = value;
  }

  function collectRows(container) {
    var scalar = container.hasAttribute("data-scalar");
    return Array.prototype.map.call(container.querySelectorAll("[data-rows] > [data-row]"), function (row) {
      if (scalar) { return row.querySelector("[data-prop]").value.trim(); }
      var item = {};
      row.querySelectorAll("[data-prop]").forEach(function (input) {
        var value = input.value.trim();
        if (value !== "") { setPath(item, input.dataset.prop, value); }
      });
      return item;
    }).filter(function (item) { return scalar ? item !== "" : Object.keys(item).length > 0; });
  }

  function collectGrid(container) {
    var out = {};
    container.querySelectorAll("[data-action]").forEach(function (row) {
      var roles = [];
      row.querySelectorAll("input[type=checkbox][data-role]").forEach(function (box) { if (box.checked) { roles.push(box.dataset.role); } });
      var extra = row.querySelector("[data-extra]");
      (extra ? extra.value.split(",") : []).forEach(function (r) { r = r.trim(); if (r && roles.indexOf(r) < 0) { roles.push(r); } });
      if (roles.length) { out[row.dataset.action] = roles; }
    });
    return out;
  }

  function manifestValue(element) {
    if (element.hasAttribute("data-collect")) {
      return element.dataset.collect === "grid" ? collectGrid(element) : collectRows(element);
    }
    var value = element.value;
    return value.trim() === "" ? null : value;
  }

  /* ---- autosave ------------------------------------------------------------------ */
  if (!root) { return; }
  var api = root.dataset.api;
  var revision = parseInt(root.dataset.revision, 10);
  var pending = { files: {}, manifest: {} };
  var timer = null, inflight = null, conflict = false;
  var status = document.getElementById("save-status");
  var notice = document.getElementById("conflict-notice");
  var errorBox = document.getElementById("save-error");

  function hasPending() { return Object.keys(pending.files).length + Object.keys(pending.manifest).length > 0; }

  function showStatus(state, text) {
    if (!status) { return; }
    status.dataset.state = state;
    status.textContent = text;
  }

  function note(element) {
    if (element.hasAttribute("data-draft-file")) {
      pending.files[element.dataset.draftFile] = element.value;
      var link = element.closest("[data-ui-link]");
      if (link && link.dataset.uiLink === element.dataset.draftFile) { pending.manifest.ui = element.dataset.draftFile; }
    } else if (element.hasAttribute("data-manifest")) {
      pending.manifest[element.dataset.manifest] = manifestValue(element);
    } else if (element.hasAttribute("data-collect")) {
      pending.manifest[element.dataset.manifestField] = manifestValue(element);
    }
    root.querySelectorAll("[data-revision-field]").forEach(function (f) { f.disabled = true; });
    showStatus("dirty", conflict ? "Not saved (conflict)" : "Unsaved changes…");
    if (!conflict) { schedule(); }
  }

  function sourceOf(target) {
    if (!target || !target.closest) { return null; }
    return target.closest("[data-draft-file]") || target.closest("[data-manifest]") || target.closest("[data-collect]");
  }

  function onEdit(event) {
    var source = sourceOf(event.target);
    if (source && root.contains(source)) { note(source); }
  }
  root.addEventListener("input", onEdit);
  root.addEventListener("change", onEdit);

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  }

  function save() {
    clearTimeout(timer);
    if (inflight) { return inflight.then(function () { return hasPending() && !conflict ? save() : null; }); }
    if (!hasPending() || conflict) { return Promise.resolve(); }
    var body = pending;
    pending = { files: {}, manifest: {} };
    showStatus("saving", "Saving…");
    inflight = fetch(api, {
      method: "PATCH", credentials: "same-origin", keepalive: JSON.stringify(body).length < 60000,
      headers: { "Content-Type": "application/json", "If-Match": '"' + revision + '"', "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return handle(response.status, data, body); });
    }).catch(function () {
      restore(body);
      showStatus("error", "Offline: changes kept, retrying…");
      timer = setTimeout(save, 3000);
    }).then(function () { inflight = null; });
    return inflight;
  }

  function restore(body) {
    /* Put unsaved changes back under newer ones typed meanwhile. */
    Object.keys(body.files).forEach(function (k) { if (!(k in pending.files)) { pending.files[k] = body.files[k]; } });
    Object.keys(body.manifest).forEach(function (k) { if (!(k in pending.manifest)) { pending.manifest[k] = body.manifest[k]; } });
  }

  function handle(code, data, body) {
    if (code === 200) {
      revision = data.revision;
      root.dataset.revision = revision;
      root.querySelectorAll("[data-revision-field]").forEach(function (f) { f.value = revision; f.disabled = false; });
      showRevision(revision, data.updatedBy);
      refreshManifestText(data.files || {});
      errorBox.hidden = true;
      showStatus("saved", hasPending() ? "Unsaved changes…" : "All changes saved");
      document.body.dispatchEvent(new CustomEvent("cs-saved", { detail: { revision: revision } }));
      if (hasPending()) { schedule(); }
    } else if (code === 412) {
      restore(body);
      conflict = true;
      var current = data.current || {};
      notice.querySelector("[data-conflict-who]").textContent = (current.updatedBy || "Someone") + " saved revision " + (current.revision || "?") + ".";
      notice.dataset.theirs = current.revision || "";
      notice.hidden = false;
      showStatus("conflict", "Not saved (conflict)");
    } else {
      restore(body);
      conflict = false;
      pending = { files: {}, manifest: {} };
      showError(data);
    }
  }

  function showError(data) {
    var lines = (data.errors || []).map(function (e) { return (e.path || "") + " " + e.message; });
    errorBox.textContent = "Not saved: " + (data.detail || "the server refused the change") + (lines.length ? " — " + lines.join("; ") : "") + ". Your input is still on the page.";
    errorBox.hidden = false;
    showStatus("error", "Not saved");
  }

  function showRevision(number, who) {
    /* The page header names the revision the analyst is looking at: keep it current. */
    var subtitle = document.querySelector(".page-header__subtitle");
    if (!subtitle) { return; }
    subtitle.textContent = subtitle.textContent
      .replace(/draft revision \d+/, "draft revision " + number)
      .replace(/saved by .*$/, "saved by " + (who || "you"));
  }

  function refreshManifestText(files) {
    /* A structured edit rewrites case-type.yaml: show it in its raw editor (Files tab). */
    Object.keys(files).forEach(function (path) {
      root.querySelectorAll('textarea[data-draft-file="' + path + '"]').forEach(function (area) {
        if (document.activeElement !== area && !(path in pending.files) && area.value !== files[path] && path === "case-type.yaml") { area.value = files[path]; }
      });
    });
  }

  notice.querySelector("[data-conflict-overwrite]").addEventListener("click", function () {
    revision = parseInt(notice.dataset.theirs, 10) || revision;
    conflict = false;
    notice.hidden = true;
    save();
  });
  notice.querySelector("[data-conflict-reload]").addEventListener("click", function () {
    pending = { files: {}, manifest: {} };
    window.location.reload();
  });

  /* Leaving the page (tab links, other sections) waits for the save to finish. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || !(hasPending() || inflight) || conflict) { return; }
    event.preventDefault();
    save().then(function () { if (!conflict && !hasPending()) { window.location.href = link.href; } });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-flush-first") || !(hasPending() || inflight)) { return; }
    event.preventDefault();
    save().then(function () { if (!conflict) { form.submit(); } });
  });
  window.addEventListener("beforeunload", function (event) {
    if (hasPending() && !conflict) { save(); }  /* keepalive: the request outlives the page */
    if (conflict) { event.preventDefault(); event.returnValue = ""; }
  });

  /* ---- problems next to the fields and files of this tab ------------------------- */
  function anchorFor(problem) {
    if (problem.file === "case-type.yaml") {
      var path = problem.path || "";
      while (path) {
        var hit = root.querySelector('[data-pointer="' + path + '"]');
        if (hit) { return hit; }
        path = path.replace(/\/[^/]*$/, "");
      }
      return null;
    }
    if ((problem.path || "").charAt(0) === "#" && root.querySelector('[data-widget="modeler"]')) {
      return null;  /* the modeler marks BPMN elements on the diagram itself */
    }
    return root.querySelector('[data-draft-file="' + problem.file + '"]');
  }

  document.body.addEventListener("cs-problems", function (event) {
    root.querySelectorAll("[data-problem-mark]").forEach(function (mark) { mark.remove(); });
    root.querySelectorAll("[aria-invalid][data-problem-field]").forEach(function (f) { f.removeAttribute("aria-invalid"); f.removeAttribute("data-problem-field"); });
    ((event.detail || {}).problems || []).forEach(function (problem) {
      var anchor = anchorFor(problem);
      if (!anchor) { return; }
      var mark = document.createElement("p");
      mark.className = "field-problem field-problem--" + problem.severity;
      mark.setAttribute("data-problem-mark", "");
      mark.textContent = (problem.path && problem.file !== "case-type.yaml" ? problem.path + ": " : "") + problem.message;
      if (anchor.tagName === "TR") {
        var cell = anchor.querySelector("td:last-child, th:last-child");
        (cell || anchor).appendChild(mark);
      } else {
        anchor.insertAdjacentElement(anchor.tagName === "TEXTAREA" ? "beforebegin" : "beforeend", mark);
      }
      var field = anchor.matches("input, textarea, select") ? anchor : anchor.querySelector("input, textarea, select");
      if (field) { field.setAttribute("aria-invalid", "true"); field.setAttribute("data-problem-field", ""); }
    });
  });
}());
