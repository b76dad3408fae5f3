"""Column-to-column similarity, vectorised: names, roles and value signatures.

The similarity of an uploaded column ``u`` to a model's input column ``c`` is::

    compat(role_c, role_u) * evidence * (0.75 + 0.25 * exp(-|scale_c - scale_u|))

``compat`` says whether the roles can stand for each other (an amount for a number, an
entity for a category...). ``evidence`` is what says the two columns mean the same
thing: the similarity of their names (the weighted Jaccard index of their concepts, see
``entrepot.fraud.schema.synonyms``, or 0.85 x the cosine of their character trigrams, whichever
is larger), shared category values (0.8 x the Jaccard index of the hashed value sets), or
a distinctive role both play (a timestamp: 0.6; an amount, a customer or a counterparty:
0.5). Plain numbers with unrelated names give no evidence at all, so ``a, b, c`` against
``x, y, z`` scores 0. The scale term only lowers the score of columns whose magnitudes
differ (amounts in cents against amounts in euros). Pairs under :data:`MIN_CONFIDENCE`
count as 0.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from entrepot.fraud.match.signature import ROLES, ColumnSignature
from entrepot.fraud.schema import synonyms

#: A column pair below this similarity is not a match.
MIN_CONFIDENCE = 0.3
_TRIGRAM_DIM = 1 << 12
_ROLE = {role: i for i, role in enumerate(ROLES)}
_NO_SCALE = ("timestamp", "customer", "counterparty", "entity")


def _role_tables() -> tuple[np.ndarray, np.ndarray]:
    n = len(ROLES)
    compat = np.eye(n, dtype=np.float32)
    pairs = {
        ("amount", "numeric"): 0.7,
        ("customer", "counterparty"): 0.3,
        ("customer", "entity"): 0.6,
        ("counterparty", "entity"): 0.6,
        ("entity", "categorical"): 0.5,
        ("customer", "categorical"): 0.2,
        ("counterparty", "categorical"): 0.3,
        ("categorical", "boolean"): 0.6,
        ("numeric", "categorical"): 0.4,
        ("numeric", "boolean"): 0.3,
        ("entity", "numeric"): 0.2,
    }
    for (a, b), value in pairs.items():
        compat[_ROLE[a], _ROLE[b]] = compat[_ROLE[b], _ROLE[a]] = value
    evidence = np.zeros((n, n), dtype=np.float32)
    for role, value in (("timestamp", 0.6), ("amount", 0.5), ("customer", 0.5)):
        evidence[_ROLE[role], _ROLE[role]] = value
    evidence[_ROLE["counterparty"], _ROLE["counterparty"]] = 0.5
    return compat, evidence


ROLE_COMPAT, ROLE_EVIDENCE = _role_tables()


def role_code(role: str) -> int:
    """The index of a matching role in :data:`~entrepot.fraud.match.signature.ROLES`."""
    return _ROLE[role]


def _trigram_row(name: str) -> dict[int, float]:
    text = f" {' '.join(synonyms.words(name))} "
    grams = {text[i : i + 3] for i in range(len(text) - 2)}
    row: dict[int, float] = {}
    for gram in grams:
        slot = zlib.crc32(gram.encode("utf-8")) % _TRIGRAM_DIM
        row[slot] = 1.0
    return row


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64."""
    counts: np.ndarray = np.bitwise_count(values).astype(np.float32)
    return counts


