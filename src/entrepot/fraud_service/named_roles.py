"""The roles a person names for a dataset's columns when they upload it (issue 41, item 5):
the column of dates that orders the rows, and the customer or counterparty keys. The
analysis takes them over its guess, the dataset keeps them (``named_roles`` in its
analysis), and a training of the dataset reads them unless it names others."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from entrepot.fraud.errors import UnknownColumns
from entrepot.messages import N_, Message

#: The most entity columns a form may name (a table has few keys; the bound keeps the
#: field small before it is read).
MOST_ENTITIES = 16


@dataclass(frozen=True, slots=True)
class NamedRoles:
    """A time column (or ``None``: the analysis chooses) and entity columns (or none)."""

    time_column: str | None = None
    entity_columns: tuple[str, ...] = ()

    @property
    def named(self) -> bool:
        """Whether the person named any role."""
        return self.time_column is not None or bool(self.entity_columns)

    def to_dict(self) -> dict[str, Any]:
        """As the dataset's analysis keeps it."""
        return {"time_column": self.time_column, "entity_columns": list(self.entity_columns)}

    @classmethod
    def kept(cls, analysis: Mapping[str, Any]) -> NamedRoles:
        """The roles a dataset's analysis kept from its upload (none when it kept none)."""
        found = analysis.get("named_roles") or {}
        time_column = found.get("time_column")
        entities = found.get("entity_columns") or ()
        return cls(str(time_column) if time_column else None, tuple(str(c) for c in entities))

    @classmethod
    def from_fields(cls, time_column: str | None, entity_columns: str | None) -> NamedRoles:
        """The roles of a form's text fields: ``entity_columns`` as ``a,b`` or a JSON list
        (``["a,b", "c"]`` for a name that holds a comma)."""
        return cls((time_column or "").strip() or None, _entity_list(entity_columns or ""))


def _entity_list(text: str) -> tuple[str, ...]:
    text = text.strip()
    if not text:
        return ()
    if text.startswith("["):
        try:
            found = json.loads(text)
        except ValueError:
            found = None
        if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
            raise _refused(text)
        names = [c.strip() for c in found]
    else:
        names = [c.strip() for c in text.split(",")]
    kept = tuple(dict.fromkeys(c for c in names if c))
    if len(kept) > MOST_ENTITIES:
        raise UnknownColumns(
            f"{len(kept)} entity columns named; at most {MOST_ENTITIES} may be",
            hint="name the customer and counterparty keys only",
            said=Message(
                N_("error.fraud.too_many_entities"), {"named": len(kept), "most": MOST_ENTITIES}
            ),
        )
    return kept


def _refused(text: str) -> UnknownColumns:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return UnknownColumns(
        f"entity_columns {shown!r} is neither names separated by commas nor a JSON list of names",
        hint='write entity_columns as customer_id,terminal_id or ["customer_id", "terminal_id"]',
        said=Message(N_("error.fraud.entity_list"), {"given": shown}),
    )
