"""Counts exports too big to hold in memory (a year of Paris is several GB): streamed.

One pass hashes the file and checks it is UTF-8; a second pass, only when needed, writes a
UTF-8 copy without the stray quote or BOM before the header (Windows-1252, UTF-16 and
UTF-32 files, with or without a BOM, are transcoded chunk by chunk), and without the
incomplete last row of a download that stopped. DuckDB then checks the
copy as the pipeline will read it, with bounded memory, and the store streams it in.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from entrepot.city import refused
from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes as said
from entrepot.city.imports.detect import detect
from entrepot.city.imports.text import decode, guess_encoding, shown_encoding
from entrepot.city.readers import whole_rows_end
from entrepot.encodings import bom, wide_encoding

#: Files up to this size are imported in memory; bigger ones are streamed (counts only).
IN_MEMORY_LIMIT = 64 * 1024**2
_CHUNK = 4 * 1024 * 1024
_HEAD = 256 * 1024


@dataclass(frozen=True)
class Streamed:
    """A big counts file ready to store: the path to store, the original's sha256, notes."""

    path: Path
    sha256: str
    notes: tuple[str, ...]


def scan(path: Path, name: str, wide: str | None = None) -> tuple[str, str | None]:
    """sha256 and the encoding to transcode from: ``wide`` (UTF-16 or UTF-32, seen in the
    head), else the first non-UTF-8 chunk's guessed encoding (None: all UTF-8)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding: str | None = wide
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if encoding is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = guess_encoding(chunk) or ""
    if encoding == "":
        raise RawFormatError(
            f"{name} is neither UTF-8 nor Windows-1252 text",
            key=name,
            hint="re-export it as UTF-8",
            said=refused.not_text(name),
        )
    return digest.hexdigest(), encoding


def prepare_counts(path: Path, name: str, folder: Path) -> Streamed:
    """Check a big file is a counts export and give the path to store (a UTF-8 copy in
    ``folder`` when the original needs one: another encoding, a stray quote, a cut last
    row); raises ``RawFormatError`` naming ``name``.

    "Unicode text" (UTF-16 or UTF-32, with a BOM or without one) is recognised as the
    memory path recognises it (:func:`entrepot.encodings.wide_encoding`) and transcoded
    chunk by chunk. A download that stopped mid-row loses its incomplete last line
    (:func:`entrepot.city.readers.whole_rows_end`), warned."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    wide = wide_encoding(head)
    sha256, encoding = scan(path, name, wide)
    preview = decode(_preview(head, encoding), name)
    kind = detect(preview.text, name).kind
    if kind != "counts":
        raise RawFormatError(
            f"{name} is a {kind} file of {path.stat().st_size} bytes; only counts exports "
            f"may be larger than {IN_MEMORY_LIMIT // 1024**2} MB",
            key=name,
            said=refused.too_big(name, kind, IN_MEMORY_LIMIT),
        )
    notes = [n for n in preview.notes]
    if encoding is not None:
        shown = encoding if wide is None else shown_encoding(encoding)
        with_bom = wide is None or bom(head)[0] is not None
        notes.append(said.decoded(name, shown, bom=with_bom))
    stray = said.has(preview.notes, said.STRAY_QUOTE)
    stored = path
    if encoding is not None or stray:
        stored = folder / "counts.csv"
        _rewrite(path, stored, encoding or "utf-8", stray, name)
    end = whole_rows_end(stored)
    if end is not None:
        if stored == path:  # the original is stored as it is: its whole rows are copied
            stored = folder / "counts.csv"
            _copy_head(path, stored, end)
        else:
            os.truncate(stored, end)
        notes.append(said.cut_short(name))
    return Streamed(stored, sha256, tuple(notes))


def _preview(head: bytes, encoding: str | None) -> bytes:
    """The head's whole lines, as UTF-8 (a partial character at its end left out)."""
    if encoding is None:
        return head[: head.rfind(b"\n") + 1] or head
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    return (text[: text.rfind("\n") + 1] or text).encode("utf-8")


def _rewrite(source: Path, dest: Path, encoding: str, stray: bool, name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    first, done = True, 0
    with open(source, "rb") as fh, open(dest, "w", encoding="utf-8", newline="") as out:
        try:
            while chunk := fh.read(_CHUNK):
                text = decoder.decode(chunk)
                if first:
                    text = text.lstrip("\ufeff")
                    if stray and text.startswith('"'):
                        text = text[1:].lstrip("\ufeff")
                    first = False
                out.write(text)
                done += len(chunk)
            out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise RawFormatError(
                f"{name} looks like {shown_encoding(encoding)} text, but byte "
                f"{done + exc.start} does not decode in it ({exc.reason})",
                key=name,
                hint="re-save the file as UTF-8 (CSV UTF-8) and import it again",
                said=refused.wide_broken(name, shown_encoding(encoding), done + exc.start),
            ) from None


def _copy_head(source: Path, dest: Path, size: int) -> None:
    with open(source, "rb") as fh, open(dest, "wb") as out:
        while size > 0 and (chunk := fh.read(min(_CHUNK, size))):
            out.write(chunk)
            size -= len(chunk)


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    """Where the UTF-8 copy goes while it is checked and stored."""
    return tempfile.TemporaryDirectory(prefix="entrepot-import-")
