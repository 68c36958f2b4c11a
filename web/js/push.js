// Push: the signed-in user's own channel on AppSync Events (locally, the gateway serves the same protocol).
// Loaded on first use after sign-in (not part of the first page load).
//
// Protocol (AppSync Events WebSocket): connect to realtimeUrl with the subprotocols
// "aws-appsync-event-ws" and "header-<base64url JSON {host, Authorization}>", send connection_init,
// wait for connection_ack (its connectionTimeoutMs bounds the silence between "ka" keep-alives), then
// subscribe to /<namespace>/<sub>. Each "data" message carries one event as a JSON string.
// Whatever goes wrong, the caller is told the channel is down (and polls); it reconnects with backoff.

const SUBPROTOCOL = "aws-appsync-event-ws";
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

function base64url(text) {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Keep a subscription to `channel` open while `active()` is true.
 * onEvent(event) for each event; onState(true) once subscribed, onState(false) when down.
 * Returns stop().
 */
export function connect({ events, channel, token, onEvent, onState, active = () => true }) {
  let socket = null;
  let stopped = false;
  let retry = RETRY_MIN_MS;
  let retryTimer = null;
  let silenceTimer = null;
  let silenceMs = 300_000;
  let live = false;

  const setLive = (value) => {
    if (live === value) return;
    live = value;
    onState(value);
  };
  const watchSilence = () => {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => { if (socket) socket.close(); }, silenceMs);
  };
  const scheduleRetry = () => {
    if (stopped || !active()) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, retry + Math.random() * 250);
    retry = Math.min(retry * 2, RETRY_MAX_MS);
  };

  async function open() {
    if (stopped || !active()) return;
    let authorization;
    try {
      authorization = { host: events.host, Authorization: await token() };
    } catch {
      scheduleRetry();
      return;
    }
    let ws;
    try {
      ws = new WebSocket(events.realtimeUrl, [SUBPROTOCOL, `header-${base64url(JSON.stringify(authorization))}`]);
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    const id = (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random()}`;
    ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init" }));
    ws.onmessage = (message) => {
      let data;
      try { data = JSON.parse(message.data); } catch { return; }
      watchSilence();
      if (data.type === "connection_ack") {
        silenceMs = Number(data.connectionTimeoutMs) || silenceMs;
        ws.send(JSON.stringify({ type: "subscribe", id, channel, authorization }));
      } else if (data.type === "subscribe_success" && data.id === id) {
        retry = RETRY_MIN_MS;
        setLive(true);
      } else if (data.type === "data" && data.id === id) {
        try { onEvent(JSON.parse(data.event)); } catch { /* not an event of ours */ }
      } else if (data.type === "subscribe_error" || data.type === "connection_error" || data.type === "error") {
        ws.close();
      }
    };
    ws.onclose = () => {
      clearTimeout(silenceTimer);
      if (socket === ws) socket = null;
      setLive(false);
      scheduleRetry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  open();
  return function stop() {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(silenceTimer);
    if (socket) socket.close();
    setLive(false);
  };
}
