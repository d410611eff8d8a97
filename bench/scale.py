#!/usr/bin/env python3
"""What grows with the data: the service at 1x, 10x, 100x and 1000x the seed, on SQLite or
PostgreSQL.

    .venv/bin/python bench/scale.py                                  # SQLite, 1/10/100/1000x
    .venv/bin/python bench/scale.py --database-url postgresql+psycopg://u:p@localhost/db
    .venv/bin/python bench/scale.py --factors 1,100 --check          # the CI variant

For each factor it builds a database with the real migrations and seed, imports a file from
bench/scale_data.py with `coalition-monitor import` (timed, with its peak memory), starts the
service (uvicorn, one worker, response cache off, so every read is computed) and takes the
median of uncached requests: page-bound reads, the export, searches, and the two writes. With
--check it exits 1 when a checked request (a read answering the same amount at every size, or
a write) at the largest factor takes more than twice as long as at 1x (and at least 3 ms more:
below that, a median of a few milliseconds is scheduler noise on a 2-core machine). On
PostgreSQL each factor gets a schema of its own in the given database, dropped afterwards.
All traffic stays on 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPOSITORY = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "18180"))
GROWTH_LIMIT = 2.0
NOISE_FLOOR_MS = 3.0

# (name, path, checked?) Checked requests answer the same amount at every size (the page sizes
# are those of the 1x answers), so only the cost of finding it can grow. The others are
# measured and recorded: the export grows with the data by definition, an indicator embeds up
# to 100 figures per metric (few at 1x), and a search ranks every hit of its words (a known
# limit, see bench/RESULTS.md).
READS = [
    ("goals?perspective=C", "/v1/goals?perspective=C", True),
    ("goals/C4", "/v1/goals/C4", True),
    ("goals/C4/statuses?pageSize=1", "/v1/goals/C4/statuses?pageSize=1", True),
    ("metrics/M5.1/measurements?pageSize=2", "/v1/metrics/M5.1/measurements?pageSize=2", True),
    (
        "measurements?yearFrom=2015&yearTo=2018&pageSize=20",
        "/v1/measurements?yearFrom=2015&yearTo=2018&pageSize=20",
        True,
    ),
    ("indicators/M5", "/v1/indicators/M5", False),
    ("search?q=klimaat", "/v1/search?q=klimaat", False),
    ("search?q=raad", "/v1/search?q=raad", False),
    ("export", "/v1/export", False),
]


def database_for(factor: int, base_url: str | None, workdir: Path) -> str:
    if base_url is None:
        return f"sqlite:///{workdir / f'scale-{factor}.db'}"
    schema = f"bench_scale_{factor}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_database(url: str, base_url: str | None) -> None:
    if base_url is None:
        return
    schema = make_url(url).query["options"].removeprefix("-csearch_path=")
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def cli(env: dict[str, str], *arguments: str) -> str:
    return subprocess.run(
        [str(VENV_BIN / "coalition-monitor"), *arguments],
        check=True,
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    ).stdout


def build(factor: int, env: dict[str, str], workdir: Path) -> dict[str, float]:
    """Migrate, seed and import the factor's file; the import's time and peak memory."""
    cli(env, "migrate")
    cli(env, "seed")
    if factor == 1:
        return {}
    data = workdir / f"scale-{factor}.json"
    subprocess.run(
        [
            *(sys.executable, str(REPOSITORY / "bench" / "scale_data.py")),
            *("--factor", str(factor), "--output", str(data)),
        ],
        check=True,
    )
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli(env, "import", "--quiet", str(data))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data.unlink()
    return {
        "import_s": time.perf_counter() - started,
        "import_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        # ru_maxrss of children is the largest child so far, in KiB.
        "import_peak_mib": after.ru_maxrss / 1024,
    }


def start_service(env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            *(str(VENV_BIN / "uvicorn"), "app.main:app", "--host", HOST, "--port", str(PORT)),
            *("--no-access-log", "--log-level", "warning"),
        ],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request("GET", "/readyz")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.05)
    stop(process)
    sys.exit("the service did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def request(method: str, path: str, headers=None, body=None) -> tuple[int, dict, bytes, float]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=300)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload, elapsed
    finally:
        connection.close()


def median_ms(path: str, samples: int) -> tuple[float, int]:
    timings, size = [], 0
    for _ in range(samples):
        status, _, body, elapsed = request("GET", path)
        assert status == 200, (path, status, body[:300])
        timings.append(elapsed)
        size = len(body)
    return statistics.median(timings) * 1000, size


def write_medians(key: str, samples: int) -> dict[str, float]:
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    posts, puts = [], []
    # A period of its own: the generated figures make every seeded period hold many sources.
    url = "/v1/metrics/M5.1/measurements/" + quote("2099")
    body = json.dumps({"value": 1, "valueText": "1", "status": "final"}).encode()
    status, _, answer, _ = request("PUT", url, auth | {"If-None-Match": "*"}, body)
    assert status == 201, answer[:300]
    for round_number in range(samples):
        body = json.dumps(
            {"asOf": "2022-03-01", "text": f"Schaaltest schrijven {time.time()} {round_number}"}
        ).encode()
        status, _, answer, elapsed = request("POST", "/v1/goals/C4/statuses", auth, body)
        assert status == 201, answer[:300]
        posts.append(elapsed)
        _, headers, _, _ = request("GET", url)
        value = 1000 + round_number
        body = json.dumps({"value": value, "valueText": str(value), "status": "final"}).encode()
        status, _, answer, elapsed = request("PUT", url, auth | {"If-Match": headers["etag"]}, body)
        assert status == 200, answer[:300]
        puts.append(elapsed)
    return {
        "POST goals/C4/statuses": statistics.median(posts) * 1000,
        "PUT metrics/M5.1/measurements/2099": statistics.median(puts) * 1000,
    }


def measure_factor(factor: int, arguments: argparse.Namespace, workdir: Path) -> dict:
    url = database_for(factor, arguments.database_url, workdir)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        REQUEST_LOG="false",
        LOG_LEVEL="warning",
        RESPONSE_CACHE_ENABLED="false",
        WRITE_RATE_LIMIT="1000000/minute",
    )
    try:
        result = {"build": build(factor, env, workdir), "reads": {}, "sizes": {}}
        key = cli(env, "keys", "create", "--name", f"scale-{factor}").split()[-1]
        service = start_service(env)
        try:
            for name, path, _ in READS:
                samples = arguments.export_samples if name == "export" else arguments.samples
                median, size = median_ms(path, samples)
                result["reads"][name], result["sizes"][name] = median, size
            result["writes"] = write_medians(key, arguments.samples)
        finally:
            stop(service)
        return result
    finally:
        drop_database(url, arguments.database_url)


def table(factors: list[int], results: dict[int, dict]) -> list[str]:
    header = "| request (uncached, median ms) | " + " | ".join(f"{f}x" for f in factors) + " |"
    lines = [header, "| --- |" + " ---: |" * len(factors)]
    for name, _, _ in READS:
        cells = [
            f"{results[f]['reads'][name]:.1f} ({results[f]['sizes'][name] / 1024:.0f} KiB)"
            for f in factors
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name in results[factors[0]]["writes"]:
        cells = [f"{results[f]['writes'][name]:.1f}" for f in factors]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for key, label in (
        ("import_s", "import of the file, s"),
        ("import_cpu_s", "import CPU time, s"),
        ("import_peak_mib", "import peak RSS, MiB"),
    ):
        cells = [
            f"{results[f]['build'][key]:.1f}" if key in results[f]["build"] else "–"
            for f in factors
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def growth_failures(factors: list[int], results: dict[int, dict]) -> list[str]:
    first, last = results[factors[0]], results[factors[-1]]
    failures = []
    page_bound = [name for name, _, bound in READS if bound]
    for name in page_bound:
        before, after = first["reads"][name], last["reads"][name]
        if after > GROWTH_LIMIT * before and after - before > NOISE_FLOOR_MS:
            failures.append(f"{name}: {before:.1f} ms at 1x, {after:.1f} ms at {factors[-1]}x")
    for name, before in first["writes"].items():
        after = last["writes"][name]
        if after > GROWTH_LIMIT * before and after - before > NOISE_FLOOR_MS:
            failures.append(f"{name}: {before:.1f} ms at 1x, {after:.1f} ms at {factors[-1]}x")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", default="1,10,100,1000")
    parser.add_argument("--database-url", help="PostgreSQL database (default: SQLite files)")
    parser.add_argument("--samples", type=int, default=21)
    parser.add_argument("--export-samples", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="fail when page-bound reads grow")
    parser.add_argument("--output", type=Path, help="also write the report (markdown) here")
    arguments = parser.parse_args()
    factors = [int(factor) for factor in arguments.factors.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="coalition-scale-"))
    results = {}
    for factor in factors:
        print(f"== {factor}x", flush=True)
        results[factor] = measure_factor(factor, arguments, workdir)
    database = "PostgreSQL" if arguments.database_url else "SQLite"
    lines = [f"database: {database}; service: uvicorn, 1 worker, response cache off", ""]
    lines += table(factors, results)
    failures = growth_failures(factors, results) if arguments.check else []
    if arguments.check:
        lines += ["", "SCALE CHECK FAILED:" if failures else "SCALE CHECK PASSED", *failures]
    text = "\n".join(lines)
    print(text, flush=True)
    if arguments.output:
        arguments.output.write_text(text + "\n")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
