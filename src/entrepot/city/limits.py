"""Default resource limits of the pipeline (a module of its own: the CLI reads them without
importing the engines)."""

#: DuckDB's memory limit for the counts CSV scan (see :mod:`entrepot.city.bigcsv`).
DEFAULT_MEMORY_LIMIT = "128MB"
#: DuckDB's threads for the counts CSV scan; a queue worker that shares the machine's cores
#: with others may be given fewer (``ENTREPOT_CITY_SCAN_THREADS``).
DEFAULT_SCAN_THREADS = 2
