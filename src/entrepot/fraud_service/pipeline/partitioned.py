"""A table's rows scored in parts by entity, over a pool of workers (issue 40, item 3;
ADR 0086): the table cut where each part holds whole entities
(``entrepot.fraud.score.partitions``), each part scored where a worker is, the scores
merged back in the table's order: the same bits as one process. Where the members read
both customers and counterparties, the table is cut twice, each row read once in each
cut (``entrepot.fraud.score.counterparty_cut``, ADR 0104): the counterparty features made
in parts cut by counterparty, the rest and the scores in parts cut by customer.

The pool is given (``Pool``: the composition root's Dask client, ``entrepot.bootstrap
.cluster``); the table was read once, through the store or from the local file, by the
caller, so the workers read nothing themselves. A table the features read no entity of,
scored with late labels, or by a pool whose file-fitted member (ADR 0085) reads the whole
file, is scored here, in process, and the facts say why.

A table of more than :data:`PART_ROWS` rows is cut in parts of at most about that many,
more parts than workers where it takes more (ADR 0111); without a pool, in process, its
parts scored one after the other (ADR 0110): the same bits, the arrays of each step a
part's, not the table's."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from entrepot.fraud_service.pipeline.part_tasks import (
    PartScoring,
    counterparty_part,
    explain_once,
    explain_part,
    made_apart,
    score_part,
    scored_parts,
)
from entrepot.freed_memory import give_back
from entrepot.messages import N_
from entrepot.pools import Here, Pool
from entrepot.spilled_parts import SpilledParts

__all__ = [
    "PartScoring",
    "Pool",
    "Spread",
    "counterparty_part",
    "explain_once",
    "explain_part",
    "score_part",
    "score_spread",
]

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import numpy as np
    import pandas as pd

    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.score.counterparty_cut import RoutedMade
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.known_labels import KnownLabels
    from entrepot.fraud.score.partitions import Part
    from entrepot.fraud.score.scoring import Explanations
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.fraud.tables.handed import HandedTable
    from entrepot.fraud.tables.sliced import SlicedTable

#: Why a table spread over workers was scored in process after all (message keys).
NO_ENTITY = N_("fraud.spread.no_entity")
LATE_LABELS = N_("fraud.spread.late_labels")
FILE_MEMBER = N_("fraud.spread.file_member")
#: About the most rows a part holds (a part holds whole entities), in process or on a
#: worker (ADRs 0110, 0111, 0122): a float64 column of a part stays within glibc's largest
#: threshold for mapping a block afresh (32 MiB), so the parts' arrays reuse the heap's
#: pages instead of faulting in new ones, and a worker's memory is a part's. Half a
#: million rather than a million: the peak 9-18 % lower for the same CPU in process, and
#: two workers' CPU lower (ADR 0122).
PART_ROWS = 500_000


@dataclass(frozen=True, slots=True)
class Spread:
    """Where a scoring runs: over ``pool`` in at least ``parts`` parts, or in process
    (``pool`` ``None``); in either, in parts of at most about ``part_rows`` rows."""

    pool: Pool | None = None
    parts: int = 1
    part_rows: int = PART_ROWS


def score_spread(
    table: pd.DataFrame | HandedTable | SlicedTable,
    ensemble: Ensemble,
    spread: Spread,
    *,
    upload: Upload,
    explain: bool,
    threads: int,
    explained: Explanations,
    known: KnownLabels | None,
    tally: Callable[[pd.DataFrame], Mapping[str, int]] | None = None,
) -> tuple[pd.DataFrame | SpilledScores, dict[str, Any]]:
    """``table``'s scores as :func:`~entrepot.fraud.score.scoring.score` gives them, and the
    facts of where they were computed (``workers``: parts run over a pool, ``parts``, and
    ``in_process``: the message key saying why the pool was not used, or ``None``).

    A table handed over (:class:`~entrepot.fraud.tables.handed.HandedTable`) and scored in
    parts is let go once its parts are cut: each part waits on disk for its turn
    (``entrepot.spilled_parts``, ADR 0123), and what the scoring holds is a part and the
    scores, not the table.

    A table on disk in slices (:class:`~entrepot.fraud.tables.sliced.SlicedTable`) scored
    in parts has its scores held on disk too (``pipeline.sliced_parts``): the caller reads
    them back and closes them; ``tally`` is what each part adds to their counts."""
    from entrepot.fraud.score.partitions import cut_by_entity, entity_columns, part_columns
    from entrepot.fraud.score.scoring import score
    from entrepot.fraud.tables.handed import taken
    from entrepot.fraud.tables.sliced import SlicedTable

    sliced = table if isinstance(table, SlicedTable) else None
    if sliced is None:
        frame, handed = taken(cast("pd.DataFrame | HandedTable", table))
        columns, rows = [str(c) for c in frame.columns], len(frame)
    else:
        columns, rows = [str(c) for c in sliced.columns], sliced.rows
    own, around = entity_columns(ensemble, columns)
    own, around = (own, around) if own else (around, [])
    why = LATE_LABELS if known is not None else NO_ENTITY if not own else None
    if why is None and ensemble.file_weight > 0:  # fitted on the whole file, not a part
        why = FILE_MEMBER
    pool, count = spread.pool, max(spread.parts, -(-rows // spread.part_rows))
    if pool is None and why is None and count > 1:
        pool = Here()
    shared = PartScoring(ensemble, upload, explain, threads)
    if sliced is not None and pool is not None and why is None:
        from entrepot.fraud_service.pipeline.sliced_parts import score_sliced

        on_disk, facts = score_sliced(sliced, shared, pool, count, (own, around), explained, tally)
        return on_disk, {**facts, "spread": spread.pool is not None}
    if sliced is not None:  # scored whole, in process: read whole, as before
        frame, handed = sliced.joined(), True
    if pool is None or why is not None:
        why = why if spread.pool is not None else None
        scores = score(
            frame,
            ensemble,
            upload=upload,
            explain=explain,
            threads=threads,
            explained=explained,
            known=known,
        )
        return scores, {"parts": 1, "spread": False, "in_process": why}
    from contextlib import ExitStack

    import numpy as np

    from entrepot.fraud.score.counterparty_cut import RoutedMade, cut_roles, read_columns
    from entrepot.fraud.score.merged_scores import MergedScores

    frame = frame.reset_index(drop=True)
    roles = cut_roles(frame, ensemble)
    with ExitStack() as held:
        if roles is None:  # one cut: each part reads its counterparties' whole history too
            parts = cut_by_entity(frame, own, around, count)
            routed = None
        else:  # two cuts: counterparty features made in one (held on disk), scores in the other
            parts = cut_by_entity(frame, roles[0], [], count)
            routed = held.enter_context(RoutedMade([part.rows for part in parts], len(frame)))
        if handed:
            give_back()  # the cut's codes and hashes: the parts' copies reuse no hole
        sent = frame[part_columns(ensemble, upload.id_columns, columns)]
        # the counterparty cut's columns alone (views of the table's): the rest can go
        narrow = None if roles is None else frame[read_columns(ensemble, columns)]
        del frame
        spilled: SpilledParts[pd.DataFrame] | None = (
            held.enter_context(SpilledParts()) if handed else None
        )
        taking = _part_tables(sent, parts, spilled)
        del sent
        if spilled is not None:
            give_back()  # the table's memory but the counterparty cut's columns, let go
        if narrow is not None and routed is not None and roles is not None:
            _counterparty_cut(narrow, roles[1], pool, count, shared, routed)
            del narrow
            if spilled is not None:
                give_back()  # its columns and the features' buffers: the parts' arrays next

        def item(i: int) -> tuple[pd.DataFrame, np.ndarray, list[dict[str, np.ndarray]] | None]:
            made = None if routed is None else routed.given(i)
            return taking(i), np.flatnonzero(parts[i].own), made

        scores, offered = scored_parts(pool, score_part, shared, parts, item, MergedScores(parts))
    give_back()  # the parts' arrays, freed for good: the explanations and the writing next
    # the explanations' texts put in before the merge's text is made; what it held let go
    explain_once(scores, offered, parts, shared, explained, pool)
    merged = scores.merged()
    read = sum(len(part.rows) for part in parts)
    return merged, {
        "parts": len(parts),
        "spread": spread.pool is not None,
        "in_process": None,
        "cuts": 1 if roles is None else 2,
        "rows_read": read,
    }


def _part_tables(
    sent: pd.DataFrame, parts: list[Part], spilled: SpilledParts[pd.DataFrame] | None
) -> Callable[[int], pd.DataFrame]:
    """How each part's rows of the table (``sent``: its columns a part reads) are taken:
    from it when asked for, or, where ``spilled`` is given, cut now, each held on disk
    until its turn, so that the table can be let go (``entrepot.spilled_parts``)."""
    if spilled is None:
        return partial(_rows_of, sent, parts)
    for part in parts:
        spilled.put(sent.take(part.rows))
    return spilled.take


def _counterparty_cut(
    sent: pd.DataFrame,
    counterparties: list[str],
    pool: Pool,
    parts: int,
    shared: PartScoring,
    routed: RoutedMade,
) -> None:
    """Each member's counterparty features of every row of ``sent`` (the table's columns
    those features read: ``counterparty_cut.read_columns``), made over ``pool`` in
    ``parts`` parts cut by the ``counterparties``, routed to ``routed`` as each part is
    back and the routing sealed (:func:`part_tasks.made_apart`, the sliced path's too): one
    part's features are held at a time, not the table's. Run after the scored parts are cut:
    a table handed over is by then let go but for these columns."""
    from entrepot.fraud.score.partitions import cut_by_entity

    cut = cut_by_entity(sent, counterparties, [], parts)
    made_apart(pool, shared, partial(_rows_of, sent, cut), [part.rows for part in cut], routed)


def _rows_of(table: pd.DataFrame, parts: list[Part], number: int) -> pd.DataFrame:
    """Part ``number``'s rows of ``table``, in its order."""
    return table.take(parts[number].rows)
