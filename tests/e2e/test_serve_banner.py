"""``entrepot serve`` says how many accounts exist, and how to create the first one only
when there is none."""

from __future__ import annotations

from pathlib import Path

from tests.support.processes import Server, instance_env, run
from tests.support.web import PASSWORD


def _banner(env: dict[str, str], folder: Path) -> str:
    server = Server(env, folder, "--no-worker")
    try:
        return " ".join(server.log.read_text().split())
    finally:
        server.stop()


def test_the_banner_counts_the_accounts(tmp_path: Path) -> None:
    env = instance_env(tmp_path)
    assert "accounts none yet: create one with `entrepot users create" in _banner(env, tmp_path)
    for email in ("ann@example.com", "bob@example.com"):
        made = run(env, tmp_path, "users", "create", email, "--password-stdin", stdin=PASSWORD)
        assert made.returncode == 0, made.stderr
    said = _banner(env, tmp_path)
    assert "accounts 2 (see `entrepot users list`)" in said and "none yet" not in said
