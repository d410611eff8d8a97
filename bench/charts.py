#!/usr/bin/env python3
"""How long an SVG chart takes when nothing is cached.

    .venv/bin/python bench/charts.py [--rounds 15]

Builds a SQLite database with the real migrations and the seed, then measures, for every metric
chart (37) and every indicator chart (21):

- render: `metric_chart` / `indicator_chart` alone, on a view already read (the SVG writer);
- request: a GET over HTTP to uvicorn on 127.0.0.1 with the response cache off, so each request
  reads the database, renders and hashes the ETag (what a first visitor waits for).

Prints the median, p95 and max of each, the slowest chart's median, and whether the slowest
median request stays under the 20 ms target. Requests are sequential: one at a time. Server and
client run in this one process, so its CPU time per request is what the request costs whatever
else the machine runs (elapsed time also counts waiting for a core on a busy machine); the
same resources as JSON are measured alongside for comparison.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))
TARGET_MS = 20.0


def _summary(label: str, timings: dict[str, list[float]]) -> tuple[str, float]:
    every = sorted(t for series in timings.values() for t in series)
    medians = {code: statistics.median(series) for code, series in timings.items()}
    slowest = max(medians, key=medians.get)
    p95 = every[int(len(every) * 0.95) - 1]
    line = (
        f"| {label} | {len(timings)} | {statistics.median(every):.2f} | {p95:.2f} | "
        f"{every[-1]:.2f} | {slowest} {medians[slowest]:.2f} |"
    )
    return line, medians[slowest]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds

    import httpx
    from sqlmodel import Session, select

    from app import migrate
    from app.api.charts import ChartOptions, indicator_chart, metric_chart
    from app.core.config import Settings
    from app.db import get_engine
    from app.main import create_app
    from app.models import Indicator, Metric
    from app.seed import seed_database
    from app.services import indicators
    from tests.servers import running_server

    load_before = _load_average()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite:///{scratch}/bench.db",
            seed_dir=REPOSITORY / "seed",
            response_cache_enabled=False,
            log_level="WARNING",
        )
        engine = get_engine(settings)
        migrate.upgrade(engine)
        options = ChartOptions(640, 360, "nl")
        render: dict[str, list[float]] = {}
        with Session(engine) as session:
            seed_database(session, settings.seed_dir)
            metric_codes = list(session.exec(select(Metric.code).order_by(Metric.code)))
            indicator_codes = list(session.exec(select(Indicator.code).order_by(Indicator.code)))
            for code in metric_codes:
                view = indicators.get_metric(session, code, year=None)
                render[f"metric {code}"] = _timed(lambda v=view: metric_chart(v, options), rounds)
            for code in indicator_codes:
                view = indicators.get_indicator(session, code, year=None)
                render[f"indicator {code}"] = _timed(
                    lambda v=view: indicator_chart(v, options), rounds
                )
        paths = [f"/v1/metrics/{code}/chart.svg" for code in metric_codes] + [
            f"/v1/indicators/{code}/chart.svg" for code in indicator_codes
        ]
        # The same resources as JSON: what the machine's uncached reads cost without a chart.
        references = [f"/v1/metrics/{code}" for code in metric_codes] + [
            f"/v1/indicators/{code}" for code in indicator_codes
        ]
        paths += references
        requests: dict[str, list[float]] = {path: [] for path in paths}
        cpu: dict[str, list[float]] = {path: [] for path in paths}
        server = running_server(create_app(settings), access_log=False)
        with server as base_url, httpx.Client(base_url=base_url) as client:
            for path in paths:  # warm-up: imports, connection, prepared statements
                assert client.get(path).status_code == 200, path
            for _ in range(rounds):
                for path in paths:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    requests[path].append((time.perf_counter() - started) * 1000)
                    cpu[path].append((time.process_time() - started_cpu) * 1000)
                    assert response.status_code == 200, path
                    assert "etag" in response.headers
        engine.dispose()

    print(f"machine: {platform.platform()}; python {platform.python_version()}")
    print(f"load average before and after: {load_before}, {_load_average()}")
    print(f"{rounds} rounds; 640 x 360; response cache off; one request at a time\n")
    print("| what | charts | median ms | p95 ms | max ms | slowest chart, median ms |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    render_line, _ = _summary("render only (SVG writer)", render)
    charts = {path: t for path, t in requests.items() if path not in references}
    request_line, slowest_wall = _summary("uncached GET of the chart over HTTP", charts)
    cpu_line, slowest = _summary(
        "the same requests, CPU time of client and server",
        {path: t for path, t in cpu.items() if path not in references},
    )
    json_line, _ = _summary(
        "for comparison: uncached GET of the same resource as JSON",
        {path: requests[path] for path in references},
    )
    print(render_line)
    print(request_line)
    print(cpu_line)
    print(json_line)
    print()
    for label, value in (("elapsed", slowest_wall), ("CPU time", slowest)):
        verdict = "yes" if value < TARGET_MS else "NO"
        print(f"slowest chart's median, {label}: {value:.2f} ms < {TARGET_MS:.0f} ms: {verdict}")


def _load_average() -> str:
    # Other processes share the cores: a busy machine shows in every request time.
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _timed(function, rounds: int) -> list[float]:
    function()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


if __name__ == "__main__":
    main()
