"""Guess what each column is from its name and its values.

Roles: ``id`` (one value per row), ``timestamp``, ``amount``, ``entity`` (a customer,
or a counterparty such as a terminal, merchant or beneficiary, seen on many rows),
``categorical``, ``boolean``, ``numeric``, ``text`` (free text), and the columns left
out of the features: ``personal`` (a person's name, address, job, e-mail or a postcode
that points at a home: :mod:`entrepot.fraud.schema.personal`), ``empty`` (all missing),
``constant``, ``target``, ``leak``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from entrepot.fraud.errors import UnreadableFile
from entrepot.fraud.schema import names
from entrepot.fraud.schema.personal import is_personal
from entrepot.fraud.tables.timeparse import detect_format
from entrepot.i18n.messages import english
from entrepot.messages import N_, Message, Np_, Word

ROLES = (
    "id",
    "timestamp",
    "amount",
    "entity",
    "categorical",
    "boolean",
    "numeric",
    "text",
    "personal",
    "empty",
    "constant",
    "target",
    "leak",
)
#: Roles never turned into features.
EXCLUDED = frozenset({"id", "text", "personal", "empty", "constant", "target", "leak"})
CUSTOMER, COUNTERPARTY, OTHER = "customer", "counterparty", "other"
#: Under this many values a column is too short to call constant or an id: a one-row file
#: to score has one value everywhere, and its columns keep the roles their values show.
FEW_VALUES = 20
#: A column with a different value on at least this share of its rows is a per-row key
#: (PaySim's ``nameOrig``: 36,374 values in 36,376 rows), not a category or an entity.
NEAR_UNIQUE = 0.98
#: An integer column that steps by exactly one from row to row on at least this share of
#: its rows numbers the rows (a file saved with its index, ``Unnamed: 0``, even when the
#: numbering restarts where two files were put end to end).
ROW_STEPS = 0.9


@dataclass(frozen=True)
class ColumnProfile:
    """What one column holds and the role it plays."""

    name: str
    dtype: str
    role: str
    missing: int
    distinct: int
    why: Message  # the reason for the role, as a catalog key and its values
    entity_kind: str | None = None  # customer | counterparty | other, for entities
    time_format: str | None = None  # for timestamps, see entrepot.fraud.tables.timeparse

    @property
    def reason(self) -> str:
        """Why the column has its role, in English (``repeated customer id``)."""
        return english(self.why)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "dtype": self.dtype,
            "role": self.role,
            "used": self.role not in EXCLUDED,  # turned into features
            "missing": self.missing,
            "distinct": self.distinct,
            "reason": self.reason,
            "reason_message": self.why.to_json(),
        }
        if self.entity_kind:
            out["entity_kind"] = self.entity_kind
        if self.time_format:
            out["time_format"] = self.time_format
        return out


def entity_kind(tokens: tuple[str, ...]) -> str | None:
    """``customer`` or ``counterparty`` from the first telling word of a name."""
    for token in tokens:
        if token in names.CUSTOMER_WORDS:
            return CUSTOMER
        if token in names.TERMINAL_WORDS:
            return COUNTERPARTY
    return None


@dataclass(frozen=True)
class _Facts:
    name: str
    dtype: str
    missing: int
    distinct: int
    rows: int  # non-missing
    tokens: tuple[str, ...]
    kind: str | None
    unique: bool
    near_unique: bool
    id_named: bool

    @property
    def few(self) -> bool:
        """Too few values to judge by counting them (a short file to score)."""
        return self.rows < FEW_VALUES

    @property
    def entity_like(self) -> bool:
        """Named after a customer or counterparty, and naming an identifier, not a trait."""
        if self.kind is None or (self.distinct >= self.rows and not self.few):
            return False
        if names.has_any(self.tokens, names.MEASURE_WORDS):
            return False  # customer_age, account_age_days: a trait of the entity
        if self.id_named:
            return True
        return not names.has_any(self.tokens, names.CATEGORY_WORDS) and self.distinct > 10

    def made(self, role: str, reason: Message, **extra: str | None) -> ColumnProfile:
        return ColumnProfile(
            self.name,
            self.dtype,
            role,
            self.missing,
            self.distinct,
            reason,
            entity_kind=extra.get("entity_kind"),
            time_format=extra.get("time_format"),
        )


def profile(series: pd.Series, name: str) -> ColumnProfile:
    """The role of one column (never ``target`` or ``leak``: those need the label)."""
    n = len(series)
    present = series.dropna()
    missing = n - len(present)
    dtype = str(series.dtype)
    if present.empty:
        return ColumnProfile(name, dtype, "empty", missing, 0, Message(N_("reason.all_missing")))
    distinct = _distinct(present, name)
    tokens = names.tokens(name)
    facts = _Facts(
        name=name,
        dtype=dtype,
        missing=missing,
        distinct=distinct,
        rows=len(present),
        tokens=tokens,
        kind=entity_kind(tokens),
        unique=distinct == len(present) and len(present) >= FEW_VALUES,
        near_unique=distinct >= NEAR_UNIQUE * len(present) and len(present) >= FEW_VALUES,
        id_named=names.has_any(tokens, names.ID_WORDS),
    )
    if distinct == 1 and len(present) >= FEW_VALUES:
        return facts.made(
            "constant", Message(N_("reason.single_value"), {"value": repr(present.iloc[0])})
        )
    if is_personal(present, tokens, distinct):
        return facts.made("personal", Message(N_("reason.personal")))
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if not numeric or names.has_any(tokens, names.TIME_WORDS):
        fmt = detect_format(series)
        if fmt is not None:
            return facts.made(
                "timestamp", Message(N_("reason.parses_as"), {"format": fmt}), time_format=fmt
            )
    if distinct == 2:
        return facts.made("boolean", Message(N_("reason.two_values")))
    if numeric:
        return _numeric_role(present, facts)
    return _text_role(present, facts)


def _distinct(present: pd.Series, name: str) -> int:
    """How many different values; a column of lists, records or arrays (a nested Parquet
    column) has none that can be compared, and is refused by name."""
    try:
        return int(present.nunique())
    except TypeError:
        kind = type(present.iloc[0]).__name__
        raise UnreadableFile(
            f"column {name!r} holds {kind} values, not plain values",
            hint="flatten lists and records into columns, or drop the column, and upload again",
            said=Message(N_("error.table.nested_column"), {"column": str(name), "kind": kind}),
        ) from None


def _numeric_role(present: pd.Series, f: _Facts) -> ColumnProfile:
    values = present.to_numpy(dtype=float)
    integer = pd.api.types.is_integer_dtype(present) or bool(np.all(np.mod(values, 1) == 0))
    amount_like = names.has_any(f.tokens, names.AMOUNT_WORDS) and float(np.max(values)) > 1
    if integer and f.unique and f.id_named:
        return f.made("id", Message(N_("reason.id_named_unique")))
    if integer and not f.few and _numbers_the_rows(present):
        return f.made("id", Message(N_("reason.row_numbers")))
    if integer and f.near_unique and not f.unique and (f.id_named or f.kind):
        return f.made("id", Message(N_("reason.near_unique_values")))
    if amount_like and not (f.entity_like and integer):
        return f.made("amount", Message(N_("reason.amount_named")))
    if integer and f.unique and (f.id_named or f.kind or _sequence(present)):
        return f.made("id", Message(N_("reason.unique_integers")))
    if integer and f.few and f.id_named and f.kind is None and f.distinct == f.rows:
        return f.made("id", Message(N_("reason.id_named_unique")))
    if integer and f.entity_like and (f.id_named or _labels_not_quantities(values, f)):
        return f.made("entity", _repeated(f.kind), entity_kind=f.kind)
    if integer and names.has_any(f.tokens, names.CATEGORY_WORDS) and f.distinct <= 1000:
        return f.made("categorical", Message(N_("reason.category_codes")))
    if integer and f.id_named:
        if 50 <= f.distinct < 0.5 * f.rows:
            return f.made("entity", Message(N_("reason.repeated_id")), entity_kind=OTHER)
        return f.made("categorical", Message(N_("reason.few_ids")))
    return f.made("numeric", Message(N_("reason.numbers")))


def _text_role(present: pd.Series, f: _Facts) -> ColumnProfile:
    sample = present.astype("str").head(2000)
    spaced = float(sample.str.contains(" ", regex=False).mean())
    length = float(sample.str.len().mean())
    if f.unique and spaced < 0.5:
        return f.made("id", Message(N_("reason.unique_values")))
    if f.near_unique and spaced < 0.5:
        return f.made("id", Message(N_("reason.near_unique_values")))
    if f.entity_like and spaced < 0.5:
        return f.made("entity", _repeated(f.kind), entity_kind=f.kind)
    if f.distinct <= max(50, 0.05 * f.rows) and length <= 40:
        return f.made("categorical", Message(Np_("reason.labels"), {"count": f.distinct}))
    if spaced >= 0.5 or length > 40:
        return f.made("text", Message(N_("reason.free_text")))
    if f.id_named and f.distinct < 0.5 * f.rows:
        return f.made("entity", Message(N_("reason.repeated_id")), entity_kind=OTHER)
    return f.made("categorical", Message(Np_("reason.labels_many"), {"count": f.distinct}))


#: Rows an entity's value holds on average, at least: a key repeats over many rows.
ROWS_PER_ENTITY = 2.0


def _labels_not_quantities(values: np.ndarray, f: _Facts) -> bool:
    """Whether integers named for a customer or counterparty, without an identifier's
    word (``originator_account``, ``months_as_customer``), repeat like an entity's key:
    many rows per value (a tenure or an amount in a small table takes a new value on most
    rows), and neither negative nor fractional (see the caller)."""
    if f.few:
        return True
    return f.rows >= ROWS_PER_ENTITY * f.distinct and float(np.min(values)) >= 0


def _repeated(kind: str | None) -> Message:
    """``repeated customer id``: the kind of entity is a word of its own."""
    return Message(N_("reason.repeated_entity"), {"kind": Word(f"role.kind.{kind}")})


def _sequence(present: pd.Series) -> bool:
    """Whether unique integers number the rows: consecutive once sorted, or rising (or
    falling) with every row of the file, as a counter does, whatever its gaps."""
    values = present.to_numpy(dtype=np.int64)
    ordered = np.sort(values)
    if ordered[-1] - ordered[0] == len(values) - 1:
        return True
    steps = np.diff(values)
    return bool(np.all(steps > 0) or np.all(steps < 0))


def _numbers_the_rows(present: pd.Series) -> bool:
    """Whether the integers count the rows: most steps from one row to the next are +1 (a
    saved index, a row number), with many different values (not an hour or a counter
    that stays put over many rows)."""
    if len(present) < 2:
        return False
    values = present.to_numpy(dtype=np.int64)
    by_one = float(np.mean(np.diff(values) == 1))
    return by_one >= ROW_STEPS and len(np.unique(values)) >= 0.5 * len(values)
