"""``entrepot city collect``: the live feeds (Vélib' GBFS, Open-Meteo, the Paris portal's
exports) fetched into the lake, once per hour, through the same import as downloaded files."""
