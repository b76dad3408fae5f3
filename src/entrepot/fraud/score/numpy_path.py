"""Score a member of an ensemble with numpy only: the fast path of ``fraud.scoring``.

The general path builds each member's input frame with pandas, then its features and
scores (:meth:`FraudModel.feature_matrix`, :meth:`FraudModel.proba_of_features`,
:meth:`AnomalyModel.score`). This path gives the same numbers from the same inputs,
with three changes of method:

* columns are read once per scoring call by a
  :class:`~entrepot.fraud.score.column_reader.ColumnReader` and shared by every member that
  reads them, and so are the time features and the behaviour features of members without
  history that read the same columns;
* what a model learnt at fit (category codes and frequencies, the entities of its kept
  history) is turned once into lookup tables, kept on the model (:func:`compiled`) but
  never saved with it;
* the estimator, the calibrator and the anomaly model are called through
  ``entrepot.fraud.score.bare_predict``.

The unit tests hold the two paths equal for every model family.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.errors import MissingColumns
from entrepot.fraud.match.description import Upload
from entrepot.fraud.model.behaviour import customer_features
from entrepot.fraud.model.entity_features import (
    BLOCKS,
    COUNTERPARTY,
    CUSTOMER,
    behaviour_of,
    counterparty_block,
    entity_codes,
)
from entrepot.fraud.model.features import FeatureBuilder
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.model.time_parts import time_parts
from entrepot.fraud.score.bare_predict import AnomalyTables, calibrated, scorer
from entrepot.fraud.score.column_reader import ColumnReader, seconds_of
from entrepot.messages import N_, Message

_CACHE = "_fast"
#: Up to this many distinct entities, history rows are found through a dictionary.
_FEW_ENTITIES = 1000
#: Up to this many keys, entity codes are made in Python.
_FEW_KEYS = 256


class History:
    """A model's kept history as arrays, and the rows of each entity."""

    def __init__(self, history: pd.DataFrame, entities: tuple[str, ...]) -> None:
        self.arrays = {str(k): history[k].to_numpy() for k in history.columns}
        self.codes: dict[str, np.ndarray] = {}
        self.index: dict[str, pd.Index] = {}
        self.rows: dict[str, dict[str, np.ndarray]] = {}
        for col in entities:
            codes, uniques = pd.factorize(history[col], use_na_sentinel=True)
            order = np.argsort(codes, kind="stable")[int((codes < 0).sum()) :]
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            groups = np.split(order, np.cumsum(counts)[:-1]) if len(uniques) else []
            self.codes[col] = np.asarray(codes, dtype=np.int64)
            self.index[col] = pd.Index(uniques)
            self.rows[col] = dict(zip(list(uniques), groups, strict=True))

    def relevant(self, keys: Mapping[str, np.ndarray]) -> np.ndarray:
        """Positions, in order, of the history rows of the entities in ``keys`` (entity
        column -> keys of the new rows), as ``features._relevant`` selects them."""
        found: list[np.ndarray] = []
        mask: np.ndarray | None = None
        for col, values in keys.items():
            # each distinct key once, in order of first appearance, before the test of its
            # type (a Python loop over the distinct keys, not over the rows)
            wanted = [k for k in pd.unique(values).tolist() if isinstance(k, str)]
            if len(wanted) <= _FEW_ENTITIES:
                table = self.rows[col]
                found.extend(table[k] for k in wanted if k in table)
                continue
            ids = self.index[col].get_indexer(wanted)
            chosen = np.zeros(len(self.index[col]) + 1, dtype=bool)
            chosen[ids[ids >= 0]] = True
            picked = chosen[self.codes[col]]  # code -1 reads the last slot, never chosen
            mask = picked if mask is None else mask | picked
        if mask is not None:
            found.append(np.flatnonzero(mask))
        if not found:
            return np.zeros(0, dtype=np.intp)
        return np.unique(np.concatenate(found))


