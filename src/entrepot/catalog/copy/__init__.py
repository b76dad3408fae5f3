"""Copying the whole catalog from one database into another (``entrepot db copy``):
``plan`` (tables in foreign-key order), ``batches`` (paged copy with the marker), ``digest``
(order-free content digests), ``marker`` and ``tables`` (the resume marker in the target),
``checks``, ``sequences``, ``errors`` and ``service`` (:class:`service.CatalogCopy`).

Nothing is imported here: ``catalog/tables.py`` imports ``copy.tables`` while it builds the
schema that ``service`` reads.
"""
