// Starts Swagger UI on /docs (an external script: the site's CSP allows no inline one).
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    // Without deep links an operation's summary is one button (a link inside it was an
    // interactive control nested in another, which screen readers cannot reach).
    deepLinking: false,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
});
