"""The task queue: huey on a SQLite file (embedded, the default) or on Redis.

The only module that imports huey. One task is registered, ``entrepot.run_job``, whose
only argument is a job id; producers and workers build the queue the same way, so they
agree on the task's name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from entrepot.errors import ConfigError
from entrepot.masking import mask_url
from entrepot.messages import N_, Message

TASK_NAME = "entrepot.run_job"


class JobQueue:
    """Carries job ids from the service to the workers."""

    def __init__(self, huey: Huey, description: str) -> None:
        self._huey = huey
        self.description = description
        self._task: Callable[[str], object] | None = None
        self._run: Callable[[str], object] | None = None

    @classmethod
    def from_url(cls, url: str | None, *, folder: Path, name: str = "entrepot") -> JobQueue:
        """``None`` or ``sqlite:///path``: a SQLite file (``folder/jobs.db`` by default);
        ``redis://host:port/db``: Redis; ``memory://``: this process only (tests)."""
        if not url:
            path = Path(folder) / "jobs.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(SqliteHuey(name, filename=str(path), results=False), f"sqlite {path}")
        scheme = urlparse(url).scheme
        if scheme in ("redis", "rediss", "unix"):
            return cls(RedisHuey(name, url=url, results=False), f"redis {mask_url(url)}")
        if scheme == "sqlite":  # as SQLAlchemy: sqlite:///relative or sqlite:////absolute
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(SqliteHuey(name, filename=str(path), results=False), f"sqlite {path}")
        if scheme == "memory":
            return cls(MemoryHuey(name, results=False), "memory")
        raise ConfigError(
            f"jobs URL {mask_url(url)!r} is not supported",
            hint="use redis://host:6379/0, sqlite:///path/jobs.db, or leave it unset (embedded)",
            said=Message(N_("error.jobs.queue_url"), {"url": mask_url(url)}),
        )

    def bind(self, run: Callable[[str], object]) -> None:
        """Register the task that calls ``run(job_id)``; needed to enqueue and to work."""
        self._run = run

        def run_job(job_id: str) -> None:
            run(job_id)

        self._task = self._huey.task(name=TASK_NAME)(run_job)

    def enqueue(self, job_id: str) -> None:
        """Send ``job_id`` to a worker; raises ``ConnectionError`` if the queue is down."""
        if self._task is None:
            raise RuntimeError("bind the queue to a runner before enqueueing")
        try:
            self._task(job_id)
        except (OSError, ConnectionError) as exc:
            raise ConnectionError(
                f"the job queue ({self.description}) is unavailable: {exc}"
            ) from exc
        except Exception as exc:  # redis raises its own ConnectionError, not a subclass
            if type(exc).__module__.startswith("redis"):
                raise ConnectionError(
                    f"the job queue ({self.description}) is unavailable: {exc}"
                ) from exc
            raise

    def pending(self) -> int:
        """How many messages wait in the queue."""
        return int(self._huey.pending_count())

    def work_one(self) -> bool:
        """Take one message and run it; ``False`` if the queue was empty."""
        task = self._huey.dequeue()
        if task is None:
            return False
        self._huey.execute(task)
        return True

    def flush(self) -> None:
        """Drop every waiting message (tests)."""
        self._huey.flush()
