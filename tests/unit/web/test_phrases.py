# ruff: noqa: E501 - a table of sentences, one pair per line
"""The engine's English sentences read in French: the roles and their reasons from a real
analysis, every progress message the services write, a row's explanation as the scorer
writes it, and refusals by code, then by status."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.score.words import AmountRatio, in_words
from entrepot.fraud.synth.generator import generate
from entrepot.i18n import Formats, translator
from entrepot.web.phrases import Phrases

SRC = Path(__file__).resolve().parents[3] / "src" / "entrepot"
FR = Phrases(translator("fr"), Formats("fr"))
EN = Phrases(translator("en"), Formats("en"))
NNBSP = "\u202f"


def _literals(path: Path, function: str, position: int) -> list[str]:
    """The plain string literals passed as argument ``position`` to ``function(...)``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and len(node.args) > position:
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            arg = node.args[position]
            if name == function and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
    return found


def test_every_reason_of_a_real_analysis_reads_in_french() -> None:
    frame = pd.concat(
        [
            generate("card_payments", 400, fraud_rate=0.1, seed=1, variety=True).frame,
            pd.DataFrame({"empty": [None] * 400, "flag": ["a", "b"] * 200}),
        ],
        axis=1,
    )
    for column in analyze(frame).columns:
        french = FR.reason(column.reason)
        assert french != column.reason or column.reason == "", column
        assert EN.reason(column.reason) == column.reason
        assert not FR.role(column.role, column.entity_kind).startswith("role.")


def test_every_literal_reason_and_progress_message_has_a_pattern() -> None:
    reasons = _literals(SRC / "fraud/schema/roles.py", "made", 1)
    assert len(reasons) >= 8
    for text in reasons:
        assert FR.reason(text) != text, text
    messages = [
        text
        for name in ("training.py", "scoring.py")
        for text in _literals(SRC / "fraud_service" / name, "progress", 1)
    ]
    assert len(messages) >= 8
    for text in messages:
        assert FR.progress(text) != text, text


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("2000 rows, 1 frauds; time split", f"2{NNBSP}000 lignes, 1 fraude{NNBSP}; découpage chronologique"),
        ("34 features built in 1.5 s", "34 variables construites en 1,5\u00a0s"),
        ("lightgbm (tuned): validation AUPRC 0.8123 (2.0 s)", "lightgbm (ajusté)\u00a0: AUPRC de validation 0,8123 (2,0\u00a0s)"),
        ("test AUPRC 0.7000, ROC-AUC 0.9500 in 12.3 s", "AUPRC de test 0,7000, ROC-AUC 0,9500 en 12,3\u00a0s"),
        ("cards-v1: built", "cards-v1\u00a0: construit"),
        ("12 distinct labels", "12 libellés distincts"),
        ("something new", "something new"),  # unknown: shown as it is
    ],
)  # fmt: skip
def test_progress_and_reasons_with_values(english: str, french: str) -> None:
    assert (FR.reason(english) if "labels" in english else FR.progress(english)) == french


def test_an_explanation_as_the_scorer_writes_it() -> None:
    frame = pd.DataFrame({"amount": [1148.01, 20.0], "hour": [3, 14], "mcc": [None, 5]})
    pushed = np.array([[0.5, 0.2, 0.1], [0.3, 0.0, 0.2]])
    ratio = AmountRatio("amount", 30, np.array([3.5, float("nan")]))
    english = in_words(frame, np.array([0, 1]), pushed, list(frame.columns), ratio)
    assert english[0] == "amount 1,148.01, 3.5 × this customer's 30-day mean; hour 3; mcc missing"
    french = FR.explanation(english[0])
    assert french == (
        f"amount 1{NNBSP}148,01, 3,5 × la moyenne de ce client sur 30 jours{NNBSP}; "
        f"hour 3{NNBSP}; mcc manquant"
    )
    assert EN.explanation(english[1]) == english[1] == "amount 20; mcc 5"


def test_refusals_by_code_then_by_status() -> None:
    assert FR.error("record_not_found", "no job 7", 404).startswith("Cet élément n’existe pas")
    assert FR.error("something_new", "boom", 413) == "Le fichier est trop volumineux."
    assert FR.error("something_new", "boom", 418) == "La demande a été refusée."
    assert EN.error("record_not_found", "no job 7 (see the history)", 404) == (
        "no job 7 (see the history)"
    )


def test_an_unlabelled_file_reads_too() -> None:
    frame = pd.read_csv(
        io.StringIO("id,amount,note\n" + "\n".join(f"{i},{i}.5,x{i % 3}" for i in range(60)))
    )
    assert all(FR.reason(c.reason) != c.reason for c in analyze(frame).columns)


@pytest.mark.parametrize(
    ("english", "french"),
    [
        (
            "column 'scenario' determines the label exactly: it is derived from it (like a "
            "fraud-scenario code) and is left out of the features",
            "la colonne «\u00a0scenario\u00a0» détermine exactement l’étiquette\u00a0: elle en est dérivée "
            "(comme un code de scénario de fraude) et reste hors des variables",
        ),
        (
            "1 rows have no label; training ignores them",
            "1 ligne n’a pas d’étiquette\u202f; l’apprentissage l’ignore",
        ),
        (
            "12 rows have no label; training ignores them",
            "12 lignes n’ont pas d’étiquette\u202f; l’apprentissage les ignore",
        ),
        (
            "column 'ratio' held 3 infinite values, read as missing",
            "la colonne «\u00a0ratio\u00a0» contenait 3 valeurs infinies, lues comme manquantes",
        ),
        (
            "column 'ratio' held 1 infinite value, read as missing",
            "la colonne «\u00a0ratio\u00a0» contenait 1 valeur infinie, lue comme manquante",
        ),
        (
            "the best model barely beats chance on validation (AUPRC 0.060 vs a fraud rate of "
            "0.050): the columns carry little signal about fraud",
            "le meilleur modèle fait à peine mieux que le hasard en validation (AUPRC 0,060 pour "
            "un taux de fraude de 0,050)\u00a0: les colonnes disent peu de chose de la fraude",
        ),
    ],
)
def test_warnings_in_french(english: str, french: str) -> None:
    assert FR.warning(english) == french
    assert EN.warning(english) == english.replace("1 rows have", "1 row has").replace(
        "1 row has no label; training ignores them", "1 row has no label; training ignores it"
    )
