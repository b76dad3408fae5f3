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


def late_frauds_csv(rows: int, seed: int = 3) -> tuple[bytes, int]:
    """A labelled file whose first half holds a third of its frauds (the rest moved to the
    end, as in time-ordered data): its head understates them. Returns (bytes, frauds)."""
    import io

    import pandas as pd

    frame = pd.read_csv(io.BytesIO(labelled_csv(rows, seed)))
    early = frame.index < len(frame) // 2
    moved = early & (frame["is_fraud"] == 1) & (frame.index % 3 != 0)
    late = pd.concat([frame[~moved], frame[moved]], ignore_index=True)
    return late.to_csv(index=False).encode(), int(late["is_fraud"].sum())
