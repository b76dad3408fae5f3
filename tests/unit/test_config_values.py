"""Settings read without pydantic (ADR 0030): sources, conversions, bounds, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.config import InvalidSettings, Settings, load_settings
from entrepot.config_values import SettingError, convert
from entrepot.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.upper().startswith("ENTREPOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_environment_overrides_the_dotenv_file_and_names_are_in_any_case(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "ENTREPOT_STORE_URL=s3://from-file/x\nENTREPOT_WORKER_THREADS=5\n", encoding="utf-8"
    )
    monkeypatch.setenv("entrepot_worker_threads", "7")
    settings = Settings()
    assert settings.store.url == "s3://from-file/x"
    assert settings.jobs.worker_threads == 7


def test_given_values_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTREPOT_JOBS_NAME", "from-env")
    assert Settings(jobs_name="given").jobs.name == "given"
    assert Settings().jobs.name == "from-env"


@pytest.mark.parametrize(
    ("annotation", "text", "expected"),
    [
        ("int", " 12 ", 12),
        ("float", "2.5", 2.5),
        ("bool | None", "yes", True),
        ("bool | None", "OFF", False),
        ("bool | None", None, None),
        ("Path", "var/x", Path("var/x")),
        ("tuple[str, ...]", '["a/", "b/"]', ("a/", "b/")),
        ('Literal["development", "production"]', "production", "production"),
    ],
)
def test_text_becomes_the_declared_type(annotation: str, text: str, expected: object) -> None:
    assert convert(annotation, text) == expected


@pytest.mark.parametrize(
    ("annotation", "text", "said"),
    [
        ("int", "two", "should be a valid integer"),
        ("float", "fast", "should be a valid number"),
        ("bool | None", "maybe", "should be a valid boolean"),
        ("tuple[str, ...]", "a/,b/", "cannot be read: write it as JSON"),
        ("tuple[str, ...]", "[1, 2]", "should be a list of strings"),
        ('Literal["a", "b"]', "c", "should be 'a' or 'b'"),
    ],
)
def test_a_value_that_does_not_convert_is_said(annotation: str, text: str, said: str) -> None:
    with pytest.raises(SettingError, match=said):
        convert(annotation, text)


def test_bounds_and_sizes_are_checked_and_every_problem_is_named() -> None:
    with pytest.raises(InvalidSettings) as caught:
        Settings(health_timeout="0", cache_max_bytes="-1", body_limit="huge", env="prod")
    problems = " | ".join(caught.value.problems)
    assert "ENTREPOT_HEALTH_TIMEOUT='0': should be greater than 0" in problems
    assert "ENTREPOT_CACHE_MAX_BYTES='-1': not a size" in problems
    assert "ENTREPOT_BODY_LIMIT='huge': not a size" in problems
    assert "ENTREPOT_ENV='prod': should be 'development' or 'production'" in problems
    assert Settings(cache_max_bytes="2GiB").cache.max_bytes == 2 * 1024**3


def test_a_secret_is_neither_echoed_in_errors_nor_shown_in_repr() -> None:
    secret = "x" * 40
    assert secret not in repr(Settings(secret_key=secret))
    with pytest.raises(ConfigError) as caught:
        load_settings(metrics_token=12)
    assert "ENTREPOT_METRICS_TOKEN: should be a valid string" in str(caught.value)


def test_an_unknown_setting_given_in_code_is_refused() -> None:
    with pytest.raises(TypeError, match="store_ur"):
        Settings(store_ur="typo")


def test_is_set_tells_a_given_setting_from_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTREPOT_CITY_SCAN_THREADS", "1")
    settings = Settings(jobs_name="given")
    assert settings.is_set("city_scan_threads") and settings.is_set("jobs_name")
    assert not settings.is_set("worker_threads")
    assert "_set" not in {f.name for f in __import__("dataclasses").fields(Settings)}


def test_a_detected_platform_only_fills_the_default_cache_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE")
    assert Settings().cache.dir == Path("/tmp/entrepot-cache")
    monkeypatch.setenv("ENTREPOT_CACHE_DIR", "/data/cache")
    assert Settings().cache.dir == Path("/data/cache")  # what the user set wins
    monkeypatch.delenv("AWS_EXECUTION_ENV")
    monkeypatch.delenv("ENTREPOT_CACHE_DIR")
    assert Settings().cache.dir == Path("./var/cache")


def test_the_aws_sdk_variables_stand_in_for_the_unset_s3_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 26 item 7: the endpoint and region a ``.env`` gives the AWS SDK are the
    store's too (else a custom endpoint got virtual-hosted, HTTPS-only requests)."""
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "AWS_ENDPOINT_URL=http://127.0.0.1:9/\nAWS_DEFAULT_REGION=eu-west-3\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    settings = Settings()
    assert (settings.store.s3_endpoint_url, settings.store.s3_region) == (
        "http://127.0.0.1:9/",
        "eu-north-1",
    )
    assert Settings(s3_region="sa-east-1").store.s3_region == "sa-east-1"
    monkeypatch.setenv("ENTREPOT_S3_ENDPOINT_URL", "http://127.0.0.1:10/")
    assert Settings().store.s3_endpoint_url == "http://127.0.0.1:10/"


def test_dotenv_library_variables_are_copied_without_overriding_the_environment(
    tmp_path: Path,
) -> None:
    from entrepot.config_libraries import export_dotenv_libraries

    (tmp_path / ".env").write_text(
        "AWS_ACCESS_KEY_ID=from-file\nAWS_PROFILE=file-profile\nPGSSLMODE=require\n"
        "https_proxy=http://proxy:3128\nOTHER=x\nENTREPOT_JOBS_NAME=y\n",
        encoding="utf-8",
    )
    environ = {"AWS_ACCESS_KEY_ID": "from-env"}
    copied = export_dotenv_libraries(environ)
    assert sorted(copied) == ["AWS_PROFILE", "PGSSLMODE", "https_proxy"]
    assert environ == {
        "AWS_ACCESS_KEY_ID": "from-env",
        "AWS_PROFILE": "file-profile",
        "PGSSLMODE": "require",
        "https_proxy": "http://proxy:3128",
    }


def test_config_show_names_each_ignored_dotenv_variable_and_masks_secrets(
    tmp_path: Path,
) -> None:
    from entrepot.config import describe

    (tmp_path / ".env").write_text(
        "ENTREPOT_STOR_URL=typo\nAPI_TOKEN=hidden-value\nPGPASSWORD=pg-hidden\n",
        encoding="utf-8",
    )
    rows = {row.env_var: row for row in describe(Settings(), environ={})}
    assert rows["ENTREPOT_STOR_URL"].source.startswith(".env file, ignored: not an Entrepôt")
    assert rows["API_TOKEN"].source.startswith(".env file, ignored: neither")
    assert rows["PGPASSWORD"].source == ".env file, read by PostgreSQL's client (libpq)"
    shown = " ".join(str(row.value) for row in rows.values())
    assert "hidden" not in shown
