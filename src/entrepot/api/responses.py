"""JSON answers encoded by the route itself (ADR 0026).

A route declaring its response model has FastAPI check the value it returns against the
model and then encode it, on the event loop. A hot read route instead encodes its already
validated schema objects with :class:`JsonOf`, in its own thread-pool hop, and declares
the model with ``response_model=`` for the OpenAPI document only: the bytes are the same.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import TypeAdapter
from starlette.responses import Response

T = TypeVar("T")


class JsonOf(Generic[T]):
    """The JSON answer of one response type (``JsonOf(list[ModelOut])``)."""

    def __init__(self, kind: type[T]) -> None:
        self._adapter: TypeAdapter[T] = TypeAdapter(kind)

    def response(self, value: T, status_code: int = 200) -> Response:
        """``value`` encoded as FastAPI encodes a response model (by alias, JSON mode)."""
        return Response(
            self._adapter.dump_json(value, by_alias=True),
            status_code=status_code,
            media_type="application/json",
        )
