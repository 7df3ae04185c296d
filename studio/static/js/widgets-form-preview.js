/* The form builder's live preview (used by form-builder.js).
 *
 * Why the server draws it: the analyst must see exactly the portal's form and the API's
 * validation errors, so the JSON texts and the sample data typed into the preview go to
 * POST /studio/widgets/form-preview (forms.render + forms.validation) and the answer's HTML
 * (escaped by the renderer) replaces the preview. Focus and caret survive each redraw.
 * Sample data never reaches the draft: its events stop at the preview. */
(function () {
  "use strict";
  if (window.CaseStudioFormPreview) { return; }

  var PREVIEW_DELAY = 300;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function Preview(root, prefix) {
    this.root = root;
    this.prefix = prefix;
    this.schemaText = root.querySelector('[data-fb-text="schema"]');
    this.uiText = root.querySelector('[data-fb-text="ui"]');
    this.form = root.querySelector("[data-fb-preview]");
    this.problems = root.querySelector("[data-fb-schema-problems]");
    this.status = root.querySelector("[data-fb-status]");
    this.seq = 0;
    this.checked = false;
    this.wire();
  }

  Preview.prototype.wire = function () {
    var self = this;
    this.root.querySelector("[data-fb-check]").addEventListener("click", function () {
      self.checked = true;
      self.refresh();
    });
    ["input", "change"].forEach(function (type) {
      self.form.addEventListener(type, function (e) {
        e.stopPropagation();  // sample data is not part of the draft
        self.checked = true;
        self.schedule();
      });
    });
    this.form.addEventListener("click", function (e) {
      var op = e.target.closest('button[name="_op"]');
      if (!op) { return; }
      e.preventDefault();
      self.refresh(op.value);
    });
  };

  Preview.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.refresh(); }, PREVIEW_DELAY);
  };

  function sampleFields(container, body) {
    container.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (c) {
      if (c.disabled || c.type === "file" || c.type === "submit" || c.type === "button") { return; }
      if ((c.type === "checkbox" || c.type === "radio") && !c.checked) { return; }
      if (c.tagName === "SELECT" && c.multiple) {
        Array.prototype.forEach.call(c.selectedOptions, function (o) { body.append(c.name, o.value); });
        return;
      }
      body.append(c.name, c.value);
    });
  }

  Preview.prototype.refresh = function (op) {
    var self = this;
    clearTimeout(this.timer);
    var body = new URLSearchParams();
    body.set("schema", this.schemaText.value);
    body.set("ui", this.uiText.value);
    body.set("prefix", this.prefix);
    if (this.checked) { body.set("check", "1"); }
    sampleFields(this.form, body);
    if (op) { body.set("_op", op); }
    var seq = ++this.seq;
    this.root.classList.add("is-updating");
    fetch(this.root.dataset.previewUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": this.root.dataset.csrf, Accept: "application/json" }
    }).then(function (response) {
      if (response.redirected) { throw new Error("your session has ended: reload the page to log in"); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (result) {
      if (seq === self.seq) { self.show(result); }
    }).catch(function (err) {
      if (seq === self.seq) { self.status.textContent = "The preview could not be updated (" + err.message + ")."; }
    }).then(function () {
      if (seq === self.seq) { self.root.classList.remove("is-updating"); }
    });
  };

  Preview.prototype.show = function (result) {
    var active = document.activeElement;
    var spot = active && this.form.contains(active) && active.name ? {
      name: active.name, value: active.value, start: active.selectionStart, end: active.selectionEnd } : null;
    this.form.innerHTML = result.html;  // escaped by the server's renderer
    this.form.dataset.state = result.html ? "ready" : "empty";
    if (spot) { this.refocus(spot); }
    var problems = result.schemaErrors.map(function (p) { return ["JSON Schema", p]; })
      .concat(result.uiErrors.map(function (p) { return ["UI schema", p]; }));
    this.problems.replaceChildren.apply(this.problems, problems.map(function (item) {
      var where = item[1].path ? " at " + item[1].path : "";
      return el("li", "fb__problem", item[0] + where + ": " + item[1].message);
    }));
    this.problems.hidden = problems.length === 0;
    var errors = result.errors.length;
    this.status.textContent = !this.checked || problems.length ? "" : errors
      ? errors + (errors === 1 ? " problem" : " problems") + " in the sample data."
      : "The sample data is valid.";
    this.status.dataset.tone = errors ? "bad" : "ok";
  };

  Preview.prototype.refocus = function (spot) {
    var candidates = this.form.querySelectorAll('[name="' + CSS.escape(spot.name) + '"]');
    var target = Array.prototype.filter.call(candidates, function (c) {
      return c.type !== "radio" && c.type !== "checkbox" || c.value === spot.value;
    })[0];
    if (!target) { return; }
    target.focus();
    if (typeof spot.start === "number" && typeof target.setSelectionRange === "function") {
      try { target.setSelectionRange(spot.start, spot.end); } catch (err) { /* not a text control */ }
    }
  };

  window.CaseStudioFormPreview = Preview;
}());
