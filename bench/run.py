#!/usr/bin/env python3
"""Benchmark the service against nginx serving the same bytes as static files.

    .venv/bin/python bench/run.py                    # the production setup (see README)
    .venv/bin/python bench/run.py --server uvicorn   # another candidate
    .venv/bin/python bench/run.py --soak --soak-seconds 180

It builds a SQLite database with the real migrations and the seed, starts the service with
production settings (several workers, no access log) on 127.0.0.1, fetches each endpoint once
and writes the exact response bytes under an nginx root, starts nginx on another local port,
then loads both with wrk (32 connections) and prints req/s, p50, p99 and the ratio to static.
It also measures a cold start (spawn to first answer), a cold (uncached) read of each endpoint,
and the resident memory of all workers. Needs the Debian packages nginx and wrk (installed with
apt-get when missing and running as root). All traffic stays on the loopback interface; every
load run is bounded in time and stops by itself.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# BENCH_PORT moves the service (and nginx, one port up) when 18080 is taken.
APP_PORT = int(os.environ.get("BENCH_PORT", "18080"))
STATIC_PORT = APP_PORT + 1
CONNECTIONS = 32
WRK_THREADS = 1
WARM_UP_SECONDS = 2

# (name, URL on the service, static file name, extra request headers)
ENDPOINTS = [
    ("goals?perspective=C", "/v1/goals?perspective=C", "goals-C.json", {}),
    ("indicators/M5", "/v1/indicators/M5", "indicator-M5.json", {}),
    ("measurements?year=2020", "/v1/measurements?year=2020", "measurements-2020.json", {}),
    (
        "measurements?year=2020 (CSV)",
        "/v1/measurements?year=2020",
        "measurements-2020.csv",
        {"Accept": "text/csv"},
    ),
]
# The 304 runs revalidate these: a small and the largest document.
REVALIDATED = ("indicators/M5", "goals?perspective=C")
TARGETS = {
    "ratio": 0.25,  # cached reads: at least this share of the static server's req/s
    "p99_ms": 10.0,  # cached reads
    "cold_ms": 20.0,  # an uncached read
    "cold_start_s": 1.5,
    "memory_mib": 200.0,  # resident memory of all workers
}


def ensure_tools() -> None:
    missing = [tool for tool in ("nginx", "wrk") if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"Install the Debian packages {' '.join(missing)} first (apt-get install).")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *missing],
        check=True,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )


def prepare_database(workdir: Path, database_url: str | None) -> dict[str, str]:
    """Migrate and seed the database (by default a new SQLite file); the environment to run
    the service with."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.db'}",
        SEED_DIR=str(REPOSITORY / "seed"),
        REQUEST_LOG="false",
        LOG_LEVEL="warning",
        # The soak writes as fast as it can; production keeps the default.
        WRITE_RATE_LIMIT="1000000/minute",
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "prometheus"),
        # As `coalition-monitor serve --workers N` sets it (app/cli.py).
        MALLOC_ARENA_MAX=os.environ.get("MALLOC_ARENA_MAX", "2"),
    )
    (workdir / "prometheus").mkdir()
    cli = str(VENV_BIN / "coalition-monitor")
    subprocess.run([cli, "migrate"], check=True, env=env, cwd=REPOSITORY, capture_output=True)
    subprocess.run([cli, "seed"], check=True, env=env, cwd=REPOSITORY, capture_output=True)
    return env


SERVERS = {
    "uvicorn": lambda workers: [
        str(VENV_BIN / "uvicorn"),
        "app.main:app",
        "--host",
        HOST,
        "--port",
        str(APP_PORT),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ],
    "uvicorn-asyncio-h11": lambda workers: [
        str(VENV_BIN / "uvicorn"),
        "app.main:app",
        "--host",
        HOST,
        "--port",
        str(APP_PORT),
        "--workers",
        str(workers),
        "--loop",
        "asyncio",
        "--http",
        "h11",
        "--no-access-log",
        "--log-level",
        "warning",
    ],
    "granian": lambda workers: [
        str(VENV_BIN / "granian"),
        "--interface",
        "asgi",
        "--host",
        HOST,
        "--port",
        str(APP_PORT),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--log-level",
        "warning",
        "app.main:app",
    ],
}


