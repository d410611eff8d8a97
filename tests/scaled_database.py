"""A database with more history than any page holds: the real migrations and seed, then a
generated report imported twice through the real importer (`import_report`), the second time
with every status text changed, so each generated status is corrected once.

Generated rows are marked as test data in their texts; they exist only in this test database.
Sizes: more than MAX_PAGE_SIZE measurements and status updates, so a download that stops at
one page, a query per row or an IN list per row shows.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import migrate
from app.core.config import Settings
from app.db import get_engine
from app.main import create_app
from app.models import Goal, Metric
from app.seed import seed_database
from app.services.paging import MAX_PAGE_SIZE
from app.services.report_import import import_report_file
from tests.servers import serving
from tests.writable_database import drop_fresh_database, fresh_database_url

GENERATED_YEARS = range(1960, 1975)
STATUS_DATES = ("2019-03-01", "2020-03-01", "2021-03-01")


def generated_report(
    goal_codes: list[str], metric_codes: list[str], edition: int, directory: Path
) -> Path:
    statuses = [
        {
            "goalCode": code,
            "asOf": as_of,
            "asOfLabel": f"{as_of} (testdata)",
            "text": f"TEST DATA {edition}: generated status of {code} on {as_of}.",
            "source": "TEST DATA – generated report",
        }
        for code in goal_codes
        for as_of in STATUS_DATES
    ]
    measurements = [
        {
            "metricCode": code,
            "period": str(year),
            "periodType": "year",
            "periodStart": year,
            "periodEnd": year,
            "value": year + 0.25,
            "valueText": f"{year},25 (testdata)",
            "status": "final",
            "footnote": "TEST DATA: generated figure.",
        }
        for code in metric_codes
        for year in GENERATED_YEARS
    ]
    # As `coalition-monitor import` reads it: a file.
    path = directory / f"generated-report-{edition}.json"
    path.write_text(
        json.dumps({"note": "TEST DATA", "statuses": statuses, "measurements": measurements})
    )
    return path


@pytest.fixture(scope="session")
def scaled_settings(
    database_url: str, seed_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    url = fresh_database_url(database_url, tmp_path_factory.mktemp("scaled"), "scaled")
    settings = Settings(database_url=url, seed_dir=seed_dir, response_cache_enabled=False)
    engine = get_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_database(session, seed_dir)
        goal_codes = list(session.exec(select(Goal.code)))
        metric_codes = list(session.exec(select(Metric.code)))
        directory = tmp_path_factory.mktemp("generated-reports")
        for edition in (1, 2):
            import_report_file(
                session, generated_report(goal_codes, metric_codes, edition, directory)
            )
    assert len(goal_codes) * len(STATUS_DATES) * 2 > MAX_PAGE_SIZE
    assert len(metric_codes) * len(GENERATED_YEARS) > MAX_PAGE_SIZE
    yield settings
    engine.dispose()
    drop_fresh_database(database_url, url)


@pytest.fixture(scope="session")
def scaled_engine(scaled_settings: Settings):
    return get_engine(scaled_settings)


@pytest.fixture(scope="session")
def scaled_client(scaled_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(scaled_settings)) as client:
        yield client


@pytest.fixture(scope="session")
def scaled_live_server(scaled_settings: Settings) -> Iterator[str]:
    """The app on a real uvicorn server over the scaled database."""
    with serving(scaled_settings) as base_url:
        yield base_url
