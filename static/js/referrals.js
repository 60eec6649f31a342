// Referral form: filter the service list by category, and warn before a hand-off the person has not
// consented to share with (the server has the last word: it records such a referral as information only).
document.addEventListener("DOMContentLoaded", function () {
  const form = document.querySelector("[data-referral-form]");
  if (!form) return;
  const service = form.querySelector("[data-referral-service]");
  const category = form.querySelector("[data-referral-category]");
  const share = form.querySelector("[data-referral-share]");
  const warning = form.querySelector("[data-referral-no-consent]");
  if (!service) return;

  function selectedOption() {
    return service.options[service.selectedIndex];
  }

  function filterServices() {
    const wanted = category ? category.value : "";
    service.querySelectorAll("option[data-category]").forEach(function (option) {
      const show = !wanted || option.dataset.category === wanted;
      option.hidden = !show;
      option.disabled = !show && !option.selected;
    });
    service.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
  }

  function handoffIsWarm() {
    const checked = form.querySelector("[data-referral-handoff]:checked, [data-referral-handoff] input:checked");
    return checked && checked.value !== "information_only";
  }

  function updateConsentWarning() {
    if (!warning) return;
    const option = selectedOption();
    const sharing = handoffIsWarm() || (share && share.checked);
    const noConsent = option && option.dataset.consent === "no";
    warning.classList.toggle("d-none", !(sharing && noConsent));
    if (share && handoffIsWarm()) share.checked = true;
  }

  if (category) category.addEventListener("change", filterServices);
  form.addEventListener("change", updateConsentWarning);
  filterServices();
  updateConsentWarning();
});
