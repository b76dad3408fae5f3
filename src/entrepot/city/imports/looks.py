"""What a file looks like, said in words: for refusals and for the files an import skips.

:func:`binary_kind` names a binary format from its first bytes (gzip, ZIP, PDF, images,
old Office files); :func:`not_data` says why a file found in a folder or an archive is not a
city data file (documentation, images, system files), or ``None`` when it should be tried.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from entrepot.city.imports import notes as noted

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

#: First bytes of binary formats -> what they are.
_SIGNATURES = (
    (GZIP_MAGIC, "a gzip archive"),
    (ZIP_MAGICS[0], "a ZIP archive"),
    (ZIP_MAGICS[1], "an empty ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3", "an SQLite database"),
)
#: Formats that are never city data (documents, images): skipped in folders and archives.
_DOCUMENTS = frozenset({"a PDF document", "a PNG image", "a JPEG image", "a GIF image"})
#: Name endings of files that are not data: documentation, images, checksums, notebooks.
_NOT_DATA_SUFFIXES = frozenset(
    {
        ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".png", ".jpg", ".jpeg",
        ".gif", ".svg", ".webp", ".doc", ".docx", ".odt", ".ipynb", ".py", ".sha256",
        ".md5", ".sig", ".asc", ".ini", ".log",
    }
)  # fmt: skip
#: Name stems of documentation files, whatever their ending (``README``, ``LICENSE.txt``).
_NOT_DATA_STEMS = frozenset(
    {"readme", "license", "licence", "notice", "changelog", "authors", "copying", "thumbs"}
)


def binary_kind(head: bytes) -> str | None:
    """What the first bytes ``head`` of a file say it is, or ``None`` for text."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if len(head) > 262 and head[257:262] == b"ustar":
        return "a tar archive"
    return None


def not_data(name: str, head: bytes) -> str | None:
    """Why the file ``name`` (found in a folder or an archive) is not a city data file, or
    ``None`` when it may be one and should be imported."""
    path = PurePosixPath(name.replace("\\", "/"))
    base = path.name
    if base.startswith(".") or "__MACOSX" in path.parts:
        return noted.skip_hidden()
    if path.suffix.lower() in _NOT_DATA_SUFFIXES or base.split(".")[0].lower() in _NOT_DATA_STEMS:
        return noted.skip_not_data()
    what = binary_kind(head)
    if what in _DOCUMENTS:
        return noted.skip_document(what)
    return None
