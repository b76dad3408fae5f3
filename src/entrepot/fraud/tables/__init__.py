"""Reading a table as people send it: CSV, Parquet, XLSX, timestamps, values."""
