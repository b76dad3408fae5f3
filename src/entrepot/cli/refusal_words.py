"""A refusal written in the reader's language (``LANG=fr_FR.UTF-8``): the error's own
message (its key and values) when it carries one; else its code's sentence, followed by
the service's English words, so that the fix is never lost."""

from __future__ import annotations

from rich.markup import escape

from entrepot.errors import EntrepotError, StorageError
from entrepot.i18n.catalogs import Translator, translator
from entrepot.i18n.messages import speaker
from entrepot.refusals import code_of, status_of


def refusal_lines(error: EntrepotError, lang: str) -> list[str]:
    """The lines a command prints for ``error`` in ``lang`` (rich markup)."""
    t = translator(lang)
    label = escape(t("cli.refusal.error"))
    if error.said is not None:
        said = speaker(lang)(error.said) + _where(error, t)
        return [f"[bold red]{label}[/] {escape(said)}"]
    code, status = code_of(error), status_of(error)
    for key in (f"error.{code}", f"error.status.{status}", "error.status.400"):
        sentence = t(key)
        if sentence != key:
            break
    detail = escape(t("cli.refusal.detail"))
    return [
        f"[bold red]{label}[/] {escape(sentence)}",
        f"[yellow]{detail}[/] {escape(str(error))}",
    ]


def _where(error: EntrepotError, t: Translator) -> str:
    """Where a store refusal happened (its key and store), which the command line shows and
    the API's messages leave out: `` [clé 'x', entrepôt s3://…]``."""
    if not isinstance(error, StorageError):
        return ""
    parts = [t("cli.refusal.key", key=repr(error.key))] if error.key is not None else []
    parts += [t("cli.refusal.store", store=error.store)] if error.store is not None else []
    return f" [{', '.join(parts)}]" if parts else ""
