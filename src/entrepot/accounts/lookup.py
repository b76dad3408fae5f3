"""An account named the way an operator names it: by email or by id."""

from __future__ import annotations

from entrepot.accounts.errors import InvalidAccountInput
from entrepot.accounts.service import normalize_email
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import RecordNotFound


def find_account(uow: UnitOfWorkFactory, ref: str) -> UserRecord:
    """The account ``ref`` names: an email (``you@example.com``) or an id (``42``).

    Raises :class:`InvalidAccountInput` for anything else and :class:`RecordNotFound`
    when no such account exists.
    """
    text = ref.strip()
    if text.isdigit():
        with uow() as unit:
            found = unit.users.find(int(text))
    elif "@" in text:
        email = normalize_email(text)
        with uow() as unit:
            found = unit.users.by_email(email)
    else:
        raise InvalidAccountInput(
            f"{ref[:60]!r} is neither an email nor an account id",
            hint="give the account's email (you@example.com) or its id (see `entrepot users list`)",
        )
    if found is None:
        raise RecordNotFound(
            f"no account {text}", hint="see `entrepot users list`, or `entrepot users create`"
        )
    return found
