"""Tables as people hold them, written for tests (issue 41 item 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def claims(path: Path, rows: int = 500, seed: int = 2) -> None:
    """An insurance-claims table at ``path``: the policy's bind date (1990-2015) before the
    incident's date, a tenure in months named for the customer, a policy number per row."""
    rng = np.random.default_rng(seed)
    bind = pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 25 * 365, rows), "D")
    incident = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 60, rows), "D")
    pd.DataFrame(
        {
            "months_as_customer": rng.integers(0, 480, rows),
            "age": rng.integers(19, 64, rows),
            "policy_number": rng.permutation(rows) + 100_000,
            "policy_bind_date": bind.strftime("%Y-%m-%d"),
            "policy_state": rng.choice(["OH", "IN", "IL"], rows),
            "total_claim_amount": rng.gamma(2, 3000, rows).round(0),
            "incident_date": incident.strftime("%Y-%m-%d"),
            "fraud_reported": rng.choice(["Y", "N"], rows, p=[0.25, 0.75]),
        }
    ).to_csv(path, index=False)
