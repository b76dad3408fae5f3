"""The streaming counts aggregation equals a whole-file pandas run, and names bad files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.city.bigcsv import ARC_COLUMNS, HOUR_COLUMNS, QUALITY_COLUMNS, aggregate_counts
from entrepot.city.errors import CityError, RawFormatError
from entrepot.city.synth.arcs import make_arcs
from entrepot.city.synth.counts import HeaderStyle, day_lines, header
from tests.support.counts_aggregate import LABELS, STATES, pandas_whole_file
from tests.support.counts_aggregate import same_groups as _same


def _generated(tmp_path: Path, start: date, days: int, style: HeaderStyle = "labels") -> Path:
    """A counts CSV straight from the generator's writer (BOM, stray quote on labels)."""
    arcs = make_arcs(70, seed=4)
    lines = [line for d in range(days) for line in day_lines(arcs, start + timedelta(d), 4, style)]
    path = tmp_path / "counts.csv"
    quote = '"' if style == "labels" else ""
    path.write_text("\ufeff" + quote + header(style) + "\n" + "\n".join(lines) + "\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("start", "style"),
    [
        (date(2025, 10, 25), "labels"),  # autumn change, export labels, stray quote
        (date(2025, 3, 29), "raw"),  # spring change, raw comma file without offsets
    ],
)
def test_streaming_equals_a_whole_file_pandas_run(
    tmp_path: Path, start: date, style: HeaderStyle
) -> None:
    path = _generated(tmp_path, start, 3, style)
    want_arcs, want_hours = pandas_whole_file(path)
    for threads in (1, 2):
        got = aggregate_counts(path, memory_limit="64MB", threads=threads)
        _same(got.arcs, want_arcs, ARC_COLUMNS)
        _same(got.hours, want_hours, HOUR_COLUMNS)
    assert got.rows == len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert got.skipped_rows == 0
    # the last hour's stamp is 00:00 of the next day, yet it belongs to the last day
    assert got.arcs["day"].nunique() == 3


def test_a_day_range_is_the_whole_run_filtered(tmp_path: Path) -> None:
    path = _generated(tmp_path, date(2025, 11, 3), 3)
    whole = aggregate_counts(path)
    one = aggregate_counts(path, start=date(2025, 11, 4), end=date(2025, 11, 4))
    expected = whole.arcs[whole.arcs["day"] == date(2025, 11, 4)].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.arcs, expected)
    assert set(one.hours["day"]) == {date(2025, 11, 4)}


def test_a_range_without_rows_answers_empty_frames(tmp_path: Path) -> None:
    # regression: the answer crosses in Arrow batches, and an empty answer has none
    path = _generated(tmp_path, date(2025, 11, 3), 1)
    agg = aggregate_counts(path, start=date(2030, 1, 1), end=date(2030, 1, 2))
    assert agg.quality is not None
    assert (len(agg.arcs), len(agg.hours), len(agg.quality), agg.rows) == (0, 0, 0, 0)
    assert list(agg.arcs.columns) == list(ARC_COLUMNS)
    assert list(agg.hours.columns) == list(HOUR_COLUMNS)
    assert list(agg.quality.columns) == list(QUALITY_COLUMNS)


def test_end_of_hour_timestamps_land_on_the_local_day(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "\ufeff" + LABELS + "\n"
        "7;A;2025-11-05T00:00:00+01:00;100.0;10.5;Fluide\n"  # 4 Nov, 23:00-24:00
        "7;A;2025-11-04T01:00:00+01:00;300.0;31.0;Saturé\n"  # 4 Nov, 00:00-01:00
        "7;A;2025-11-04T09:00:00+01:00;300.0;55.0;Bloqué\n"  # 4 Nov, 08:00-09:00 (tie: 00 wins)
        "7;A;2025-11-04T10:00:00+01:00;;;Inconnu\n"
        "8;B;2025-11-04T10:00:00+01:00;;5.25;Fluide\n"  # occupancy-only station
        "8;B;not a time;1.0;1.0;Fluide\n"
        "x;B;2025-11-04T10:00:00+01:00;1.0;1.0;Fluide\n",
        encoding="utf-8",
    )
    agg = aggregate_counts(path)
    assert agg.skipped_rows == 2
    assert agg.rows == 5
    arc7 = agg.arcs[agg.arcs["arc"] == 7].iloc[0]
    assert arc7["day"] == date(2025, 11, 4)
    assert (arc7["rows"], arc7["q_n"], arc7["q_sum_milli"], arc7["q_max_milli"]) == (
        4,
        3,
        700_000,
        300_000,
    )
    assert (arc7["k_n"], arc7["k_sum_micro"]) == (3, 9_650_000)
    assert [arc7[f"state_{s}"] for s in range(5)] == [1, 1, 0, 1, 1]
    assert arc7["peak_hour"] == 0
    arc8 = agg.arcs[agg.arcs["arc"] == 8].iloc[0]
    assert arc8["q_n"] == 0
    assert pd.isna(arc8["peak_hour"])
    assert arc8["k_sum_micro"] == 525_000
    assert agg.hours.set_index("hour").loc[23, "q_sum_milli"] == 100_000


