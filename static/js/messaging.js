// Texts on the survivor page: fill the box from a template, count SMS segments. No inline JS (CSP).
(function () {
  if (window.portMessaging) return; // htmx may load this again with a swapped section
  window.portMessaging = true;

  function segments(text) {
    const unicode = /[^\u0000-\u007f]/.test(text); // accents switch the text to 70-character segments
    const single = unicode ? 70 : 160, multi = unicode ? 67 : 153;
    if (text.length <= single) return text.length ? 1 : 0;
    return Math.ceil(text.length / multi);
  }

  function updateCount(box) {
    const form = box.closest("form");
    const out = form && form.querySelector("[data-sms-count]");
    if (!out) return;
    const n = segments(box.value);
    out.textContent = box.value.length + " characters" + (n > 1 ? " · " + n + " texts" : "");
  }

  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-template-select]");
    if (!select) return;
    const option = select.options[select.selectedIndex];
    const box = select.closest("form").querySelector("textarea[name=body]");
    if (box && option && option.dataset.body !== undefined) {
      box.value = option.dataset.body;
      updateCount(box);
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-sms-counter]")) updateCount(event.target);
  });
})();
