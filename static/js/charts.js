// Draws every plotly figure of the page: <div data-chart="ID"> with its figure in <script type="application/json"
// id="ID"> (json_script). No inline code, so the Content-Security-Policy holds (cur/security.py chart_page).
(function () {
  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.dataset.chart);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(box, figure.data, figure.layout, {displaylogo: false, responsive: true, locale: "ru"});
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
