"""The analyst's decisions: labels given to scored rows, and thresholds saved for a model."""
