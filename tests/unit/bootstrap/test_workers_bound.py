"""The pool a command opens refuses more than ``MAX_WORKERS`` workers before it starts a
local cluster or reaches a scheduler: whatever calls it (a command, a job, a script), not
only the command line's own range."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest

from entrepot.bootstrap import cluster
from entrepot.bootstrap.worker_count import MAX_WORKERS
from entrepot.errors import InvalidArgument
from entrepot.i18n.messages import english, speaker


@pytest.mark.parametrize("url", [None, "tcp://127.0.0.1:9"])  # no scheduler there
def test_more_workers_than_the_bound_is_refused_before_any_start(
    monkeypatch: pytest.MonkeyPatch, url: str | None
) -> None:
    @contextmanager
    def no_server(*_args: Any) -> Any:
        raise AssertionError("a fork server was started")
        yield

    monkeypatch.setattr(cluster, "fork_server", no_server)
    monkeypatch.setattr(cluster, "connect", lambda _url: pytest.fail("a scheduler was reached"))
    with pytest.raises(InvalidArgument) as refused, cluster.dask_pool(url, MAX_WORKERS + 1):
        pass
    said = refused.value.said
    assert said is not None and said.key == "error.dask.too_many_workers"
    assert said.params == {"workers": MAX_WORKERS + 1, "most": MAX_WORKERS}
    assert f"--workers {MAX_WORKERS} or fewer" in english(said)
    assert f"--workers {MAX_WORKERS} ou moins" in speaker("fr")(said)


def test_one_worker_starts_nothing_and_the_bound_leaves_room_for_eight() -> None:
    # one worker is the process itself: nothing to start, whatever the bound
    with cluster.dask_pool(None, 1) as pool:
        assert pool is None
    assert MAX_WORKERS >= 8  # the identity checks run 8 workers
