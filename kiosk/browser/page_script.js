// Injected into every page the resident opens: tells the kiosk what the resident does there.
(() => {
  if (window.__kacKiosk) return;
  window.__kacKiosk = true;
  const TEXT_TYPES = new Set(["text", "search", "email", "tel", "url", "number", "password", ""]);
  const kind = (el) => {
    if (!el) return "";
    if (el.isContentEditable) return "text";
    if (el.tagName === "TEXTAREA") return "text";
    if (el.tagName !== "INPUT") return "";
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (!TEXT_TYPES.has(type)) return "";
    const digits = type === "number" || type === "tel" || el.inputMode === "numeric" || el.inputMode === "decimal";
    return digits ? "number" : "text";
  };
  document.addEventListener("focusin", (e) => { const k = kind(e.target); if (k) window.kacField(k); }, true);
  document.addEventListener("focusout", (e) => { if (kind(e.target)) window.kacField(""); }, true);
  // Activity keeps the visit alive; once a second is enough for the idle clock.
  let last = 0;
  const active = () => { const now = Date.now(); if (now - last > 1000) { last = now; window.kacActivity(); } };
  for (const name of ["pointerdown", "keydown", "wheel", "scroll", "touchstart"]) {
    window.addEventListener(name, active, { capture: true, passive: true });
  }
  // A long press would open Chromium's context menu (with "Inspect" and "Save as"): the kiosk has none.
  document.addEventListener("contextmenu", (e) => e.preventDefault(), true);
  // The kiosk's text size, as the page loads (the kiosk changes the page shown now itself).
  document.addEventListener("DOMContentLoaded", async () => {
    document.documentElement.style.zoom = String(await window.kacZoom());
  });
  // Printing from the page goes through the kiosk's print flow and page quota, never straight to a printer.
  window.print = () => window.kacPrint();
})();
