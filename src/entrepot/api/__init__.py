"""The web entrypoint: a FastAPI app whose routes are thin shells over the services."""
