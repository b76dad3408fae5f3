"""A large CSV scored from its slices on disk, never whole in memory (issue 40 item 3; ADR
0127): the scores, the explanations and every figure of the table read whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.match.description import describe
from entrepot.fraud.score import spilled_scores
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.promise import ensemble_times, sliced_times
from entrepot.fraud.score.written import write_scores
from entrepot.fraud.tables.io import read_table
from entrepot.fraud.tables.sliced import SlicedTable
from entrepot.fraud_service.estimate import (
    file_labels,
    label_of,
    realised,
    sliced_label,
    sliced_realised,
)
from entrepot.fraud_service.pipeline import sliced_parts
from entrepot.fraud_service.pipeline.partitioned import Spread
from entrepot.fraud_service.pipeline.scoring import LabelsGiven, ScoringOutcome, score_frame
from tests.support.fraud import trained, training_frame
from tests.support.sliced_scoring import FittedScorer, GivenScorer, later_file, sliced
from tests.support.two_members import two_members


def _same(one: ScoringOutcome, other: ScoringOutcome) -> None:
    pd.testing.assert_frame_equal(one.scores, other.scores, check_exact=True)
    assert one.explained == other.explained and one.explained
    assert one.upload == other.upload
    assert one.realised == other.realised and one.realised is not None
    assert one.estimate == other.estimate
    assert one.summary == other.summary
    assert one.spread == other.spread


@pytest.mark.parametrize("part_rows", [300, 5000])
@pytest.mark.parametrize("history", [True, False])
def test_a_sliced_table_scores_as_the_table_read_whole(
    tmp_path: Path, part_rows: int, history: bool
) -> None:
    path, target = later_file(tmp_path)
    whole = read_table(path)
    scorer = GivenScorer(two_members(whole.drop(columns=[target]), history=history))
    spread = Spread(part_rows=part_rows)
    expected = score_frame(whole, scorer, label=target, spread=spread)
    with sliced(path) as table:
        assert sliced_label(table) == label_of(whole) == target
        found = score_frame(table, scorer, label=target, spread=spread)
    _same(found, expected)
    assert found.upload.rows == len(whole) == 1500


def test_the_sliced_parts_are_the_ones_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, target = later_file(tmp_path)
    called: list[int] = []
    scored = sliced_parts.score_sliced

    def counted(table: SlicedTable, *args: Any) -> Any:
        called.append(table.rows)
        return scored(table, *args)

    monkeypatch.setattr(sliced_parts, "score_sliced", counted)
    whole = read_table(path)
    scorer = GivenScorer(two_members(whole.drop(columns=[target]), history=True))
    with sliced(path) as table:
        found = score_frame(table, scorer, label=target, spread=Spread(part_rows=300))
    assert called == [1500] and found.spread["parts"] > 1 and found.spread["cuts"] == 2


def test_a_sliced_table_is_cut_a_slice_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 40 item 3): the cuts read the entity columns whole, then their
    codes whole (four bytes a row each, the cut's memory growing with the file); both cuts
    are made a slice at a time (ADR 0137), the entity columns never read whole, and the
    scores are those of the table read whole (above)."""
    from entrepot.fraud.score import partitions, sliced_cut
    from entrepot.fraud.tables.sliced import SlicedTable

    path, target = later_file(tmp_path)
    given: list[list[str]] = []
    cut = sliced_cut.cut_in_slices

    def spied(table: Any, columns: list[str], parts: int) -> Any:
        given.append(list(columns))
        return cut(table, columns, parts)

    def whole(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an entity column read whole")

    monkeypatch.setattr(sliced_cut, "cut_in_slices", spied)
    monkeypatch.setattr(partitions, "cut_by_entity", whole)
    monkeypatch.setattr(SlicedTable, "codes_of", whole)
    monkeypatch.setattr(SlicedTable, "column", whole)
    scorer = GivenScorer(two_members(read_table(path).drop(columns=[target]), history=True))
    with sliced(path) as table:
        found = score_frame(table, scorer, label=target, spread=Spread(part_rows=300))
    assert found.spread["cuts"] == 2
    assert len(given) == 2  # the customers' cut and the counterparties'
    assert given[0] != given[1] and all(given)


@pytest.mark.parametrize("why", ["late labels", "a pool fitted to the rows"])
def test_a_sliced_table_is_read_whole_where_its_rows_are_read(tmp_path: Path, why: str) -> None:
    path, target = later_file(tmp_path)
    whole = read_table(path)
    chooser = GivenScorer if why == "late labels" else FittedScorer
    scorer = chooser(two_members(whole.drop(columns=[target]), history=True))
    labels = LabelsGiven(column=target) if why == "late labels" else None
    spread = Spread(part_rows=300)
    expected = score_frame(whole, scorer, labels=labels, spread=spread)
    with sliced(path) as table:
        found = score_frame(table, scorer, labels=labels, spread=spread)
    pd.testing.assert_frame_equal(found.scores, expected.scores, check_exact=True)
    assert found.estimate == expected.estimate and found.spread == expected.spread


@pytest.mark.parametrize("where", ["first", "middle", "none"])
def test_the_label_of_a_sliced_table_is_the_whole_tables(tmp_path: Path, where: str) -> None:
    frame, target = training_frame()
    frame = frame.iloc[:1500]
    flags = frame.pop(target)
    rng = np.random.default_rng(0)
    frame["bucket"] = rng.integers(0, 2, len(frame))  # two values, named as no label
    if where == "first":
        frame.insert(0, target, flags)
    elif where == "middle":
        frame.insert(3, target, flags)
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with sliced(path) as table:
        assert sliced_label(table) == label_of(read_table(path))
    assert label_of(read_table(path)) == (None if where == "none" else target)


def test_a_one_model_scoring_promises_of_a_sliced_table_what_of_the_table_read_whole(
    tmp_path: Path,
) -> None:
    """A one-model ensemble's card promises of the file (the rows' times parsed a slice at
    a time, never whole as text): the same row times, labels and promise as the table read
    whole, and every other figure."""
    path, target = later_file(tmp_path)
    whole = read_table(path)
    model = trained("lightgbm")
    ensemble = from_model(
        model, {}, {}, describe(whole.drop(columns=[target])), name="m", version="1"
    )
    scorer = GivenScorer(ensemble)
    spread = Spread(part_rows=300)
    expected = score_frame(whole, scorer, label=target, spread=spread)
    with sliced(path) as table:
        times = sliced_times(ensemble, table)
        read_whole = ensemble_times(ensemble, table.columns_of(list(table.columns)), None)
        found = score_frame(table, scorer, label=target, spread=spread)
    assert times is not None and read_whole is not None
    seconds = np.asarray(times.seconds)  # on disk (ADR 0134): read back whole here
    np.testing.assert_array_equal(seconds, read_whole.seconds)
    np.testing.assert_array_equal(times.labels, read_whole.labels)
    assert len(times.labels) and (seconds != np.iinfo(np.int64).min).all()
    assert found.expected is not None and found.expected == expected.expected
    pd.testing.assert_frame_equal(found.scores, expected.scores, check_exact=True)
    assert found.estimate == expected.estimate and found.summary == expected.summary


@pytest.mark.parametrize("kind", ["numbers", "words"])
def test_the_labels_of_a_sliced_table_counted_a_slice_at_a_time_are_the_whole_tables(
    tmp_path: Path, kind: str
) -> None:
    """Regression (issue 40 item 3): a sliced table's labels were made from its whole
    column and held through the figures; counted a slice at a time, the realised figures
    are the whole read's, missing labels and a label in words included."""
    frame, target = training_frame()
    frame = frame.iloc[:1500].copy()
    flags = frame[target].astype(int).to_numpy()
    frame[target] = np.where(flags == 1, " Yes", "no") if kind == "words" else flags * 1.0
    frame[target] = frame[target].astype(object)
    frame.loc[frame.index[::37], target] = None
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    labels = file_labels(read_table(path), target)
    flagged = np.random.default_rng(5).random(len(frame)) < 0.3
    with sliced(path) as table:
        found = sliced_realised(table, target, flagged)
        assert sliced_realised(table, "amount", flagged) is None  # not two values: no label
    assert labels is not None and found is not None
    assert found == realised(flagged, labels, "label", target)
    assert found["labelled_rows"] == len(frame) - len(frame.index[::37]) and found["frauds"] > 10


@pytest.mark.parametrize("slice_rows", [97, 1 << 20])
def test_a_sliced_tables_scores_held_on_disk_write_the_whole_reads_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_rows: int
) -> None:
    """Issue 40 item 3 (ADR 0129): a sliced table's scores are held on disk but for the
    figures' columns, and written a slice of rows at a time: the file's bytes, the
    explanations and every figure of the table read whole and merged in memory."""
    monkeypatch.setattr(spilled_scores, "SLICE_ROWS", slice_rows)
    path, target = later_file(tmp_path)
    whole = read_table(path)
    scorer = GivenScorer(two_members(whole.drop(columns=[target]), history=True))
    spread = Spread(part_rows=300)
    expected = score_frame(whole, scorer, label=target, spread=spread)
    with sliced(path) as table:
        found = score_frame(table, scorer, label=target, spread=spread)
    assert isinstance(found.scored, spilled_scores.SpilledScores)
    assert isinstance(expected.scored, pd.DataFrame)
    written = write_scores(found.scored, tmp_path / "spilled.csv")
    found.close()
    assert written.read_bytes() == write_scores(expected.scores, tmp_path / "w.csv").read_bytes()
    assert found.summary == expected.summary and found.estimate == expected.estimate
    assert found.realised == expected.realised and found.explained == expected.explained
    assert found.summary["flagged"] == int(expected.scores["prediction"].sum()) > 0


