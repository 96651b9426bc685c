// The staff console: renders each state the server streams and sends staff actions with the CSRF token.
"use strict";

const CSRF = document.querySelector("header.top").dataset.csrf;
const deskInput = document.getElementById("desk");
deskInput.value = localStorage.getItem("staffdesk.desk") || "";
deskInput.addEventListener("change", () => localStorage.setItem("staffdesk.desk", deskInput.value.trim()));
// The ticket standing at this desk depends on the desk typed here, so it is drawn again as staff type.
let lastState = null;
deskInput.addEventListener("input", () => { if (lastState) renderServing(lastState.serving); });

async function act(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF},
    body: JSON.stringify(body || {}),
  });
  if (response.status === 401) { location.href = "/login"; return null; }
  if (!response.ok) { alert(t("error")); return null; }
  return response.json();
}

function minutesSeconds(seconds) {
  const minutes = Math.floor(seconds / 60);
  return minutes + ":" + String(seconds % 60).padStart(2, "0");
}

function level(value) {
  return el("span", {class: "level-" + (value || "unknown")}, t("level_" + (value || "unknown")));
}

function presence(value) {
  if (value === null || value === undefined) return el("span", {class: "level-unknown"}, t("level_unknown"));
  return el("span", {class: value ? "level-ok" : "level-out"}, value ? t("present") : t("missing"));
}

function renderCalls(calls) {
  const box = document.getElementById("calls");
  if (!calls.length) { replaceChildren(box, [el("p", {class: "quiet"}, t("no_calls"))]); return; }
  replaceChildren(box, calls.map((call) => el("article", {class: "call " + call.state, "data-call": call.id},
    el("h3", {}, call.kiosk),
    el("dl", {},
      el("dt", {}, t("screen")), el("dd", {}, call.screen || "—"),
      el("dt", {}, t("step")), el("dd", {}, call.step || "—"),
      el("dt", {}, t("last_error")), el("dd", {class: "error-text"}, call.last_error || "—"),
      el("dt", {}, t("waiting")), el("dd", {class: "waited"}, minutesSeconds(call.waiting_s))),
    call.reason ? el("p", {class: "reason"}, call.reason) : null,
    el("div", {class: "actions"},
      call.state === "open"
        ? el("button", {class: "primary coming", onclick: () => act(`/console/calls/${call.id}/ack`)}, t("coming"))
        : el("span", {class: "badge"}, t("acknowledged")),
      el("button", {class: "resolve", onclick: () => openMatter({call_id: call.id})}, t("resolved"))))));
}

function callNext(serviceId) {
  const desk = deskInput.value.trim();
  if (!desk) { deskInput.focus(); deskInput.classList.add("needed"); return; }
  deskInput.classList.remove("needed");
  localStorage.setItem("staffdesk.desk", desk);
  act("/console/queue/next", {desk: desk, service_id: serviceId || ""});
}

// The number called to this desk: call it again (back on top of the board) or mark that nobody came.
function renderServing(serving) {
  const desk = deskInput.value.trim();
  replaceChildren(document.getElementById("serving"), serving.filter((ticket) => desk && ticket.desk === desk)
    .map((ticket) => el("div", {class: "now-serving-here", "data-ticket": ticket.id},
      el("span", {}, t("now_serving") + ": "), el("strong", {class: "number"}, ticket.number),
      el("button", {class: "primary finished", onclick: () => openMatter({ticket_id: ticket.id,
        service_id: ticket.service_id})}, t("mt_finished")),
      el("button", {class: "recall", onclick: () => act(`/console/queue/tickets/${ticket.id}/recall`)}, t("recall")),
      el("button", {class: "no-show", onclick: () => act(`/console/queue/tickets/${ticket.id}/no-show`)},
        t("no_show")))));
}

