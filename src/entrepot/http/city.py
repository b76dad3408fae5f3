"""The city service a request works on (the JSON API's city routes and the dashboard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from entrepot.city_service.service import CityService


def city_service(request: Request) -> CityService:
    """The app's :class:`CityService`: ``app.state.city``, else the composition root's."""
    state = request.app.state
    city: CityService | None = getattr(state, "city", None)
    if city is None:
        city = state.city = state.entrepot.city
    return city


Runtime = Annotated[CityService, Depends(city_service)]
