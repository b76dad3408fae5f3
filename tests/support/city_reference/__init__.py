"""A second computation of every daily city metric, written from the definitions of
``docs/city.md`` in plain pandas and json (sharing no code with ``entrepot.city``: nothing
here imports it, ``tests/unit/test_support.py`` holds that), read straight from the raw
exports as people download them, not from the lake the import writes.

One module per source: :mod:`.traffic` (counts + référentiel), :mod:`.bikes` (Vélib'
snapshots, bike counters), :mod:`.weather` (SYNOP, Open-Meteo), :mod:`.roadworks`
(chantiers); :mod:`.places` puts points in arrondissements, :mod:`.compare` walks two
metrics documents and names every value that differs.
"""
