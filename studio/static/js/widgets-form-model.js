/* The form builder's model: fields <-> JSON Schema + UI schema, edited in place.
 *
 * Why in place: the builder edits the parsed documents themselves (a field is a member of
 * `properties`, its UI options live in the UI schema under the same key), so everything
 * the builder does not know — $defs, conditionals, extra keywords, odd UI options — stays
 * exactly where the analyst put it, and the JSON text changes only where a field changed.
 * A path is the list of field keys from the root; a repeating group's fields are those of
 * its `items`. Plain functions, no DOM: form-builder.js draws and wires them. */
(function () {
  "use strict";
  if (window.CaseStudioFormModel) { return; }

  var KINDS = [
    ["text", "Text"], ["textarea", "Long text"], ["number", "Number"], ["integer", "Integer"],
    ["boolean", "Yes / no"], ["date", "Date"], ["datetime", "Date and time"], ["email", "E-mail"],
    ["url", "URL"], ["choice", "Single choice"], ["multi", "Multiple choice"],
    ["group", "Group"], ["array", "Repeating group"]
  ];
  var LABELS = { other: "Advanced (edit as JSON)" };
  KINDS.forEach(function (k) { LABELS[k[0]] = k[1]; });
  var FORMATS = { date: "date", datetime: "date-time", email: "email", url: "uri" };
  /* Keywords that belong to a kind: dropped when the analyst changes a field's kind. */
  var TYPE_KEYS = ["type", "format", "enum", "oneOf", "anyOf", "const", "items", "properties",
    "required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "default",
    "additionalProperties", "$ref"];
  var KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

  function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  function sampleOptions() {
    return [{ "const": "option-1", "title": "Option 1" }, { "const": "option-2", "title": "Option 2" }];
  }

  function template(kind) {
    var t = { text: { type: "string" }, textarea: { type: "string" }, number: { type: "number" },
      integer: { type: "integer" }, boolean: { type: "boolean" },
      choice: { type: "string", oneOf: sampleOptions() },
      multi: { type: "array", items: { type: "string", oneOf: sampleOptions() }, uniqueItems: true },
      group: { type: "object", properties: {} },
      array: { type: "array", items: { type: "object", properties: {} } } }[kind];
    if (!t) { t = { type: "string", format: FORMATS[kind] }; }
    return t;
  }

  function widgetFor(kind) {
    return { textarea: "textarea", multi: "checkboxes" }[kind];
  }

  function hasChoices(n) {
    return isObj(n) && (Array.isArray(n.enum) || (Array.isArray(n.oneOf) && n.oneOf.length > 0 &&
      n.oneOf.every(function (o) { return isObj(o) && Object.prototype.hasOwnProperty.call(o, "const"); })));
  }

  function stringKind(n, ui) {
    if (hasChoices(n)) { return "choice"; }
    for (var kind in FORMATS) {
      if (FORMATS[kind] === n.format || (kind === "url" && (n.format === "url" || n.format === "iri"))) { return kind; }
    }
    return ui && ui["ui:widget"] === "textarea" ? "textarea" : "text";
  }

  function arrayKind(n) {
    if (!isObj(n.items)) { return "other"; }
    if (hasChoices(n.items)) { return "multi"; }
    return n.items.type === "object" || isObj(n.items.properties) ? "array" : "other";
  }

  /** The builder kind of a schema node ("other" when only the JSON text can edit it). */
  function kindOf(n, ui) {
    if (!isObj(n) || n.$ref !== undefined) { return "other"; }
    var simple = { number: "number", integer: "integer", boolean: "boolean" }[n.type];
    if (simple) { return simple; }
    if (n.type === "string") { return stringKind(n, ui); }
    if (n.type === "object" || (n.type === undefined && isObj(n.properties))) { return "group"; }
    return n.type === "array" ? arrayKind(n) : "other";
  }

  /* --- walking the documents --- */

  /** The object schema whose `properties` hold a container's fields (root, group, array items). */
  function objectOf(node) {
    return isObj(node) && !isObj(node.properties) && isObj(node.items) ? node.items : node;
  }

  function uiChild(ui, key, node, create) {
    var next = isObj(ui) ? ui[key] : undefined;
    if (!isObj(next)) {
      if (!create) { return {}; }
      next = ui[key] = {};
    }
    if (isObj(node) && !isObj(node.properties) && isObj(node.items)) {
      if (!isObj(next.items)) {
        if (!create) { return {}; }
        next.items = {};
      }
      return next.items;
    }
    return next;
  }

  /** {schema, ui} of the container at `path` ([] = the root); `create` makes UI nodes. */
  function container(doc, path, create) {
    var schema = doc.schema;
    var ui = doc.ui;
    path.forEach(function (key) {
      var node = objectOf(schema).properties[key];
      ui = uiChild(ui, key, node, create);
      schema = node;
    });
    return { schema: objectOf(schema), ui: ui };
  }

  /** Field keys in the order the portal's renderer shows them (properties, then ui:order). */
  function orderedKeys(schema, ui) {
    var names = Object.keys(isObj(schema.properties) ? schema.properties : {});
    var wanted = isObj(ui) && Array.isArray(ui["ui:order"]) ? ui["ui:order"] : null;
    if (!wanted) { return names; }
    var listed = wanted.filter(function (n, i) {
      return typeof n === "string" && names.indexOf(n) >= 0 && wanted.indexOf(n) === i;
    });
    var cut = wanted.indexOf("*") >= 0 ? wanted.indexOf("*") : wanted.length;
    var before = listed.filter(function (n) { return wanted.indexOf(n) < cut; });
    var rest = names.filter(function (n) { return listed.indexOf(n) < 0; });
    return before.concat(rest, listed.filter(function (n) { return before.indexOf(n) < 0; }));
  }

  /** One field: key, schema node, UI node (read-only view unless `create`), kind, required. */
  function field(doc, path, create) {
    var parent = container(doc, path.slice(0, -1), create);
    var key = path[path.length - 1];
    var node = parent.schema.properties[key];
    var ui = isObj(parent.ui[key]) ? parent.ui[key] : {};
    if (create && !isObj(parent.ui[key])) { ui = parent.ui[key] = {}; }
    var required = Array.isArray(parent.schema.required) && parent.schema.required.indexOf(key) >= 0;
    return { key: key, node: node, ui: ui, kind: kindOf(node, ui), required: required, parent: parent };
  }

  function fields(doc, path) {
    var c = container(doc, path, false);
    return orderedKeys(c.schema, c.ui).map(function (key) { return field(doc, path.concat([key]), false); });
  }

  /* --- structural edits --- */

  /** Rebuild an object with its keys in `order` (renamed via `rename`), others after. */
  function reorder(obj, order, rename) {
    var out = {};
    order.concat(Object.keys(obj)).forEach(function (k) {
      if (Object.prototype.hasOwnProperty.call(obj, k) && !((rename[k] || k) in out)) {
        out[rename[k] || k] = obj[k];
      }
    });
    return out;
  }

  function setOrder(doc, path, order, rename) {
    var c = container(doc, path, false);
    c.schema.properties = reorder(c.schema.properties, order, rename || {});
    if (Array.isArray(c.ui["ui:order"])) { c.ui["ui:order"] = order.map(function (k) { return (rename || {})[k] || k; }); }
  }

  function keyFrom(label, taken) {
    var base = String(label || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 48) || "field";
    if (/^[0-9]/.test(base)) { base = "field_" + base; }
    var key = base;
    for (var i = 2; taken.indexOf(key) >= 0; i++) { key = base + "_" + i; }
    return key;
  }

  function addField(doc, path, kind) {
    var c = container(doc, path, false);
    if (!isObj(c.schema.properties)) { c.schema.properties = {}; }
    if (path.length === 0 && c.schema.type === undefined) { c.schema.type = "object"; }
    var keys = Object.keys(c.schema.properties);
    var n = keys.length + 1;
    var title = "New field " + n;
    while (keys.indexOf(keyFrom(title, [])) >= 0) { n++; title = "New field " + n; }
    var key = keyFrom(title, keys);
    var node = { title: title };
    Object.assign(node, template(kind));
    c.schema.properties[key] = node;
    if (widgetFor(kind)) { container(doc, path, true).ui[key] = { "ui:widget": widgetFor(kind) }; }
    if (Array.isArray(c.ui["ui:order"]) && c.ui["ui:order"].indexOf("*") < 0) { c.ui["ui:order"].push(key); }
    return key;
  }

  function removeField(doc, path) {
    var f = field(doc, path, false);
    var c = f.parent;
    delete c.schema.properties[f.key];
    if (Array.isArray(c.schema.required)) { setRequiredIn(c.schema, f.key, false); }
    if (isObj(c.ui)) {
      delete c.ui[f.key];
      if (Array.isArray(c.ui["ui:order"])) {
        c.ui["ui:order"] = c.ui["ui:order"].filter(function (k) { return k !== f.key; });
      }
    }
  }

  function moveField(doc, path, delta) {
    var parentPath = path.slice(0, -1);
    var c = container(doc, parentPath, false);
    var order = orderedKeys(c.schema, c.ui);
    var from = order.indexOf(path[path.length - 1]);
    var to = from + delta;
    if (from < 0 || to < 0 || to >= order.length) { return false; }
    order.splice(to, 0, order.splice(from, 1)[0]);
    setOrder(doc, parentPath, order);
    return true;
  }

  /** Rename a field's key (schema, required, UI node, ui:order); returns an error or "". */
  function renameField(doc, path, newKey) {
    var f = field(doc, path, false);
    if (newKey === f.key) { return ""; }
    if (!KEY.test(newKey)) { return "Use letters, digits, _ or -, starting with a letter or _."; }
    if (Object.prototype.hasOwnProperty.call(f.parent.schema.properties, newKey)) {
      return "Another field already uses the key “" + newKey + "”.";
    }
    var rename = {};
    rename[f.key] = newKey;
    var c = container(doc, path.slice(0, -1), false);
    var order = orderedKeys(c.schema, c.ui);
    setOrder(doc, path.slice(0, -1), order, rename);
    if (Array.isArray(c.schema.required)) {
      c.schema.required = c.schema.required.map(function (k) { return k === f.key ? newKey : k; });
    }
    if (isObj(c.ui) && Object.prototype.hasOwnProperty.call(c.ui, f.key)) {
      var ui = {};
      Object.keys(c.ui).forEach(function (k) { ui[k === f.key ? newKey : k] = c.ui[k]; });
      replaceContents(c.ui, ui);
    }
    return "";
  }

  function replaceContents(target, source) {
    Object.keys(target).forEach(function (k) { delete target[k]; });
    Object.assign(target, source);
  }

  function setRequiredIn(schema, key, on) {
    var list = Array.isArray(schema.required) ? schema.required.filter(function (k) { return k !== key; }) : [];
    if (on) { list.push(key); }
    if (list.length) { schema.required = list; } else { delete schema.required; }
  }

  function setRequired(doc, path, on) {
    var f = field(doc, path, false);
    setRequiredIn(f.parent.schema, f.key, on);
  }

  function setKind(doc, path, kind) {
    var f = field(doc, path, true);
    if (f.kind === kind) { return; }
    var keepChoices = (f.kind === "choice" || f.kind === "multi") && (kind === "choice" || kind === "multi");
    var options = keepChoices ? getOptions(f) : null;
    TYPE_KEYS.forEach(function (k) { delete f.node[k]; });
    Object.assign(f.node, template(kind));
    Object.keys(f.ui).forEach(function (k) { if (k.indexOf("ui:") !== 0 || k === "ui:order" || k === "ui:widget") { delete f.ui[k]; } });
    if (widgetFor(kind)) { f.ui["ui:widget"] = widgetFor(kind); }
    if (options) { setOptions(field(doc, path, true), options); }
    pruneUi(doc, path);
  }

  /** Drop the field's UI node when nothing is left in it (keeps the UI text tidy). */
  function pruneUi(doc, path) {
    var parent = container(doc, path.slice(0, -1), false);
    var key = path[path.length - 1];
    var ui = parent.ui[key];
    if (isObj(ui) && Object.keys(ui).length === 0) { delete parent.ui[key]; }
  }

  /* --- properties of one field --- */

  function choicesNode(f) { return f.kind === "multi" ? f.node.items : f.node; }

  function getOptions(f) {
    var n = choicesNode(f);
    if (Array.isArray(n.oneOf)) {
      return n.oneOf.map(function (o) { return { value: o["const"], label: o.title }; });
    }
    return (n.enum || []).map(function (v) { return { value: v, label: undefined }; });
  }

  function setOptions(f, options) {
    var n = choicesNode(f);
    var titled = options.some(function (o) { return o.label && o.label !== String(o.value); });
    delete n.enum;
    delete n.oneOf;
    if (titled) {
      n.oneOf = options.map(function (o) { return o.label ? { "const": o.value, title: o.label } : { "const": o.value }; });
    } else {
      n.enum = options.map(function (o) { return o.value; });
    }
  }

  function optionsText(f) {
    return getOptions(f).map(function (o) {
      var value = typeof o.value === "string" ? o.value : JSON.stringify(o.value);
      return o.label && o.label !== value ? value + " | " + o.label : value;
    }).join("\n");
  }

  function parseOptions(text) {
    return String(text).split("\n").map(function (line) {
      var at = line.indexOf("|");
      var value = (at < 0 ? line : line.slice(0, at)).trim();
      var label = at < 0 ? "" : line.slice(at + 1).trim();
      return { value: value, label: label || undefined };
    }).filter(function (o) { return o.value !== ""; });
  }

  /* min/max/length keywords per kind */
  var LIMITS = { number: ["minimum", "maximum"], integer: ["minimum", "maximum"],
    text: ["minLength", "maxLength"], textarea: ["minLength", "maxLength"],
    email: ["minLength", "maxLength"], url: ["minLength", "maxLength"],
    multi: ["minItems", "maxItems"], array: ["minItems", "maxItems"] };

  function limitKey(f, which) {
    var pair = LIMITS[f.kind];
    return pair ? pair[which === "min" ? 0 : 1] : null;
  }

  function typedDefault(f, text) {
    if (text === "") { return undefined; }
    if (f.kind === "number") { return isFinite(Number(text)) ? Number(text) : null; }
    if (f.kind === "integer") { return /^-?[0-9]+$/.test(text) ? parseInt(text, 10) : null; }
    if (f.kind === "boolean") { return text === "true" ? true : text === "false" ? false : null; }
    if (f.kind === "multi") { return text.split(",").map(function (s) { return s.trim(); }).filter(Boolean); }
    return text;
  }

  function shownDefault(f) {
    var v = f.node["default"];
    if (v === undefined) { return ""; }
    if (Array.isArray(v)) { return v.join(", "); }
    return typeof v === "string" ? v : JSON.stringify(v);
  }

  /** The text shown in a property's input. */
  function getProp(f, prop) {
    var uiKey = { help: "ui:help", placeholder: "ui:placeholder", widget: "ui:widget" }[prop];
    if (uiKey) { return f.ui[uiKey] === undefined ? "" : String(f.ui[uiKey]); }
    if (prop === "options") { return optionsText(f); }
    if (prop === "default") { return shownDefault(f); }
    if (prop === "min" || prop === "max") {
      var key = limitKey(f, prop);
      return key && f.node[key] !== undefined ? String(f.node[key]) : "";
    }
    return f.node[prop] === undefined ? "" : String(f.node[prop]);
  }

  function setKeyword(obj, key, value) {
    if (value === undefined || value === "") { delete obj[key]; } else { obj[key] = value; }
  }

  /** Apply one property from its input's text; returns an error message or "". */
  function setProp(doc, path, prop, text) {
    var uiKey = { help: "ui:help", placeholder: "ui:placeholder", widget: "ui:widget" }[prop];
    var f = field(doc, path, Boolean(uiKey));
    if (uiKey) {
      setKeyword(f.ui, uiKey, text);
      pruneUi(doc, path);
      return "";
    }
    if (prop === "options") { setOptions(f, parseOptions(text)); return ""; }
    if (prop === "default") {
      var value = typedDefault(f, text);
      if (value === null) { return "Not a valid " + LABELS[f.kind].toLowerCase() + " value."; }
      setKeyword(f.node, "default", value);
      return "";
    }
    if (prop === "min" || prop === "max") {
      var number = text === "" ? undefined : Number(text);
      if (number !== undefined && !isFinite(number)) { return "Enter a number."; }
      if (number !== undefined && f.kind !== "number" && (number < 0 || number % 1)) { return "Enter a whole number of 0 or more."; }
      setKeyword(f.node, limitKey(f, prop), number);
      return "";
    }
    if (prop === "pattern") {
      try { new RegExp(text, "u"); } catch (err) { setKeyword(f.node, "pattern", text); return "This pattern may not be valid: " + err.message; }
    }
    setKeyword(f.node, prop, text);
    return "";
  }

  /** Which property inputs a kind shows. */
  function propsFor(kind) {
    var scalarText = ["text", "textarea", "email", "url"];
    var props = ["title", "help"];
    if (scalarText.concat(["number", "integer", "date", "datetime", "choice"]).indexOf(kind) >= 0) { props.push("placeholder"); }
    if (["group", "array", "other"].indexOf(kind) < 0) { props.push("default"); }
    if (LIMITS[kind]) { props.push("min", "max"); }
    if (scalarText.indexOf(kind) >= 0) { props.push("pattern"); }
    if (kind === "choice") { props.push("widget"); }
    if (kind === "choice" || kind === "multi") { props.push("options"); }
    return props;
  }

  function limitLabel(kind, which) {
    var min = which === "min";
    if (kind === "number" || kind === "integer") { return min ? "Minimum" : "Maximum"; }
    if (kind === "multi" || kind === "array") { return min ? "Min items" : "Max items"; }
    return min ? "Min length" : "Max length";
  }

  /** A fresh document pair from JSON texts ({} when a text is empty). */
  function parseDoc(schemaText, uiText) {
    var schema = schemaText.trim() ? JSON.parse(schemaText) : {};
    var ui = uiText.trim() ? JSON.parse(uiText) : {};
    return { schema: schema, ui: ui };
  }

  function pretty(value) { return JSON.stringify(value, null, 2) + "\n"; }

  window.CaseStudioFormModel = {
    KINDS: KINDS, LABELS: LABELS, isObj: isObj, kindOf: kindOf, fields: fields, field: field,
    container: container, orderedKeys: orderedKeys, keyFrom: keyFrom, addField: addField,
    removeField: removeField, moveField: moveField, renameField: renameField,
    setRequired: setRequired, setKind: setKind, getProp: getProp, setProp: setProp,
    propsFor: propsFor, limitLabel: limitLabel, parseDoc: parseDoc, pretty: pretty
  };
}());
