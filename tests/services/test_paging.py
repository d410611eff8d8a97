"""Keyset cursors (app/services/paging.py): every cursor that matches a collection's documented
pattern is a position in it; anything else is a 400."""

import re
from datetime import date

import pytest

from app.core.errors import InvalidParameterError
from app.models import Goal, Perspective, StatusUpdate
from app.services.paging import cursor_pattern, decode_cursor, encode_cursor


def test_cursor_round_trips_dates_and_numbers():
    columns = [StatusUpdate.as_of, StatusUpdate.id]
    cursor = encode_cursor([date(2022, 2, 1), 7])
    assert re.fullmatch(cursor_pattern(columns), cursor)
    assert decode_cursor(cursor, columns) == [date(2022, 2, 1), 7]


@pytest.mark.parametrize(
    "cursor", ["", "!!!", "1x", "1.2", "-1", "1" * 10, "1.5", "A\x00", "\u0663"]
)
def test_cursors_outside_the_pattern_are_rejected(cursor):
    assert not re.fullmatch(cursor_pattern([Goal.position]), cursor)
    with pytest.raises(InvalidParameterError):
        decode_cursor(cursor, [Goal.position])


@pytest.mark.parametrize("value", ["A\x00", "", "x" * 500, "A.B"])
def test_string_keys_must_be_codes(value):
    with pytest.raises(InvalidParameterError):
        decode_cursor(value, [Perspective.code])


@pytest.mark.parametrize(
    "url",
    [
        "/v1/goals?cursor=" + "9" * 10,
        "/v1/perspectives?cursor=A%00",
        "/v1/measurements?cursor=1.1.1.1." + "9" * 21,
        "/v1/goals/A1/statuses?cursor=0.1",
    ],
)
def test_hostile_cursors_are_bad_requests_over_http(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "cursor"


@pytest.mark.parametrize("url", ["/v1/goals?cursor=999999999", "/v1/measurements?cursor=0.0.0.0.0"])
def test_any_cursor_of_the_documented_form_is_a_position(client, url):
    assert client.get(url).status_code == 200