def test_wrong_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (LABELS + "\n1;Café;2025-11-04T01:00:00+01:00;1.0;1.0;Fluide\n").encode("latin-1")
    )
    with pytest.raises(RawFormatError, match="not UTF-8") as info:
        aggregate_counts(path, key="raw/batch/comptages-routiers-permanents.csv")
    assert info.value.key == "raw/batch/comptages-routiers-permanents.csv"


def test_invalid_bytes_deep_in_the_file_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        (LABELS + "\n1;A;2025-11-04T01:00:00+01:00;1.0;1.0;Fluide\n").encode()
        + b"1;A;2025-11-04T02:00:00+01:00;1.0;31.0;Satur\xe9\n"
    )
    with pytest.raises(RawFormatError, match=r"cannot be read.*Line: 3.*not utf-8") as info:
        aggregate_counts(path, key="raw/batch/counts.csv")
    assert "raw/batch/counts.csv" in str(info.value)


def test_wrong_separator_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_text(LABELS.replace(";", "\t") + "\n", encoding="utf-8")
    with pytest.raises(RawFormatError, match="separator") as info:
        aggregate_counts(path, key="raw/batch/tabs.csv")
    assert info.value.key == "raw/batch/tabs.csv"


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("Identifiant arc;Libelle;Débit horaire\n1;A;2.0\n", encoding="utf-8")
    with pytest.raises(RawFormatError, match="Date et heure de comptage"):
        aggregate_counts(path)


def test_running_out_of_memory_says_to_raise_the_limit(tmp_path: Path) -> None:
    path = _generated(tmp_path, date(2025, 11, 4), 1)
    with pytest.raises(CityError, match="memory limit") as info:
        aggregate_counts(path, key="raw/batch/counts.csv", memory_limit="1MB")
    assert not isinstance(info.value, RawFormatError)
    assert "--memory-limit" in str(info.value)


def _numbers(texts: pd.Series) -> pd.Series:
    """The reference reading of a value: decimal point or comma; nan, inf and 1e12 or more
    are no measure."""
    values = pd.to_numeric(texts.str.strip().str.replace(",", "."), errors="coerce")
    return values.where(np.isfinite(values) & (values.abs() < 1e12))


