"""Files as analysts upload them, rendered from one generated labelled frame whose truth is
known: the label and its fraud rate, the identifiers, the time, the amounts.

Each :class:`Shape` is the same transactions written one way (a label name or spelling, an
amount or date format, an identifier, an encoding, a separator, a container) with what a
right analysis must find in it (:class:`Expect`). The truth is computed here with plain
pandas and numpy from the generator's frame; nothing of the product's reading or detection
is used to write a file or to compute what it holds.
"""

from __future__ import annotations

import codecs
import gzip
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from entrepot.fraud.synth.generator import generate

ROWS = 1200
#: Rows whose label is left blank in the shapes that say so.
MISSING_LABELS = (3, 250, 640, 1100)
#: Excel's day 0 (the 1900 date system, as Excel and LibreOffice write it).
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


@dataclass(frozen=True)
class Base:
    """The generated transactions, the truth every shape is checked against."""

    frame: pd.DataFrame  # canonical columns, amounts in cents, label 0/1
    fraud: np.ndarray  # 1 fraud, 0 legitimate (every row)
    times: np.ndarray  # datetime64[s], the instants (as UTC)
    amounts: np.ndarray  # float64, two decimals


@cache
def base() -> Base:
    data = generate("card_payments", ROWS, fraud_rate=0.05, seed=11, variety=False)
    frame = data.frame.copy()
    frame["amount"] = (frame["amount"] * 7).round(2)  # some amounts past 1,000: thousands
    fraud = frame["is_fraud"].to_numpy(dtype=np.int64)
    times = frame["timestamp"].to_numpy(dtype="datetime64[s]")
    return Base(frame, fraud, times, frame["amount"].to_numpy(dtype=np.float64))


@dataclass(frozen=True)
class Expect:
    """What a right analysis finds in a shape."""

    label: str
    positive: str  # the fraud value, spelled by :func:`spelling`
    ids: tuple[str, ...] = ("transaction_id",)
    time: str | None = "timestamp"  # the column that orders the rows
    counter: bool = False  # ``time`` is an integer counter, not a timestamp
    precision: str = "s"  # to what the times are written (``m``: minutes)
    amount: str = "amount"
    missing_labels: tuple[int, ...] = ()
    entities: dict[str, str] = field(default_factory=dict)  # column -> customer|counterparty
    roles: dict[str, str] = field(default_factory=dict)  # other columns' expected roles

    def fraud_rate(self) -> tuple[int, int, float]:
        """(frauds, unlabelled rows, fraud rate among the labelled), over the whole file."""
        labels = base().fraud.astype(float)
        labels[list(self.missing_labels)] = np.nan
        known = labels[~np.isnan(labels)]
        return int(known.sum()), int(np.isnan(labels).sum()), float(known.mean())


@dataclass(frozen=True)
class Shape:
    """One rendering of the base frame: the file's name and bytes, and what it holds."""

    name: str
    filename: str
    content: bytes
    expect: Expect


