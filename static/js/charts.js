// Draws every plotly figure of the page: <div data-chart="ID"> with its figure in <script type="application/json"
// id="ID"> (json_script). No inline code, so the Content-Security-Policy holds (cur/security.py chart_page).
(function () {
  // The heat map draws only our own GeoJSON shapes, with plotly's world base map switched off (geo.visible
  // false); plotly.js still loads the world's topology first, from its CDN. An empty topology stands in for
  // it, so nothing leaves the network and the policy's connect-src 'self' holds.
  var NOTHING = {type: "GeometryCollection", geometries: []};
  var EMPTY_WORLD = {type: "Topology", arcs: [], objects: {
    coastlines: NOTHING, land: NOTHING, ocean: NOTHING, lakes: NOTHING, rivers: NOTHING, countries: NOTHING,
    subunits: NOTHING}};
  function offlineWorld() {  // into the asset registry plotly.js keeps on window
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
    ["world_110m", "world_50m"].forEach(function (name) {
      window.PlotlyGeoAssets.topojson[name] = window.PlotlyGeoAssets.topojson[name] || EMPTY_WORLD;
    });
  }

  // On a phone a legend below the chart takes a line per trace: the chart grows by them instead of cutting
  // them off, and the time axis keeps a few labels that do not overlap.
  function narrow(box, figure) {
    var layout = figure.layout;
    if (box.clientWidth >= 600 || !layout || !layout.legend || layout.legend.orientation !== "h") { return; }
    layout.height = (layout.height || 340) + 20 * (figure.data || []).length;
    layout.legend.y = -0.08;
    layout.legend.yanchor = "top";
    layout.xaxis = Object.assign({}, layout.xaxis, {nticks: 5});
  }

  function draw() {
    if (window.Plotly) { offlineWorld(); }
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.dataset.chart);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      narrow(box, figure);
      window.Plotly.newPlot(box, figure.data, figure.layout, {displaylogo: false, responsive: true, locale: "ru"});
      // a point whose customdata starts with a link opens it (the heat map's municipalities and settlements)
      box.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        var link = point && point.customdata && point.customdata[0];
        if (typeof link === "string" && link.charAt(0) === "/") { window.location.href = link; }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
