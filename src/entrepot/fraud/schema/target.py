"""Find the fraud label among the columns, and read it as 0/1.

A candidate is a column with exactly two values. Its score (0..1) weighs the name
(``fraud``, ``fraude``, ``label``, ``Class``...: 55 %), values that read as yes/no
(20 %), a plausible fraud rate (15 %) and being the last column (10 %). Without a
label-like name a column scores at most 0.45, under the 0.5 needed to be taken as
the target: better to ask the user than to train on ``is_weekend``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from entrepot.fraud.schema import names
from entrepot.i18n.messages import english
from entrepot.messages import N_, Message, Share

LABEL_THRESHOLD = 0.5
POSITIVE = frozenset(
    {"1", "1.0", "true", "t", "yes", "y", "oui", "o", "fraud", "fraude", "fraudulent"}
    | {"frauduleux", "frauduleuse", "positive", "suspicious", "bad", "chargeback"}
)
NEGATIVE = frozenset(
    {"0", "0.0", "false", "f", "no", "n", "non", "legit", "legitimate", "normal", "genuine"}
    | {"ok", "good", "negative", "clean", "valid", "legitime"}
)


@dataclass(frozen=True)
class TargetCandidate:
    """A column that may be the fraud label, with its score and the reasons for it."""

    column: str
    score: float
    positive: object  # the value that means fraud
    fraud_rate: float
    #: Why it may be the label, each a catalog key and its values.
    said: tuple[Message, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it may be the label, in English (``fraud rate 0.80%``)."""
        return tuple(english(reason) for reason in self.said)

    def to_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "score": round(self.score, 3),
            "positive": _plain(self.positive),
            "fraud_rate": round(self.fraud_rate, 6),
            "reasons": list(self.reasons),
            "reason_messages": [reason.to_json() for reason in self.said],
        }


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _shown(value: object) -> str:
    """A label's value as Python writes it (``True``, ``'oui'``, ``1``), for the reasons."""
    return repr(_plain(value))


def _key(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.number) and float(value).is_integer():
        return str(int(value))
    return str(value).strip().lower()


def positive_value(values: list[object], counts: list[int]) -> tuple[object, bool]:
    """Which of two values means fraud, and whether the values said so themselves."""
    keys = [_key(v) for v in values]
    for i, key in enumerate(keys):
        other = keys[1 - i]
        if key in POSITIVE and other in NEGATIVE:
            return values[i], True
    minority = int(np.argmin(counts))
    return values[minority], False


#: Rows looked at first: a column with three values among them is no label (counting a
#: million rows' values of every column cost half a second of scoring a file).
_PEEK = 1024


#: A column's value counts as ``value_counts(dropna=True)`` gives them for a column of two
#: values (some three of them where it holds more): those of a table too large to be read
#: whole (``fraud.tables.label_counts``).
Counted = Callable[[Hashable], pd.Series]


def score_candidate(
    frame: pd.DataFrame, column: str, counted: Counted | None = None
) -> TargetCandidate | None:
    """Score ``column`` as the fraud label; ``None`` unless it has exactly two values.
    ``counted``: the whole column's counts, where ``frame`` holds its first rows alone."""
    series = frame[column]
    if series.iloc[:_PEEK].nunique(dropna=True) > 2:
        return None  # three values in its first rows: not a label, whatever follows
    counts = series.value_counts(dropna=True) if counted is None else counted(column)
    if len(counts) != 2:
        return None
    values, numbers = list(counts.index), [int(c) for c in counts.to_numpy()]
    positive, readable = positive_value(values, numbers)
    rate = numbers[values.index(positive)] / sum(numbers)
    tokens = names.tokens(column)
    reasons: list[Message] = []
    if names.has_any(tokens, names.TARGET_STRONG):
        name_score = 1.0
        reasons.append(Message(N_("candidate.name_says_label")))
    elif names.has_any(tokens, names.TARGET_WEAK):
        name_score = 0.6
        reasons.append(Message(N_("candidate.name_suggests_flag")))
    else:
        name_score = 0.0
    value_score = 1.0 if readable else 0.3
    shown = {"first": _shown(values[0]), "second": _shown(values[1])}
    said = N_("candidate.values_yes_no") if readable else N_("candidate.values")
    reasons.append(Message(said, shown))
    if 0.0005 <= rate <= 0.2:
        rate_score = 1.0
    elif rate <= 0.5:
        rate_score = 0.5
    else:
        rate_score = 0.2
    reasons.append(Message(N_("candidate.fraud_rate"), {"rate": Share(rate, 2)}))
    last = 1.0 if column == frame.columns[-1] else 0.0
    if last:
        reasons.append(Message(N_("candidate.last_column")))
    score = 0.55 * name_score + 0.2 * value_score + 0.15 * rate_score + 0.1 * last
    return TargetCandidate(column, score, positive, rate, tuple(reasons))


