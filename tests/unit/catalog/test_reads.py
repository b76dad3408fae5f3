"""The read-only unit of work: one connection per block, its repositories only inside it,
nothing written (ADR 0079)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.reads import read_only, shared_reads


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    upgrade(engine)
    return engine


def test_the_repositories_live_inside_the_block_only(engine: Engine) -> None:
    reads = read_only(engine)()
    with pytest.raises(RuntimeError, match="with"):
        _ = reads.users
    with reads as catalog:
        assert catalog.users.matching("") == []
        assert catalog.models.summaries("") == ()
        assert catalog.locations.url_of("nowhere/x.csv") is None
        with pytest.raises(RuntimeError, match="already open"), reads:
            pass
    with pytest.raises(RuntimeError, match="with"):
        _ = reads.models


def test_nothing_written_in_a_read_block_is_kept(engine: Engine) -> None:
    with read_only(engine)() as catalog:
        connection = catalog.users._connection
        connection.execute(text("INSERT INTO stores (url) VALUES ('s3://kept-not')"))
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM stores")).scalar_one()
    assert count == 0


def test_the_read_only_unit_of_work_loads_no_orm() -> None:
    probe = (
        "import sys, entrepot.catalog.reads, entrepot.catalog.listings; "
        "print('sqlalchemy.orm' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_shared_reads_give_a_block_one_connection_and_close_it(engine: Engine) -> None:
    reads = read_only(engine)
    with shared_reads():
        with reads() as first:
            connection = first.users._connection
            assert first.users.matching("") == []
        assert not connection.closed  # kept for the block's next read
        with reads() as second:
            assert second.users._connection is connection
        with engine.begin() as writer:  # a write between two reads: the second sees it
            writer.execute(text("INSERT INTO stores (url) VALUES ('s3://seen')"))
        with reads() as third:
            found = third.users._connection.execute(text("SELECT url FROM stores"))
            assert found.scalars().all() == ["s3://seen"]
    assert connection.closed
    with reads() as alone, reads() as beside:  # outside a block: one connection each
        assert alone.users._connection is not beside.users._connection


def test_shared_reads_are_the_blocks_own(engine: Engine) -> None:
    """Another thread (another request's hop) never reads on a block's connection."""
    from concurrent.futures import ThreadPoolExecutor

    reads = read_only(engine)

    def connection_of_a_read() -> object:
        with reads() as catalog:
            return catalog.users._connection

    with shared_reads(), reads() as mine, ThreadPoolExecutor(1) as pool:
        assert pool.submit(connection_of_a_read).result() is not mine.users._connection
