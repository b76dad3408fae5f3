"""A user's workspace: uploaded datasets, predictions and the user's models."""
