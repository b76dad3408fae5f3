"""What the engine and the services say, in the page's language: a column's role and the
reason for it, a warning, a row's explanation, a job's progress and failure, an entry of
the audit log.

Each is a message (``entrepot.messages``: a key and typed values) written here from its
key with the page's number formats; a plain string, written by an earlier release, shows
as it is: no sentence is ever read back into a key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from math import isfinite

from entrepot.i18n import Formats, Translator
from entrepot.i18n.messages import Speaker


@dataclass(frozen=True)
class Phrases:
    """The engine's messages in one language."""

    t: Translator
    formats: Formats

    @property
    def _speaker(self) -> Speaker:
        return Speaker(self.t, self.formats)

    def said(self, message: object, text: str | None = None) -> str:
        """A stored message (``{"key", "params"}``) in words; without one, ``text`` (or a
        plain string given as ``message``) as it is."""
        shown = self._speaker.stored(message)
        return shown if shown or text is None else text

    def column_type(self, dtype: str) -> str:
        """A column's type in words (``whole number``, ``date and time``), never the
        table library's name for it (``int64``, ``datetime64[ns]``); an unknown one as it is."""
        return self._speaker.column_type(dtype)

    def notes(self, document: Mapping[str, object] | None) -> list[str]:
        """The warnings of an analysis or a training: its ``warning_messages`` in words,
        else (a document of an earlier release) its ``warnings`` as they are."""
        found = dict(document or {})
        messages, texts = found.get("warning_messages"), found.get("warnings")
        if isinstance(messages, list) and messages:
            return [self.said(m) for m in messages]
        return [str(text) for text in texts] if isinstance(texts, list) else []

    def explanation(self, parts: Sequence[object] | None, text: str | None = None) -> str:
        """A row's explanation from its parts; ``text`` as it is for a row without them."""
        return self._speaker.parts(parts) if parts else text or ""

    def error(
        self, code: str | None, message: str, status: int | None = None, said: object = None
    ) -> str:
        """A refusal or failure: in English the service's own message (it says what to do);
        in another language the refusal's own message ``said`` when it has one, else the
        sentence of its code, else of its HTTP status."""
        if self.t.lang == "en":
            return message
        if said is not None:
            return self.said(said, message)
        if not code:
            return message
        for key in (f"error.{code}", f"error.status.{status or 400}", "error.status.400"):
            text = self.t(key)
            if text != key:
                return text
        return message

    def job_error(self, data: object, code: str | None, message: str | None) -> str:
        """A job's failure: its message, else (an error's own text) as :meth:`error` says."""
        if data:
            return self.said(data)
        return self.error(code, message, 422) if message else ""

    def field(self, role: str, value: object) -> str:
        """A transaction's field on the review page (``fraud_service/review_fields.py``):
        an amount with two decimals, a time (ISO 8601 text) in the page's words, anything
        else (a key, a time that did not parse) as it is."""
        if role == "amount" and isinstance(value, int | float) and not isinstance(value, bool):
            return self.formats.number(value, 2)
        if role == "time" and isinstance(value, str):
            try:
                return self.formats.wall_clock(datetime.fromisoformat(value))
            except ValueError:
                return value
        return str(value)

    def param(self, value: object) -> str:
        """A hyper-parameter's value: a number in the page's format with the decimals it
        has (at most 8: ``0,05``, ``1 000``), a yes or no, anything else as it is."""
        if isinstance(value, bool):
            return self.t("common.yes") if value else self.t("common.no")
        if isinstance(value, int):
            return self.formats.number(value)
        if isinstance(value, float) and isfinite(value):
            exponent = Decimal(repr(value)).normalize().as_tuple().exponent
            decimals = -exponent if isinstance(exponent, int) else 0
            return self.formats.number(value, min(max(decimals, 0), 8))
        return "–" if value is None else str(value)

    def role(self, role: str, kind: str | None = None) -> str:
        """A column's role, with its kind of entity (``entity (customer)``)."""
        return self._speaker.role(role, kind)

    def _known(self, key: str, fallback: str) -> str:
        text = self.t(key)
        return fallback if text == key else text

    def action(self, action: str) -> str:
        """An audit-log action (``licence.create``) in words; an unknown one as it is."""
        return self._known(f"audit.action.{action}", action)

    def details(self, details: Mapping[str, object] | None) -> list[str]:
        """An audit-log entry's details (``days: 30``): the names and the known words in
        the page's language, the numbers in its format, anything else as it is."""
        shown = []
        for name, value in (details or {}).items():
            label = self._known(f"audit.detail.{name}", name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                text = "" if value is None else str(value)
                text = self._known(f"audit.word.{text}", text)
            else:
                text = self.formats.number(value)
            shown.append(self.t("audit.detail_pair", label=label, value=text))
        return shown
