"""The text of an uploaded CSV: its encoding recognised, its bytes decoded strictly.

UTF-8 (with or without BOM), UTF-16 and UTF-32 (with a BOM, or recognised without one by
the zero bytes of ASCII text), Windows-1252, then Latin-1. A UTF-16 or UTF-32 file that does
not decode (an odd length, a lone surrogate, a cut character) is refused with
:class:`UndecodableText`, which names the encoding, the position and the fix; a file that
is binary is refused as not a CSV.
"""

from __future__ import annotations

from entrepot.encodings import SNIFF_BYTES, WIDE, bom, wide_encoding
from entrepot.fraud.errors import UnreadableFile
from entrepot.messages import N_, Message

__all__ = [
    "WIDE",
    "UndecodableText",
    "bom",
    "decode",
    "is_binary",
    "line_cut",
    "wide_encoding",
]


class UndecodableText(UnreadableFile):
    """A text file whose bytes are not valid in the encoding it announces."""

    hint = "save the file as CSV UTF-8 (File > Save as > CSV UTF-8) and upload it again"


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
    if is_binary(data):
        raise UnreadableFile(
            f"{name} is binary, not text: it is not a CSV",
            said=Message(N_("error.table.binary"), {"name": name}),
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def is_binary(data: bytes) -> bool:
    """Whether the start of ``data`` (a byte-wide encoding's: no BOM of UTF-16 or UTF-32)
    is binary rather than text: a zero byte, or more than one control character in a
    hundred, in its first :data:`~entrepot.encodings.SNIFF_BYTES`."""
    head = data[:SNIFF_BYTES]
    controls = sum(byte < 32 and byte not in (9, 10, 13) for byte in head)
    return b"\x00" in head or controls > len(head) // 100


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = encoding.upper().replace("-LE", " little-endian").replace("-BE", " big-endian")
        raise UndecodableText(
            f"{name} reads as {label} text but is not valid {label}: {exc.reason} at byte "
            f"{exc.start}",
            said=Message(
                N_("error.table.undecodable"), {"name": name, "encoding": label, "byte": exc.start}
            ),
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
