"""The fraud detection service: a user's datasets, trainings, models and predictions.

Application services between the entrypoints (web, CLI) and the fraud engine, the model
registry, the accounts and the jobs. Every operation takes the authenticated user; every
resource is found through the user's id in the repositories and reached through the
user's scoped store (``users/{id}/``), built here, server-side, never from client input.
"""
