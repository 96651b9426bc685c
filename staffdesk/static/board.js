// The display board for a TV: the number just called in big type, the few before it, and an optional chime.
"use strict";

let lastShown = null;
let audio = null;

document.getElementById("chime").addEventListener("click", (event) => {
  // Browsers play sound only after a click on the page; one click when the TV is set up is enough.
  audio = new AudioContext();
  event.target.hidden = true;
});

function chime() {
  if (!audio) return;
  [660, 880].forEach((frequency, index) => {
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    const start = audio.currentTime + index * 0.35;
    tone.frequency.value = frequency;
    volume.gain.setValueAtTime(0.3, start);
    volume.gain.exponentialRampToValueAtTime(0.001, start + 0.6);
    tone.connect(volume).connect(audio.destination);
    tone.start(start);
    tone.stop(start + 0.6);
  });
}

liveStream("board", (state) => {
  const [current, ...earlier] = state.called;
  document.getElementById("current-number").textContent = current ? current.number : "—";
  document.getElementById("current-desk").textContent = current ? t("go_to") + ": " + current.desk : "";
  replaceChildren(document.getElementById("board-called"), earlier.slice(0, 6).map((ticket) =>
    el("li", {}, el("span", {class: "number"}, ticket.number), el("span", {class: "desk"}, ticket.desk))));
  replaceChildren(document.getElementById("board-waiting"), state.services.map((service) =>
    el("li", {}, service.letter + " · " + service.name + ": " + service.waiting)));
  const key = current ? current.number + "@" + current.at : null;
  if (lastShown !== null && key !== lastShown) chime();
  lastShown = key;
});
