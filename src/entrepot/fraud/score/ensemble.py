"""An ensemble of models applied to a table through column mappings, saved to be replayed.

Each :class:`Member` is a model with the mapping that feeds it (upload column -> model
input column) and its weight::

    weight_i  ∝  similarity_i × validation AUPRC_i × coverage_i

where ``similarity`` is the schema match score, ``validation AUPRC`` the model's own on
its validation split, and ``coverage`` the share of its feature importance whose input
columns the mapping supplies. Weights sum to 1.

**Calibration.** Each member's probabilities are calibrated on its own validation data
(isotonic or Platt, ``entrepot.fraud.model.calibration``). The ensemble probability is their
weighted average (a linear opinion pool). An average of calibrated forecasts stays
calibrated in the large (its mean equals the mean of the members', each an estimate of
the fraud rate) and never claims more certainty than its members; it does not sharpen
them as a product of odds would, which would be right only for independent members, and
these read the same columns. What it cannot undo is a shift between a member's training
population and the scored file (another fraud rate, other amounts): the probabilities
are then those of the reference populations, which ``entrepot fraud evaluate`` measures
on a labelled file. An ensemble assembled from the reference library is fitted to its
file instead (``entrepot.fraud.score.fit``, ADR 0045): its :class:`Calibration` pools the
members' log-odds, shifted to the file's estimated fraud rate, with its own threshold.

**How far the probabilities may be off** (:attr:`Ensemble.level_error`, for the estimate
of precision and recall without labels): the members' own (``Calibrator.level_error``),
averaged by weight as if their errors moved together; a fitted ensemble's level is its
estimated fraud rate, which ADR 0045 measured at 0.5-2.8 times the true one, read as a
95 % range of its log (:data:`FITTED_RATE_SPREAD`) and added to the shift's variance.

The decision threshold is the weighted average of the members' thresholds (each chosen
on its validation data). A saved ensemble (``ensemble.json`` and one model file per
member) scores the same file to the same result.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from entrepot.fraud.errors import FraudError, MissingColumns
from entrepot.fraud.model.calibration import LevelError
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.model.trust import sign_folder
from entrepot.messages import N_, Message
from entrepot.registry.keyring import KeyRing

ENSEMBLE_FILE = "ensemble.json"
FORMAT = "entrepot.fraud.score.ensemble/2"
#: Formats :meth:`Ensemble.load` reads (``/1``: no calibration, a linear pool).
FORMATS = ("entrepot.fraud.score.ensemble/1", FORMAT)
#: Probabilities are clipped to ``[EPS, 1 - EPS]`` before their logits are taken.
EPS = 1e-6
#: The log-odds spread of a fitted ensemble's estimated fraud rate: ln 2.8 / 1.96.
FITTED_RATE_SPREAD = 0.53
#: A fitted ensemble whose :attr:`Ensemble.distribution_fit` is under this reads a file
#: unlike any reference's data: its ranking may be no better than chance (ADR 0045,
#: round 8).
UNFAMILIAR_FIT = 0.91
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MEMBER_FILE = re.compile(r"^members/\d{2}-[A-Za-z0-9._-]+\.joblib$")


@dataclass(frozen=True)
class Member:
    """One model of an ensemble and how it is applied."""

    name: str
    version: str
    similarity: float
    validation_auprc: float
    coverage: float  # share of the model's feature importance the mapping can feed
    column_coverage: float  # share of the model's input columns mapped
    weight: float
    threshold: float
    mapping: Mapping[str, str]  # upload column -> model input column
    confidence: Mapping[str, float]  # upload column -> match confidence
    history: bool = False  # prepend the model's training tail (same customers and terminals)
    base_rate: float = 0.0  # the fraud rate of the model's training data
    distribution: float = 1.0  # 1 - KS of the file's anomaly scores against uniform (fit)

    @property
    def column(self) -> str:
        """The name of this member's score column in the output."""
        return "score_" + _UNSAFE.sub("_", self.name)


def feature_coverage(model: FraudModel, mapped: set[str]) -> tuple[float, float]:
    """Share of ``model``'s importance, and of its input columns, that ``mapped`` input
    columns can feed (a feature needs every column it is computed from)."""
    inputs = model.input_columns
    columns = len([c for c in inputs if c in mapped]) / len(inputs) if inputs else 0.0
    sources = model.features.sources()
    shares = model.importances or {f: 1.0 for f in sources}
    total = sum(shares.values())
    fed = sum(v for f, v in shares.items() if f in sources and set(sources[f]) <= mapped)
    return (fed / total if total > 0 else columns), columns


