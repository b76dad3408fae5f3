"""The saved model: features, estimator scores, calibration, anomaly model, metrics."""
