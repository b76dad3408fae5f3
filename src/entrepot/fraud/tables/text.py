"""The text of an uploaded CSV: its encoding recognised, its bytes decoded strictly.

UTF-8 (with or without BOM), UTF-16 and UTF-32 (with a BOM, or recognised without one by
the zero bytes of ASCII text), Windows-1252, then Latin-1. A UTF-16 or UTF-32 file that does
not decode (an odd length, a lone surrogate, a cut character) is refused with
:class:`UndecodableText`, which names the encoding, the position and the fix; a file that
is binary is refused as not a CSV.
"""

from __future__ import annotations

import codecs

from entrepot.fraud.errors import UnreadableFile

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
_SNIFF = 4096


class UndecodableText(UnreadableFile):
    """A text file whose bytes are not valid in the encoding it announces."""

    hint = "save the file as CSV UTF-8 (File > Save as > CSV UTF-8) and upload it again"


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
    head = head[:_SNIFF]
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


def decode(data: bytes, name: str = "the file") -> tuple[str, str]:
    """The text of ``data`` and the encoding that decoded it.

    Raises :class:`UndecodableText` for UTF-16 or UTF-32 bytes that do not decode, and
    :class:`UnreadableFile` for binary data."""
    found, skip = bom(data)
    if found == "utf-8":
        return data[skip:].decode("utf-8", errors="replace"), "utf-8-sig"
    wide = found or wide_encoding(data)
    if wide is not None:
        return _strict(data[skip:], wide, name), wide
    head = data[:_SNIFF]
    controls = sum(byte < 32 and byte not in (9, 10, 13) for byte in head)
    if b"\x00" in head or controls > len(head) // 100:
        raise UnreadableFile(f"{name} is binary, not text: it is not a CSV")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = encoding.upper().replace("-LE", " little-endian").replace("-BE", " big-endian")
        raise UndecodableText(
            f"{name} reads as {label} text but is not valid {label}: {exc.reason} at byte "
            f"{exc.start}"
        ) from None


def line_cut(data: bytes, encoding: str | None) -> int:
    """The length of ``data`` up to and including its last line end, aligned on the code
    units of ``encoding`` (a UTF-16 line end is two bytes); 0 if there is none."""
    unit = WIDE.get(encoding or "", 1)
    if unit == 1:
        return data.rfind(b"\n") + 1
    _, skip = bom(data)
    newline = "\n".encode(encoding or "")
    end = len(data) - (len(data) - skip) % unit
    found = data.rfind(newline, skip, end)
    while found >= 0 and (found - skip) % unit:
        found = data.rfind(newline, skip, found + unit - 1)
    return found + unit if found >= 0 else 0
