"""Spreadsheet bombs against the upload's reader: how fast and with how much memory each is
refused (issue 28 item 1: under 2 s and 50 MiB).

Run: ``python -m bench.decoding_bombs``. Two files, built in memory:

- *ratio*: a 0.6 MB XLSX whose sheet inflates to 212 MB (344 to 1);
- *rows*: a 46 MB XLSX of 3,000,000 rows (265 MB inflated, under the ratio) whose
  ``<dimension>`` claims 1 row.

Each is given to :func:`entrepot.fraud.tables.io.read_bytes` as an upload is; the time to
the refusal and the peak of Python allocations during it (``tracemalloc``) are printed.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

from entrepot.fraud.tables.io import read_bytes

_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _xlsx(sheet: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def ratio_bomb() -> bytes:
    row = b'<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    return _xlsx(_SHEET + b"<sheetData>" + row * 4_000_000 + b"</sheetData></worksheet>")


def rows_bomb(rows: int = 3_000_000) -> bytes:
    parts = [_SHEET, b'<dimension ref="A1:B2"/><sheetData>']
    parts += [
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>'
        % (i + 1, i + 1, i * 7919 % 1_000_003, i + 1, i)
        for i in range(rows)
    ]
    return _xlsx(b"".join([*parts, b"</sheetData></worksheet>"]))


def main() -> None:
    for name, build in (("ratio", ratio_bomb), ("rows", rows_bomb)):
        data = build()
        tracemalloc.start()
        began = time.perf_counter()
        try:
            read_bytes(data, name=f"{name}.xlsx")
            outcome = "ACCEPTED"
        except Exception as exc:  # the refusal is the result measured
            outcome = type(exc).__name__
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"| {name} | {len(data) / 1e6:.1f} MB | {outcome} | {seconds:.3f} s "
            f"| {peak / 2**20:.1f} MiB |"
        )


if __name__ == "__main__":
    main()
