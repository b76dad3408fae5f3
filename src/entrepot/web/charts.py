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


def counts_axis(title: str, top: float) -> dict[str, Any]:
    """A linear axis of counts from 0: whole numbers only (no tick at half a row)."""
    axis: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero", "tickformat": ",d"}
    if top <= 5:  # plotly would step by 0.5 or 0.2 there
        axis.update(dtick=1, range=[0, max(top, 1) * 1.15])
    return axis


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
                "name": chosen.get("label") or name,
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
        # "Precision: chosen threshold", with the page's colon (French: a no-break space)
        point = t("chart.named", name=t("model.precision"), label=t("analyst.chosen_point"))
        pr = {**pr, "chosen": {**(pr.get("chosen") or {}), "label": point}}
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
            "alt": t("chart.alt.pr"),
        }
    calibration = curves.get("calibration") or {}
    if calibration.get("predicted"):
        unit = {"range": [0, 1], "tickformat": ".1f", "dtick": 0.2, "zeroline": False}
        figures["calibration"] = {
            "data": [
                {
                    "x": [0, 1],
                    "y": [0, 1],
                    "type": "scatter",
                    "mode": "lines",
                    "line": {"dash": "dot", "color": "#888"},
                    "name": t("model.ideal"),
                },
                {
                    "x": calibration["predicted"],
                    "y": calibration["observed"],
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": t("model.observed"),
                },
            ],
            "layout": _layout(
                t("model.predicted"),
                t("model.observed"),
                legend={"orientation": "h", "y": -0.3},
                xaxis={**unit, "title": {"text": t("model.predicted")}},
                yaxis={**unit, "title": {"text": t("model.observed")}},
            ),
            "alt": t("chart.alt.calibration"),
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
            "alt": t("chart.alt.importance"),
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
        f"{x.get('model') or x.get('kind') or '–'} · {_stage(x.get('stage'), t)} · {s} s"
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
        "alt": t("chart.alt.trials"),
    }


def _stage(stage: object, t: Callable[..., str]) -> str:
    """A trial's stage in words (``trial.stage.tuned``), as the trials table says it."""
    return t(f"trial.stage.{stage}") if stage else "–"


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
        "alt": t("chart.alt.compare"),
    }


def risk_figure(summary: Mapping[str, Any], t: Callable[..., str]) -> dict[str, Any] | None:
    """Rows per risk level as bars on a linear axis of whole rows, each bar's count written
    on it (so a level of a few rows beside thousands still shows its number)."""
    risk = summary.get("risk")
    if not risk:
        return None
    levels = list(risk)
    counts = [int(risk[lv]) for lv in levels]
    return {
        "data": [
            {
                "x": [t(f"prediction.risk.{lv}") for lv in levels],
                "y": counts,
                "type": "bar",
                "texttemplate": "%{y:,d}",
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": [RISK_COLOURS.get(lv, "#888") for lv in levels]},
                "hovertemplate": "%{x}: %{y:,d}<extra></extra>",
            }
        ],
        "layout": _layout(
            t("prediction.risk_axis"),
            t("prediction.rows_axis"),
            height=280,
            margin={**_LAYOUT["margin"], "t": 24},
            yaxis=counts_axis(t("prediction.rows_axis"), max(counts)),
        ),
        "alt": t("chart.alt.risk"),
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
        "alt": t("chart.alt.score_drift"),
    }


def admin_figures(stats: Mapping[str, Any], t: Callable[..., str]) -> dict[str, Any]:
    """Sign-ups per day, jobs by state, licences by plan, storage by user: every label in
    the page's language, counts on axes of whole numbers."""
    signups = stats.get("signups", [])
    jobs = stats.get("jobs", {})
    plans = stats.get("licences", {})
    storage = sorted(stats.get("datasets", []), key=lambda d: -d["bytes"])[:15]
    per_day = [c for _, c in signups]
    return {
        "signups": {
            "data": [{"x": [d for d, _ in signups], "y": per_day, "type": "bar"}],
            "layout": _layout(
                t("admin.day"),
                t("admin.signups"),
                height=260,
                yaxis=counts_axis(t("admin.signups"), max(per_day, default=0)),
            ),
            "alt": t("chart.alt.signups"),
        },
        "jobs": {
            "data": [
                {
                    "x": [t(f"jobs.state.{state}") for state in jobs],
                    "y": list(jobs.values()),
                    "type": "bar",
                }
            ],
            "layout": _layout(
                t("admin.state"),
                t("admin.jobs"),
                height=260,
                yaxis=counts_axis(t("admin.jobs"), max(jobs.values(), default=0)),
            ),
            "alt": t("chart.alt.jobs"),
        },
        "plans": {
            "data": [
                {
                    "labels": [t(f"plan.{plan}") for plan in plans],
                    "values": list(plans.values()),
                    "type": "pie",
                    "hole": 0.4,
                }
            ],
            "layout": {**_LAYOUT, "height": 260},
            "alt": t("chart.alt.plans"),
        },
        "storage": {
            "data": [
                {
                    "x": [t("admin.user_number", number=d["owner"]) for d in storage],
                    "y": [round(d["bytes"] / 1024**2, 2) for d in storage],
                    "type": "bar",
                }
            ],
            "layout": _layout(t("admin.user"), t("admin.mib"), height=260),
            "alt": t("chart.alt.storage"),
        },
    }
