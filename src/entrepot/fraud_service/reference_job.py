"""The reference library on first start: built by a background job of the service's own,
so that ``entrepot serve`` answers at once and apply-to-unlabelled works minutes later."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from entrepot.catalog.jobs.records import JobRecord
from entrepot.fraud.library.build import MIN_FRAUDS, ReferenceSpec, build_references
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud_service.job_payloads import BUILD_KIND, BuildPayload
from entrepot.fraud_service.options import ServiceOptions
from entrepot.jobs.runner import Progress
from entrepot.jobs.service import JobService
from entrepot.messages import N_, Message, Word


class ReferenceBuilder:
    """Starts the build when the library is empty; the ``build_references`` handler."""

    def __init__(self, library: RegistryLibrary, jobs: JobService, options: ServiceOptions) -> None:
        self._library = library
        self._jobs = jobs
        self._options = options
        self._started: str | None = None
        self._submitted = threading.Event()

    def started(self, timeout: float | None = None) -> JobRecord | None:
        """The build this instance queued (read afresh), waiting up to ``timeout`` seconds
        for :meth:`ensure` to have run; ``None`` if it queued none."""
        self._submitted.wait(timeout)
        return None if self._started is None else self._jobs.get_any(self._started)

    def ensure(self) -> JobRecord | None:
        """Queue a build if no reference exists and none is being built; the job, or
        ``None`` when nothing was needed."""
        try:
            job = self._ensure()
            self._started = None if job is None else job.id
        finally:
            self._submitted.set()
        return job

    def _ensure(self) -> JobRecord | None:
        if self._options.fraud.reference_count <= 0 or self._library.references():
            return None
        if self._jobs.unfinished(None, BUILD_KIND):
            return None
        payload = BuildPayload(
            count=self._options.fraud.reference_count,
            rows=self._options.fraud.reference_rows,
            time_budget=self._options.fraud.reference_budget,
            min_frauds=self._options.fraud.reference_min_frauds,
        )
        return self._jobs.submit(owner_id=None, kind=BUILD_KIND, params=payload.to_params())

    def run(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """Build the missing references (skipping those already there)."""
        payload = BuildPayload.from_params(job.params)
        count = payload.count
        done = {"n": 0}

        def report(spec: ReferenceSpec, state: str) -> None:
            if state in ("built", "skipped", "built_elsewhere"):
                done["n"] += 1
            said = Message(
                N_("progress.reference"),
                {"name": spec.name, "state": Word(f"progress.state.{state}")},
            )
            progress(done["n"] / count, said)

        built = build_references(
            self._library,
            count=count,
            rows=payload.rows,
            min_frauds=MIN_FRAUDS if payload.min_frauds is None else payload.min_frauds,
            time_budget=payload.time_budget,
            progress=report,
            clock=self._options.new_clock(),
        )
        return {
            "built": built.built,
            "skipped": built.skipped,
            "elsewhere": built.elsewhere,
            "seconds": round(built.seconds, 1),
        }
