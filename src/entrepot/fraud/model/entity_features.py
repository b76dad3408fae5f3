"""The behaviour features of a :class:`~entrepot.fraud.model.features.FeatureBuilder`'s
entities (customers, counterparties), one entity's block at a time, from the window
arithmetic of ``entrepot.fraud.model.behaviour``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np
import pandas as pd

from entrepot.fraud.model.behaviour import Sorted, counterparty_parts, customer_parts

#: The two blocks of behaviour features: a customer's, a counterparty's.
CUSTOMER = "customer"
COUNTERPARTY = "counterparty"
BLOCKS = frozenset({CUSTOMER, COUNTERPARTY})


class EntityColumns(Protocol):
    """The columns a builder's behaviour features read (a ``FeatureSpec``)."""

    @property
    def amount(self) -> str | None: ...
    @property
    def customers(self) -> tuple[str, ...]: ...
    @property
    def counterparties(self) -> tuple[str, ...]: ...


class BehaviourBuilder(Protocol):
    """What the behaviour features read of a
    :class:`~entrepot.fraud.model.features.FeatureBuilder`."""

    @property
    def spec(self) -> EntityColumns: ...
    @property
    def windows(self) -> tuple[int, ...]: ...
    @property
    def label_delay_days(self) -> int: ...
    @property
    def label_horizon_days(self) -> float | None: ...


def behaviour_of(
    builder: BehaviourBuilder,
    frame: dict[str, np.ndarray],
    start: int,
    codes_of: Callable[[np.ndarray], np.ndarray] | None = None,
    blocks: frozenset[str] = BLOCKS,
) -> Iterator[tuple[str, np.ndarray]]:
    """The behaviour features of the rows of ``frame`` from ``start`` on (the rows before
    are history), one entity's at a time: ``frame`` holds ``__seconds``, ``__label``,
    ``__amount`` if the spec has an amount, and the entity keys under the entity columns'
    names. ``codes_of``: an equivalent of :func:`entity_codes`; ``blocks``: the entities'
    features made, of :data:`BLOCKS` (a table scored in two cuts makes each in its own:
    ``entrepot.fraud.score.counterparty_cut``)."""
    entity_codes_of = entity_codes if codes_of is None else codes_of
    spec = builder.spec
    # no copies where the inputs already have their types
    seconds = frame["__seconds"].astype(np.int64, copy=False)
    amount = frame["__amount"].astype(float, copy=False) if spec.amount else None
    labels = frame["__label"].astype(float, copy=False)
    y = labels if bool(np.isfinite(labels).any()) else None
    del labels
    for i, col in enumerate(spec.customers if CUSTOMER in blocks else ()):
        codes = entity_codes_of(frame[col])
        for name, values in customer_parts(codes, seconds, amount, builder.windows, f"customer{i}"):
            yield name, values[start:]
            del values  # not held while the next is made
    for i, col in enumerate(spec.counterparties if COUNTERPARTY in blocks else ()):
        codes = entity_codes_of(frame[col])
        for name, values in counterparty_block_parts(
            builder, codes, seconds, y, f"counterparty{i}"
        ):
            yield name, values[start:]
            del values


def entity_codes(keys: np.ndarray) -> np.ndarray:
    """Integer codes of entity keys in order of first appearance; -1 where missing."""
    codes: np.ndarray = pd.factorize(keys, use_na_sentinel=True)[0].astype(np.int64)
    return codes


def counterparty_block(
    builder: BehaviourBuilder,
    codes: np.ndarray,
    seconds: np.ndarray,
    y: np.ndarray | None,
    prefix: str,
) -> dict[str, np.ndarray]:
    """A counterparty's features; its risk features are NaN when no label is known."""
    return dict(counterparty_block_parts(builder, codes, seconds, y, prefix))


def counterparty_block_parts(
    builder: BehaviourBuilder,
    codes: np.ndarray,
    seconds: np.ndarray,
    y: np.ndarray | None,
    prefix: str,
    *,
    counts: bool = True,
    at: np.ndarray | None = None,
    ordered: Sorted | None = None,
) -> Iterator[tuple[str, np.ndarray]]:
    """:func:`counterparty_block` one feature at a time, as each is made; ``counts=False``:
    its risk features alone (those that read labels); ``at``: those of the rows at these
    positions alone; ``ordered``: the rows' order made already
    (:func:`~entrepot.fraud.model.behaviour.counterparty_parts`)."""
    windows = builder.windows
    delay, horizon = builder.label_delay_days, builder.label_horizon_days
    yield from counterparty_parts(
        codes, seconds, y, windows, delay, prefix, horizon, counts=counts, at=at, ordered=ordered
    )
    if y is None:  # no label known at all: the risk features exist, unknown
        for w in windows:
            yield f"{prefix}_risk_{w}d", np.full(len(codes) if at is None else len(at), np.nan)
