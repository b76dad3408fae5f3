"""Default resource limits of the pipeline (a module of its own: the CLI reads them without
importing the engines)."""

from entrepot.compression import MAX_RATIO, RATIO_FLOOR

#: DuckDB's memory limit for the counts CSV scan (see :mod:`entrepot.city.bigcsv`).
DEFAULT_MEMORY_LIMIT = "128MB"
#: DuckDB's threads for the counts CSV scan (``ENTREPOT_CITY_SCAN_THREADS``; ADR 0138): one.
#: Under the scan's memory limit a second thread's aggregation costs a third more CPU and
#: more memory (the 2 GB export: 3.6 against 4.7 CPU-s, 290 against 312 MiB) for a third
#: less wall time; a backfill's parallelism is its units' (``city run --workers``).
DEFAULT_SCAN_THREADS = 1

#: The most an archive given to ``entrepot city import`` may inflate to, all its files
#: together (a year of Paris counts is a few GB of CSV); past it the archive is refused.
MAX_INFLATED_BYTES = 8 * 1024**3
#: The highest compression ratio accepted for a file in an archive: the rule every upload
#: is held to (:mod:`entrepot.compression`), declared (a ZIP's directory) or actual (read).
MAX_ARCHIVE_RATIO = MAX_RATIO
#: Files inflating to less than this are not held to :data:`MAX_ARCHIVE_RATIO`.
ARCHIVE_RATIO_FLOOR = RATIO_FLOOR
#: Files in one ZIP archive.
MAX_ARCHIVE_MEMBERS = 1000
