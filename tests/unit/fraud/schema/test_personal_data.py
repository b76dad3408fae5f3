"""Personal data is never a model input by default (issue 41): a cardholder's names,
street, job, e-mail and a postcode that points at a home, by name or by content."""

from __future__ import annotations

import numpy as np
import pandas as pd

from entrepot.fraud.schema.analysis import analyze
from entrepot.i18n.catalogs import translator


def _cardholders(rows: int = 600, cards: int = 80, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    card = rng.integers(0, cards, rows)
    return pd.DataFrame(
        {
            "trans_date_trans_time": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(np.sort(rng.integers(0, 60 * 86_400, rows)), unit="s"),
            "cc_num": card + 4_000_000_000,
            "amt": rng.gamma(2, 30, rows).round(2),
            "merchant_name": rng.choice([f"Shop {i}" for i in range(30)], rows),
            "first": [f"Ann{c}" for c in card],
            "last": [f"Smith{c}" for c in card],
            "street": [f"{100 + c} Oak Street" for c in card],
            "job": [f"Engineer, grade {c % 60}" for c in card],
            "zip": card * 37 + 10_000,
            "contact": [f"p{c}@example.org" for c in card],  # an e-mail by its values
            "home": [f"{c + 1} Rue des Lilas" for c in card],  # an address by its values
            "region_zip": rng.choice([75001, 69002, 13003], rows),  # an area, many rows each
            "is_fraud": (rng.random(rows) < 0.05).astype(int),
        }
    )


def test_names_streets_jobs_emails_and_home_postcodes_are_personal_and_not_used() -> None:
    analysis = analyze(_cardholders())
    personal = set(analysis.with_role("personal"))
    assert personal == {"first", "last", "street", "job", "zip", "contact", "home"}
    assert personal.isdisjoint(analysis.feature_columns)
    assert {"amt", "merchant_name", "region_zip"} <= set(analysis.feature_columns)
    shown = analysis.column("first").to_dict()
    assert shown["used"] is False and shown["reason_message"] == {
        "key": "reason.personal",
        "params": {},
    }


def test_the_role_reads_personal_data_not_used_in_english_and_french() -> None:
    assert translator("en")("role.personal") == "personal data (not used)"
    assert translator("fr")("role.personal") == "données personnelles (non utilisées)"
