"""Bytes as they were downloaded -> UTF-8 text: BOM, stray quote, Windows-1252, cut files.

Exports come as UTF-8 with or without a BOM, sometimes with a stray ``"`` before the
header (before or after the BOM), sometimes re-saved by a spreadsheet in Windows-1252 or as
"Unicode text" (UTF-16, with a BOM or without one: then recognised by where the zero bytes
of ASCII characters fall; bytes that do not decode in it are refused naming it).
:func:`decode` gives the text (no BOM, header repaired) and says what it changed;
a file that is neither UTF-8 nor a single-byte Western encoding is refused by name.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from entrepot.city import refused
from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes as said
from entrepot.city.imports.looks import binary_kind
from entrepot.encodings import bom, wide_encoding

_BOM = "\ufeff"
#: Encodings accepted besides UTF-8 (what spreadsheets on Western Windows write).
_FALLBACKS = ["cp1252", "latin_1", "iso8859_15"]


@dataclass(frozen=True)
class Decoded:
    """A file's text and what was done to read it."""

    text: str
    encoding: str
    notes: tuple[str, ...]
    #: Whether the stored bytes must differ from the original (transcoded or repaired).
    changed: bool


def decode(data: bytes, name: str) -> Decoded:
    """Decode an export; raises :class:`RawFormatError` naming ``name`` when it cannot."""
    notes: list[str] = []
    if not data.strip():
        raise RawFormatError(
            f"{name} is empty", key=name, hint="download the export again", said=refused.empty(name)
        )
    what = binary_kind(data[:512])
    if what is not None:
        opens = what in ("a gzip archive", "a ZIP archive")
        raise RawFormatError(
            f"{name} is {what}, not a text export",
            key=name,
            hint="give the archive file itself to `entrepot city import`, which opens .gz and "
            ".zip archives"
            if opens
            else "export the data as CSV (UTF-8) or JSON",
            said=refused.archive_given(name) if opens else refused.binary_given(name),
        )
    wide = None if data.startswith(codecs.BOM_UTF8) else wide_encoding(data)
    if wide is not None and bom(data)[0] is None:  # "Unicode text" saved without a BOM
        text = _wide(data, wide, name)
        notes.append(said.decoded(name, shown_encoding(wide), bom=False))
        return _repaired(text, wide, notes, name)
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = data.decode("utf-16"), "utf-16"  # spreadsheets' "Unicode text"
            notes.append(said.decoded(name, "UTF-16"))
        else:
            text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        guessed = guess_encoding(data)
        if guessed is None:
            raise RawFormatError(
                f"{name} is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x} "
                f"at {exc.start})",
                key=name,
                hint="re-export the file as UTF-8 CSV",
                said=refused.not_text(name),
            ) from None
        encoding = guessed
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise RawFormatError(
                f"{name} is neither UTF-8 nor {encoding} text",
                key=name,
                hint="re-export the file as UTF-8 CSV",
                said=refused.not_text(name),
            ) from None
        notes.append(said.decoded(name, encoding))
    return _repaired(text, encoding, notes, name)


def _wide(data: bytes, encoding: str, name: str) -> str:
    """``data`` in the UTF-16 or UTF-32 ``encoding`` its zero bytes show, without a BOM;
    bytes that do not decode in it are refused naming the encoding and the fix."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise RawFormatError(
            f"{name} looks like {shown_encoding(encoding)} text without a BOM, but byte "
            f"{exc.start} does not decode in it ({exc.reason})",
            key=name,
            hint="re-save the file as UTF-8 (CSV UTF-8) and import it again",
            said=refused.wide_broken(name, shown_encoding(encoding), exc.start),
        ) from None


def shown_encoding(encoding: str) -> str:
    """An encoding as people name it (``UTF-16 LE``)."""
    return encoding.upper().replace("-LE", " LE").replace("-BE", " BE")  # UTF-16 LE


def _repaired(text: str, encoding: str, notes: list[str], name: str) -> Decoded:
    """The text without its BOM and with a stray quote before the header removed."""
    changed = encoding != "utf-8"
    body = text.replace(_BOM, "", 1) if _BOM in text[:2] else text
    first = body.split("\n", 1)[0]
    if body.startswith('"') and first.count('"') % 2 == 1:
        notes.append(said.stray_quote(name))
        body, changed = body[1:], True
    return Decoded(body, encoding, tuple(notes), changed)


def guess_encoding(data: bytes) -> str | None:
    """The single-byte Western encoding of non-UTF-8 bytes, or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1024 * 1024], cp_isolation=_FALLBACKS).best()
    return None if best is None else str(best.encoding)


def repair_cut(text: str, name: str, *, whole_rows: bool = False) -> tuple[str, list[str]]:
    """A CSV text that may have been cut short: one that ends inside a quoted field loses
    its incomplete last row, and so does one without a final line end when ``whole_rows``
    (a counts export: a download that stopped mid-row must not count); both are warned
    (:func:`~entrepot.city.imports.notes.cut_short`). Without ``whole_rows`` a missing final
    newline is only warned about."""
    notes: list[str] = []
    open_quote = text.count('"') % 2 == 1
    unended = bool(text) and not text.endswith(("\n", "\r"))
    end = _last_row_end(text) if open_quote or (whole_rows and unended) else 0
    if end:
        text = text[:end]
        notes.append(said.cut_short(name))
    elif text and not text.endswith("\n"):
        notes.append(said.no_final_newline(name))
    return text, notes


def _last_row_end(text: str) -> int:
    """Just after the last newline outside quotes (0: none)."""
    quotes, at = text.count('"'), len(text)
    while (at := text.rfind("\n", 0, at)) != -1:
        if (quotes - text.count('"', at)) % 2 == 0:
            return at + 1
    return 0
