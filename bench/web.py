"""Web service benchmarks: the real ``entrepot serve`` in its own process, driven over
loopback from this one.

Run: ``python -m bench.web [--quick] [--only CASE ...]``; writes ``bench/results/web.md``.
Cases (``--only`` names them: ``peer``, ``latency``, ``memory``, ``training``):

- **metadata latency under load**: open-loop requests at a fixed rate (each request is
  timed from when it was due, so a slow server cannot hide its queue) on a mix of
  ``GET /api/datasets``, ``/api/models``, ``/api/jobs/{id}``, ``/api/me``; p50/p99 per
  rate, errors counted;
- **memory while uploading a 1 GB CSV** (200 MB with ``--quick``): the server's peak RSS
  during the upload (``VmHWM``, reset just before) minus its RSS before; the target is
  under 100 MB of growth, whatever the file's size;
- **against a peer**: ``GET /api/models`` with a bearer token, closed loop, ours and a
  minimal FastAPI + SQLAlchemy service (``bench/web_peer.py``) over the same catalog in
  turns: requests/s and CPU per request;
- **upload to trained model** on a 100,000-row dataset (20,000 with ``--quick``): upload,
  wait in the queue, train (budget stated), ready in the registry.

The server runs on the embedded defaults (local store, SQLite, in-process worker).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from bench._servers import entrepot, free_port, serving, wait_until_answering
from entrepot.fraud.synth.generator import generate

RESULTS = Path(__file__).parent / "results"
PASSWORD = "benchmark passphrase"
MB = 1000 * 1000
CASES = ("peer", "latency", "memory", "training")


class Server:
    """``entrepot serve`` in its own process, in its own folder."""

    def __init__(self, folder: Path, budget: float) -> None:
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
        self.env.update({"ENTREPOT_TRAINING_BUDGET": str(budget), "ENTREPOT_REFERENCE_COUNT": "0"})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str = "") -> str:
        return entrepot(self.folder, self.env, *args, stdin=stdin)

    @contextmanager
    def running(self) -> Iterator[Server]:
        args = ("--log-level", "warning")
        with serving(self.folder, self.env, self.port, *args, tries=600) as self.process:
            yield self

    def rss(self, field: str = "VmRSS") -> int:
        """Resident memory of the server (``VmRSS``, or the peak ``VmHWM``) in bytes."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no {field} for {self.process.pid}")

    def reset_peak(self) -> None:
        """Start the peak RSS (``VmHWM``) afresh from the current RSS."""
        assert self.process is not None
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Connection:
    """One keep-alive HTTP/1.1 connection, as cheap as a client can be: the load
    generator must not be what saturates a 2-core machine."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status


async def load(
    url: str, paths: list[str], headers: dict[str, str], rate: float, seconds: float
) -> tuple[list[float], int]:
    """Open-loop: one request every ``1/rate`` s for ``seconds``, on a pool of keep-alive
    connections; each latency counts from when the request was due (queueing included)."""
    host, port = url.removeprefix("http://").split(":")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = [f"GET {p} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() for p in paths]
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(Connection(*await asyncio.open_connection(host, int(port))))
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    total = int(rate * seconds)

    async def one(i: int) -> None:
        nonlocal errors
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        connection = await pool.get()
        try:
            if await connection.get(requests[i % len(requests)]) != 200:
                errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            connection = Connection(*await asyncio.open_connection(host, int(port)))
        latencies.append(time.perf_counter() - due)
        pool.put_nowait(connection)

    await asyncio.gather(*(one(i) for i in range(total)))
    while not pool.empty():
        pool.get_nowait().writer.close()
    return latencies, errors


async def closed_loop(
    url: str, path: str, headers: dict[str, str], connections: int, seconds: float
) -> tuple[int, int]:
    """Closed loop: ``connections`` keep-alive clients each sending the next request as soon
    as the last is answered, for ``seconds``; how many were answered, how many not 200."""
    host, port = url.removeprefix("http://").split(":")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()
    end = time.perf_counter() + seconds
    done, errors = 0, 0

    async def client() -> None:
        nonlocal done, errors
        connection = Connection(*await asyncio.open_connection(host, int(port)))
        while time.perf_counter() < end:
            if await connection.get(request) != 200:
                errors += 1
            done += 1
        connection.writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return done, errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def peer_running(database: Path) -> Iterator[tuple[str, int]]:
    """``bench.web_peer`` over the server's own catalog, under the same uvicorn."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.web_peer", f"sqlite:///{database}", str(port)],
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url + "/api/models")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def against_peer(server: Server, headers: dict[str, str], seconds: float, rounds: int) -> list[str]:
    """``GET /api/models`` with a bearer token, ours and the peer's in turns."""
    assert server.process is not None
    database = server.folder / "var" / "entrepot.db"
    rates: dict[str, list[float]] = {"ours": [], "peer": []}
    costs: dict[str, list[float]] = {"ours": [], "peer": []}
    with peer_running(database) as (peer_url, peer_pid):
        targets = {"ours": (server.url, server.process.pid), "peer": (peer_url, peer_pid)}
        for _ in range(rounds):
            for who, (url, pid) in targets.items():
                before = cpu_seconds(pid)
                done, errors = asyncio.run(closed_loop(url, "/api/models", headers, 8, seconds))
                assert errors == 0, f"{who}: {errors} errors"
                rates[who].append(done / seconds)
                costs[who].append((cpu_seconds(pid) - before) / done * 1000)
    ours, peer = statistics.median(rates["ours"]), statistics.median(rates["peer"])
    ours_ms, peer_ms = statistics.median(costs["ours"]), statistics.median(costs["peer"])
    return [
        "## Authenticated metadata GET against a minimal FastAPI + SQLAlchemy service",
        "",
        "`GET /api/models` with a bearer token, closed loop (8 keep-alive connections, "
        f"{seconds:.0f} s per turn, {rounds} turns each, ours and the peer alternating). The "
        "peer (`bench/web_peer.py`) reads the same catalog file under the same uvicorn: "
        "the token looked up by its sha256, the caller's ready versions listed, nothing "
        "else. CPU per request is the server process's user+system time over the answered "
        "requests: it does not depend on what else the machine runs.",
        "",
        "| service | requests/s | CPU per request | ratio (ours/peer) |",
        "|---|---:|---:|---:|",
        f"| Entrepôt | {ours:.0f} | {ours_ms:.2f} ms | {ours / peer:.2f} (CPU: "
        f"{peer_ms / ours_ms:.2f}) |",
        f"| peer | {peer:.0f} | {peer_ms:.2f} ms | 1.00 |",
        "",
    ]


