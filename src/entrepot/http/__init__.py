"""The HTTP plumbing the three web entrypoints share: the JSON API (``api``), the pages
(``web``) and the city dashboard (``dashboard``). Sessions and CSRF, who is calling and
which services answer (``deps``), errors as answers, request ids, logs and metrics, body
limits, trusted proxies, the web options, content-hashed static assets and the security
headers. None of the three imports another; :mod:`entrepot.asgi` assembles them."""
