"""The fraud engine on local files, as ``entrepot fraud`` runs it: generate, analyse,
train, build the references, match, score and evaluate, each one call.

Where models and references are kept is given, never looked up here: ``models(user)`` is
the shared model registry or an account's (a :class:`FraudError` when there is none, as
for ``entrepot fraud`` run on its own), ``library(folder)`` the reference library (a
folder when one is named). :mod:`entrepot.bootstrap.local_fraud` builds both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from entrepot.fraud.errors import FraudError
from entrepot.fraud.train.clocks import ClockFactory, wall_clock
from entrepot.local_paths import output_file
from entrepot.messages import Message

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.catalog.models.records import ModelVersionRecord
    from entrepot.fraud.library.build import BuildReport, ReferenceSpec
    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.match.matching import MatchResult
    from entrepot.fraud.schema.analysis import Analysis
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.known_labels import KnownLabels
    from entrepot.fraud.synth.domains import Domain
    from entrepot.fraud.train.result import TrainingResult
    from entrepot.registry.keyring import KeyRing
    from entrepot.registry.service import Registry

#: The model registry to use: the shared one (``None``) or the account an email or id names.
ModelsOf = Callable[[str | None], "Registry"]
#: The reference library: the folder given, else the configured one.
LibraryOf = Callable[[Path | None], Any]
#: The installation's key ring, or ``None`` without an installation.
KeysOf = Callable[[], "KeyRing | None"]


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated labelled file."""

    path: Path
    domain: str
    rows: int
    frauds: int
    target: str
    time_format: str


@dataclass(frozen=True, slots=True)
class Trained:
    """A model trained on a file: saved to ``folder``, or registered as ``version``."""

    result: TrainingResult
    folder: Path | None = None
    version: ModelVersionRecord | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """A scored file: the model or ensemble used, the scores, where they were written."""

    ensemble: Ensemble
    scores: pd.DataFrame
    out: Path
    saved_ensemble: Path | None
    #: Precision and recall estimated without labels (``fraud_service/estimate.py``), with
    #: the realised figures when the file holds its label.
    estimate: dict[str, Any] | None = None
    #: The late labels given and how many models read them (``known_labels_summary``),
    #: or ``None``.
    known_labels: dict[str, Any] | None = None
    #: How far to trust the scores (``fraud_service/summary.py`` ``trust``), as a stored
    #: prediction's summary says it.
    trust: dict[str, Any] | None = None
    #: Rows, flagged, risk counts and members, as a stored prediction's summary says them
    #: (``fraud_service/summary.py`` ``summarize``): what the command line prints, on a
    #: local instance and on a deployed service alike.
    summary: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """What scores a file: one model (``NAME[@VERSION]`` in the registry, or a folder path
    with a ``/``), or the best-matching references of a library (``ensemble``)."""

    model: str | None = None
    ensemble: bool = False
    library: Path | None = None
    user: str | None = None

    def check(self) -> None:
        """Exactly one of a model and the ensemble."""
        if (self.model is None) == (not self.ensemble):
            raise FraudError(
                "give either a model or the ensemble of reference models",
                hint="--model NAME[@VERSION] (or a folder), or --ensemble",
            )


