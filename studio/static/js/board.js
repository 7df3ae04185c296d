/* Kanban drag and drop: dropping a card on another column fills the card's "Move to"
 * select and submits its form (the same POST keyboard users make). */
(function () {
  "use strict";
  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".card--case[draggable=true]");
    if (!card) { return; }
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.caseId);
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    dragged = null;
    document.querySelectorAll(".board__column.is-over").forEach(function (c) { c.classList.remove("is-over"); });
  });

  function column(event) { return event.target.closest && event.target.closest("[data-dropzone]"); }

  document.addEventListener("dragover", function (event) {
    var target = column(event);
    if (!target || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    target.classList.add("is-over");
  });

  document.addEventListener("dragleave", function (event) {
    var target = column(event);
    if (target && !target.contains(event.relatedTarget)) { target.classList.remove("is-over"); }
  });

  document.addEventListener("drop", function (event) {
    var target = column(event);
    if (!target || !dragged) { return; }
    event.preventDefault();
    target.classList.remove("is-over");
    var form = dragged.querySelector("form.card__move");
    var select = form && form.querySelector("select[name=stage]");
    if (!select || select.value === target.dataset.stage) { return; }
    select.value = target.dataset.stage;
    target.querySelector(".board__cards").appendChild(dragged);
    form.requestSubmit();
  });
}());
