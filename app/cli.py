"""`coalition-monitor serve|migrate|seed|keys|import|openapi`."""

import argparse
import json
import logging
import logging.config
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlmodel import Session

from app.core.config import Settings, get_settings
from app.core.observability import server_logging_config
from app.db import get_engine

# glibc gives every thread that allocates an arena of its own; with a worker's database threads
# that fragments into a resident size that creeps up for minutes under writes. Two arenas keep
# it flat (bench/RESULTS.md, soak).
PRODUCTION_MALLOC_ARENA_MAX = "2"


def _migrate(settings: Settings, say: Callable[[str], None] = print) -> None:
    from app.migrate import upgrade

    upgrade(get_engine(settings))
    say("Database schema is at the latest migration.")


def _seed(settings: Settings, *, only_if_empty: bool, say: Callable[[str], None] = print) -> None:
    from app.seed import SeedFormatError, database_is_empty, seed_database

    with Session(get_engine(settings)) as session:
        if only_if_empty and not database_is_empty(session):
            say("Database already holds data; not seeding.")
            return
        try:
            report = seed_database(session, settings.seed_dir)
        except SeedFormatError as error:
            sys.exit(f"Seed files in {settings.seed_dir} are invalid:\n{error}")
    if report.changed:
        say(
            f"Seeded from {settings.seed_dir}: inserted {report.inserted}, updated {report.updated}"
        )
    else:
        say(f"Database already matches the seed in {settings.seed_dir}; nothing changed.")


def _keys(settings: Settings, arguments: argparse.Namespace) -> None:
    from app.services import api_keys

    with Session(get_engine(settings)) as session:
        try:
            if arguments.keys_command == "create":
                created = api_keys.create_key(session, arguments.name)
                print(f"Created API key {created.record.name!r}. It is shown only this once:")
                print(created.secret)
            elif arguments.keys_command == "revoke":
                record = api_keys.revoke_key(session, arguments.name)
                print(f"Key {record.name!r} is revoked (since {record.revoked_at:%Y-%m-%d %H:%M}).")
            else:
                records = api_keys.list_keys(session)
                if not records:
                    print("No API keys.")
                for record in records:
                    state = (
                        f"revoked {record.revoked_at:%Y-%m-%d %H:%M}"
                        if record.revoked_at
                        else "active"
                    )
                    print(f"{record.name}\tcreated {record.created_at:%Y-%m-%d %H:%M}\t{state}")
        except api_keys.ApiKeyError as error:
            sys.exit(f"keys {arguments.keys_command}: {error}")


def _import(settings: Settings, path: Path, *, quiet: bool) -> None:
    from app.services.report_import import ReportImportError, import_report_file

    with Session(get_engine(settings)) as session:
        try:
            summary = import_report_file(
                session, path, settings.text_limits, opener=_reading_with_progress(quiet)
            )
        except ReportImportError as error:
            sys.exit(f"Nothing imported: {path} has problems:\n{error}")
    if not quiet:
        print(summary.describe(path))


def _reading_with_progress(quiet: bool):
    """Opens the file for each pass over it, with a progress bar of the bytes read; shown only
    on a terminal (tqdm's `disable=None`) and never with --quiet."""
    from tqdm import tqdm

    passes = iter(("checking", "statuses", "measurements"))

    @contextmanager
    def opener(path: Path) -> Iterator[IO[bytes]]:
        with (
            path.open("rb") as handle,
            tqdm.wrapattr(
                handle,
                "read",
                total=path.stat().st_size,
                desc=next(passes, "reading"),
                disable=True if quiet else None,
                leave=False,
            ) as wrapped,
        ):
            yield wrapped

    return opener


def openapi_document() -> str:
    from app.main import create_app

    document = create_app().openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="coalition-monitor",
        description="Serve the coalition-monitor API. Configuration comes from the environment "
        "(DATABASE_URL, SEED_DIR, HOST, PORT, LOG_LEVEL).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="migrate to head, seed if empty, then serve (uvicorn in this process; with "
        "--workers above 1 the production server, granian, with that many processes)",
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (one per core)")
    commands.add_parser("migrate", help="apply the Alembic migrations up to head")
    commands.add_parser("seed", help="load the seed files (idempotent)")
    keys = commands.add_parser("keys", help="manage the API keys of tools that write")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_commands.add_parser("create", help="create a key; it is printed only once")
    create.add_argument("--name", required=True, help="the tool's name; becomes the author")
    keys_commands.add_parser("list", help="list keys (names and dates, never the keys)")
    revoke = keys_commands.add_parser("revoke", help="revoke a key; it stops working at once")
    revoke.add_argument("name")
    report = commands.add_parser(
        "import", help="import a later progress report (JSON; all or nothing, idempotent)"
    )
    report.add_argument("file", type=Path)
    report.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no summary (for scripts)"
    )
    commands.add_parser(
        "settings", help="print the configuration reference (markdown) from the settings class"
    )
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", "-o", type=Path, default=Path("openapi.json"))
    arguments = parser.parse_args(argv)

    if arguments.command == "openapi":
        arguments.output.write_text(openapi_document(), encoding="utf-8")
        print(f"Wrote {arguments.output}")
        return

    if arguments.command == "settings":
        from app.core.settings_doc import settings_table

        print(settings_table(), end="")
        return

    settings = get_settings()
    if arguments.command == "migrate":
        _migrate(settings)
    elif arguments.command == "seed":
        _seed(settings, only_if_empty=False)
    elif arguments.command == "keys":
        _keys(settings, arguments)
    elif arguments.command == "import":
        _import(settings, arguments.file, quiet=arguments.quiet)
    elif arguments.command == "serve":
        _serve(settings, arguments.workers)


def _serve(settings: Settings, workers: int) -> None:
    """Every line `serve` writes is a JSON log line, the servers' own included."""
    logging.config.dictConfig(server_logging_config(settings.log_level))
    say = logging.getLogger("app.cli").info
    _migrate(settings, say)
    _seed(settings, only_if_empty=True, say=say)
    if workers > 1:
        _exec_production_server(settings, workers)
    import uvicorn

    from app.main import create_app

    uvicorn.run(create_app(settings), **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict:
    """How `serve` runs uvicorn: forwarded headers only from FORWARDED_ALLOW_IPS, JSON logs."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "log_config": server_logging_config(settings.log_level),
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }


def _exec_production_server(settings: Settings, workers: int) -> None:
    """Replace this process with granian (chosen by measurement, see bench/RESULTS.md)."""
    import os
    import shutil
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # /metrics must sum every worker; they share a fresh directory for that.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="coalition-metrics-")
    os.environ.setdefault("MALLOC_ARENA_MAX", PRODUCTION_MALLOC_ARENA_MAX)
    granian = shutil.which("granian") or str(Path(sys.executable).parent / "granian")
    log_config = Path(tempfile.mkdtemp(prefix="coalition-logging-")) / "logging.json"
    log_config.write_text(json.dumps(server_logging_config(settings.log_level)), encoding="utf-8")
    os.execv(
        granian,
        [
            *(granian, "--interface", "asgi", "--workers", str(workers), "--loop", "uvloop"),
            *("--host", settings.host, "--port", str(settings.port)),
            *("--log-level", settings.log_level.lower(), "--log-config", str(log_config)),
            "app.main:app",
        ],
    )


if __name__ == "__main__":
    main()
