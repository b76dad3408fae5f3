"""Schema matching: names, roles and values; exact top-3; refusal; speed at 10,000 schemas."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.errors import NoUsableColumns
from entrepot.fraud.match.description import describe
from entrepot.fraud.match.matching import MATCH_THRESHOLD, ReferenceIndex
from entrepot.fraud.match.signature import ColumnSignature
from entrepot.fraud.schema.synonyms import concepts
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate


@cache
def library() -> tuple[list[str], list[tuple[ColumnSignature, ...]]]:
    """Canonical English schemas of every domain, as matching sees them."""
    names, schemas = [], []
    for i, domain in enumerate(domains()):
        data = generate(domain, 2000, seed=i, variety=False)
        names.append(domain)
        schemas.append(describe(data.frame.drop(columns=[data.target])).columns)
    return names, schemas


def upload_of(frame: pd.DataFrame) -> tuple[ColumnSignature, ...]:
    return describe(frame).columns


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("MontantTx", "tx_amount"),
        ("TransactionAmount", "txamount"),
        ("horodatage", "TX_DATETIME"),
        ("pays", "Country"),
        ("Numéro_Carte", "card_number"),
        ("CustomerID", "id_client"),
        ("Catégorie", "category"),
    ],
)
def test_synonymous_names_read_as_the_same_concepts(left: str, right: str) -> None:
    assert concepts(left) - {"transaction"} == concepts(right) - {"transaction"}


def test_concepts_of_usual_names() -> None:
    assert concepts("MontantTx") == {"amount", "transaction"}
    assert concepts("horodatage") == {"timestamp"}
    assert concepts("code_pays") == {"country", "identifier"}
    assert concepts("customer_age") == {"customer", "age"}
    assert concepts("a") == {"a"}  # an unknown word stays itself


def test_unrelated_schemas_score_zero() -> None:
    rng = np.random.default_rng(0)
    values = {"a": rng.random(300), "b": rng.random(300) * 50, "c": rng.integers(0, 4, 300)}
    frame = pd.DataFrame(values)
    index = ReferenceIndex(
        ["xyz"], [upload_of(frame.rename(columns=dict(zip("abc", "xyz", strict=True))))]
    )
    result = index.match(upload_of(frame))
    assert result.candidates == ()
    assert result.below[0].score == 0.0
    assert result.below[0].columns == ()


def test_shared_category_values_count_as_evidence() -> None:
    rng = np.random.default_rng(1)
    countries = np.asarray(["FR", "DE", "ES", "IT", "BE", "NL"])[rng.integers(0, 6, 500)]
    ref = upload_of(pd.DataFrame({"country": countries, "amount": rng.random(500) * 90}))
    up = upload_of(pd.DataFrame({"zz9": countries[::-1], "q": rng.random(500)}))
    found = ReferenceIndex(["r"], [ref]).match(up, threshold=0.0).candidates[0]
    assert found.mapping == {"zz9": "country"}
    assert found.columns[0].reason == "shared values"


def test_french_names_find_the_english_reference_with_the_right_mapping() -> None:
    names, schemas = library()
    index = ReferenceIndex(names, schemas)
    data = generate("card_payments", 3000, seed=99, lang="fr", variety=False)
    result = index.match(upload_of(data.frame.drop(columns=[data.target])))
    best = result.candidates[0]
    assert best.reference == "card_payments"
    assert best.score >= MATCH_THRESHOLD
    mapping = best.mapping
    assert mapping["montant"] == "amount"
    assert mapping["horodatage"] == "timestamp"
    assert mapping["pays"] == "country"
    assert mapping["id_client"] == "customer_id"
    assert all(c.confidence >= 0.3 for c in best.columns)
    assert "montant -> amount" in best.explain()
    assert len(result.candidates) <= 3
    assert [m.score for m in result.candidates] == sorted(
        (m.score for m in result.candidates), reverse=True
    )


def test_the_fast_ranking_is_the_exact_ranking() -> None:
    _, schemas = library()
    rng = random.Random(3)
    perturbed_names, perturbed = [], []
    for i in range(120):  # variants that differ in names, scales and columns
        base = schemas[i % len(schemas)]
        cols = [
            ColumnSignature(
                c.name if rng.random() < 0.6 else f"{c.name}_{rng.randint(0, 9)}",
                c.role,
                c.scale + rng.random(),
                c.values,
                rng.random(),
            )
            for c in base
            if rng.random() < 0.85
        ]
        perturbed_names.append(f"r{i}")
        perturbed.append(tuple(cols))
    index = ReferenceIndex(perturbed_names, perturbed)
    for domain, seed in (("ecommerce", 5), ("atm", 6), ("trading", 7)):
        data = generate(domain, 2000, seed=seed, lang="fr")
        up = upload_of(data.frame.drop(columns=[data.target]))
        fast = index.match(up, threshold=0.0)
        columns, _, names_sim = index.similarities(up)
        brute = sorted(
            (index._exact(r, columns[index._ids[r]], names_sim, up) for r in range(len(index))),
            key=lambda m: -m.score,
        )[:3]
        assert [round(m.score, 6) for m in fast.candidates] == [round(m.score, 6) for m in brute]


def test_a_table_that_is_not_transactions_matches_nothing() -> None:
    names, schemas = library()
    rng = np.random.default_rng(2)
    weather = pd.DataFrame(
        {
            "station": rng.choice(["north", "south", "east"], 400),
            "temperature_c": rng.normal(12, 5, 400).round(1),
            "humidity_pct": rng.uniform(20, 90, 400).round(0),
            "wind_kmh": rng.gamma(2, 6, 400).round(1),
        }
    )
    result = ReferenceIndex(names, schemas).match(upload_of(weather))
    assert result.candidates == ()
    assert result.below and result.below[0].score < 0.25


def test_columns_without_values_cannot_be_matched() -> None:
    empty = pd.DataFrame({"a": [None] * 30, "id": range(30), "k": [1] * 30})
    with pytest.raises(NoUsableColumns, match=r"a \(empty\).*k \(constant\)"):
        describe(empty)


def test_signatures_round_trip_through_schema_strings() -> None:
    sig = ColumnSignature("montant", "amount", 1.653, 0x0F00_0000_0000_0001, 0.3125)
    assert ColumnSignature.decode("montant", sig.encode()) == sig
    assert ColumnSignature.decode("ts", "datetime64[ns]").role == "timestamp"
    assert ColumnSignature.decode("x", "float64").role == "numeric"
    assert ColumnSignature.decode("c", "str").role == "categorical"


def test_ten_thousand_schemas_are_matched_exactly_by_scoring_a_few() -> None:
    """The speed of a match over 10,000 references comes from its bounds: it scores a few
    references exactly and still finds the same best ones as scoring all of them (the time
    itself is measured in bench/fraud.py, never asserted here)."""
    _, schemas = library()
    rng = random.Random(0)
    many = [
        tuple(
            ColumnSignature(
                c.name if rng.random() < 0.7 else f"{c.name}_{rng.randint(0, 50)}",
                c.role,
                c.scale + rng.random() * 0.2,
                c.values,
                c.weight,
            )
            for c in schemas[i % len(schemas)]
        )
        for i in range(10_000)
    ]
    index = ReferenceIndex([f"r{i}" for i in range(10_000)], many)
    data = generate("ecommerce", 2000, seed=8)
    up = upload_of(data.frame.drop(columns=[data.target]))
    scored: list[int] = []
    exact_score = index._assign

    def counted(r: int, sims: Any, upload_columns: int) -> Any:
        scored.append(r)
        return exact_score(r, sims, upload_columns)

    index._assign = counted  # type: ignore[method-assign]
    result = index.match(up, top=3)
    index._assign = exact_score  # type: ignore[method-assign]
    assert result.candidates
    pruned = len(set(scored))
    assert pruned < len(many) // 100, pruned  # fewer than 1 % scored exactly
    columns, _, _ = index.similarities(up)
    every = sorted(
        (exact_score(r, columns[index._ids[r]], len(up))[0] for r in range(len(many))),
        reverse=True,
    )
    found = [m.score for m in result.candidates]
    assert found == pytest.approx(every[: len(found)], abs=1e-9)