def start_service(server: str, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        SERVERS[server](workers),
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = started + 30
    while time.perf_counter() < deadline:
        try:
            status, _, _ = request("GET", ENDPOINTS[0][1])
            if status == 200:
                return process, time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    stop(process)
    sys.exit(f"{server} did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def request(
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    port: int = APP_PORT,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, url, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _process_tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def _memory_kib(pid: int, path: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree_rss_mib(root_pid: int) -> float:
    return sum(_memory_kib(pid, "status", "VmRSS") for pid in _process_tree(root_pid)) / 1024


def memory_report(root_pid: int) -> dict[str, float]:
    """RSS of the workers, of the whole tree (their parent included), and the tree's PSS.

    RSS counts a page shared by several processes (the server's Rust library, libpython) once
    per process; PSS divides it among them, so the PSS sum is what the service really occupies.
    """
    tree = _process_tree(root_pid)
    workers = [pid for pid in tree if pid != root_pid]
    rss = {pid: _memory_kib(pid, "status", "VmRSS") / 1024 for pid in tree}
    return {
        "workers": len(workers),
        "workers_rss": sum(rss[pid] for pid in workers),
        "tree_rss": sum(rss.values()),
        "tree_pss": sum(_memory_kib(pid, "smaps_rollup", "Pss") for pid in tree) / 1024,
    }


def start_nginx(workdir: Path) -> subprocess.Popen:
    root = workdir / "static"
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""
worker_processes auto;
daemon off;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ application/json json; text/csv csv; }}
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    server {{
        listen {HOST}:{STATIC_PORT};
        root {root};
    }}
}}
"""
    )
    process = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            if request("GET", "/" + ENDPOINTS[0][2], port=STATIC_PORT)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.01)
    stop(process)
    sys.exit("nginx did not start; see " + str(workdir / "nginx-error.log"))


_DURATION = re.compile(r"([\d.]+)(us|ms|s)")


def _seconds(text: str) -> float:
    value, unit = _DURATION.fullmatch(text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def wrk(url: str, headers: dict[str, str], seconds: int, port: int) -> dict[str, float]:
    """One wrk thread: it saturates nginx as well as two do here, and a second busy load thread
    on a 2-core machine preempts the servers under test, which shows as scheduler noise in p99
    (see bench/RESULTS.md)."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{url}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}(?:\.000)?%\s+(\S+)", output, re.M)
        result[f"p{percentile}"] = _seconds(match.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    result["errors"] = (int(errors.group(1)) if errors else 0) + (
        sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    )
    return result


def bump_data_version(env: dict[str, str]) -> None:
    """A write as any other process would do it: the next read of every endpoint is uncached."""
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database, timeout=10) as connection:
        connection.execute("UPDATE goal SET text = text WHERE code = 'A1'")


def cold_reads(env: dict[str, str], samples: int) -> dict[str, float]:
    """Median latency of a read that misses the cache (the data version moved before it)."""
    result = {}
    for name, url, _, headers in ENDPOINTS:
        timings = []
        for _ in range(samples):
            bump_data_version(env)
            connection = http.client.HTTPConnection(HOST, APP_PORT, timeout=10)
            connection.connect()
            started = time.perf_counter()
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            response.read()
            timings.append(time.perf_counter() - started)
            connection.close()
            assert response.status == 200, (url, response.status)
        result[name] = statistics.median(timings)
    return result


def measure(url: str, headers: dict[str, str], seconds: int, port: int) -> dict[str, float]:
    """A warm-up run (every worker's cache filled, connections and allocator settled), then the
    measured run; both servers get the same treatment."""
    wrk(url, headers, WARM_UP_SECONDS, port)
    return wrk(url, headers, seconds, port)


def load_runs(etags: dict[str, str | None], seconds: int) -> list[tuple[str, dict, dict]]:
    rows = []
    for name, url, filename, headers in ENDPOINTS:
        service_result = measure(url, headers, seconds, APP_PORT)
        static_result = measure("/" + filename, {}, seconds, STATIC_PORT)
        rows.append((name, service_result, static_result))
    for name in REVALIDATED:
        _, url, filename, headers = next(e for e in ENDPOINTS if e[0] == name)
        assert etags[name], f"{url} has no ETag"
        conditional = dict(headers, **{"If-None-Match": etags[name]})
        assert request("GET", url, conditional)[0] == 304
        _, static_headers, _ = request("GET", "/" + filename, port=STATIC_PORT)
        service_result = measure(url, conditional, seconds, APP_PORT)
        static_result = measure(
            "/" + filename, {"If-None-Match": static_headers["etag"]}, seconds, STATIC_PORT
        )
        rows.append((f"{name} 304 (If-None-Match)", service_result, static_result))
    return rows


