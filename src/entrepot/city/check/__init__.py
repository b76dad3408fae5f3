"""``entrepot city check``: every stored city metric recomputed by a second computation.

The processors (:mod:`entrepot.city.processors`, the counts scan of
:mod:`entrepot.city.bigcsv` and :mod:`entrepot.city.counts_sql`) are not imported here:
each family is recomputed from the lake's raw objects with its own reading and its own
arithmetic, from the definitions of ``docs/city.md`` (ADR 0089). The stored documents
are read through the metrics store (:class:`~entrepot.city.metrics.base.MetricsStore`).

:mod:`.records` holds what a check finds, :mod:`.values` compares two values;
:mod:`.traffic`, :mod:`.weather` and :mod:`.bikes` recompute a family; :mod:`.checker`
walks the days and lists every difference and what it does not check.
"""
