"""``entrepot city import``: real Paris exports recognised by content and stored in the lake.

:func:`~entrepot.city.imports.importer.import_file` is the one entry point (the CLI calls
it per file; a collector can call it with bytes).
"""
