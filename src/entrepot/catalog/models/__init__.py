"""The model registry's rows: versions, files, aliases, reference models."""
