"""``entrepot city collect`` as cron runs it: the installed command, the feeds served from
recorded real responses on 127.0.0.1 (nothing reaches the internet)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import Cli
from tests.support.feeds import recorded_feeds


def test_collect_twice_in_an_hour_then_with_a_feed_down(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    with recorded_feeds() as feeds:
        first = cli("city", "collect", "--backoff", "0", extra_env=feeds.env)
        assert first.returncode == 0, first.stderr
        for name in ("velib-status", "weather", "traffic-counts", "roadworks"):
            assert name in first.stdout
        assert first.stdout.count("collected") == 6
        assert list((tmp_path / "var/store/collect/weather").rglob("hour=*.json"))

        again = cli("city", "collect", "--json", extra_env=feeds.env)
        assert again.returncode == 0, again.stderr
        statuses = {f["feed"]: f["status"] for f in json.loads(again.stdout)["feeds"]}
        assert set(statuses.values()) == {"already collected"} and len(statuses) == 6

        feeds.failures["/weather"] = (503, -1)
        down = cli(
            "city", "collect", "--force", "--feed", "weather", "--feed", "roadworks",
            "--retries", "2", "--backoff", "0", extra_env=feeds.env,
        )  # fmt: skip
    assert down.returncode == 69
    assert "not collected weather" in down.stdout and "HTTP 503" in down.stdout
    assert "Traceback" not in down.stderr


def test_an_unknown_feed_is_a_usage_error(cli: Cli) -> None:
    result = cli("city", "collect", "--feed", "velib")
    assert result.returncode == 2
    assert "unknown feed(s) velib" in result.stderr and "Traceback" not in result.stderr
