"""Build the library of reference models: generated datasets, one trained model each.

:func:`plan` lays out ``count`` references over the generator's domains, deterministic
by seed: each domain in turn, English and French column names alternating, fraud rates
around the domain's own, and the generator's schema variety (other names, id formats,
timestamp formats, extra columns, missing values).

Each dataset is sized by its number of frauds, not of rows: at least ``rows`` rows, and
enough more that it holds ``min_frauds`` frauds (400 by default: about 80 in validation
and 80 in test, where 20,000 rows at 0.2 % held 16), up to ``max_rows``; a rate too low
to reach ``min_frauds`` within ``max_rows`` is raised to it. The models fit on every
training fraud and at most :data:`FIT_LEGITIMATE` legitimate rows, weighted
(``entrepot.fraud.train.thinning``), so a large dataset costs little more to train on
than a small one; validation and test keep every row and the true fraud rate.
:func:`build_references` trains the
ones a library lacks and adds them through the
:class:`~entrepot.fraud.library.libraries.ReferenceSink` seam; run again, it skips what is
there. Each model carries its anomaly model, fitted on its own legitimate training rows at
build time (``entrepot.fraud.model.anomaly``).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from entrepot.fraud.library.libraries import ReferenceInfo, ReferenceSink, decode_schema
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.clocks import Clock
from entrepot.fraud.train.search import KINDS
from entrepot.fraud.train.training import train

#: Frauds each reference dataset holds at least, so that validation (which stops the
#: boosting, chooses the model and calibrates it) and test each see about a fifth of them.
MIN_FRAUDS = 400
#: The most rows a reference dataset may have, whatever its fraud rate.
MAX_ROWS = 400_000
#: Legitimate training rows the models fit on at most (every fraud is kept).
FIT_LEGITIMATE = 30_000
#: Seconds per reference, generating its data included: 40 references in 5 minutes on
#: 2 cores (10 s took 5 min 18 s once the datasets were sized by their frauds).
REFERENCE_BUDGET = 9.0
_RATE_FACTORS = (1.0, 0.5, 2.0)


@dataclass(frozen=True)
class ReferenceSpec:
    """One reference to build: which data to generate."""

    name: str
    domain: str
    lang: Literal["en", "fr"]
    seed: int
    rows: int
    fraud_rate: float


@dataclass
class BuildReport:
    """What :func:`build_references` did."""

    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Built by another builder sharing the library, which this one waited for.
    elsewhere: list[str] = field(default_factory=list)
    seconds: float = 0.0


def plan(
    count: int = 40,
    *,
    seed: int = 0,
    rows: int = 20_000,
    min_frauds: int = MIN_FRAUDS,
    max_rows: int = MAX_ROWS,
) -> list[ReferenceSpec]:
    """The ``count`` references to build, the same for the same arguments: each one at
    least ``rows`` rows and ``min_frauds`` frauds, at most ``max_rows`` rows."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if not 1 <= min_frauds <= max_rows * 0.15 or rows > max_rows:
        raise ValueError(
            f"cannot fit {min_frauds} frauds and {rows} rows in at most {max_rows} rows"
        )
    known = list(domains().values())
    specs = []
    for i in range(count):
        domain = known[i % len(known)]
        turn = i // len(known)
        lang: Literal["en", "fr"] = "en" if (turn + i % len(known)) % 2 == 0 else "fr"
        rate = domain.fraud_rate * _RATE_FACTORS[turn % len(_RATE_FACTORS)]
        rate = min(max(rate, min_frauds / max_rows), 0.15)
        size = min(max(rows, math.ceil(min_frauds / rate)), max_rows)
        specs.append(
            ReferenceSpec(
                name=f"ref-{i + 1:02d}-{domain.name.replace('_', '-')}-{lang}",
                domain=domain.name,
                lang=lang,
                seed=seed * 1000 + i,
                rows=size,
                fraud_rate=round(rate, 6),
            )
        )
    return specs


def info_from_folder(
    folder: str | Path, *, name: str, domain: str, details: dict[str, Any] | None = None
) -> ReferenceInfo:
    """A reference's description from a trained model folder (``schema.json`` and
    ``performance.json`` written by :meth:`TrainingResult.save`)."""
    folder = Path(folder)
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    performance = json.loads((folder / "performance.json").read_text(encoding="utf-8"))
    metrics = {
        "validation_auprc": performance["validation"]["auprc"],
        "test_auprc": performance["test"]["auprc"],
        "test_roc_auc": performance["test"]["roc_auc"],
        "base_rate": performance["data"]["fraud_rate"],
        "threshold": performance["threshold"]["value"],
        "rows": performance["data"]["labelled_rows"],
    }
    return ReferenceInfo(
        name=name,
        domain=domain,
        columns=decode_schema(schema.get("signature", [])),
        metrics={k: float(v) for k, v in metrics.items() if v is not None},
        details={"model": performance["model"]["kind"], **(details or {})},
    )


