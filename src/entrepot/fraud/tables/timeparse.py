"""Recognise and parse timestamps written in the usual export formats.

A column's format is detected once on a sample (``detect_format``) and then applied
as a fixed pattern to every value (``parse_times``), at training time and again when
scoring, so that the same text always means the same instant. Day-first is preferred
to month-first when a sample cannot tell them apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: strftime patterns tried on text, in order of preference.
TEXT_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    # two-digit years (``4/18/15 2:47``: an export's short dates), after the four-digit
    # ones; a four-digit format never takes ``15`` for the year 15 (``_text_share``)
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%d.%m.%y %H:%M",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
)
ISO = "ISO8601"  # any ISO 8601 text, with fractions or a zone offset
EPOCH_S = "epoch_s"
EPOCH_MS = "epoch_ms"
NATIVE = "datetime"  # already a datetime column
#: Days since 1899-12-30 with the time as a fraction (a spreadsheet's dates as numbers).
EXCEL = "excel_serial"

_EPOCH_LOW, _EPOCH_HIGH = 946_684_800, 4_102_444_800  # 2000-01-01 .. 2100-01-01
_SAMPLE = 400
#: Excel's day 0 in its 1900 date system, and the serials of 1970-01-01 and 2100-01-01.
_EXCEL_DAY0 = np.datetime64("1899-12-30T00:00:00", "s")
_EXCEL_LOW, _EXCEL_HIGH = 25_569, 73_051


def _sample(series: pd.Series) -> pd.Series:
    values = series.dropna()
    if len(values) > _SAMPLE:
        values = values.iloc[np.linspace(0, len(values) - 1, _SAMPLE).astype(int)]
    return values


def _numeric_format(values: pd.Series) -> str | None:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    v = values.to_numpy(dtype=float)
    if not np.all(np.isfinite(v)):
        return None
    if np.all((v >= _EPOCH_LOW) & (v < _EPOCH_HIGH)):
        return EPOCH_S
    if np.all((v >= _EPOCH_LOW * 1000) & (v < _EPOCH_HIGH * 1000)):
        return EPOCH_MS
    if np.all(v == np.floor(v)) and np.all((v >= 1.9e13) & (v < 2.1e13)):
        text = pd.Series(v.astype(np.int64)).astype("str")
        return "%Y%m%d%H%M%S" if _text_share(text, "%Y%m%d%H%M%S") == 1.0 else None
    # Serials carry the time of day as a fraction: whole numbers in that range are more
    # likely counts or seconds than dates at midnight.
    in_range = np.all((v >= _EXCEL_LOW) & (v < _EXCEL_HIGH))
    if in_range and np.mean(v != np.floor(v)) >= 0.5:
        return EXCEL
    return None


def _text_share(text: pd.Series, fmt: str) -> float:
    parsed = pc.strptime(pa.array(text.astype("str")), format=fmt, unit="s", error_is_null=True)
    read = int(len(parsed) - parsed.null_count)
    if "%Y" in fmt and read:  # a four-digit year read from two digits is the year 15
        read -= int(pc.sum(pc.less(pc.year(parsed), 1000)).as_py() or 0)
    return float(read / max(len(parsed), 1))


def detect_format(series: pd.Series, *, min_share: float = 0.95) -> str | None:
    """The timestamp format of ``series``, or ``None`` if it does not hold timestamps.

    Numbers count as timestamps only as epoch seconds or milliseconds between 2000
    and 2100, or as ``YYYYmmddHHMMSS``.
    """
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series):
        return NATIVE
    values = _sample(series)
    if values.empty:
        return None
    numeric = _numeric_format(values)
    if numeric is not None or pd.api.types.is_numeric_dtype(values):
        return numeric
    text = values.astype("str").str.strip()
    if text.str.len().min() < 6 or not text.str.contains(r"\d", regex=True).all():
        return None
    for fmt in TEXT_FORMATS:
        if _text_share(text, fmt) >= min_share:
            return fmt
    iso = pd.to_datetime(text, format=ISO, errors="coerce", utc=True)
    return ISO if iso.notna().mean() >= min_share else None


def parse_times(series: pd.Series, fmt: str) -> pd.Series:
    """``series`` parsed with ``fmt`` as naive UTC ``datetime64[s]``; NaT where it fails.

    A column that already holds datetimes is returned as they are, so a model can read
    timestamps parsed from a file written in another format.
    """
    index = series.index
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series):  # already parsed, whatever fmt says
        return series.astype("datetime64[s]")
    if fmt == NATIVE:
        fmt = ISO
    if fmt == EXCEL:
        days = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(days)
        out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[s]")
        seconds = np.round(days[ok] * 86_400).astype(np.int64)
        out[ok] = _EXCEL_DAY0 + seconds.astype("timedelta64[s]")
        return pd.Series(out, index=index)
    if fmt in (EPOCH_S, EPOCH_MS):
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        if fmt == EPOCH_MS:
            numbers = numbers / 1000.0
        ok = np.isfinite(numbers)
        out = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[s]")
        out[ok] = numbers[ok].astype(np.int64).astype("datetime64[s]")
        return pd.Series(out, index=index)
    if fmt == ISO:
        parsed = pd.to_datetime(series.astype("str"), format=ISO, errors="coerce", utc=True)
        return parsed.dt.tz_localize(None).astype("datetime64[s]").set_axis(index)
    if pd.api.types.is_numeric_dtype(series):
        numbers = pd.to_numeric(series, errors="coerce")
        text = numbers.astype("Int64").astype("str")
    else:
        text = series.astype("str").str.strip()
    array = pa.array(text, from_pandas=True)
    parsed = pc.strptime(array, format=fmt, unit="s", error_is_null=True)
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=index).astype("datetime64[s]")


#: Where a time is missing, in epoch seconds (int64's minimum).
MISSING_SECONDS = np.iinfo(np.int64).min
#: Rows whose times :func:`epoch_seconds` parses at a time.
SECONDS_ROWS = 1 << 19


def seconds_of(times: pd.Series) -> np.ndarray:
    """Each of ``times`` (``datetime64``) in epoch seconds, :data:`MISSING_SECONDS` where
    missing."""
    values = times.to_numpy(dtype="datetime64[s]").astype(np.int64)
    return np.where(times.isna().to_numpy(), MISSING_SECONDS, values)


def epoch_seconds(series: pd.Series, fmt: str, *, rows: int = SECONDS_ROWS) -> np.ndarray:
    """``series`` parsed as :func:`parse_times` parses it (a value's parse reads that value
    alone), in epoch seconds (:func:`seconds_of`), ``rows`` at a time: the parse's
    temporaries (its text, its Arrow arrays, its datetimes) a slice's, not the column's
    (5M rows of text times: 240 MiB of fresh memory, where the answer takes 40)."""
    found = np.empty(len(series), dtype=np.int64)
    for start in range(0, len(series), rows):
        some = seconds_of(parse_times(series.iloc[start : start + rows], fmt))
        found[start : start + len(some)] = some
    return found
