"""Issue 42 item 4, the command line's low findings, each as a user meets it: a secret file
that never ends is read within a bound, and what the command cannot use is refused with a
clear message and its exit code, never exit 70 "unexpected failure"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import Cli


def _clear(done: subprocess.CompletedProcess[str], code: int, *said: str) -> str:
    out = done.stdout + done.stderr
    assert done.returncode == code, out
    assert all(s in out for s in said), out
    assert "Traceback" not in out and "unexpected failure" not in out, out
    return out


def test_rewrap_reads_a_secret_file_within_a_bound(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    # /dev/zero never ends: it was read until memory ran out
    _clear(cli("secrets", "rewrap", "--old-secret-file", "/dev/zero"), 2, "larger than")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    _clear(cli("secrets", "rewrap", "--old-secret-file", "latin1.txt"), 2, "not UTF-8 text")


@pytest.mark.parametrize(
    "url",
    ["http://exa\r\nmple.com", "http://exa mple.com", f"http://{'a' * 5000}.com", "http://a..b"],
    ids=["crlf", "space", "5000-host", "empty-label"],
)
def test_an_entrepot_url_that_is_no_address_is_refused_clearly(cli: Cli, url: str) -> None:
    done = cli("models", "ls", extra_env={"ENTREPOT_URL": url, "ENTREPOT_TOKEN": "t"})
    out = _clear(done, 2, "is not the URL of a service")
    assert len(out) < 1000  # a 5,000-character host is not printed whole


@pytest.mark.parametrize("moment", ["9999-12-31 23:00:00", "9999-12-31T23:00:00-05:00"])
def test_a_count_dated_year_9999_is_a_row_without_a_valid_time(
    cli: Cli, tmp_path: Path, moment: str
) -> None:
    assert cli("db", "upgrade").returncode == 0
    head = "iu_ac,libelle,iu_nd_amont,libelle_nd_amont,iu_nd_aval,libelle_nd_aval,t_1h,q,k,"
    arc = "4264,Av_des_Champs_Elysees,2294,Amont,2293,Aval"
    rows = [f"{arc},2023-02-05 0{h}:00:00,1151.0,20.7,2,3" for h in range(1, 5)]
    (tmp_path / "counts.csv").write_text(
        "\n".join([head + "etat_trafic,etat_barre", *rows, f"{arc},{moment},9.0,1.0,2,3"]) + "\n"
    )
    done = cli("city", "import", "counts.csv", "--as-of", "2023-12-05", "--json")
    _clear(done, 0, "1 row(s) without a valid arc or time")
    imported = json.loads(done.stdout)["imported"][0]
    assert imported["days"] == ["2023-02-05", "2023-02-05"]


def test_a_city_run_of_year_9999_is_refused_clearly(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    done = cli("city", "run", "--since", "9999-12-30", "--until", "9999-12-31")
    _clear(done, 2, "not a day the city pipeline can hold", "2199-12-31")
