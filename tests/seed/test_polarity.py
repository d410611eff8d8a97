"""seed/polarity.tsv, the editorial polarity reading of each metric, against the report: every
metric is read once, every reading gives a reason and quotes the report verbatim."""

import csv

import pytest

from app.seed import read_seed
from tests.conftest import REAL_SEED_DIR
from tests.seed.report_text import ReportText

POLARITY = REAL_SEED_DIR / "polarity.tsv"


@pytest.fixture(scope="module")
def report():
    return ReportText.load()


@pytest.fixture(scope="module")
def readings():
    with POLARITY.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_metric_has_exactly_one_reading(readings):
    metrics = [m.code for i in read_seed(REAL_SEED_DIR).indicators for m in i.metrics]
    assert [row["metric"] for row in readings] == metrics


def test_readings_use_the_vocabulary_and_give_a_reason(readings):
    for row in readings:
        assert row["polarity"] in ("higherIsBetter", "lowerIsBetter", ""), row["metric"]
        assert row["reason"].strip(), row["metric"]


def test_every_quote_is_the_reports_own_words(readings, report):
    for row in readings:
        assert row["evidence"].strip(), row["metric"]
        # Split only where a printed line ends (the layout may interrupt a phrase there).
        assert report.layout_fragments(row["evidence"]), row["metric"]


def test_no_basis_is_null_not_guessed(readings):
    # The report states no aim for the distribution of education levels, nor for the count of
    # pupils printed where a percentage was asked for.
    nulls = {row["metric"] for row in readings if not row["polarity"]}
    assert nulls == {"M8.1", "M11.1", "M11.2", "M11.3"}
