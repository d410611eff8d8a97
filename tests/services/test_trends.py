"""The trend rule (app/services/trends.py) on series built for the purpose."""

import pytest

from app.models import Measurement, Metric
from app.services.trends import metric_trend


def _metric(polarity):
    return Metric(
        code="M1.1", indicator_code="M1", position=1, name="x", unit="count", polarity=polarity
    )


def _measurement(period, value, status="final", id_=None):
    if "-" in period:
        start, end = (int(part) for part in period.split("-"))
        period_type = "schoolYear" if end - start == 1 else "multiYear"
    else:
        start = end = int(period)
        period_type = "year"
    return Measurement(
        id=id_,
        metric_code="M1.1",
        period=period,
        period_type=period_type,
        period_start=start,
        period_end=end,
        value=value,
        status=status,
    )


def test_latest_against_previous_with_change_and_percent():
    trend = metric_trend(
        _metric("lowerIsBetter"),
        [
            _measurement("2020", 29),
            _measurement("2018", 29),
            _measurement("2021", 37),
        ],
    )
    assert (trend.previous.period, trend.latest.period) == ("2020", "2021")
    assert trend.change == 8
    assert trend.change_percent == 27.6
    assert (trend.direction, trend.assessment) == ("up", "worse")


@pytest.mark.parametrize(
    ("polarity", "values", "direction", "assessment"),
    [
        ("higherIsBetter", (1, 2), "up", "better"),
        ("higherIsBetter", (2, 1), "down", "worse"),
        ("lowerIsBetter", (2, 1), "down", "better"),
        ("lowerIsBetter", (7.2, 7.2), "flat", "unchanged"),
        (None, (1, 2), "up", None),
        (None, (2, 2), "flat", None),
    ],
)
def test_assessment_follows_polarity(polarity, values, direction, assessment):
    previous, latest = values
    trend = metric_trend(
        _metric(polarity), [_measurement("2019", previous), _measurement("2020", latest)]
    )
    assert (trend.direction, trend.assessment) == (direction, assessment)


def test_decimal_changes_are_exact():
    trend = metric_trend(_metric(None), [_measurement("2019", 3.2), _measurement("2020", 3.0)])
    assert trend.change == -0.2
    assert trend.change_percent == -6.3


def test_no_percent_from_zero():
    trend = metric_trend(_metric(None), [_measurement("2016", 0), _measurement("2018", 3.1)])
    assert trend.change == 3.1 and trend.change_percent is None


def test_values_without_a_number_are_skipped_and_too_few_numbers_is_no_trend():
    assert metric_trend(_metric(None), []) is None
    assert metric_trend(_metric(None), [_measurement("2019", 5)]) is None
    assert (
        metric_trend(
            _metric(None), [_measurement("2019", 5), _measurement("2020", None, "notAvailable")]
        )
        is None
    )
    trend = metric_trend(
        _metric(None),
        [
            _measurement("2018", 4),
            _measurement("2019", 5),
            _measurement("2020", None, "pending"),
        ],
    )
    assert (trend.previous.period, trend.latest.period) == ("2018", "2019")


def test_only_comparable_periods_are_compared():
    # A school year is compared with a school year, a five-year window with a window of five.
    mixed = [
        _measurement("2014-2018", 67),
        _measurement("2019", 1),
        _measurement("2019-2020", 9),
        _measurement("2015-2019", 65),
    ]
    assert metric_trend(_metric(None), mixed) is None
    trend = metric_trend(_metric(None), [*mixed, _measurement("2016-2017", 30)])
    assert (trend.previous.period, trend.latest.period) == ("2016-2017", "2019-2020")


def test_window_against_window():
    trend = metric_trend(
        _metric("higherIsBetter"),
        [
            _measurement("2014-2018", 67),
            _measurement("2015-2019", 65),
            _measurement("2017-2021", None, "pending"),
        ],
    )
    assert (trend.previous.period, trend.latest.period, trend.assessment) == (
        "2014-2018",
        "2015-2019",
        "worse",
    )


def test_two_figures_of_one_period_are_not_a_trend():
    assert (
        metric_trend(
            _metric(None), [_measurement("2021", 90, id_=1), _measurement("2021", 95.3, id_=2)]
        )
        is None
    )


def test_provisional_values_are_marked():
    trend = metric_trend(
        _metric(None),
        [
            _measurement("2019-2020", 145),
            _measurement("2020-2021", 173, "provisional"),
        ],
    )
    assert trend.provisional is True
    assert trend.latest.status == "provisional"


@pytest.mark.parametrize(("previous", "latest"), [(5e-324, 1e300), (1e-300, 1e300)])
def test_a_percentage_beyond_a_double_is_left_out(previous, latest):
    """Any double is a valid value; a percentage no double can hold is left out rather than
    failing the whole answer."""
    trend = metric_trend(
        _metric("higherIsBetter"), [_measurement("2019", previous), _measurement("2020", latest)]
    )
    assert trend is not None
    assert (trend.direction, trend.assessment, trend.change) == ("up", "better", latest)
    assert trend.change_percent is None


def test_a_change_beyond_a_double_is_no_trend():
    series = [_measurement("2019", -1.7e308), _measurement("2020", 1.7e308)]
    assert metric_trend(_metric("higherIsBetter"), series) is None


def test_a_large_finite_percentage_is_kept():
    trend = metric_trend(
        _metric("higherIsBetter"), [_measurement("2019", 1e-10), _measurement("2020", 1e10)]
    )
    assert trend is not None and trend.change_percent == pytest.approx(1e22, rel=1e-9)
