"""Paris's offset by arithmetic (:func:`entrepot.city.counts_rows.paris_offset_us`), which
replaced a time-zone conversion per row in the counts scan: checked against the time-zone
database (Python's ``zoneinfo``, and DuckDB's own conversion for every quarter hour it
covers), and through the scan against the pandas reference on stamps around every kind of
clock change, inside and outside the years the rule covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from entrepot.city.bigcsv import aggregate_counts
from entrepot.city.counts_rows import EU_RULE_FROM_US, EU_RULE_UNTIL_US, paris_offset_us
from tests.support.counts_aggregate import LABELS, pandas_whole_file
from tests.support.counts_aggregate import same_groups as _same

PARIS = ZoneInfo("Europe/Paris")
HOUR = timedelta(hours=1)


def _offsets(instants: list[datetime]) -> list[int]:
    """Minutes ahead of UTC by :func:`paris_offset_us`, for UTC ``instants``."""
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT {paris_offset_us('u')} FROM unnest($u) AS t(u)",
            {"u": [i.replace(tzinfo=None) for i in instants]},
        ).fetchall()
    return [int(v) // 60_000_000 for (v,) in rows]


def _zoneinfo(instants: list[datetime]) -> list[int]:
    return [int(i.astimezone(PARIS).utcoffset().total_seconds()) // 60 for i in instants]  # type: ignore[union-attr]


def test_the_rule_covers_exactly_its_years() -> None:
    first = datetime.fromtimestamp(EU_RULE_FROM_US / 1e6, UTC)
    until = datetime.fromtimestamp(EU_RULE_UNTIL_US / 1e6, UTC)
    assert (first, until) == (datetime(1996, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def test_every_minute_around_each_change_is_the_time_zone_database_s() -> None:
    instants = []
    for year in range(1996, 2100):
        for month in (3, 10):
            last_sunday = max(
                date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6
            )
            change = datetime(year, month, last_sunday.day, 1, tzinfo=UTC)
            instants += [change + timedelta(minutes=m) for m in range(-90, 91)]
            # the day before and after at the same hour, and the first of the month
            instants += [change - timedelta(days=1), change + timedelta(days=1)]
            instants.append(datetime(year, month, 1, tzinfo=UTC))
    assert _offsets(instants) == _zoneinfo(instants)


def test_every_quarter_hour_of_the_covered_years_agrees_with_duckdb_s_conversion() -> None:
    with duckdb.connect() as con:
        ((differ, checked),) = con.execute(
            f"""SELECT count(*) FILTER (timezone('Europe/Paris', x)
                                        <> make_timestamp(epoch_us(x) + {paris_offset_us("u")})),
                       count(*)
                FROM (SELECT x, make_timestamp(epoch_us(x)) AS u
                      FROM (SELECT unnest(range(make_timestamptz($from), make_timestamptz($until),
                                                INTERVAL 15 MINUTE)) AS x))""",
            {"from": EU_RULE_FROM_US, "until": EU_RULE_UNTIL_US},
        ).fetchall()
    assert checked == 104 * 365 * 96 + 26 * 96  # 1996-2099: 26 leap years
    assert differ == 0


@pytest.mark.parametrize(
    "first_hour",
    [
        datetime(1995, 3, 25, 20, tzinfo=UTC),  # before the rule: the database converts
        datetime(1995, 9, 23, 20, tzinfo=UTC),  # summer time ended in September then
        datetime(1996, 10, 26, 20, tzinfo=UTC),  # the rule's first October change
        datetime(2025, 3, 29, 20, tzinfo=UTC),
        datetime(2025, 10, 25, 20, tzinfo=UTC),
        datetime(2099, 12, 31, 20, tzinfo=UTC),  # across the rule's end
        datetime(2100, 3, 27, 20, tzinfo=UTC),
    ],
)
def test_offset_stamps_land_on_the_hour_pandas_gives(tmp_path: Path, first_hour: datetime) -> None:
    """A day and a half of hours, every stamp with Paris's offset as the export writes it,
    and some with another offset (UTC, India): every (arc, day) and (day, hour) as the
    reference computes them."""
    lines = []
    for h in range(36):
        instant = first_hour + h * HOUR
        for arc, zone in ((1, PARIS), (2, PARIS), (3, UTC), (4, ZoneInfo("Asia/Kolkata"))):
            stamp = instant.astimezone(zone).isoformat()
            lines.append(f"{arc};A;{stamp};{100 + h};{10 + arc}.5;Fluide")
    path = tmp_path / "c.csv"
    path.write_text("\ufeff" + LABELS + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    got = aggregate_counts(path)
    by_arc, by_hour = pandas_whole_file(path)
    _same(got.arcs, by_arc, ("arc", "day", "rows", "q_sum_milli", "k_sum_micro", "peak_hour"))
    _same(got.hours, by_hour, ("day", "hour", "rows", "q_n", "q_sum_milli", "k_sum_micro"))


RAW = (
    "iu_ac,libelle,iu_nd_amont,libelle_nd_amont,iu_nd_aval,libelle_nd_aval,"
    "t_1h,q,k,etat_trafic,etat_barre"
)


@pytest.mark.parametrize(
    "first_wall",
    [
        datetime(1995, 9, 30, 6),  # before the rule (summer time ended on 24 September)
        datetime(1996, 3, 31, 6),  # into April: the month gives the offset
        datetime(2025, 2, 28, 6),  # into March: the database converts
        datetime(2025, 9, 30, 6),  # into October
        datetime(2025, 10, 31, 6),  # into November
        datetime(2099, 12, 31, 6),  # across the rule's end
    ],
)
def test_wall_times_land_on_the_hour_pandas_gives(tmp_path: Path, first_wall: datetime) -> None:
    """Wall times as the older raw exports write them, across the first of a month where
    the offset changes how it is found: every group as the reference computes it. Each
    hour is also written once more with its offset and a lower flow: the same hour, so a
    duplicate, which only an instant found right for both spellings makes it."""
    walls = [(arc, first_wall + h * HOUR, h) for h in range(36) for arc in (1, 2)]
    lines = [
        f"{arc},A,1,N,2,M,{wall:%Y-%m-%d %H:%M:%S},{100 + h},{arc}.5,1,0" for arc, wall, h in walls
    ]
    path = tmp_path / "c.csv"
    path.write_text("\ufeff" + RAW + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    by_arc, by_hour = pandas_whole_file(path)
    stamps = [
        f"{arc},A,1,N,2,M,{wall.replace(tzinfo=PARIS).isoformat()},1,{arc}.5,1,0"
        for arc, wall, _ in walls
    ]
    path.write_text("\ufeff" + RAW + "\n" + "\n".join(stamps + lines) + "\n", encoding="utf-8")
    got = aggregate_counts(path)
    assert got.rows == len(walls)
    assert got.quality is not None
    assert int(got.quality["duplicates"].sum()) == len(walls)
    _same(got.arcs, by_arc, ("arc", "day", "rows", "q_sum_milli", "k_sum_micro", "peak_hour"))
    _same(got.hours, by_hour, ("day", "hour", "rows", "q_n", "q_sum_milli", "k_sum_micro"))
