"""Analyse a table before training: column roles, the fraud label, rates and gaps.

``analyze(frame)`` finds the label itself (or takes ``target=``), scores the three best
candidates, reads the fraud rate, counts missing values, flags columns that leak the
label and says, in plain words, what will limit a model trained on this data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from entrepot.fraud.errors import NoTargetFound, SingleClass, TargetNotFound
from entrepot.fraud.schema.roles import COUNTERPARTY, CUSTOMER, EXCLUDED, ColumnProfile, profile
from entrepot.fraud.schema.target import (
    LABEL_THRESHOLD,
    Counted,
    TargetCandidate,
    candidates,
    has_label,
    label_vector,
    leaking_columns,
    score_candidate,
)
from entrepot.fraud.schema.time_choice import choose_time, with_user_roles
from entrepot.fraud.schema.time_counter import time_counter
from entrepot.fraud.tables.bounds import MAX_INFLATED_BYTES
from entrepot.fraud.tables.finite import infinities
from entrepot.fraud.tables.io import read_table
from entrepot.i18n.messages import english
from entrepot.messages import N_, Message, Np_


@dataclass(frozen=True)
class Analysis:
    """What a table holds, as far as fraud detection is concerned."""

    rows: int
    columns: tuple[ColumnProfile, ...]
    target: str | None
    positive: object  # the label value meaning fraud, when labelled
    candidates: tuple[TargetCandidate, ...]
    frauds: int
    unlabelled_rows: int  # rows whose label is missing
    notes: tuple[Message, ...]  # what will limit a model, as catalog keys and values
    time_column: str | None = None  # the date that orders the rows (see time_choice)
    sheet: str | None = None  # the sheet read, from a workbook of several
    other_sheets: tuple[str, ...] = ()  # the workbook's other sheets, in its order

    @property
    def warnings(self) -> tuple[str, ...]:
        """The notes in English."""
        return tuple(english(note) for note in self.notes)

    @property
    def labelled(self) -> bool:
        """Whether a label column was found or given."""
        return self.target is not None

    @property
    def fraud_rate(self) -> float | None:
        """Share of frauds among the rows that have a label."""
        known = self.rows - self.unlabelled_rows
        return self.frauds / known if self.labelled and known else None

    def column(self, name: str) -> ColumnProfile:
        """The profile of column ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def with_role(self, role: str) -> list[str]:
        """Names of the columns with ``role``, in table order."""
        return [c.name for c in self.columns if c.role == role]

    def entities(self, kind: str) -> list[str]:
        """Entity columns of ``kind`` (customer, counterparty or other)."""
        return [c.name for c in self.columns if c.role == "entity" and c.entity_kind == kind]

    @property
    def timestamp(self) -> str | None:
        """The timestamp column that orders the rows in time: the event's date, or the
        user's choice (:func:`~entrepot.fraud.schema.time_choice.choose_time`)."""
        if self.time_column is not None:
            return self.time_column
        found = self.with_role("timestamp")
        return found[0] if found else None

    @property
    def amount(self) -> str | None:
        """The main amount column."""
        found = self.with_role("amount")
        return found[0] if found else None

    @property
    def feature_columns(self) -> list[str]:
        """Columns the features are built from."""
        return [c.name for c in self.columns if c.role not in EXCLUDED]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "rows": self.rows,
            "labelled": self.labelled,
            "target": self.target,
            "positive": _plain(self.positive),
            "fraud_rate": None if self.fraud_rate is None else round(self.fraud_rate, 6),
            "frauds": self.frauds,
            "unlabelled_rows": self.unlabelled_rows,
            "target_candidates": [c.to_dict() for c in self.candidates],
            "columns": [c.to_dict() for c in self.columns],
            "time_column": self.timestamp,
            "warnings": list(self.warnings),
            "warning_messages": [note.to_json() for note in self.notes],
            "sheet": self.sheet,
            "other_sheets": list(self.other_sheets),
        }


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def analyze(
    frame: pd.DataFrame,
    *,
    target: str | None = None,
    time_column: str | None = None,
    entity_columns: Sequence[str] = (),
) -> Analysis:
    """Analyse ``frame``; with ``target`` the label column is the user's choice, with
    ``time_column`` the date that orders the rows, with ``entity_columns`` the customer or
    counterparty keys (they override the guess).

    Raises :class:`TargetNotFound` when ``target`` is not a column, :class:`SingleClass`
    or :class:`NoTargetFound` when it cannot be a binary label. Without ``target`` an
    unlabelled table is not an error: ``labelled`` is then false.
    """
    infinite = infinities(frame)
    frame = frame.rename(columns=str)
    found = candidates(frame)
    positive: object = None
    if target is not None:
        chosen = _user_target(frame, target)
        positive = chosen.positive
    elif found and found[0].score >= LABEL_THRESHOLD:
        target, positive = found[0].column, found[0].positive
    profiles = [profile(frame[col], col) for col in frame.columns]
    profiles = with_user_roles(profiles, frame, time_column, entity_columns)
    chosen_time, time_note = choose_time(profiles, frame, time_column)
    warnings: list[Message] = [] if time_note is None else [time_note]
    frauds = unlabelled = 0
    if target is not None:
        y = label_vector(frame[target], positive)
        frauds, unlabelled = int(np.nansum(y)), int(np.isnan(y).sum())
        leaks = set(leaking_columns(frame, target, y))
        for i, col in enumerate(profiles):
            if col.name == target:
                profiles[i] = replace(col, role="target", why=Message(N_("reason.label")))
            elif col.name in leaks:
                profiles[i] = replace(col, role="leak", why=Message(N_("reason.leak")))
                warnings.append(Message(N_("warning.leak"), {"column": col.name}))
        if unlabelled:
            warnings.append(Message(Np_("warning.unlabelled"), {"count": unlabelled}))
    for column, count in infinite.items():
        warnings.append(Message(Np_("warning.infinite"), {"column": str(column), "count": count}))
    warnings.extend(_gaps(profiles, frame))
    return Analysis(
        rows=len(frame),
        columns=tuple(profiles),
        target=target,
        positive=positive,
        candidates=tuple(found),
        frauds=frauds,
        unlabelled_rows=unlabelled,
        notes=tuple(warnings),
        time_column=chosen_time,
        sheet=_text(frame.attrs.get("sheet")),
        other_sheets=tuple(str(name) for name in frame.attrs.get("other_sheets", ())),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def analyze_file(
    path: str | Path,
    *,
    target: str | None = None,
    time_column: str | None = None,
    entity_columns: Sequence[str] = (),
    sheet: str | int | None = None,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> Analysis:
    """Read a CSV, Parquet or XLSX file (a workbook's ``sheet``, else the sheet holding a
    label and the most rows; refused past ``max_inflated`` decoded bytes, as
    :func:`~entrepot.fraud.tables.io.read_table` refuses it) and analyse it (the options as
    :func:`analyze`)."""
    frame = read_table(path, sheet=sheet, labelled=has_label, max_inflated=max_inflated)
    return analyze(frame, target=target, time_column=time_column, entity_columns=entity_columns)


def _user_target(frame: pd.DataFrame, target: str) -> TargetCandidate:
    if target not in frame.columns:
        raise TargetNotFound(
            f"no column {target!r}; the columns are: {', '.join(map(str, frame.columns))}",
            said=Message(
                N_("error.fraud.no_target_named"),
                {"column": str(target), "columns": ", ".join(map(str, frame.columns))},
            ),
        )
    values = frame[target].dropna().unique()
    if len(values) < 2:
        shown = repr(_plain(values[0])) if len(values) else "nothing but missing values"
        raise SingleClass(
            f"the label {target!r} holds a single class: {shown}",
            said=Message(
                N_("error.fraud.single_class_label"), {"column": str(target), "values": shown}
            ),
        )
    scored = score_candidate(frame, target)
    if scored is None:
        raise NoTargetFound(
            f"column {target!r} has {len(values)} distinct values; a fraud label needs exactly "
            "two (fraud / legitimate)",
            hint="choose a yes/no column, or recode this one as 1 for fraud and 0 otherwise",
            said=Message(
                N_("error.fraud.label_not_two_valued"),
                {"column": str(target), "values": len(values)},
            ),
        )
    return scored


def _gaps(profiles: list[ColumnProfile], frame: pd.DataFrame) -> list[Message]:
    notes = []
    rows = len(frame)
    empty = [c.name for c in profiles if c.role == "empty"]
    if empty:
        notes.append(Message(N_("warning.all_missing"), {"columns": ", ".join(empty)}))
    constant = [c.name for c in profiles if c.role == "constant"]
    if constant:
        notes.append(Message(N_("warning.constant"), {"columns": ", ".join(constant)}))
    sparse = [c.name for c in profiles if c.role != "empty" and c.missing > rows / 2]
    if sparse:
        notes.append(Message(N_("warning.sparse"), {"columns": ", ".join(sparse)}))
    roles = {c.role for c in profiles}
    kinds = {c.entity_kind for c in profiles if c.role == "entity"}
    counter = None if "timestamp" in roles else time_counter(frame, profiles)
    if counter is not None:
        notes.append(Message(N_("warning.time_counter"), {"column": counter[0]}))
    elif "timestamp" not in roles:
        notes.append(Message(N_("warning.no_timestamp")))
    elif not kinds & {CUSTOMER, COUNTERPARTY}:
        notes.append(Message(N_("warning.no_entity")))
    return notes


def require_target(analysis: Analysis) -> str:
    """The analysis's target, or :class:`NoTargetFound` listing the candidates."""
    if analysis.target is not None:
        return analysis.target
    raise _no_clear_target(analysis.candidates)


def label_candidate(
    frame: pd.DataFrame, target: str | None = None, *, counted: Counted | None = None
) -> TargetCandidate:
    """The label :func:`analyze` then :func:`require_target` settle on in ``frame``, with
    its positive value: ``target`` checked as the user's choice, else the clear best
    candidate; raises as they do. A table held on disk in slices hands over its chosen
    column (``target``), else its first rows and ``counted``, its columns' counts added
    slice by slice (``fraud.tables.label_counts``)."""
    frame = frame.rename(columns=str)
    if target is not None:
        return _user_target(frame, target)
    found = candidates(frame, counted=counted)
    if found and found[0].score >= LABEL_THRESHOLD:
        return found[0]
    raise _no_clear_target(found)


def _no_clear_target(found: Sequence[TargetCandidate]) -> NoTargetFound:
    if found:
        listed = "; ".join(
            f"{c.column} (score {c.score:.2f}, fraud rate {c.fraud_rate:.2%})" for c in found
        )
        message = f"no column is clearly the fraud label; two-valued columns found: {listed}"
    else:
        message = "no column is a fraud label: no column has exactly two values"
    return NoTargetFound(
        message,
        said=Message(N_("error.fraud.no_clear_target"), {"candidates": listed if found else "–"}),
    )
