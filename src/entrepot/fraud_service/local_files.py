"""The fraud engine on local files, as ``entrepot fraud`` runs it: generate, analyse,
train, build the references, match, score and evaluate, each one call.

Where models and references are kept is given, never looked up here: ``models(user)`` is
the shared model registry or an account's (a :class:`FraudError` when there is none, as
for ``entrepot fraud`` run on its own), ``library(folder)`` the reference library (a
folder when one is named). :mod:`entrepot.bootstrap.local_fraud` builds both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from entrepot.fraud.errors import FraudError
from entrepot.fraud.train.clocks import ClockFactory, wall_clock
from entrepot.fraud_service.local_results import Generated, Scored, Trained, sheet_facts
from entrepot.fraud_service.local_tables import local_analysis, local_scored_table, local_table
from entrepot.local_paths import output_file
from entrepot.messages import N_, Message
from entrepot.settings.fraud import FraudSettings

if TYPE_CHECKING:
    from entrepot.fraud.library.build import BuildReport, ReferenceSpec
    from entrepot.fraud.match.matching import MatchResult
    from entrepot.fraud.schema.analysis import Analysis
    from entrepot.fraud.synth.domains import Domain
    from entrepot.fraud.tables.sliced import SlicedTable
    from entrepot.fraud_service.pipeline.partitioned import Pool
    from entrepot.fraud_service.pipeline.scorers import Scorer
    from entrepot.registry.keyring import KeyRing
    from entrepot.registry.service import Registry

#: The model registry to use: the shared one (``None``) or the account an email or id names.
ModelsOf = Callable[[str | None], "Registry"]
#: The reference library: the folder given, else the configured one.
LibraryOf = Callable[[Path | None], Any]
#: The installation's key ring, or ``None`` without an installation.
KeysOf = Callable[[], "KeyRing | None"]
#: The workers a scoring's rows or a training's trials are spread over for ``--workers N``
#: (``None``: in process).
PoolOf = Callable[[int], AbstractContextManager["Pool | None"]]


def _in_process(workers: int) -> AbstractContextManager[Pool | None]:
    """No pool: every row scored in this process."""
    return nullcontext(None)


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
                said=Message(N_("error.fraud.model_or_ensemble")),
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
    #: The workers ``score --workers N`` spreads its rows over, and ``train --workers N``
    #: its search's trials (``bootstrap.cluster``).
    pools: PoolOf = _in_process
    #: The fraud settings, read where a command names no size or budget (the reference
    #: sizes, the training budget: what the service's builds and trainings read too).
    settings: Callable[[], FraudSettings] = FraudSettings

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

    def analyze(
        self,
        file: Path,
        *,
        target: str | None,
        time_column: str | None = None,
        entity_columns: Sequence[str] = (),
        sheet: str | None = None,
    ) -> Analysis:
        """Each column's role, the label and its candidates, the fraud rate (the time
        column and the entities the user's, when given), the workbook's sheet read."""
        return local_analysis(
            file, target=target, time_column=time_column, entity_columns=entity_columns, sheet=sheet
        )

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
        time_column: str | None = None,
        entity_columns: Sequence[str] = (),
        sheet: str | None = None,
        workers: int = 1,
        data_parallel: bool = False,
    ) -> Trained:
        """Train on a labelled file; save it in the folder ``out`` (signed) or register it
        as a new version
        of ``name`` (the file's sha256 as lineage); ``label_delay_days``, ``keep_columns``
        and ``cards_per_day`` as :func:`~entrepot.fraud.train.training.train` takes them,
        and ``on_progress(done, total)``: the seconds of the budget spent; ``workers``:
        the search's trials over that many workers (the same model on a step clock);
        ``data_parallel``: one LightGBM fit over them instead (approximate).
        The registry's name rule and the registry itself are checked before any
        training."""
        from entrepot.fraud.library.trained import register_trained
        from entrepot.fraud.tables.handed import HandedTable
        from entrepot.fraud.train.card import evaluation_of
        from entrepot.fraud_service.job_payloads import SearchOptions
        from entrepot.fraud_service.pipeline.training import train_table
        from entrepot.registry.names import check_name

        check_name(name)
        models = None
        if out is None:  # a registry that cannot take the model fails now, not after
            models = self.models(user)
            models.list()
        frame = local_table(file, sheet)
        sheet_read = sheet_facts(frame)
        table = HandedTable(frame)
        del frame  # handed over: the table goes once featured
        result = train_table(
            table,
            target,
            search=SearchOptions(time_budget, cost_ratio, seed, jobs),
            evaluation=evaluation_of(
                label_delay_days, keep_columns, cards_per_day, time_column, entity_columns
            ),
            clock=self.new_clock(),
            progress=progress,
            on_progress=on_progress,
            pools=lambda: self.pools(workers),
            device=self.settings().training_device,
            data_parallel=data_parallel,
        )
        if models is None:
            assert out is not None
            from entrepot.fraud.model.trust import sign_folder

            folder = result.save(out)["model"].parent
            ring = self.keys()
            if ring is not None:  # the user's own key at least, under the CLI (ADR 0082)
                sign_folder(folder, ["model.joblib"], ring)
            return Trained(result, folder=folder, sheet=sheet_read)
        from entrepot.storage.hashing import sha256_file

        version = register_trained(
            models,
            result,
            name,
            lineage={"file": file.name[:200], "file_sha256": sha256_file(file)},
            tags={"source": "cli"},
        )
        return Trained(result, version=version, sheet=sheet_read)

    def build_references(
        self,
        into: Path | None,
        *,
        count: int,
        rows: int | None,
        min_frauds: int | None,
        time_budget: float | None,
        seed: int,
        jobs: int,
        progress: Callable[[ReferenceSpec, str], None],
    ) -> BuildReport:
        """Generate the reference datasets and train one model each; skips those present.
        A size left ``None`` is the ``reference_*`` setting's."""
        from entrepot.fraud.library.build import build_references

        found = self.settings()
        return build_references(
            self.library(into),
            count=count,
            rows=found.reference_rows if rows is None else rows,
            min_frauds=found.reference_min_frauds if min_frauds is None else min_frauds,
            time_budget=found.reference_budget if time_budget is None else time_budget,
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

        return match_upload(describe(local_table(file)), self.library(library), top=top)

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
        workers: int = 1,
        sheet: str | None = None,
    ) -> Scored:
        """Score every row of ``file`` into ``out``: probability, prediction, risk level,
        anomaly score, explanation; a library's use of each member is counted. Scored by
        ``model`` or by the ``ensemble`` of the library's best matches (see
        :class:`ModelChoice`), through the one scoring pipeline the job handlers run
        (:func:`~entrepot.fraud_service.pipeline.scoring.score_frame`).

        Late labels (``entrepot.fraud.score.known_labels``): ``history``, a labelled file
        of earlier transactions with ``file``'s columns; ``late_labels``, the column of
        ``file`` holding the labels confirmed so far (empty cells: not known yet).

        ``workers``: more than one spreads the rows over that many workers (the configured
        scheduler's, else local processes) in as many parts by entity: the same bytes."""
        from entrepot.fraud.score.written import write_scores
        from entrepot.fraud.tables.handed import HandedTable
        from entrepot.fraud.tables.sliced import SlicedTable
        from entrepot.fraud_service.estimate import label_of, sliced_label
        from entrepot.fraud_service.pipeline.partitioned import Spread
        from entrepot.fraud_service.pipeline.scoring import LabelsGiven, score_frame

        choice = ModelChoice(model, ensemble, library, user)
        choice.check()
        found = local_scored_table(file, sheet)
        with ExitStack() as held:
            table: HandedTable | SlicedTable
            if isinstance(found, SlicedTable):  # a large CSV, never whole (ADR 0127)
                table = held.enter_context(found)
                facts: dict[str, Any] = {}
                label = sliced_label(found) if late_labels is None else None
            else:
                facts = sheet_facts(found)
                label = label_of(found) if late_labels is None else None
                table = HandedTable(found)  # let go once its parts are cut (ADR 0123)
            del found
            before = None if history is None else local_table(history)
            with self.pools(workers) as pool:
                outcome = score_frame(
                    table,
                    self.scorer(choice),
                    labels=LabelsGiven(history=before, column=late_labels),
                    label=label,
                    what=str(file),
                    explain=explain,
                    threads=threads,
                    spread=Spread(pool, max(workers, 1)),
                )
            held.callback(outcome.close)  # scores held on disk, gone once written
            write_scores(outcome.scored, out)
        if save_ensemble is not None:
            outcome.ensemble.save(save_ensemble, self.keys())
        return Scored(
            outcome.ensemble,
            outcome.scored,
            out,
            save_ensemble,
            outcome.estimate,
            outcome.known_labels,
            outcome.trust,
            outcome.summary,
            outcome.spread,
            facts,
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
        workers: int = 1,
        sheet: str | None = None,
    ) -> dict[str, Any]:
        """Score a labelled file and measure the scores against its labels (the one
        evaluation the ``evaluate`` job runs); over ``workers`` workers when more than
        one, as :meth:`score`; a large CSV or Parquet file never whole (ADRs 0130, 0131)."""
        from entrepot.fraud.tables.sliced import SlicedTable
        from entrepot.fraud_service.pipeline.evaluation import evaluate_file
        from entrepot.fraud_service.pipeline.partitioned import Spread

        choice = ModelChoice(model, ensemble, library, user)
        choice.check()
        scorer = self.scorer(choice, count_use=False)  # a model not found: before any read
        found = local_scored_table(file, sheet)
        with self.pools(workers) as pool:
            spread = Spread(pool, max(workers, 1))
            measured = evaluate_file(found, scorer, target=target, what=str(file), spread=spread)
        return measured if isinstance(found, SlicedTable) else measured | sheet_facts(found)

    def scorer(self, choice: ModelChoice, *, count_use: bool = True) -> Scorer:
        """What scores a file as ``choice`` names it: a registry model for a bare
        ``NAME[@VERSION]`` (in ``choice.user``'s models if given), a folder for a path (one
        with a ``/``), so that a folder that happens to bear a model's name never shadows
        it; else the library's best matches (their use counted with ``count_use``)."""
        from entrepot.fraud_service.pipeline.scorers import ModelFolder, OneModel, References

        model = choice.model
        if model is None:
            return References(self.library(choice.library), count_use=count_use)
        if "/" not in model and "\\" not in model:  # a bare name is the registry's, always
            return OneModel(self.models(choice.user).open(model))
        return ModelFolder(Path(model), self.keys())
