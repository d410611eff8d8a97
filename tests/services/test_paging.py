"""Opaque keyset cursors (app/services/paging.py)."""

from datetime import date

import pytest

from app.core.errors import InvalidParameterError
from app.models import Goal, Perspective, StatusUpdate
from app.services.paging import decode_cursor, encode_cursor


def test_cursor_round_trips_dates_and_numbers():
    columns = [StatusUpdate.as_of, StatusUpdate.id]
    cursor = encode_cursor("statuses:A1", [date(2022, 2, 1), 7])
    assert decode_cursor("statuses:A1", cursor, columns) == [date(2022, 2, 1), 7]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        encode_cursor("goals", [1]) + "x",
        encode_cursor("other", [1]),
        encode_cursor("goals", ["one"]),
        encode_cursor("goals", [1, 2]),
        encode_cursor("goals", [True]),
        encode_cursor("goals", [10**30]),
        encode_cursor("goals", [1.5]),
    ],
)
def test_tampered_or_foreign_cursors_are_rejected(cursor):
    with pytest.raises(InvalidParameterError):
        decode_cursor("goals", cursor, [Goal.position])


@pytest.mark.parametrize("value", ["A\x00", "", "x" * 500, 3])
def test_string_keys_must_be_codes(value):
    with pytest.raises(InvalidParameterError):
        decode_cursor("perspectives", encode_cursor("perspectives", [value]), [Perspective.code])


@pytest.mark.parametrize(
    ("collection", "key"),
    [("goals", [10**30]), ("perspectives", ["A\x00"]), ("measurements", [1, 1, 1, 1, 2**70])],
)
def test_hostile_cursors_are_bad_requests_over_http(client, collection, key):
    response = client.get(f"/v1/{collection}?cursor={encode_cursor(collection, key)}")
    assert response.status_code == 400
