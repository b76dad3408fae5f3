"""What a table holds: column names and synonyms, roles, the label and its candidates."""
