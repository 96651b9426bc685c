// The report's form: only the fields of the chosen kind of period are shown (all of them work without this).
"use strict";

const form = document.getElementById("report-form");
function showPeriodFields() {
  const chosen = form.querySelector("input[name=period]:checked").value;
  for (const field of form.querySelectorAll("label[data-period]")) {
    field.hidden = field.dataset.period !== chosen;
  }
}
for (const radio of form.querySelectorAll("input[name=period]")) radio.addEventListener("change", showPeriodFields);
showPeriodFields();
