"""The city app's use cases, one method each (``app.city``): generate, import, collect,
process, run (here or on the job queue), status, metrics, reports, copy the metrics."""
