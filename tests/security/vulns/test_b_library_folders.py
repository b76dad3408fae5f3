"""Class (b), code execution on load, through a reference library kept in a folder
(``entrepot fraud ... --library DIR``, ``ENTREPOT_FRAUD_LIBRARY``): before, the folder's
``NAME/model.joblib`` was unpickled whoever wrote it. Now a reference is signed by the
installation's key ring when it is added and unpickled only when that signature lists
the very bytes read (issue 28). Every hostile file of the suite, put where a reference's
model goes (unsigned, signed by another installation, or swapped in after signing), is
refused with a message naming the file and the fix; its sentinel proves no code ran.

Also here: a model folder's pickle is read once and unpickled from the bytes that were
checked (a file swapped between the check and the load is never opened), and a file over
the bound is refused before it is read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joblib
import pytest

from entrepot.fraud.library.libraries import MODEL_FILE, FolderLibrary, ReferenceInfo
from entrepot.fraud.model.trust import SIGNATURE_FILE, load_pickle, sign_folder
from entrepot.registry.errors import UnsafeModelFormat
from entrepot.registry.keyring import KeyRing, Verdict
from tests.support.fraud import small_library
from tests.support.hostile_models import Hostile, hostile_models

RING = KeyRing.of("this-installation-" + "k" * 40)
OTHER = KeyRing.of("another-installation-" + "o" * 40)
SIGNERS = ["unsigned", "another installation", "swapped after signing", "no key here"]


@pytest.fixture(scope="module")
def signed_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReferenceInfo]:
    """A library folder holding one real reference, added (and signed) by ``RING``."""
    source = small_library()
    info = source.references()[0]
    trained = tmp_path_factory.mktemp("trained")
    source.load(info.name).save(trained / MODEL_FILE)
    root = tmp_path_factory.mktemp("library")
    FolderLibrary(root, lambda: RING).add(info, trained)
    return root, info


def _copy(signed_library: tuple[Path, ReferenceInfo], tmp_path: Path) -> tuple[Path, str]:
    root, info = signed_library
    shutil.copytree(root, tmp_path / "lib")
    return tmp_path / "lib", info.name


def test_a_reference_this_installation_added_loads(
    signed_library: tuple[Path, ReferenceInfo], tmp_path: Path
) -> None:
    root, name = _copy(signed_library, tmp_path)
    model = FolderLibrary(root, lambda: RING).load(name)
    assert model.threshold == small_library().load(name).threshold


@pytest.mark.parametrize("hostile", hostile_models(), ids=lambda h: h.id)
@pytest.mark.parametrize("signer", SIGNERS)
def test_a_hostile_reference_in_a_library_folder_never_runs(
    signed_library: tuple[Path, ReferenceInfo], hostile: Hostile, signer: str, tmp_path: Path
) -> None:
    root, name = _copy(signed_library, tmp_path)
    sentinel = tmp_path / "ran"
    folder = root / name
    (folder / MODEL_FILE).write_bytes(hostile.build(sentinel))  # swapped after signing
    if signer == "unsigned":  # a folder from another tool, or an older release
        (folder / SIGNATURE_FILE).unlink()
    elif signer == "another installation":
        sign_folder(folder, [MODEL_FILE], OTHER)
    keys = (lambda: None) if signer == "no key here" else (lambda: RING)
    with pytest.raises(UnsafeModelFormat) as refused:
        FolderLibrary(root, keys).load(name)
    assert not sentinel.exists()
    assert str(folder / MODEL_FILE) in refused.value.message
    assert "build-references" in (refused.value.hint or "")


def test_a_library_cannot_be_added_to_without_a_key(
    signed_library: tuple[Path, ReferenceInfo], tmp_path: Path
) -> None:
    """``fraud`` run on its own has no key: it refuses to add what it could never load."""
    root, name = _copy(signed_library, tmp_path)
    info = ReferenceInfo.from_dict(json.loads((root / name / "reference.json").read_text()))
    with pytest.raises(UnsafeModelFormat, match="no installation key"):
        FolderLibrary(tmp_path / "other", lambda: None).add(info, root / name)
    assert not (tmp_path / "other" / name).exists()


class _SwappingRing:
    """A ring that, once the hash was taken and while the signature is checked, lets an
    attacker replace the file (the window between a check and a second read)."""

    def __init__(self, path: Path, payload: bytes) -> None:
        self.path, self.payload = path, payload

    def check(self, manifest_sha256: str, signature: str | None) -> Verdict:
        self.path.write_bytes(self.payload)
        return RING.check(manifest_sha256, signature)


def test_the_bytes_checked_are_the_bytes_unpickled(tmp_path: Path) -> None:
    joblib.dump({"threshold": 0.25}, tmp_path / MODEL_FILE)
    sign_folder(tmp_path, [MODEL_FILE], RING)
    hostile = next(h for h in hostile_models() if h.opener == "joblib")
    sentinel = tmp_path / "ran"
    swapping = _SwappingRing(tmp_path / MODEL_FILE, hostile.build(sentinel))
    assert load_pickle(tmp_path, MODEL_FILE, swapping) == {"threshold": 0.25}  # type: ignore[arg-type]
    assert not sentinel.exists()
    assert (tmp_path / MODEL_FILE).read_bytes() == swapping.payload  # the swap did happen


def test_a_file_over_the_bound_is_refused_before_it_is_read(tmp_path: Path) -> None:
    joblib.dump({"weights": list(range(1000))}, tmp_path / MODEL_FILE)
    sign_folder(tmp_path, [MODEL_FILE], RING)
    with pytest.raises(UnsafeModelFormat, match="over the"):
        load_pickle(tmp_path, MODEL_FILE, RING, limit=64)
    assert load_pickle(tmp_path, MODEL_FILE, RING)["weights"][-1] == 999
