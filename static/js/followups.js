// Follow-ups: the contact-attempt form on a tablet (no inline scripts: the CSP forbids them).
// Shows the fallback switch only for a visit that was not possible, and dims outcomes that
// don't go with the chosen method. Without JavaScript everything stays visible and the
// server checks the same rules.
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("attempt-form");
  if (!form) return;
  const notPossible = (form.dataset.visitNotPossible || "").split(",");
  let outcomeMethods = {};
  try {
    outcomeMethods = JSON.parse(form.dataset.outcomeMethods || "{}");
  } catch (e) {
    outcomeMethods = {};
  }
  const fallbackBox = document.getElementById("fallback-box");

  function checked(name) {
    const input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function update() {
    const method = checked("method");
    const outcome = checked("outcome");
    if (fallbackBox) {
      fallbackBox.hidden = !(method === "visit" && notPossible.includes(outcome));
    }
    form.querySelectorAll("#fieldset-outcome .radio-choice").forEach(function (choice) {
      const allowed = outcomeMethods[choice.dataset.value];
      const fits = !method || !allowed || allowed.includes(method);
      // Dashed, not faded: faded text fails the contrast check (port.css .choice-mismatch).
      choice.classList.toggle("choice-mismatch", !fits);
    });
  }

  // The chosen button looks pressed (the radio inside it is checked either way).
  function markChosen() {
    form.querySelectorAll(".button-radios label.btn").forEach(function (label) {
      const input = label.querySelector("input[type=radio]");
      label.classList.toggle("active", Boolean(input && input.checked));
    });
  }

  form.addEventListener("change", function () {
    markChosen();
    update();
  });
  update();
});
