"""Daily weather tables as analysts hold them, read by what their columns hold: NOAA's daily
summaries in standard units (°F, inches, converted), a ``DATE,MAX_TEMPERATURE_C,…`` table
and a French one. The expected values are computed again here with pandas; an unknown
weather file's hint names a weather kind."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from entrepot.city.errors import RawFormatError
from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore

NOAA_STANDARD = (
    '"STATION","NAME","DATE","PRCP","TAVG","TMAX","TMIN"\n'
    '"FR000007150","PARIS MONTSOURIS, FR","2024-01-10","0.12","34","41","28"\n'
    '"FR000007150","PARIS MONTSOURIS, FR","2024-01-11","0.00","37","45","30"\n'
)
WWO = (
    "DATE,MAX_TEMPERATURE_C,MIN_TEMPERATURE_C,WINDSPEED_MAX_KMH,TEMPERATURE_MORNING_C,"
    "TEMPERATURE_NOON_C,TEMPERATURE_EVENING_C,PRECIP_TOTAL_DAY_MM,HUMIDITY_MAX_PERCENT\n"
    "2019-04-07,16,8,17,9,15,12,3.4,87\n"
    "2019-04-08,18,9,12,10,17,14,0.0,80\n"
)
FRENCH = (
    "date;temp_moyenne;temp_min;temp_max;precipitations\n"
    "2024-08-16;21,9;16,1;27,4;0,0\n"
    "2024-08-17;19,4;15,2;23,9;5,8\n"
)


def _weather(store: MemoryStore, day: date) -> dict[str, object]:
    metrics: dict[str, object] = DayProcessor(Lake(store)).weather(day)["metrics"]
    return metrics


def test_noaa_daily_summaries_in_standard_units_become_celsius_and_mm() -> None:
    store = MemoryStore()
    result = import_file(store, NOAA_STANDARD.encode(), name="3784920.csv")
    assert result.kind == "weather-daily" and result.rows == 2
    frame = pd.read_csv(io.StringIO(NOAA_STANDARD))
    for row in frame.itertuples():
        metrics = _weather(store, date.fromisoformat(row.DATE))
        temperature = metrics["temperature"]
        assert isinstance(temperature, dict)
        assert temperature["max"] == round((row.TMAX - 32) * 5 / 9, 1)
        assert temperature["min"] == round((row.TMIN - 32) * 5 / 9, 1)
        assert metrics["precipitation_mm"] == round(row.PRCP * 25.4, 1)


def test_noaa_units_the_content_does_not_settle_are_refused() -> None:
    unclear = '"STATION","NAME","DATE","TMAX","TMIN"\n"FR1","PARIS","2024-01-10","41","28"\n'
    store = MemoryStore()
    with pytest.raises(RawFormatError, match="units are not clear") as refused:
        import_file(store, unclear.encode(), name="3784921.csv")
    assert "metric units" in (refused.value.hint or "")
    assert list(store.list("")) == []


@pytest.mark.parametrize(
    ("table", "sep", "day", "columns"),
    [
        (WWO, ",", "DATE", ("MAX_TEMPERATURE_C", "MIN_TEMPERATURE_C", "PRECIP_TOTAL_DAY_MM")),
        (FRENCH, ";", "date", ("temp_max", "temp_min", "precipitations")),
    ],
)
def test_daily_tables_in_celsius_are_read_by_their_columns(
    table: str, sep: str, day: str, columns: tuple[str, str, str]
) -> None:
    store = MemoryStore()
    result = import_file(store, table.encode(), name="meteo-paris.csv")
    assert result.kind == "weather-daily" and result.rows == 2
    frame = pd.read_csv(io.StringIO(table), sep=sep, decimal=",")
    high, low, rain = columns
    for _, row in frame.iterrows():
        metrics = _weather(store, date.fromisoformat(str(row[day])))
        temperature = metrics["temperature"]
        assert isinstance(temperature, dict)
        assert temperature["max"] == float(row[high])
        assert temperature["min"] == float(row[low])
        assert metrics["precipitation_mm"] == float(row[rain])


def test_an_unknown_weather_file_is_pointed_to_a_weather_kind() -> None:
    text = "date,temperature,vent,id_compteur\n2024-01-10,4.2,12,X\n"
    with pytest.raises(RawFormatError) as refused:
        import_file(MemoryStore(), text.encode(), name="meteo.csv")
    hint = refused.value.hint or ""
    assert "nearest known kind: weather-daily" in hint or "nearest known kind: synop" in hint
    assert "nearest known kind: bike-counters" not in hint


@pytest.mark.parametrize(
    ("header", "held"),
    [
        ("date;temp_moyenne;vent", "'temp_moyenne'"),
        ("DATE,MAX_TEMPERATURE_C,WINDSPEED_MAX_KMH", "'MAX_TEMPERATURE_C'"),
        ("Date,Précipitations,Ensoleillement", "'Précipitations'"),
    ],
)
def test_a_daily_table_short_of_values_is_told_what_weather_daily_needs(
    header: str, held: str
) -> None:
    # a date and one daily value: the hint names weather-daily and what it still needs,
    # not the SYNOP columns or NOAA's STATION a daily table never requires
    sep = ";" if ";" in header else ","
    text = f"{header}\n2024-01-10{sep}4{sep}12\n"
    store = MemoryStore()
    with pytest.raises(RawFormatError) as refused:
        import_file(store, text.encode(), name="meteo.csv")
    hint = refused.value.hint or ""
    assert f"nearest known kind: weather-daily (it has a date and {held};" in hint
    assert "at least two daily values" in hint and "temp_max" in hint
    assert "numer_sta" not in hint and "'STATION'" not in hint
    assert list(store.list("")) == []
