// Draw the page's charts: the figures are a JSON data block written by the server, so no
// inline script is needed (the site's Content-Security-Policy allows scripts from itself only).
(function () {
  "use strict";
  var block = document.getElementById("city-figures");
  if (!block || typeof Plotly === "undefined") {
    return;
  }
  var figures = JSON.parse(block.textContent);
  figures.forEach(function (figure) {
    var element = document.getElementById(figure.id);
    if (element && element.classList.contains("map")) {
      // Paris is wider than tall: on a narrow screen a shorter map leaves no empty band.
      figure.spec.layout.height = Math.min(figure.spec.layout.height, element.clientWidth * 0.7 + 140);
      element.style.minHeight = figure.spec.layout.height + "px";
    }
    Plotly.newPlot(figure.id, figure.spec.data, figure.spec.layout, {
      displaylogo: false,
      responsive: true,
      // On a narrow screen the mode bar would sit over the chart's title.
      displayModeBar: window.innerWidth > 600 ? "hover" : false,
      // The page's language: its Plotly.js locale (plotly-locale-fr.js) names months and days.
      locale: document.documentElement.lang || "fr",
    });
  });
})();