class FastModel:
    """What :func:`score_member` needs of one model, built once from it."""

    def __init__(self, model: FraudModel) -> None:
        builder = model.features
        self.sources = _sources(model)
        self.builder = builder
        self.spec = builder.spec
        self.names = list(builder.feature_names_)
        self.inputs = model.input_columns
        self.behaviour = self.spec.timestamp is not None and bool(
            self.spec.customers or self.spec.counterparties
        )
        self.encodings = {col: _encoding(builder, col) for col in self.spec.categoricals}
        history = builder.history_
        entities = (*self.spec.customers, *self.spec.counterparties)
        self.history = (
            History(history, entities)
            if self.behaviour and history is not None and len(history)
            else None
        )
        self.scores = scorer(model.estimator)
        self.calibrate = calibrated(model.calibrator)
        self.anomaly = AnomalyTables(model.anomaly) if model.anomaly is not None else None

    def features(
        self,
        reader: ColumnReader,
        mapping: Mapping[str, str],
        upload: Upload,
        history: bool,
        given: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """:meth:`FraudModel.feature_matrix` of the member frame of ``mapping``; ``given``:
        its counterparty features (:meth:`counterparty_features`, made from another cut of
        the table, for ``reader``'s rows), taken as they are instead of made here."""
        source = {model_col: up for up, model_col in mapping.items()}
        if self.inputs and not any(c in source for c in self.inputs):
            raise MissingColumns(
                f"none of the model's input columns is present: {', '.join(self.inputs)}",
                said=Message(
                    N_("error.fraud.no_input_column"), {"columns": ", ".join(self.inputs)}
                ),
            )
        spec = self.spec
        matrix = _Matrix(self.names, reader.rows)
        timed = self._time(reader, source, upload)
        if timed is not None:
            instants, time_key = timed
            matrix.put(reader.made(("parts", *time_key), lambda: time_parts(instants)))
        if spec.amount:
            up = source.get(spec.amount)
            amount = reader.numbers(up)
            log = reader.made(("log1p", up), lambda: np.log1p(np.clip(amount, 0, None)))
            matrix.put({"amount": amount, "amount_log": log})
            del log
        for col in spec.numerics:
            matrix.put({col: reader.numbers(source.get(col))})
        for col in spec.categoricals:
            matrix.put(self._encode(col, reader.keys(source.get(col))))
        if self.behaviour and timed is not None:
            blocks = BLOCKS if given is None else frozenset({CUSTOMER})
            matrix.put(self._behaviour(reader, source, timed[1], history, blocks))
        if given is not None:
            matrix.put(given)
        return matrix.done()

    def counterparty_features(
        self, reader: ColumnReader, mapping: Mapping[str, str], upload: Upload, history: bool
    ) -> dict[str, np.ndarray]:
        """The counterparty behaviour features alone of the member frame of ``mapping``
        (none for a model that reads no counterparty or no time): what
        :meth:`features` is ``given`` for the same rows in another cut of the table."""
        if not (self.behaviour and self.spec.timestamp and self.spec.counterparties):
            return {}
        source = {model_col: up for up, model_col in mapping.items()}
        timed = self._time(reader, source, upload)
        assert timed is not None  # the model has a timestamp
        return self._behaviour(reader, source, timed[1], history, frozenset({COUNTERPARTY}))

    def _time(
        self, reader: ColumnReader, source: Mapping[str, str], upload: Upload
    ) -> tuple[np.ndarray, tuple[Any, ...]] | None:
        """The instants of the model's timestamp column and the key they are kept under
        in ``reader``; ``None`` for a model without time."""
        timestamp = self.spec.timestamp
        if not timestamp:
            return None
        up = source.get(timestamp)
        fmt = upload.time_format(up) if up is not None else None
        if fmt is None:
            assert self.spec.time_format is not None
            fmt = self.spec.time_format
        return reader.instants(up, fmt), (up, fmt)

    def _encode(self, col: str, keys: tuple[np.ndarray, list[str]]) -> dict[str, np.ndarray]:
        positions, names = keys
        if not names:
            empty = np.full(len(positions), np.nan)
            return {f"{col}__code": empty, f"{col}__freq": empty.copy()}
        table = self.encodings[col]
        pairs = [table.get(k, (-1.0, 0.0)) for k in names]
        unique_codes = np.asarray([p[0] for p in pairs], dtype=float)
        unique_freq = np.asarray([p[1] for p in pairs], dtype=float)
        present = positions >= 0
        safe = np.where(present, positions, 0)
        return {
            f"{col}__code": np.where(present, unique_codes[safe], np.nan),
            f"{col}__freq": np.where(present, unique_freq[safe], np.nan),
        }

    def _behaviour(
        self,
        reader: ColumnReader,
        source: Mapping[str, str],
        time_key: tuple[Any, ...],
        history: bool,
        blocks: frozenset[str],
    ) -> dict[str, np.ndarray]:
        spec = self.spec
        seconds = reader.memo(("seconds", *time_key), partial(_seconds, reader, time_key))
        customers = spec.customers if CUSTOMER in blocks else ()
        counterparties = spec.counterparties if COUNTERPARTY in blocks else ()
        entities = {col: source.get(col) for col in (*customers, *counterparties)}
        amount_up = source.get(spec.amount) if spec.amount else None
        amount = reader.numbers(amount_up) if spec.amount else None
        if history and self.history is not None:
            keys = {col: reader.entities(up) for col, up in entities.items()}
            data: dict[str, np.ndarray] = {"__seconds": seconds}
            if amount is not None:
                data["__amount"] = amount
            data.update(keys)
            data["__label"] = np.full(reader.rows, np.nan)
            rows = self.history.relevant(keys)
            arrays = self.history.arrays
            data = {k: np.concatenate([arrays[k][rows], v]) for k, v in data.items()}
            return dict(behaviour_of(self.builder, data, len(rows), first_codes, blocks))
        # Without history nothing depends on the model but the windows: members reading
        # the same columns share the result.
        windows, out = self.builder.windows, {}
        ints = seconds.astype(np.int64)
        floats = amount.astype(float) if amount is not None else None
        for i, col in enumerate(customers):
            up = entities[col]
            codes = reader.memo(("codes", up), partial(_codes, reader, up))
            key: tuple[Any, ...] = ("customer", i, up, time_key, amount is None, amount_up)
            make = partial(customer_features, codes, ints, floats, windows, f"customer{i}")
            out.update(reader.made((*key, windows), make))
        delay = self.builder.label_delay_days
        for i, col in enumerate(counterparties):
            up = entities[col]
            codes = reader.memo(("codes", up), partial(_codes, reader, up))
            key = ("counterparty", i, up, time_key, windows, delay)
            made = partial(counterparty_block, self.builder, codes, ints, None, f"counterparty{i}")
            out.update(reader.made(key, made))
        return out


class _Matrix:
    """A member's feature matrix ``(rows, features)`` in the order of ``names``, each
    feature written into it as its block is made (the blocks then let go), Fortran-ordered
    as the stacked columns were."""

    def __init__(self, names: list[str], rows: int) -> None:
        self.names = names
        self.values = np.empty((len(names), rows), dtype=float)
        self.place = {name: j for j, name in enumerate(names)}
        self.written: set[str] = set()

    def put(self, block: Mapping[str, np.ndarray]) -> None:
        """The block's features that the matrix holds, written in their rows."""
        for name, values in block.items():
            at = self.place.get(name)
            if at is not None:
                self.values[at] = values
                self.written.add(name)

    def done(self) -> np.ndarray:
        """The matrix; a ``KeyError`` naming a feature no block made."""
        for name in self.names:
            if name not in self.written:
                raise KeyError(name)
        return self.values.T


def _seconds(reader: ColumnReader, time_key: tuple[Any, ...]) -> np.ndarray:
    """The seconds of the instants ``reader`` keeps under ``time_key``."""
    return seconds_of(reader.instants(*time_key))


def _codes(reader: ColumnReader, column: str | None) -> np.ndarray:
    return first_codes(reader.entities(column))


def first_codes(keys: np.ndarray) -> np.ndarray:
    """:func:`entity_codes` of entity keys (text, ``None`` or NaN where missing)."""
    if len(keys) > _FEW_KEYS:
        return entity_codes(keys)
    seen: dict[str, int] = {}
    codes = []
    for key in keys.tolist():
        if isinstance(key, str):
            codes.append(seen.setdefault(key, len(seen)))
        elif key is None or (isinstance(key, float) and key != key):
            codes.append(-1)
        else:  # a key of another type: let pandas decide what equals what
            return entity_codes(keys)
    return np.asarray(codes, dtype=np.int64)


def _encoding(builder: FeatureBuilder, col: str) -> dict[str, tuple[float, float]]:
    """Category key -> (code, training frequency), as ``FeatureBuilder._encode`` reads it."""
    levels = builder.levels_[col]
    index = {level: i for i, level in enumerate(levels)}
    rare = len(levels)
    return {k: (float(index.get(k, rare)), float(v)) for k, v in builder.frequencies_[col].items()}


def _sources(model: FraudModel) -> tuple[Any, ...]:
    """The objects a :class:`FastModel` is built from: rebuilt when one is replaced."""
    builder = model.features
    return (
        builder,
        getattr(builder, "history_", None),
        getattr(builder, "levels_", None),
        getattr(builder, "frequencies_", None),
        model.estimator,
        model.calibrator,
        model.anomaly,
    )


def compiled(model: FraudModel) -> FastModel:
    """The :class:`FastModel` of ``model``, built on first use and kept on the instance
    (left out when the model is saved)."""
    fast = model.__dict__.get(_CACHE)
    if fast is None or any(a is not b for a, b in zip(fast.sources, _sources(model), strict=True)):
        fast = model.__dict__[_CACHE] = FastModel(model)
    assert isinstance(fast, FastModel)
    return fast


def score_member(
    model: FraudModel,
    reader: ColumnReader,
    mapping: Mapping[str, str],
    upload: Upload,
    *,
    history: bool,
    threads: int = 1,
    keep: np.ndarray | None = None,
    given: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(features, probabilities, anomaly scores or None)`` of one member; of the rows
    ``keep`` names alone, when given (the others are read for their history only);
    ``given``: its counterparty features, made in another cut (:meth:`FastModel.features`)."""
    fast = compiled(model)
    x = fast.features(reader, mapping, upload, history, given)
    if keep is not None:
        x = np.ascontiguousarray(x[keep])
    proba = fast.calibrate(fast.scores(x, threads))
    anomaly = fast.anomaly.score(x) if fast.anomaly is not None else None
    return x, proba, anomaly
