// PORT: small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // <button data-confirm="Are you sure?"> asks before submitting.
  document.body.addEventListener("click", function (event) {
    const el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Tie each field to its error message so a screen reader reads them together.
  document.querySelectorAll(".is-invalid[id]").forEach(function (field) {
    const error = document.getElementById(field.id + "_error");
    if (!error) return;
    const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(error.id) === -1) field.setAttribute("aria-describedby", ids.concat(error.id).join(" "));
  });
  // Move focus to the first error so screen readers announce it.
  const firstError = document.querySelector(".is-invalid, .invalid-feedback, .alert-danger");
  if (firstError && firstError.focus) {
    const field = document.querySelector(".is-invalid");
    if (field) field.focus();
  }
});
