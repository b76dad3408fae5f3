"""A pickle is told by its bytes, whatever its name (ADR 0062)."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import joblib
import pytest

from entrepot.registry.flavors import file_flavor, holds_pickle


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_pickle_protocol_is_a_pickle(tmp_path: Path, protocol: int) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(pickle.dumps({"a": [1, 2]}, protocol=protocol))
    assert holds_pickle(path)
    assert file_flavor(path) == "sklearn"


@pytest.mark.parametrize("compress", [0, 3, ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)])
def test_joblib_files_are_pickles_compressed_or_not(tmp_path: Path, compress: object) -> None:
    path = tmp_path / "weights.dat"
    joblib.dump({"a": 1}, path, compress=compress)
    assert holds_pickle(path)


def test_a_zip_holding_a_pickle_is_torch(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(1))
    assert holds_pickle(path)
    assert file_flavor(path) == "pytorch"


def test_other_files_are_not(tmp_path: Path) -> None:
    files = {
        "a.json": json.dumps({"x": 1}).encode(),
        "a.txt": b"hello world\n" * 100,
        "a.csv": b"a,b\n1,2\n",
        "a.bin": bytes(range(256)) * 40,
        "empty.bin": b"",
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
        assert not holds_pickle(tmp_path / name), name
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("readme.txt", "x")
    assert not holds_pickle(tmp_path / "a.zip")
