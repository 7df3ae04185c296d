/* Dashboard chart: cases created per day (chart.js UMD from /vendor). */
(function () {
  "use strict";
  var canvas = document.getElementById("per-day-chart");
  var source = document.getElementById("per-day-data");
  if (!canvas || !source || typeof window.Chart !== "function") { return; }
  var rows = JSON.parse(source.textContent);
  var chart = null;

  /* Resolve a CSS variable (which may hold light-dark()) to a colour chart.js can paint. */
  function color(name) {
    var probe = document.createElement("span");
    probe.style.color = "var(" + name + ")";
    document.body.appendChild(probe);
    var value = getComputedStyle(probe).color;
    probe.remove();
    return value;
  }

  function draw() {
    if (chart) { chart.destroy(); }
    chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r[0].slice(5); }),
        datasets: [{ label: "Cases created", data: rows.map(function (r) { return r[1]; }),
                     backgroundColor: color("--accent"), borderRadius: 3, maxBarThickness: 18 }]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: color("--muted"), maxRotation: 0, autoSkip: true, maxTicksLimit: 10 },
               grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: color("--muted"), precision: 0 },
               grid: { color: color("--line") } }
        }
      }
    });
  }
  draw();
  document.addEventListener("cs-theme", draw);
}());
