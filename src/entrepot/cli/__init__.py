"""The ``entrepot`` command line: thin shells over the services."""
