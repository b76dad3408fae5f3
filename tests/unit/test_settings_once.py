"""Settings once: every ``ENTREPOT_*`` variable the product reads is a setting (so
``config show`` lists it), and the option classes are views of the settings, never copies
of their defaults."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from entrepot.config import Settings, describe, setting_names
from entrepot.fraud_service.options import ServiceOptions
from entrepot.http.options import WebOptions

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"
#: A variable's name, written whole in the source (not the prefix alone).
_VARIABLE = re.compile(r"""["'](ENTREPOT_[A-Z0-9_]+)["']""")


def test_every_variable_the_product_names_is_a_setting() -> None:
    named = {
        match.group(1)
        for path in SRC.rglob("*.py")
        for match in _VARIABLE.finditer(path.read_text(encoding="utf-8"))
    }
    settings = {f"ENTREPOT_{name.upper()}" for name in setting_names()}
    assert named, "the walk found no variable: the pattern is wrong"
    assert sorted(named - settings) == []


def test_no_command_reads_a_variable_of_its_own() -> None:
    for path in (SRC / "cli").rglob("*.py"):
        assert "envvar=" not in path.read_text(encoding="utf-8"), path


def test_config_show_lists_the_library_and_the_log_level() -> None:
    shown = {row.env_var: row for row in describe(Settings(), environ={})}
    assert {"ENTREPOT_FRAUD_LIBRARY", "ENTREPOT_LOG_LEVEL"} <= set(shown)
    assert shown["ENTREPOT_LOG_LEVEL"].value == "info"


def test_sizes_are_read_once_by_the_settings() -> None:
    settings = Settings(upload_limit="2GiB", body_limit="64KiB")
    assert (settings.fraud.upload_limit, settings.web.body_limit) == (2 * 1024**3, 64 * 1024)


def test_the_options_hold_no_default_of_a_setting() -> None:
    names = set(setting_names()) | {"heartbeat_seconds", "stale_after_seconds"}
    for options in (ServiceOptions, WebOptions):
        copied = [
            f.name
            for f in dataclasses.fields(options)
            if f.name in names
            and (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            )
        ]
        assert copied == [], f"{options.__name__} repeats the default of {copied}"


def test_each_group_setting_is_read_and_shown_once() -> None:
    """The groups declare the settings; ``config show`` lists each of them once, in the
    order it always has (ADR 0078)."""
    from entrepot.settings import group_settings

    grouped = [
        name
        for spec in dataclasses.fields(Settings)
        if "group" in spec.metadata
        for name in group_settings(spec.metadata["group"])
    ]
    own = [spec.name for spec in dataclasses.fields(Settings) if "group" not in spec.metadata]
    names = setting_names()
    assert len(names) == len(set(names))
    assert sorted(grouped + own) == sorted(names)
    settings = Settings(store_url="/data/store", jobs_name="nightly", http_keep_alive="9")
    assert (settings.store.url, settings.jobs.name, settings.web.keep_alive) == (
        "/data/store",
        "nightly",
        9.0,
    )
    assert [row.name for row in describe(settings, environ={})][: len(names)] == list(names)
