"""Server-rendered dashboard pages (Jinja2), with charts drawn by the Plotly.js bundled in
the ``plotly`` package and served by the app itself: no CDN, no request leaves the site."""
