"""The interface's languages: gettext catalogs (keys as message ids, ``locale/*/messages.po``),
plural forms, CLDR numbers, dates and sizes (Babel), and the choice of a request's language.

Only the entrypoints (web pages, dashboard) call it; the catalogs are compiled in memory on
first use, so a checkout, an editable install and a wheel all read the same ``.po`` files.
"""

from entrepot.i18n.catalogs import LANGUAGES, Translator, translator
from entrepot.i18n.formats import Formats
from entrepot.i18n.negotiation import negotiate

__all__ = ["LANGUAGES", "Formats", "Translator", "negotiate", "translator"]
