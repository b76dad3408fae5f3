"""The bounds of a paged listing, shared by every repository that serves pages."""

from __future__ import annotations

from entrepot.errors import CatalogError
from entrepot.messages import N_, Message

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
    # A page number is a label, written as given (``1000000``); a page size is a count.
    if not 1 <= page <= MAX_PAGE:
        raise InvalidPage(
            f"there is no page {page}",
            said=Message(
                N_("error.catalog.no_page"),
                {"page": str(page), "last": str(MAX_PAGE), "most": MAX_PER_PAGE},
            ),
        )
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidPage(
            f"a page holds 1 to {MAX_PER_PAGE} items, not {per_page}",
            said=Message(
                N_("error.catalog.page_size"),
                {"per_page": per_page, "last": str(MAX_PAGE), "most": MAX_PER_PAGE},
            ),
        )
