"""Fraud scenarios: each one picks legitimate simulated transactions and turns them into fraud.

Every scenario leaves a trace a detector can learn, as real fraud does: compromised
terminals and cards concentrate fraud on one entity over a period, account takeover
moves activity to the night and to risky channels, velocity bursts pack transactions
into minutes, smurfing keeps amounts just under a reporting threshold, unusual
destinations send money to new counterparties abroad. Vectorised with numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from entrepot.fraud.synth.domains import Domain

DAY = 86_400


@dataclass
class Simulation:
    """Simulated transactions as parallel arrays, mutated in place by the scenarios."""

    domain: Domain
    customer: np.ndarray  # int64 customer index
    counterparty: np.ndarray  # int64 terminal / merchant / beneficiary index
    seconds: np.ndarray  # int64 seconds since the start of the period
    amount: np.ndarray  # float64
    n_customers: int
    n_counterparties: int
    span_seconds: int
    categoricals: dict[str, np.ndarray] = field(default_factory=dict)  # value indices
    numerics: dict[str, np.ndarray] = field(default_factory=dict)
    label: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    scenario: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    @property
    def size(self) -> int:
        return int(self.seconds.shape[0])


def _entity_rows(
    sim: Simulation,
    rng: np.random.Generator,
    quota: int,
    entity: np.ndarray,
    n_entities: int,
    window_days: float,
    share: float,
) -> np.ndarray:
    """Rows of a few entities inside a window after each one's compromise time."""
    taken: list[np.ndarray] = []
    need = quota
    window = window_days * DAY
    per_entity = max(1.0, sim.size / max(n_entities, 1) * window / sim.span_seconds * share)
    for _ in range(8):
        k = int(min(n_entities, max(1, np.ceil(need / per_entity))))
        chosen = rng.choice(n_entities, size=k, replace=False)
        start = np.full(n_entities, np.inf)
        start[chosen] = rng.uniform(0.05, 0.9, k) * sim.span_seconds
        age = sim.seconds - start[entity]
        pool = ~sim.label & (age >= 0) & (age < window) & (rng.random(sim.size) < share)
        candidates = np.flatnonzero(pool)
        if len(candidates) > need:
            candidates = np.sort(rng.choice(candidates, size=need, replace=False))
        sim.label[candidates] = True
        taken.append(candidates)
        need -= len(candidates)
        if need <= 0:
            break
        per_entity = max(1.0, len(candidates) / k)
    if need > 0:
        taken.append(_random_rows(sim, rng, need))
    return np.concatenate(taken)


