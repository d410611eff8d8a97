"""Search at scale: `GET /v1/search` on the seed multiplied N times.

    .venv/bin/python bench/search_scale.py --scale 1000
    .venv/bin/python bench/search_scale.py --scale 1000 \
        --database-url 'postgresql+psycopg://user:pw@localhost/db?options=-csearch_path%3Dbench'

Builds the database through the real migrations and seed, then adds (N - 1) copies of every
seeded status through the real import (`import_report_file`, files of 5,000 statuses, each copy
with its own source), so the texts are the report's own words in the report's proportions.
`--reuse` keeps a database that already holds the statuses of that scale. `--bulk` adds the
same copies with one `INSERT ... SELECT` per copy instead: the database's own triggers and
generated columns index them exactly as they index the import's rows, but it takes seconds
where the import on SQLite takes about an hour at 1000x (each SQLite write there still costs time
in proportion to the search index). Then times each query
through the app (in-process HTTP, response cache off): median and slowest of `--repeat` requests
(21), with the number of hits on the first page and whether there is a next page. "cpu ms" is
the median processor time of this process per request: on SQLite (in-process) that is the
search's own cost, whatever else the machine is doing; on PostgreSQL it leaves out the server,
whose processor time per request (the mean over the requests, from /proc/<pid>/stat of the
app's backends, so the server must run on this machine; 10 ms ticks) is "server cpu ms".

`--attacks` instead builds the seed alone, stores an 11 KB, a 44 KB and a 0.5 MB status text
(the report's own words, written to the database directly) and times the searches of the stall
attack: 32 one-letter words, 24 and 16 different words, the longest `q` allowed.

A PostgreSQL URL with `options=-csearch_path=<schema>` works in that schema (created if needed);
without `--database-url` a SQLite file in the temporary directory is used.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from app import migrate  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.db import get_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.seed import read_seed, seed_database  # noqa: E402
from app.services.report_import import import_report_file  # noqa: E402

SEED = REPOSITORY / "seed"
FILE_STATUSES = 5000
QUERIES = [
    "raad",
    "maastricht",
    "gemeente",
    "klimaat",
    "fiets",
    "laadpaal",
    "armoede",
    "woning",
    "laadpalen",
    "maastricht or xyzzyqq",
    "raad gemeente maastricht",
    "het de van een en in",
    "xyzzyqq",
    # the longest query allowed: 16 different words of the report, 3 letters each
    "ver van voo gem wor ond beh maa sta pro raa pla nie beg ont ges",
]
FILTERED = ["raad&type=status&perspective=C", "maastricht&pageSize=100"]


def build(settings: Settings, scale: int, reuse: bool, bulk: bool) -> None:
    engine = get_engine(settings)
    _ensure_schema(settings.database_url)
    seed = read_seed(SEED)
    seeded = [(goal, status) for goal in seed.goals for status in goal.statuses]
    wanted = len(seeded) * scale
    if reuse and _status_count(engine) == wanted:
        print(f"reusing {wanted} statuses", flush=True)
        return
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_database(session, SEED)
    started = time.perf_counter()
    if bulk:
        _copy_in_sql(engine, scale)
    else:
        _import_copies(engine, seeded, scale)
    print(f"built {wanted} statuses in {time.perf_counter() - started:.0f} s", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))


def _import_copies(engine: sa.Engine, seeded: list, scale: int) -> None:
    copies = [
        {
            "goalCode": goal.code,
            "asOf": status.as_of.isoformat(),
            "asOfLabel": status.as_of_label,
            "text": status.text,
            "source": f"{status.source} (benchmark copy {copy})",
        }
        for copy in range(1, scale)
        for goal, status in seeded
    ]
    with tempfile.TemporaryDirectory() as directory:
        for first in range(0, len(copies), FILE_STATUSES):
            path = Path(directory) / f"copies-{first}.json"
            chunk = copies[first : first + FILE_STATUSES]
            path.write_text(json.dumps({"title": "benchmark copies", "statuses": chunk}))
            with Session(engine) as session:
                import_report_file(session, path)
            print(f"imported {first + len(chunk)} / {len(copies)}", file=sys.stderr, flush=True)


def _copy_in_sql(engine: sa.Engine, scale: int) -> None:
    columns = "goal_code, as_of, as_of_label, text, progress, progress_evidence, shared_with"
    with engine.begin() as connection:
        seeded_ids = connection.execute(sa.text("SELECT max(id) FROM status_update")).scalar()
        for copy in range(1, scale):
            connection.execute(
                sa.text(
                    f"INSERT INTO status_update ({columns}, source, author) "
                    f"SELECT {columns}, source || :suffix, 'benchmark' FROM status_update "
                    "WHERE id <= :seeded ORDER BY id"
                ),
                {"suffix": f" (benchmark copy {copy})", "seeded": seeded_ids},
            )


def _ensure_schema(url: str) -> None:
    parsed = make_url(url)
    options = parsed.query.get("options", "")
    if parsed.get_backend_name() != "postgresql" or "search_path=" not in options:
        return
    schema = options.split("search_path=", 1)[1]
    admin = sa.create_engine(parsed.difference_update_query(["options"]))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()


def _status_count(engine: sa.Engine) -> int:
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM status_update")).scalar_one()
    except sa.exc.DBAPIError:
        return -1


class ServerClock:
    """Processor time of the PostgreSQL backends serving the app (every connection to its
    database but this one), from /proc/<pid>/stat: the server must run on this machine."""

    def __init__(self, settings: Settings) -> None:
        engine = get_engine(settings)
        self.connection = engine.connect() if engine.dialect.name == "postgresql" else None
        self.tick_ms = 1000 / os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        if self.connection is None:
            return 0.0
        pids = self.connection.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalars()
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) * self.tick_ms
        return total


def measure(settings: Settings, repeat: int) -> None:
    print(
        "| query | median ms | slowest ms | cpu ms | server cpu ms | status | items | next page |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    server_clock = ServerClock(settings)
    with TestClient(create_app(settings)) as client:
        for query in QUERIES + FILTERED:
            q, _, rest = query.partition("&")
            url = "/v1/search?" + "&".join(
                part for part in (f"q={q.replace(' ', '+')}", rest) if part
            )
            client.get(url)  # warm the connection and the database's caches
            times, cpu_times, response = [], [], None
            server_started = server_clock()
            for _ in range(repeat):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpu_times.append((time.process_time() - cpu_started) * 1000)
            server = (server_clock() - server_started) / repeat
            body = response.json()
            items = len(body.get("items", []))
            more = "yes" if body.get("_links", {}).get("next") else "no"
            print(
                f"| `{query}` | {statistics.median(times):.1f} | {max(times):.1f} "
                f"| {statistics.median(cpu_times):.1f} | {server:.1f} | {response.status_code} "
                f"| {items} | {more} |",
                flush=True,
            )


ATTACKS = [
    " ".join(["v"] * 32),
    " ".join(["ver"] * 32),
    "gemeente raad maastricht van voor wordt stad zijn niet met worden ook door naar deze plan "
    "over meer inwoners college beleid samen jaar onderzoek",
    "gemeente raad maastricht van voor wordt stad zijn niet met worden ook door naar deze plan",
    "ver van voo gem wor ond beh maa sta pro raa pla nie beg ont ges",
    "raad",
]


def store_large_texts(settings: Settings) -> None:
    engine = get_engine(settings)
    seed = read_seed(SEED)
    words = " ".join(status.text for goal in seed.goals for status in goal.statuses)
    with Session(engine) as session:
        for status_id, size in ((1, 11_000), (2, 44_000), (3, 500_000)):
            session.execute(
                sa.text("UPDATE status_update SET text = :text WHERE id = :id"),
                {"text": (words * (size // len(words) + 1))[:size], "id": status_id},
            )
        session.commit()


def measure_attacks(settings: Settings, repeat: int) -> None:
    print("| attack q | median ms | slowest ms | status |")
    print("| --- | ---: | ---: | ---: |")
    with TestClient(create_app(settings)) as client:
        for query in ATTACKS:
            times, response = [], None
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get("/v1/search", params={"q": query, "pageSize": "100"})
                times.append((time.perf_counter() - started) * 1000)
            shown = query if len(query) < 40 else query[:37] + "..."
            print(
                f"| `{shown}` ({len(query)} chars) | {statistics.median(times):.1f} "
                f"| {max(times):.1f} | {response.status_code} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--bulk", action="store_true")
    parser.add_argument("--attacks", action="store_true")
    arguments = parser.parse_args()
    url = arguments.database_url or (
        f"sqlite:///{Path(tempfile.gettempdir()) / f'search-scale-{arguments.scale}.db'}"
    )
    settings = Settings(
        database_url=url, seed_dir=SEED, response_cache_enabled=False, request_log=False
    )
    dialect = make_url(settings.sqlalchemy_url).get_backend_name()
    if arguments.attacks:
        print(f"search attacks on the seed with large statuses on {dialect}", flush=True)
        build(settings, 1, reuse=False, bulk=True)
        store_large_texts(settings)
        measure_attacks(settings, arguments.repeat)
        return
    print(f"search at {arguments.scale}x the seed on {dialect}", flush=True)
    build(settings, arguments.scale, arguments.reuse, arguments.bulk)
    measure(settings, arguments.repeat)


if __name__ == "__main__":
    main()
