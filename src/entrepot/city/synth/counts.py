"""The ``comptages-routiers-permanents`` export: one row per arc and hour.

Recipe (``docs/city-formats.md`` §2): demand ``d = Q x profile x LogNormal(0, 0.12)``,
ratio ``r = d / C``; free flow ``q = d, k = 28 r^1.3``; congested
``q = C (1 - 0.35 min(r - 1, 1.5)), k = 28 + 60 (r - 1)``; ``k`` jittered, clipped to
[0, 100]; ``Etat trafic`` strictly from the ``k`` bands; missing data from random
hours (3 %), flaky arcs (25 %) and outage runs of 6-48 h; occupancy-only arcs
never have ``q``. ``t_1h`` is the *end* of the hour in Paris time with its offset.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from entrepot.city.days import LocalHour, day_hours, paris
from entrepot.city.synth.arcs import ARC_STATES, Arcs
from entrepot.city.synth.common import day_rng, quote

HeaderStyle = Literal["labels", "raw"]

LABELS_HEADER = (
    "Identifiant arc;Libelle;Date et heure de comptage;Débit horaire;Taux d'occupation;"
    "Etat trafic;Identifiant noeud amont;Libelle noeud amont;Identifiant noeud aval;"
    "Libelle noeud aval;Etat arc;Date debut dispo data;Date fin dispo data;geo_point_2d;geo_shape"
)
RAW_HEADER = (
    "iu_ac,libelle,iu_nd_amont,libelle_nd_amont,iu_nd_aval,libelle_nd_aval,t_1h,q,k,"
    "etat_trafic,etat_barre"
)
#: Etat trafic codes 0-4 and their labels.
TRAFFIC_STATES = ("Inconnu", "Fluide", "Pré-saturé", "Saturé", "Bloqué")
#: Lower bounds of the k bands for Fluide, Pré-saturé, Saturé, Bloqué.
K_BANDS = (0.0, 15.0, 30.0, 50.0)


def header(style: HeaderStyle) -> str:
    """The header line for a header style."""
    return LABELS_HEADER if style == "labels" else RAW_HEADER


def state_codes(k: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Etat trafic code (1-4) of each occupancy, from the k bands."""
    return np.searchsorted(np.asarray(K_BANDS[1:]), k, side="right").astype(np.int64) + 1


def _bump(h: npt.NDArray[np.float64], mu: float, sigma: float) -> npt.NDArray[np.float64]:
    return np.exp(-0.5 * ((h - mu) / sigma) ** 2)