def csv_block(rows: int, seed: int) -> bytes:
    data = generate("card_payments", rows, fraud_rate=0.02, seed=seed, variety=False)
    return data.frame.to_csv(index=False).encode()


def big_csv(path: Path, size: int) -> Path:
    """A CSV of about ``size`` bytes: one header, a generated block repeated."""
    block = csv_block(50_000, 1)
    header, _, body = block.partition(b"\n")
    with path.open("wb") as out:
        out.write(header + b"\n")
        written = len(header) + 1
        while written < size:
            out.write(body)
            written += len(body)
    return path


def stream(path: Path, boundary: str) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def upload(server: Server, headers: dict[str, str], path: Path) -> tuple[dict[str, Any], float]:
    boundary = "bench-boundary-3f1c"
    started = time.perf_counter()
    answer = httpx.post(
        server.url + "/api/upload",
        content=stream(path, boundary),
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=3600,
    )
    answer.raise_for_status()
    return answer.json(), time.perf_counter() - started


def wait_job(server: Server, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = httpx.get(f"{server.url}/api/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)


def latency(
    server: Server, headers: dict[str, str], paths: list[str], rates: tuple[int, ...], seconds: int
) -> list[str]:
    """Open-loop metadata GETs at each rate: p50, p90, p99 and max latency."""
    lines = [
        "## Metadata latency under load",
        "",
        f"Open-loop GETs on {', '.join(paths[:2])}, `/api/jobs/{{id}}`, `/api/me` "
        f"(20 datasets, 1 model), {seconds} s per rate, from a second process "
        "over loopback (32 keep-alive connections); latency counted from when each "
        "request was due. Machine load: the 1-minute load average after the run "
        "(2 cores shared with other work: above 2, requests waited for a CPU).",
        "",
        "| rate (req/s) | requests | errors | p50 | p90 | p99 | max | machine load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rate in rates:
        latencies, errors = asyncio.run(load(server.url, paths, headers, rate, seconds))
        ms = [v * 1000 for v in latencies]
        row = (
            f"| {rate} | {len(ms)} | {errors} | {percentile(ms, 0.5):.1f} ms | "
            f"{percentile(ms, 0.9):.1f} ms | {percentile(ms, 0.99):.1f} ms | "
            f"{max(ms):.1f} ms | {os.getloadavg()[0]:.1f} |"
        )
        print(row, flush=True)
        lines.append(row)
    return lines


def memory(server: Server, headers: dict[str, str], folder: Path, upload_size: int) -> list[str]:
    """The server's RSS growth while a large CSV is uploaded."""
    big = big_csv(folder / "big.csv", upload_size)
    size = big.stat().st_size
    before = server.rss()
    server.reset_peak()
    body, seconds_up = upload(server, headers, big)
    peak = server.rss("VmHWM")
    growth = (peak - before) / MB
    lines = [
        "",
        "## Memory while uploading",
        "",
        "| file | upload + analysis | server RSS before | peak during | growth | target |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {size / MB:,.0f} MB CSV ({body['dataset']['rows']:,} rows) | "
        f"{seconds_up:.1f} s ({size / MB / seconds_up:.0f} MB/s) | "
        f"{before / MB:.0f} MB | {peak / MB:.0f} MB | {growth:.0f} MB | "
        f"< 100 MB: {'met' if growth < 100 else 'NOT met'} |",
    ]
    print(lines[-1], flush=True)
    big.unlink()
    return lines


def training(
    server: Server, headers: dict[str, str], folder: Path, train_rows: int, budget: float
) -> list[str]:
    """Upload a training set, train on it, wait until the model is ready."""
    train_csv = folder / "train.csv"
    train_csv.write_bytes(csv_block(train_rows, 3))
    began = time.perf_counter()
    body, seconds_up = upload(server, headers, train_csv)
    job = httpx.post(
        server.url + "/api/train",
        headers=headers,
        json={"dataset_id": body["dataset_id"], "model_name": "bench"},
    ).json()
    done = wait_job(server, headers, job["job_id"])
    finished = time.perf_counter()
    started = datetime.fromisoformat(done["started_at"])
    created = datetime.fromisoformat(done["created_at"])
    ended = datetime.fromisoformat(done["finished_at"])
    metrics = done["result"].get("metrics", {})
    lines = [
        "",
        "## Upload to trained model",
        "",
        "| rows | file | upload + analysis | queue wait | training job | total | "
        "search budget | test AUPRC |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {train_rows:,} | {train_csv.stat().st_size / MB:.1f} MB | "
        f"{seconds_up:.1f} s | {(started - created).total_seconds():.1f} s | "
        f"{(ended - started).total_seconds():.1f} s | {finished - began:.1f} s | "
        f"{budget:.0f} s | {metrics.get('auprc', float('nan')):.3f} |",
    ]
    print(lines[-1], flush=True)
    assert done["state"] == "succeeded", done
    return lines


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the folders on kill
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter loads")
    parser.add_argument(
        "--only",
        action="append",
        choices=CASES,
        help="run only this case (repeat for more); all of them by default",
    )
    args = parser.parse_args()
    quick = args.quick
    cases = set(args.only or CASES)
    upload_size = (200 if quick else 1000) * MB
    train_rows = 20_000 if quick else 100_000
    budget = 10.0 if quick else 30.0
    rates = (50, 200) if quick else (25, 50, 100, 200)
    seconds = 8 if quick else 20
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="entrepot-bench-web-") as tmp:
        folder = Path(tmp)
        server = Server(folder, budget)
        server.cli("users", "create", "bench@example.com", "--password-stdin", stdin=PASSWORD)
        server.cli("users", "licence", "bench@example.com", "--plan", "enterprise")
        token = server.cli("users", "token", "bench@example.com").strip()
        headers = {"Authorization": f"Bearer {token}"}
        with server.running():
            sample = folder / "sample.csv"
            sample.write_bytes(csv_block(2_000, 2))
            for _ in range(20):
                upload(server, headers, sample)
            train = httpx.post(
                server.url + "/api/train",
                headers=headers,
                json={
                    "dataset_id": upload(server, headers, sample)[0]["dataset_id"],
                    "model_name": "warm",
                },
            )
            job_id = train.json()["job_id"]
            wait_job(server, headers, job_id)
            paths = ["/api/datasets", "/api/models", f"/api/jobs/{job_id}", "/api/me"]
            asyncio.run(load(server.url, paths, headers, 20, 3))  # warm-up, not counted
            if "peer" in cases:
                lines += against_peer(server, headers, 5 if quick else 10, 2 if quick else 3)
                print("\n".join(lines), flush=True)
            if "latency" in cases:
                lines += latency(server, headers, paths, rates, seconds)
            if "memory" in cases:
                lines += memory(server, headers, folder, upload_size)
            if "training" in cases:
                lines += training(server, headers, folder, train_rows, budget)

    versions = ", ".join(
        f"{p} {metadata.version(p)}"
        for p in ("fastapi", "uvicorn", "sqlalchemy", "huey", "lightgbm")
    )
    header = [
        "# Web service benchmarks",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m bench.web"
        f"{' --quick' if quick else ''}` on {platform.machine()}, {os.cpu_count()} cores "
        f"(shared), Python {platform.python_version()}; {versions}. The server is "
        "`entrepot serve` on the embedded defaults (local store, SQLite, embedded queue, "
        "job worker in the process) in its own process; the load comes from another.",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web.md").write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS / 'web.md'}")


if __name__ == "__main__":
    main()
