"""Where the raw data lives in a store: one place for the generator and the reader."""

from __future__ import annotations

from datetime import UTC, date, datetime

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

#: Each batch file's versioned folder (``raw/batch/<dataset>/<version>.<ext>``), where
#: ``entrepot city import`` puts every export; the file under its legacy name above (what
#: the generator writes) counts as the oldest version.
DATASETS = {
    COUNTS_CSV: "counts",
    REFERENTIEL_CSV: "referentiel",
    ROADWORKS_CSV: "roadworks",
    STATIONS_JSON: "stations",
}


def batch_key(name: str) -> str:
    """Key of a batch file."""
    return f"{BATCH_ROOT}/{name}"


def versions_prefix(name: str) -> str:
    """Folder of the imported versions of the batch file ``name`` (a legacy name above)."""
    return f"{BATCH_ROOT}/{DATASETS[name]}/"


def version_key(name: str, as_of: datetime, sha256: str, ext: str) -> str:
    """Key of one version: its as-of instant (UTC) first, so keys sort oldest to newest."""
    stamp = as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{versions_prefix(name)}{stamp}-{sha256[:16]}.{ext}"


def version_as_of(key: str) -> datetime | None:
    """The as-of instant a version key carries (None for a legacy key)."""
    stem = key.rsplit("/", 1)[-1].split("-", 1)[0]
    try:
        return datetime.strptime(stem, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def source_prefix(source: str) -> str:
    """Folder prefix of one API source."""
    return f"{API_ROOT}/{source}/"


def day_prefix(source: str, day: date) -> str:
    """Folder prefix of one local day of an API source."""
    return f"{source_prefix(source)}dt={day.isoformat()}/"


def hour_prefix(source: str, day: date, hour: int) -> str:
    """Folder prefix of one local hour of an API source."""
    return f"{day_prefix(source, day)}hour={hour:02d}/"


#: Root of the counts exports' day partitions (ADR 0084): each stored export once, its
#: rows cut by the Paris local day of their counted hour, de-duplicated.
COUNTS_ROOT = f"{RAW_ROOT}/counts"
#: Folder of the partitioned exports' manifests (a name starting with ``_``: no day).
COUNTS_MANIFESTS = f"{COUNTS_ROOT}/_versions/"


def counts_day_prefix(day: date) -> str:
    """Folder of one local day's counts partitions."""
    return f"{COUNTS_ROOT}/dt={day.isoformat()}/"


def counts_part_key(day: date, sha256: str) -> str:
    """Key of one export's rows of one local day, named after the export's sha256."""
    return f"{counts_day_prefix(day)}{sha256[:16]}.parquet"


def counts_manifest_key(sha256: str) -> str:
    """Key of the manifest of a partitioned export: written last, it says the export's
    partitions are all there."""
    return f"{COUNTS_MANIFESTS}{sha256}.json"
