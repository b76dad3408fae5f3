"""The counts scan's groups computed again from the whole file with pandas, to compare
``entrepot.city.bigcsv.aggregate_counts`` with: per (arc, day) and per (day, hour), from a
counts CSV as an export or an older raw file writes it. Nothing here imports ``entrepot``.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

STATES = {"Inconnu": 0, "Fluide": 1, "Pré-saturé": 2, "Saturé": 3, "Bloqué": 4}
LABELS = (
    "Identifiant arc;Libelle;Date et heure de comptage;Débit horaire;Taux d'occupation;Etat trafic"
)


def pandas_whole_file(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference: read everything with pandas, aggregate in one go."""
    text = path.read_text(encoding="utf-8-sig")
    first, body = text.split("\n", 1)
    first = first.lstrip('"')  # the stray quote of some exports
    sep = ";" if ";" in first else ","
    names = first.split(sep)
    frame = pd.read_csv(
        io.StringIO(body), sep=sep, header=None, names=names, dtype=str, keep_default_na=False
    )
    raw = "iu_ac" in names
    cols = (
        ("iu_ac", "t_1h", "q", "k", "etat_trafic")
        if raw
        else tuple(LABELS.split(";")[i] for i in (0, 2, 3, 4, 5))
    )
    arc = pd.to_numeric(frame[cols[0]], errors="coerce")
    t = frame[cols[1]].str.strip()
    q = pd.to_numeric(frame[cols[2]].str.strip().replace("", np.nan))
    k = pd.to_numeric(frame[cols[3]].str.strip().replace("", np.nan))
    aware = t.str.len() >= 25
    start = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if aware.any():
        utc = pd.to_datetime(t[aware], utc=True, format="ISO8601") - pd.Timedelta(hours=1)
        start[aware] = utc.dt.tz_convert("Europe/Paris").dt.tz_localize(None)
    if (~aware).any():
        naive = pd.to_datetime(t[~aware].str.slice(0, 19).str.replace("T", " "), errors="coerce")
        # wall time -> instant -> an hour earlier -> wall time (right across clock changes)
        local = naive.dt.tz_localize("Europe/Paris", nonexistent="shift_forward")
        start[~aware] = (local - pd.Timedelta(hours=1)).dt.tz_localize(None)
    label = frame[cols[4]].str.strip()
    codes = label.map({**STATES, **{str(v): v for v in STATES.values()}})
    bands = np.select([k.isna(), k < 15, k < 30, k < 50], [0, 1, 2, 3], 4)
    rows = pd.DataFrame(
        {
            "arc": arc,
            "day": start.dt.date,
            "hour": start.dt.hour,
            "q_milli": np.round(q * 1000).astype("Int64"),
            "k_micro": np.round(k * 1e5).astype("Int64"),
            "state": codes.fillna(pd.Series(bands, index=frame.index)).astype(int),
        }
    ).dropna(subset=["arc", "day"])
    rows["arc"] = rows["arc"].astype("int64")
    rows["hour"] = rows["hour"].astype("int64")
    for s in range(5):
        rows[f"state_{s}"] = (rows["state"] == s).astype("int64")
    by_arc = rows.groupby(["arc", "day"]).agg(
        rows=("state", "size"),
        q_n=("q_milli", "count"),
        q_sum_milli=("q_milli", "sum"),
        q_max_milli=("q_milli", "max"),
        k_n=("k_micro", "count"),
        k_sum_micro=("k_micro", "sum"),
        k_max_micro=("k_micro", "max"),
        **{f"state_{s}": (f"state_{s}", "sum") for s in range(5)},
    )
    with_q = rows.dropna(subset=["q_milli"]).sort_values(
        ["q_milli", "hour"], ascending=[False, True]
    )
    by_arc["peak_hour"] = with_q.groupby(["arc", "day"])["hour"].first()
    by_hour = rows.groupby(["day", "hour"]).agg(
        rows=("state", "size"),
        q_n=("q_milli", "count"),
        q_sum_milli=("q_milli", "sum"),
        k_n=("k_micro", "count"),
        k_sum_micro=("k_micro", "sum"),
    )
    return by_arc.reset_index(), by_hour.reset_index()


def same_groups(got: pd.DataFrame, want: pd.DataFrame, columns: tuple[str, ...]) -> None:
    keys = ["day", "arc"] if "arc" in columns else ["day", "hour"]
    got = got[list(columns)].sort_values(keys, ignore_index=True)
    want = want[list(columns)].sort_values(keys, ignore_index=True)
    assert len(got) == len(want)
    for column in columns:
        left = [None if pd.isna(v) else v for v in got[column]]
        right = [None if pd.isna(v) else (int(v) if column != "day" else v) for v in want[column]]
        assert left == right, column
