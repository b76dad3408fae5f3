"""French and English on the pages: the language of a request and its translator.

The language is the one chosen with the switch (kept in the session), else the best of
``Accept-Language`` (negotiated by Babel), else English. The messages live in the gettext
catalogs of :mod:`entrepot.i18n` (``src/entrepot/locale/<lang>/LC_MESSAGES/messages.po``).
"""

from __future__ import annotations

from entrepot.i18n import LANGUAGES, Translator, negotiate, translator

DEFAULT = "en"

__all__ = ["DEFAULT", "LANGUAGES", "Translator", "choose", "translator"]


def choose(session_lang: object, accept_language: str | None) -> str:
    """The language of a request: the session's choice, else ``Accept-Language``'s best."""
    return negotiate(session_lang, accept_language, LANGUAGES, DEFAULT)