def candidates(
    frame: pd.DataFrame, *, top: int = 3, counted: Counted | None = None
) -> list[TargetCandidate]:
    """The ``top`` best label candidates, best first (``counted``: as
    :func:`score_candidate`)."""
    found = [c for col in frame.columns if (c := score_candidate(frame, col, counted)) is not None]
    found.sort(key=lambda c: (-c.score, list(frame.columns).index(c.column)))
    return found[:top]


def has_label(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` (a table's first rows) holds a label: a candidate taken as the
    target, or a column of at most two values named as a label (its frauds may all lie
    further down)."""
    frame = frame.rename(columns=str)
    if any(c.score >= LABEL_THRESHOLD for c in candidates(frame, top=1)):
        return True
    return any(
        names.has_any(names.tokens(col), names.TARGET_STRONG)
        and 0 < frame[col].nunique(dropna=True) <= 2
        for col in frame.columns
    )


def label_vector(series: pd.Series, positive: object) -> np.ndarray:
    """The label as float 1.0 (fraud) / 0.0 / NaN (missing)."""
    key = _key(positive)
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        numbers = series.astype("float64").to_numpy()
        wanted = {"true": 1.0, "false": 0.0}.get(key, float(key) if _is_number(key) else np.nan)
        hit = numbers == wanted
    else:
        hit = (series.astype("str").str.strip().str.lower() == key).to_numpy(dtype=bool)
    out = np.where(hit, 1.0, 0.0)
    out[series.isna().to_numpy()] = np.nan
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: A column of more values than this is never taken for a label's copy.
_FEW_VALUES = 20
#: The first rows whose values are counted before the column's: past :data:`_FEW_VALUES`
#: among their labelled rows, the column's are not counted.
_FEW_PEEK = 10_000


def leaking_columns(frame: pd.DataFrame, target: str, y: np.ndarray) -> list[str]:
    """Columns whose every value goes with a single class: derived from the label."""
    known = ~np.isnan(y)
    if known.sum() == 0 or np.nanmin(y) == np.nanmax(y):
        return []
    leaks = []
    every = bool(known.all())
    for col in frame.columns:
        if col == target:
            continue
        column = frame[col]
        first = column.iloc[:_FEW_PEEK][known[:_FEW_PEEK]]  # some of the labelled rows
        if first.nunique(dropna=False) > _FEW_VALUES:
            continue  # too many values there: as many or more in all the labelled rows
        values = column if every else column[known]
        if values.nunique(dropna=False) > _FEW_VALUES:
            continue
        classes = pd.Series(y[known]).groupby(_text_keys(values)).nunique()
        if len(classes) > 1 and (classes == 1).all():
            leaks.append(str(col))
    return leaks


def _text_keys(values: pd.Series) -> np.ndarray:
    """Each value's group: values written as the same text share one (a missing value is
    ``<missing>``), found from the column's few distinct values, not by writing every
    row as text (with the grouping: 0.76 → 0.31 CPU-s, a column of 5M rows)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = pd.Series(uniques).astype("str").fillna("<missing>").to_numpy()
    same, _ = pd.factorize(texts)
    keys: np.ndarray = same[codes]
    return keys
