"""The instance secret: generated per development instance, kept 0600, reused; never a
constant; production refuses an unset, short or published one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from entrepot.bootstrap import bootstrap
from entrepot.bootstrap.fraud import service_options
from entrepot.bootstrap.secret import instance_secret, resolve_secret
from entrepot.config import Settings, describe, load_settings
from entrepot.errors import ConfigError
from tests.support.parts import parts


@pytest.fixture(autouse=True)
def _no_secret_in_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ENTREPOT_SECRET_KEY", raising=False)
    monkeypatch.delenv("ENTREPOT_ENV", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's


def _settings(folder: Path, **values: object) -> Settings:
    return Settings(var_dir=folder / "var", database_url="sqlite://", **values)


def test_two_fresh_instances_get_different_secrets(tmp_path: Path) -> None:
    first = parts(bootstrap(_settings(tmp_path / "a"))).secret_key
    second = parts(bootstrap(_settings(tmp_path / "b"))).secret_key
    assert first != second
    assert len(first) >= 32 and len(second) >= 32


def test_the_secret_file_is_private(tmp_path: Path) -> None:
    parts(bootstrap(_settings(tmp_path))).secret_key  # noqa: B018 - generates it
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_same_instance_keeps_its_secret_across_processes(tmp_path: Path) -> None:
    here = parts(bootstrap(_settings(tmp_path))).secret_key
    code = (
        "from pathlib import Path; from entrepot.bootstrap import bootstrap;"
        "from entrepot.config import Settings;"
        f"print(bootstrap(Settings(var_dir=Path({str(tmp_path / 'var')!r}),"
        "database_url='sqlite://'))._parts.secret_key)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    other = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == here


def test_the_web_service_signs_with_the_instance_secret(tmp_path: Path) -> None:
    app = bootstrap(_settings(tmp_path))
    options = service_options(app.settings)
    assert options.secret_key == parts(app).secret_key
    assert options.secret_key == (tmp_path / "var" / "secret_key").read_text().strip()


def test_a_configured_secret_wins_and_writes_nothing(tmp_path: Path) -> None:
    chosen = "x" * 40
    assert parts(bootstrap(_settings(tmp_path, secret_key=chosen))).secret_key == chosen
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_secret_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    instance_secret(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by other users"):
        instance_secret(path)


def test_a_concurrent_first_start_agrees_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("y" * 64)
    path.chmod(0o600)
    assert instance_secret(path) == "y" * 64


def test_production_without_a_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ENTREPOT_SECRET_KEY is required in production"):
        load_settings(env="production", var_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("env", ["development", "production"])
@pytest.mark.parametrize(
    "value", ["change-me", "dev-insecure-secret-change-me", "CHANGE-ME", "short", ""]
)
def test_published_or_short_secrets_are_refused(env: str, value: str) -> None:
    with pytest.raises(ConfigError, match="ENTREPOT_SECRET_KEY"):
        load_settings(env=env, secret_key=value)


def test_resolving_never_generates_for_production() -> None:
    settings = Settings.unchecked(env="production", secret_key=None, var_dir=Path("v"))
    with pytest.raises(ConfigError):
        resolve_secret(settings)


def test_config_show_says_where_the_secret_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = {r.name: r for r in describe(_settings(tmp_path), environ={})}["secret_key"]
    assert generated.value == "****"
    kept = tmp_path / "var" / "secret_key"
    assert generated.source == f"generated on first start, kept in {kept}"
    secret = "z" * 40
    monkeypatch.setenv("ENTREPOT_SECRET_KEY", secret)
    rows = describe(load_settings(), environ={"ENTREPOT_SECRET_KEY": secret})
    shown = {r.name: r for r in rows}["secret_key"]
    assert (shown.value, shown.source) == ("****", "environment")
    assert secret not in repr(rows)
