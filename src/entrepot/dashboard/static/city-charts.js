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
