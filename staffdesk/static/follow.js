// The resident's phone: asks for the ticket's state every few seconds and shows it, with no reload.
"use strict";

const box = document.querySelector("main.follow-box");
const every = Number(box.dataset.pollS) * 1000;
let timer = null;
let asking = false;

function show(state) {
  box.dataset.state = state.state;
  box.dataset.finished = state.finished ? "yes" : "no";
  document.getElementById("status").textContent = state.status;
}

async function refresh() {
  // One question at a time: a wake-up while one is under way must not start a second round of polling.
  if (asking) return;
  asking = true;
  clearTimeout(timer);
  timer = null;
  try {
    const response = await fetch(box.dataset.stateUrl, {cache: "no-store", credentials: "omit"});
    if (response.status === 404) {  // the ticket is gone: nothing more will change
      box.dataset.finished = "yes";
    } else if (response.ok) {
      show(await response.json());
    }
  } catch (error) {
    // A phone loses its network now and then: the next try comes as usual.
  } finally {
    asking = false;
  }
  if (box.dataset.finished !== "yes") timer = setTimeout(refresh, every);
}

// A phone slows or stops timers while its screen is off: ask at once when the resident looks again.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && box.dataset.finished !== "yes") refresh();
});

if (box.dataset.finished !== "yes") timer = setTimeout(refresh, every);
