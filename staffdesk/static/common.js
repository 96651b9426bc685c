// Shared by the console and the board: their words (words.SCRIPT_WORDS, in the page's language), a safe element
// builder and the live stream.
"use strict";

const WORDS = JSON.parse(document.getElementById("words").textContent);

function t(key) {
  return WORDS[key] || key;
}

// Kiosk-supplied text (screen, step, error) only ever goes in as textContent, never as HTML.
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "onclick") node.addEventListener("click", value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function replaceChildren(node, children) {
  node.replaceChildren(...children);
}

// EventSource reconnects by itself (the server asks for 2 s); the badge tells staff whether they see live data.
function liveStream(view, onState) {
  const badge = document.getElementById("live");
  const source = new EventSource("/console/events?view=" + view);
  source.addEventListener("state", (event) => {
    badge.textContent = t("live");
    badge.className = "live ok";
    onState(JSON.parse(event.data));
  });
  // The session ended (logout elsewhere, or it ran out): the desk closed the stream for good.
  source.addEventListener("ended", () => {
    source.close();
    location.href = "/login";
  });
  source.addEventListener("error", () => {
    badge.textContent = t("reconnecting");
    badge.className = "live lost";
    // A refused stream (too many open for this session, or the desk restarting) is not retried by the browser:
    // try again a little later, unless the session has ended.
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(async () => {
        const check = await fetch("/console/state?view=" + view, {credentials: "same-origin"}).catch(() => null);
        if (check && check.status === 401) { location.href = "/login"; return; }
        liveStream(view, onState);
      }, 5000);
    }
  });
  return source;
}
