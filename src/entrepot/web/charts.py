"""Chart figures as plotly JSON (data and layout), drawn in the page by the plotly.js
bundle served from the installed package."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

_LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
    "height": 320,
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}
RISK_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#c62828"}


def _layout(x: str, y: str, **extra: Any) -> dict[str, Any]:
    return {**_LAYOUT, "xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}}, **extra}


def pr_traces(pr: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """A precision-recall curve, and its chosen point when it has one."""
    traces: list[dict[str, Any]] = [
        {"x": pr["recall"], "y": pr["precision"], "type": "scatter", "mode": "lines", "name": name}
    ]
    chosen = pr.get("chosen") or {}
    if chosen.get("recall") is not None:
        traces.append(
            {
                "x": [chosen["recall"]],
                "y": [chosen["precision"]],
                "type": "scatter",
                "mode": "markers",
                "marker": {"size": 11, "symbol": "diamond"},
                "name": f"{name}: {chosen.get('label', '')}".rstrip(": "),
            }
        )
    return traces


def baseline_trace(rate: float, label: str) -> dict[str, Any]:
    """The precision of flagging at random: the fraud rate, labelled."""
    return {
        "x": [0, 1],
        "y": [rate, rate],
        "type": "scatter",
        "mode": "lines",
        "line": {"dash": "dot"},
        "name": f"{label} {rate:.2%}",
    }


def model_figures(
    curves: Mapping[str, Any], analyst: Mapping[str, Any], t: Callable[..., str]
) -> dict[str, Any]:
    """The precision-recall curve (with the chosen point and a labelled baseline), the
    calibration (log scales, readable at 1 % fraud) and the importance (readable names)."""
    figures: dict[str, Any] = {}
    pr = analyst.get("precision_recall") or curves.get("precision_recall")
    if pr:
        pr = {**pr, "chosen": {**(pr.get("chosen") or {}), "label": t("analyst.chosen_point")}}
        figures["pr"] = {
            "data": [
                *pr_traces(pr, t("model.precision")),
                baseline_trace(pr["base_rate"], t("analyst.baseline")),
            ],
            "layout": _layout(
                t("model.recall"),
                t("model.precision"),
                legend={"orientation": "h", "y": -0.25},
                yaxis={"range": [0, 1.02], "title": {"text": t("model.precision")}},
            ),
        }
    calibration = curves.get("calibration") or {}
    if calibration.get("predicted"):
        low = max(1e-4, min([v for v in calibration["predicted"] if v > 0] or [1e-3]) / 2)
        log = {"type": "log", "range": [math.log10(low), 0]}
        figures["calibration"] = {
            "data": [
                {
                    "x": calibration["predicted"],
                    "y": calibration["observed"],
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": t("model.observed"),
                },
                {
                    "x": [low, 1],
                    "y": [low, 1],
                    "type": "scatter",
                    "mode": "lines",
                    "line": {"dash": "dot"},
                    "name": "ideal",
                },
            ],
            "layout": _layout(
                t("model.predicted"),
                t("model.observed"),
                showlegend=False,
                xaxis={**log, "title": {"text": t("model.predicted")}},
                yaxis={**log, "title": {"text": t("model.observed")}},
            ),
        }
    importance = analyst.get("importances") or curves.get("importance") or []
    if importance:
        top = list(reversed(importance[:15]))
        figures["importance"] = {
            "data": [
                {
                    "x": [i["importance"] for i in top],
                    "y": [i.get("name") or i["feature"] for i in top],
                    "type": "bar",
                    "orientation": "h",
                }
            ],
            "layout": {
                **_LAYOUT,
                "margin": {"l": 320, "r": 20, "t": 10, "b": 40},
                "height": 40 + 24 * len(top),
            },
        }
    return figures


def trials_figure(analyst: Mapping[str, Any], t: Callable[..., str]) -> dict[str, Any] | None:
    """The model search as it went: each trial's validation AUPRC in the order tried (the
    hover says its kind, its stage and the search's time when it ended), the best so far
    as a step, and the chosen trial marked."""
    trials = [x for x in analyst.get("trials") or [] if x.get("validation_auprc") is not None]
    if not trials:
        return None
    numbers = list(range(1, len(trials) + 1))
    scores = [float(x["validation_auprc"]) for x in trials]
    elapsed, clock = [], 0.0
    for trial in trials:
        clock += float(trial.get("seconds") or 0.0)
        elapsed.append(round(clock, 1))
    labels = [
        f"{x.get('model') or x.get('kind') or '–'} · {x.get('stage') or '–'} · {s} s"
        for x, s in zip(trials, elapsed, strict=True)
    ]
    best, top = [], -math.inf
    for score in scores:
        top = max(top, score)
        best.append(top)
    data: list[dict[str, Any]] = [
        {
            "x": numbers,
            "y": scores,
            "text": labels,
            "type": "scatter",
            "mode": "markers",
            "name": t("analyst.trials_each"),
        },
        {
            "x": numbers,
            "y": best,
            "type": "scatter",
            "mode": "lines",
            "line": {"shape": "hv", "dash": "dot"},
            "name": t("analyst.trials_best"),
        },
    ]
    chosen = analyst.get("chosen_trial")
    if isinstance(chosen, int) and 0 <= chosen < len(analyst.get("trials") or []):
        picked = (analyst.get("trials") or [])[chosen]
        if picked in trials:
            at = trials.index(picked)
            data.append(
                {
                    "x": [numbers[at]],
                    "y": [scores[at]],
                    "text": [labels[at]],
                    "type": "scatter",
                    "mode": "markers",
                    "marker": {"size": 14, "symbol": "star"},
                    "name": t("analyst.chosen"),
                }
            )
    xaxis: dict[str, Any] = {"title": {"text": t("analyst.trials_axis")}}
    if len(numbers) <= 20:
        xaxis["dtick"] = 1  # a tick per trial while they fit
    return {
        "data": data,
        "layout": _layout(
            t("analyst.trials_axis"),
            t("analyst.trials_score"),
            legend={"orientation": "h", "y": -0.3},
            xaxis=xaxis,
        ),
    }


def compare_figure(
    versions: list[tuple[str, Mapping[str, Any]]], t: Callable[..., str]
) -> dict[str, Any] | None:
    """Several versions' precision-recall curves on one chart (``(label, curves)``)."""
    traces: list[dict[str, Any]] = []
    for label, curves in versions:
        pr = curves.get("precision_recall")
        if pr:
            traces.extend(pr_traces(pr, label))
    if not traces:
        return None
    first = versions[0][1].get("precision_recall") or {}
    if "base_rate" in first:
        traces.append(baseline_trace(first["base_rate"], t("analyst.baseline")))
    return {
        "data": traces,
        "layout": _layout(t("model.recall"), t("model.precision"), legend={"orientation": "h"}),
    }


