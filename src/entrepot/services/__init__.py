"""Services that join the object store and the catalog: the write protocol, gc and verify,
and the command line's listings.

They take the narrowest store capabilities they need and a unit-of-work factory; they
never import a concrete store adapter. Each is imported from its own module
(``entrepot.services.gc``, ``.objects``, ``.verify``...), so that a listing
(``services/listings.py``) starts without the ORM the others need (ADR 0030).
"""
