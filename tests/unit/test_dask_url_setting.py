"""``ENTREPOT_DASK_URL`` is read as a scheduler's address when the settings are read: an
address the client cannot take is a configuration error naming the variable and the form,
never a command that waits ten seconds and fails inside the Dask client with a traceback
(regression: ``notaurl``, ``http://...``, ``tcp://[::1`` and ``tls://...`` did)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from entrepot.config import Settings, load_settings
from entrepot.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith("ENTREPOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "address", ["tcp://scheduler:8786", "tcp://127.0.0.1:8786", "tcp://[::1]:8786", "h:8786"]
)
def test_a_scheduler_address_is_kept_as_given(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    monkeypatch.setenv("ENTREPOT_DASK_URL", address)
    assert load_settings().jobs.dask_url == address


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_address_is_no_scheduler(monkeypatch: pytest.MonkeyPatch, empty: str) -> None:
    monkeypatch.setenv("ENTREPOT_DASK_URL", empty)
    assert load_settings().jobs.dask_url is None
    assert Settings().jobs.dask_url is None  # and unset stays unset


@pytest.mark.parametrize(
    "address",
    [
        "notaurl",  # no port
        "http://127.0.0.1:8787",  # the dashboard's
        "tcp://scheduler",  # no port
        "tcp://[::1",  # not an address
        "tcp://h:99999",  # no such port
        "tls://h:8786",  # certificates no setting gives
        "tcp://:8786",  # no host
    ],
)
def test_an_address_the_client_cannot_take_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    monkeypatch.setenv("ENTREPOT_DASK_URL", address)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    text = str(refused.value)
    assert "ENTREPOT_DASK_URL" in text and repr(address) in text
    assert "tcp://HOST:PORT" in text
