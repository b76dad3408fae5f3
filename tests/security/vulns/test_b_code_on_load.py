"""Class (b), code execution on model load: more than 50 malicious model files, generated
here, go through every loader the registry has; none may run. The proof is a sentinel file
each payload would create: it must not exist after the attempt. A control opens every file
the unsafe way and sees the sentinel appear, so a refusal is never a dud payload."""

from __future__ import annotations

import contextlib
import itertools
import time
from pathlib import Path

import pytest

from entrepot.registry import Registry
from entrepot.registry.errors import InvalidModelFiles, RegistryError
from entrepot.registry.safe_loaders import load_file
from tests.support.hostile_models import Hostile, hostile_models, run_unsafely, write
from tests.support.registry import sklearn_model

HOSTILE = hostile_models()
IDS = [h.id for h in HOSTILE]
_names = itertools.count()
#: Forced flavors: a hostile file pushed as if it were each safe format.
FORCED = ("pytorch", "safetensors", "skops", "lightgbm", "xgboost")
SAMPLE = [
    h
    for h in HOSTILE
    if h.id
    in (
        "pickle p2 os.system",
        "raw STACK_GLOBAL",
        "joblib z3 exec",
        "torch zip data.pkl STACK_GLOBAL",
    )
]


def _appeared(sentinel: Path) -> bool:
    """Whether ``sentinel`` exists, allowing an asynchronous child a moment to write it."""
    for _ in range(50):
        if sentinel.exists():
            return True
        time.sleep(0.1)
    return False


def test_there_are_at_least_50_malicious_files() -> None:
    assert len(HOSTILE) >= 50 and len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_control_the_file_runs_code_when_opened_unsafely(hostile: Hostile, tmp_path: Path) -> None:
    sentinel = tmp_path / "sentinel"
    path = write(hostile, tmp_path / "m", sentinel)
    with contextlib.suppress(Exception):
        run_unsafely(hostile, path)
    assert _appeared(sentinel)


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_a_file_from_outside_is_refused_on_load_without_running(
    registry: Registry, hostile: Hostile, tmp_path: Path
) -> None:
    sentinel = tmp_path / "sentinel"
    path = write(hostile, tmp_path / "m", sentinel)
    name = f"hostile-{next(_names)}"
    registry.push([path], name, sign=False)
    try:
        loaded = registry.load(name)
    except RegistryError:
        pass
    else:  # only a raw version loads, as its verified files: nothing is opened
        assert registry.show(name).version.flavor == "raw"
        assert set(loaded) == {hostile.name, "manifest.json"}
    registry.pull(name, dest=tmp_path / "pulled")
    assert not sentinel.exists()


@pytest.mark.parametrize("flavor", FORCED)
@pytest.mark.parametrize("hostile", SAMPLE, ids=[h.id for h in SAMPLE])
def test_a_pickle_pushed_as_a_safe_flavor_is_refused_without_running(
    registry: Registry, hostile: Hostile, flavor: str, tmp_path: Path
) -> None:
    sentinel = tmp_path / "sentinel"
    path = write(hostile, tmp_path / "m", sentinel)
    renamed = path.with_name("model.bin")
    path.rename(renamed)
    name = f"hostile-{next(_names)}"
    registry.push([renamed], name, sign=False, flavor=flavor, model_file="model.bin")
    with pytest.raises(RegistryError):
        registry.load(name)
    assert not sentinel.exists()


@pytest.mark.parametrize("flavor", ["sklearn", *FORCED])
def test_the_safe_loaders_refuse_an_unsigned_pickle_by_name(flavor: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "sentinel"
    path = write(HOSTILE[0], tmp_path / "m", sentinel)
    with pytest.raises(RegistryError):
        load_file(flavor, path, signed=False)
    assert not sentinel.exists()


@pytest.mark.parametrize("hostile", HOSTILE[:6], ids=IDS[:6])
def test_a_signed_version_whose_stored_pickle_was_swapped_is_refused(
    registry: Registry, hostile: Hostile, tmp_path: Path
) -> None:
    """Someone with write access to the store replaces a signed model's bytes."""
    folder, _, _ = sklearn_model(tmp_path / "good")
    name = f"signed-{next(_names)}"
    registry.push([folder / "model.joblib"], name)
    entry = next(f for f in registry.show(name).files if f.path == "model.joblib")
    sentinel = tmp_path / "sentinel"
    store = registry._ctx.store
    store.delete(entry.key)
    store.put(entry.key, hostile.build(sentinel))
    with pytest.raises(RegistryError):
        registry.load(name)
    assert not sentinel.exists()


@pytest.mark.parametrize("flavor", ["safetensors", "skops", "lightgbm", "xgboost"])
def test_a_file_that_is_not_its_flavor_is_a_registry_error_naming_it(
    registry: Registry, flavor: str, tmp_path: Path
) -> None:
    """Regression: the library's own error (SafetensorError, BadZipFile, LightGBMError,
    XGBoostError...) used to escape ``load`` as is, with the cache's path in it."""
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x80\x04K\x01.")  # the pickle of 1: harmless, but no model of any kind
    name = f"unreadable-{next(_names)}"
    registry.push([path], name, sign=False, flavor=flavor, model_file="model.bin")
    with pytest.raises(InvalidModelFiles, match=f"model.bin is not a readable {flavor} model") as e:
        registry.load(name)
    assert str(tmp_path) not in e.value.message and "cache" not in e.value.message
