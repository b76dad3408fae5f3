"""The job queues and their workers."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.settings import setting


@dataclass(frozen=True)
class JobsSettings:
    """Where the queues are, how jobs are watched and how much memory one may use."""

    #: Unset: an embedded queue under ``var_dir``; ``redis://host:6379/0`` to share machines.
    url: str | None = setting(None, name="jobs_url")
    redis_url: str | None = None
    #: The queue's name (several installations may share one Redis).
    name: str = setting("entrepot", name="jobs_name")
    #: The most memory a training or scoring job may use (bytes; ``2GiB`` is read; unset:
    #: half the machine's); a bigger job is refused with the figures (ADR 0066).
    memory_budget: int | None = setting(None, name="job_memory_budget", before="size")
    heartbeat_seconds: float = setting(10.0, name="job_heartbeat_seconds")
    #: Seconds of silence after which a job is reaped.
    stale_seconds: float = setting(120.0, name="job_stale_seconds")
    worker_threads: int = 2
    #: A Dask scheduler (``tcp://host:8786``) the work inside a job is spread over
    #: (``fraud score --workers``; ADR 0086); unset (or empty): a local cluster of
    #: ``--workers N`` processes, or in process without the flag. Checked as an address.
    dask_url: str | None = setting(None, before="scheduler")

    @property
    def queue_url(self) -> str | None:
        """The queue's backend: ``jobs_url``, else ``redis_url``; ``None``: embedded."""
        return self.url or self.redis_url