def test_a_sliced_tables_row_times_wait_on_disk(tmp_path: Path) -> None:
    """Regression (issue 40 item 3; ADR 0134): a sliced table's row instants were held in
    memory through the figures (8 bytes a row: 160 MB at 20M rows); they wait on disk and
    are read back a slice at a time, the same instants."""
    import gc

    path, target = later_file(tmp_path)
    whole = read_table(path)
    model = trained("lightgbm")
    ensemble = from_model(
        model, {}, {}, describe(whole.drop(columns=[target])), name="m", version="1"
    )
    with sliced(path) as table:
        expected = ensemble_times(ensemble, table.columns_of(list(table.columns)), None)
        times = sliced_times(ensemble, table)
    assert times is not None and expected is not None
    held, seen, todo = [], set(), [times.seconds]
    while todo:  # every array the instants hold, however deep
        item = todo.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            held.append(item.size)
        todo.extend(gc.get_referents(item))
    assert len(times.seconds) == table.rows and max(held, default=0) < table.rows
    np.testing.assert_array_equal(times.seconds[0 : table.rows], expected.seconds)
    np.testing.assert_array_equal(times.seconds[7:1000], expected.seconds[7:1000])


def test_a_sliced_tables_figures_read_the_scores_a_slice_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 40 item 3; ADR 0136): the figures (the estimate, the promise, the
    summary, the realised figures, the rows to explain) put the probability and the
    prediction of every row in the table's order (9 bytes a row: 180 MB at 20M rows); they
    read them a slice at a time from their pieces on disk, the figures of the table read
    whole, in slices of 97 rows."""
    from entrepot.fraud.score import expected, promise_rows, row_slices

    for module in (spilled_scores, row_slices, promise_rows, expected):
        monkeypatch.setattr(module, "SLICE_ROWS", 97)
    path, target = later_file(tmp_path)
    whole = read_table(path)
    scorer = GivenScorer(two_members(whole.drop(columns=[target]), history=True))
    spread = Spread(part_rows=300)
    expected_outcome = score_frame(whole, scorer, label=target, spread=spread)

    def whole_column(self: spilled_scores.SpilledScores, name: str) -> np.ndarray:
        raise AssertionError(f"{name} put whole in the table's order")

    monkeypatch.setattr(spilled_scores.SpilledScores, "values", whole_column)
    with sliced(path) as table:
        found = score_frame(table, scorer, label=target, spread=spread)
    assert isinstance(found.scored, spilled_scores.SpilledScores)
    written = write_scores(found.scored, tmp_path / "spilled.csv")
    found.close()
    assert (
        written.read_bytes()
        == write_scores(expected_outcome.scores, tmp_path / "w.csv").read_bytes()
    )
    assert found.summary == expected_outcome.summary and found.estimate == expected_outcome.estimate
    assert found.realised == expected_outcome.realised is not None
    assert found.explained == expected_outcome.explained and found.explained
    assert found.summary["mean_probability"] == pytest.approx(
        float(expected_outcome.scores["fraud_probability"].mean())
    )


def test_a_sliced_tables_time_column_is_routed_parsed_once_for_both_cuts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 40 items 3 and 5: each part of each cut parsed its rows' times from their
    text (every row's time parsed twice, and sent to a worker as text); the time column is
    parsed once a slice as the table is routed, each part given instants, and the scores
    are those of the table read whole."""
    from entrepot.fraud_service.pipeline import part_tasks

    path, target = later_file(tmp_path)
    whole = read_table(path)
    scorer = GivenScorer(two_members(whole.drop(columns=[target]), history=True))
    spread = Spread(part_rows=300)
    expected = score_frame(whole, scorer, label=target, spread=spread)
    given: list[pd.Series] = []
    scored, made = part_tasks.score_part, part_tasks.counterparty_part

    def spied_score(shared: Any, item: Any) -> Any:
        given.append(item[0].dtypes)
        return scored(shared, item)

    def spied_made(shared: Any, part: Any) -> Any:
        given.append(part.dtypes)
        return made(shared, part)

    monkeypatch.setattr(part_tasks, "score_part", spied_score)
    monkeypatch.setattr(part_tasks, "counterparty_part", spied_made)
    with sliced(path) as table:
        found = score_frame(table, scorer, label=target, spread=spread)
        times = [c for c in table.columns if found.upload.time_format(str(c)) is not None]
    pd.testing.assert_frame_equal(found.scores, expected.scores, check_exact=True)
    assert found.explained == expected.explained and found.estimate == expected.estimate
    assert found.spread["cuts"] == 2 and len(given) > 4 and times
    for dtypes in given:
        assert all(str(dtypes[c]) == "datetime64[s]" for c in times if c in dtypes)
    assert any(c in dtypes for dtypes in given for c in times)


