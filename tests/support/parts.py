"""The parts of an App a test sets up or inspects directly (its catalog, its stores, its
job system): private to the composition root, where no door may reach them."""

from __future__ import annotations

from entrepot.bootstrap.app import App
from entrepot.bootstrap.jobs import JobOptions, JobSystem
from entrepot.bootstrap.parts import Parts


def parts(app: App) -> Parts:
    """``app``'s stores, cache and catalog."""
    return app._parts


def job_system(app: App, options: JobOptions | None = None) -> JobSystem:
    """``app``'s job system (built on first call, with ``options`` or its settings')."""
    return app._job_system(options)
