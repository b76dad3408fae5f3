"""Chart figures as plotly JSON (data and layout), drawn in the page by the plotly.js
bundle served from the installed package."""

from __future__ import annotations

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


def model_figures(curves: Mapping[str, Any], t: Callable[..., str]) -> dict[str, Any]:
    """The precision-recall, calibration and importance figures of a model's curves."""
    figures: dict[str, Any] = {}
    pr = curves.get("precision_recall")
    if pr:
        figures["pr"] = {
            "data": [
                {
                    "x": pr["recall"],
                    "y": pr["precision"],
                    "type": "scatter",
                    "mode": "lines",
                    "name": t("model.precision"),
                },
                {
                    "x": [0, 1],
                    "y": [pr["base_rate"], pr["base_rate"]],
                    "type": "scatter",
                    "mode": "lines",
                    "line": {"dash": "dot"},
                    "name": "base rate",
                },
            ],
            "layout": _layout(
                t("model.recall"),
                t("model.precision"),
                showlegend=False,
                yaxis={"range": [0, 1.02], "title": {"text": t("model.precision")}},
            ),
        }
    calibration = curves.get("calibration") or {}
    if calibration.get("predicted"):
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
                    "x": [0, 1],
                    "y": [0, 1],
                    "type": "scatter",
                    "mode": "lines",
                    "line": {"dash": "dot"},
                    "name": "ideal",
                },
            ],
            "layout": _layout(t("model.predicted"), t("model.observed"), showlegend=False),
        }
    importance = curves.get("importance") or []
    if importance:
        top = list(reversed(importance[:15]))
        figures["importance"] = {
            "data": [
                {
                    "x": [i["importance"] for i in top],
                    "y": [i["feature"] for i in top],
                    "type": "bar",
                    "orientation": "h",
                }
            ],
            "layout": {
                **_LAYOUT,
                "margin": {"l": 220, "r": 20, "t": 10, "b": 40},
                "height": 40 + 24 * len(top),
            },
        }
    return figures


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
        "layout": {**_LAYOUT, "height": 260},
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