def test_a_file_whose_times_are_written_in_another_format_is_promised_the_same(
    tmp_path: Path,
) -> None:
    """Regression (issue 40): the promise parsed the rows' times with the format the model
    was trained on, where the scoring parses them with the file's own: a file writing its
    times otherwise (day first) had every row's instant missing, its elapsed days none and
    its rows counted beyond the labels. Read whole or in slices, the same promise as the
    file in the training format, and the same scores."""
    path, target = later_file(tmp_path)
    whole = read_table(path)
    model = trained("lightgbm")
    stamp = model.features.spec.timestamp
    assert stamp is not None
    other = whole.copy()
    instants = pd.to_datetime(other[stamp], format="mixed")
    other[stamp] = instants.dt.strftime("%d/%m/%Y %H:%M:%S")
    assert (other[stamp] != whole[stamp]).all()
    (tmp_path / "other").mkdir()
    moved, _ = later_file(tmp_path / "other", other)
    found = {}
    for name, frame, file in (("training format", whole, path), ("day first", other, moved)):
        upload = describe(frame.drop(columns=[target]))
        assert upload.time_format(stamp) is not None
        ensemble = from_model(model, {}, {}, upload, name="m", version="1")
        scorer = GivenScorer(ensemble)
        read_whole = score_frame(read_table(file), scorer, label=target)
        with sliced(file) as table:
            in_slices = score_frame(table, scorer, label=target, spread=Spread(part_rows=300))
        assert read_whole.expected == in_slices.expected
        found[name] = read_whole
    same, day_first = found["training format"], found["day first"]
    assert same.expected is not None and same.expected["elapsed_days"] is not None
    assert day_first.expected == same.expected
    np.testing.assert_array_equal(
        day_first.scores["fraud_probability"], same.scores["fraud_probability"]
    )
