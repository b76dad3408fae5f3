"""The report as CSV: one row per value, lossless, so the CSV and the JSON hold the same.

Columns ``section;path;type;value`` (``;``-separated UTF-8 with a BOM, as the Paris
exports and a French spreadsheet expect). ``path`` is a JSON Pointer (RFC 6901, e.g.
``/top/arcs/0/label``), ``type`` one of ``object array string integer number boolean
null``; containers get a row of their own, so :func:`from_csv` rebuilds the exact
document, empty lists and dicts included.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from entrepot.city.errors import RawFormatError
from entrepot.messages import N_, Message

HEADER = ("section", "path", "type", "value")


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def _rows(value: Any, path: str) -> list[tuple[str, str, str]]:
    if isinstance(value, dict):
        rows = [(path, "object", "")] if path else []
        for key, item in value.items():
            rows += _rows(item, f"{path}/{_escape(str(key))}")
        return rows
    if isinstance(value, list):
        rows = [(path, "array", "")]
        for index, item in enumerate(value):
            rows += _rows(item, f"{path}/{index}")
        return rows
    if value is None:
        return [(path, "null", "")]
    if isinstance(value, bool):
        return [(path, "boolean", "true" if value else "false")]
    if isinstance(value, int):
        return [(path, "integer", str(value))]
    if isinstance(value, float):
        return [(path, "number", repr(value))]
    return [(path, "string", str(value))]


def to_csv(report: dict[str, Any]) -> bytes:
    """The report as CSV bytes."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for path, kind, text in _rows(report, ""):
        writer.writerow((_unescape(path.split("/")[1]), path, kind, text))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _scalar(kind: str, text: str, where: str) -> Any:
    if kind == "null":
        return None
    if kind == "boolean":
        return text == "true"
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "string":
        return text
    if kind == "object":
        return {}
    if kind == "array":
        return []
    raise RawFormatError(
        f"unknown value type {kind!r} at {where}",
        said=Message(
            N_("error.city.report_value_type"), {"type": kind[:100], "where": str(where)[:200]}
        ),
    )


def from_csv(data: bytes, key: str = "report.csv") -> dict[str, Any]:
    """Rebuild the report from :func:`to_csv`'s bytes; raises :class:`RawFormatError`."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    if tuple(next(reader, ())) != HEADER:
        raise RawFormatError(
            f"not a city report CSV (expected header {HEADER})",
            key=key,
            said=Message(N_("error.city.report_header"), {"file": key, "header": ",".join(HEADER)}),
        )
    root: dict[str, Any] = {}
    for number, row in enumerate(reader, start=2):
        if len(row) != len(HEADER):
            raise RawFormatError(
                f"line {number} has {len(row)} fields",
                key=key,
                said=Message(
                    N_("error.city.report_fields"),
                    {"file": key, "line": number, "fields": len(row)},
                ),
            )
        _, path, kind, text = row
        segments = [_unescape(s) for s in path.split("/")[1:]]
        parent: Any = root
        try:
            for segment in segments[:-1]:
                parent = parent[int(segment)] if isinstance(parent, list) else parent[segment]
        except (KeyError, IndexError, ValueError):
            raise RawFormatError(
                f"line {number}: {path} has no parent row",
                key=key,
                said=Message(
                    N_("error.city.report_parent"),
                    {"file": key, "line": number, "path": str(path)[:200]},
                ),
            ) from None
        value = _scalar(kind, text, f"line {number}")
        if isinstance(parent, list):
            parent.append(value)
        else:
            parent[segments[-1]] = value
    return root
