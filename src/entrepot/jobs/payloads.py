"""Typed job payloads: one frozen dataclass per job kind, written to a job's parameters
with its version (``"v"``) and read back validated.

A job outlives the process that queued it, and sometimes the release: a worker of the next
release may take a job the previous one queued. So a payload says which version of its
kind's parameters it is; a reader upgrades an older version (:meth:`Payload.upgrade`), and
refuses one newer than it knows, or one that does not validate, with a
:class:`PayloadError` that the runner records as the job's error (never a crash).
Parameters written before payloads were versioned are version 1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from entrepot.errors import EntrepotError
from entrepot.messages import N_, Message

#: The key of the version in a job's parameters.
VERSION_KEY = "v"


class PayloadError(EntrepotError):
    """A job's parameters that this release cannot read."""

    hint = (
        "the job was queued by another release of Entrepôt: run a worker of that release, "
        "or submit the work again"
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Payload:
    """The parameters of one job kind. Subclasses are frozen dataclasses of JSON-ready
    fields (str, int, float, bool, None, lists, dicts and nested dataclasses of those)."""

    KIND: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def to_params(self) -> dict[str, Any]:
        """The job's parameters (JSON): the fields that are set, and the version."""
        values = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return {VERSION_KEY: self.VERSION, **values}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The payload a job's ``params`` hold; raises :class:`PayloadError`."""
        values = dict(params)
        version = values.pop(VERSION_KEY, 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise PayloadError(
                f"the {cls.KIND} job's parameters have no valid version",
                said=Message(N_("error.jobs.payload_version"), {"kind": cls.KIND}),
            )
        if version > cls.VERSION:
            raise PayloadError(
                f"the {cls.KIND} job was queued by a newer release (its parameters are "
                f"version {version}; this release reads up to version {cls.VERSION})",
                said=Message(
                    N_("error.jobs.payload_newer"),
                    {"kind": cls.KIND, "version": str(version), "most": cls.VERSION},
                ),
            )
        if version < cls.VERSION:
            values = cls.upgrade(values, version)
        from pydantic import ValidationError

        try:
            found: Self = _adapter(cls).validate_python(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ())) or "parameters"
            raise PayloadError(
                f"the {cls.KIND} job's parameters are not valid: {where}: {first.get('msg')}",
                said=Message(
                    N_("error.jobs.payload_invalid"),
                    {"kind": cls.KIND, "where": where, "detail": str(first.get("msg"))[:200]},
                ),
            ) from None
        return found

    @classmethod
    def upgrade(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        """The parameters of an older ``version`` as the current one reads them (a kind
        whose parameters changed overrides this)."""
        return values


#: One validator per payload class, built on first use.
_ADAPTERS: dict[type[Payload], Any] = {}


def _adapter(cls: type[Payload]) -> Any:
    if cls not in _ADAPTERS:
        from pydantic import TypeAdapter

        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]
