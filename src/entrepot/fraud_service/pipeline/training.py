"""Training on a labelled table, once for every door: the command line's ``fraud train`` on
a local file and the ``train`` job handler (a new model or a retraining with the analysts'
decisions) both call :func:`train_table`; where the model is kept afterwards (a folder, the
instance's registry, a user's) is the door's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from entrepot.fraud.train.card import Evaluation
from entrepot.fraud.train.training import train
from entrepot.pools import PoolOpener, no_pool

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.fraud.tables.handed import HandedTable
    from entrepot.fraud.train.clocks import Clock
    from entrepot.fraud.train.result import TrainingResult
    from entrepot.fraud_service.job_payloads import SearchOptions
    from entrepot.messages import Message


def train_table(
    frame: pd.DataFrame | HandedTable,
    target: str | None,
    *,
    search: SearchOptions,
    evaluation: Evaluation | None,
    clock: Clock,
    progress: Callable[[Message], None],
    on_progress: Callable[[int, int], None] | None = None,
    extra: pd.DataFrame | None = None,
    pools: PoolOpener = no_pool,
    device: str = "cpu",
    data_parallel: bool = False,
) -> TrainingResult:
    """The model search on ``frame`` (a table handed over goes as it is featured;
    ``target``: its label, else the one the analysis finds) as ``search`` and
    ``evaluation`` say (``None``: the engine's defaults), on the ``clock`` of its budget;
    ``extra``: rows analysts labelled, learnt from but never tested on; ``progress`` hears
    each step's message, ``on_progress(done, total)`` the budget spent; ``pools`` opens
    the workers the search's trials run on, for as long as the training runs
    (``no_pool``: here); ``device``: where XGBoost's trials boost (the
    ``training_device`` setting); ``data_parallel``: one LightGBM fit over those workers
    instead of the search (approximate)."""
    with pools() as pool:
        return train(
            frame,
            target,
            time_budget=search.time_budget,
            cost_ratio=search.cost_ratio,
            seed=search.seed,
            n_jobs=search.n_jobs,
            progress=progress,
            extra=extra,
            clock=clock,
            on_progress=on_progress,
            pool=pool,
            device=device,
            data_parallel=data_parallel,
            **(evaluation or Evaluation()).arguments(),
        )
