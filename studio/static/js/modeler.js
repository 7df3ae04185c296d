/* BPMN modeler widget (studio/templates/widgets/macros.html `modeler`).
 *
 * bpmn-js with the Camunda properties panel (the bundle window.CaseStudioModeler, built by
 * `npm ci` from studio/assets/modeler-entry.js), a picker for the bundle's form keys and
 * the built-in topics, and the deploy lint shown on the diagram. The XML lives in the
 * <textarea data-draft-file> the studio saves: every command writes it (formatted) and
 * fires `input`. XML that cannot be read is never overwritten: the diagram stops writing
 * until the text is readable again. */
(function () {
  "use strict";
  if (window.CaseStudioModelerWidget) { window.CaseStudioModelerWidget.scan(document); return; }

  var LINT_DELAY = 400;
  var TOPIC_TYPES = ["bpmn:ServiceTask", "bpmn:SendTask", "bpmn:BusinessRuleTask"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function is(element, types) {
    var bo = element && element.businessObject;
    return Boolean(bo) && types.some(function (t) { return bo.$instanceOf(t); });
  }

  /** Where a problem badge sits: a shape's top-right corner, a flow's middle segment. */
  function badgeSpot(element) {
    var points = element.waypoints;
    if (!points || points.length < 2) { return { top: -10, right: 10 }; }
    var xs = points.map(function (p) { return p.x; });
    var ys = points.map(function (p) { return p.y; });
    var half = Math.floor((points.length - 1) / 2);
    var a = points[half];
    var b = points[half + 1];
    return { left: (a.x + b.x) / 2 - Math.min.apply(null, xs) - 10,
      top: (a.y + b.y) / 2 - Math.min.apply(null, ys) - 10 };
  }

  function formKeys(root) {
    try {
      return JSON.parse(root.dataset.formKeys || "[]").map(function (k) { return String(k).replace(/^form:/, ""); });
    } catch (err) {
      return [];
    }
  }

  function Widget(root) {
    this.root = root;
    this.text = root.querySelector("[data-modeler-xml]");
    this.error = root.querySelector("[data-modeler-error]");
    this.issues = root.querySelector("[data-modeler-issues]");
    this.lintStatus = root.querySelector("[data-modeler-lint-status]");
    this.selected = root.querySelector("[data-modeler-selected]");
    this.keys = formKeys(root);
    this.writing = false;
    this.broken = false;
    this.marked = [];
    this.seq = 0;
    if (!window.CaseStudioModeler) {
      this.fail("The modeler is not installed: run `make install` (npm ci builds it).");
      return;
    }
    this.modeler = window.CaseStudioModeler.create(root.querySelector("[data-modeler-canvas]"),
      root.querySelector("[data-modeler-panel]"));
    this.wire();
    this.load(this.text.value, true);
  }

  Widget.prototype.fail = function (message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  };

  Widget.prototype.wire = function () {
    var self = this;
    var bus = this.modeler.get("eventBus");
    bus.on("commandStack.changed", function (e) {
      if (e.trigger !== "clear") { self.save(); }
    });
    bus.on("selection.changed", function () { self.updatePicker(); });
    bus.on("elements.changed", function () { self.updatePicker(); });
    this.watchSize();
    this.text.addEventListener("change", function () { self.load(self.text.value, false); });
    this.text.addEventListener("input", function (e) {
      if (!self.writing && !e.isTrusted) { self.load(self.text.value, false); }  // set by the page
    });
    this.root.querySelectorAll("[data-modeler-apply]").forEach(function (b) {
      b.addEventListener("click", function () { self.apply(b.dataset.modelerApply); });
    });
    this.issues.addEventListener("click", function (e) {
      var target = e.target.closest("[data-element]");
      if (target) { self.reveal(target.dataset.element); }
    });
  };

  /** Draw `xml`; on failure keep the text as it is and say why. */
  Widget.prototype.load = function (xml, first) {
    var self = this;
    var job = xml.trim() ? this.modeler.importXML(xml) : this.modeler.createDiagram();
    return job.then(function () {
      self.broken = false;
      self.fail("");
      if (first) { self.fit(); }
      self.root.classList.add("is-ready");
      self.updatePicker();
      self.lint();
    }).catch(function (err) {
      self.broken = true;
      self.fail("The XML could not be read (" + err.message + "). It is kept as typed: fix it in the XML " +
        "view; until then the diagram shows the last readable version and changes are not saved.");
      self.root.classList.add("is-ready");
    });
  };

  /** A modeler drawn in a hidden tab has no size: fit the diagram once it is shown. */
  Widget.prototype.watchSize = function () {
    var self = this;
    var container = this.root.querySelector("[data-modeler-canvas]");
    if (typeof ResizeObserver !== "function") { return; }
    new ResizeObserver(function () {
      if (!container.clientWidth) { return; }
      self.modeler.get("canvas").resized();
      if (self.unfitted) { self.fit(); }
    }).observe(container);
  };

  /** Show the whole process, clear of the palette on the left. */
  Widget.prototype.fit = function () {
    var canvas = this.modeler.get("canvas");
    this.unfitted = !this.root.querySelector("[data-modeler-canvas]").clientWidth;
    if (this.unfitted) { return; }
    canvas.zoom("fit-viewport", "auto");
    if (canvas.zoom() > 1) { canvas.zoom(1, "auto"); }
    canvas.scroll({ dx: 60, dy: 0 });
  };

  /** Write the diagram to the draft textarea (formatted) and fire `input`. */
  Widget.prototype.save = function () {
    var self = this;
    if (this.broken) { return; }
    this.modeler.saveXML({ format: true }).then(function (result) {
      if (self.text.value !== result.xml) {
        self.writing = true;
        self.text.value = result.xml;
        self.text.dispatchEvent(new Event("input", { bubbles: true }));
        self.writing = false;
      }
      self.scheduleLint();
    });
  };

  /* --- form key / topic picker --- */

  Widget.prototype.current = function () {
    var chosen = this.modeler.get("selection").get();
    return chosen.length === 1 ? chosen[0] : null;
  };

  Widget.prototype.updatePicker = function () {
    var element = this.current();
    var bo = element && element.businessObject;
    this.selected.textContent = element ? (bo.name || bo.id) + " (" + bo.$type.replace("bpmn:", "") + ")"
      : "Select a task in the diagram.";
    this.pick("formKey", is(element, ["bpmn:UserTask"]), bo && bo.get("camunda:formKey"));
    this.pick("topic", is(element, TOPIC_TYPES), bo && bo.get("camunda:topic"));
  };

  Widget.prototype.pick = function (what, enabled, value) {
    var chooser = this.root.querySelector('[data-modeler-pick="' + what + '"]');
    chooser.disabled = !enabled;
    this.root.querySelector('[data-modeler-apply="' + what + '"]').disabled = !enabled;
    if (!enabled) { return; }
    value = value || "";
    var known = Array.prototype.some.call(chooser.options, function (o) { return o.value === value; });
    if (!known) {
      var option = el("option", null, value + " (not in this bundle)");
      option.value = value;
      chooser.append(option);
    }
    chooser.value = value;
  };

  Widget.prototype.apply = function (what) {
    var element = this.current();
    if (!element) { return; }
    var value = this.root.querySelector('[data-modeler-pick="' + what + '"]').value || undefined;
    var modeling = this.modeler.get("modeling");
    if (what === "formKey") {
      modeling.updateProperties(element, { "camunda:formKey": value });
    } else {
      modeling.updateProperties(element, { "camunda:type": value ? "external" : undefined, "camunda:topic": value });
    }
  };

  /* --- lint --- */

  Widget.prototype.scheduleLint = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.lint(); }, LINT_DELAY);
  };

  Widget.prototype.lint = function () {
    var self = this;
    var seq = ++this.seq;
    this.lintStatus.textContent = "checking…";
    this.modeler.saveXML({ format: false }).then(function (result) {
      return fetch(self.root.dataset.lintUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "X-CSRF-Token": self.root.dataset.csrf },
        body: JSON.stringify({ xml: result.xml, formKeys: self.keys })
      });
    }).then(function (response) {
      if (response.redirected) { throw new Error("your session has ended: reload the page to log in"); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (issues) {
      if (seq === self.seq) { self.show(issues); }
    }).catch(function (err) {
      if (seq === self.seq) { self.lintStatus.textContent = "the checks could not run (" + err.message + ")"; }
    });
  };

  Widget.prototype.show = function (issues) {
    var self = this;
    var overlays = this.modeler.get("overlays");
    var canvas = this.modeler.get("canvas");
    var registry = this.modeler.get("elementRegistry");
    overlays.remove({ type: "cs-lint" });
    this.marked.forEach(function (m) { if (registry.get(m[0])) { canvas.removeMarker(m[0], m[1]); } });
    this.marked = [];
    issues.forEach(function (issue) {
      if (!issue.elementId || !registry.get(issue.elementId)) { return; }
      var marker = "cs-lint-" + issue.severity;
      canvas.addMarker(issue.elementId, marker);
      self.marked.push([issue.elementId, marker]);
      var badge = el("span", "cs-lint-badge cs-lint-badge--" + issue.severity, issue.severity === "error" ? "!" : "?");
      badge.title = issue.message;
      overlays.add(issue.elementId, "cs-lint", { position: badgeSpot(registry.get(issue.elementId)), html: badge });
    });
    this.issues.replaceChildren.apply(this.issues, issues.map(function (issue) { return self.issueItem(issue); }));
    var errors = issues.filter(function (i) { return i.severity === "error"; }).length;
    var warnings = issues.length - errors;
    this.lintStatus.textContent = issues.length ? errors + (errors === 1 ? " error, " : " errors, ") +
      warnings + (warnings === 1 ? " warning" : " warnings") : "no problems found";
    this.root.dataset.lint = errors ? "error" : warnings ? "warning" : "ok";
  };

  Widget.prototype.issueItem = function (issue) {
    var li = el("li", "modeler__issue modeler__issue--" + issue.severity);
    li.append(el("span", "badge badge--" + (issue.severity === "error" ? "bad" : "warn"), issue.severity));
    var element = issue.elementId && this.modeler.get("elementRegistry").get(issue.elementId);
    if (element) {
      var go = el("button", "modeler__issue-target", element.businessObject.name || issue.elementId);
      go.type = "button";
      go.dataset.element = issue.elementId;
      go.title = "Show " + issue.elementId + " in the diagram";
      li.append(go);
    }
    li.append(el("span", "modeler__issue-message", issue.message));
    return li;
  };

  Widget.prototype.reveal = function (id) {
    var element = this.modeler.get("elementRegistry").get(id);
    if (!element) { return; }
    this.modeler.get("selection").select(element);
    this.modeler.get("canvas").scrollToElement(element);
  };

  /** Start every widget in `scope` not started yet (the page, or content htmx swapped in). */
  function scan(scope) {
    var selector = '[data-widget="modeler"]:not([data-ready])';
    var roots = Array.prototype.slice.call(scope.querySelectorAll(selector));
    if (scope.matches && scope.matches(selector)) { roots.unshift(scope); }
    roots.forEach(function (root) {
      root.dataset.ready = "1";
      root.modelerWidget = new Widget(root);
    });
  }

  window.CaseStudioModelerWidget = { scan: scan, Widget: Widget };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:load", function (e) { scan(e.target); });
}());
