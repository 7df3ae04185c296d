/* Binds the page to window.CaseStudioLive (live.js): elements with data-live-room refresh
 * themselves (htmx "cs-live" trigger) when an event arrives in their room; the bell follows
 * notifications. Without live.js (or with the socket down) pages simply stay as rendered,
 * and the bell still polls every minute. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var status = document.getElementById("live-status");
  var live = window.CaseStudioLive;
  var labels = { online: "Live", connecting: "Connecting…", offline: "Reconnecting…",
                 refused: "Live updates off", error: "Reconnecting…", off: "Live updates off" };

  function showStatus(state) {
    if (!status) { return; }
    status.dataset.state = state;
    status.querySelector(".sidenav__live-text").textContent = labels[state] || labels.off;
  }

  if (!live || !window.htmx || typeof window.io !== "function") { showStatus("off"); return; }

  var timers = {};
  var rooms = {};

  function refreshRoom(room) {
    clearTimeout(timers[room]);
    timers[room] = setTimeout(function () {
      document.querySelectorAll("[data-live-room]").forEach(function (el) {
        if (el.dataset.liveRoom === room) { window.htmx.trigger(el, "cs-live"); }
      });
    }, DEBOUNCE_MS);
  }

  function onEvent(event, meta) {
    refreshRoom(event.room);
    var me = document.body.dataset.user;
    var banner = document.getElementById("stale-banner");
    if (banner && event.type === "case.updated" && event.actor !== me && !meta.replayed) { banner.hidden = false; }
  }

  function bindRooms(root) {
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-live-room]"));
    if (root.matches && root.matches("[data-live-room]")) { found.push(root); }
    found.forEach(function (el) {
      var room = el.dataset.liveRoom;
      if (!rooms[room]) { rooms[room] = live.subscribe(room, onEvent); }
    });
  }

  function refreshAll() { Object.keys(rooms).forEach(refreshRoom); }

  live.onStatus(function (state) {
    showStatus(state);
    if (state === "reload") { refreshAll(); }
  });
  live.onNotification(function (note) {
    var bell = document.getElementById("bell");
    if (bell) { window.htmx.trigger(bell, "cs-live"); }
    var data = note.data || {};
    if (window.CaseStudio) { window.CaseStudio.toast(data.title || "New notification", "info"); }
  });
  bindRooms(document);
  document.body.addEventListener("htmx:load", function (event) { bindRooms(event.target); });
  var since = parseInt(document.body.dataset.liveSince || "", 10);
  try {
    live.connect(isNaN(since) ? {} : { since: since });
  } catch (err) {
    showStatus("off");
  }
}());
