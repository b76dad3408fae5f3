"""What a part of a table scored by entity runs, where a worker is (issue 40, item 3; ADR
0086): a part scored (:func:`score_part`), a part of the counterparty cut made
(:func:`counterparty_part`), a slice of the explained rows explained
(:func:`explain_part`), each sent :class:`PartScoring` once; and the table's explained
rows explained once over the pool (:func:`explain_once`). Both ways of cutting a table
run them: from a table in memory (``pipeline.partitioned``) and from its slices on disk
(``pipeline.sliced_parts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from entrepot.messages import Message
from entrepot.pools import OnDemand, Pool, run_each

__all__ = [
    "EXPLAIN_LIMIT",
    "PartScoring",
    "counterparty_part",
    "explain_once",
    "explain_part",
    "made_apart",
    "score_part",
    "scored_parts",
]

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    import pandas as pd

    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.score.counterparty_cut import Made, RoutedMade
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.merged_scores import MergedScores
    from entrepot.fraud.score.partitions import Part
    from entrepot.fraud.score.scoring import Candidates, Explanations
    from entrepot.fraud.score.spilled_scores import SpilledScores

#: What a table's scored parts are put into: merged in memory, or held on disk.
S = TypeVar("S", "MergedScores", "SpilledScores")

#: The most rows a table explains (``entrepot.fraud.score.scoring.score``'s default).
EXPLAIN_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class PartScoring:
    """What every part is scored with: sent once to each worker."""

    ensemble: Ensemble
    upload: Upload
    explain: bool
    threads: int


def counterparty_part(shared: PartScoring, part: pd.DataFrame) -> list[Made]:
    """One part of the counterparty cut's features (run on a worker)."""
    from entrepot.fraud.score.counterparty_cut import counterparty_columns

    return counterparty_columns(part, shared.ensemble, shared.upload)


def made_apart(
    pool: Pool,
    shared: PartScoring,
    taking: Callable[[int], pd.DataFrame],
    around: Sequence[np.ndarray],
    routed: RoutedMade,
) -> None:
    """Each member's counterparty features made in the counterparty cut's parts (their
    rows ``around``, table positions, each read by ``taking(i)``) over ``pool``, routed to
    ``routed`` as each part is back (one part's features held at a time), and the routing
    sealed: where each row goes is let go before the customer cut's parts score, and the
    cut's rows with the caller's call (ADR 0119)."""

    def made(i: int, found: list[Made]) -> None:
        routed.put(found, around[i])

    run_each(pool, counterparty_part, shared, OnDemand(len(around), taking), made)
    routed.seal()


def explain_once(
    scores: MergedScores | SpilledScores,
    offered: list[Candidates | None],
    parts: Sequence[Part],
    shared: PartScoring,
    explained: Explanations,
    pool: Pool,
) -> None:
    """With ``shared.explain``, the table's explained rows explained once (each part
    offered its candidates' rows and feature rows, never explained them), in as many
    slices as parts over ``pool`` (a row's explanation reads its own row alone), their
    texts put in the scores' ``explanation`` column before its text is made (merged or
    read back from disk), and ``explained`` as one process gives them."""
    import numpy as np

    from entrepot.fraud.score.partitions import candidate_rows, candidate_table
    from entrepot.fraud.score.scoring import explained_rows
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.i18n.messages import english_parts

    if not shared.explain:
        return
    # on disk, the probabilities are read a slice at a time (ADR 0136)
    proba = (
        scores.column("fraud_probability")
        if isinstance(scores, SpilledScores)
        else scores.values("fraud_probability")
    )
    rows = explained_rows(proba, shared.ensemble.threshold, EXPLAIN_LIMIT)
    if not len(rows):
        return
    matrices = candidate_rows(offered, parts, rows)
    table = candidate_table(offered, parts, rows)
    cuts = np.array_split(np.arange(len(rows)), min(len(parts), len(rows)))

    def item(i: int) -> tuple[pd.DataFrame, list[np.ndarray]]:
        at = cuts[i]
        return table.take(at), [x[at] for x in matrices]

    found = [
        said
        for slice_ in pool.run(explain_part, shared, OnDemand(len(cuts), item))
        for said in slice_
    ]
    explained.update(zip(rows.tolist(), found, strict=True))
    scores.put_texts("explanation", rows, [english_parts(said) for said in found])


def explain_part(
    shared: PartScoring, item: tuple[pd.DataFrame, list[np.ndarray]]
) -> list[tuple[Message, ...]]:
    """A slice of the explained rows explained (run on a worker): ``item`` is their rows of
    the table and each member's feature rows for them."""
    import numpy as np

    from entrepot.fraud.score.scoring import explain_rows

    table, matrices = item
    table = table.reset_index(drop=True)
    return explain_rows(table, np.arange(len(table)), matrices, shared.ensemble, shared.upload)


def score_part(
    shared: PartScoring, item: tuple[pd.DataFrame, np.ndarray, list[dict[str, np.ndarray]] | None]
) -> tuple[pd.DataFrame, Candidates | None]:
    """One part's own rows' scores (run on a worker), and the rows its table may explain
    with their feature rows (explained once, over the table: :func:`_explain_once`):
    ``item`` is the part's rows, the positions of its own among them (the others, its
    counterparties' rows, are read as history alone) and, in two cuts, each member's
    counterparty features of the part's rows."""
    from entrepot.fraud.score.scoring import score

    part, own, given = item
    offered: list[Candidates] = []
    scores = score(
        part.reset_index(drop=True),
        shared.ensemble,
        upload=shared.upload,
        explain=shared.explain,
        explain_limit=EXPLAIN_LIMIT,
        threads=shared.threads,
        keep=None if given is not None else own,
        deferred=offered,
        given=given,
    )
    return scores, offered[0] if offered else None


#: What :func:`score_part` is given for a part: its rows, its own rows' positions among
#: them and, in two cuts, each member's counterparty features of its rows.
PartItem = tuple["pd.DataFrame", "np.ndarray", "list[dict[str, np.ndarray]] | None"]


def scored_parts(
    pool: Pool,
    task: Callable[[PartScoring, PartItem], tuple[pd.DataFrame, Candidates | None]],
    shared: PartScoring,
    parts: Sequence[Part],
    item: Callable[[int], PartItem],
    into: S,
) -> tuple[S, list[Candidates | None]]:
    """Each of ``parts`` scored by ``task`` (:func:`score_part`) over ``pool``, its item made
    when asked for (``item(i)``), its scores put ``into`` the table's as each comes back
    (merged in memory or held on disk; the part's then let go), and the candidates each
    offered for the explanations, kept to the table's :data:`EXPLAIN_LIMIT` most probable
    as they come (``fraud.score.kept_candidates``)."""
    from entrepot.fraud.score.kept_candidates import KeptCandidates

    scores = into
    kept = KeptCandidates(parts, EXPLAIN_LIMIT)

    def back(i: int, scored: tuple[pd.DataFrame, Candidates | None]) -> None:
        scores.put(i, scored[0])  # written to its rows' places, the part's let go
        kept.put(i, scored[1], scored[0]["fraud_probability"].to_numpy())

    run_each(pool, task, shared, OnDemand(len(parts), item), back)
    return scores, kept.offered
