"""A cut's parts held on disk (issue 40 item 3; ADR 0134): each read back as it was cut,
whole or a slice of the table at a time, and nothing of the rows held in memory."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from entrepot.fraud.score import partitions, sliced_cut
from entrepot.fraud.score.partitions import Part
from entrepot.fraud.score.parts_on_disk import PartsOnDisk
from tests.support.sliced_scoring import TwoMemberScoring, alive_at_each_part


def _parts(rows: int = 1000, count: int = 4, seed: int = 0) -> list[Part]:
    rng = np.random.default_rng(seed)
    cut = rng.integers(0, count, rows)
    found = []
    for number in range(count):
        read = (cut == number) | (rng.random(rows) < 0.1)  # its own and some history
        positions = np.flatnonzero(read).astype(np.int32)
        found.append(Part(positions, cut[positions] == number))
    return found


def test_each_part_reads_back_as_it_was_cut_whole_and_slice_by_slice() -> None:
    parts = _parts()
    starts = (0, 128, 300, 301, 1000)  # a slice of one row, slices some parts miss
    with PartsOnDisk(iter(parts), starts) as held:
        assert len(held) == len(parts)
        for number, part in enumerate(parts):
            back = held[number]
            np.testing.assert_array_equal(back.rows, part.rows)
            np.testing.assert_array_equal(back.own, part.own)
            assert back.rows.dtype == part.rows.dtype and back.own.dtype == np.bool_
            assert held.size(number) == len(part.rows)
            rows = held.row_sets()
            np.testing.assert_array_equal(rows[number], part.rows)
            sliced = [rows.in_slice(number, s) for s in range(len(starts) - 1)]
            for s, found in enumerate(sliced):
                assert ((found >= starts[s]) & (found < starts[s + 1])).all()
            np.testing.assert_array_equal(np.concatenate(sliced), part.rows)
        assert [p.rows.tolist() for p in held[1:3]] == [p.rows.tolist() for p in parts[1:3]]
        with pytest.raises(IndexError):
            held[len(parts)]


def test_rows_outside_the_tables_slices_are_refused() -> None:
    part = Part(np.array([0, 5, 12], dtype=np.int32), np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="outside"):
        PartsOnDisk([part], (0, 10))


def test_closed_parts_are_never_read_as_empty() -> None:
    held = PartsOnDisk(_parts(), (0, 500, 1000))
    held.close()
    with pytest.raises(OSError, match="closed"):
        held[0]


def test_a_part_is_read_back_when_the_disk_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    from entrepot import spilled_parts

    def full(self: Any, part: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spilled_parts.SpilledParts, "_write", full)
    parts = _parts()
    with PartsOnDisk(parts, (0, 1000)) as held:
        for number, part in enumerate(parts):
            np.testing.assert_array_equal(held[number].rows, part.rows)


def test_no_part_of_the_customer_cut_is_held_while_the_parts_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 40 item 3): a table on disk held both cuts' parts in memory (nine
    bytes a row of the table, 180 MB at 20M rows) while the counterparty features were
    made and every part scored; once cut they are on disk, and the scores are the same."""
    run = TwoMemberScoring.of(tmp_path, part_rows=300)
    expected = run.scored("in memory")
    watched: list[weakref.ref[np.ndarray]] = []
    cut_by_entity = partitions.cut_by_entity

    def cut(*args: Any, **kwargs: Any) -> Any:
        found = cut_by_entity(*args, **kwargs)
        watched.extend(weakref.ref(array) for part in found for array in (part.rows, part.own))
        return found

    routed = sliced_cut._routed

    def sliced(*args: Any, **kwargs: Any) -> Any:  # the cut made a slice at a time (ADR 0137)
        for rows in routed(*args, **kwargs):
            watched.extend(weakref.ref(array) for array in rows)
            yield rows

    alive = alive_at_each_part(monkeypatch, watched)
    monkeypatch.setattr(partitions, "cut_by_entity", cut)
    monkeypatch.setattr(sliced_cut, "_routed", sliced)
    found = run.scored("sliced")
    assert found.spread["cuts"] == 2 and len(watched) > 4
    assert alive and alive == [0] * len(alive)
    assert found.scores.equals(expected.scores)
