"""Decode raw objects: JSON, JSON lines, CSV and Parquet, with errors naming the object.

CSVs are read as the Paris exports are written: ``;``-separated UTF-8, an
optional BOM, sometimes a stray ``"`` before the header. Columns are always
selected by name; a wrong separator, a wrong encoding or a missing column is a
:class:`RawFormatError` that names the key and says what was found.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from entrepot.city import refused
from entrepot.city.errors import RawFormatError
from entrepot.messages import N_, Message

_OTHER_SEPARATORS = (",", "\t", "|", ";")


@dataclass(frozen=True)
class CsvHeader:
    """The separator and column names found on a CSV's first line."""

    sep: str
    columns: tuple[str, ...]
    #: Bytes before the first data row (BOM, stray quote and header line).
    length: int


def read_json(data: bytes, key: str) -> Any:
    """Parse a JSON document; a truncated or invalid one raises naming ``key``."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RawFormatError(
            f"JSON is not UTF-8 ({exc.reason} at byte {exc.start})",
            key=key,
            said=refused.stored_not_utf8(key),
        ) from None
    except json.JSONDecodeError as exc:
        what = "truncated JSON" if exc.pos >= len(data.rstrip()) - 1 else "invalid JSON"
        raise RawFormatError(
            f"{what}: {exc.msg} at line {exc.lineno} column {exc.colno}",
            key=key,
            said=refused.stored_json_invalid(key, exc.lineno),
        ) from None


def read_jsonl(data: bytes, key: str) -> list[Any]:
    """Parse JSON lines (blank lines skipped)."""
    rows = []
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise RawFormatError(
                    f"invalid JSON on line {number}: {exc.msg}",
                    key=key,
                    said=refused.stored_json_invalid(key, number),
                ) from None
    return rows


def sniff_header(first: bytes, key: str, sep: str = ";") -> CsvHeader:
    """Check a CSV's first line: UTF-8, the expected separator; returns its columns."""
    line, _, _ = first.partition(b"\n")
    length = len(line) + 1
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise RawFormatError(
            f"CSV header is not UTF-8 (byte 0x{line[exc.start]:02x} at {exc.start}; "
            "Latin-1 or Windows-1252 export?)",
            key=key,
            hint="re-export the file as UTF-8",
            said=refused.stored_not_utf8(key),
        ) from None
    text = text.removeprefix("\ufeff")
    if text.startswith('"') and text.count('"') % 2 == 1:
        text = text[1:]  # a stray quote before the header, seen in real exports
    if sep not in text:
        found = next((s for s in _OTHER_SEPARATORS if s != sep and s in text), None)
        seen = f"it looks {found!r}-separated" if found else "no separator found"
        raise RawFormatError(
            f"CSV header has no {sep!r} separator ({seen}): {text[:120]!r}",
            key=key,
            hint=f"the file must be {sep!r}-separated",
            said=refused.stored_separator(key, sep),
        )
    columns = tuple(c.strip().strip('"') for c in text.split(sep))
    return CsvHeader(sep, columns, length)


def pick_columns(header: CsvHeader, key: str, variants: Sequence[dict[str, str]]) -> dict[str, str]:
    """Choose the first column-name variant fully present: {wanted name: name in the file}."""
    present = set(header.columns)
    for variant in variants:
        if set(variant.values()) <= present:
            return variant
    best = max(variants, key=lambda v: len(set(v.values()) & present))
    missing = sorted(set(best.values()) - present)
    raise RawFormatError(
        f"CSV lacks the column(s) {missing}; found {list(header.columns)[:20]}",
        key=key,
        said=refused.stored_columns(key, ", ".join(missing)),
    )


def read_csv(
    data: bytes, key: str, variants: Sequence[dict[str, str]], *, sep: str = ";"
) -> pd.DataFrame:
    """Read a small CSV, keeping the wanted columns renamed to their canonical names (as text);
    a row empty in all of them is no row."""
    header = sniff_header(data[:65536], key, sep)
    mapping = pick_columns(header, key, variants)
    body = data[header.length :]
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            sep=sep,
            header=None,
            names=list(header.columns),
            usecols=list(mapping.values()),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8",
        )
    except UnicodeDecodeError as exc:
        raise RawFormatError(
            f"CSV is not UTF-8 ({exc.reason})", key=key, said=refused.stored_not_utf8(key)
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise RawFormatError(
            f"CSV cannot be parsed: {exc}",
            key=key,
            said=Message(N_("error.city.csv_unparsable"), {"file": key, "reason": str(exc)[:300]}),
        ) from None
    frame = frame.rename(columns={v: k for k, v in mapping.items()})[list(mapping)]
    # a spreadsheet writes the rows it once formatted as separators alone: no row at all
    return frame[frame.apply(lambda c: c.str.strip() != "").any(axis=1)].reset_index(drop=True)


def read_parquet(data: bytes, key: str) -> pd.DataFrame:
    """Read a Parquet object."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(io.BytesIO(data)).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise RawFormatError(
            f"not a readable Parquet file: {exc}",
            key=key,
            said=Message(
                N_("error.city.parquet_unreadable"), {"file": key, "reason": str(exc)[:300]}
            ),
        ) from None


def read_object(key: str, data: bytes) -> Any:
    """Decode by extension: ``.json``, ``.jsonl``/``.ndjson`` (records), ``.csv`` and
    ``.parquet`` (data frames, every column kept)."""
    name = key.rsplit("/", 1)[-1].lower()
    if name.endswith(".csv"):
        header = sniff_header(data[:65536], key)
        return read_csv(data, key, [{c: c for c in header.columns}], sep=header.sep)
    if name.endswith(".json"):
        return read_json(data, key)
    if name.endswith((".jsonl", ".ndjson")):
        return read_jsonl(data, key)
    if name.endswith(".parquet"):
        return read_parquet(data, key)
    raise RawFormatError(
        "unsupported raw file type",
        key=key,
        hint="use .json, .jsonl, .ndjson, .csv or .parquet",
        said=Message(N_("error.city.raw_file_type"), {"file": key}),
    )


#: Bytes read at a time when a CSV file is looked through for a cut end.
_CUT_CHUNK = 1024 * 1024


def whole_rows_end(path: Path) -> int | None:
    """The length of the whole rows of the CSV file at ``path`` when it was cut mid-row:
    the end of its last line end outside a quoted field. ``None`` when the file ends with
    a line end outside a quoted field (nothing cut), or holds no line end outside one (its
    header is cut: nothing to keep). Two bounded passes: the quotes are counted, then the
    end is read backwards until a line end with an even count of quotes before it."""
    size, quotes, last = 0, 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CUT_CHUNK):
            size, quotes, last = size + len(chunk), quotes + chunk.count(b'"'), chunk[-1:]
        if size == 0 or (quotes % 2 == 0 and last in (b"\n", b"\r")):
            return None
        after, end = 0, size  # the quotes in [end, size)
        while end > 0:
            start = max(0, end - _CUT_CHUNK)
            fh.seek(start)
            block = fh.read(end - start)
            at = len(block)
            while (at := block.rfind(b"\n", 0, at)) != -1:
                if (quotes - after - block.count(b'"', at)) % 2 == 0:
                    return start + at + 1
            after += block.count(b'"')
            end = start
    return None