function renderQueue(state) {
  const rows = state.services.map((service) => el("div", {class: "service", "data-service": service.service_id},
    el("span", {class: "letter"}, service.letter),
    el("span", {class: "service-name"}, service.name),
    el("span", {class: "count"}, service.waiting + " " + t("people_waiting")),
    el("button", {class: "primary call-next", onclick: () => callNext(service.service_id)}, t("call_next"))));
  rows.push(el("div", {class: "service any"},
    el("span", {class: "service-name"}, t("any_service")),
    el("button", {class: "primary call-next-any", onclick: () => callNext("")}, t("call_next"))));
  replaceChildren(document.getElementById("queue"), rows);
  renderServing(state.serving);
  replaceChildren(document.getElementById("called"), state.called.map((ticket) =>
    el("li", {}, el("strong", {}, ticket.number), " → ", ticket.desk)));
}

function renderSlots(slots) {
  const body = document.querySelector("#slots tbody");
  replaceChildren(body, slots.map((slot) => el("tr", {class: slot.state},
    el("td", {}, slot.starts), el("td", {}, slot.institution),
    el("td", {}, slot.booking_topic || slot.topic || t("any_topic")), el("td", {}, slot.room),
    el("td", {}, slot.state === "cancelled" ? t("cancelled") : slot.booked ? t("booked") + " " + slot.reference : t("free")),
    el("td", {}, slot.state === "open"
      ? el("button", {onclick: () => act(`/console/slots/${slot.id}/cancel`)}, t("cancel")) : ""))));
}

function renderHealth(state) {
  replaceChildren(document.getElementById("alerts"), [
    ...state.kiosks.filter((kiosk) => kiosk.problems.length).map((kiosk) =>
      el("li", {class: "problem"}, el("strong", {}, kiosk.name), ": ",
        kiosk.problems.map((problem) => t("problem_" + problem) !== "problem_" + problem
          ? t("problem_" + problem) : problem).join(", "))),
    ...state.alerts.map((alert) => el("li", {class: "alert", "data-alert": alert.id},
      el("strong", {}, alert.kiosk), ": ", alert.kind, alert.detail ? " — " + alert.detail : "", " ",
      el("button", {onclick: () => act(`/console/alerts/${alert.id}/clear`)}, t("clear")))),
  ]);
  replaceChildren(document.querySelector("#kiosks tbody"), state.kiosks.map((kiosk) => el("tr", {},
    el("td", {}, kiosk.name),
    el("td", {}, kiosk.age_s === null ? t("never") : kiosk.age_s + " " + t("seconds_ago")),
    el("td", {}, level(kiosk.printer_paper)), el("td", {}, level(kiosk.printer_toner)),
    el("td", {}, level(kiosk.receipt_paper)), el("td", {}, presence(kiosk.reader_present)),
    el("td", {}, presence(kiosk.scanner_present)))));
}

function renderCounts(counts) {
  const names = ["calls", "tickets", "served", "no_shows", "bookings", "alerts"];
  replaceChildren(document.getElementById("counts"), names.map((name) =>
    el("span", {class: "count-item"}, el("strong", {}, counts[name]), " " + t("count_" + name))));
}

liveStream("console", (state) => {
  lastState = state;
  renderCalls(state.calls);
  renderQueue(state);
  renderSlots(state.slots);
  renderHealth(state);
  renderCounts(state.counts);
});

// Topics offered follow the chosen institution.
const institution = document.getElementById("slot-institution");
function filterTopics() {
  for (const option of document.querySelectorAll("#slot-topic option[data-institution]")) {
    option.hidden = option.dataset.institution !== institution.value;
  }
  document.getElementById("slot-topic").value = "";
}
institution.addEventListener("change", filterTopics);
filterTopics();

document.getElementById("slot-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const done = await act("/console/slots", {
    institution: form.get("institution"), topic: form.get("topic"), starts: form.get("starts"),
    duration_min: Number(form.get("duration_min")), room: form.get("room"),
  });
  if (done) event.target.reset(), filterTopics();
});

// ---- what was done: the matter staff record in two taps (a service, then the kind of matter and its way) ----

