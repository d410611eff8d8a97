"""`coalition-monitor` subcommands (app/cli.py), on a scratch SQLite database."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app import cli
from app.core.config import get_settings
from app.db import dispose_engines
from tests.servers import free_port, wait_until_ready


@pytest.fixture
def scratch_env(tmp_path, monkeypatch, seed_dir):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'cli.db'}")
    monkeypatch.setenv("SEED_DIR", str(seed_dir))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    dispose_engines()


def _count(tmp_path, table):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'data' / 'cli.db'}")
    with engine.connect() as connection:
        count = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return count


def test_migrate_then_seed_twice(scratch_env, seed_data, capsys):
    cli.main(["migrate"])
    cli.main(["seed"])
    assert "Seeded" in capsys.readouterr().out
    cli.main(["seed"])
    assert "nothing changed" in capsys.readouterr().out
    assert _count(scratch_env, "goal") == len(seed_data.goals)


def test_serve_migrates_and_seeds_an_empty_database(scratch_env, seed_data, monkeypatch):
    served = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(app=app, **options))
    cli.main(["serve"])
    assert served["host"] == "127.0.0.1"
    assert served["port"] == 8000
    assert _count(scratch_env, "measurement") == len(seed_data.measurements)
    cli.main(["serve"])  # a second start leaves the data alone
    assert _count(scratch_env, "measurement") == len(seed_data.measurements)


def test_serve_with_workers_runs_the_production_server(tmp_path, seed_dir):
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'served.db'}",
        SEED_DIR=str(seed_dir),
        PORT=str(port),
        REQUEST_LOG="false",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("MALLOC_ARENA_MAX", None)
    process = subprocess.Popen(
        [Path(sys.executable).parent / "coalition-monitor", "serve", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        if not wait_until_ready(base, seconds=60):
            pytest.fail("coalition-monitor serve --workers 2 did not become ready")
        assert httpx.get(f"{base}/v1/goals/A1").json()["code"] == "A1"
        # granian's two workers, and /metrics sums them (a shared multiprocess directory).
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 2
        worker_env = Path(f"/proc/{children[0]}/environ").read_bytes().split(b"\0")
        assert b"MALLOC_ARENA_MAX=2" in worker_env
        for _ in range(20):
            httpx.get(f"{base}/v1/perspectives")
        metrics = httpx.get(f"{base}/metrics").text
        counted = sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("http_requests_total{") and 'route="/v1/perspectives"' in line
        )
        assert counted == 20
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_openapi_command_writes_the_document(tmp_path):
    target = tmp_path / "openapi.json"
    cli.main(["openapi", "--output", str(target)])
    document = json.loads(target.read_text(encoding="utf-8"))
    assert "/goals" in document["paths"]
    assert document["servers"][0]["url"] == "/v1"


def test_invalid_seed_stops_with_a_message(scratch_env, tmp_path, monkeypatch):
    monkeypatch.setenv("SEED_DIR", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    cli.main(["migrate"])
    with pytest.raises(SystemExit, match="missing seed file"):
        cli.main(["seed"])


def _key_rows(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'data' / 'cli.db'}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT name, key_hash FROM api_key")).all()
    engine.dispose()
    return rows


def test_keys_create_list_revoke(scratch_env, capsys):
    cli.main(["migrate"])
    capsys.readouterr()
    cli.main(["keys", "create", "--name", "dashboard"])
    printed = capsys.readouterr().out
    secret = printed.strip().splitlines()[-1]
    assert secret.startswith("cmk_") and len(secret) > 40
    # Only a digest is stored, never the key itself.
    [(name, key_hash)] = _key_rows(scratch_env)
    assert name == "dashboard"
    assert secret not in key_hash and len(key_hash) == 64

    cli.main(["keys", "list"])
    listed = capsys.readouterr().out
    assert "dashboard" in listed and "active" in listed
    assert secret not in listed

    with pytest.raises(SystemExit, match="already exists"):
        cli.main(["keys", "create", "--name", "dashboard"])
    with pytest.raises(SystemExit, match="invalid key name"):
        cli.main(["keys", "create", "--name", "has space"])

    cli.main(["keys", "revoke", "dashboard"])
    assert "revoked" in capsys.readouterr().out
    cli.main(["keys", "list"])
    assert "revoked" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="no key named"):
        cli.main(["keys", "revoke", "nobody"])


LATER_REPORT = Path(__file__).resolve().parent / "fixtures" / "later-report.json"


def test_import_a_later_report_once(scratch_env, capsys):
    cli.main(["migrate"])
    cli.main(["seed"])
    statuses = _count(scratch_env, "status_update")
    capsys.readouterr()
    cli.main(["import", str(LATER_REPORT)])
    assert "Imported" in capsys.readouterr().out
    document = json.loads(LATER_REPORT.read_text(encoding="utf-8"))
    assert _count(scratch_env, "status_update") == statuses + len(document["statuses"])
    cli.main(["import", str(LATER_REPORT)])
    assert "nothing changed" in capsys.readouterr().out
    assert _count(scratch_env, "status_update") == statuses + len(document["statuses"])


def test_import_of_a_broken_report_writes_nothing(scratch_env, tmp_path):
    cli.main(["migrate"])
    cli.main(["seed"])
    statuses = _count(scratch_env, "status_update")
    document = json.loads(LATER_REPORT.read_text(encoding="utf-8"))
    document["statuses"][-1]["goalCode"] = "Z99"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"Nothing imported(.|\n)*statuses\[2\]\.goalCode"):
        cli.main(["import", str(broken)])
    assert _count(scratch_env, "status_update") == statuses
