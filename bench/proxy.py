#!/usr/bin/env python3
"""The production recipe of deploy/ measured on this machine: two service replicas behind the
caching nginx of deploy/nginx/proxy-cache.conf, against nginx serving the same bytes statically.

    .venv/bin/python bench/proxy.py [--database-url postgresql+psycopg://...] [--seconds 10]

It migrates and seeds a database (a new SQLite file unless --database-url names an empty
PostgreSQL database), starts two granian instances (one worker each) on it, and one nginx that
both proxies to them (with the recipe's cache settings, included verbatim) and serves the
proxied bytes as static files on another port. It then loads both with wrk, and measures how
long a write takes to show through the proxy (the staleness bound, which should equal the
documented max-age) while the other replica shows it at once. Needs nginx and wrk (installed
with apt-get when missing and running as root). All traffic stays on 127.0.0.1.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # the shared benchmark helpers beside this file

REPLICA_PORTS = (bench.APP_PORT + 10, bench.APP_PORT + 11)
PROXY_PORT = bench.APP_PORT + 12
STATIC_PORT = bench.APP_PORT + 13
RECIPE = bench.REPOSITORY / "deploy" / "nginx" / "proxy-cache.conf"
TARGET_RATIO = 0.8
MAX_AGE_SECONDS = 60
WRITE_URL = "/v1/metrics/M5.1/measurements/2019"


def start_replica(port: int, env: dict[str, str]) -> subprocess.Popen:
    command = [
        str(bench.VENV_BIN / "granian"),
        *("--interface", "asgi", "--host", bench.HOST, "--port", str(port)),
        *("--workers", "1", "--loop", "uvloop", "--log-level", "warning"),
        "app.main:app",
    ]
    process = subprocess.Popen(
        command,
        cwd=bench.REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return _answering(process, "/readyz", port, f"replica on port {port}")


def start_nginx(workdir: Path) -> subprocess.Popen:
    upstreams = "\n".join(f"        server {bench.HOST}:{port};" for port in REPLICA_PORTS)
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
    keepalive_requests 1000000;
    types {{ application/json json; text/csv csv; }}
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    proxy_cache_path {workdir}/nginx-cache levels=1:2 keys_zone=api:10m max_size=1g
                     inactive=10m use_temp_path=off;
    proxy_buffers 16 64k;
    upstream api {{
{upstreams}
        keepalive 32;
    }}
    server {{
        listen {bench.HOST}:{PROXY_PORT};
        location / {{
            include {RECIPE};
        }}
    }}
    server {{
        listen {bench.HOST}:{STATIC_PORT};
        root {workdir / "static"};
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
    return _answering(process, "/v1", PROXY_PORT, f"nginx (see {workdir / 'nginx-error.log'})")


def _answering(process: subprocess.Popen, path: str, port: int, what: str) -> subprocess.Popen:
    """`process` once it answers `path` with 200 (within 30 s), else stopped and the run ends."""
    for _ in range(600):
        try:
            if bench.request("GET", path, port=port)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.05)
    bench.stop(process)
    sys.exit(f"{what} did not start")


def copy_static(workdir: Path) -> None:
    """The bytes the proxy serves, as files for the static server."""
    root = workdir / "static"
    root.mkdir()
    for _, url, filename, headers in bench.ENDPOINTS:
        status, _, body = bench.request("GET", url, headers, port=PROXY_PORT)
        assert status == 200, (url, status)
        (root / filename).write_bytes(body)


def load(seconds: int) -> list[tuple[str, dict, dict]]:
    rows = []
    for name, url, filename, headers in bench.ENDPOINTS:
        proxied = bench.measure(url, headers, seconds, PROXY_PORT)
        static = bench.measure("/" + filename, {}, seconds, STATIC_PORT)
        rows.append((name, proxied, static))
    return rows


def create_key(env: dict[str, str]) -> str:
    created = subprocess.run(
        [str(bench.VENV_BIN / "coalition-monitor"), "keys", "create", "--name", "bench-proxy"],
        check=True,
        env=env,
        cwd=bench.REPOSITORY,
        capture_output=True,
        text=True,
    )
    return created.stdout.split()[-1]


def staleness(key: str) -> tuple[float, float]:
    """Seconds until a write through one replica shows through the proxy, and through the
    other replica directly."""
    bench.request("GET", WRITE_URL, port=PROXY_PORT)  # cached in the proxy from now on
    status, headers, _ = bench.request("GET", WRITE_URL, port=REPLICA_PORTS[0])
    value = time.time() % 1000
    body = f'{{"value": {value}, "valueText": "{value}", "status": "final"}}'.encode()
    status, _, answer = bench.request(
        "PUT",
        WRITE_URL,
        {
            "Authorization": f"Bearer {key}",
            "If-Match": headers["etag"],
            "Content-Type": "application/json",
        },
        body,
        port=REPLICA_PORTS[0],
    )
    assert status == 200, answer
    written = time.monotonic()
    needle = f'"value":{value}'.encode()
    direct = _seconds_until(needle, REPLICA_PORTS[1], written)
    proxied = _seconds_until(needle, PROXY_PORT, written)
    return proxied, direct


def _seconds_until(needle: bytes, port: int, since: float) -> float:
    deadline = since + MAX_AGE_SECONDS * 2 + 10
    while time.monotonic() < deadline:
        if needle in bench.request("GET", WRITE_URL, port=port)[2]:
            return time.monotonic() - since
        time.sleep(0.25)
    return float("inf")


def report(rows, proxied: float, direct: float, seconds: int) -> list[str]:
    lines = [
        f"two granian replicas (1 worker each) behind nginx with deploy/nginx/proxy-cache.conf; "
        f"wrk -t{bench.WRK_THREADS} -c{bench.CONNECTIONS} -d{seconds}s after a warm-up",
        "",
        "| endpoint | through the proxy req/s | p99 ms | static req/s | p99 ms | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, proxy_result, static_result in rows:
        lines.append(
            f"| {name} | {proxy_result['rps']:.0f} | {proxy_result['p99'] * 1000:.2f} | "
            f"{static_result['rps']:.0f} | {static_result['p99'] * 1000:.2f} | "
            f"{proxy_result['rps'] / static_result['rps']:.2f} |"
        )
    ratio = min(p["rps"] / s["rps"] for _, p, s in rows)
    lines += [
        "",
        f"write through replica 1 visible through replica 2 after {direct:.2f} s, through the "
        f"proxy after {proxied:.1f} s (documented bound: max-age {MAX_AGE_SECONDS} s)",
        "",
        "| target | measured | met |",
        "| --- | ---: | --- |",
        f"| proxied reads, lowest ratio to static req/s | {ratio:.2f} | "
        f"{'yes' if ratio >= TARGET_RATIO else 'NO'} |",
        f"| staleness through the proxy at most max-age | {proxied:.1f} s | "
        f"{'yes' if proxied <= MAX_AGE_SECONDS + 1 else 'NO'} |",
        f"| other replica reads the write at once | {direct:.2f} s | "
        f"{'yes' if direct < 1 else 'NO'} |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--output", type=Path, help="also write the report (markdown) here")
    arguments = parser.parse_args()
    bench.ensure_tools()
    workdir = Path(tempfile.mkdtemp(prefix="coalition-proxy-"))
    workdir.chmod(0o755)  # nginx workers (an unprivileged user) read the static files here
    env = bench.prepare_database(workdir, arguments.database_url)
    env.update(
        PUBLIC_BASE_URL=f"http://{bench.HOST}:{PROXY_PORT}",
        FORWARDED_ALLOW_IPS=bench.HOST,
    )
    key = create_key(env)
    processes = [start_replica(port, env) for port in REPLICA_PORTS]
    try:
        processes.append(start_nginx(workdir))
        copy_static(workdir)
        rows = load(arguments.seconds)
        proxied, direct = staleness(key)
    finally:
        for process in reversed(processes):
            bench.stop(process)
    text = "\n".join(
        [bench.versions("granian"), "", *report(rows, proxied, direct, arguments.seconds)]
    )
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
