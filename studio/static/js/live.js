/*
 * CaseStudio live updates: the browser side of runtime/realtime (full contract: docs/realtime.md).
 *
 * Load order (plain scripts, no build step):
 *   <script src="/vendor/socket.io-client/socket.io.min.js"></script>
 *   <script src="/static/studio/js/live.js"></script>
 *
 * API (window.CaseStudioLive):
 *   connect(opts)            -> the socket.io Socket (calling it again returns the same one)
 *       opts.url    server URL (default: this page's origin)
 *       opts.token  bearer token (default: none; the session cookie authenticates)
 *       opts.since  seq the page was rendered at (resyncs from it on the first connect)
 *   subscribe(room, handler) -> unsubscribe()
 *       room: "case:<caseId>" | "cases" | "tasks" | "tenant"
 *       handler(event, meta): event = {id, type, tenant, caseId, at, actor, data, seq, room};
 *       meta.replayed is true for events delivered by a resync after a reconnect.
 *   onNotification(handler)  -> remove(); handler(notification) with data.title (the bell)
 *   onStatus(handler)        -> remove(); handler(status, detail), called at once with the
 *       current status. status: "connecting" | "online" | "offline" | "refused" (not logged
 *       in) | "error" | "denied" (detail {room, error}: a subscribe was refused) | "reload"
 *       (too much was missed: refetch the page's data).
 *
 * Transport: websocket only (the server refuses long-polling). Reconnects are automatic; after
 * each reconnect every room is joined again and the events missed since the highest seq seen
 * are replayed in order (live events arriving meanwhile are held back, duplicates dropped).
 */
(function (global) {
  "use strict";

  var SEEN_LIMIT = 5000;
  var ACK_TIMEOUT_MS = 10000;
  var FEEDS = ["cases", "tasks"];
  var state = {
    socket: null, status: "offline", lastSeq: null, seen: new Map(), replaying: false,
    held: [], rooms: new Map(), notificationHandlers: new Set(), statusHandlers: new Set()
  };

  function setStatus(status, detail) {
    state.status = status;
    state.statusHandlers.forEach(function (handler) { safely(handler, status, detail); });
  }

  function safely(handler) {
    try {
      handler.apply(null, Array.prototype.slice.call(arguments, 1));
    } catch (err) {
      if (global.console) { global.console.error("CaseStudioLive handler failed", err); }
    }
  }

  function remember(key) {
    state.seen.set(key, true);
    if (state.seen.size > SEEN_LIMIT) { state.seen.delete(state.seen.keys().next().value); }
  }

  function deliver(name, payload, replayed) {
    var key = name + "|" + payload.room + "|" + payload.seq;
    if (state.seen.has(key)) { return; }
    remember(key);
    if (typeof payload.seq === "number" && (state.lastSeq === null || payload.seq > state.lastSeq)) {
      state.lastSeq = payload.seq;
    }
    var meta = { replayed: Boolean(replayed) };
    if (name === "notification") {
      state.notificationHandlers.forEach(function (h) { safely(h, payload, meta); });
      return;
    }
    (state.rooms.get(payload.room) || new Set()).forEach(function (h) { safely(h, payload, meta); });
    if (payload.type === "deployment.created") { FEEDS.forEach(rejoinFeed); }
  }

  function receive(name, payload) {
    if (state.replaying) { state.held.push([name, payload]); } else { deliver(name, payload, false); }
  }

  function ask(event, message) {
    return new Promise(function (resolve) {
      state.socket.timeout(ACK_TIMEOUT_MS).emit(event, message, function (err, ack) {
        resolve(err ? { ok: false, error: "no answer from the server" } : ack);
      });
    });
  }

  function join(room) {
    return ask("subscribe", { room: room }).then(function (ack) {
      if (!ack || !ack.ok) { setStatus("denied", { room: room, error: ack && ack.error }); }
      return ack;
    });
  }

  /* A deployment may widen what the user can read: join the feed rooms again. */
  function rejoinFeed(room) {
    if (state.rooms.has(room) && state.socket && state.socket.connected) { join(room); }
  }

  function finishReplay(ack) {
    if (ack && ack.ok && ack.reload) {
      setStatus("reload");
    } else if (ack && ack.ok) {
      (ack.events || []).forEach(function (e) { deliver(e.name, e.data, true); });
    } else {
      setStatus("reload", { error: ack && ack.error });
    }
    var held = state.held;
    state.held = [];
    state.replaying = false;
    held.forEach(function (item) { deliver(item[0], item[1], false); });
  }

  function onConnect() {
    setStatus("online");
    var resync = state.lastSeq !== null;
    state.replaying = resync;
    var joins = Array.from(state.rooms.keys()).map(join);
    Promise.all(joins).then(function () {
      if (resync) { return ask("resync", { since: state.lastSeq }).then(finishReplay); }
      return null;
    });
  }

  function onConnectError(err) {
    /* The server refused the handshake (no valid session/token): socket.io will not retry. */
    setStatus(state.socket.active ? "error" : "refused", { error: err && err.message });
  }

  function connect(opts) {
    opts = opts || {};
    if (state.socket) { return state.socket; }
    if (typeof global.io !== "function") {
      throw new Error("load /vendor/socket.io-client/socket.io.min.js before live.js");
    }
    if (typeof opts.since === "number") { state.lastSeq = opts.since; }
    var options = { transports: ["websocket"], reconnection: true, reconnectionDelay: 500,
                    reconnectionDelayMax: 5000, timeout: ACK_TIMEOUT_MS };
    if (opts.token) { options.auth = { token: opts.token }; }
    setStatus("connecting");
    var socket = opts.url ? global.io(opts.url, options) : global.io(options);
    state.socket = socket;
    socket.on("connect", onConnect);
    socket.on("disconnect", function (reason) { setStatus("offline", { reason: reason }); });
    socket.on("connect_error", onConnectError);
    socket.on("event", function (payload) { receive("event", payload); });
    socket.on("notification", function (payload) { receive("notification", payload); });
    return socket;
  }

  function subscribe(room, handler) {
    var handlers = state.rooms.get(room);
    if (!handlers) {
      handlers = new Set();
      state.rooms.set(room, handlers);
      if (state.socket && state.socket.connected) { join(room); }
    }
    handlers.add(handler);
    return function unsubscribe() {
      handlers.delete(handler);
      if (handlers.size === 0 && state.rooms.get(room) === handlers) {
        state.rooms.delete(room);
        if (state.socket && state.socket.connected) { ask("unsubscribe", { room: room }); }
      }
    };
  }

  function onNotification(handler) {
    state.notificationHandlers.add(handler);
    return function () { state.notificationHandlers.delete(handler); };
  }

  function onStatus(handler) {
    state.statusHandlers.add(handler);
    safely(handler, state.status, null);
    return function () { state.statusHandlers.delete(handler); };
  }

  global.CaseStudioLive = {
    connect: connect, subscribe: subscribe, onNotification: onNotification, onStatus: onStatus
  };
}(typeof window !== "undefined" ? window : globalThis));
