"""The message catalogs: ``locale/<lang>/LC_MESSAGES/messages.po`` read and compiled in
memory with ``babel.messages`` on first use (cached), and a translator over them.

Message ids are stable keys (``nav.home``); each language, English included, has its own
catalog. A key missing from a catalog shows as itself (a test lists none).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from entrepot.i18n.formats import Formats
from entrepot.messages import N_ as N_
from entrepot.messages import Np_ as Np_

#: The interface's languages; the first is the default.
LANGUAGES = ("en", "fr")
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def po_path(lang: str) -> Path:
    """Where the catalog of ``lang`` lives in the package."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    """The ``.po`` catalog of ``lang`` as Babel reads it."""
    with po_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (fuzzy entries left out, as ``pybabel compile``)."""
    compiled = BytesIO()
    write_mo(compiled, read_catalog(lang), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Messages in one language: ``t(key, **values)`` and ``tn(key, count, **values)``.

    Values fill ``{name}`` fields (any name: ``key`` is positional only, so a message
    may have a value named ``key``); a plural message also gets ``{count}``, the count as
    the language writes numbers (``12 345``).
    """

    lang: str

    def __call__(self, key: str, /, **values: object) -> str:
        text = translations(self.lang).gettext(key)
        return text.format(**values) if values else text

    def plural(self, key: str, count: int | None, /, **values: object) -> str:
        """The form of ``key`` for ``count`` (``1 ligne``, ``2 lignes``; ``–`` when missing)."""
        text = translations(self.lang).ngettext(key, key, 2 if count is None else int(count))
        return text.format(count=Formats(self.lang).number(count), **values)


def translator(lang: str) -> Translator:
    """The translator of ``lang`` (the default language's when ``lang`` is not known)."""
    return Translator(lang if lang in LANGUAGES else LANGUAGES[0])
