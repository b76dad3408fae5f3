"""Why ``entrepot city import`` refuses a file, or a run cannot read a stored one, as
messages (a key and typed parameters): the ``said`` of each
:class:`~entrepot.city.errors.RawFormatError` (or other
:class:`~entrepot.city.errors.CityError`) an import or a run's reading raises, so that a
page, an API answer or a job's failure writes it in its reader's language (each French and
English entry names the problem and the fix). The English ``str(error)`` the command line
prints is unchanged. ``file`` is the file's name as the user gave it, or its key in the
lake (shown as it is).
"""

from __future__ import annotations

from entrepot.messages import N_, Message, Size


def empty(file: str) -> Message:
    """The file holds nothing (or only blanks)."""
    return Message(N_("city.refused.empty"), {"file": file})


def not_text(file: str) -> Message:
    """Neither UTF-8 nor a single-byte Western encoding."""
    return Message(N_("city.refused.not_text"), {"file": file})


def wide_broken(file: str, encoding: str, byte: int) -> Message:
    """Looks like UTF-16 or UTF-32 ("Unicode text"), but ``byte`` does not decode in it."""
    return Message(
        N_("city.refused.wide_broken"), {"file": file, "encoding": encoding, "byte": byte}
    )


def no_header(file: str) -> Message:
    """Its first line holds values, not column names."""
    return Message(N_("city.refused.no_header"), {"file": file})


def unknown_csv(file: str, kinds: str) -> Message:
    """A CSV of none of the ``kinds`` the importer knows."""
    return Message(N_("city.refused.unknown_csv"), {"file": file, "kinds": kinds})


def json_invalid(file: str, line: int) -> Message:
    """Not valid JSON (a download cut short, most often)."""
    return Message(N_("city.refused.json_invalid"), {"file": file, "line": line})


def unknown_json(file: str, kinds: str) -> Message:
    """JSON of none of the ``kinds`` the importer knows."""
    return Message(N_("city.refused.unknown_json"), {"file": file, "kinds": kinds})


def workbook(file: str) -> Message:
    """A spreadsheet workbook (``.xlsx``, ``.ods``), not an export."""
    return Message(N_("city.refused.workbook"), {"file": file})


def header_only(file: str) -> Message:
    """A counts file with its header and no row."""
    return Message(N_("city.refused.header_only"), {"file": file})


def no_valid_row(file: str, rows: int) -> Message:
    """A counts file none of whose ``rows`` has a valid arc and time."""
    return Message(N_("city.refused.no_valid_row"), {"file": file, "rows": rows})


def times_month_first(file: str) -> Message:
    """Times an English spreadsheet rewrote, month first."""
    return Message(N_("city.refused.times_month_first"), {"file": file})


def times_ambiguous(file: str) -> Message:
    """Times a spreadsheet rewrote that may be day or month first, in a file not French."""
    return Message(N_("city.refused.times_ambiguous"), {"file": file})


def times_mixed(file: str) -> Message:
    """Times a spreadsheet rewrote, some day first and some month first."""
    return Message(N_("city.refused.times_mixed"), {"file": file})


def too_big(file: str, kind: str, limit: int) -> Message:
    """A file above the in-memory limit (``limit`` bytes) that is not a counts export."""
    return Message(N_("city.refused.too_big"), {"file": file, "kind": kind, "limit": Size(limit)})


def nested_archive(file: str) -> Message:
    """An archive inside an archive inside an archive."""
    return Message(N_("city.refused.nested_archive"), {"file": file})


def archive_unreadable(file: str) -> Message:
    """A gzip or ZIP archive that cannot be read (cut short, damaged)."""
    return Message(N_("city.refused.archive_unreadable"), {"file": file})


def archive_members(file: str, members: int, limit: int) -> Message:
    """A ZIP archive holding more members than an import opens."""
    return Message(
        N_("city.refused.archive_members"), {"file": file, "members": members, "limit": limit}
    )


def archive_path(file: str, member: str) -> Message:
    """A member whose path leads out of the archive."""
    return Message(N_("city.refused.archive_path"), {"file": file, "member": member})


def archive_encrypted(file: str, member: str) -> Message:
    """An encrypted member."""
    return Message(N_("city.refused.archive_encrypted"), {"file": file, "member": member})


def archive_member_unreadable(file: str, member: str) -> Message:
    """A member that cannot be inflated."""
    return Message(N_("city.refused.archive_member_unreadable"), {"file": file, "member": member})


def archive_too_big(file: str, limit: int) -> Message:
    """An archive inflating to more than an import unpacks (``limit`` bytes, written with
    the reader's units)."""
    return Message(N_("city.refused.archive_too_big"), {"file": file, "limit": Size(limit)})


def archive_bomb(file: str, ratio: int, limit: int) -> Message:
    """An archive compressed far more than exports are: a bomb."""
    return Message(N_("city.refused.archive_bomb"), {"file": file, "ratio": ratio, "limit": limit})


def stored_not_utf8(file: str) -> Message:
    """A stored CSV or JSON that is not UTF-8 (put in the lake without the import)."""
    return Message(N_("city.refused.stored_not_utf8"), {"file": file})


def stored_json_invalid(file: str, line: int) -> Message:
    """A stored JSON document that does not parse (cut short, most often)."""
    return Message(N_("city.refused.stored_json_invalid"), {"file": file, "line": line})


def stored_separator(file: str, sep: str) -> Message:
    """A stored CSV whose header lacks the separator ``sep`` the pipeline reads."""
    return Message(N_("city.refused.stored_separator"), {"file": file, "sep": sep})


def stored_columns(file: str, missing: str) -> Message:
    """A stored CSV without the columns ``missing`` (names as written, comma-separated)."""
    return Message(N_("city.refused.stored_columns"), {"file": file, "missing": missing})


def stored_counts_unreadable(file: str) -> Message:
    """A stored counts file DuckDB cannot read (rows that do not follow the header)."""
    return Message(N_("city.refused.stored_counts_unreadable"), {"file": file})


def archive_given(file: str) -> Message:
    """An archive (gzip, ZIP, tar) where a text export was expected."""
    return Message(N_("city.refused.archive_given"), {"file": file})


def binary_given(file: str) -> Message:
    """Some other binary file (a picture, a PDF...) where a text export was expected."""
    return Message(N_("city.refused.binary_given"), {"file": file})


def no_such_file(file: str) -> Message:
    """A path given to the import that is neither a file nor a folder."""
    return Message(N_("city.refused.no_such_file"), {"file": file})


def unreadable(file: str, reason: str) -> Message:
    """A file the system would not let the import read (``reason``: the system's words)."""
    return Message(N_("city.refused.unreadable"), {"file": file, "reason": reason})