def test_nan_and_inf_values_are_bad_values_not_a_crash(tmp_path: Path) -> None:
    texts = ["nan", "NaN", "inf", "-Infinity", "1e400", "2e15", "12,5", "40", "", "abc"]
    lines = [
        f"{arc};A;2025-11-0{4 + n % 2}T{10 + n % 7:02d}:00:00+01:00;{q};{k};Fluide"
        for n, (arc, q, k) in enumerate(
            (arc, texts[(arc + i) % len(texts)], texts[(arc * 3 + i) % len(texts)])
            for arc in range(1, 6)
            for i in range(len(texts))
        )
    ]
    path = tmp_path / "c.csv"
    path.write_text(LABELS + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    agg = aggregate_counts(path)

    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    start = pd.to_datetime(frame["Date et heure de comptage"], utc=True) - pd.Timedelta(hours=1)
    frame["day"] = start.dt.tz_convert("Europe/Paris").dt.date
    for column, name in (("Débit horaire", "q"), ("Taux d'occupation", "k")):
        frame[name] = _numbers(frame[column])
        frame[f"{name}_bad"] = (frame[column].str.strip() != "") & frame[name].isna()
    want = frame.groupby("day").agg(q_bad=("q_bad", "sum"), k_bad=("k_bad", "sum"))
    assert agg.quality is not None
    got = agg.quality.set_index("day")
    assert want["q_bad"].sum() > 0 and want["k_bad"].sum() > 0
    assert got["q_bad"].to_dict() == want["q_bad"].to_dict()
    assert got["k_bad"].to_dict() == want["k_bad"].to_dict()
    sums = frame.assign(q_milli=(frame["q"] * 1000).round()).groupby(["Identifiant arc", "day"])
    arcs = agg.arcs.set_index(["arc", "day"])
    assert arcs["q_sum_milli"].to_dict() == {
        (int(a), d): int(v) for (a, d), v in sums["q_milli"].sum().items()
    }
    assert arcs["q_n"].to_dict() == {(int(a), d): int(v) for (a, d), v in sums["q"].count().items()}


def test_a_repeated_hour_in_one_file_keeps_the_same_row_in_any_order(tmp_path: Path) -> None:
    """Within a file: highest flow, then occupancy, then the greatest state, flow and
    occupancy texts; rows tied on all of them are the same for every count."""
    stamp = "2025-11-04T10:00:00+01:00"
    rows = [
        ("1", "100", "10", "Fluide"), ("1", "100", "10", "Saturé"), ("1", "100.0", "10", "Bloqué"),
        ("2", "", "5", "Fluide"), ("2", "abc", "5", "Fluide"), ("2", "zz", "5", "Fluide"),
        ("3", "7", "", "Fluide"), ("3", "7", "x", "Fluide"), ("3", "7", "y", "Fluide"),
        ("4", "9", "1", "Fluide"), ("4", "nan", "1", "Bloqué"), ("4", "9", "2", "Fluide"),
        ("5", "1", "1", "Fluide"), ("5", "1", "1", "Fluide"),
        ("6", "3", "3", "Fluide"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["arc", "q_text", "k_text", "label"])
    frame["q"], frame["k"] = _numbers(frame["q_text"]), _numbers(frame["k_text"])
    frame["q_key"] = frame["q_text"].replace("", np.nan)
    frame["k_key"] = frame["k_text"].replace("", np.nan)
    ranked = frame.sort_values(
        ["q", "k", "label", "q_key", "k_key"], ascending=False, na_position="last"
    )
    kept = ranked.drop_duplicates("arc", keep="first")
    kept = kept.set_index(kept["arc"].astype(int)).sort_index()
    bands = np.select(
        [kept["k"].isna(), kept["k"] < 15, kept["k"] < 30, kept["k"] < 50], [0, 1, 2, 3], 4
    )
    codes = kept["label"].map(STATES).fillna(pd.Series(bands, index=kept.index))
    state = codes.where(kept["q"].notna() | kept["k"].notna(), 0).astype(int)
    q_bad = int(((kept["q_text"] != "") & kept["q"].isna()).sum())
    k_bad = int(((kept["k_text"] != "") & kept["k"].isna()).sum())
    bad = kept.loc[kept["q"].isna() & (kept["q_text"] != ""), "q_text"].tolist()
    bad += kept.loc[kept["k"].isna() & (kept["k_text"] != ""), "k_text"].tolist()

    order = list(range(len(rows)))
    rng = np.random.default_rng(7)
    for attempt in range(4):
        lines = [";".join((rows[i][0], "A", stamp, *rows[i][1:])) for i in order]
        path = tmp_path / f"c{attempt}.csv"
        path.write_text(LABELS + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        agg = aggregate_counts(path, threads=1 + attempt % 2)
        arcs = agg.arcs.set_index("arc")
        got_state = {a: next(s for s in range(5) if r[f"state_{s}"]) for a, r in arcs.iterrows()}
        assert got_state == {int(a): int(s) for a, s in state.items()}
        got_max = [None if pd.isna(v) else int(v) for v in arcs["q_max_milli"]]
        assert got_max == [None if pd.isna(q) else round(q * 1000) for q in kept["q"]]
        assert agg.quality is not None
        quality = agg.quality.iloc[0]
        assert (quality["q_bad"], quality["k_bad"]) == (q_bad, k_bad)
        assert quality["duplicates"] == len(rows) - len(kept)
        assert quality["bad_example"] == min(bad)
        order = list(rng.permutation(len(rows)))


def test_rows_read_again_for_a_repeated_hour_are_found_across_written_dates(
    tmp_path: Path,
) -> None:
    """Pass 2 reads again only the rows stamped within a day of a marked (arc, day): rows
    whose written date is not their Paris day (far offsets, an hour ending at midnight, a
    wall time) still count for it, and the other arcs and days keep pass 1's sums."""
    stamps = [
        "2025-10-26T19:00:00-05:00",  # written on the 26th, Paris day the 27th
        "2025-10-27T12:00:00+14:00",  # written on the 27th, Paris day the 26th
        "2025-10-27T00:00:00+01:00",  # the hour ending at midnight: the 26th
        "2025-10-26T10:00:00+01:00",
        "2025-10-26 15:00:00",  # a wall time
        "2025-10-25T23:30:00+00:00",  # Paris 01:30 on the 26th, so 00:30-01:30
        "2025-10-28T09:00:00+01:00",  # another day of the same arc
    ]
    lines = [f"1,A,{t},{100 + i}.0,{5 + i}.5,Fluide" for i, t in enumerate(stamps)]
    lines += [f"2,B,{t},7.0,1.0,Fluide" for t in stamps]  # another arc, nothing repeated
    once = tmp_path / "once.csv"
    once.write_text("iu_ac,libelle,t_1h,q,k,etat_trafic\n" + "\n".join(lines) + "\n", "utf-8")
    twice = tmp_path / "twice.csv"
    repeated = [*lines, lines[3]]  # the 10:00 row of arc 1 exported twice
    twice.write_text("iu_ac,libelle,t_1h,q,k,etat_trafic\n" + "\n".join(repeated) + "\n", "utf-8")

    agg = aggregate_counts(twice)
    want_arcs, want_hours = pandas_whole_file(once)
    _same(agg.arcs, want_arcs, ARC_COLUMNS)
    _same(agg.hours, want_hours, HOUR_COLUMNS)
    assert agg.quality is not None
    assert agg.quality.set_index("day")["duplicates"].to_dict() == {
        date(2025, 10, 26): 1,
        date(2025, 10, 27): 0,
        date(2025, 10, 28): 0,
    }
