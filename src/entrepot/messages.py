"""Messages are data: what the engine and the services tell people (a column's reason, a
warning, a job's progress, a row's explanation, a job's failure) is a catalog key and typed
parameters, never a sentence; each interface writes it in its own language
(``entrepot.i18n.messages``), English included, and nothing reads a sentence back.

A parameter is plain (``str``: a column name or a cell of the user's data, shown as it is;
``int``: a number; ``None``: missing) or marked: :class:`Word` is itself a key to translate
(``customer``), :class:`Count` a count with plural words of its own (``3 rows``),
:class:`Number` a number written with a fixed count of decimals (``0.8123``), :class:`Size`
bytes written with the reader's units (``2 GiB``, ``2 Gio``). A parameter
named ``count`` (an ``int``) makes the whole message plural: its key has plural forms.

Stored as JSON (:meth:`Message.to_json`): ``{"key": ..., "params": {...}}``, a marked
parameter as ``{"word": key}``, ``{"count": n, "words": key}`` or
``{"number": x, "digits": d}``, ``{"size": n}`` or ``{"share": x, "digits": d}``
(:class:`Share`: a share written as a percentage). This module imports nothing: every
layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import isfinite
from typing import Any


def N_(key: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate yet"
    """``key`` itself: marks a key for extraction (``pybabel extract -k N_``)."""
    return key


def Np_(key: str) -> str:  # noqa: N802 - the plural marker, as ``N_``
    """``key`` itself: marks a key with plural forms for extraction."""
    return key


@dataclass(frozen=True)
class Word:
    """A parameter that is itself a message key (``role.kind.customer``)."""

    key: str


@dataclass(frozen=True)
class Count:
    """A count written with plural words of its own (``key``: ``{count} rows``)."""

    value: int
    key: str


@dataclass(frozen=True)
class Number:
    """A number written with exactly ``digits`` decimals in the reader's language."""

    value: float
    digits: int


@dataclass(frozen=True)
class Size:
    """A size in bytes, written with the units of the reader's language (``2 GiB``,
    ``2 Gio``)."""

    value: int


@dataclass(frozen=True)
class Share:
    """A share of a whole (``0.008``) written as a percentage with ``digits`` decimals in
    the reader's language (``0.80%``, ``0,80 %``)."""

    value: float
    digits: int


Param = str | int | None | Word | Count | Number | Size | Share


@dataclass(frozen=True)
class Message:
    """A catalog key and the values that fill its fields."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The message as JSON-ready data (see the module docstring)."""
        return {"key": self.key, "params": {n: _param_json(v) for n, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        """The message :meth:`to_json` wrote."""
        params = data.get("params") or {}
        return cls(str(data["key"]), {str(n): _param(v) for n, v in params.items()})


def message_of(data: object) -> Message | None:
    """The message stored as ``data``, or ``None`` when ``data`` is not one (a plain string
    written by an earlier release, shown as it is)."""
    if isinstance(data, Message):
        return data
    if isinstance(data, Mapping) and isinstance(data.get("key"), str):
        return Message.from_json(data)
    return None


def _param_json(value: Param) -> Any:
    if isinstance(value, Word):
        return {"word": value.key}
    if isinstance(value, Count):
        return {"count": value.value, "words": value.key}
    if isinstance(value, Number):  # a number that is not one (NaN) is missing
        return {"number": value.value, "digits": value.digits} if isfinite(value.value) else None
    if isinstance(value, Size):
        return {"size": value.value}
    if isinstance(value, Share):
        return {"share": value.value, "digits": value.digits} if isfinite(value.value) else None
    return value


def _param(value: Any) -> Param:
    if isinstance(value, Mapping):
        if "word" in value:
            return Word(str(value["word"]))
        if "words" in value:
            return Count(int(value["count"]), str(value["words"]))
        if "number" in value:
            return Number(float(value["number"]), int(value["digits"]))
        if "size" in value:
            return Size(int(value["size"]))
        if "share" in value:
            return Share(float(value["share"]), int(value["digits"]))
    if value is None or isinstance(value, int):
        return value
    return str(value)