def make_members(entries: Sequence[dict[str, Any]]) -> list[Member]:
    """Members with normalised weights from raw entries (the :class:`Member` fields but
    ``weight``); raises when no entry can contribute."""
    raw = [e["similarity"] * max(e["validation_auprc"], 0.0) * e["coverage"] for e in entries]
    total = float(sum(raw))
    if total <= 0.0:
        listed = ", ".join(f"{e['name']} (coverage {e['coverage']:.0%})" for e in entries)
        raise MissingColumns(
            f"no model can read the file: none of their important inputs is supplied ({listed})",
            said=Message(N_("error.fraud.no_member_reads"), {"columns": listed}),
        )
    return [Member(weight=w / total, **e) for e, w in zip(entries, raw, strict=True) if w > 0]


@dataclass(frozen=True)
class Calibration:
    """How the members' probabilities are pooled, fitted on the file the ensemble was
    assembled for (``entrepot.fraud.score.fit``, ADR 0045): the pooled probability is
    ``sigmoid(Σ weight_i · logit(p_i) + shift)``."""

    shift: float  # added to the weighted mean of the members' logits
    threshold: float  # the decision threshold on the pooled probability
    prevalence: float  # the fraud rate estimated for that file
    #: The pool's AUPRC on the labelled history its members were weighed on
    #: (``entrepot.fraud.score.measured``), and that history's frauds; ``None`` when the
    #: weights come from the label-free fit.
    measured_auprc: float | None = None
    measured_frauds: int | None = None
    #: The file-fitted member's weight in the pool (``entrepot.fraud.score.file_member``,
    #: ADR 0085): the pooled log-odds are ``(1 - f) Σ weight_i · logit(p_i) + f ·
    #: logit(file score) + shift``; 0 for an ensemble saved before it.
    file_weight: float = 0.0


