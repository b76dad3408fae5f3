"""`entrepot fraud ...`: the fraud engine on the command line."""
