"""A :class:`~entrepot.messages.Message` in words: its key's text in the reader's language,
the numbers as that language writes them (CLDR), the marked parameters translated. English
is one of the languages: the API's text fields are :func:`english`, from the key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import isfinite

from entrepot.i18n.catalogs import N_, Translator, translator
from entrepot.i18n.formats import Formats
from entrepot.messages import Count, Message, Number, Param, Share, Size, Word, message_of

#: A column's type (pandas' name, by its start) and its words.
COLUMN_TYPES = (
    ("int", N_("column_type.whole")),
    ("uint", N_("column_type.whole")),
    ("float", N_("column_type.decimal")),
    ("bool", N_("column_type.yes_no")),
    ("datetime", N_("column_type.date_time")),
    ("timedelta", N_("column_type.duration")),
    ("category", N_("column_type.category")),
    ("object", N_("column_type.text")),
    ("str", N_("column_type.text")),
)
#: Between the parts of a row's explanation (French puts a narrow no-break space before ";").
PART_SEPARATORS = {"fr": "\u202f; "}


@dataclass(frozen=True)
class Speaker:
    """Messages written in one language."""

    t: Translator
    formats: Formats

    def __call__(self, message: Message) -> str:
        """``message`` in words."""
        values = {name: self.value(value) for name, value in message.params.items()}
        count = message.params.get("count")
        if isinstance(count, int) and not isinstance(count, bool):
            del values["count"]
            return self.t.plural(message.key, count, **values)
        return self.t(message.key, **values)

    def stored(self, data: object) -> str:
        """A stored message in words; a plain string (an earlier release's sentence) as it
        is, never read back into a key."""
        found = message_of(data)
        if found is not None:
            return self(found)
        return "" if data is None else str(data)

    def parts(self, parts: Sequence[object]) -> str:
        """Messages (a row's explanation) joined as the language joins a list's parts."""
        return PART_SEPARATORS.get(self.t.lang, "; ").join(self.stored(p) for p in parts)

    def role(self, role: str, kind: str | None = None) -> str:
        """A column's role (``role.id``: "identifier (not used)"), with its kind of entity
        (``entity (customer)``); the web page and ``fraud analyze`` both write it here."""
        name = self.t(f"role.{role}")
        return f"{name} ({self.t(f'role.kind.{kind}')})" if kind else name

    def column_type(self, dtype: str) -> str:
        """A column's type in words (``whole number``, ``date and time``), never the
        table library's name for it (``int64``, ``datetime64[ns]``); an unknown one as it
        is. The dataset page and ``fraud analyze`` both write it here."""
        name = dtype.lower()
        for prefix, key in COLUMN_TYPES:
            if name.startswith(prefix):
                return self.t(key)
        return dtype

    def value(self, value: Param) -> str:
        """One parameter in words."""
        if isinstance(value, Word):
            return self.t(value.key)
        if isinstance(value, Count):
            return self.t.plural(value.key, value.value)
        if isinstance(value, Number):
            shown = value.value if isfinite(value.value) else None
            return self.formats.number(shown, value.digits)
        if isinstance(value, Size):
            return self.formats.size(value.value)
        if isinstance(value, Share):
            shown = value.value if isfinite(value.value) else None
            return self.formats.percent(shown, value.digits)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.formats.number(value)
        return self.formats.number(None) if value is None else str(value)


def speaker(lang: str) -> Speaker:
    """The speaker of ``lang`` (the default language's when ``lang`` is not known)."""
    t = translator(lang)
    return Speaker(t, Formats(t.lang))


def english(message: Message) -> str:
    """``message`` in English: the text the JSON API and the stored documents carry beside
    the key (the sentence comes from the key, never the reverse)."""
    return speaker("en")(message)


def english_parts(parts: Sequence[Message]) -> str:
    """A row's explanation in English."""
    return speaker("en").parts(parts)
