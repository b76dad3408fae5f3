"""Score a table with an ensemble (or one model): one output row per input row.

The output keeps the input order and holds ``row`` (the row's number in the upload, from
1; feedback on a row refers to it), the input's id columns, then
``fraud_probability`` (see ``entrepot.fraud.score.ensemble`` for its calibration),
``prediction`` (1 when the probability reaches the ensemble's threshold), ``risk_level``,
``anomaly_score`` (share of the members' legitimate training rows less unusual than the
row, weighted over members), one ``score_NAME`` column per member (its calibrated
probability) and ``explanation``: the three upload columns that push the row's score up
most, summed over members by weight (contributions of features whose columns the file
lacks are left out: they say nothing about the row), in words with the row's values
(``entrepot.fraud.score.words``). Explanations are computed for the
rows someone will look at, those at ``medium`` risk or above (at most ``explain_limit``,
the most probable first); the other rows get an empty one. Exact tree contributions cost
far more than a prediction, and explaining a row nobody reviews helps nobody.

Risk levels, with ``t`` the threshold: ``low`` under ``t / 2``, ``medium`` under ``t``,
``high`` from ``t``, ``critical`` from ``max(t, 0.5)`` (fraud more likely than not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.match.description import Upload, describe
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.schema.analysis import label_candidate
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.score.column_reader import ColumnReader
from entrepot.fraud.score.ensemble import Ensemble, Member
from entrepot.fraud.score.explain import contributions
from entrepot.fraud.score.file_member import file_score
from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud.score.label_figures import check_classes, measured
from entrepot.fraud.score.numpy_path import score_member
from entrepot.fraud.score.picked_text import picked
from entrepot.fraud.score.row_slices import Sliced, row_slices
from entrepot.fraud.score.words import AmountRatio, amount_ratio, in_parts
from entrepot.fraud.tables.timeparse import parse_times
from entrepot.i18n.messages import english_parts
from entrepot.messages import Message

RISK_LEVELS = ("low", "medium", "high", "critical")
OUTPUT_COLUMNS = ("fraud_probability", "prediction", "risk_level", "anomaly_score")
#: Output names an upload's id column is renamed from (``row (upload)``).
RESERVED = frozenset({"row", *OUTPUT_COLUMNS, "explanation"})
#: Roles whose column an explanation never cites: an identifier, a raw instant or personal
#: data is no reason; what a model derives from them reaches the columns it compares.
NEVER_CITED = frozenset({"id", "entity", "timestamp", "personal"})


def risk_levels(proba: np.ndarray, threshold: float) -> np.ndarray:
    """The risk level of each probability (see the module docstring)."""
    levels: np.ndarray = np.asarray(RISK_LEVELS, dtype=object)[_level_numbers(proba, threshold)]
    return levels


def _level_numbers(proba: np.ndarray, threshold: float) -> np.ndarray:
    """Each probability's risk level's place in :data:`RISK_LEVELS`."""
    cuts = [threshold / 2, threshold, max(threshold, 0.5)]
    found: np.ndarray = np.searchsorted(cuts, proba, side="right")
    return found


def member_frame(
    frame: pd.DataFrame,
    member: Member,
    model: FraudModel,
    upload: Upload,
    parsed: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """The upload's columns under the model's input names; the timestamp parsed with the
    upload's own format, so the model reads instants, whatever its training format.
    ``parsed`` keeps parsed timestamp columns between members."""
    timestamp = model.features.spec.timestamp
    parsed = {} if parsed is None else parsed
    columns = frame[list(member.mapping)].set_axis(list(member.mapping.values()), axis=1)
    for upload_col, model_col in member.mapping.items():
        fmt = upload.time_format(upload_col) if model_col == timestamp else None
        if fmt is not None:
            if upload_col not in parsed:
                parsed[upload_col] = parse_times(frame[upload_col], fmt)
            columns[model_col] = parsed[upload_col]
    return columns


def fast_reads(member: Member, reader: ColumnReader) -> bool:
    """Whether the fast path reads ``member``'s columns as its member frame would: each
    mapped column present, no two feeding one model column."""
    targets = list(member.mapping.values())
    return all(reader.has(c) for c in member.mapping) and len(set(targets)) == len(targets)


def _projection(
    member: Member, model: FraudModel, labels: list[str], cited: frozenset[str]
) -> np.ndarray:
    """``(features, labels)``: each feature's contribution shared among the upload
    columns it is computed from that an explanation may cite (``cited``, less the model's
    own time and entity columns); a feature read from none of them is no reason."""
    spec = model.features.spec
    hidden = {spec.timestamp, *spec.customers, *spec.counterparties}
    inverse = {m: up for up, m in member.mapping.items() if m not in hidden and up in cited}
    position = {label: i for i, label in enumerate(labels)}
    names = model.features.feature_names_
    sources = model.features.sources()
    out = np.zeros((len(names), len(labels)))
    for f, name in enumerate(names):
        cols = [col for col in sources.get(name, ()) if col in inverse]
        for col in cols:
            out[f, position[inverse[col]]] += 1.0 / len(cols)
    return out


def _citable(upload: Upload) -> frozenset[str]:
    """The upload's columns an explanation may name (see :data:`NEVER_CITED`)."""
    return frozenset(c.name for c in upload.analysis.columns if c.role not in NEVER_CITED)


