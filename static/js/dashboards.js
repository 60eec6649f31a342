// Dashboard charts (Chart.js, served from npm), table toggles, the custom-date fields, printing.
// Chart data comes from a JSON block ({{ data|json_script:"chart-data" }}): no inline script.
(function () {
  "use strict";

  const COLORS = { blue: "#1d4e89", teal: "#117a65", red: "#a61e1e", amber: "#b35c00", grey: "#6c757d" };

  function readData() {
    const el = document.getElementById("chart-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function bar(canvas, labels, datasets, options) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      }, options || {}),
    });
  }

  const CHARTS = {
    events: function (canvas, d) {
      return bar(canvas, d.weekly.labels, [
        { label: "Non-fatal", data: d.weekly.nonfatal, backgroundColor: COLORS.blue },
        { label: "Fatal", data: d.weekly.fatal, backgroundColor: COLORS.red },
      ], { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } });
    },
    reached: function (canvas, d) {
      return bar(canvas, d.weekly.labels, [
        { label: "Events counted", data: d.weekly.counted, backgroundColor: COLORS.grey },
        { label: "Reached within 72 h", data: d.weekly.reached, backgroundColor: COLORS.teal },
      ]);
    },
    referrals: function (canvas, d) {
      return bar(canvas, d.referrals.labels, [
        { label: "Referrals", data: d.referrals.values, backgroundColor: COLORS.blue },
      ], { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
           plugins: { legend: { display: false } } });
    },
    workload: function (canvas, d) {
      return bar(canvas, d.workload.labels, [
        { label: "Open", data: d.workload.open, backgroundColor: COLORS.blue },
        { label: "Overdue", data: d.workload.overdue, backgroundColor: COLORS.amber },
      ]);
    },
  };

  function drawCharts() {
    const data = readData();
    if (!data || !window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      const draw = CHARTS[canvas.getAttribute("data-chart")];
      if (draw) draw(canvas, data);
    });
  }

  // Chart tables stay in the page for screen readers; sighted users can show them.
  function setUpTableToggles() {
    document.querySelectorAll("[data-toggle-table]").forEach(function (button) {
      const table = document.getElementById(button.getAttribute("data-toggle-table"));
      if (!table) return;
      function set(shown) {
        table.classList.toggle("visually-hidden", !shown);
        button.setAttribute("aria-expanded", shown ? "true" : "false");
        button.textContent = shown ? "Hide the table" : "Show the numbers as a table";
      }
      set(false);
      button.classList.remove("d-none");
      button.addEventListener("click", function () {
        set(table.classList.contains("visually-hidden"));
      });
    });
  }

  // The date fields matter only for "Custom dates".
  function setUpPeriodChoice() {
    const select = document.getElementById("id_period");
    if (!select) return;
    const fields = ["id_date_from", "id_date_to"].map(function (id) {
      const input = document.getElementById(id);
      return input ? input.closest("[class*='col-']") || input.parentElement : null;
    }).filter(Boolean);
    function update() {
      const custom = select.value === "custom";
      fields.forEach(function (el) { el.classList.toggle("d-none", !custom); });
    }
    select.addEventListener("change", update);
    update();
  }

  function setUpPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpTableToggles();
    setUpPeriodChoice();
    setUpPrint();
    drawCharts();
  });
})();
