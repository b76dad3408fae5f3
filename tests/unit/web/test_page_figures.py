"""Issue 42 item 5: every figure the model, prediction and review pages show, checked
against a second computation made here with numpy and scikit-learn from what is stored
(the model's kept test scores and its threshold; the prediction's downloaded scores and
the uploaded file's labels), sharing no code with the product; and one threshold on the
model page (table, slider, matrix), at the trained threshold and at a saved one."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import average_precision_score, roc_auc_score

from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, make_web_app, sign_in

#: The file scored in these tests (labelled, so the realised figures can be recounted).
SCORED = (700, 21)


@dataclass
class World:
    client: TestClient
    api: Api
    model_id: int
    prediction: dict[str, Any]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("figures"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("ana@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        model_id = train_model(api, services, labelled_csv(), "cards")
        found = predict(api, services, model_id, labelled_csv(*SCORED))
        sign_in(client, "ana@example.com")
        yield World(client, api, model_id, found)


# --- reading the page: English numbers as the page writes them -------------------------


def cell(page: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (tags inside dropped)."""
    match = re.search(
        rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(td|span|h3|p|strong)>', page, re.S
    )
    assert match, f"no element {element_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def row(page: str, row_id: str) -> str:
    """The value shown in the table row ``row_id`` (its first cell after the heading)."""
    match = re.search(rf'<tr id="{re.escape(row_id)}"><th>.*?</th><td>([^<]*)</td>', page)
    assert match, f"no row {row_id}"
    return match.group(1)


def metric(page: str, key: str) -> str:
    """The value shown in the metrics table's row ``key``."""
    return row(page, f"metric-{key}")


def number(text: str) -> float:
    """``1,234.5`` or ``36.4%`` (the percent sign kept off) as a float."""
    return float(text.replace(",", "").replace("%", "").strip())


def whole(text: str) -> int:
    """An integer as the page writes it: no decimals, thousands with commas."""
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), f"not a whole count: {text!r}"
    return int(text.replace(",", ""))


def shown(value: float, digits: int) -> float:
    """``value`` as the page rounds it."""
    return round(value, digits)


def pct(value: float) -> float:
    """A share as the page writes it, in percent with one decimal."""
    return round(100 * value, 1)


# --- the second computation -----------------------------------------------------------


@dataclass
class Split:
    """The test split as stored: labels and scores (7 decimals), the cost ratio."""

    y: np.ndarray
    scores: np.ndarray
    cost_ratio: float

    def at(self, threshold: float) -> dict[str, Any]:
        """Every figure at ``threshold``, counted here."""
        flagged = self.scores >= round(threshold, 7)  # the scores are kept to 7 decimals
        y = self.y == 1
        tp, fp = int((flagged & y).sum()), int((flagged & ~y).sum())
        fn, tn = int((~flagged & y).sum()), int((~flagged & ~y).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "flagged_share": flagged.mean(),
            "expected_cost": (fp + self.cost_ratio * fn) / len(y),
        }


def stored_test(api: Api, model_id: int) -> Split:
    curves = api.get(f"/api/models/{model_id}/files/curves.json").json()
    kept = curves["test_scores"]
    assert kept["legitimate_weight"] == 1  # every test row kept: counts are exact
    fraud, legit = np.asarray(kept["fraud"]), np.asarray(kept["legitimate"])
    y = np.r_[np.ones(len(fraud), dtype=int), np.zeros(len(legit), dtype=int)]
    return Split(y, np.r_[fraud, legit], float(curves["cost_ratio"]))


