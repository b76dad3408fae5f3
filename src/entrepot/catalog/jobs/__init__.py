"""Background jobs: state, progress, heartbeat and result."""