def build_references(
    library: ReferenceSink,
    *,
    count: int = 40,
    seed: int = 0,
    rows: int = 20_000,
    min_frauds: int = MIN_FRAUDS,
    max_rows: int = MAX_ROWS,
    time_budget: float = REFERENCE_BUDGET,
    models: tuple[str, ...] = KINDS,
    fit_legitimate: int | None = FIT_LEGITIMATE,
    n_jobs: int = 1,
    progress: Callable[[ReferenceSpec, str], None] | None = None,
    clock: Clock = time.monotonic,
) -> BuildReport:
    """Train and add the planned references that ``library`` lacks.

    ``rows``, ``min_frauds`` and ``max_rows`` size the datasets (:func:`plan`); the models
    fit on every training fraud and at most ``fit_legitimate`` legitimate rows.
    ``time_budget`` is each reference's, generating its data included.
    ``progress(spec, state)`` is called with ``"skipped"``, ``"training"``, ``"built"``,
    ``"waiting"`` (another builder holds it) and ``"built_elsewhere"`` (it built it).
    ``clock`` (seconds) measures the budgets (:func:`entrepot.fraud.train.training.train`).

    Several builders may share a library (ADR 0092): each reference is built under the
    library's claim on it; one another builder holds is left for later, and once every
    other is done, waited for: it is then there (``elsewhere``), or built here if that
    builder gave up or crashed.
    """
    began = time.monotonic()
    report = BuildReport()
    claims = library.claims()
    present = library.names()

    def tell(spec: ReferenceSpec, state: str) -> None:
        if progress:
            progress(spec, state)

    def attempt(spec: ReferenceSpec) -> bool:
        """Build ``spec`` under its claim; ``False`` when another builder holds it."""
        with claims.hold(spec.name) as held:
            if not held:
                return False
            if spec.name in library.names():  # built by another while this one waited
                report.elsewhere.append(spec.name)
                tell(spec, "built_elsewhere")
                return True
            tell(spec, "training")
            _build_one(library, spec, time_budget, models, fit_legitimate, n_jobs, clock)
            report.built.append(spec.name)
            tell(spec, "built")
            return True

    later = []
    for spec in plan(count, seed=seed, rows=rows, min_frauds=min_frauds, max_rows=max_rows):
        if spec.name in present:
            report.skipped.append(spec.name)
            tell(spec, "skipped")
        elif not attempt(spec):
            tell(spec, "waiting")
            later.append(spec)
    while later:
        spec = later.pop(0)
        claims.wait(spec.name)
        if spec.name in library.names():
            report.elsewhere.append(spec.name)
            tell(spec, "built_elsewhere")
        elif not attempt(spec):
            later.append(spec)
    report.seconds = time.monotonic() - began
    return report


def _build_one(
    library: ReferenceSink,
    spec: ReferenceSpec,
    time_budget: float,
    models: tuple[str, ...],
    fit_legitimate: int | None,
    n_jobs: int,
    clock: Clock,
) -> None:
    """Generate ``spec``'s data, train its model and add it to ``library``."""
    started = clock()
    data = generate(
        spec.domain, spec.rows, fraud_rate=spec.fraud_rate, seed=spec.seed, lang=spec.lang
    )
    # The budget covers the data's generation too (up to a second for 400,000 rows).
    left = max(time_budget - (clock() - started), 0.5 * time_budget)
    result = train(
        data.frame,
        data.target,
        time_budget=left,
        models=models,
        seed=spec.seed,
        n_jobs=n_jobs,
        max_legitimate=fit_legitimate,
        clock=clock,
    )
    with tempfile.TemporaryDirectory(prefix="entrepot-reference-") as tmp:
        folder = Path(tmp)
        result.save(folder)
        fit_rows = result.performance["model"]["fit_rows"]
        details = {**asdict(spec), "time_budget": time_budget, "fit_rows": fit_rows}
        info = info_from_folder(folder, name=spec.name, domain=spec.domain, details=details)
        library.add(info, folder)
