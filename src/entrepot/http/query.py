"""Query parameters a route does not take are refused, not ignored (issue 44 item 5).

``GET /city/metrics/weather?start=…&end=…`` answered the default month, and the dashboard's
``?day=`` showed the last day, each without a word: the parameters are ``from``/``to`` and
``date``. A router lists :func:`known_query_only` among its dependencies; a request naming a
parameter none of the route's own (or its dependencies') declares gets a 400 that names
the ones it takes; a page (the dashboard) asks :func:`unknown_query` and shows the same
facts in its reader's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request


def accepted_query(request: Request) -> list[str]:
    """The query parameters the matched route declares, by the name a client writes."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    return sorted(_aliases(dependant)) if dependant is not None else []


def _aliases(dependant: Any) -> set[str]:
    own = {field.alias for field in dependant.query_params}
    return own.union(*(_aliases(sub) for sub in dependant.dependencies))


def unknown_query(request: Request) -> list[str]:
    """The query parameters of ``request`` its route does not declare, sorted."""
    return sorted(set(request.query_params) - set(accepted_query(request)))


def known_query_only(request: Request) -> None:
    """A 400 naming the unknown parameters and the accepted ones, if any is unknown (the
    JSON routes; a page writes the same facts in its reader's language)."""
    accepted = accepted_query(request)
    unknown = unknown_query(request)
    if unknown:
        takes = ", ".join(accepted) if accepted else "no query parameter"
        raise HTTPException(
            400,
            f"unknown query parameter {', '.join(unknown)}: this address takes {takes}",
        )