def logit(p: np.ndarray) -> np.ndarray:
    """The log-odds of ``p``, clipped to ``[EPS, 1 - EPS]`` first."""
    q = np.clip(np.asarray(p, dtype=float), EPS, 1.0 - EPS)
    out: np.ndarray = np.log(q) - np.log1p(-q)
    return out


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The inverse of :func:`logit`."""
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
    return out


@dataclass
class Ensemble:
    """Members and their models; with a :class:`Calibration`, pooled by it, else averaged."""

    members: tuple[Member, ...]
    models: tuple[FraudModel, ...]
    created: str = ""
    calibration: Calibration | None = None

    def __post_init__(self) -> None:
        if not self.members or len(self.members) != len(self.models):
            raise ValueError("an ensemble needs one model per member, and at least one")
        if not self.created:
            self.created = datetime.now(UTC).isoformat(timespec="seconds")

    @property
    def weights(self) -> np.ndarray:
        """The members' weights, summing to 1."""
        return np.asarray([m.weight for m in self.members], dtype=float)

    @property
    def match_quality(self) -> float:
        """The members' weighted similarity × coverage × distribution fit (0 to 1): how
        far the file resembles what they were trained on, names, inputs and values."""
        return float(
            sum(
                m.weight * min(m.similarity * m.coverage, 1.0) * m.distribution
                for m in self.members
            )
        )

    @property
    def distribution_fit(self) -> float:
        """The members' weighted distribution fit (``Member.distribution``, 1 - KS of the
        file's anomaly scores under each): how far they read the file's values as they
        read their own training data, whatever the names."""
        return float(self.weights @ np.asarray([m.distribution for m in self.members]))

    @property
    def unfamiliar(self) -> bool:
        """A fitted ensemble whose members read the file unlike their own data
        (:data:`UNFAMILIAR_FIT`): what it learnt of fraud may not be the file's. Never one
        whose members were measured on the source's labelled history."""
        calibration = self.calibration
        return (
            calibration is not None
            and calibration.measured_auprc is None
            and self.distribution_fit < UNFAMILIAR_FIT
        )

    @property
    def level_error(self) -> LevelError:
        """How far its probabilities' log-odds may be off on the scored file (module
        docstring)."""
        errors = [m.calibrator.level_error for m in self.models]
        w = self.weights
        sd = np.sqrt([[e.slope, e.shift] for e in errors]) if errors else np.zeros((0, 2))
        slope, shift = float(w @ sd[:, 0]) ** 2, float(w @ sd[:, 1]) ** 2
        found = LevelError(
            center=float(w @ [e.center for e in errors]),
            slope=slope,
            both=float(w @ [e.both for e in errors]),
            shift=shift,
        )
        return found if self.calibration is None else found.with_drift(FITTED_RATE_SPREAD)

    @property
    def threshold(self) -> float:
        """The decision threshold: the calibration's, else the weighted average of the
        members'."""
        if self.calibration is not None:
            return self.calibration.threshold
        return float(self.weights @ np.asarray([m.threshold for m in self.members]))

    @property
    def file_weight(self) -> float:
        """The file-fitted member's weight in the pool (0 without one)."""
        return 0.0 if self.calibration is None else self.calibration.file_weight

    def pool(self, probabilities: np.ndarray, file_score: np.ndarray | None = None) -> np.ndarray:
        """The ensemble probability of each row from the members' ``(members, rows)`` and,
        when the calibration gives the file-fitted member a weight, its ``file_score``."""
        probs = np.asarray(probabilities, dtype=float)
        if self.calibration is None:
            linear: np.ndarray = self.weights @ probs
            return linear
        f = self.calibration.file_weight
        pooled = self.weights @ logit(probs)
        if f > 0:
            if file_score is None:
                raise ValueError("this ensemble pools a file-fitted member: give its score")
            pooled = (1 - f) * pooled + f * logit(file_score)
        return sigmoid(pooled + self.calibration.shift)

    def with_threshold(self, threshold: float) -> Ensemble:
        """This ensemble deciding at ``threshold`` (an analyst's choice)."""
        members = tuple(replace(m, threshold=threshold) for m in self.members)
        calibration = self.calibration and replace(self.calibration, threshold=threshold)
        return replace(self, members=members, calibration=calibration)

    def save(self, folder: str | Path, ring: KeyRing | None = None) -> Path:
        """Write ``ensemble.json`` and ``members/NN-NAME.joblib`` into ``folder``, signed
        by ``ring`` when given (else it will not load: ``entrepot.fraud.model.trust``)."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        staging.chmod(0o755)  # mkdtemp makes it private; the folder is published as is
        try:
            files = []
            for i, (member, model) in enumerate(zip(self.members, self.models, strict=True)):
                path = f"members/{i:02d}-{_UNSAFE.sub('_', member.name)}.joblib"
                model.save(staging / path)
                files.append(path)
            content = {
                "format": FORMAT,
                "created": self.created,
                "threshold": self.threshold,
                "calibration": None if self.calibration is None else asdict(self.calibration),
                "members": [
                    {**asdict(m), "mapping": dict(m.mapping), "confidence": dict(m.confidence)}
                    | {"file": f}
                    for m, f in zip(self.members, files, strict=True)
                ],
            }
            with (staging / ENSEMBLE_FILE).open("w", encoding="utf-8") as out:
                json.dump(content, out, indent=2, ensure_ascii=False)
                out.write("\n")
            if ring is not None:
                sign_folder(staging, files, ring)
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return folder

    @classmethod
    def load(cls, folder: str | Path, ring: KeyRing | None) -> Ensemble:
        """Read an ensemble written by :meth:`save`; its member files are unpickled only if
        ``ring`` verifies the folder's signature (``entrepot.fraud.model.trust``)."""
        folder = Path(folder)
        path = folder / ENSEMBLE_FILE
        if not path.is_file():
            raise FraudError(
                f"{folder} holds no {ENSEMBLE_FILE}",
                hint="give a folder written by `entrepot fraud score --ensemble --save-ensemble`",
                said=Message(N_("error.fraud.folder_no_ensemble"), {"path": str(folder)}),
            )
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") not in FORMATS:
            raise FraudError(
                f"{path} is not an ensemble of format {FORMAT}",
                said=Message(N_("error.fraud.ensemble_format"), {"path": str(path)}),
            )
        members, models = [], []
        for entry in raw["members"]:
            file = str(entry.pop("file"))
            if not _MEMBER_FILE.fullmatch(file):
                raise FraudError(
                    f"{path} names an unexpected member file {file!r}",
                    said=Message(
                        N_("error.fraud.ensemble_member"),
                        {"path": str(path), "file": str(file)[:120]},
                    ),
                )
            members.append(Member(**entry))
            models.append(FraudModel.load_signed(folder, file, ring))
        found = raw.get("calibration")
        calibration = None if found is None else Calibration(**found)
        return cls(tuple(members), tuple(models), raw["created"], calibration)
