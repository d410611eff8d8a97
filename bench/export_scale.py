#!/usr/bin/env python3
"""The export at scale: time to the first byte, total time and the worker's peak memory for
`/v1/export` (JSON and ZIP), and what 100 concurrent downloads of a new data version cost.

    .venv/bin/python bench/export_scale.py --factors 100,1000
    .venv/bin/python bench/export_scale.py --factors 1000 --database-url postgresql+psycopg://u:p@localhost/db

For each factor it builds a database as bench/scale.py does (real migrations, seed, and
`coalition-monitor import` of a bench/scale_data.py file), starts the service (uvicorn, one
worker, settings as deployed: response cache on) and measures, in this order:

- the first download of each representation (it generates the export and stores it),
- a second download (read from the store),
- after a write (a new data version): 100 concurrent JSON downloads, and how many
  generations they caused (`export_generations_total` on /metrics).

The worker's resident memory is sampled every 10 ms from /proc while each step runs; the peak
(`VmHWM`) is also read at the end. Targets at 1000x: first byte < 1 s, RSS < 300 MiB.
"""

import argparse
import concurrent.futures
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale

CONCURRENT = 100


def _rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssPeak:
    """The largest resident set of `pid` seen while the block runs (sampled every 10 ms)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()

    def __enter__(self) -> "RssPeak":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, _rss_mib(self.pid))
            time.sleep(0.01)

    def __exit__(self, *_) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib(self.pid))


def download(path: str, headers: dict[str, str] | None = None) -> dict[str, float]:
    """Time to the first body byte, total time and size of one download."""
    connection = http.client.HTTPConnection(scale.HOST, scale.PORT, timeout=600)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        assert response.status == 200, (path, response.status, response.read(300))
        first = response.read(1)
        first_byte = time.perf_counter() - started
        size = len(first)
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return {
            "first_byte_s": first_byte,
            "total_s": time.perf_counter() - started,
            "mib": size / 2**20,
        }
    finally:
        connection.close()


def generations() -> float:
    _, _, body, _ = scale.request("GET", "/metrics")
    return sum(
        float(line.split()[-1])
        for line in body.decode().splitlines()
        if line.startswith("export_generations_total{")
    )


def write(key: str) -> None:
    body = json.dumps({"asOf": "2022-03-01", "text": f"Exportschaaltest {time.time()}"}).encode()
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    status, _, answer, _ = scale.request("POST", "/v1/goals/C4/statuses", auth, body)
    assert status == 201, answer[:300]


def measure(pid: int, key: str) -> dict:
    result: dict = {}
    for name, path in (("json", "/v1/export"), ("zip", "/v1/export?format=zip")):
        for attempt in ("first", "stored"):
            with RssPeak(pid) as rss:
                timing = download(path)
            result[f"{name} {attempt}"] = timing | {"rss_peak_mib": rss.peak}
    write(key)
    before = generations()
    with RssPeak(pid) as rss:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            timings = list(pool.map(lambda _: download("/v1/export"), range(CONCURRENT)))
        elapsed = time.perf_counter() - started
    first_bytes = sorted(timing["first_byte_s"] for timing in timings)
    result[f"{CONCURRENT} concurrent json (first byte: median / slowest)"] = {
        "first_byte_s": first_bytes[len(first_bytes) // 2],
        "slowest_first_byte_s": first_bytes[-1],
        "total_s": elapsed,
        "mib": timings[0]["mib"],
        "rss_peak_mib": rss.peak,
        "generations": generations() - before,
    }
    result["worker VmHWM (MiB)"] = _rss_mib(pid, "VmHWM")
    return result


def measure_factor(factor: int, arguments: argparse.Namespace, workdir: Path) -> dict:
    url = scale.database_for(factor, arguments.database_url, workdir)
    env = dict(
        scale.os.environ,
        DATABASE_URL=url,
        REQUEST_LOG="false",
        LOG_LEVEL="warning",
        WRITE_RATE_LIMIT="1000000/minute",
    )
    try:
        build = scale.build(factor, env, workdir)
        key = scale.cli(env, "keys", "create", "--name", f"export-{factor}").split()[-1]
        service = scale.start_service(env)
        try:
            return {"build": build, "idle_rss_mib": _rss_mib(service.pid)} | measure(
                service.pid, key
            )
        finally:
            scale.stop(service)
    finally:
        scale.drop_database(url, arguments.database_url)


def report(factor: int, result: dict) -> list[str]:
    lines = [
        f"#### {factor}x (idle worker {result['idle_rss_mib']:.0f} MiB, "
        f"worker peak VmHWM {result['worker VmHWM (MiB)']:.0f} MiB)",
        "",
        "| download | first byte (s) | total (s) | MiB | worker RSS peak (MiB) | generations |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in result.items():
        if not isinstance(row, dict) or "first_byte_s" not in row:
            continue
        first_byte = f"{row['first_byte_s']:.2f}"
        if "slowest_first_byte_s" in row:
            first_byte += f" / {row['slowest_first_byte_s']:.2f}"
        lines.append(
            f"| {name} | {first_byte} | {row['total_s']:.2f} | {row['mib']:.1f} "
            f"| {row['rss_peak_mib']:.0f} | {row.get('generations', '')} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", default="100,1000")
    parser.add_argument("--database-url", help="PostgreSQL database (default: SQLite files)")
    arguments = parser.parse_args()
    database = "PostgreSQL" if arguments.database_url else "SQLite"
    print(f"### {database}, `bench/export_scale.py --factors {arguments.factors}`\n")
    with tempfile.TemporaryDirectory() as directory:
        for factor in (int(text) for text in arguments.factors.split(",")):
            result = measure_factor(factor, arguments, Path(directory))
            print("\n".join(report(factor, result)) + "\n", flush=True)


if __name__ == "__main__":
    main()
