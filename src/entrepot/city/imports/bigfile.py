"""Counts exports too big to hold in memory (a year of Paris is several GB): streamed.

One pass hashes the file and checks it is UTF-8 (and whether its quotes balance); a
second pass, only when needed, writes a UTF-8 copy without the stray quote or BOM before
the header (Windows-1252 files are transcoded chunk by chunk). DuckDB then checks the
copy as the pipeline will read it, with bounded memory, and the store streams it in.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from entrepot.city.errors import RawFormatError
from entrepot.city.imports.detect import detect
from entrepot.city.imports.text import decode, guess_encoding

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


def scan(path: Path, name: str) -> tuple[str, str | None, int, bytes]:
    """sha256, the first non-UTF-8 chunk's guessed encoding (None: all UTF-8), the count of
    ``"`` and the last bytes of the file."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding: str | None = None
    quotes, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            quotes += chunk.count(b'"')
            last = chunk[-16:]
            if encoding is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = guess_encoding(chunk) or ""
    if encoding == "":
        raise RawFormatError(
            f"{name} is neither UTF-8 nor Windows-1252 text", key=name, hint="re-export it as UTF-8"
        )
    return digest.hexdigest(), encoding, quotes, last


def prepare_counts(path: Path, name: str, folder: Path) -> Streamed:
    """Check a big file is a counts export and give the path to store (a UTF-8 copy in
    ``folder`` when the original needs one); raises ``RawFormatError`` naming ``name``."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    head = head[: head.rfind(b"\n") + 1] or head
    sha256, encoding, quotes, last = scan(path, name)
    preview = (
        decode(head, name) if encoding is None else decode(head.decode(encoding).encode(), name)
    )
    kind = detect(preview.text, name).kind
    if kind != "counts":
        raise RawFormatError(
            f"{name} is a {kind} file of {path.stat().st_size} bytes; only counts exports "
            f"may be larger than {IN_MEMORY_LIMIT // 1024**2} MB",
            key=name,
        )
    notes = [n for n in preview.notes]
    if encoding is not None:
        notes.append(f"{name}: read as {encoding} and stored as UTF-8")
    if quotes % 2:
        notes.append(f"{name}: the file ends inside a quoted field; it was cut short")
    elif not last.endswith(b"\n"):
        notes.append(f"{name}: the file does not end with a newline; it may have been cut short")
    stray = any("stray" in n for n in preview.notes)
    if encoding is None and not stray:
        return Streamed(path, sha256, tuple(notes))
    copy = folder / "counts.csv"
    _rewrite(path, copy, encoding or "utf-8", stray)
    return Streamed(copy, sha256, tuple(notes))


def _rewrite(source: Path, dest: Path, encoding: str, stray: bool) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    first = True
    with open(source, "rb") as fh, open(dest, "w", encoding="utf-8", newline="") as out:
        while chunk := fh.read(_CHUNK):
            text = decoder.decode(chunk)
            if first:
                text = text.lstrip("\ufeff")
                if stray and text.startswith('"'):
                    text = text[1:].lstrip("\ufeff")
                first = False
            out.write(text)
        out.write(decoder.decode(b"", final=True))


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    """Where the UTF-8 copy goes while it is checked and stored."""
    return tempfile.TemporaryDirectory(prefix="entrepot-import-")
