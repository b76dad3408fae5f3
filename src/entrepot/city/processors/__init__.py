"""One processor per source; each turns one local day of inputs into a metrics document.

A document is ``{"type", "date", "metrics", "inputs", "warnings"}``: ``inputs``
lists every object read (key, sha256, size) and ``warnings`` every degraded read
(missing hours, a fallback to local data), so that nothing degraded is silent.
"""
