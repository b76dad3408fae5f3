"""A model folder on disk is unpickled only when this installation signed it (issue 28):
before, `entrepot fraud score --model ./DIR` and `evaluate --model ./DIR` ran joblib.load on
whatever ``DIR/model.joblib`` held. Every hostile file of the suite, put where a trained
model goes, is refused with a message naming the file and the fix; its sentinel file
proves that no code of it ran."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest

from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.model.trust import SIGNATURE_FILE, load_pickle, sign_folder
from entrepot.registry.errors import UnsafeModelFormat
from entrepot.registry.keyring import KeyRing
from tests.support.hostile_models import Hostile, hostile_models, run_unsafely

RING = KeyRing.of("this-installation-" + "k" * 40)
OTHER = KeyRing.of("another-installation-" + "o" * 40)


@pytest.mark.parametrize("hostile", hostile_models(), ids=lambda h: h.id)
@pytest.mark.parametrize("signer", ["none", "unsigned folder", "another installation"])
def test_a_hostile_model_file_in_a_folder_never_runs(
    hostile: Hostile, signer: str, tmp_path: Path
) -> None:
    sentinel = tmp_path / "ran"
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.joblib").write_bytes(hostile.build(sentinel))
    if signer == "another installation":  # a signature, but not one this ring verifies
        sign_folder(folder, ["model.joblib"], OTHER)
    ring = None if signer == "none" else RING
    with pytest.raises(UnsafeModelFormat) as refused:
        FraudModel.load_signed(folder, "model.joblib", ring)
    assert not sentinel.exists()
    assert str(folder / "model.joblib") in refused.value.message
    assert "entrepot models push" in (refused.value.hint or "")


def test_the_hostile_files_are_armed(tmp_path: Path) -> None:
    """The control: opened unsafely, a hostile file does create its sentinel."""
    hostile = next(h for h in hostile_models() if h.opener == "joblib")
    sentinel = tmp_path / "ran"
    path = tmp_path / "model.joblib"
    path.write_bytes(hostile.build(sentinel))
    run_unsafely(hostile, path)
    assert sentinel.exists()


def test_a_folder_this_installation_signed_loads_and_a_changed_file_does_not(
    tmp_path: Path,
) -> None:
    joblib.dump({"threshold": 0.25}, tmp_path / "model.joblib")
    sign_folder(tmp_path, ["model.joblib"], RING)
    assert load_pickle(tmp_path, "model.joblib", RING) == {"threshold": 0.25}
    # a ring with this key among older ones still verifies (a rotated installation)
    rotated = KeyRing(RING.keys + KeyRing.of("newer-" + "n" * 40).keys)
    assert load_pickle(tmp_path, "model.joblib", rotated) == {"threshold": 0.25}

    joblib.dump({"threshold": 0.9}, tmp_path / "model.joblib")  # replaced after signing
    with pytest.raises(UnsafeModelFormat):
        load_pickle(tmp_path, "model.joblib", RING)

    joblib.dump({"threshold": 0.25}, tmp_path / "model.joblib")
    signature = json.loads((tmp_path / SIGNATURE_FILE).read_text())
    signature["files"]["model.joblib"] = "0" * 64  # a list edited to match another file
    (tmp_path / SIGNATURE_FILE).write_text(json.dumps(signature))
    with pytest.raises(UnsafeModelFormat):
        load_pickle(tmp_path, "model.joblib", RING)


def test_a_small_model_file_is_read_without_a_buffer_of_the_limit(tmp_path: Path) -> None:
    """Regression: the file was read with ``read(limit + 1)``, so Python allocated a
    buffer of the limit (2 GiB) for a model of a few kilobytes before shrinking it."""
    import tracemalloc

    joblib.dump({"threshold": 0.25}, tmp_path / "model.joblib")
    sign_folder(tmp_path, ["model.joblib"], RING)
    tracemalloc.start()
    try:
        assert load_pickle(tmp_path, "model.joblib", RING) == {"threshold": 0.25}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024**2
