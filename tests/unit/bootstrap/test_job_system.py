"""One job system per instance: the fraud service, the city backfill and every worker share
its queues and its runner; a city worker never loads the ML stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from entrepot.bootstrap import bootstrap
from entrepot.bootstrap.fraud import service_options
from entrepot.bootstrap.jobs import JobOptions
from entrepot.config import Settings
from entrepot.fraud_service.job_kinds import FRAUD_JOB_KINDS
from tests.support.parts import job_system


def _settings(folder: Path) -> Settings:
    return Settings(
        var_dir=folder / "var",
        store_url=str(folder / "store"),
        database_url=f"sqlite:///{folder / 'catalog.db'}",
        secret_key="test-secret-key-of-some-length-0123456789",
    )


def test_the_fraud_service_and_the_city_backfill_share_one_job_system(tmp_path: Path) -> None:
    app = bootstrap(_settings(tmp_path))
    app.catalog.migrate()
    services = app.fraud(service_options(app.settings, jobs_url="memory://"))
    system = job_system(app)  # the fraud area holds none of its own: the App's
    assert job_system(app, JobOptions.of_service(services.options)) is system
    city = system.city
    assert city.queue is system.city_queue and city.jobs is app.jobs
    assert system.runner.kinds == {*FRAUD_JOB_KINDS, "city-unit"}


def test_a_second_build_with_other_options_is_refused(tmp_path: Path) -> None:
    app = bootstrap(_settings(tmp_path))
    app.catalog.migrate()
    built = job_system(app).options
    with pytest.raises(ValueError, match="already built with other options"):
        job_system(app, JobOptions.of_service(service_options(app.settings, jobs_url="memory://")))
    assert built.url is None  # the embedded queue of the settings was kept


def test_a_worker_on_the_city_queue_loads_no_ml_library(tmp_path: Path) -> None:
    probe = (
        "import sys; from pathlib import Path; from entrepot.bootstrap import bootstrap;"
        "from entrepot.config import Settings;"
        f"app = bootstrap(Settings(var_dir=Path({str(tmp_path / 'var')!r}),"
        f"database_url='sqlite:///{tmp_path / 'catalog.db'}'));"
        "app.catalog.migrate(); system = app._job_system();"
        "worker = system.worker(1, queues='city');"
        "print(worker._queues == (system.city_queue,));"
        "print(sorted(m for m in ('sklearn', 'lightgbm', 'xgboost', 'torch') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    city_only, loaded = done.stdout.strip().splitlines()
    assert city_only == "True"
    assert loaded == "[]"