const MATTERS = JSON.parse(document.getElementById("matters").textContent);
const matterDialog = document.getElementById("matter-dialog");
const matterFilter = document.getElementById("matter-filter");
// What the open panel records: the call or ticket it closes (or a phone or e-mail matter), its key, the choice.
let matter = null;

function newKey() {
  // getRandomValues, not randomUUID: the console may be served over plain http inside a centre.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function institutionOf(serviceId) {
  const found = MATTERS.institutions.find((institution) =>
    institution.services.some((service) => service.id === serviceId));
  return found ? found.code : "";
}

function openMatter(target) {
  const serviceId = institutionOf(target.service_id || "") ? target.service_id : "";
  matter = {...target, key: newKey(), service_id: serviceId, institution: institutionOf(serviceId)};
  matterFilter.value = "";
  document.getElementById("matter-skip").hidden = !!target.remote;
  renderServices();
  renderOutcomes();
  // "Recorded" is said of the matter just recorded, never left standing for the next one.
  document.getElementById("matter-done").textContent = "";
  matterDialog.showModal();
}

function choose(serviceId, institution) {
  matter.service_id = serviceId;
  matter.institution = institution;
  renderServices();
  renderOutcomes();
}

function renderServices() {
  const words = matterFilter.value.trim().toLowerCase();
  const groups = MATTERS.institutions.map((institution) => {
    const services = institution.services.filter((service) =>
      !words || (service.name + " " + institution.name + " " + institution.code).toLowerCase().includes(words));
    if (words && !services.length && !(institution.name + institution.code).toLowerCase().includes(words)) return null;
    const chosen = (id) => matter.institution === institution.code && matter.service_id === id ? "chosen" : "";
    return el("div", {class: "institution", "data-institution": institution.code},
      el("h4", {}, institution.code + " · " + institution.name),
      services.map((service) => el("button", {class: chosen(service.id), "data-service": service.id,
        onclick: () => choose(service.id, institution.code)}, service.name)),
      el("button", {class: chosen(""), "data-service": "", onclick: () => choose("", institution.code)},
        institution.code + ": " + t("mt_other")));
  }).filter(Boolean);
  replaceChildren(document.getElementById("matter-services"), groups);
}

function renderOutcomes() {
  // A phone or e-mail matter has no resident at the desk: only those two ways.
  const ways = matter.remote ? MATTERS.channels.filter((way) => way === "phone" || way === "email") : MATTERS.channels;
  const cells = [];
  for (const kind of MATTERS.matters) {
    cells.push(el("h4", {}, t(kind === "consultation" ? "st_consultations" : "st_applications")));
    for (const way of ways) {
      cells.push(el("button", {class: "outcome " + kind, "data-matter": kind, "data-channel": way,
        disabled: matter.institution ? null : "disabled", onclick: () => recordMatter(kind, way)}, t("ch_" + way)));
    }
  }
  replaceChildren(document.getElementById("matter-outcomes"), cells);
}

async function recordMatter(kind, way) {
  const body = {key: matter.key, matter: kind, channel: way, service_id: matter.service_id,
    institution: matter.institution, desk: deskInput.value.trim()};
  if (matter.call_id) body.call_id = matter.call_id;
  if (matter.ticket_id) body.ticket_id = matter.ticket_id;
  const done = await act("/console/matters", body);
  if (done) {
    matterDialog.close();
    document.getElementById("matter-done").textContent = t("mt_recorded");
  }
}

matterFilter.addEventListener("input", renderServices);
document.getElementById("matter-cancel").addEventListener("click", () => matterDialog.close());
document.getElementById("matter-skip").addEventListener("click", async () => {
  // Nothing to count (paper refilled, the resident had gone): the call is resolved, the ticket finished.
  const path = matter.call_id ? `/console/calls/${matter.call_id}/resolve`
    : matter.ticket_id ? `/console/queue/tickets/${matter.ticket_id}/finish` : null;
  if (!path || await act(path)) matterDialog.close();
});
document.getElementById("log-matter").addEventListener("click", () => openMatter({remote: true}));
