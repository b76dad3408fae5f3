"""The MLflow export, read back by MLflow's own loader (``mlflow.pyfunc.load_model``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from entrepot.registry import Registry
from entrepot.registry.errors import RegistryError
from tests.support.catalog import sqlite_engine
from tests.support.registry import RegistryFixtures

pytestmark = pytest.mark.slow


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


class TestMlflowExport(RegistryFixtures):
    def test_an_exported_pipeline_loads_and_predicts_with_mlflow(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        import joblib
        from lightgbm import LGBMClassifier
        from sklearn.compose import make_column_transformer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder

        rng = np.random.default_rng(0)
        frame = pd.DataFrame(
            {
                "amount": rng.gamma(2.0, 50.0, 300),
                "channel": rng.choice(["web", "shop", "phone"], 300),
                "hour": rng.integers(0, 24, 300),
            }
        )
        label = ((frame["amount"] > 120) & (frame["channel"] == "web")).astype(int)
        model = make_pipeline(
            make_column_transformer(
                (OneHotEncoder(handle_unknown="ignore"), ["channel"]), remainder="passthrough"
            ),
            LGBMClassifier(n_estimators=10, verbose=-1),
        ).fit(frame, label)
        joblib.dump(model, tmp_path / "model.joblib")
        registry.push(
            [tmp_path / "model.joblib"],
            "fraud",
            version="1.0",
            input_schema=[("amount", "float64"), ("channel", "object"), ("hour", "int64")],
        )
        dest = registry.export_mlflow("fraud", "1.0", tmp_path / "mlflow-model")

        with warnings.catch_warnings():  # mlflow warns about its own type hints on import
            warnings.filterwarnings("ignore", message=".*type hint is inferred")
            import mlflow.pyfunc

        loaded = mlflow.pyfunc.load_model(str(dest))
        predicted = np.asarray(loaded.predict(frame.head(50)))
        assert (predicted == model.predict(frame.head(50))).all()
        assert loaded.metadata.metadata["entrepot"]["version"] == "1.0"
        assert loaded.metadata.get_input_schema().input_names() == ["amount", "channel", "hour"]
        requirements = (dest / "requirements.txt").read_text()
        assert "scikit-learn==" in requirements and "lightgbm==" in requirements

    def test_only_sklearn_flavors_export_and_only_into_a_new_folder(
        self, registry: Registry, model_dir: Path, tmp_path: Path
    ) -> None:
        registry.push([model_dir], "raw", version="1")
        with pytest.raises(RegistryError, match="raw model; the MLflow export supports"):
            registry.export_mlflow("raw", "1", tmp_path / "out")
        used = tmp_path / "used"
        used.mkdir()
        (used / "x").write_text("mine")
        folder = tmp_path / "sk"
        from tests.support.registry import sklearn_model

        sklearn_model(folder)
        registry.push([folder], "sk", version="1")
        with pytest.raises(RegistryError, match="not an empty folder"):
            registry.export_mlflow("sk", "1", used)
        assert (used / "x").read_text() == "mine"
