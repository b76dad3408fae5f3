"""`entrepot city ...`: the city-flow pipeline on the command line."""