class NameSpace:
    """Names of model columns as sparse concept and trigram matrices, to compare new names
    against all of them at once."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        vocabulary: dict[str, int] = {}
        rows, cols, vals, weights = [], [], [], []
        for i, name in enumerate(self.names):
            found = synonyms.concepts(name)
            weights.append(sum(synonyms.weight(c) for c in found))
            for concept in found:
                rows.append(i)
                cols.append(vocabulary.setdefault(concept, len(vocabulary)))
                vals.append(synonyms.weight(concept))
        self._vocabulary = vocabulary
        shape = (len(self.names), max(len(vocabulary), 1))
        self._concepts = sparse.csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float32)
        self._weights = np.asarray(weights, dtype=np.float32)
        self._trigrams = _trigram_matrix(self.names)

    def similarity(self, names: Sequence[str]) -> np.ndarray:
        """``(len(self.names), len(names))`` name similarities in [0, 1]."""
        rows, cols, up_weights = [], [], []
        for j, name in enumerate(names):
            found = synonyms.concepts(name)
            up_weights.append(sum(synonyms.weight(c) for c in found))
            for concept in found:
                if concept in self._vocabulary:
                    rows.append(j)
                    cols.append(self._vocabulary[concept])
        shape = (len(names), self._concepts.shape[1])
        upload = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape
        )
        inter = np.asarray((self._concepts @ upload.T).todense(), dtype=np.float32)
        union = self._weights[:, None] + np.asarray(up_weights, dtype=np.float32)[None, :] - inter
        jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        grams = np.asarray((self._trigrams @ _trigram_matrix(names).T).todense(), np.float32)
        best: np.ndarray = np.maximum(jaccard, 0.85 * grams)
        return best


def _trigram_matrix(names: Sequence[str]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for i, name in enumerate(names):
        row = _trigram_row(name)
        norm = float(np.sqrt(len(row))) or 1.0
        for slot in row:
            rows.append(i)
            cols.append(slot)
            vals.append(1.0 / norm)
    shape = (len(names), _TRIGRAM_DIM)
    return sparse.csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float32)


class ModelColumns:
    """Model columns (deduplicated) as arrays grouped by role, for :meth:`against`.

    ``name_of`` points each column at its row in the :class:`NameSpace` of their names.
    """

    def __init__(
        self, roles: np.ndarray, scales: np.ndarray, bits: np.ndarray, name_of: np.ndarray
    ) -> None:
        self.size = len(roles)
        self._groups = []
        for code in range(len(ROLES)):
            rows = np.flatnonzero(roles == code)
            if rows.size:
                wide = popcount(bits[rows]) >= 3
                self._groups.append((code, rows, scales[rows], bits[rows], wide, name_of[rows]))

    def against(
        self, names: np.ndarray, upload: Sequence[ColumnSignature]
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(columns, len(upload))`` similarities, pairs under :data:`MIN_CONFIDENCE` at 0,
        and each column's best similarity ``(columns,)``.

        ``names`` holds the name similarities ``(names in the NameSpace, len(upload))``.
        Only pairs whose roles are compatible are computed.
        """
        out = np.zeros((self.size, len(upload)), dtype=np.float32)
        best = np.zeros(self.size, dtype=np.float32)
        for u, col in enumerate(upload):
            code = _ROLE[col.role]
            scale = scale_for_matching(col)
            wide_upload = bin(col.values).count("1") >= 3
            for ref_code, rows, scales, bits, wide, name_of in self._groups:
                compat = float(ROLE_COMPAT[ref_code, code])
                if compat == 0.0:
                    continue
                evidence = np.maximum(names[name_of, u], ROLE_EVIDENCE[ref_code, code])
                if wide_upload and wide.any():
                    value = np.uint64(col.values)
                    shared = popcount(bits & value)
                    total = popcount(bits | value)
                    overlap = np.where(wide, shared / np.maximum(total, 1.0), 0.0)
                    evidence = np.maximum(evidence, 0.8 * overlap)
                sim = compat * evidence * (0.75 + 0.25 * np.exp(-np.abs(scales - scale)))
                sim = np.where(sim < MIN_CONFIDENCE, 0.0, sim)
                out[rows, u] = sim
                best[rows] = np.maximum(best[rows], sim)
        return out, best


def scale_for_matching(column: ColumnSignature) -> float:
    """The scale compared in matching: none for timestamps and entities (file-size bound)."""
    return 0.0 if column.role in _NO_SCALE else column.scale


def reason(name_sim: float, overlap: float, ref: ColumnSignature, up: ColumnSignature) -> str:
    """A few words on why two columns were paired."""
    if synonyms.words(ref.name) == synonyms.words(up.name):
        return "same name"
    if name_sim >= 0.5 and synonyms.concepts(ref.name) & synonyms.concepts(up.name):
        return "synonymous names"
    if name_sim >= 0.5:
        return "similar spelling"
    if overlap >= 0.3:
        return "shared values"
    return f"same role ({up.role})"
