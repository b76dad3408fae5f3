"""Training: time-ordered splits, the model search and its space, importances."""
