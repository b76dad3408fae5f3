"""Loading every flavor for real, and refusing what is unsafe: pickles without this
installation's signature, torch files that are not plain weights, untrusted skops types."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from sqlalchemy import Engine, update

from entrepot.catalog.models.tables import ModelVersionRow
from entrepot.catalog.uow import UnitOfWork
from entrepot.registry import Registry
from entrepot.registry.errors import InvalidModelFiles, UnsafeModelFormat
from entrepot.registry.flavors import detect
from entrepot.registry.wrapping import WrongSecret
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.registry import RegistryFixtures, sklearn_model


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def small_net() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def xy(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    return x, (x[:, 0] - x[:, 1] > 0).astype(int)


class TestSafeFormats(RegistryFixtures):
    def test_torch_weights_load_as_a_state_dict_or_into_a_module(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        net = small_net()
        path = tmp_path / "best_model.pth"
        torch.save(net.state_dict(), path)
        registry.push([path], "net")
        state = registry.load("net")
        assert set(state) == set(net.state_dict())
        fresh = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        loaded = registry.load("net", into=fresh)
        assert loaded is fresh and not loaded.training
        sample = torch.randn(3, 4)
        assert torch.equal(loaded(sample), net.eval()(sample))

    def test_a_torch_file_holding_a_whole_module_is_refused(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        path = tmp_path / "model.pt"
        torch.save(small_net(), path)  # a pickled module: code, not weights
        registry.push([path], "net")
        with pytest.raises(UnsafeModelFormat, match="not a plain weights file") as caught:
            registry.load("net")
        assert "state_dict" in caught.value.hint
        assert "model.pt" in str(caught.value)

    def test_safetensors_load_into_a_module(self, registry: Registry, tmp_path: Path) -> None:
        from safetensors.torch import save_file

        net = small_net()
        path = tmp_path / "model.safetensors"
        save_file(net.state_dict(), str(path))
        registry.push([path], "st", sign=False)  # safe formats need no signature
        fresh = small_net()
        with torch.no_grad():
            for p in fresh.parameters():
                p.zero_()
        loaded = registry.load("st", into=fresh)
        assert torch.equal(loaded[0].weight, net[0].weight)  # type: ignore[index]

    def test_skops_loads_trusted_types_and_refuses_others(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        import skops.io
        from sklearn.linear_model import LogisticRegression
        from sklearn.neighbors import KNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        x, y = xy()
        good = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
        skops.io.dump(good, tmp_path / "good.skops")
        registry.push([tmp_path / "good.skops"], "good", sign=False)
        assert (registry.load("good").predict(x[:10]) == good.predict(x[:10])).all()

        other = make_pipeline(StandardScaler(), KNeighborsClassifier(3)).fit(x, y)
        skops.io.dump(other, tmp_path / "other.skops")
        registry.push([tmp_path / "other.skops"], "other")
        with pytest.raises(UnsafeModelFormat, match="KDTree"):
            registry.load("other")

    def test_native_lightgbm_and_xgboost_boosters(self, registry: Registry, tmp_path: Path) -> None:
        import lightgbm
        import xgboost

        x, y = xy()
        lgb = lightgbm.train(
            {"objective": "binary", "verbose": -1, "num_leaves": 4},
            lightgbm.Dataset(x, y),
            num_boost_round=5,
        )
        lgb.save_model(str(tmp_path / "model.txt"))
        xgb = xgboost.train({"max_depth": 2}, xgboost.DMatrix(x, label=y), num_boost_round=5)
        xgb.save_model(str(tmp_path / "model.json"))
        for name, file in (("lgb", "model.txt"), ("xgb", "model.json")):
            folder = tmp_path / name
            folder.mkdir()
            (tmp_path / file).rename(folder / file)
            (folder / "history.json").write_text('{"epochs": [1, 2]}')
            registry.push([folder], name, sign=False)
        assert registry.show("lgb").version.flavor == "lightgbm"
        assert registry.show("xgb").version.flavor == "xgboost"
        assert np.allclose(registry.load("lgb").predict(x[:5]), lgb.predict(x[:5]))
        loaded = registry.load("xgb")
        assert np.allclose(
            loaded.predict(xgboost.DMatrix(x[:5])), xgb.predict(xgboost.DMatrix(x[:5]))
        )

    def test_a_raw_version_loads_as_its_verified_files(
        self, registry: Registry, model_dir: Path
    ) -> None:
        registry.push([model_dir], "raw")
        files = registry.load("raw")
        assert files["notes/readme.txt"].read_text() == "a raw model\n"


class TestPickles(RegistryFixtures):
    def test_a_signed_pipeline_with_lightgbm_inside_loads_and_predicts(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        import joblib
        from lightgbm import LGBMClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        x, y = xy()
        model = make_pipeline(StandardScaler(), LGBMClassifier(n_estimators=5, verbose=-1))
        model.fit(x, y)
        joblib.dump(model, tmp_path / "model.joblib")
        record = registry.push([tmp_path / "model.joblib"], "fraud")
        assert record.flavor == "sklearn" and record.signature
        assert (registry.load("fraud").predict(x[:20]) == model.predict(x[:20])).all()

    def test_pickles_load_only_when_this_installation_signed_them(
        self,
        registry: Registry,
        tmp_path: Path,
        store: MemoryStore,
        cache: CachedStore,
        uow_factory: Callable[[], UnitOfWork],
        engine: Engine,
    ) -> None:
        folder, rows, model = sklearn_model(tmp_path / "m")
        registry.push([folder], "signed")
        registry.push([folder], "outside", sign=False)
        assert (registry.load("signed").predict(rows) == model.predict(rows)).all()
        with pytest.raises(UnsafeModelFormat, match="without a signature"):
            registry.load("outside")

        elsewhere = Registry(
            store, cache, uow_factory, secret="another-installation-secret", actor="x"
        )
        with pytest.raises(WrongSecret, match="does not open with this instance's secret"):
            elsewhere.load("signed")  # the ring is wrapped with the other secret (ADR 0035)

        with engine.begin() as connection:  # a row edited in the database
            connection.execute(
                update(ModelVersionRow)
                .where(ModelVersionRow.name == "signed")
                .values(signature="f" * 64)
            )
        with pytest.raises(UnsafeModelFormat, match="refusing to unpickle"):
            registry.load("signed")


def test_flavor_detection(tmp_path: Path) -> None:
    def files(*names: str) -> dict[str, Path]:
        found = {}
        for name in names:
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"tree\nversion=v4\n" if name.endswith(".txt") else b"{}")
            found[name] = path
        return found

    assert detect(files("best_model.pth", "training_history.json")) == ("pytorch", "best_model.pth")
    assert detect(files("model.joblib", "performance.json")) == ("sklearn", "model.joblib")
    assert detect(files("booster.txt")) == ("lightgbm", "booster.txt")
    assert detect(files("weights.bin")) == ("raw", None)
    assert detect(files("model.joblib"), flavor="raw") == ("raw", None)
    assert detect(files("a.pt", "b.pt"), model_file="b.pt") == ("pytorch", "b.pt")
    with pytest.raises(InvalidModelFiles, match="several pytorch model files"):
        detect(files("a.pt", "b.pt"))
    with pytest.raises(InvalidModelFiles, match="no skops model file"):
        detect(files("a.pt"), flavor="skops")
