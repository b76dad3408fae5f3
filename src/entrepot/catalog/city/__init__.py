"""The city-flow pipeline's rows: run watermarks and the embedded metrics store."""
