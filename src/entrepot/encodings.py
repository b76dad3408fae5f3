"""Which Unicode encoding a text's first bytes are in: a BOM, or, without one, where the
zero bytes of ASCII characters fall in UTF-16 or UTF-32 code units. Shared by the fraud
uploads and the city imports, which both take files a spreadsheet saved as "Unicode text".
"""

from __future__ import annotations

import codecs

#: BOMs, longest first (the UTF-32 little-endian BOM starts with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Wide encodings: the codec name Python decodes them with, and their code unit in bytes.
WIDE = {"utf-16-le": 2, "utf-16-be": 2, "utf-32-le": 4, "utf-32-be": 4}
#: The head read to recognise a wide encoding without a BOM.
SNIFF_BYTES = 4096


def bom(data: bytes) -> tuple[str | None, int]:
    """The encoding the BOM at the start of ``data`` names, and the BOM's length."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None, 0


def wide_encoding(head: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding of ``head``, by its BOM or, without one, by where the
    zero bytes of ASCII characters fall; ``None`` for a byte-wide encoding."""
    found, _ = bom(head)
    if found in WIDE:
        return found
    if found is not None:
        return None
    head = head[:SNIFF_BYTES]
    for encoding, unit in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
        if _ascii_in(head, encoding, unit):
            return encoding
    return None


def _ascii_in(head: bytes, encoding: str, unit: int) -> bool:
    """Whether most code units of ``head`` are ASCII characters written in ``encoding``."""
    units = [head[i : i + unit] for i in range(0, len(head) - unit + 1, unit)]
    if len(units) < 2:
        return False
    little = encoding.endswith("le")
    ascii_units = sum(
        1
        for u in units
        if 0 < (u[0] if little else u[-1]) < 128 and not any(u[1:] if little else u[:-1])
    )
    return ascii_units >= 0.9 * len(units)