def assert_one_threshold(page: str, test: Split, threshold: float) -> None:
    """Every figure of the model page at ``threshold``, and the same threshold everywhere."""
    figures = test.at(threshold)
    written = f"{threshold:.4f}"
    assert metric(page, "threshold") == written
    assert cell(page, "card-threshold") == f"At the threshold {written}"
    assert cell(page, "th-value") == written
    assert cell(page, "cm-threshold") == written
    for key in ("tp", "fp", "fn", "tn"):
        assert whole(cell(page, f"cm-{key}")) == figures[key], key
    for key in ("precision", "recall", "f1"):
        assert number(metric(page, key)) == shown(figures[key], 4), key
    assert number(row(page, "card-precision")) == pct(figures["precision"])
    assert number(cell(page, "th-precision")) == pct(figures["precision"])
    assert number(cell(page, "th-recall")) == pct(figures["recall"])
    assert number(cell(page, "th-flagged")) == pct(figures["flagged_share"])
    assert number(cell(page, "th-cost")) == shown(figures["expected_cost"], 4)
    # The precision-recall chart's chosen point is the same point.
    chart = json.loads(re.search(r'id="chart-pr-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    chosen = [trace for trace in chart["data"] if "chosen" in str(trace.get("name", ""))]
    assert len(chosen) == 1
    assert chosen[0]["x"] == [pytest.approx(figures["recall"])]
    assert chosen[0]["y"] == [pytest.approx(figures["precision"])]
    if 'id="card-alerts"' in page:
        assert whole(row(page, "card-alerts")) == figures["tp"] + figures["fp"]
    # The slider starts on that threshold, its point carrying the matrix's counts.
    data = json.loads(re.search(r'id="threshold-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    slider = re.search(r'id="threshold-slider"[^>]*value="(\d+)"', page)
    assert slider and int(slider.group(1)) == data["current"]
    point = data["curve"][data["current"]]
    assert f"{point['threshold']:.4f}" == written
    assert {k: point[k] for k in ("tp", "fp", "fn", "tn")} == {
        k: figures[k] for k in ("tp", "fp", "fn", "tn")
    }


def test_every_figure_of_the_model_page_and_one_threshold(world: World) -> None:
    api, model_id = world.api, world.model_id
    test = stored_test(api, model_id)
    performance = api.get(f"/api/models/{model_id}/files/performance.json").json()
    trained = float(performance["threshold"]["value"])
    page = world.client.get(f"/models/{model_id}").text

    assert number(metric(page, "auprc")) == shown(average_precision_score(test.y, test.scores), 4)
    assert number(metric(page, "roc_auc")) == shown(roc_auc_score(test.y, test.scores), 4)
    assert number(metric(page, "base_rate")) == shown(test.y.mean(), 4)
    assert whole(metric(page, "rows")) == len(test.y)
    assert whole(metric(page, "frauds")) == int(test.y.sum())
    assert whole(metric(page, "labelled_rows")) == 2000  # the whole training file
    assert "test rows, fraud rate" in page
    rows_line = re.search(r"([\d,]+) test rows, fraud rate ([\d.]+)%", page)
    assert rows_line and whole(rows_line.group(1)) == len(test.y)
    assert float(rows_line.group(2)) == round(100 * test.y.mean(), 2)
    headline = re.search(r'<tr id="card-headline">.*?<strong>([^<]*)</strong>', page, re.S)
    assert headline and number(headline.group(1)) == shown(
        average_precision_score(test.y, test.scores), 3
    )
    assert_one_threshold(page, test, trained)

    # The lift table: the top X % of rows by score, counted here.
    order = np.argsort(-test.scores, kind="stable")
    ranked = test.y[order]
    lift = page.split('id="lift"')[1].split("</table>")[0]
    for row in re.findall(r"<tr><td>(.*?)</td></tr>", lift, re.S):
        share, k, precision, recall, times = re.fullmatch(
            r"([\d.]+)% \(([\d,]+)\)</td><td>([\d.]+)%</td><td>([\d.]+)%</td><td>× ([\d.]+)",
            row,
        ).groups()  # type: ignore[union-attr]
        rows = whole(k)
        assert rows == max(1, round(float(share) / 100 * len(test.y)))
        found = int(ranked[:rows].sum())
        assert float(precision) == pct(found / rows)
        assert float(recall) == pct(found / test.y.sum())
        assert float(times) == round(found / rows / test.y.mean(), 1)

    # A saved threshold (a point of the curve) moves every figure with it.
    data = json.loads(re.search(r'id="threshold-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    moved = next(
        p["threshold"]
        for p in data["curve"]
        if 0.05 < p["threshold"] < 0.95 and test.at(p["threshold"])["tp"] != test.at(trained)["tp"]
    )
    saved = api.client.put(
        f"/api/models/{model_id}/threshold", headers=api.headers, json={"threshold": moved}
    )
    assert saved.status_code == 200, saved.text
    after = world.client.get(f"/models/{model_id}").text
    assert_one_threshold(after, test, moved)
    assert 'id="card-alerts-per-day"' not in after  # a per-day figure of the trained one


def scored_file(world: World) -> pd.DataFrame:
    """The prediction's download beside the scored file's labels."""
    download = world.api.get(f"/api/predictions/{world.prediction['id']}/download")
    scores = pd.read_csv(io.BytesIO(download.content))
    labels = pd.read_csv(io.BytesIO(labelled_csv(*SCORED)))["is_fraud"]
    scores["label"] = labels.to_numpy()
    return scores


def test_every_figure_of_the_prediction_page(world: World) -> None:
    scores = scored_file(world)
    summary = world.prediction["summary"]
    page = world.client.get(f"/predictions/{world.prediction['id']}").text
    p = scores["fraud_probability"].to_numpy(dtype=float)
    flagged = scores["prediction"].to_numpy() == 1
    labels = scores["label"].to_numpy(dtype=int)

    levels = scores["risk_level"].value_counts()
    for level in ("critical", "high", "medium", "low"):
        assert whole(cell(page, f"risk-{level}")) == int(levels.get(level, 0)), level
    count, rows = cell(page, "flagged").split(" / ")
    assert whole(count) == int(flagged.sum()) and whole(rows) == len(scores)
    # Flagged: the rows at or above the threshold, the high and critical ones.
    assert int(flagged.sum()) == int((p >= summary["threshold"] - 5e-7).sum())
    assert int(flagged.sum()) == int(scores["risk_level"].isin(["high", "critical"]).sum())
    anomalies = int(
        (scores["anomaly_score"].to_numpy(dtype=float) >= summary["anomaly_level"]).sum()
    )
    assert whole(cell(page, "anomalies")) == anomalies
    assert len(summary["members"]) == 1 and cell(page, "agreement") == "100.0%"

    # The estimate, from the stored probabilities alone; the realised figures from labels.
    expected_tp = p[flagged].sum()
    estimated = cell(page, "estimate-precision")
    assert number(estimated.split(" ")[0]) == pct(expected_tp / flagged.sum())
    recall = cell(page, "estimate-recall")
    assert number(recall.split(" ")[0]) == pct(expected_tp / p.sum())
    assert number(cell(page, "expected-frauds")) == round(p.sum(), 1)
    assert number(cell(page, "realised-precision")) == pct(labels[flagged].mean())
    assert number(cell(page, "realised-recall")) == pct(labels[flagged].sum() / labels.sum())
    assert whole(cell(page, "realised-frauds")) == int(labels.sum())
    assert whole(cell(page, "realised-rows")) == len(labels)
    assert whole(cell(page, "estimate-rows")) == len(p)  # named as the rows scored

    # The highest-risk rows: the download's, most probable first, as the page writes them.
    table = page.split('id="top-rows"')[1].split("</table>")[0]
    shown_rows = re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([\d.]+)%</td>", table)
    ranked = scores.sort_values("fraud_probability", ascending=False, kind="stable")
    expected = ranked.head(len(shown_rows))
    assert len(shown_rows) == min(100, len(scores))
    assert [int(r) for r, _ in shown_rows] == expected["row"].tolist()
    assert [float(v) for _, v in shown_rows] == [pct(v) for v in expected["fraud_probability"]]


def test_every_figure_of_the_review_page(world: World) -> None:
    scores = scored_file(world)
    page = world.client.get(f"/predictions/{world.prediction['id']}/review").text
    flagged = scores[scores["risk_level"].isin(["high", "critical"])]
    ranked = flagged.sort_values("fraud_probability", ascending=False, kind="stable")
    rows = [int(r) for r in re.findall(r'class="review-row" data-row="(\d+)"', page)]
    assert rows == ranked["row"].tolist() and rows
    probabilities = [float(v) for v in re.findall(r'class="review-probability">([\d.]+)%<', page)]
    assert probabilities == [pct(v) for v in ranked["fraud_probability"]]
    decided = world.api.get(f"/api/predictions/{world.prediction['id']}/feedback").json()
    undecided = len(set(rows) - {d["row"] for d in decided["labels"]})
    assert int(cell(page, "review-decided")) == len(decided["labels"])
    assert cell(page, "review-left") == f"{undecided} left"
    first = next((i for i, r in enumerate(rows) if r not in {d["row"] for d in decided["labels"]}))
    assert cell(page, "review-position") == f"{first + 1} / {len(rows)}"
