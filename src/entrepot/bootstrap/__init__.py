"""The composition root: settings in, a wired application out.

This is the only package (with ``storage.url``) that picks concrete backends, and the one
place that wires the apps: :class:`~entrepot.bootstrap.app.App` builds the store, the
cache, the catalog, the registry, the city runtime and the fraud services, each on first
use. Entrypoints call :func:`bootstrap`; tests call it with a memory store and a SQLite
file so that fakes go through the same wiring.
"""

from entrepot.bootstrap.app import App, bootstrap

__all__ = ["App", "bootstrap"]
