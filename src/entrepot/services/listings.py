"""The command line's read-only listings (``users list``, ``models ls``), as one service.

Each method is one query through the read-only unit of work (``catalog/reads.py``, its
listings in ``catalog/listings.py``): SQLAlchemy Core on the migrated catalog, the ORM
never loaded, so a listing command starts fast (ADR 0030). The account an
operator names for ``--user`` is found here too, so the command makes one call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entrepot.catalog.accounts.records import UserRecord
    from entrepot.catalog.models.records import ModelSummary
    from entrepot.catalog.reads import ReadOnlyUnitOfWork

#: ``find("you@example.com")`` -> that account's id (an unknown account raises).
FindAccount = Callable[[str], int]


class Listings:
    """Listings through the read-only units of work ``reads()`` opens (called on use only)."""

    def __init__(self, reads: Callable[[], ReadOnlyUnitOfWork], find_account: FindAccount) -> None:
        self._reads = reads
        self._find_account = find_account

    def users(self, query: str = "") -> list[UserRecord]:
        """Every account whose email or name contains ``query`` (any case), newest first."""
        with self._reads() as catalog:
            return catalog.users.matching(query)

    def models(self, user: str | None = None) -> tuple[ModelSummary, ...]:
        """The shared models (``user`` None) or those of the account ``user`` names (email
        or id), by name: how many ready versions, and the latest."""
        namespace = "" if user is None else str(self._find_account(user))
        with self._reads() as catalog:
            return catalog.models.summaries(namespace)