#: Each explained row's explanation as messages, by its position in the scored frame.
Explanations = dict[int, tuple[Message, ...]]


@dataclass(frozen=True, slots=True)
class Candidates:
    """A scored part's rows that its table may explain (its positions, the most probable
    first), each member's feature rows for them, and the part's own rows of them (its
    columns: what an explanation cites), so that the table explains them without being
    held (``entrepot.fraud.score.partitions.candidate_table``)."""

    rows: np.ndarray
    matrices: list[np.ndarray]
    table: pd.DataFrame


def explained_rows(proba: Sliced, threshold: float, limit: int) -> np.ndarray:
    """The positions a table explains: its ``limit`` most probable rows at or above half
    the ``threshold``, the most probable first (ties in row order). ``proba``: an array, or
    read a slice at a time (the best ``limit`` kept from slice to slice, ADR 0136)."""
    rows, best = np.zeros(0, dtype=np.intp), np.zeros(0)
    for start, some in row_slices(proba):
        mine = np.flatnonzero(some >= threshold / 2)
        rows = np.concatenate([rows, mine + start])  # after the rows kept: ties in row order
        best = np.concatenate([best, some[mine]])
        order = np.argsort(-best, kind="stable")[:limit]
        rows, best = rows[order], best[order]
    return rows


def explain_rows(
    frame: pd.DataFrame,
    rows: np.ndarray,
    matrices: list[np.ndarray],
    ensemble: Ensemble,
    upload: Upload,
) -> list[tuple[Message, ...]]:
    """Each of ``rows`` (positions in ``frame``) explained: the columns pushing its score
    up, from each member's ``matrices`` (its feature rows for ``rows``, in their order)
    weighted as the ensemble weighs them."""
    frame, upload = _prepared(frame, upload)
    labels = frame.columns.tolist()
    pushed = np.zeros((len(rows), len(labels)))
    ratio: AmountRatio | None = None
    cited = _citable(upload)
    for member, model, x in zip(ensemble.members, ensemble.models, matrices, strict=True):
        share = contributions(model, x) @ _projection(member, model, labels, cited)
        pushed += member.weight * share
        ratio = ratio or amount_ratio(
            model.features.feature_names_, x, _upload_amount(member, model)
        )
    categories = frozenset(upload.analysis.with_role("categorical"))
    return in_parts(frame, rows, pushed, labels, ratio, categories=categories)