def _random_rows(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    free = np.flatnonzero(~sim.label)
    rows = np.sort(rng.choice(free, size=min(quota, len(free)), replace=False))
    sim.label[rows] = True
    return rows


def _risky(sim: Simulation, rng: np.random.Generator, rows: np.ndarray, chance: float) -> None:
    """Push categorical values to the domain's risky ones and scale the numerics."""
    for cat in sim.domain.categoricals:
        if not cat.risky:
            continue
        hit = rows[rng.random(len(rows)) < chance]
        risky = np.array([cat.values.index(v) for v in cat.risky])
        sim.categoricals[cat.key][hit] = rng.choice(risky, size=len(hit))
    for num in sim.domain.numerics:
        if num.fraud_factor != 1.0:
            hit = rows[rng.random(len(rows)) < chance]
            factor = num.fraud_factor * rng.uniform(0.7, 1.3, len(hit))
            sim.numerics[num.key][hit] = sim.numerics[num.key][hit] * factor


def compromised_terminal(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """A terminal is skimmed: for four weeks many of its transactions are fraud."""
    rows = _entity_rows(sim, rng, quota, sim.counterparty, sim.n_counterparties, 28, 0.8)
    sim.amount[rows] *= rng.uniform(1.0, 1.8, len(rows))
    return rows


def compromised_card(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """A card's details leak: for two weeks a third of its payments are large fraud."""
    rows = _entity_rows(sim, rng, quota, sim.customer, sim.n_customers, 14, 0.35)
    sim.amount[rows] *= rng.uniform(2.0, 6.0, len(rows))
    _risky(sim, rng, rows, 0.3)
    return rows


def account_takeover(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """Someone logs in as the customer: night activity, new payees, risky channels."""
    rows = _entity_rows(sim, rng, quota, sim.customer, sim.n_customers, 7, 0.6)
    day_start = sim.seconds[rows] - sim.seconds[rows] % DAY
    sim.seconds[rows] = day_start + rng.integers(0, 5 * 3600, len(rows))
    sim.counterparty[rows] = rng.integers(0, sim.n_counterparties, len(rows))
    sim.amount[rows] *= rng.uniform(1.5, 4.0, len(rows))
    _risky(sim, rng, rows, 0.8)
    return rows


def velocity_burst(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """Card testing: many small payments by one customer within minutes."""
    rows = _entity_rows(sim, rng, quota, sim.customer, sim.n_customers, 3, 1.0)
    order = rows[np.lexsort((sim.seconds[rows], sim.customer[rows]))]
    cust = sim.customer[order]
    first = np.r_[True, cust[1:] != cust[:-1]]
    group = np.cumsum(first) - 1
    anchor = sim.seconds[order][first][group]
    steps = rng.integers(15, 240, len(order))
    steps[first] = 0
    offsets = np.cumsum(steps)
    offsets -= offsets[first][group]
    sim.seconds[order] = np.minimum(anchor + offsets, sim.span_seconds - 1)
    sim.amount[order] *= rng.uniform(0.02, 0.4, len(order))
    _risky(sim, rng, order, 0.4)
    return rows


def smurfing(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """Structuring: amounts just under the reporting threshold to many counterparties."""
    rows = _entity_rows(sim, rng, quota, sim.customer, sim.n_customers, 5, 1.0)
    sim.amount[rows] = sim.domain.threshold * rng.uniform(0.85, 0.995, len(rows))
    sim.counterparty[rows] = rng.integers(0, sim.n_counterparties, len(rows))
    _risky(sim, rng, rows, 0.4)
    return rows


def unusual_destination(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """Money sent to a counterparty the customer never used, often abroad."""
    rows = _random_rows(sim, rng, quota)
    sim.counterparty[rows] = rng.integers(0, sim.n_counterparties, len(rows))
    sim.amount[rows] *= rng.uniform(1.5, 5.0, len(rows))
    _risky(sim, rng, rows, 0.85)
    return rows


def large_amount(sim: Simulation, rng: np.random.Generator, quota: int) -> np.ndarray:
    """A payment far above what the customer, or anyone, usually spends."""
    rows = _random_rows(sim, rng, quota)
    spread = sim.domain.amount_sigma * rng.uniform(2.5, 4.0, len(rows))
    sim.amount[rows] = sim.domain.amount_median * np.exp(spread)
    _risky(sim, rng, rows, 0.3)
    return rows


SCENARIO_FUNCTIONS: dict[str, Callable[[Simulation, np.random.Generator, int], np.ndarray]] = {
    "compromised_terminal": compromised_terminal,
    "compromised_card": compromised_card,
    "account_takeover": account_takeover,
    "velocity_burst": velocity_burst,
    "smurfing": smurfing,
    "unusual_destination": unusual_destination,
    "large_amount": large_amount,
}


def quotas(total: int, shares: tuple[tuple[str, float], ...]) -> dict[str, int]:
    """Split ``total`` frauds among scenarios by share, largest remainders first."""
    weights = np.array([w for _, w in shares], dtype=float)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: total - counts.sum()]:
        counts[i] += 1
    return {name: int(c) for (name, _), c in zip(shares, counts, strict=True)}


def inject(sim: Simulation, rng: np.random.Generator, fraud_rate: float) -> None:
    """Turn ``round(size * fraud_rate)`` transactions into fraud, scenario by scenario."""
    sim.label = np.zeros(sim.size, dtype=bool)
    sim.scenario = np.zeros(sim.size, dtype=np.int8)
    total = round(sim.size * fraud_rate)
    names = list(SCENARIO_FUNCTIONS)
    for name, quota in quotas(total, sim.domain.scenarios).items():
        if quota:
            rows = SCENARIO_FUNCTIONS[name](sim, rng, quota)
            sim.scenario[rows] = names.index(name) + 1
