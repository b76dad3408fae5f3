"""What ``entrepot city import`` notes about a file it imported, as messages: each note is a
:class:`~entrepot.city.messages.Note`, its English text (the words the command line has
always printed) carrying its key and typed parameters, so that a page, an API answer or
``--json`` writes it in its reader's language. ``file`` is the file's name as the user gave
it (shown as it is); counts are ``count`` (the plural form follows it).

The English text is the English catalog's entry filled with the parameters: one source for
the words, never a sentence parsed back into a key.
"""

from __future__ import annotations

from collections.abc import Iterable

from entrepot.city.messages import Message, Note, Param
from entrepot.i18n import translator
from entrepot.i18n.catalogs import N_, Np_, translations

CUT_SHORT = N_("city.import_note.cut_short")
NO_FINAL_NEWLINE = N_("city.import_note.no_final_newline")
DECODED = N_("city.import_note.decoded")
DECODED_NO_BOM = N_("city.import_note.decoded_no_bom")
STRAY_QUOTE = N_("city.import_note.stray_quote")
DUPLICATES = Np_("city.import_note.duplicates")
SYNOP_REPEATED = Np_("city.import_note.synop_repeated")
DST_GAP = Np_("city.import_note.dst_gap")
NOT_NUMBERS = Np_("city.import_note.not_numbers")
NOT_NUMBERS_LEFT_OUT = Np_("city.import_note.not_numbers_left_out")
NO_VALID_ARC = Np_("city.import_note.no_valid_arc")
STATIONS_DAYS = Np_("city.import_note.stations_days")
STATIONS_OBSERVATIONS = Np_("city.import_note.stations_observations")
VELIB_TAKEN_AT = N_("city.import_note.velib_taken_at")
INFORMATION_TAKEN_ON = N_("city.import_note.information_taken_on")
SPREADSHEET_DAY_FIRST = Np_("city.import_note.spreadsheet_day_first")
#: Why a file found in a folder or an archive was left aside (``Skipped``).
SKIP_FOLDER = N_("city.import_skip.folder")
SKIP_HIDDEN = N_("city.import_skip.hidden")
SKIP_NOT_DATA = N_("city.import_skip.not_data")
#: A document or an image by its first bytes (``looks.binary_kind``) -> its key.
SKIP_DOCUMENTS = {
    "a PDF document": N_("city.import_skip.pdf"),
    "a PNG image": N_("city.import_skip.png"),
    "a JPEG image": N_("city.import_skip.jpeg"),
    "a GIF image": N_("city.import_skip.gif"),
}


def english(message: Message) -> str:
    """``message``'s English catalog entry filled with its values as the command line has
    always written them (``9503 time(s)``: numbers without grouping)."""
    t = translator("en")
    values = {name: str(value) for name, value in message.params.items()}
    count = message.params.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        text = translations(t.lang).ngettext(message.key, message.key, count)
        return text.format(**values)
    return t(message.key, **values)


def note(key: str, **params: Param) -> Note:
    """The note ``key`` with ``params``, its text in English (:func:`english`)."""
    message = Message(key, params)
    made = Note(english(message), key)
    made.message = message  # set after: a parameter may share a name with a keyword of Note
    return made


def cut_short(file: str) -> Note:
    """A CSV cut mid-row (a download that stopped): its last, incomplete line left out."""
    return note(CUT_SHORT, file=file)


def no_final_newline(file: str) -> Note:
    """A file without a final newline: it may have been cut short."""
    return note(NO_FINAL_NEWLINE, file=file)


def decoded(file: str, encoding: str, *, bom: bool = True) -> Note:
    """Read in ``encoding`` (as people name it) and stored as UTF-8; ``bom=False``: a
    "Unicode text" saved without a byte-order mark."""
    return note(DECODED if bom else DECODED_NO_BOM, file=file, encoding=encoding)


def stray_quote(file: str) -> Note:
    """A stray ``"`` before the header, removed."""
    return note(STRAY_QUOTE, file=file)


def duplicates(file: str, count: int) -> Note:
    """Rows of the same arc and counted hour (each counted once)."""
    return note(DUPLICATES, file=file, count=count)


def synop_repeated(file: str, count: int) -> Note:
    """SYNOP rows repeating an observation (same station and time): the last one kept."""
    return note(SYNOP_REPEATED, file=file, count=count)


def dst_gap(file: str, count: int) -> Note:
    """Rows stamped at the hour a spring-forward day skips (each left out)."""
    return note(DST_GAP, file=file, count=count)


def not_numbers(file: str, count: int) -> Note:
    """Counts values that are not numbers (each day's run says more)."""
    return note(NOT_NUMBERS, file=file, count=count)


def not_numbers_left_out(file: str, count: int, line: int, column: str, value: str) -> Note:
    """Values that are not numbers, left out: the first at ``line`` in ``column``."""
    return note(
        NOT_NUMBERS_LEFT_OUT,
        file=file,
        count=count,
        line=line,
        column=repr(column),
        value=repr(value),
    )


def no_valid_arc(file: str, count: int) -> Note:
    """Counts rows without a valid arc or time (left out)."""
    return note(NO_VALID_ARC, file=file, count=count)


def stations(file: str, count: int, station: str, kept: int, *, daily: bool) -> Note:
    """A weather file of ``count`` stations: only ``station`` (``kept`` days or
    observations) imported."""
    key = STATIONS_DAYS if daily else STATIONS_OBSERVATIONS
    return note(key, file=file, count=count, station=station, kept=kept)


def velib_taken_at(file: str, taken: str, as_of: str) -> Note:
    """A Vélib' file whose update column says when it was taken, not ``--as-of``."""
    return note(VELIB_TAKEN_AT, file=file, taken=taken, as_of=as_of)


def information_taken_on(file: str, taken: str, as_of: str) -> Note:
    """A station_information whose own stamp says when it was taken, not ``--as-of``."""
    return note(INFORMATION_TAKEN_ON, file=file, taken=taken, as_of=as_of)


def spreadsheet_day_first(file: str, count: int) -> Note:
    """Times a spreadsheet rewrote (``31/12/2023 23:00``), read day first as Paris time."""
    return note(SPREADSHEET_DAY_FIRST, file=file, count=count)


def skip_folder() -> Note:
    """A folder inside the folder given (its files are not imported)."""
    return note(SKIP_FOLDER)


def skip_hidden() -> Note:
    """A hidden or system file (``.DS_Store``, ``__MACOSX``)."""
    return note(SKIP_HIDDEN)


def skip_not_data() -> Note:
    """Documentation or another file that is not city data, by its name."""
    return note(SKIP_NOT_DATA)


def skip_document(what: str) -> Note:
    """A document or an image (``what``: as :func:`~entrepot.city.imports.looks.binary_kind`
    names it, one of :data:`SKIP_DOCUMENTS`)."""
    return note(SKIP_DOCUMENTS[what])


def has(notes: Iterable[str], key: str) -> bool:
    """Whether one of ``notes`` is the note ``key`` (read from its message, not its text)."""
    return any(isinstance(n, Note) and n.message.key == key for n in notes)
