"""A table held on disk in slices (``entrepot.fraud.tables.sliced``) scored in parts by
entity, never whole in memory (issue 40 item 3; ADR 0127).

The parts are the ones ``pipeline.partitioned`` cuts from the table in memory: the same
entity columns read whole (those columns alone), the same cuts, each part the same rows
of the same columns. The table is then read once more, a slice at a time, each slice's
rows routed to the parts of both cuts (:meth:`SlicedTable.route`); each part is read back
when its turn comes, scored where a worker is, and its scores held on disk until the
table's are read back a slice at a time, in its order (``fraud.score.spilled_scores``,
ADR 0129): the same bits as the table scored whole, in process or over any number of
workers."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from entrepot.freed_memory import give_back
from entrepot.pools import Pool

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import numpy as np
    import pandas as pd

    from entrepot.fraud.score.parts_on_disk import PartRows, PartsOnDisk
    from entrepot.fraud.score.scoring import Candidates, Explanations
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.fraud.tables.sliced import SlicedTable
    from entrepot.fraud_service.pipeline.part_tasks import PartScoring

__all__ = ["score_sliced"]


def score_sliced(
    table: SlicedTable,
    shared: PartScoring,
    pool: Pool,
    count: int,
    entities: tuple[list[str], list[str]],
    explained: Explanations,
    tally: Callable[[pd.DataFrame], Mapping[str, int]] | None = None,
) -> tuple[SpilledScores, dict[str, Any]]:
    """``table``'s scores in at least ``count`` parts over ``pool``, cut by ``entities``
    (the own entity columns and the counterparties read with them, as
    ``pipeline.partitioned.score_spread`` chose them), held on disk but for the figures'
    columns (the caller closes them), and the facts of the parts (but whether a pool was
    given: the caller's); ``tally``: the counts each part's scores add
    (``SpilledScores.tallied``)."""
    from entrepot.fraud.score.counterparty_cut import cut_roles, read_columns
    from entrepot.fraud.score.partitions import cut_by_entity, part_columns
    from entrepot.fraud.score.parts_on_disk import PartsOnDisk
    from entrepot.fraud.score.sliced_cut import cut_in_slices
    from entrepot.fraud_service.pipeline.part_tasks import explain_once

    ensemble, upload = shared.ensemble, shared.upload
    columns = [str(c) for c in table.columns]
    sent = part_columns(ensemble, upload.id_columns, columns)
    roles = cut_roles(table.head(0), ensemble)
    own, around = entities if roles is None else (roles[0], [])
    # each cut's parts on disk once cut (ADR 0134): no array of the table's rows is held
    # through the counterparty features and the parts' scoring (at 20M rows, 180 MB)
    if around:  # each part joined its counterparties' rows: the entity columns' codes whole
        read = table.codes_of(list(dict.fromkeys([*own, *around])))
        parts = PartsOnDisk(cut_by_entity(read, own, around, count, coded=True), table.starts)
        del read
    else:  # cut a slice at a time, no code a row of the table held (ADR 0137)
        parts = cut_in_slices(table, own, count)
    cuts = [(parts.row_sets(), sent)]
    if roles is not None:  # two cuts: the counterparty features made in the other
        other = cut_in_slices(table, roles[1], count)
        cuts.append((other.row_sets(), read_columns(ensemble, columns)))
        del other
    give_back()  # the cuts' codes and slices: the routed pieces next
    made = len(cuts)
    scores, offered = _scored(table, shared, pool, parts, cuts, tally)
    # the counterparty cut, the routed features' places and the parts' pieces, gone with
    # the call: not held through the explanations and the figures (at 20M rows, 500 MiB)
    del cuts
    give_back()  # the parts' arrays, freed for good: the explanations and the writing next
    try:
        explain_once(scores, offered, parts, shared, explained, pool)
    except BaseException:
        scores.close()
        raise
    return scores, {
        "parts": len(parts),
        "in_process": None,
        "cuts": made,
        "rows_read": sum(parts.size(number) for number in range(len(parts))),
    }


def _scored(
    table: SlicedTable,
    shared: PartScoring,
    pool: Pool,
    parts: PartsOnDisk,
    cuts: list[tuple[PartRows, list[str]]],
    tally: Callable[[pd.DataFrame], Mapping[str, int]] | None,
) -> tuple[SpilledScores, list[Candidates | None]]:
    """The ``parts`` (the first of the ``cuts``) scored over ``pool`` from their pieces
    routed from ``table``; in two cuts, each given its counterparty features, made first
    in the second cut's parts and held on disk (``counterparty_cut.RoutedMade``), the
    second cut taken out of ``cuts`` once its features are made."""
    import numpy as np

    from entrepot.fraud.score.counterparty_cut import RoutedMade
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.fraud_service.pipeline.part_tasks import made_apart, score_part, scored_parts

    taking = table.route(cuts, parsed_times(shared))
    with ExitStack() as held:
        routed = None
        if len(cuts) > 1:
            routed = held.enter_context(RoutedMade(cuts[0][0], table.rows))
            # the counterparty cut (its parts on disk) let go once its features are made,
            # not held while the customer cut's parts score
            made_apart(pool, shared, taking.pop(), cuts.pop()[0], routed)
            give_back()  # the features' buffers and the cut's rows: the parts' arrays next

        def item(i: int) -> tuple[pd.DataFrame, np.ndarray, list[dict[str, np.ndarray]] | None]:
            given = None if routed is None else routed.given(i)
            return taking[0](i), np.flatnonzero(parts[i].own), given

        into = SpilledScores(parts, tally=tally)
        try:
            return scored_parts(pool, score_part, shared, parts, item, into)
        except BaseException:
            into.close()
            raise


def parsed_times(shared: PartScoring) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Each routed slice with the file's time columns that every member reading them reads
    as its model's time parsed as the parts would parse them (``score.file_instants``):
    routed parsed, once for both cuts, instead of as text parsed in each part of each cut
    (and sent to a worker as eight bytes a row, not its text). A column the scores carry
    (an id) is routed as read."""
    from functools import partial

    from entrepot.fraud.score.file_instants import file_instants

    upload = shared.upload
    read: dict[str, bool] = {}
    for member, model in zip(shared.ensemble.members, shared.ensemble.models, strict=True):
        timestamp = model.features.spec.timestamp
        for column, mine in member.mapping.items():
            read[column] = read.get(column, True) and mine == timestamp
    times = [c for c, as_time in read.items() if as_time and c not in upload.id_columns]
    return partial(file_instants, columns=times, upload=upload)