def risk_figure(summary: Mapping[str, Any], t: Callable[..., str]) -> dict[str, Any] | None:
    """Counts per risk level as a bar chart."""
    risk = summary.get("risk")
    if not risk:
        return None
    levels = list(risk)
    return {
        "data": [
            {
                "x": [t(f"prediction.risk.{lv}") for lv in levels],
                "y": [risk[lv] for lv in levels],
                "type": "bar",
                "marker": {"color": [RISK_COLOURS.get(lv, "#888") for lv in levels]},
            }
        ],
        # log scale: a few critical rows stay visible beside thousands of low ones
        "layout": {**_LAYOUT, "height": 260, "yaxis": {"type": "log"}},
    }


def score_drift_figure(
    drift: Mapping[str, Any] | None, t: Callable[..., str]
) -> dict[str, Any] | None:
    """The file's score distribution beside the training one (shares per score bin)."""
    scores = (drift or {}).get("scores") or {}
    if not scores.get("training"):
        return None
    edges = scores["edges"]
    bins = [f"{edges[i]:g}–{edges[i + 1]:g}" for i in range(len(edges) - 1)]
    return {
        "data": [
            {"x": bins, "y": scores["training"], "type": "bar", "name": t("analyst.training")},
            {"x": bins, "y": scores["current"], "type": "bar", "name": t("analyst.this_file")},
        ],
        "layout": _layout(
            t("analyst.probability"), t("analyst.share"), height=260, legend={"orientation": "h"}
        ),
    }


def admin_figures(stats: Mapping[str, Any], t: Callable[..., str]) -> dict[str, Any]:
    """Sign-ups per day, jobs by state, licences by plan, storage by user."""
    signups = stats.get("signups", [])
    jobs = stats.get("jobs", {})
    plans = stats.get("licences", {})
    storage = sorted(stats.get("datasets", []), key=lambda d: -d["bytes"])[:15]
    return {
        "signups": {
            "data": [{"x": [d for d, _ in signups], "y": [c for _, c in signups], "type": "bar"}],
            "layout": {**_LAYOUT, "height": 260},
        },
        "jobs": {
            "data": [{"x": list(jobs), "y": list(jobs.values()), "type": "bar"}],
            "layout": {**_LAYOUT, "height": 260},
        },
        "plans": {
            "data": [
                {"labels": list(plans), "values": list(plans.values()), "type": "pie", "hole": 0.4}
            ],
            "layout": {**_LAYOUT, "height": 260},
        },
        "storage": {
            "data": [
                {
                    "x": [f"user {d['owner']}" for d in storage],
                    "y": [round(d["bytes"] / 1024**2, 2) for d in storage],
                    "type": "bar",
                }
            ],
            "layout": _layout(t("admin.user"), "MiB", height=260),
        },
    }
