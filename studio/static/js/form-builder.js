/* Form builder widget (studio/templates/widgets/macros.html `form_builder`).
 *
 * Three views of one form kept in step: the field list (widgets-form-model.js edits the
 * parsed documents), the JSON Schema and UI schema texts (the <textarea data-draft-file>
 * elements the studio saves), and a live preview drawn by the server with the portal's
 * renderer (widgets-form-preview.js). The texts are the truth: a text that is not valid
 * JSON pauses the builder and stays exactly as typed. Every builder change writes both
 * texts and fires `input`. No ids are fixed, so several builders can share a page. */
(function () {
  "use strict";
  if (window.CaseStudioFormBuilder) { window.CaseStudioFormBuilder.scan(document); return; }

  var PROP_LABELS = { title: "Label", help: "Help text", placeholder: "Placeholder",
    "default": "Default value", pattern: "Pattern (regular expression)",
    options: "Options — one per line, “value | Label”", widget: "Show as" };
  var count = 0;
  var uid = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function button(text, act, label, className) {
    var b = el("button", className || "fb-icon", text);
    b.type = "button";
    b.dataset.act = act;
    if (label) { b.setAttribute("aria-label", label); b.title = label; }
    return b;
  }

  /** A control with its label (generated ids: unique on the page, never fixed). */
  function labelled(text, control, className) {
    var box = el("div", className || "fb-prop");
    var label = el("label", "fb-prop__label", text);
    control.id = "fb-input-" + (++uid);
    label.htmlFor = control.id;
    box.append(label, control);
    return box;
  }

  function select(options, value) {
    var s = el("select");
    options.forEach(function (o) {
      var option = el("option", null, o[1]);
      option.value = o[0];
      s.append(option);
    });
    s.value = value;
    return s;
  }

  /** Ask before a destructive action (the shell's dialog when present). */
  function confirmThen(text, ok, then) {
    var dialog = document.getElementById("cs-confirm");
    if (!dialog || typeof dialog.showModal !== "function") { if (window.confirm(text)) { then(); } return; }
    document.getElementById("cs-confirm-text").textContent = text;
    document.getElementById("cs-confirm-ok").textContent = ok;
    dialog.addEventListener("close", function done() {
      dialog.removeEventListener("close", done);
      if (dialog.returnValue === "ok") { then(); }
    });
    dialog.showModal();
  }

  function Builder(root) {
    this.root = root;
    this.M = window.CaseStudioFormModel;
    this.schemaText = root.querySelector('[data-fb-text="schema"]');
    this.uiText = root.querySelector('[data-fb-text="ui"]');
    this.list = root.querySelector("[data-fb-root]");
    this.blocked = root.querySelector("[data-fb-blocked]");
    this.countEl = root.querySelector("[data-fb-count]");
    this.preview = new window.CaseStudioFormPreview(root, "fbp" + (++count));
    this.open = {};
    this.errors = {};
    this.fresh = new WeakSet();
    this.writing = false;
    this.doc = null;
    this.wire();
    this.readTexts();
    this.render();
    this.preview.refresh();
  }

  Builder.prototype.wire = function () {
    var self = this;
    [this.schemaText, this.uiText].forEach(function (text) {
      text.addEventListener("input", function () {
        if (self.writing) { return; }
        self.readTexts();
        self.render();
        self.preview.schedule();
      });
    });
    this.list.addEventListener("click", function (e) { self.onClick(e); });
    this.list.addEventListener("input", function (e) { self.onEdit(e, "input"); });
    this.list.addEventListener("change", function (e) { self.onEdit(e, "change"); });
  };

  /* --- the texts --- */

  Builder.prototype.parseText = function (text, what) {
    var box = this.root.querySelector('[data-fb-error="' + what + '"]');
    var value = null;
    var problem = "";
    try {
      value = text.value.trim() ? JSON.parse(text.value) : {};
      if (!this.M.isObj(value)) { problem = "must be a JSON object ({ … })"; }
    } catch (err) {
      problem = "is not valid JSON: " + err.message;
    }
    box.hidden = !problem;
    box.textContent = problem ? (what === "schema" ? "The JSON Schema " : "The UI schema ") + problem +
      ". Your text is kept as typed." : "";
    text.setAttribute("aria-invalid", problem ? "true" : "false");
    return problem ? null : value;
  };

  Builder.prototype.readTexts = function () {
    var schema = this.parseText(this.schemaText, "schema");
    var ui = this.parseText(this.uiText, "ui");
    var ok = schema !== null && ui !== null;
    if (ok) {
      this.doc = { schema: schema, ui: ui };
      this.shown = { schema: this.M.pretty(schema), ui: this.M.pretty(ui) };
    }
    this.blocked.hidden = ok;
    this.blocked.textContent = ok ? "" : "The builder is paused until the JSON text is valid again.";
    this.list.inert = !ok;
    this.list.classList.toggle("is-blocked", !ok);
  };

  /** Write the documents back to the texts that changed, firing `input` for the draft. */
  Builder.prototype.write = function () {
    var self = this;
    [["schema", this.schemaText], ["ui", this.uiText]].forEach(function (pair) {
      var text = self.M.pretty(self.doc[pair[0]]);
      if (text === self.shown[pair[0]] && pair[1].value.trim()) { return; }
      self.shown[pair[0]] = text;
      if (pair[1].value === text) { return; }
      self.writing = true;
      pair[1].value = text;
      pair[1].dispatchEvent(new Event("input", { bubbles: true }));
      self.writing = false;
    });
    this.preview.schedule();
  };

  /* --- the field list --- */

  Builder.prototype.render = function () {
    if (!this.doc) {
      this.list.replaceChildren(el("p", "muted", "Fix the JSON text to start the builder."));
      return;
    }
    var focus = this.rememberFocus();
    var fields = this.M.fields(this.doc, []);
    this.countEl.textContent = fields.length + (fields.length === 1 ? " field" : " fields");
    this.list.replaceChildren(this.fieldList([]));
    this.restoreFocus(focus);
  };

  Builder.prototype.fieldList = function (path) {
    var self = this;
    var wrap = el("div", "fb-list");
    var items = el("ol", "fb-list__items");
    this.M.fields(this.doc, path).forEach(function (f) { items.append(self.item(path.concat([f.key]), f)); });
    if (!items.children.length) {
      wrap.append(el("p", "muted fb-list__empty", path.length ? "No fields here yet." : "No fields yet: add the first one."));
    }
    wrap.append(items, this.addBar(path));
    return wrap;
  };

  Builder.prototype.addBar = function (path) {
    var bar = el("div", "fb-add");
    var kinds = select(this.M.KINDS, "text");
    kinds.dataset.addKind = "";
    bar.dataset.path = JSON.stringify(path);
    bar.append(labelled(path.length ? "New field in this group" : "New field", kinds, "fb-add__kind"),
      button("Add field", "add", null, "btn btn--small"));
    return bar;
  };

  Builder.prototype.item = function (path, f) {
    var key = JSON.stringify(path);
    var li = el("li", "fb-field");
    li.dataset.path = key;
    var name = f.node && f.node.title ? String(f.node.title) : f.key;
    var row = el("div", "fb-field__row");
    var toggle = button("", "toggle", null, "fb-field__toggle");
    toggle.setAttribute("aria-expanded", this.open[key] ? "true" : "false");
    toggle.append(el("span", "fb-field__title", name), el("code", "fb-field__key", f.key));
    var meta = el("span", "fb-field__meta");
    meta.append(el("span", "badge badge--neutral", this.M.LABELS[f.kind]));
    if (f.required) { meta.append(el("span", "badge badge--info", "Required")); }
    var tools = el("span", "fb-field__tools");
    tools.append(button("↑", "up", "Move " + name + " up"), button("↓", "down", "Move " + name + " down"),
      button("✕", "remove", "Remove " + name, "fb-icon fb-icon--danger"));
    row.append(toggle, meta, tools);
    li.append(row);
    if (this.open[key]) { li.append(this.editor(path, f)); }
    return li;
  };

  Builder.prototype.input = function (path, prop, value, type) {
    var control = el(type === "textarea" ? "textarea" : "input");
    if (type !== "textarea") { control.type = type || "text"; }
    if (type === "number") { control.step = "any"; }
    control.value = value;
    control.dataset.prop = prop;
    return control;
  };

  Builder.prototype.propControl = function (path, f, prop) {
    var value = this.M.getProp(f, prop);
    if (prop === "widget") {
      var s = select([["", "Drop-down list"], ["radio", "Radio buttons"]], value === "radio" ? "radio" : "");
      s.dataset.prop = prop;
      return s;
    }
    if (prop === "default" && f.kind === "boolean") {
      var b = select([["", "— none —"], ["true", "Yes"], ["false", "No"]], value);
      b.dataset.prop = prop;
      return b;
    }
    if (prop === "options") {
      var t = this.input(path, prop, value, "textarea");
      t.rows = 4;
      return t;
    }
    return this.input(path, prop, value, prop === "min" || prop === "max" ? "number" : "text");
  };

  Builder.prototype.editor = function (path, f) {
    var self = this;
    var box = el("div", "fb-editor");
    var grid = el("div", "fb-editor__grid");
    var keyInput = this.input(path, "key", f.key);
    keyInput.spellcheck = false;
    var kind = select(this.M.KINDS.concat(f.kind === "other" ? [["other", this.M.LABELS.other]] : []), f.kind);
    kind.dataset.prop = "kind";
    var required = el("input");
    required.type = "checkbox";
    required.checked = f.required;
    required.dataset.prop = "required";
    var editable = this.M.isObj(f.node);  // `true`/`false` schemas: only key and required
    var props = editable ? this.M.propsFor(f.kind) : [];
    if (editable) { grid.append(labelled("Label", this.input(path, "title", this.M.getProp(f, "title")))); }
    grid.append(labelled("Key", keyInput));
    if (editable) { grid.append(labelled("Type", kind)); }
    grid.append(labelled("Required", required, "fb-prop fb-prop--check"));
    props.filter(function (p) { return p !== "title"; }).forEach(function (prop) {
      var text = prop === "min" || prop === "max" ? self.M.limitLabel(f.kind, prop) : PROP_LABELS[prop];
      grid.append(labelled(text, self.propControl(path, f, prop), prop === "options" ? "fb-prop fb-prop--wide" : "fb-prop"));
    });
    box.append(grid);
    var problem = Object.keys(this.errors).filter(function (k) { return k.indexOf(JSON.stringify(path) + "|") === 0; })
      .map(function (k) { return self.errors[k]; }).join(" ");
    var error = el("p", "fb-editor__error", problem);
    error.setAttribute("role", "alert");
    error.hidden = !problem;
    box.append(error);
    if (f.kind === "other") {
      box.append(el("p", "muted", "This field uses JSON Schema features the builder does not edit: change it in the JSON text."));
    }
    if (f.kind === "group" || f.kind === "array") {
      var nested = el("div", "fb-editor__nested");
      nested.append(el("p", "fb-editor__nested-title", f.kind === "group" ? "Fields of this group" : "Fields of each row"),
        this.fieldList(path));
      box.append(nested);
    }
    return box;
  };

  /* --- edits --- */

  function pathOf(target) {
    var holder = target.closest("[data-path]");
    return holder ? JSON.parse(holder.dataset.path) : null;
  }

  Builder.prototype.onClick = function (e) {
    var target = e.target.closest("[data-act]");
    if (!target || !this.list.contains(target)) { return; }
    var path = pathOf(target);
    var key = JSON.stringify(path);
    var self = this;
    var act = target.dataset.act;
    if (act === "toggle") {
      this.open[key] = !this.open[key];
      this.render();
    } else if (act === "add") {
      var kind = target.closest(".fb-add").querySelector("[data-add-kind]").value;
      var added = path.concat([this.M.addField(this.doc, path, kind)]);
      this.fresh.add(this.M.field(this.doc, added, false).node);
      this.open[JSON.stringify(added)] = true;
      this.changed();
      var label = this.list.querySelector('[data-path="' + CSS.escape(JSON.stringify(added)) + '"] [data-prop="title"]');
      if (label) { label.focus(); label.select(); }
    } else if (act === "up" || act === "down") {
      if (this.M.moveField(this.doc, path, act === "up" ? -1 : 1)) { this.changed(); }
    } else if (act === "remove") {
      var name = this.M.getProp(this.M.field(this.doc, path, false), "title") || path[path.length - 1];
      confirmThen("Remove the field “" + name + "” from the form?", "Remove", function () {
        self.M.removeField(self.doc, path);
        self.changed();
      });
    }
  };

  /** Text inputs apply on `input` (live), the key on `change` (a rename), selects on `change`. */
  Builder.prototype.onEdit = function (e, type) {
    var prop = e.target.dataset && e.target.dataset.prop;
    if (!prop || !this.doc) { return; }
    var isText = (e.target.tagName === "INPUT" && e.target.type !== "checkbox") || e.target.tagName === "TEXTAREA";
    if (prop === "key" ? type !== "change" : (isText ? type !== "input" : type !== "change")) { return; }
    var path = pathOf(e.target);
    var problem = this.apply(path, prop, e.target);
    var errorKey = JSON.stringify(path) + "|" + prop;
    if (problem) {
      this.errors[errorKey] = problem;
      var box = e.target.closest(".fb-editor").querySelector(".fb-editor__error");
      box.textContent = problem;
      box.hidden = false;
      return;
    }
    delete this.errors[errorKey];
    this.changed();
  };

  /** Apply one edit to the model; returns an error message ("" when applied). */
  Builder.prototype.apply = function (path, prop, control) {
    var M = this.M;
    var f = M.field(this.doc, path, false);
    if (prop === "required") { M.setRequired(this.doc, path, control.checked); return ""; }
    if (prop === "kind") { M.setKind(this.doc, path, control.value); return ""; }
    if (prop === "key") {
      this.fresh.delete(f.node);
      return this.rename(path, control.value.trim());
    }
    var problem = M.setProp(this.doc, path, prop, control.value);
    if (!problem && prop === "title" && this.fresh.has(f.node)) {
      var siblings = Object.keys(f.parent.schema.properties).filter(function (k) { return k !== f.key; });
      this.rename(path, M.keyFrom(control.value, siblings));
    }
    return problem;
  };

  Builder.prototype.rename = function (path, key) {
    var problem = this.M.renameField(this.doc, path, key);
    if (!problem) {
      var renamed = path.slice(0, -1).concat([key]);
      this.open[JSON.stringify(renamed)] = this.open[JSON.stringify(path)];
      this.renamedTo = { from: JSON.stringify(path), to: JSON.stringify(renamed) };
    }
    return problem;
  };

  Builder.prototype.changed = function () {
    this.write();
    this.render();
  };

  /* --- focus across re-renders (the list is redrawn after each edit) --- */

  Builder.prototype.rememberFocus = function () {
    var active = document.activeElement;
    if (!active || !this.list.contains(active)) { return null; }
    var holder = active.closest("[data-path]");
    var spot = { path: holder ? holder.dataset.path : null, prop: active.dataset.prop, act: active.dataset.act };
    try { spot.start = active.selectionStart; spot.end = active.selectionEnd; } catch (err) { spot.start = null; }
    if (this.renamedTo && spot.path === this.renamedTo.from) { spot.path = this.renamedTo.to; }
    this.renamedTo = null;
    return spot;
  };

  Builder.prototype.restoreFocus = function (spot) {
    if (!spot || spot.path === null) { return; }
    var holder = this.list.querySelector('[data-path="' + CSS.escape(spot.path) + '"]');
    if (!holder) { return; }
    var target = spot.prop ? holder.querySelector('[data-prop="' + spot.prop + '"]')
      : holder.querySelector('[data-act="' + spot.act + '"]');
    if (!target) { return; }
    target.focus();
    if (spot.start !== null && spot.start !== undefined && typeof target.setSelectionRange === "function") {
      try { target.setSelectionRange(spot.start, spot.end); } catch (err) { /* not a text control */ }
    }
  };

  /** Start every widget in `scope` not started yet (the page, or content htmx swapped in). */
  function scan(scope) {
    var selector = '[data-widget="form-builder"]:not([data-ready])';
    var roots = Array.prototype.slice.call(scope.querySelectorAll(selector));
    if (scope.matches && scope.matches(selector)) { roots.unshift(scope); }
    roots.forEach(function (root) {
      root.dataset.ready = "1";
      root.builder = new Builder(root);
    });
  }

  window.CaseStudioFormBuilder = { scan: scan, Builder: Builder };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:load", function (e) { scan(e.target); });
}());
