"""Transactions files as users upload them, generated: with and without their label."""

from __future__ import annotations


def labelled_csv(rows: int = 2000, seed: int = 3, domain: str = "card_payments") -> bytes:
    """A generated labelled transactions file (label ``is_fraud``) as CSV bytes."""
    from entrepot.fraud.synth.generator import generate

    data = generate(domain, rows, fraud_rate=0.05, seed=seed, variety=False)
    return data.frame.to_csv(index=False).encode()


def unlabelled_csv(rows: int = 500, seed: int = 4, domain: str = "card_payments") -> bytes:
    """The same kind of file without its label column."""
    from entrepot.fraud.synth.generator import generate

    data = generate(domain, rows, fraud_rate=0.05, seed=seed, variety=False)
    return data.frame.drop(columns=[data.target]).to_csv(index=False).encode()
