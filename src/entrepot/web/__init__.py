"""The server-rendered pages of the fraud service (Jinja2, French and English), over the
same services as the JSON API. An entrypoint, like ``entrepot.api``."""
