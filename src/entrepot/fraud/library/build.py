"""Build the library of reference models: generated datasets, one trained model each.

:func:`plan` lays out ``count`` references over the generator's domains, deterministic
by seed: each domain in turn, English and French column names alternating, fraud rates
around the domain's own, and the generator's schema variety (other names, id formats,
timestamp formats, extra columns, missing values). :func:`build_references` trains the
ones a library lacks and adds them through the
:class:`~entrepot.fraud.library.libraries.ReferenceSink` seam; run again, it skips what is
there. Each model carries its anomaly model, fitted on its own legitimate training rows at
build time (``entrepot.fraud.model.anomaly``).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from entrepot.fraud.library.libraries import ReferenceInfo, ReferenceSink, decode_schema
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.search import KINDS
from entrepot.fraud.train.training import train

#: Frauds each reference dataset holds at least, so its splits can be evaluated.
MIN_FRAUDS = 80
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
    seconds: float = 0.0


def plan(count: int = 40, *, seed: int = 0, rows: int = 20_000) -> list[ReferenceSpec]:
    """The ``count`` references to build, the same for the same arguments."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    known = list(domains().values())
    specs = []
    for i in range(count):
        domain = known[i % len(known)]
        turn = i // len(known)
        lang: Literal["en", "fr"] = "en" if (turn + i % len(known)) % 2 == 0 else "fr"
        rate = domain.fraud_rate * _RATE_FACTORS[turn % len(_RATE_FACTORS)]
        rate = min(max(rate, MIN_FRAUDS / rows), 0.15)
        specs.append(
            ReferenceSpec(
                name=f"ref-{i + 1:02d}-{domain.name.replace('_', '-')}-{lang}",
                domain=domain.name,
                lang=lang,
                seed=seed * 1000 + i,
                rows=rows,
                fraud_rate=round(rate, 5),
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
    time_budget: float = 10.0,
    models: tuple[str, ...] = KINDS,
    n_jobs: int = 1,
    progress: Callable[[ReferenceSpec, str], None] | None = None,
) -> BuildReport:
    """Train and add the planned references that ``library`` lacks.

    ``progress(spec, state)`` is called with ``"skipped"``, ``"training"`` and ``"built"``.
    """
    began = time.monotonic()
    report = BuildReport()
    present = library.names()
    for spec in plan(count, seed=seed, rows=rows):
        if spec.name in present:
            report.skipped.append(spec.name)
            if progress:
                progress(spec, "skipped")
            continue
        if progress:
            progress(spec, "training")
        data = generate(
            spec.domain, spec.rows, fraud_rate=spec.fraud_rate, seed=spec.seed, lang=spec.lang
        )
        result = train(
            data.frame,
            data.target,
            time_budget=time_budget,
            models=models,
            seed=spec.seed,
            n_jobs=n_jobs,
        )
        with tempfile.TemporaryDirectory(prefix="entrepot-reference-") as tmp:
            folder = Path(tmp)
            result.save(folder)
            details = {**asdict(spec), "time_budget": time_budget}
            info = info_from_folder(folder, name=spec.name, domain=spec.domain, details=details)
            library.add(info, folder)
        report.built.append(spec.name)
        if progress:
            progress(spec, "built")
    report.seconds = time.monotonic() - began
    return report
