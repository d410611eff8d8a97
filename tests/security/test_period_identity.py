"""A period is identified by its type, first and last year; its printed spelling is only how it
is shown. `2014-2018` (hyphen) and the seeded `2014–2018` (en dash) of M7.1 are one figure: a
create-only PUT under the other spelling is 412, and either spelling reads the same figure."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.models import Measurement

SEEDED = "/v1/metrics/M7.1/measurements/2014–2018"
HYPHEN = "/v1/metrics/M7.1/measurements/2014-2018"


def _figures(engine) -> list[tuple]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(Measurement.period, Measurement.value, Measurement.version).where(
                    Measurement.metric_code == "M7.1",
                    Measurement.period_start == 2014,
                    Measurement.period_end == 2018,
                )
            )
        )


def test_the_seed_prints_m7_1_2014_2018_with_an_en_dash(writable_engine):
    assert [row.period for row in _figures(writable_engine)] == ["2014–2018"]


def test_create_only_under_another_spelling_is_412(writable_client, writable_engine, auth):
    before = _figures(writable_engine)
    response = writable_client.put(
        HYPHEN,
        json={"value": 99, "valueText": "99 %", "status": "final"},
        headers=auth | {"If-None-Match": "*"},
    )
    assert response.status_code == 412, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert _figures(writable_engine) == before


def test_either_spelling_reads_the_same_figure(writable_client):
    seeded = writable_client.get(SEEDED)
    hyphen = writable_client.get(HYPHEN)
    assert seeded.status_code == hyphen.status_code == 200
    assert hyphen.json() == seeded.json()
    assert hyphen.json()["period"] == "2014–2018"
    assert hyphen.headers["ETag"] == seeded.headers["ETag"]
    assert (
        writable_client.get(HYPHEN + "/revisions").json()["items"]
        == (writable_client.get(SEEDED + "/revisions").json()["items"])
    )


def test_replacing_under_another_spelling_replaces_the_figure(
    writable_client, writable_engine, auth
):
    current = writable_client.get(SEEDED)
    response = writable_client.put(
        HYPHEN,
        json={"value": 65, "valueText": "65 %", "status": "provisional"},
        headers=auth | {"If-Match": current.headers["ETag"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["period"] == "2014–2018"
    [figure] = _figures(writable_engine)
    assert (figure.period, figure.value, figure.version) == ("2014–2018", 65, 2)


def test_the_database_refuses_a_second_spelling(writable_engine):
    with pytest.raises(IntegrityError), writable_engine.begin() as connection:
        connection.execute(
            sa.insert(Measurement).values(
                metric_code="M7.1",
                period="2014-2018",
                period_type="multiYear",
                period_start=2014,
                period_end=2018,
                value=1,
                value_text="1",
                status="final",
                version=1,
            )
        )