def _weekday(h: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 0.18 + 0.75 * _bump(h, 8.5, 1.3) + 0.55 * _bump(h, 13, 3) + 0.85 * _bump(h, 18, 1.8)


def _weekend(h: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 0.22 + 0.70 * _bump(h, 15, 4) + 0.25 * _bump(h, 21, 2.5)


def _night_busy(h: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 0.33 + 0.67 * _bump(h, 17.5, 4.5)


def hour_profile(
    end_hours: npt.NDArray[np.float64], weekend: bool, arcs: Arcs
) -> npt.NDArray[np.float64]:
    """Demand as a fraction of each arc's peak, per (arc, hour); index = local end hour."""
    grid = np.linspace(0, 24, 241)
    h = end_hours[None, :] - arcs.phase[:, None]
    if weekend:
        commuter = _weekend(h) / _weekend(grid).max() * 0.8
        night = _night_busy(h) / _night_busy(grid).max() * 0.95
    else:
        commuter = _weekday(h) / _weekday(grid).max()
        night = _night_busy(h) / _night_busy(grid).max()
    profile: npt.NDArray[np.float64] = np.where(arcs.night_busy[:, None], night, commuter)
    return profile


def _outages(arcs: Arcs, day: date, seed: int, hours: list[LocalHour]) -> npt.NDArray[np.bool_]:
    """Outage runs of 6-48 h started on this day or the two before."""
    starts = np.array([h.start.timestamp() for h in hours])
    mask = np.zeros((len(arcs), len(hours)), dtype=bool)
    for back in (2, 1, 0):
        origin = day - timedelta(days=back)
        g = day_rng(seed, "outages", origin)
        hit = g.random(len(arcs)) < 0.012
        offset = g.uniform(0, 24, len(arcs)) * 3600
        length = g.uniform(6, 48, len(arcs)) * 3600
        midnight = datetime(origin.year, origin.month, origin.day, tzinfo=paris()).timestamp()
        begin = midnight + offset
        end = begin + length
        mask |= (
            hit[:, None] & (starts[None, :] >= begin[:, None]) & (starts[None, :] < end[:, None])
        )
    return mask


def day_lines(arcs: Arcs, day: date, seed: int, style: HeaderStyle = "labels") -> list[str]:
    """Every arc's rows for one local day, shuffled (real exports are not time-ordered)."""
    hours = day_hours(day)
    g = day_rng(seed, "counts", day)
    shape = (len(arcs), len(hours))
    end_hours = np.array([h.start.hour + 1.0 for h in hours])
    demand = arcs.peak[:, None] * hour_profile(end_hours, day.weekday() >= 5, arcs)
    demand *= g.lognormal(0, 0.12, shape) * np.where(arcs.arc_state == 2, 0.15, 1.0)[:, None]
    cap = arcs.capacity[:, None]
    r = demand / cap
    free = r <= 1
    q = np.rint(np.where(free, demand, cap * (1 - 0.35 * np.minimum(r - 1, 1.5))))
    jitter = g.lognormal(0, 0.08, shape)
    k_raw = np.where(free, 28 * r**1.3, 28 + 60 * (r - 1)) * jitter
    k: npt.NDArray[np.float64] = np.round(np.clip(k_raw, 0, 100), 5).astype(np.float64)
    missing = (g.random(shape) < 0.03) | (arcs.flaky[:, None] & (g.random(shape) < 0.25))
    missing |= _outages(arcs, day, seed, hours)
    no_q = missing | arcs.occupancy_only[:, None]
    state = np.where(missing, 0, state_codes(k))
    if style == "labels":
        stamps = [h.end.isoformat() for h in hours]
    else:
        stamps = [h.end.strftime("%Y-%m-%d %H:%M:%S") for h in hours]
    lines = _render(arcs, stamps, q, k, no_q, missing, state, style)
    order = g.permutation(len(lines))
    return [lines[i] for i in order]


def _render(
    arcs: Arcs,
    stamps: list[str],
    q: npt.NDArray[np.float64],
    k: npt.NDArray[np.float64],
    no_q: npt.NDArray[np.bool_],
    no_k: npt.NDArray[np.bool_],
    state: npt.NDArray[np.int64],
    style: HeaderStyle,
) -> list[str]:
    q_text = [
        ["" if m else f"{v:.1f}" for v, m in zip(qr, mr, strict=True)]
        for qr, mr in zip(q.tolist(), no_q.tolist(), strict=True)
    ]
    k_text = [
        ["" if m else repr(v) for v, m in zip(kr, mr, strict=True)]
        for kr, mr in zip(k.tolist(), no_k.tolist(), strict=True)
    ]
    states = state.tolist()
    ids = arcs.ids.tolist()
    lines: list[str] = []
    if style == "labels":
        for i, arc in enumerate(ids):
            head = f"{arc};{arcs.labels[i]};"
            tail = ";".join(
                (
                    "",
                    str(arcs.up_ids[i]),
                    arcs.up_labels[i],
                    str(arcs.down_ids[i]),
                    arcs.down_labels[i],
                    ARC_STATES[arcs.arc_state[i]],
                    f"{1996 + arc % 10}-{1 + arc % 12:02d}-{1 + arc % 28:02d}",
                    "2023-01-01",
                    arcs.point_texts[i],
                    quote(arcs.shapes[i]),
                )
            )
            qs, ks, ss = q_text[i], k_text[i], states[i]
            lines.extend(
                f"{head}{stamp};{qs[j]};{ks[j]};{TRAFFIC_STATES[ss[j]]}{tail}"
                for j, stamp in enumerate(stamps)
            )
    else:
        for i, arc in enumerate(ids):
            head = (
                f"{arc},{arcs.labels[i]},{arcs.up_ids[i]},{arcs.up_labels[i]},"
                f"{arcs.down_ids[i]},{arcs.down_labels[i]},"
            )
            tail = f",{arcs.arc_state[i]}"
            qs, ks, ss = q_text[i], k_text[i], states[i]
            lines.extend(
                f"{head}{stamp},{qs[j]},{ks[j]},{ss[j]}{tail}" for j, stamp in enumerate(stamps)
            )
    return lines