def verdict(
    rows: list[tuple[str, dict, dict]],
    cold: dict[str, float],
    cold_start: float,
    memory: dict[str, float],
) -> list[str]:
    """The benchmark's targets, each with the measured value and whether it is met."""
    full = [(name, s, t) for name, s, t in rows if "304" not in name]
    ratio = min(s["rps"] / t["rps"] for _, s, t in full)
    p99 = max(s["p99"] for _, s, _ in full) * 1000
    slowest_cold = max(cold.values()) * 1000
    revalidations = []
    for name, service_result, _ in rows:
        if "304" in name:
            full_name = name.removesuffix(" 304 (If-None-Match)")
            full_rps = next(s["rps"] for n, s, _ in full if n == full_name)
            revalidations.append(service_result["rps"] / full_rps)
    checks = [
        ("cached reads, lowest ratio to static req/s", f"{ratio:.2f}", ratio >= TARGETS["ratio"]),
        ("cached reads, highest p99", f"{p99:.2f} ms", p99 < TARGETS["p99_ms"]),
        ("cold read, slowest median", f"{slowest_cold:.2f} ms", slowest_cold < TARGETS["cold_ms"]),
        (
            "304 req/s over full req/s of the same endpoint",
            ", ".join(f"{value:.2f}" for value in revalidations),
            # "At least as fast": within the run-to-run noise of wrk (a few per cent).
            min(revalidations) >= 0.97,
        ),
        ("cold start", f"{cold_start:.2f} s", cold_start < TARGETS["cold_start_s"]),
        (
            "resident memory of all workers",
            f"{memory['workers_rss']:.0f} MiB",
            memory["workers_rss"] < TARGETS["memory_mib"],
        ),
    ]
    lines = ["| target | measured | met |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {value} | {'yes' if met else 'NO'} |" for name, value, met in checks]
    return lines


def benchmark(arguments: argparse.Namespace, workdir: Path, env: dict[str, str]) -> str:
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    service, cold_start = start_service(arguments.server, arguments.workers, env)
    try:
        time.sleep(1)  # every worker up
        static_root = workdir / "static"
        static_root.mkdir()
        etags = {}
        for name, url, filename, headers in ENDPOINTS:
            status, response_headers, body = request("GET", url, headers)
            assert status == 200, (url, status, body[:200])
            (static_root / filename).write_bytes(body)
            etags[name] = response_headers.get("etag")
        cold = cold_reads(env, arguments.cold_samples)
        nginx = start_nginx(workdir)
        try:
            rows = load_runs(etags, arguments.seconds)
            memory = memory_report(service.pid)
        finally:
            stop(nginx)
    finally:
        stop(service)

    say(
        f"server: {arguments.server}, {arguments.workers} workers; wrk -t{WRK_THREADS} "
        f"-c{CONNECTIONS} -d{arguments.seconds}s after a {WARM_UP_SECONDS} s warm-up; "
        "static: nginx"
    )
    say()
    say("| endpoint | service req/s | p50 ms | p99 ms | static req/s | static p99 ms | ratio |")
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, service_result, static_result in rows:
        errors = service_result["errors"] + static_result["errors"]
        say(
            f"| {name} | {service_result['rps']:.0f} | {service_result['p50'] * 1000:.2f} | "
            f"{service_result['p99'] * 1000:.2f} | {static_result['rps']:.0f} | "
            f"{static_result['p99'] * 1000:.2f} | "
            f"{service_result['rps'] / static_result['rps']:.2f} |"
            + (f" ({errors} errors)" if errors else "")
        )
    say()
    say(f"| cold (uncached) read, median of {arguments.cold_samples} | ms |")
    say("| --- | ---: |")
    for name, seconds in cold.items():
        say(f"| {name} | {seconds * 1000:.2f} |")
    say()
    say(f"cold start to first answer: {cold_start:.2f} s")
    say(
        f"resident memory after the load: {memory['workers_rss']:.0f} MiB RSS in "
        f"{memory['workers']:.0f} workers; {memory['tree_rss']:.0f} MiB RSS with their parent; "
        f"{memory['tree_pss']:.0f} MiB PSS with their parent (shared pages counted once)"
    )
    say()
    for line in verdict(rows, cold, cold_start, memory):
        say(line)
    return "\n".join(lines)


