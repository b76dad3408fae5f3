# ruff: noqa: E501 - a table of sentences, one pair per line
"""The engine's messages in French and in English: the roles and their reasons from a real
analysis, progress and warnings with their numbers, a row's explanation as the scorer
builds it, refusals by code, the audit log; and an earlier release's plain sentences,
shown as they are."""

from __future__ import annotations

import ast
import io
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.score.words import AmountRatio, in_parts
from entrepot.fraud.synth.generator import generate
from entrepot.i18n import Formats, translator
from entrepot.i18n.catalogs import read_catalog
from entrepot.i18n.messages import english_parts
from entrepot.messages import Count, Message, Number, Word
from entrepot.web.phrases import Phrases

SRC = Path(__file__).resolve().parents[3] / "src" / "entrepot"
FR = Phrases(translator("fr"), Formats("fr"))
EN = Phrases(translator("en"), Formats("en"))
NNBSP = "\u202f"


def _emitted() -> dict[str, set[str]]:
    """Every ``Message(N_("key"), {...})`` of the source: key -> the names of its values."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Message"):
                continue
            if not node.args or not isinstance(node.args[0], ast.Call):
                continue
            marker = node.args[0]
            if not (marker.args and isinstance(marker.args[0], ast.Constant)):
                continue
            names: set[str] = set()
            if len(node.args) > 1:
                values = node.args[1]
                assert isinstance(values, ast.Dict), f"{path}: write a message's values as a dict"
                names = {str(k.value) for k in values.keys if isinstance(k, ast.Constant)}
            found.setdefault(str(marker.args[0].value), set()).update(names)
    return found


def _fields(lang: str, key: str) -> set[str]:
    message = read_catalog(lang).get(key)
    assert message is not None, f"{lang}: no {key}"
    found = message.string
    texts = [str(t) for t in found] if isinstance(found, tuple | list) else [str(found)]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_the_engine_emits_has_its_fields_in_both_catalogs() -> None:
    emitted = _emitted()
    assert {"reason.all_missing", "warning.leak", "progress.split", "explanation.ratio"} <= set(
        emitted
    )
    assert len(emitted) >= 40
    for key, names in emitted.items():
        for lang in ("en", "fr"):
            assert _fields(lang, key) == names, (lang, key)


def test_every_reason_of_a_real_analysis_reads_in_french() -> None:
    frame = pd.concat(
        [
            generate("card_payments", 400, fraud_rate=0.1, seed=1, variety=True).frame,
            pd.DataFrame({"empty": [None] * 400, "flag": ["a", "b"] * 200}),
        ],
        axis=1,
    )
    for column in analyze(frame).columns:
        said = column.to_dict()["reason_message"]
        assert FR.said(said) != column.reason, column
        assert EN.said(said) == column.reason
        assert not FR.role(column.role, column.entity_kind).startswith("role.")


@pytest.mark.parametrize(
    ("message", "french", "english"),
    [
        (
            Message("progress.split", {"rows": Count(2000, "datasets.row_count"), "frauds": Count(1, "progress.fraud_count"), "kind": Word("progress.split_kind.time")}),
            f"2{NNBSP}000 lignes, 1 fraude{NNBSP}; découpage chronologique",
            "2,000 rows, 1 fraud; time split",
        ),
        (
            Message("progress.features", {"count": 34, "seconds": Number(1.5, 1)}),
            "34 variables construites en 1,5\u00a0s",
            "34 features built in 1.5 s",
        ),
        (
            Message("progress.trial", {"kind": "lightgbm", "stage": Word("trial.stage.tuned"), "auprc": Number(0.8123, 4), "seconds": Number(2.0, 1)}),
            "lightgbm (ajusté)\u00a0: AUPRC de validation 0,8123 (2,0\u00a0s)",
            "lightgbm (tuned): validation AUPRC 0.8123 (2.0 s)",
        ),
        (
            Message("progress.tested", {"auprc": Number(0.7, 4), "roc": Number(0.95, 4), "seconds": Number(1048.8, 1)}),
            f"AUPRC de test 0,7000, ROC-AUC 0,9500 en 1{NNBSP}048,8\u00a0s",
            "test AUPRC 0.7000, ROC-AUC 0.9500 in 1,048.8 s",
        ),
        (
            Message("progress.reference", {"name": "cards-v1", "state": Word("progress.state.built")}),
            "cards-v1\u00a0: construit",
            "cards-v1: built",
        ),
        (Message("reason.labels", {"count": 12}), "12 libellés distincts", "12 distinct labels"),
        (
            Message("warning.unlabelled", {"count": 1}),
            "1 ligne n’a pas d’étiquette\u202f; l’apprentissage l’ignore",
            "1 row has no label; training ignores it",
        ),
        (
            Message("warning.infinite", {"column": "ratio", "count": 3}),
            "la colonne «\u00a0ratio\u00a0» contenait 3 valeurs infinies, lues comme manquantes",
            "column 'ratio' held 3 infinite values, read as missing",
        ),
        (
            Message("warning.chance", {"auprc": Number(0.06, 3), "rate": Number(0.05, 3)}),
            "le meilleur modèle fait à peine mieux que le hasard en validation (AUPRC 0,060 pour "
            "un taux de fraude de 0,050)\u00a0: les colonnes disent peu de chose de la fraude",
            "the best model barely beats chance on validation (AUPRC 0.060 vs a fraud rate of "
            "0.050): the columns carry little signal about fraud",
        ),
        (
            Message("warning.all_missing", {"columns": "notes, memo"}),
            "colonnes entièrement vides ignorées\u00a0: notes, memo",
            "all-missing columns ignored: notes, memo",
        ),
    ],
)  # fmt: skip
def test_messages_with_values(message: Message, french: str, english: str) -> None:
    assert FR.said(message.to_json()) == french
    assert EN.said(message.to_json()) == english
    assert Message.from_json(message.to_json()) == message


def test_an_explanation_as_the_scorer_builds_it() -> None:
    frame = pd.DataFrame({"amount": [1048.8, 20.0], "hour": [3, 14], "mcc": [None, 5]})
    pushed = np.array([[0.5, 0.2, 0.1], [0.3, 0.0, 0.2]])
    ratio = AmountRatio("amount", 30, np.array([3.5, float("nan")]))
    rows, labels = np.array([0, 1]), list(frame.columns)
    found = in_parts(frame, rows, pushed, labels, ratio)
    parts = [[p.to_json() for p in row] for row in found]
    english = [english_parts(row) for row in found]
    assert english[0] == "amount 1,048.80, 3.5 × this customer's 30-day mean; hour 3; mcc missing"
    assert FR.explanation(parts[0], english[0]) == (
        f"amount 1{NNBSP}048,80, 3,5 × la moyenne de ce client sur 30 jours{NNBSP}; "
        f"hour 3{NNBSP}; mcc manquant"
    )
    assert EN.explanation(parts[0], "ignored") == english[0]
    assert EN.explanation(parts[1], "") == english[1] == "amount 20; mcc 5"


def test_an_earlier_release_s_sentences_show_as_they_are() -> None:
    """Stored before messages were data: never parsed, even when a key would fit."""
    old = "2000 rows, 1 frauds; time split"
    assert FR.said(old) == old
    assert FR.said(None, old) == old
    assert FR.notes({"warnings": ["12 rows have no label; training ignores them"]}) == [
        "12 rows have no label; training ignores them"
    ]
    assert FR.explanation(None, "amount 1,148.01; hour 3") == "amount 1,148.01; hour 3"
    assert FR.job_error(None, "too_few_rows", "found 12 rows").startswith("Le fichier a trop peu")


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
    for column in analyze(frame).columns:
        assert FR.said(column.why.to_json()) != column.reason


def test_the_audit_log_in_french() -> None:
    assert FR.action("licence.create") == "licence créée"
    assert FR.action("something.new") == "something.new"
    assert FR.details({"days": 1200, "reason": "wrong password", "note": "as is"}) == [
        f"jours\u00a0: 1{NNBSP}200",
        "motif\u00a0: mauvais mot de passe",
        "note\u00a0: as is",
    ]
    assert EN.details({"days": 1200}) == ["days: 1,200"]
