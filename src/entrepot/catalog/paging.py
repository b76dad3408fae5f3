"""The bounds of a paged listing, shared by every repository that serves pages."""

from __future__ import annotations

from entrepot.errors import CatalogError

#: The largest page a listing serves.
MAX_PER_PAGE = 200
#: The highest page number a listing accepts (its offset stays far within 64 bits).
MAX_PAGE = 1_000_000


class InvalidPage(CatalogError, ValueError):
    """A page number or page size out of range."""

    hint = f"ask for a page from 1 to {MAX_PAGE} with per_page from 1 to {MAX_PER_PAGE}"


def check_page(page: int, per_page: int) -> None:
    """Refuse a page number outside 1..:data:`MAX_PAGE` or a page size outside
    1..:data:`MAX_PER_PAGE` (:class:`InvalidPage`)."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidPage(f"there is no page {page}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidPage(f"a page holds 1 to {MAX_PER_PAGE} items, not {per_page}")
