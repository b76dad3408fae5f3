"""Turn a transaction table into model features, the same way at training and scoring time.

:class:`FeatureBuilder` is a scikit-learn transformer built from column roles:

* time: hour (with minutes), hour and weekday on the circle, day of month, weekend and
  night (0-6 h) flags, from the timestamp parsed with the format found at analysis;
* categories: a code per level among the most frequent levels learnt at fit time (rarer
  seen levels share one code, unseen ones get -1) and the level's training frequency;
* numbers and the amount (also as log1p) as they are;
* behaviour per customer and counterparty over past windows (``entrepot.fraud.model.behaviour``).

Missing values stay NaN. At scoring time the behaviour features see the training data's
tail (``history_``) first: a customer's 30-day count does not restart at zero in a file.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from entrepot.fraud.model.behaviour import DAY
from entrepot.fraud.model.column_reader import ColumnReader
from entrepot.fraud.model.entity_features import behaviour_of
from entrepot.fraud.model.time_parts import TIME_PARTS as _TIME_PARTS
from entrepot.fraud.model.time_parts import time_part_items
from entrepot.fraud.schema.analysis import Analysis
from entrepot.fraud.schema.roles import COUNTERPARTY, CUSTOMER, OTHER
from entrepot.fraud.tables.timeparse import MISSING_SECONDS, epoch_seconds, parse_times, seconds_of
from entrepot.fraud.tables.values import entity_keys, factorised_keys
from entrepot.spilled_rows import spillable_empty

_NAT = MISSING_SECONDS


@dataclass(frozen=True)
class FeatureSpec:
    """Which input columns feed which features."""

    timestamp: str | None = None
    time_format: str | None = None
    amount: str | None = None
    customers: tuple[str, ...] = ()
    counterparties: tuple[str, ...] = ()
    categoricals: tuple[str, ...] = ()
    numerics: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_analysis(cls, analysis: Analysis) -> FeatureSpec:
        """The spec for the roles found by :func:`entrepot.fraud.schema.analysis.analyze`."""
        ts = analysis.timestamp
        cats = analysis.with_role("categorical") + analysis.with_role("boolean")
        cats += analysis.entities(OTHER)
        amount = analysis.amount
        numerics = analysis.with_role("numeric") + analysis.with_role("amount")
        return cls(
            timestamp=ts,
            time_format=analysis.column(ts).time_format if ts else None,
            amount=amount,
            customers=tuple(analysis.entities(CUSTOMER)[:2]),
            counterparties=tuple(analysis.entities(COUNTERPARTY)[:2]),
            categoricals=tuple(c for c in analysis.feature_columns if c in cats),
            numerics=tuple(c for c in analysis.feature_columns if c in numerics and c != amount),
        )

    def without(self, columns: set[str]) -> FeatureSpec:
        """This spec reading none of ``columns`` (an entity or the time left out drops
        the features made from it)."""
        if not columns:
            return self

        def kept(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(c for c in names if c not in columns)

        return FeatureSpec(
            timestamp=None if self.timestamp in columns else self.timestamp,
            time_format=None if self.timestamp in columns else self.time_format,
            amount=None if self.amount in columns else self.amount,
            customers=kept(self.customers),
            counterparties=kept(self.counterparties),
            categoricals=kept(self.categoricals),
            numerics=kept(self.numerics),
        )

    @property
    def input_columns(self) -> list[str]:
        """Every column the features read, without duplicates."""
        cols = [self.timestamp, self.amount, *self.customers, *self.counterparties]
        cols += [*self.categoricals, *self.numerics]
        return list(dict.fromkeys(c for c in cols if c))


def _relevant(
    history: pd.DataFrame, rows: dict[str, np.ndarray], entities: tuple[str, ...]
) -> pd.DataFrame:
    """The history rows of the entities that ``rows`` mention: each entity's features
    depend on its own rows only, so the others can be left out."""
    keep = np.zeros(len(history), dtype=bool)
    for col in entities:
        wanted = pd.unique(pd.Series(rows[col]).dropna())
        keep |= history[col].isin(wanted).to_numpy()
    return history[keep]


def _all_made(names: dict[str, int], made: set[str]) -> None:
    """Raise unless every feature of ``names`` was made (an unfilled column of an empty
    matrix would hold whatever the memory held)."""
    missing = [name for name in names if name not in made]
    if missing:
        raise ValueError("features not made: " + ", ".join(missing))


class FeatureBuilder(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Features from column roles; fit on training rows, reused unchanged at scoring."""

    #: Builders saved before the option existed read past labels.
    label_features: bool = True
    #: Rows read labels this many days old at least (the card's replay); ``None``: the delay.
    label_horizon_days: float | None = None

    def __init__(
        self,
        spec: FeatureSpec,
        windows: tuple[int, ...] = (1, 7, 30),
        label_delay_days: int = 7,
        max_levels: int = 50,
        label_features: bool = True,
    ) -> None:
        self.spec = spec
        self.windows = windows
        self.label_delay_days = label_delay_days
        self.max_levels = max_levels
        self.label_features = label_features

    @property
    def uses_labels(self) -> bool:
        """Whether past labels feed features (a counterparty's recent fraud rate); a model
        meant for unlabelled files is trained without them, as it will be applied."""
        return bool(self.label_features)

    # -- fitting -----------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, y: np.ndarray | None = None) -> FeatureBuilder:
        """Learn the category levels and frequencies; remember the behaviour history."""
        self.levels_: dict[str, list[str]] = {}
        self.frequencies_: dict[str, dict[str, float]] = {}
        for col in self.spec.categoricals:
            positions, keys = factorised_keys(self._column(frame, col))
            present = positions[positions >= 0]
            counts = pd.Series(np.asarray(keys, dtype=object)[present]).value_counts()
            self.levels_[col] = [str(v) for v in counts.index[: self.max_levels]]
            self.frequencies_[col] = {str(k): v / max(len(frame), 1) for k, v in counts.items()}
        self.history_: pd.DataFrame | None = None
        self.remember(frame, y)
        self.feature_names_: list[str] = list(self._build(frame.head(0), None, None).columns)
        return self

    def remember(self, frame: pd.DataFrame, y: np.ndarray | None) -> None:
        """Keep the last ``max(windows) + label_delay_days`` days of ``frame`` for scoring."""
        if not self._has_behaviour:
            self.history_ = None
            return
        column = functools.partial(self._column, frame)
        hist = pd.DataFrame(self._behaviour_inputs(column, self._times(frame)))
        hist["__label"] = np.nan if y is None or not self.uses_labels else np.asarray(y, float)
        ok = hist["__seconds"] != _NAT
        if ok.any():
            horizon = (max(self.windows) + self.label_delay_days) * DAY
            ok &= hist["__seconds"] >= hist.loc[ok, "__seconds"].max() - horizon
        self.history_ = hist[ok].reset_index(drop=True)

    # -- transforming ------------------------------------------------------------------
    def transform(self, frame: pd.DataFrame, *, history: bool = True) -> pd.DataFrame:
        """Features of new rows (labels unknown), seen after the remembered history.

        ``history=False`` ignores the training tail: for rows of other customers and
        terminals than the training data's (a reference model applied to a new file),
        whose ids would otherwise be confused with the training data's.
        """
        return self._build(frame, None, self.history_ if history else None)

    def transform_labelled(self, frame: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
        """Features of rows whose labels are known, each seeing labels older than the delay.

        Used on the whole training table: the history is the table itself.
        """
        return self._build(frame, np.asarray(y, dtype=float), None)

    def seconds(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Each row's epoch seconds (int64 minimum where missing); ``None``: no time read."""
        if self.spec.timestamp is None:
            return None
        assert self.spec.time_format is not None
        return epoch_seconds(self._column(frame, self.spec.timestamp), self.spec.time_format)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The names of the output columns."""
        return np.asarray(self.feature_names_, dtype=object)

    def sources(self) -> dict[str, tuple[str, ...]]:
        """Each output feature and the input columns it is computed from."""
        spec = self.spec
        time = (spec.timestamp,) if spec.timestamp else ()
        amount = (spec.amount,) if spec.amount else ()
        found: dict[str, tuple[str, ...]] = {}
        for name in self.feature_names_:
            if name in _TIME_PARTS:
                found[name] = time
            elif name in ("amount", "amount_log"):
                found[name] = amount
            elif name in spec.numerics:
                found[name] = (name,)
            elif name.endswith(("__code", "__freq")):
                found[name] = (name.rsplit("__", 1)[0],)
            elif name.startswith("customer") and "_" in name:
                entity = spec.customers[int(name.split("_", 1)[0][len("customer") :])]
                extra = amount if "amount" in name else ()
                found[name] = (entity, *time, *extra)
            elif name.startswith("counterparty") and "_" in name:
                entity = spec.counterparties[int(name.split("_", 1)[0][len("counterparty") :])]
                found[name] = (entity, *time)
            else:  # pragma: no cover - every feature is made above
                raise ValueError(f"feature {name!r} has no known source")
        return found

    def missing_columns(self, frame: pd.DataFrame) -> list[str]:
        """Input columns the features need that ``frame`` lacks (they are read as missing)."""
        return [c for c in self.spec.input_columns if c not in frame.columns]

    # -- internals ---------------------------------------------------------------------
    @property
    def _has_behaviour(self) -> bool:
        spec = self.spec
        return spec.timestamp is not None and bool(spec.customers or spec.counterparties)

    @staticmethod
    def _column(frame: pd.DataFrame, col: str) -> pd.Series:
        if col in frame.columns:
            return frame[col]
        return pd.Series(np.nan, index=frame.index, dtype="float64")

    def _times(self, frame: pd.DataFrame) -> pd.Series:
        return self._times_of(functools.partial(self._column, frame))

    def _times_of(self, column: Callable[[str], pd.Series]) -> pd.Series:
        spec = self.spec
        assert spec.timestamp is not None
        assert spec.time_format is not None
        return parse_times(column(spec.timestamp), spec.time_format)

    def _behaviour_inputs(
        self, column: Callable[[str], pd.Series], times: pd.Series
    ) -> dict[str, np.ndarray]:
        spec = self.spec
        data = {"__seconds": seconds_of(times)}
        if spec.amount:
            amount = pd.to_numeric(column(spec.amount), errors="coerce")
            data["__amount"] = amount.to_numpy(dtype=float)
        for col in (*spec.customers, *spec.counterparties):
            data[col] = entity_keys(column(col))
        return data

    def matrix(
        self,
        frame: pd.DataFrame,
        *,
        history: bool = True,
        labels: np.ndarray | None = None,
        rows: np.ndarray | None = None,
        consume: bool = False,
    ) -> np.ndarray:
        """:meth:`transform` as a float array ``(rows, features)``, in Fortran order (each
        feature contiguous). ``labels``: those known of the rows (1.0, 0.0, NaN), read by
        later rows once older than the label delay. ``rows``: only those rows of
        ``frame``, in this order, in C order (as the boosting libraries read it without a
        copy); every row is still read for their features. ``consume``: each column is
        dropped from ``frame`` once read for the last time (a table handed over:
        :mod:`entrepot.fraud.tables.handed`)."""
        place = {name: j for j, name in enumerate(self.feature_names_)}
        pieces = self._pieces(frame, labels, self.history_ if history else None, consume)
        # each feature written where it goes as soon as it is made, and then freed
        made: set[str] = set()
        if rows is not None:
            rows = np.asarray(rows, dtype=np.intp)
            if len(rows) and (rows.min() < 0 or rows.max() >= len(frame)):  # never clipped
                raise IndexError(f"rows outside the table's {len(frame)} rows")
            picked = spillable_empty((len(rows), len(place)))  # its test rows spilled later
            for name, values in pieces:  # gathered straight into its column (no copy)
                np.take(values, rows, out=picked[:, place[name]], mode="clip")
                made.add(name)
                del values  # not held while the next is made
            _all_made(place, made)
            return picked
        out = np.empty((len(place), len(frame)), dtype=float)
        for name, values in pieces:
            out[place[name]] = values
            made.add(name)
            del values
        _all_made(place, made)
        return out.T

    def _build(
        self, frame: pd.DataFrame, labels: np.ndarray | None, history: pd.DataFrame | None
    ) -> pd.DataFrame:
        return pd.DataFrame(dict(self._pieces(frame, labels, history)), index=frame.index)

    def _pieces(
        self,
        frame: pd.DataFrame,
        labels: np.ndarray | None,
        history: pd.DataFrame | None,
        consume: bool = False,
    ) -> Iterator[tuple[str, np.ndarray]]:
        """Each feature of ``frame``'s rows as float64, one after the other (a group of
        features at a time is computed; none is kept once given). ``consume``: each column
        is dropped after its last read, the behaviour features' inputs (compact arrays)
        are read first and the time features made after the columns' own, so that the
        table's text columns are gone first and the time features' arrays never meet
        them (a training's peak: the matrix places each feature by its name)."""
        spec = self.spec
        column = ColumnReader(frame, self._column, self._reads() if consume else None)
        times = self._times_of(column) if spec.timestamp else None
        behaves = self._has_behaviour and times is not None
        inputs = self._behaviour_inputs(column, times) if behaves and consume else None
        timed = () if times is None else time_part_items(times.to_numpy(dtype="datetime64[s]"))
        if not consume:
            yield from timed
        if spec.amount:
            amount = pd.to_numeric(column(spec.amount), errors="coerce").to_numpy(float)
            yield "amount", amount
            yield "amount_log", np.log1p(np.clip(amount, 0, None))
            del amount
        for col in spec.numerics:
            yield col, pd.to_numeric(column(col), errors="coerce").to_numpy(float)
        for col in spec.categoricals:
            yield from self._encode(col, column(col)).items()
        yield from timed  # consumed: made here (else made already, nothing left)
        if behaves and times is not None:
            if inputs is None:
                inputs = self._behaviour_inputs(column, times)
            del times
            yield from self._behaviour(inputs, labels, history)

    def _reads(self) -> Counter[str]:
        """How many times :meth:`_pieces` reads each input column."""
        spec = self.spec
        reads: Counter[str] = Counter(spec.numerics + spec.categoricals)
        if spec.timestamp:
            reads[spec.timestamp] += 1
        if spec.amount:
            reads[spec.amount] += 1
        if self._has_behaviour:
            reads.update((*spec.customers, *spec.counterparties))
            if spec.amount:
                reads[spec.amount] += 1
        return reads

    def _encode(self, col: str, series: pd.Series) -> dict[str, np.ndarray]:
        positions, keys = factorised_keys(series)  # the distinct values encoded, then spread
        if not keys:
            empty = np.full(len(series), np.nan)
            return {f"{col}__code": empty, f"{col}__freq": empty.copy()}
        freq = self.frequencies_[col]
        levels = self.levels_[col]
        index = {level: i for i, level in enumerate(levels)}
        rare = len(levels)  # seen at fit, but not among the most frequent levels
        unique_freq = np.asarray([freq.get(k, 0.0) for k in keys], dtype=float)
        unique_codes = np.asarray(
            [index.get(k, rare if k in freq else -1) for k in keys], dtype=float
        )
        present = positions >= 0
        safe = np.where(present, positions, 0)
        codes = np.where(present, unique_codes[safe], np.nan)
        frequency = np.where(present, unique_freq[safe], np.nan)
        return {f"{col}__code": codes, f"{col}__freq": frequency}

    def _behaviour(
        self,
        frame: dict[str, np.ndarray],
        labels: np.ndarray | None,
        history: pd.DataFrame | None,
    ) -> Iterator[tuple[str, np.ndarray]]:
        spec = self.spec
        rows = len(frame["__seconds"])
        known = labels is not None and self.uses_labels
        frame["__label"] = np.asarray(labels, float) if known else np.full(rows, np.nan)
        start = 0
        if history is not None and len(history):
            history = _relevant(history, frame, (*spec.customers, *spec.counterparties))
            start = len(history)
            frame = {k: np.concatenate([history[k].to_numpy(), v]) for k, v in frame.items()}
        return behaviour_of(self, frame, start)
