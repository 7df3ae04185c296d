/* BPMN diagrams (bpmn-js NavigatedViewer): current activities and incidents highlighted.
 * Small containers ([data-diagram-focus]) zoom in on the current step; "Enlarge" opens the
 * whole process in a dialog. Drag to pan, scroll to zoom (NavigatedViewer). */
(function () {
  "use strict";
  var FOCUS_SCALE = 0.8;

  function show(el, text) {
    var status = el.querySelector(".diagram__status");
    if (status) { status.textContent = text; }
  }

  function focus(viewer, ids) {
    var canvas = viewer.get("canvas");
    var element = ids.map(function (id) { return viewer.get("elementRegistry").get(id); })
      .filter(Boolean)[0];
    if (!element) { return; }
    var outer = canvas.viewbox().outer;
    var width = outer.width / FOCUS_SCALE;
    var height = outer.height / FOCUS_SCALE;
    canvas.viewbox({ x: element.x + element.width / 2 - width / 2,
                     y: element.y + element.height / 2 - height / 2, width: width, height: height });
  }

  function draw(el, info) {
    if (typeof window.BpmnJS !== "function") { show(el, "The diagram viewer is not installed (npm ci)."); return null; }
    var viewer = new window.BpmnJS({ container: el });
    return viewer.importXML(info.xml).then(function () {
      var canvas = viewer.get("canvas");
      canvas.zoom("fit-viewport");
      info.active.forEach(function (id) { canvas.addMarker(id, "cs-active"); });
      info.incidents.forEach(function (id) { canvas.addMarker(id, "cs-incident"); });
      if (el.hasAttribute("data-diagram-focus")) { focus(viewer, info.incidents.concat(info.active)); }
      el.classList.add("is-ready");
      el.dataset.active = info.active.join(" ");
      show(el, "");
    });
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 204) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function render(el) {
    load(el.dataset.diagramUrl || el.dataset.diagramLazy)
      .then(function (info) { return info ? draw(el, info) : show(el, "This case has no process."); })
      .catch(function (err) {
        show(el, /no diagram/i.test(err.message) ? "This process has no diagram layout to show."
          : "The diagram could not be shown (" + err.message + ").");
      });
  }

  document.querySelectorAll("[data-diagram-url]").forEach(render);

  document.querySelectorAll("[data-diagram-enlarge]").forEach(function (button) {
    button.addEventListener("click", function () {
      var dialog = document.getElementById(button.dataset.diagramEnlarge);
      var target = dialog.querySelector(".diagram");
      dialog.showModal();
      if (!target.classList.contains("is-ready")) { render(target); }
    });
  });
}());
