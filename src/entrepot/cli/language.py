"""The language a command writes its refusals in: the reader's, from the environment as
POSIX programs read it (``LANGUAGE``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); English
when none names a language Entrepôt speaks (``C``, ``POSIX``, unset)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from math import isfinite
from typing import Any

from entrepot.i18n.catalogs import Translator, translator
from entrepot.i18n.formats import Formats
from entrepot.i18n.messages import speaker
from entrepot.messages import Message, message_of
from entrepot.sizes import human_size as plain_size

#: The languages the catalogs hold (``src/entrepot/locale``).
SPOKEN = ("en", "fr")


def reader_language(env: Mapping[str, str] | None = None) -> str:
    """``fr`` for ``LANG=fr_FR.UTF-8``, ``en`` for ``C.UTF-8`` or nothing set."""
    env = os.environ if env is None else env
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if not value:
            continue
        for part in value.split(":"):  # LANGUAGE lists several: the first spoken wins
            code = part.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in SPOKEN:
                return code
        return "en"  # the first variable set decides, as in POSIX
    return "en"


def accept_language(env: Mapping[str, str] | None = None) -> str:
    """The ``Accept-Language`` a command sends a deployed service, so that the service
    answers its refusals in the reader's language."""
    lang = reader_language(env)
    return lang if lang == "en" else f"{lang}, en;q=0.5"


def in_words(message: Message) -> str:
    """A service's message (progress, a trust line, a note) in the reader's language: the
    same words locally and through a deployed service."""
    return speaker(reader_language())(message)


def stored_in_words(key: object, params: object) -> str:
    """A message a job's JSON carries as ``message_key``/``message_params`` (its values
    as :meth:`Message.to_json` wrote them: ``{"number": …, "digits": …}``), in words."""
    found = message_of({"key": key, "params": params or {}}) if isinstance(key, str) else None
    return "" if found is None else in_words(found)


def words() -> Translator:
    """The catalogs in the reader's language, for the command line's own lines (table
    titles, headers, summaries): ``t = words(); t("cli.….")``, a key `make translations`
    finds."""
    return translator(reader_language())


def human_size(size: float) -> str:
    """A size in the reader's language: ``1.8 MiB`` in English (as :func:`entrepot.sizes.
    human_size` writes it), ``1,8 Mio`` in French (the pages' units, octets)."""
    lang = reader_language()
    return plain_size(size) if lang == "en" else Formats(lang).size(size)


def figure(value: Any, digits: int = 0) -> str:
    """A number as the reader's language writes it, with ``digits`` decimals: ``0.481`` in
    English, ``0,481`` in French; ``-`` for none (a figure that is missing or not finite)."""
    if value is None or not isfinite(float(value)):
        return "-"
    return Formats(reader_language()).number(float(value), digits)


def share(value: Any, digits: int = 1) -> str:
    """A share of a whole as a percentage in the reader's language: ``0.25%`` in English,
    ``0,25 %`` in French; ``-`` for none."""
    if value is None or not isfinite(float(value)):
        return "-"
    return Formats(reader_language()).percent(float(value), digits)
