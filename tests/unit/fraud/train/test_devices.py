"""Where XGBoost's trials boost (issue 40 item 6, ADR 0103): the CPU by default, a GPU only
where asked for and present; a GPU asked for where there is none is a clear refusal."""

from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb

from entrepot.fraud.errors import NoGpu
from entrepot.fraud.train.devices import boosting_params, check_device, to_cpu
from entrepot.fraud.train.fits import Data, fit_one


def test_the_cpu_needs_nothing_and_adds_no_parameter() -> None:
    check_device("cpu")
    assert boosting_params("cpu") == {}


def test_an_unknown_device_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown training device 'tpu'"):
        check_device("tpu")


@pytest.mark.skipif(bool(xgb.build_info().get("USE_CUDA")), reason="this XGBoost has CUDA")
def test_cuda_without_a_cuda_build_names_the_setting_that_turns_it_off() -> None:
    with pytest.raises(NoGpu) as refused:
        check_device("cuda")
    assert refused.value.said is not None
    assert refused.value.said.key == "error.fraud.no_cuda_build"
    assert "ENTREPOT_TRAINING_DEVICE=cpu" in str(refused.value)


@pytest.mark.skipif(bool(xgb.build_info().get("USE_CUDA")), reason="this XGBoost has CUDA")
def test_cuda_built_but_no_device_answering_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # a CUDA build on a machine without a GPU: XGBoost's own refusal to boost there
    monkeypatch.setattr(xgb, "build_info", lambda: {"USE_CUDA": True})
    with pytest.raises(NoGpu) as refused:
        check_device("cuda")
    assert refused.value.said is not None
    assert refused.value.said.key == "error.fraud.no_gpu"


def test_a_model_set_back_to_the_cpu_predicts_as_before() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(300, 4)), rng.integers(0, 2, 300)
    model = xgb.XGBClassifier(n_estimators=5, device="cpu").fit(x, y)
    before = model.predict_proba(x)
    to_cpu(model, "cuda")
    assert model.get_params()["device"] == "cpu"
    assert np.array_equal(model.predict_proba(x), before)


def test_a_cpu_search_fits_the_same_model_with_the_device_named_or_not() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 5))
    y = (x[:, 0] + rng.normal(scale=0.5, size=400) > 1).astype(np.int8)
    data = Data(x[:300], y[:300], x[300:], y[300:], x[300:], y[300:])
    one, rounds_one = fit_one("xgboost", {"max_depth": 3}, data, float("inf"), 0, 1)
    two, rounds_two = fit_one("xgboost", {"max_depth": 3}, data, float("inf"), 0, 1, device="cpu")
    assert rounds_one == rounds_two
    assert one.get_booster().save_raw() == two.get_booster().save_raw()
    assert one.get_params()["device"] is None  # a CPU search names no device at all
