"""The city runtime a request works on (the JSON API's city routes and the dashboard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from entrepot.city.runtime import CityRuntime


def city_runtime(request: Request) -> CityRuntime:
    """The app's :class:`CityRuntime`: ``app.state.city``, else the composition root's."""
    state = request.app.state
    runtime: CityRuntime | None = getattr(state, "city", None)
    if runtime is None:
        runtime = state.city = state.entrepot.city.runtime
    return runtime


Runtime = Annotated[CityRuntime, Depends(city_runtime)]
