"""What every body shares: unknown fields refused, a page of a listing."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class PageOut(BaseModel):
    items: list[Any]
    total: int
    page: int
    pages: int


def fields_of(record: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}