def score(
    frame: pd.DataFrame,
    ensemble: Ensemble,
    *,
    upload: Upload | None = None,
    explain: bool = True,
    explain_limit: int = 10_000,
    threads: int = 1,
    fast: bool = True,
    explained: Explanations | None = None,
    known: KnownLabels | None = None,
    keep: np.ndarray | None = None,
    deferred: list[Candidates] | None = None,
    given: Sequence[Mapping[str, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """Score every row of ``frame`` (see the module docstring for the columns); the
    ``explanation`` column is in English, and ``explained``, when given, receives each
    explained row's explanation as messages.

    ``known``: the labels known so far (``entrepot.fraud.score.known_labels``), read by the
    members whose features use past labels, each row only those older than the delay.

    ``threads``: threads of the boosting libraries' predictions; more than one pays on
    large files when the cores are free (OpenMP threads that wait for a busy core make
    prediction many times slower). ``fast=False`` takes the general path (a pandas frame
    per member, the models' own methods) instead of ``entrepot.fraud.score.numpy_path``: the
    same scores, slower; the reference the fast path is tested and measured against.

    ``keep``: the positions of the rows to score, in order, when not all (the others are
    read as their entities' history alone: ``entrepot.fraud.score.partitions``); not with
    ``known``.
    ``deferred``: where the rows to explain are not explained here but appended, with
    their feature rows, as :class:`Candidates` (a part of a table, explained once over the
    whole table: ``entrepot.fraud_service.pipeline.partitioned``).
    ``given``: each member's counterparty features for ``frame``'s rows, made in another
    cut of the table (``entrepot.fraud.score.counterparty_cut.counterparty_columns``); every
    member then takes the fast path.
    """
    frame, upload = _prepared(frame, upload)
    weights = ensemble.weights
    threshold = ensemble.threshold
    probs, anomalies, matrices = _run_members(
        frame, ensemble, upload, threads, fast, known, keep, given
    )
    own = None
    if ensemble.file_weight > 0:  # fitted on the rows given, kept rows read after
        own = file_score(frame, upload)
    if keep is not None:
        frame = frame.take(keep).reset_index(drop=True)
        own = None if own is None else np.asarray(own)[keep]
    n = len(frame)
    proba = ensemble.pool(probs, own)
    reasons: list[str] = []
    parts: Explanations = {} if explained is None else explained
    rows = explained_rows(proba, threshold, explain_limit) if explain else np.zeros(0, np.intp)
    if len(rows) and deferred is not None:  # the caller explains, over the whole table
        table = frame.take(rows).reset_index(drop=True)
        deferred.append(Candidates(rows, [x[rows] for x in matrices], table))
    elif len(rows):
        found = explain_rows(frame, rows, [x[rows] for x in matrices], ensemble, upload)
        parts.update(zip(rows.tolist(), found, strict=True))
        reasons = [english_parts(said) for said in found]
    known = ~np.isnan(anomalies)
    anomaly_weight = (weights[:, None] * known).sum(axis=0)
    with np.errstate(invalid="ignore"):
        anomaly = np.where(
            anomaly_weight > 0,
            (weights[:, None] * np.nan_to_num(anomalies)).sum(axis=0) / anomaly_weight,
            np.nan,
        )
    out: dict[str, Any] = {"row": np.arange(1, n + 1)}
    for col in upload.id_columns:
        out[col if col not in RESERVED else f"{col} (upload)"] = frame[col]
    out["fraud_probability"] = proba
    out["prediction"] = (proba >= threshold).astype(np.int8)
    out["risk_level"] = picked(RISK_LEVELS, _level_numbers(proba, threshold))
    out["anomaly_score"] = anomaly
    for i, member in enumerate(ensemble.members):
        out[member.column] = probs[i]
    at = np.zeros(n, dtype=np.int32)  # the empty text but on the rows explained here
    at[rows[: len(reasons)]] = np.arange(1, len(reasons) + 1)
    out["explanation"] = picked(["", *reasons], at)
    return pd.DataFrame(out, copy=False)


def _prepared(frame: pd.DataFrame, upload: Upload | None) -> tuple[pd.DataFrame, Upload]:
    """``frame`` with string column names and a range index, and its description."""
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    return frame, upload if upload is not None else describe(frame)


def _run_members(
    frame: pd.DataFrame,
    ensemble: Ensemble,
    upload: Upload,
    threads: int,
    fast: bool,
    known: KnownLabels | None = None,
    keep: np.ndarray | None = None,
    given: Sequence[Mapping[str, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Each member's probabilities and anomaly scores ``(members, rows)`` (NaN where a
    member has no anomaly model) and feature matrices; a member whose features read past
    labels reads ``known``'s, each row only those older than the delay; of the rows
    ``keep`` names alone, when given; with the counterparty features ``given``."""
    if (keep is not None or given is not None) and known is not None:
        raise ValueError("known labels are read over the whole table: no keep, none given")
    n, k = len(frame) if keep is None else len(keep), len(ensemble.members)
    probs = np.zeros((k, n))
    anomalies = np.full((k, n), np.nan)
    matrices = []
    parsed: dict[str, pd.Series] = {}
    shared = len(ensemble.members) > 1
    reader = ColumnReader(frame, shared=shared) if fast and frame.columns.is_unique else None
    for i, (member, model) in enumerate(zip(ensemble.members, ensemble.models, strict=True)):
        if known is not None and reads_labels(model):
            # Not ``labels``: that name holds the upload's columns the explanations read.
            inputs, read = known.joined(frame, list(member.mapping))
            inputs = member_frame(inputs, member, model, upload, {})
            x = model.feature_matrix(inputs, history=member.history, labels=read)
            x = np.ascontiguousarray(x[known.history_rows :])
            probs[i] = model.proba_of_features(x, threads=threads)
            if model.anomaly is not None:
                anomalies[i] = model.anomaly.score(x)
        elif reader is not None and fast_reads(member, reader):
            x, probs[i], anomaly = score_member(
                model,
                reader,
                member.mapping,
                upload,
                history=member.history,
                threads=threads,
                keep=keep,
                given=None if given is None else given[i],
            )
            if anomaly is not None:
                anomalies[i] = anomaly
        elif given is not None:
            raise ValueError("counterparty features are given to the fast path alone")
        else:
            inputs = member_frame(frame, member, model, upload, parsed)
            x = model.feature_matrix(inputs, history=member.history)
            x = x if keep is None else np.ascontiguousarray(x[keep])
            probs[i] = model.proba_of_features(x, threads=threads)
            if model.anomaly is not None:
                anomalies[i] = model.anomaly.score(x)
        matrices.append(x)
    return probs, anomalies, matrices


def member_scores(
    frame: pd.DataFrame,
    ensemble: Ensemble,
    *,
    upload: Upload | None = None,
    threads: int = 1,
    known: KnownLabels | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's calibrated probabilities and anomaly scores on ``frame``, both
    ``(members, rows)`` (NaN anomalies for a member without an anomaly model); the
    members whose features read past labels read ``known``'s, as :func:`score`."""
    frame, upload = _prepared(frame, upload)
    probs, anomalies, _ = _run_members(frame, ensemble, upload, threads, True, known)
    return probs, anomalies


def reads_labels(model: FraudModel) -> bool:
    """Whether known labels change ``model``'s features (a counterparty's fraud rate):
    the members :func:`score` gives ``known`` to."""
    spec = model.features.spec
    return model.features.uses_labels and spec.timestamp is not None and bool(spec.counterparties)


def _upload_amount(member: Member, model: FraudModel) -> str | None:
    """The upload column ``member`` reads as its model's amount."""
    amount = model.features.spec.amount
    return next((up for up, col in member.mapping.items() if col == amount), None)


def evaluate_frame(
    frame: pd.DataFrame,
    ensemble: Ensemble,
    *,
    target: str | None = None,
    upload: Upload | None = None,
    scored: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Score a labelled table and measure the scores against its labels (``upload``: the
    description of the table without its label, if already made; ``scored``: its scores
    without explanations, if already made, as :func:`score` gives them)."""
    candidate = label_candidate(frame, target)  # the analysis's label, not the analysis
    label = candidate.column
    y = label_vector(frame[label], candidate.positive)
    check_classes(label, y)
    found = (
        scored
        if scored is not None
        else score(frame.drop(columns=[label]), ensemble, upload=upload, explain=False)
    )
    proba = found["fraud_probability"].to_numpy()
    return measured(label, y, proba, lambda name: found[name].to_numpy(), ensemble)
