"""Match an uploaded table to the reference models whose inputs it can feed.

A :class:`ReferenceIndex` holds every reference schema as numpy arrays, built once; the
columns of all references are deduplicated into unique signatures. A reference's score
under a one-to-one mapping ``u(c)`` of its columns to the upload's is::

    0.75 * sum_c weight_c * sim(c, u(c))  +  0.25 * sum_c sim(c, u(c)) / upload columns

the importance-weighted share of the model's inputs that the upload supplies (weights
are half equal shares, half the model's importance shares), and the share of the upload
the model reads. For an upload, the similarity of each unique model column to each
upload column is computed once (``entrepot.fraud.match.similarity``), and each column's best
value bounds every reference's score from above in one gather over the references. The
exact mapping (an assignment problem) is then solved for the best bounds only, until no
remaining bound can enter the top 3: the result is exact, and 10,000 references take a
few milliseconds.

A reference is a candidate when its score reaches :data:`MATCH_THRESHOLD`: unrelated
schemas score near 0 (unrelated names give no evidence), a renamed copy of a reference's
schema near 1 (``bench/fraud.py`` measures the separation).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from entrepot.fraud.match.signature import ColumnSignature
from entrepot.fraud.match.similarity import (
    MIN_CONFIDENCE,
    ModelColumns,
    NameSpace,
    popcount,
    reason,
    role_code,
    scale_for_matching,
)

#: A reference whose score reaches this is offered as a match.
MATCH_THRESHOLD = 0.5
MODEL_SHARE, UPLOAD_SHARE = 0.75, 0.25


@dataclass(frozen=True)
class ColumnMatch:
    """One upload column feeding one model input column."""

    upload: str
    model: str
    confidence: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "upload": self.upload,
            "model": self.model,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Match:
    """How well one reference fits the upload, and the column mapping to apply it."""

    reference: str
    score: float
    model_coverage: float  # importance-weighted share of model inputs supplied
    upload_share: float  # share of the upload's usable columns the model reads
    columns: tuple[ColumnMatch, ...]
    missing: tuple[str, ...]  # model inputs the upload does not supply
    unused: tuple[str, ...]  # upload columns the model does not read

    @property
    def mapping(self) -> dict[str, str]:
        """Upload column -> model input column."""
        return {c.upload: c.model for c in self.columns}

    def explain(self) -> str:
        """One readable paragraph on the match."""
        pairs = ", ".join(
            f"{c.upload} -> {c.model} ({c.confidence:.2f}, {c.reason})" for c in self.columns
        )
        text = (
            f"{self.reference}: score {self.score:.2f}; the upload supplies "
            f"{self.model_coverage:.0%} of what the model relies on and the model reads "
            f"{self.upload_share:.0%} of the upload. Mapped: {pairs or 'nothing'}."
        )
        if self.missing:
            text += f" Missing model inputs (read as missing values): {', '.join(self.missing)}."
        if self.unused:
            text += f" Unused upload columns: {', '.join(self.unused)}."
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "score": round(self.score, 4),
            "model_coverage": round(self.model_coverage, 4),
            "upload_share": round(self.upload_share, 4),
            "columns": [c.to_dict() for c in self.columns],
            "missing": list(self.missing),
            "unused": list(self.unused),
            "explanation": self.explain(),
        }


@dataclass(frozen=True)
class MatchResult:
    """The candidates above the threshold (best first) and the best ones below it."""

    candidates: tuple[Match, ...]
    below: tuple[Match, ...]
    threshold: float
    references: int
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "references": self.references,
            "seconds": round(self.seconds, 6),
            "candidates": [m.to_dict() for m in self.candidates],
            "best_below_threshold": [m.to_dict() for m in self.below],
        }


class ReferenceIndex:
    """Every reference schema as arrays, for :meth:`match`."""

    def __init__(self, names: Sequence[str], schemas: Sequence[Sequence[ColumnSignature]]):
        if len(names) != len(schemas):
            raise ValueError("one schema per reference name")
        self.names = list(names)
        self.schemas = [tuple(s) for s in schemas]
        width = max((len(s) for s in self.schemas), default=0) or 1
        unique: dict[tuple[str, str, float, int], int] = {}
        ids = np.zeros((len(self.schemas), width), dtype=np.int64)
        weights = np.zeros((len(self.schemas), width), dtype=np.float32)
        for r, schema in enumerate(self.schemas):
            ids[r, :] = -1
            share = _blended_weights(schema)
            for k, col in enumerate(schema):
                key = (col.name, col.role, round(scale_for_matching(col), 2), col.values)
                ids[r, k] = unique.setdefault(key, len(unique))
                weights[r, k] = share[k]
        keys = list(unique)
        self._columns = keys
        self._names = NameSpace(sorted({k[0] for k in keys}))
        position = {name: i for i, name in enumerate(self._names.names)}
        self._position = position
        self._model_columns = ModelColumns(
            roles=np.asarray([role_code(k[1]) for k in keys], dtype=np.int64),
            scales=np.asarray([k[2] for k in keys], dtype=np.float32),
            bits=np.asarray([k[3] for k in keys], dtype=np.uint64),
            name_of=np.asarray([position[k[0]] for k in keys], dtype=np.int64),
        )
        self._ids = np.where(ids < 0, len(keys), ids)  # padding points at an all-zero row
        self._weights = weights

    def __len__(self) -> int:
        return len(self.names)

    def similarities(
        self, upload: Sequence[ColumnSignature]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Similarities of every unique model column to each upload column ``(C + 1, U)``
        (the last row, all zeros, is the padding), each one's best ``(C + 1,)``, and the
        name similarities ``(unique model column names, U)`` they came from."""
        names = self._names.similarity([c.name for c in upload])
        per_column, best = self._model_columns.against(names, upload)
        padded = np.vstack([per_column, np.zeros((1, len(upload)), dtype=np.float32)])
        return padded, np.append(best, np.float32(0.0)), names

    def bounds(self, best: np.ndarray, upload_columns: int) -> np.ndarray:
        """Upper bounds of every reference's score from each unique column's ``best``.

        Each model column takes its best upload column; the upload share is bounded by
        the sum of those best values (one-to-one pairs cannot exceed it) over the upload
        columns.
        """
        gathered = best[self._ids]  # (R, K)
        model = np.einsum("rk,rk->r", gathered, self._weights)
        upload = np.minimum(gathered.sum(axis=1), upload_columns) / upload_columns
        bounds: np.ndarray = MODEL_SHARE * model + UPLOAD_SHARE * upload
        return bounds

    def match(
        self,
        upload: Sequence[ColumnSignature],
        *,
        top: int = 3,
        threshold: float = MATCH_THRESHOLD,
        keep_below: int = 3,
    ) -> MatchResult:
        """The ``top`` references scoring at least ``threshold``, best first, with their
        exact mappings; ``keep_below`` of the best others are kept to explain a refusal."""
        began = time.perf_counter()
        if not upload or not self.names:
            return MatchResult((), (), threshold, len(self.names), time.perf_counter() - began)
        columns, best, names = self.similarities(upload)
        bounds = self.bounds(best, len(upload))
        order = _descending(bounds)
        above: list[tuple[float, int]] = []  # (-score, reference), best first
        below: list[tuple[float, int]] = []
        for r in order:
            bound = float(bounds[r])
            if len(above) >= top and -above[top - 1][0] >= bound:
                break
            if bound < threshold and len(below) >= keep_below:
                break
            value = self._assign(r, columns[self._ids[r]], len(upload))[0]
            bisect.insort(above if value >= threshold else below, (-value, r))
        exact = [self._exact(r, columns[self._ids[r]], names, upload) for _, r in above[:top]]
        rest = [self._exact(r, columns[self._ids[r]], names, upload) for _, r in below[:keep_below]]
        seconds = time.perf_counter() - began
        return MatchResult(tuple(exact), tuple(rest), threshold, len(self.names), seconds)

    def _assign(
        self, r: int, sims: np.ndarray, upload_columns: int
    ) -> tuple[float, float, float, np.ndarray, np.ndarray]:
        """Reference ``r``'s exact score under its best one-to-one mapping: the score, the
        model coverage, the upload share, and the paired rows and columns of ``sims``."""
        k = len(self.schemas[r])
        sims = sims[:k]
        rows, cols = linear_sum_assignment(sims, maximize=True)
        values = sims[rows, cols].astype(np.float64)
        keep = values >= MIN_CONFIDENCE
        rows, cols, values = rows[keep], cols[keep], values[keep]
        model = float(values @ self._weights[r, rows].astype(np.float64))
        upload_share = float(values.sum() / upload_columns)
        score = min(MODEL_SHARE * model + UPLOAD_SHARE * upload_share, 1.0)
        return score, model, upload_share, rows, cols

    def _exact(
        self, r: int, sims: np.ndarray, names: np.ndarray, upload: Sequence[ColumnSignature]
    ) -> Match:
        schema = self.schemas[r]
        score, model, upload_share, rows, cols = self._assign(r, sims, len(upload))
        pairs = []
        for i, j in sorted(zip(rows.tolist(), cols.tolist(), strict=True)):
            ref, up = schema[i], upload[j]
            name_sim = float(names[self._position[ref.name], j])
            both = popcount(np.asarray([ref.values & up.values], dtype=np.uint64))[0]
            either = popcount(np.asarray([ref.values | up.values], dtype=np.uint64))[0]
            overlap = float(both / either) if either else 0.0
            value = float(sims[i, j])
            pairs.append(ColumnMatch(up.name, ref.name, value, reason(name_sim, overlap, ref, up)))
        mapped = {p.model for p in pairs}
        used = set(cols.tolist())
        return Match(
            reference=self.names[r],
            score=score,
            model_coverage=model,
            upload_share=upload_share,
            columns=tuple(pairs),
            missing=tuple(c.name for c in schema if c.name not in mapped),
            unused=tuple(u.name for j, u in enumerate(upload) if j not in used),
        )


def _blended_weights(schema: Sequence[ColumnSignature]) -> np.ndarray:
    """Half equal shares, half the model's importance shares; they sum to 1."""
    k = len(schema)
    if k == 0:
        return np.zeros(0, dtype=np.float32)
    importance = np.asarray([max(c.weight, 0.0) for c in schema], dtype=np.float64)
    total = importance.sum()
    share = importance / total if total > 0 else np.full(k, 1.0 / k)
    blended: np.ndarray = (0.5 / k + 0.5 * share).astype(np.float32)
    return blended


def _descending(values: np.ndarray, head: int = 64) -> Iterator[int]:
    """Positions of ``values`` from the largest; only the first ``head`` are sorted unless
    the caller reads further."""
    if len(values) > head:
        top = np.argpartition(-values, head)[:head]
        yield from top[np.argsort(-values[top], kind="stable")].tolist()
        rest = np.ones(len(values), dtype=bool)
        rest[top] = False
        others = np.flatnonzero(rest)
        yield from others[np.argsort(-values[others], kind="stable")].tolist()
    else:
        yield from np.argsort(-values, kind="stable").tolist()
