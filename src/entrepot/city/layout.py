"""Where the raw data lives in a store: one place for the generator and the reader."""

from __future__ import annotations

from datetime import date

#: Root of the raw layout inside the store (or store prefix) handed to the app.
RAW_ROOT = "raw"
API_ROOT = f"{RAW_ROOT}/api"
BATCH_ROOT = f"{RAW_ROOT}/batch"

#: The batch files under ``raw/batch/``.
COUNTS_CSV = "comptages-routiers-permanents.csv"
ROADWORKS_CSV = "chantiers-perturbants.csv"
REFERENTIEL_CSV = (
    "referentiel-geographique-pour-les-donnees-trafic-issues-des-capteurs-permanents.csv"
)
STATIONS_JSON = "velib-station-information.json"


def batch_key(name: str) -> str:
    """Key of a batch file."""
    return f"{BATCH_ROOT}/{name}"


def source_prefix(source: str) -> str:
    """Folder prefix of one API source."""
    return f"{API_ROOT}/{source}/"


def day_prefix(source: str, day: date) -> str:
    """Folder prefix of one local day of an API source."""
    return f"{source_prefix(source)}dt={day.isoformat()}/"


def hour_prefix(source: str, day: date, hour: int) -> str:
    """Folder prefix of one local hour of an API source."""
    return f"{day_prefix(source, day)}hour={hour:02d}/"