@dataclass(frozen=True)
class LocalFraud:
    """The fraud engine's use cases on local files."""

    models: ModelsOf
    library: LibraryOf
    #: The installation's key ring, which signs the folders written here and verifies the
    #: folders scored (``fraud.model.trust``); ``None``: none (``fraud`` run on its own).
    keys: KeysOf = lambda: None
    #: A new clock for each training's and reference build's budget (the
    #: ``training_clock`` setting).
    new_clock: ClockFactory = wall_clock

    def domains(self) -> list[Domain]:
        """The domains the generator knows."""
        from entrepot.fraud.synth.domains import domains

        return list(domains().values())

    def generate(
        self,
        out: Path,
        *,
        domain: str,
        rows: int,
        fraud_rate: float | None,
        seed: int,
        lang: Literal["en", "fr"],
        variety: bool,
    ) -> Generated:
        """Write realistic labelled transactions to ``out`` (deterministic by seed)."""
        from entrepot.fraud.synth.generator import generate
        from entrepot.fraud.tables.io import write_table

        output_file(out)
        data = generate(domain, rows, fraud_rate=fraud_rate, seed=seed, lang=lang, variety=variety)
        write_table(data.frame, out, lang=lang)
        frauds = int(data.labels.sum())
        return Generated(out, domain, rows, frauds, data.target, data.time_format)

    def analyze(self, file: Path, *, target: str | None) -> Analysis:
        """Each column's role, the label and its candidates, the fraud rate."""
        from entrepot.fraud.schema.analysis import analyze_file

        return analyze_file(file, target=target)

    def train(
        self,
        file: Path,
        name: str,
        *,
        out: Path | None,
        target: str | None,
        time_budget: float,
        cost_ratio: float | None,
        seed: int,
        jobs: int,
        user: str | None,
        progress: Callable[[Message], None],
        label_delay_days: int | None = None,
        keep_columns: Sequence[str] = (),
        cards_per_day: int | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Trained:
        """Train on a labelled file; save it to ``out/name`` or register it as a new version
        of ``name`` (the file's sha256 as lineage); ``label_delay_days``, ``keep_columns``
        and ``cards_per_day`` as :func:`~entrepot.fraud.train.training.train` takes them,
        and ``on_progress(done, total)``: the seconds of the budget spent.
        The registry's name rule and the registry itself are checked before any
        training."""
        from entrepot.fraud.library.trained import register_trained
        from entrepot.fraud.tables.io import read_table
        from entrepot.fraud.train.card import evaluation_of
        from entrepot.fraud.train.training import train
        from entrepot.registry.names import check_name

        check_name(name)
        models = None
        if out is None:  # a registry that cannot take the model fails now, not after
            models = self.models(user)
            models.list()
        result = train(
            read_table(file),
            target,
            time_budget=time_budget,
            cost_ratio=cost_ratio,
            seed=seed,
            n_jobs=jobs,
            progress=progress,
            clock=self.new_clock(),
            on_progress=on_progress,
            **evaluation_of(label_delay_days, keep_columns, cards_per_day).arguments(),
        )
        if models is None:
            assert out is not None
            from entrepot.fraud.model.trust import sign_folder

            folder = result.save(out / name)["model"].parent
            ring = self.keys()
            if ring is not None:
                sign_folder(folder, ["model.joblib"], ring)
            return Trained(result, folder=folder)
        from entrepot.storage.hashing import sha256_file

        version = register_trained(
            models,
            result,
            name,
            lineage={"file": file.name[:200], "file_sha256": sha256_file(file)},
            tags={"source": "cli"},
        )
        return Trained(result, version=version)

    def build_references(
        self,
        into: Path | None,
        *,
        count: int,
        rows: int,
        min_frauds: int,
        time_budget: float,
        seed: int,
        jobs: int,
        progress: Callable[[ReferenceSpec, str], None],
    ) -> BuildReport:
        """Generate the reference datasets and train one model each; skips those present."""
        from entrepot.fraud.library.build import build_references

        return build_references(
            self.library(into),
            count=count,
            rows=rows,
            min_frauds=min_frauds,
            time_budget=time_budget,
            seed=seed,
            n_jobs=jobs,
            progress=progress,
            clock=self.new_clock(),
        )

    def match(self, file: Path, *, library: Path | None, top: int) -> MatchResult:
        """The reference models whose inputs the file's columns can feed (no candidate is
        a result too: :meth:`refusal` says why)."""
        from entrepot.fraud.match.description import describe
        from entrepot.fraud.score.assemble import match_upload
        from entrepot.fraud.tables.io import read_table

        return match_upload(describe(read_table(file)), self.library(library), top=top)

    @staticmethod
    def refusal(result: MatchResult, file: Path) -> FraudError:
        """The error for a match without candidates."""
        from entrepot.fraud.score.assemble import refusal

        return refusal(result, str(file))

    def score(
        self,
        file: Path,
        out: Path,
        *,
        model: str | None,
        ensemble: bool,
        library: Path | None,
        user: str | None,
        save_ensemble: Path | None,
        explain: bool,
        threads: int,
        history: Path | None = None,
        late_labels: str | None = None,
    ) -> Scored:
        """Score every row of ``file`` into ``out``: probability, prediction, risk level,
        anomaly score, explanation; a library's use of each member is counted. Scored by
        ``model`` or by the ``ensemble`` of the library's best matches (see
        :class:`ModelChoice`).

        Late labels (``entrepot.fraud.score.known_labels``): ``history``, a labelled file
        of earlier transactions with ``file``'s columns; ``late_labels``, the column of
        ``file`` holding the labels confirmed so far (empty cells: not known yet)."""
        from entrepot.fraud.match.description import describe
        from entrepot.fraud.score.scoring import score, write_scores
        from entrepot.fraud.tables.io import read_table
        from entrepot.fraud_service.estimate import estimate, file_labels, label_of, realised
        from entrepot.fraud_service.known import known_labels, known_labels_summary
        from entrepot.fraud_service.summary import summarize, trust

        choice = ModelChoice(model, ensemble, library, user)
        choice.check()
        frame = read_table(file)
        before = None if history is None else read_table(history)
        scored_frame, known = known_labels(frame, before, late_labels)
        upload = describe(scored_frame)
        chosen = self._chosen(choice, upload, file, scored_frame, count_use=True, known=known)
        scores = score(
            scored_frame, chosen, upload=upload, explain=explain, threads=threads, known=known
        )
        write_scores(scores, out)
        if save_ensemble is not None:
            chosen.save(save_ensemble, self.keys())
        flagged = scores["prediction"].to_numpy() == 1
        if late_labels is not None and known is not None and known.rows is not None:
            real = realised(flagged, known.rows, "late_labels", late_labels)
        else:
            label = label_of(frame)
            own = file_labels(frame, label)
            real = None if own is None else realised(flagged, own, "label", label)
        found = estimate(scores, chosen.threshold, real, chosen.level_error, chosen.unfamiliar)
        summary = known_labels_summary(known, chosen)
        return Scored(
            chosen,
            scores,
            out,
            save_ensemble,
            found,
            summary,
            trust(chosen),
            summarize(scores, chosen),
        )

    def evaluate(
        self,
        file: Path,
        *,
        model: str | None,
        ensemble: bool,
        library: Path | None,
        user: str | None,
        target: str | None,
    ) -> dict[str, Any]:
        """Score a labelled file and measure the scores against its labels."""
        from entrepot.fraud.match.description import describe
        from entrepot.fraud.schema.analysis import analyze, require_target
        from entrepot.fraud.score.scoring import evaluate_frame
        from entrepot.fraud.tables.io import read_table

        choice = ModelChoice(model, ensemble, library, user)
        choice.check()
        frame = read_table(file)
        label = require_target(analyze(frame, target=target))
        unlabelled = frame.drop(columns=[label])
        upload = describe(unlabelled)
        chosen = self._chosen(choice, upload, file, unlabelled, count_use=False)
        return evaluate_frame(frame, chosen, target=label, upload=upload)

    def _chosen(
        self,
        choice: ModelChoice,
        upload: Upload,
        file: Path,
        frame: Any,
        *,
        count_use: bool,
        known: KnownLabels | None = None,
    ) -> Any:
        """The model or the ensemble fitted to ``frame`` (its rows without a label), as it
        will score it: reading ``known``'s late labels, weighed on its labelled history."""
        from entrepot.fraud.score.assemble import from_library
        from entrepot.fraud.score.fit import CANDIDATES, fit_to_file

        if choice.model is not None:
            return self._single(choice.model, upload, choice.user)
        found = self.library(choice.library)
        candidates, _ = from_library(upload, found, top=CANDIDATES, what=str(file))
        chosen, _ = fit_to_file(candidates, frame, upload, known)
        if count_use:
            for member in chosen.members:
                found.record_use(member.name, min(member.similarity, 1.0))
        return chosen

    def _single(self, model: str, upload: Upload, user: str | None) -> Ensemble:
        """The one-member ensemble of ``model``: a registry model for a bare
        ``NAME[@VERSION]`` (in ``user``'s models if given), a folder for a path (one with a
        ``/``), so that a folder that happens to bear a model's name never shadows it."""
        from entrepot.fraud.score.assemble import from_folder
        from entrepot.fraud.score.registered import load_scorer

        if "/" not in model and "\\" not in model:  # a bare name is the registry's, always
            return load_scorer(self.models(user), model, None, upload)
        path = Path(model)
        if not path.is_dir():
            raise FraudError(
                f"{model} is not a model folder",
                hint="give a folder written by `entrepot fraud train --out` or `score "
                "--save-ensemble`, or a registry model as NAME[@VERSION] (see "
                "`entrepot models ls`)",
            )
        return from_folder(path, upload, self.keys())
