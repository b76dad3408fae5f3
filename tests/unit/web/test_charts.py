"""The fraud pages' chart figures (issue 42 item 5): linear where a reader expects it, whole
numbers on a count, every label in the page's language, a text alternative for each."""

from __future__ import annotations

from typing import Any

from entrepot.i18n import translator
from entrepot.web import charts

EN, FR = translator("en"), translator("fr")


def test_the_risk_chart_is_linear_with_axis_titles_and_whole_ticks() -> None:
    figure = charts.risk_figure({"risk": {"critical": 3, "high": 1, "medium": 0, "low": 2}}, EN)
    assert figure is not None
    layout = figure["layout"]
    assert layout["yaxis"].get("type", "linear") == "linear"  # was log: no bar of 0 rows
    assert layout["yaxis"]["rangemode"] == "tozero" and layout["yaxis"]["dtick"] == 1
    assert layout["yaxis"]["tickformat"] == ",d"
    assert layout["xaxis"]["title"]["text"] == "Risk level"
    assert layout["yaxis"]["title"]["text"] == "Rows"
    assert figure["data"][0]["y"] == [3, 1, 0, 2]
    assert figure["alt"].startswith("Bar chart: rows per risk level")
    many = charts.risk_figure({"risk": {"critical": 4, "low": 9000}}, FR)
    assert many is not None and "dtick" not in many["layout"]["yaxis"]  # plotly's own steps
    assert many["data"][0]["x"] == ["risque critique", "risque faible"]


def test_the_calibration_is_linear_from_0_to_1_with_its_diagonal() -> None:
    curves = {"calibration": {"predicted": [0.001, 0.02, 0.4], "observed": [0.0, 0.03, 0.5]}}
    figure = charts.model_figures(curves, {}, FR)["calibration"]
    layout = figure["layout"]
    for axis in (layout["xaxis"], layout["yaxis"]):
        assert axis.get("type", "linear") == "linear" and axis["range"] == [0, 1]
        assert axis["title"]["text"]
    diagonal = [d for d in figure["data"] if d["x"] == d["y"] == [0, 1]]
    assert len(diagonal) == 1 and diagonal[0]["name"] == "Calibration parfaite"
    assert "diagonale" in figure["alt"]


def test_the_chosen_point_takes_the_pages_colon() -> None:
    pr = {
        "recall": [0, 1],
        "precision": [1, 0],
        "base_rate": 0.01,
        "chosen": {"recall": 0.5, "precision": 0.4},
    }
    names = [
        d["name"] for d in charts.model_figures({"precision_recall": pr}, {}, FR)["pr"]["data"]
    ]
    assert "Précision\u00a0: seuil retenu" in names, names
    assert not any(" :" in n or n.endswith(":") for n in names)


def _texts(figure: dict[str, Any]) -> list[str]:
    found = []
    for trace in figure["data"]:
        for key in ("x", "labels"):
            found += [v for v in trace.get(key, []) if isinstance(v, str)]
    return found


def test_the_admin_charts_are_in_the_pages_language() -> None:
    """Regression: the admin's charts showed ``failed``, ``premium`` and ``user 2`` on
    French pages, with no axis titles."""
    stats = {
        "signups": [("2026-11-01", 0), ("2026-11-02", 2)],
        "jobs": {"succeeded": 4, "failed": 1},
        "licences": {"trial": 1, "premium": 2},
        "datasets": [{"owner": 2, "bytes": 3 * 1024**2}],
    }
    figures = charts.admin_figures(stats, FR)
    assert _texts(figures["jobs"]) == [FR("jobs.state.succeeded"), FR("jobs.state.failed")]
    assert "failed" not in _texts(figures["jobs"])
    assert _texts(figures["plans"]) == [FR("plan.trial"), FR("plan.premium")]
    assert "trial" not in _texts(figures["plans"])
    assert _texts(figures["storage"]) == ["utilisateur 2"]
    assert figures["storage"]["layout"]["yaxis"]["title"]["text"] == "Mio"
    for name in ("signups", "jobs"):
        axis = figures[name]["layout"]["yaxis"]
        assert axis["tickformat"] == ",d" and axis["dtick"] == 1, axis  # no half sign-up
        assert figures[name]["layout"]["xaxis"]["title"]["text"]
    assert all(figures[name]["alt"] for name in figures)


def test_every_chart_has_a_text_alternative() -> None:
    analyst = {"trials": [{"model": "lgbm", "stage": "tuned", "validation_auprc": 0.4}]}
    trials = charts.trials_figure(analyst, FR)
    assert trials is not None and trials["alt"]
    assert trials["data"][0]["text"][0].startswith("lgbm · ajusté · ")
    drift = {"scores": {"edges": [0, 0.5, 1], "training": [0.9, 0.1], "current": [0.8, 0.2]}}
    score = charts.score_drift_figure(drift, EN)
    assert score is not None and score["alt"]
