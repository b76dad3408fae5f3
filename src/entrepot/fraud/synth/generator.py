"""Generate realistic labelled transactions for a domain, deterministic by seed.

Customers pay counterparties (terminals, merchants, beneficiaries...) near their own
over a period, at the domain's hours of day and days of week, with amounts around each
customer's habits. Scenarios (``entrepot.fraud.synth.scenarios``) then turn a given share of
the rows into fraud. With ``variety`` the output looks like a real export: names picked
from English or French synonyms, ids as numbers or codes, timestamps in one of several
string formats, extra columns and missing values. Vectorised: a million rows take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from entrepot.errors import InvalidArgument
from entrepot.fraud.synth.domains import COMMON, HOUR_PROFILES, Domain, Names, get_domain
from entrepot.fraud.synth.scenarios import DAY, SCENARIO_FUNCTIONS, Simulation, inject
from entrepot.messages import N_, Message

Lang = Literal["en", "fr"]

#: Timestamp renderings; ``None`` keeps a real datetime column.
TIME_FORMATS: dict[str, str | None] = {
    "datetime": None,
    "iso": "%Y-%m-%d %H:%M:%S",
    "iso_t": "%Y-%m-%dT%H:%M:%S",
    "us": "%m/%d/%Y %H:%M:%S",
    "compact": "%Y%m%d%H%M%S",
    "epoch": "epoch",
    "eu": "%d/%m/%Y %H:%M:%S",
    "eu_minutes": "%d/%m/%Y %H:%M",
    "dotted": "%d.%m.%Y %H:%M:%S",
}
_TIME_CHOICES: dict[str, tuple[str, ...]] = {
    "en": ("datetime", "iso", "iso_t", "us", "compact", "epoch"),
    "fr": ("eu", "eu_minutes", "dotted", "iso"),
}
_LABELS: dict[str, tuple[tuple[object, object], ...]] = {
    "en": ((1, 0), (True, False), ("yes", "no"), ("fraud", "legit")),
    "fr": ((1, 0), ("oui", "non"), ("fraude", "normal")),
}
_EXTRAS: dict[str, Names] = {
    "notes": Names(en=("notes", "description", "comment"), fr=("commentaire", "libelle")),
    "source": Names(en=("source_system", "source"), fr=("systeme_source", "origine")),
    "row_number": Names(en=("row_number", "line_no"), fr=("numero_ligne",)),
    "batch": Names(en=("batch_id", "batch"), fr=("lot", "numero_lot")),
}
_WORDS = ("payment", "invoice", "order", "transfer", "refund", "subscription", "rent", "gift")


@dataclass(frozen=True)
class GeneratedDataset:
    """A generated table and what its columns mean."""

    frame: pd.DataFrame
    domain: str
    seed: int
    fraud_rate: float
    columns: dict[str, str]  # semantic key ("amount", "label", "customer"...) -> column name
    time_format: str
    scenario: np.ndarray  # per row: 0 legitimate, else 1 + index in SCENARIO_FUNCTIONS

    @property
    def target(self) -> str:
        """The name of the label column."""
        return self.columns["label"]

    @property
    def labels(self) -> np.ndarray:
        """The label as 0/1 integers, whatever its rendering."""
        return (self.scenario > 0).astype(np.int8)


def generate(
    domain: str | Domain,
    rows: int,
    *,
    fraud_rate: float | None = None,
    seed: int = 0,
    lang: Lang = "en",
    variety: bool = True,
) -> GeneratedDataset:
    """Generate ``rows`` labelled transactions of ``domain``.

    ``fraud_rate`` defaults to the domain's own (0.1 % .. 15 %); the label has exactly
    ``round(rows * fraud_rate)`` frauds. Without ``variety`` the columns keep their
    canonical names and types (English or French by ``lang``), the timestamp is a real
    datetime and nothing is missing. The same arguments always give the same table.
    """
    spec = get_domain(domain) if isinstance(domain, str) else domain
    rate = spec.fraud_rate if fraud_rate is None else float(fraud_rate)
    if rows < 1:
        raise InvalidArgument(
            f"rows must be at least 1, got {rows}",
            said=Message(N_("error.generate.rows"), {"rows": rows}),
        )
    if not 0.0 <= rate <= 0.5:
        raise InvalidArgument(
            f"the fraud rate must be between 0 and 0.5, got {rate}",
            hint="e.g. --fraud-rate 0.02",
            said=Message(N_("error.generate.rate"), {"rate": str(rate)}),
        )
    if lang not in _TIME_CHOICES:
        raise InvalidArgument(
            f"lang must be 'en' or 'fr', got {lang!r}",
            said=Message(N_("error.generate.lang"), {"lang": str(lang)[:20]}),
        )
    rng = np.random.default_rng(seed)
    sim = simulate(spec, rows, rng)
    inject(sim, rng, rate)
    order = np.argsort(sim.seconds, kind="stable")
    return _render(sim, order, rng, lang, variety, seed, rate)


def simulate(domain: Domain, rows: int, rng: np.random.Generator) -> Simulation:
    """Legitimate transactions of ``domain``, before any fraud is injected."""
    n_cust = int(np.clip(rows // 30, 10, 100_000))
    n_cp = int(np.clip(rows // 80, 5, 20_000))
    span_days = domain.span_days
    activity = rng.gamma(1.5, 1.0, n_cust)
    customer = rng.choice(n_cust, size=rows, p=activity / activity.sum())
    weekday = (np.arange(span_days) + 0) % 7  # day 0 is a Monday (see _start)
    day_weight = np.where(weekday >= 5, domain.weekend, 1.0)
    day = rng.choice(span_days, size=rows, p=day_weight / day_weight.sum())
    hours = np.asarray(HOUR_PROFILES[domain.hours], dtype=float)
    hour = rng.choice(24, size=rows, p=hours / hours.sum())
    seconds = day * DAY + hour * 3600 + rng.integers(0, 3600, rows)
    home = rng.integers(0, n_cp, n_cust)
    local = rng.random(rows) < 0.8
    near = (home[customer] + rng.integers(-3, 4, rows)) % n_cp
    counterparty = np.where(local, near, rng.integers(0, n_cp, rows))
    habit = np.log(domain.amount_median) + rng.normal(0, 0.6 * domain.amount_sigma, n_cust)
    amount = np.exp(habit[customer] + rng.normal(0, 0.7 * domain.amount_sigma, rows))
    sim = Simulation(
        domain=domain,
        customer=customer.astype(np.int64),
        counterparty=counterparty.astype(np.int64),
        seconds=seconds.astype(np.int64),
        amount=amount,
        n_customers=n_cust,
        n_counterparties=n_cp,
        span_seconds=span_days * DAY,
    )
    for cat in domain.categoricals:
        p = np.asarray(cat.weights, dtype=float)
        p /= p.sum()
        drawn = rng.choice(len(cat.values), size=rows, p=p)
        if cat.sticky:
            own = rng.choice(len(cat.values), size=n_cust, p=p)
            drawn = np.where(rng.random(rows) < 0.95, own[customer], drawn)
        sim.categoricals[cat.key] = drawn
    for num in domain.numerics:
        size = n_cust if num.per_customer else rows
        if num.dist == "lognormal":
            values = num.a * np.exp(rng.normal(0, num.b, size))
        elif num.dist == "normal":
            values = rng.normal(num.a, num.b, size)
        else:
            values = rng.uniform(num.a, num.b, size)
        sim.numerics[num.key] = values[customer] if num.per_customer else values
    return sim


class _Table:
    """Columns under construction, named from synonyms as they are added."""

    def __init__(self, lang: Lang, rng: np.random.Generator, variety: bool) -> None:
        self.lang, self.rng, self.variety = lang, rng, variety
        self.data: dict[str, pd.Series] = {}
        self.names: dict[str, str] = {}

    def put(self, key: str, label: Names, values: pd.Series) -> None:
        options = label.fr if self.lang == "fr" else label.en
        name = str(options[self.rng.integers(len(options))]) if self.variety else options[0]
        while name in self.data:
            name += "_2"
        self.names[key] = name
        self.data[name] = values.reset_index(drop=True)


def _ids(numbers: np.ndarray, prefix: str, as_text: bool) -> pd.Series:
    if not as_text:
        return pd.Series(numbers, dtype="int64")
    width = len(str(int(numbers.max()) if len(numbers) else 0))
    text = pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)
    return prefix + text


def _timestamps(seconds: np.ndarray, start: np.datetime64, fmt: str) -> pd.Series:
    stamps = start + seconds.astype("timedelta64[s]")
    pattern = TIME_FORMATS[fmt]
    if pattern is None:
        return pd.Series(stamps)
    if pattern == "epoch":
        return pd.Series(stamps.astype(np.int64))
    text = pc.strftime(pa.array(stamps), format=pattern)
    series = pd.Series(text.to_pandas(), dtype="str")
    return series.astype("int64") if fmt == "compact" else series


def _render(
    sim: Simulation,
    order: np.ndarray,
    rng: np.random.Generator,
    lang: Lang,
    variety: bool,
    seed: int,
    rate: float,
) -> GeneratedDataset:
    domain = sim.domain
    n = sim.size
    start = np.datetime64("2023-01-02T00:00:00", "s") + np.timedelta64(
        int(rng.integers(0, 52)) * 7, "D"
    )  # a Monday, so day-of-week patterns line up with simulate()
    table = _Table(lang, rng, variety)
    put = table.put
    text_ids = variety and bool(rng.random() < 0.5)
    tx_numbers = np.arange(n) + (int(rng.integers(1, 10**6)) if variety else 1)
    put("transaction_id", COMMON["transaction_id"], _ids(tx_numbers, "TX", text_ids))
    fmt = str(rng.choice(_TIME_CHOICES[lang])) if variety else "datetime"
    put("timestamp", COMMON["timestamp"], _timestamps(sim.seconds[order], start, fmt))
    c_prefix, t_prefix = domain.prefixes
    put("customer", domain.customer, _ids(sim.customer[order], c_prefix, text_ids))
    put("counterparty", domain.counterparty, _ids(sim.counterparty[order], t_prefix, text_ids))
    put("amount", COMMON["amount"], pd.Series(np.round(sim.amount[order], 2)))
    for cat in domain.categoricals:
        values = np.asarray(cat.values)[sim.categoricals[cat.key][order]]
        series = pd.Series(values.astype(np.int64)) if cat.codes else pd.Series(values, dtype="str")
        put(cat.key, cat.names, series)
    for num in domain.numerics:
        raw = sim.numerics[num.key][order]
        series = pd.Series(np.round(raw).astype(np.int64) if num.integer else np.round(raw, 3))
        put(num.key, num.names, series)
    if variety:
        _extras(table, n, rng)
    yes, no = _LABELS[lang][int(rng.integers(len(_LABELS[lang])))] if variety else (1, 0)
    label = sim.label[order]
    put("label", COMMON["label"], pd.Series(np.asarray([no, yes])[label.astype(np.intp)]))
    frame = pd.DataFrame(table.data)
    names = table.names
    if variety:
        frame = _with_missing(frame, names, rng)
        frame = frame[_shuffled_columns(list(frame.columns), names, rng)]
    return GeneratedDataset(
        frame=frame,
        domain=domain.name,
        seed=seed,
        fraud_rate=rate,
        columns=names,
        time_format=fmt,
        scenario=sim.scenario[order],
    )


def _extras(table: _Table, n: int, rng: np.random.Generator) -> None:
    add = table.put
    wanted = rng.random(4) < 0.5
    if wanted[0]:
        words = np.asarray(_WORDS)[rng.integers(0, len(_WORDS), n)]
        refs = pd.Series(rng.integers(1000, 99999, n)).astype("str")
        add("notes", _EXTRAS["notes"], pd.Series(words, dtype="str") + " ref " + refs)
    if wanted[1]:
        add("source", _EXTRAS["source"], pd.Series(["core-v2"] * n, dtype="str"))
    if wanted[2]:
        add("row_number", _EXTRAS["row_number"], pd.Series(np.arange(1, n + 1)))
    if wanted[3]:
        add("batch", _EXTRAS["batch"], pd.Series(rng.integers(1, 40, n)))


def _with_missing(
    frame: pd.DataFrame, names: dict[str, str], rng: np.random.Generator
) -> pd.DataFrame:
    """Blank 1-10 % of one to three of the descriptive columns."""
    core = {"transaction_id", "timestamp", "customer", "counterparty", "amount", "label"}
    optional = [col for key, col in names.items() if key not in core]
    if not optional:
        return frame
    count = int(rng.integers(1, min(3, len(optional)) + 1))
    for col in rng.choice(optional, size=count, replace=False):
        blank = rng.random(len(frame)) < rng.uniform(0.01, 0.10)
        values = frame[col]
        if pd.api.types.is_integer_dtype(values):
            values = values.astype("float64")
        frame[col] = values.mask(blank)
    return frame


def _shuffled_columns(
    columns: list[str], names: dict[str, str], rng: np.random.Generator
) -> list[str]:
    """Keep the id first; shuffle the rest; the label goes last seven times out of ten."""
    first, label = names["transaction_id"], names["label"]
    middle = [c for c in columns if c not in (first, label)]
    middle = [middle[i] for i in rng.permutation(len(middle))]
    if rng.random() < 0.7:
        return [first, *middle, label]
    middle.insert(int(rng.integers(0, len(middle) + 1)), label)
    return [first, *middle]


def scenario_names() -> tuple[str, ...]:
    """Scenario names in the order of :attr:`GeneratedDataset.scenario` codes (1-based)."""
    return tuple(SCENARIO_FUNCTIONS)
