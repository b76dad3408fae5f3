"""Explanations never cite an identifier, an entity key or a raw timestamp (issue 41
item 5): before, 95 of 95 explained rows of this file named ``wallet_id`` and
``timestamp`` among their three reasons."""

from __future__ import annotations

import numpy as np

from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.scoring import NEVER_CITED, Explanations, score
from entrepot.fraud.synth.generator import generate
from tests.support.fraud import small_library


def test_explanations_name_no_id_entity_or_timestamp() -> None:
    data = generate("mobile_money", 3000, fraud_rate=0.05, seed=777)
    frame = data.frame.drop(columns=[data.target])
    upload = describe(frame)
    never = {c.name for c in upload.analysis.columns if c.role in NEVER_CITED}
    # the file holds each kind the rule is about
    assert upload.id_columns and upload.analysis.with_role("entity")
    assert upload.analysis.timestamp in never
    ensemble, _ = from_library(upload, small_library())
    explained: Explanations = {}
    out = score(frame, ensemble, explained=explained)
    risky = np.flatnonzero((out["risk_level"] != "low").to_numpy())
    assert len(risky) > 10
    cited = [str(m.params["column"]) for parts in explained.values() for m in parts]
    assert cited, "the risky rows are explained"
    assert not set(cited) & never
    # a derived behaviour feature still speaks, through the column it compares
    assert any(m.key == "explanation.ratio" for parts in explained.values() for m in parts)
    for text in out["explanation"].iloc[risky]:
        assert not any(part.split(" ")[0] in never for part in text.split("; ") if part)
