"""What schema matching knows of a column: its name, its role and a signature of its values.

A :class:`ColumnSignature` is small and plain so that thousands can sit in the catalog
and be compared in a few milliseconds: the column's name, its matching role (one of
:data:`ROLES`), a scale (log10 of the median absolute value of a number, or of the
number of distinct values of a category or an entity), a 64-bit set of its most
frequent distinctive values (category labels such as ``FR`` or ``contactless``, hashed
with a stable hash), and, for a model's input column, the share of the model's feature
importance that rests on it. ``encode`` / ``decode`` write it as the type string of a
registry input-schema pair (``("montant", "amount;scale=1.653;values=0;weight=0.31")``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from entrepot.fraud.schema.roles import COUNTERPARTY, CUSTOMER, ColumnProfile

#: Roles a column can play in matching; ids, free text, empty and constant columns take none.
ROLES: tuple[str, ...] = (
    *("timestamp", "amount", "customer", "counterparty", "entity", "categorical", "boolean"),
    "numeric",
)
_TOP_VALUES = 20
_DISTINCTIVE = re.compile(r"[a-z]|\d{3,}")
_FIELD = re.compile(r"^(\w+)=(.*)$")


@dataclass(frozen=True)
class ColumnSignature:
    """A column as schema matching sees it (see the module docstring)."""

    name: str
    role: str
    scale: float = 0.0
    values: int = 0
    weight: float = 1.0

    def encode(self) -> str:
        """The signature without the name, as one string."""
        return (
            f"{self.role};scale={self.scale:.3f};values={self.values:016x};weight={self.weight:.4f}"
        )

    @classmethod
    def decode(cls, name: str, text: str) -> ColumnSignature:
        """Read what :meth:`encode` wrote; a plain dtype (``float64``) gives a bare role."""
        role, *fields = text.split(";")
        if role not in ROLES:
            return cls(name, _role_from_dtype(role))
        found: dict[str, str] = {}
        for item in fields:
            if matched := _FIELD.fullmatch(item):
                found[matched.group(1)] = matched.group(2)
        return cls(
            name,
            role,
            scale=float(found.get("scale", "0")),
            values=int(found.get("values", "0"), 16),
            weight=float(found.get("weight", "1")),
        )


def _role_from_dtype(dtype: str) -> str:
    lowered = dtype.lower()
    if "date" in lowered or "time" in lowered:
        return "timestamp"
    if lowered.startswith(("float", "int", "uint", "double", "decimal")):
        return "numeric"
    if lowered.startswith("bool"):
        return "boolean"
    return "categorical"


def matching_role(profile: ColumnProfile) -> str | None:
    """The role a column plays in matching, or ``None`` when it is left out."""
    if profile.role == "entity":
        if profile.entity_kind == CUSTOMER:
            return "customer"
        return "counterparty" if profile.entity_kind == COUNTERPARTY else "entity"
    return profile.role if profile.role in ROLES else None


def _value_key(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip().lower()


def value_bits(series: pd.Series) -> int:
    """A 64-bit set of the most frequent distinctive values of ``series``."""
    bits = 0
    for value in series.dropna().value_counts().index[:_TOP_VALUES]:
        key = _value_key(value)
        if _DISTINCTIVE.search(key):
            bits |= 1 << (zlib.crc32(key.encode("utf-8")) % 64)
    return bits


def scale_of(series: pd.Series, role: str) -> float:
    """log10 of the typical magnitude (numbers) or of the number of distinct values."""
    present = series.dropna()
    if present.empty or role == "timestamp":
        return 0.0
    if role in ("amount", "numeric"):
        numbers = pd.to_numeric(present, errors="coerce").dropna()
        return math.log10(1.0 + abs(float(numbers.median()))) if len(numbers) else 0.0
    return math.log10(max(int(present.nunique()), 1))


def signature_of(
    series: pd.Series, profile: ColumnProfile, weight: float = 1.0
) -> ColumnSignature | None:
    """The signature of one column, or ``None`` if it plays no role in matching."""
    role = matching_role(profile)
    if role is None:
        return None
    values = value_bits(series) if role in ("categorical", "boolean") else 0
    return ColumnSignature(profile.name, role, round(scale_of(series, role), 3), values, weight)


def table_signature(
    frame: pd.DataFrame,
    profiles: Sequence[ColumnProfile],
    *,
    columns: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> tuple[ColumnSignature, ...]:
    """Signatures of ``columns`` (default: every column with a matching role), in order.

    ``weights`` (column -> importance share) default to equal shares.
    """
    by_name = {p.name: p for p in profiles}
    wanted = list(columns) if columns is not None else [p.name for p in profiles]
    found = []
    for name in wanted:
        if name not in by_name or name not in frame.columns:
            continue
        weight = 1.0 if weights is None else float(weights.get(name, 0.0))
        made = signature_of(frame[name], by_name[name], weight)
        if made is not None:
            found.append(made)
    if weights is None and found:
        share = 1.0 / len(found)
        found = [ColumnSignature(s.name, s.role, s.scale, s.values, share) for s in found]
    return tuple(found)


def with_weights(
    signatures: Sequence[ColumnSignature], weights: Mapping[str, float]
) -> tuple[ColumnSignature, ...]:
    """``signatures`` with each column's weight from ``weights`` (0 for a column it lacks):
    a training takes its table's signatures before the table goes, and weighs them once
    its model's importances are known."""
    return tuple(replace(s, weight=float(weights.get(s.name, 0.0))) for s in signatures)