def soak(arguments: argparse.Namespace, env: dict[str, str]) -> str:
    """Reads and writes at 32 connections for a few minutes: no errors, every acknowledged
    write readable afterwards, resident memory flat."""
    cli = str(VENV_BIN / "coalition-monitor")
    created = subprocess.run(
        [cli, "keys", "create", "--name", f"bench-{int(time.time())}"],
        check=True,
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    ).stdout.split()
    key = created[-1]
    service, _ = start_service(arguments.server, arguments.workers, env)
    goals = [
        item["code"] for item in json.loads(request("GET", "/v1/goals?pageSize=500")[2])["items"]
    ]
    reads = [url for _, url, _, _ in ENDPOINTS] + ["/v1/goals/C4", "/v1/perspectives"]
    acknowledged: list[tuple[str, str]] = []
    errors: list[str] = []
    counts = {"reads": 0, "writes": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + arguments.soak_seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        connection = http.client.HTTPConnection(HOST, APP_PORT, timeout=30)
        sequence = 0
        while time.monotonic() < deadline:
            try:
                if rng.random() < 0.1:
                    sequence += 1
                    goal = rng.choice(goals)
                    text = f"Soak test write {number}-{sequence}."
                    body = json.dumps({"asOf": "2022-06-30", "text": text}).encode()
                    connection.request(
                        "POST",
                        f"/v1/goals/{goal}/statuses",
                        body=body,
                        headers={
                            "Authorization": f"Bearer {key}",
                            "Content-Type": "application/json",
                        },
                    )
                    response = connection.getresponse()
                    response.read()
                    with lock:
                        counts["writes"] += 1
                        if response.status == 201:
                            acknowledged.append((goal, text))
                        else:
                            errors.append(f"POST {goal}: {response.status}")
                else:
                    url = rng.choice(reads)
                    connection.request("GET", url)
                    response = connection.getresponse()
                    response.read()
                    with lock:
                        counts["reads"] += 1
                        if response.status != 200:
                            errors.append(f"GET {url}: {response.status}")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, APP_PORT, timeout=30)
        connection.close()

    rss_samples: list[float] = []
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    try:
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            time.sleep(min(10, max(0.1, deadline - time.monotonic())))
            rss_samples.append(process_tree_rss_mib(service.pid))
        for thread in threads:
            thread.join()
        missing = []
        by_goal: dict[str, set[str]] = {}
        for goal, text in acknowledged:
            by_goal.setdefault(goal, set()).add(text)
        for goal, texts in by_goal.items():
            stored: list[str] = []
            url = f"/v1/goals/{goal}/statuses?pageSize=500"
            while url:
                status, _, body = request("GET", url)
                assert status == 200, (url, status)
                page = json.loads(body)
                stored += [item["text"] for item in page["items"]]
                url = (
                    page["_links"]
                    .get("next", {})
                    .get("href", "")
                    .removeprefix(f"http://{HOST}:{APP_PORT}")
                )
            missing += [text for text in texts if stored.count(text) != 1]
    finally:
        stop(service)
    settled = rss_samples[len(rss_samples) // 3 :] or rss_samples
    growth = settled[-1] - settled[0]
    lines = [
        f"soak: {arguments.soak_seconds} s at {CONNECTIONS} connections, "
        f"{arguments.server} with {arguments.workers} workers, "
        f"on {env['DATABASE_URL'].split(':', 1)[0]}",
        f"requests: {counts['reads']} reads, {counts['writes']} writes "
        f"({len(acknowledged)} acknowledged)",
        f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""),
        f"acknowledged writes missing or duplicated afterwards: {len(missing)}",
        "resident memory (MiB) every 10 s: " + ", ".join(f"{v:.0f}" for v in rss_samples),
        f"growth over the last two thirds: {growth:+.1f} MiB",
    ]
    for line in lines:
        print(line, flush=True)
    ok = not errors and not missing and growth < 10
    print("SOAK PASSED" if ok else "SOAK FAILED", flush=True)
    lines.append("SOAK PASSED" if ok else "SOAK FAILED")
    return "\n".join(lines)


def versions(server: str) -> str:
    def version_of(command: list[str]) -> str:
        try:
            result = subprocess.run(command, capture_output=True, text=True)
            return (result.stdout + result.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    from importlib.metadata import version

    packages = ["fastapi", "starlette", "uvicorn", "uvloop", "httptools", "granian", "sqlalchemy"]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return "\n".join(
        [
            f"machine: {os.cpu_count()} cores ({cpu}), "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
            f"{platform.platform()}",
            f"python {platform.python_version()}; "
            + ", ".join(f"{name} {version(name)}" for name in packages),
            f"{version_of(['nginx', '-v'])}; {version_of(['wrk', '-v'])}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=sorted(SERVERS), default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--cold-samples", type=int, default=15)
    parser.add_argument("--soak", action="store_true", help="run the soak test instead")
    parser.add_argument("--soak-seconds", type=int, default=180)
    parser.add_argument("--output", type=Path, help="also write the report (markdown) here")
    parser.add_argument(
        "--database-url",
        help="soak only: an empty database to migrate, seed and run on (e.g. PostgreSQL); "
        "by default a new SQLite file",
    )
    arguments = parser.parse_args()
    if arguments.database_url and not arguments.soak:
        parser.error("--database-url is for --soak; the benchmark protocol runs on SQLite")
    if not arguments.soak:
        ensure_tools()
    workdir = Path(tempfile.mkdtemp(prefix="coalition-bench-"))
    workdir.chmod(0o755)  # nginx workers (an unprivileged user) read the static files here
    try:
        env = prepare_database(workdir, arguments.database_url)
        report = soak(arguments, env) if arguments.soak else benchmark(arguments, workdir, env)
        text = versions(arguments.server) + "\n\n" + report + "\n"
        if arguments.output:
            arguments.output.write_text(text)
        if arguments.soak and "SOAK FAILED" in report:
            sys.exit(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