def spelling(value: object) -> str:
    """A label value as a test compares it: ``True`` -> ``true``, ``1.0`` -> ``1``."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    return str(value).strip().lower()


# -- the frame, re-labelled and re-written --------------------------------------------------


def labelled(
    values: tuple[object, object] = (1, 0),
    *,
    name: str = "is_fraud",
    missing: tuple[int, ...] = (),
    dtype: str | None = None,
) -> pd.DataFrame:
    """The base frame with its label as ``values`` (fraud, legitimate) in column ``name``,
    blank on the rows ``missing``."""
    frame = base().frame.drop(columns=["is_fraud"])
    fraud, legit = values
    label = pd.Series([fraud if f else legit for f in base().fraud], dtype=dtype or object)
    if missing:
        label = label.astype(dtype or object)
        label.iloc[list(missing)] = None
    if dtype is None and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        label = label.astype("Int64" if missing else "int64")
    frame[name] = label
    return frame


def csv_bytes(
    frame: pd.DataFrame, *, sep: str = ",", encoding: str = "utf-8", index: bool = False
) -> bytes:
    text = frame.to_csv(index=index, sep=sep, lineterminator="\r\n")
    return text.encode(encoding)


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, startrow: int = 0, title: str = "") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for i, (sheet, frame) in enumerate(sheets.items()):
            frame.to_excel(writer, sheet_name=sheet, index=False, startrow=startrow if not i else 0)
            if title and not i:
                writer.sheets[sheet].cell(row=1, column=1, value=title)
    return buffer.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def french_amount(value: float, *, group: str = "\u00a0", suffix: str = "") -> str:
    """``1 234,56`` (``group`` between thousands), written digit by digit."""
    cents = round(value * 100)
    whole, frac = divmod(abs(cents), 100)
    digits = str(whole)
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    sign = "-" if cents < 0 else ""
    return f"{sign}{group.join(groups)},{frac:02d}{suffix}"


def english_amount(value: float, *, prefix: str = "", group: str = ",") -> str:
    cents = round(value * 100)
    whole, frac = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{prefix}{whole:,}".replace(",", group) + f".{frac:02d}"


def stamps(fmt: str) -> pd.Series:
    """The times written with ``fmt`` (strftime) from the base instants."""
    return pd.Series(pd.to_datetime(base().times).strftime(fmt))


# -- the shapes -----------------------------------------------------------------------------

LABEL_NAMES = ("is_fraud", "isFraud", "fraude", "Class", "label", "target", "fraud_flag")
LABEL_VALUES: dict[str, tuple[object, object]] = {
    "int": (1, 0),
    "text_digits": ("1", "0"),
    "float": (1.0, 0.0),
    "bool": (True, False),
    "true_false": ("true", "false"),
    "oui_non": ("oui", "non"),
    "y_n": ("Y", "N"),
    "fraud_legit": ("fraud", "legit"),
    "frauduleuse": ("frauduleuse", "légitime"),
    "minus_one": (1, -1),
}


def _label_name_shapes() -> list[Shape]:
    shapes = []
    for name in (*LABEL_NAMES, "Fraude ?"):
        frame = labelled(name=name)
        shapes.append(Shape(f"label-name-{name}", "t.csv", csv_bytes(frame), Expect(name, "1")))
    first = labelled(name="target")
    first = first[["target", *first.columns[:-1]]]  # the label first, not last
    shapes.append(Shape("label-first-column", "t.csv", csv_bytes(first), Expect("target", "1")))
    return shapes


def _label_value_shapes() -> list[Shape]:
    shapes = []
    for key, values in LABEL_VALUES.items():
        frame = labelled(values, missing=MISSING_LABELS)
        expect = Expect("is_fraud", spelling(values[0]), missing_labels=MISSING_LABELS)
        shapes.append(Shape(f"label-values-{key}-csv", "t.csv", csv_bytes(frame), expect))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if key == "text_digits":
            table = table.set_column(
                table.schema.get_field_index("is_fraud"),
                "is_fraud",
                pa.array([None if v is None else str(v) for v in frame["is_fraud"]]),
            )
        shapes.append(
            Shape(f"label-values-{key}-parquet", "t.parquet", parquet_bytes(table), expect)
        )
    nullable = labelled((True, False), missing=MISSING_LABELS, dtype="boolean")
    shapes.append(
        Shape(
            "label-nullable-boolean-parquet",
            "t.parquet",
            parquet_bytes(pa.Table.from_pandas(nullable, preserve_index=False)),
            Expect("is_fraud", "true", missing_labels=MISSING_LABELS),
        )
    )
    return shapes


def _amount_shapes() -> list[Shape]:
    amounts = base().amounts
    frame = labelled()

    def written(values: list[str], sep: str, name: str) -> Shape:
        return Shape(
            f"amount-{name}", "t.csv", csv_bytes(frame.assign(amount=values), sep=sep),
            Expect("is_fraud", "1"),
        )  # fmt: skip

    return [
        written([french_amount(a, group="") for a in amounts], ";", "decimal-comma"),
        written([french_amount(a, group="\u00a0") for a in amounts], ";", "thousands-nbsp"),
        written([french_amount(a, group="\u202f") for a in amounts], ";", "thousands-nnbsp"),
        written([french_amount(a, group=" ") for a in amounts], ";", "thousands-space"),
        written([english_amount(a) for a in amounts], ",", "thousands-comma"),
        written([french_amount(a, suffix="\u00a0€") for a in amounts], ";", "euro-suffix"),
        written([french_amount(a, group=" ", suffix=" €") for a in amounts], ";", "euro-spaced"),
        written([english_amount(a, prefix="$") for a in amounts], ",", "dollar-prefix"),
    ]


def _time_shapes() -> list[Shape]:
    frame = labelled()
    utc = pd.to_datetime(base().times).tz_localize("UTC")
    plus_one = utc.tz_convert("+01:00")

    def written(values: pd.Series | np.ndarray, name: str, precision: str = "s") -> Shape:
        expect = Expect("is_fraud", "1", precision=precision)
        return Shape(f"time-{name}", "t.csv", csv_bytes(frame.assign(timestamp=values)), expect)

    seconds = base().times.astype(np.int64)
    counter = (seconds - seconds.min()) // 3600
    counted = frame.drop(columns=["timestamp"])
    return [
        written(stamps("%Y-%m-%d %H:%M:%S"), "iso"),
        written(pd.Series([t.isoformat() for t in plus_one]), "iso-offset"),
        written(pd.Series(utc.strftime("%Y-%m-%dT%H:%M:%SZ")), "iso-z"),
        written(stamps("%d/%m/%Y %H:%M"), "dd-mm-yyyy-hh-mm", "m"),
        written(stamps("%m/%d/%Y %H:%M:%S"), "mm-dd-yyyy"),
        written(seconds, "epoch-seconds"),
        written(seconds * 1000, "epoch-milliseconds"),
        Shape(
            "time-step-counter",
            "t.csv",
            csv_bytes(counted.assign(step=counter)[["step", *counted.columns]]),
            Expect("is_fraud", "1", time="step", counter=True),
        ),
        Shape(
            "time-hour-index",
            "t.csv",
            csv_bytes(counted.assign(hour_index=counter)),
            Expect("is_fraud", "1", time="hour_index", counter=True),
        ),
        Shape("time-none", "t.csv", csv_bytes(counted), Expect("is_fraud", "1", time=None)),
    ]


def _id_shapes() -> list[Shape]:
    frame = labelled()
    rng = np.random.default_rng(5)
    uuids = [str(uuid.UUID(int=int(v), version=4)) for v in rng.integers(0, 2**62, ROWS)]
    orig = [f"C{v}" for v in rng.choice(np.arange(10**8, 10**9), ROWS, replace=False)]
    cards = [f"{4970 * 10**8 + int(c):016d}"[-16:] for c in frame["customer_id"]]
    cards = ["000" + c[3:] for c in cards]  # leading zeros, as some issuers' numbers have
    no_txn = frame.drop(columns=["transaction_id"])
    return [
        Shape(
            "id-pandas-index",
            "t.csv",
            csv_bytes(no_txn, index=True),
            Expect("is_fraud", "1", ids=("Unnamed: 0",)),
        ),
        Shape(
            "id-index-column",
            "t.csv",
            csv_bytes(no_txn.assign(index=np.arange(ROWS))[["index", *no_txn.columns]]),
            Expect("is_fraud", "1", ids=("index",)),
        ),
        Shape(
            "id-uuid",
            "t.csv",
            csv_bytes(no_txn.assign(uuid=uuids)[["uuid", *no_txn.columns]]),
            Expect("is_fraud", "1", ids=("uuid",)),
        ),
        Shape(
            "id-name-orig",
            "t.csv",
            csv_bytes(no_txn.assign(nameOrig=orig)),
            Expect("is_fraud", "1", ids=("nameOrig",)),
        ),
        Shape(
            "id-card-numbers",
            "t.csv",
            csv_bytes(frame.drop(columns=["customer_id"]).assign(card_number=cards)),
            Expect("is_fraud", "1", entities={"card_number": "customer"}),
        ),
    ]


def french_frame() -> pd.DataFrame:
    """French words with accents in names and values, the label named ``Fraude ?``."""
    frame = labelled(("frauduleuse", "légitime"), name="Fraude ?", missing=MISSING_LABELS)
    modes = {m: f"{m} présentée" for m in frame["entry_mode"].unique()}
    return frame.assign(entry_mode=frame["entry_mode"].map(modes)).rename(
        columns={"country": "pays_émetteur"}
    )


FRENCH = Expect("Fraude ?", "frauduleuse", missing_labels=MISSING_LABELS)


def _encoding_shapes() -> list[Shape]:
    frame = french_frame()
    shapes = [
        Shape(f"encoding-{enc}", "t.csv", csv_bytes(frame, sep=";", encoding=enc), FRENCH)
        for enc in ("utf-8", "utf-8-sig", "cp1252", "utf-16")
    ]
    le = codecs.BOM_UTF16_LE + frame.to_csv(index=False, sep="\t").encode("utf-16-le")
    shapes.append(Shape("encoding-utf-16-le-bom-tab", "t.txt", le, FRENCH))
    return shapes


def _container_shapes() -> list[Shape]:
    frame = labelled()
    french = french_frame()
    shapes = [
        Shape(f"separator-{name}", "t.csv", csv_bytes(frame, sep=sep), Expect("is_fraud", "1"))
        for name, sep in (("comma", ","), ("semicolon", ";"), ("tab", "\t"), ("pipe", "|"))
    ]
    shapes.append(
        Shape(
            "csv-gzip",
            "t.csv.gz",
            gzip.compress(csv_bytes(frame, sep=";"), mtime=0),
            Expect("is_fraud", "1"),
        )
    )
    notes = pd.DataFrame({"note": ["exported from the bank's back office", "March 2023"]})
    shapes += [
        Shape("xlsx-first-sheet", "t.xlsx", xlsx_bytes({"data": frame}), Expect("is_fraud", "1")),
        Shape(
            "xlsx-title-row",
            "t.xlsx",
            xlsx_bytes({"Transactions": french}, startrow=2, title="Export des transactions"),
            FRENCH,
        ),
        Shape(
            "xlsx-second-sheet",
            "t.xlsx",
            xlsx_bytes({"data": frame, "notes": notes}),
            Expect("is_fraud", "1"),
        ),
    ]
    serial = (base().times - EXCEL_EPOCH).astype(np.int64) / 86400.0
    shapes.append(
        Shape(
            "xlsx-excel-serial-dates",
            "t.xlsx",
            xlsx_bytes({"data": frame.assign(timestamp=serial)}),
            Expect("is_fraud", "1"),
        )
    )
    return shapes


def _parquet_shapes() -> list[Shape]:
    frame = labelled(("fraud", "legit"))
    categorical = frame.astype({"entry_mode": "category", "country": "category"})
    categorical["is_fraud"] = categorical["is_fraud"].astype("category")
    table = pa.Table.from_pandas(categorical, preserve_index=False)
    plain = pa.Table.from_pandas(labelled(), preserve_index=False)
    at = plain.schema.get_field_index("timestamp")
    zoned = plain.set_column(
        at, "timestamp", plain.column("timestamp").cast(pa.timestamp("s", tz="Europe/Paris"))
    )
    decimal = pa.array([Decimal(f"{a:.2f}") for a in base().amounts], pa.decimal128(14, 2))
    at = plain.schema.get_field_index("amount")
    decimals = plain.set_column(at, "amount", decimal)
    return [
        Shape(
            "parquet-categorical", "t.parquet", parquet_bytes(table), Expect("is_fraud", "fraud")
        ),
        Shape("parquet-timestamp-tz", "t.parquet", parquet_bytes(zoned), Expect("is_fraud", "1")),
        Shape("parquet-decimal128", "t.parquet", parquet_bytes(decimals), Expect("is_fraud", "1")),
    ]


def _odd_column_shapes() -> list[Shape]:
    frame = labelled()
    doubled = frame.copy()
    doubled.insert(2, "country_dup", frame["country"])
    text = csv_bytes(doubled).replace(b"country_dup", b"country", 1)
    return [
        Shape("columns-duplicate-names", "t.csv", text, Expect("is_fraud", "1")),
        Shape(
            "columns-empty",
            "t.csv",
            csv_bytes(frame.assign(commentaire=None)),
            Expect("is_fraud", "1", roles={"commentaire": "empty"}),
        ),
        Shape(
            "columns-constant",
            "t.csv",
            csv_bytes(frame.assign(currency="EUR")),
            Expect("is_fraud", "1", roles={"currency": "constant"}),
        ),
    ]


SHAPES: tuple[Callable[[], list[Shape]], ...] = (
    _label_name_shapes,
    _label_value_shapes,
    _amount_shapes,
    _time_shapes,
    _id_shapes,
    _encoding_shapes,
    _container_shapes,
    _parquet_shapes,
    _odd_column_shapes,
)


@cache
def shapes() -> tuple[Shape, ...]:
    """Every shape, by its name."""
    return tuple(shape for make in SHAPES for shape in make())


def shape(name: str) -> Shape:
    return next(s for s in shapes() if s.name == name)


def renamed(one: Shape, name: str) -> Shape:
    return replace(one, name=name)
