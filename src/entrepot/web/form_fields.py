"""Which field of a form a refusal is about, so that the page ties its error to that field
(WCAG 3.3.1 and 1.3.1: ``aria-invalid`` on the field, ``aria-describedby`` naming the
error), by the refusal's message key."""

from __future__ import annotations

from entrepot.errors import EntrepotError

#: Message key of a refusal -> the form field it is about (the name of the input, as the
#: account forms call it; the profile's new password is ``password`` here).
FIELD_OF_KEY = {
    "error.password_short": "password",
    "error.password_long": "password",
    "error.password_email": "password",
    "error.account.wrong_password": "password",
    "error.account.current_password": "current_password",
    "error.email_invalid": "email",
    "error.email_quoted": "email",
    "error.email_hidden": "email",
    "error.account.email_taken": "email",
    "error.account.email_lookalike": "email",
    "error.account.no_account_email": "email",
    "error.name_control": "name",
    "error.name_long": "name",
}


def field_of(error: EntrepotError) -> str | None:
    """The form field ``error`` is about, or ``None`` when it is about the whole form."""
    said = getattr(error, "said", None)
    return None if said is None else FIELD_OF_KEY.get(said.key)
