"""One ready version resolved once: the catalog asked once, its files pulled (and verified)
once, its model loaded from them. A scoring job reads the model, its schema, its card and
its curves through one :class:`OpenedVersion` instead of resolving the version for each."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.registry.load import load
from entrepot.registry.parts import Context
from entrepot.registry.pull import PulledModel, pull
from entrepot.registry.resolve import Resolved


class OpenedVersion:
    """A version as :meth:`Registry.open` resolved it."""

    def __init__(self, ctx: Context, resolved: Resolved) -> None:
        self._ctx = ctx
        self._resolved = resolved

    @property
    def version(self) -> ModelVersionRecord:
        """The version's catalog row."""
        return self._resolved.version

    @cached_property
    def pulled(self) -> PulledModel:
        """Every file of the version, verified, as the cache's entries (pulled once)."""
        return pull(self._ctx, self._resolved, None)

    def load(self, *, into: Any = None) -> Any:
        """The model object, loaded from verified files by its flavor's safe loader."""
        return load(self._ctx, self._resolved, into=into)
