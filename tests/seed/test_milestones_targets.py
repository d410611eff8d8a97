"""The curated milestones and targets (seed/milestones.json, seed/targets.json) against the
texts they quote: every quote verbatim, every date as printed, no day-precise date left out."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "seed"
MONTHS = {
    name: number
    for number, name in enumerate(
        "januari februari maart april mei juni juli augustus september oktober november "
        "december".split(),
        start=1,
    )
}
MONTH = "|".join(MONTHS)
# Day-precise dates as the report prints them: 14-05-2019, 1-1-2021, 9/2/21, 18/2/22,
# 2 februari 2021. ("131-2019" is a document number, not a date: it has two parts.)
NUMERIC_DAY = re.compile(r"(?<![\d/-])(\d{1,2})[-/](\d{1,2})[-/](\d{4}|\d{2})(?![\d/-])")
WRITTEN_DAY = re.compile(rf"(?<!\d)(\d{{1,2}}) ({MONTH}) (\d{{4}})", re.IGNORECASE)
WRITTEN_MONTH = re.compile(rf"(?<!\d )\b({MONTH}) (\d{{4}}|’\d{{2}})", re.IGNORECASE)
PART_OF_YEAR = re.compile(
    r"\b(?:begin|eind|medio|najaar|voorjaar|aanvang|ultimo|Q[1-4]|[1-4]e kwartaal) (\d{4})",
    re.IGNORECASE,
)


def _year(text: str) -> int:
    text = text.lstrip("’")
    return int(text) if len(text) == 4 else 2000 + int(text)


def printed_dates(text: str) -> set[tuple[str, str]]:
    """Every (ISO date at its precision, precision) printed in a text."""
    found: set[tuple[str, str]] = set()
    for day, month, year in NUMERIC_DAY.findall(text):
        found.add((date(_year(year), int(month), int(day)).isoformat(), "day"))
    for day, month, year in WRITTEN_DAY.findall(text):
        found.add((date(int(year), MONTHS[month.lower()], int(day)).isoformat(), "day"))
    for month, year in WRITTEN_MONTH.findall(text):
        found.add((f"{_year(year):04d}-{MONTHS[month.lower()]:02d}", "month"))
    for year in PART_OF_YEAR.findall(text):
        found.add((year, "year"))
    return found


def as_printed(iso_date: str, precision: str) -> tuple[str, str]:
    """A full ISO date at its precision, as printed_dates gives it: ("2022-03", "month")."""
    return iso_date[: {"day": 10, "month": 7, "year": 4}[precision]], precision


def day_dates(text: str) -> set[str]:
    return {iso for iso, precision in printed_dates(text) if precision == "day"}


def load(name: str):
    return json.loads((SEED / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def goals() -> dict[str, dict]:
    return {goal["code"]: goal for goal in load("goals.json")}


@pytest.fixture(scope="module")
def milestones() -> list[dict]:
    return load("milestones.json")


@pytest.fixture(scope="module")
def targets() -> list[dict]:
    return load("targets.json")


def _status(goals, code: str, as_of: str, source: str | None) -> dict:
    matches = [
        status
        for status in goals[code]["statuses"]
        if status["asOf"] == as_of and status["source"] == source
    ]
    assert len(matches) == 1, (code, as_of, source)
    return matches[0]


def test_the_date_reader_reads_the_reports_notations():
    assert printed_dates("Raadsbesluit d.d. 14-05-2019") == {("2019-05-14", "day")}
    assert printed_dates("per 1-1-2021, raadsbesluit 9/2/21, opening 18/2/22") == {
        ("2021-01-01", "day"),
        ("2021-02-09", "day"),
        ("2022-02-18", "day"),
    }
    assert printed_dates("op 2 februari 2021 door het college") == {("2021-02-02", "day")}
    assert printed_dates("in februari ’22 het") == {("2022-02", "month")}
    assert printed_dates("in het najaar 2022, in Q1 2022") == {("2022", "year")}
    assert printed_dates("Raadsvoorstel 131-2019, Klimaatbegroting 2018-2022") == set()
    assert year_is_printed("2022", "gepland voor 2022/2023")
    assert not year_is_printed("2019", "Raadsvoorstel 131-2019")


def test_every_milestone_quotes_its_status_verbatim(goals, milestones):
    for milestone in milestones:
        status = _status(goals, milestone["goalCode"], milestone["asOf"], milestone["source"])
        assert milestone["quote"] in status["text"], milestone


def year_is_printed(year: str, text: str) -> bool:
    """The year as a number of its own (also "2022/2023"; not inside "131-2019")."""
    return re.search(rf"(?<![\d-]){year}(?!\d)", text) is not None


def test_every_milestone_date_is_printed_in_its_quote(milestones):
    for milestone in milestones:
        written = as_printed(milestone["date"], milestone["datePrecision"])
        if milestone["datePrecision"] == "year":
            assert year_is_printed(written[0], milestone["quote"]), milestone
        else:
            assert written in printed_dates(milestone["quote"]), milestone


def test_every_day_precise_date_of_a_status_is_a_milestone(goals, milestones):
    covered: dict[str, set[str]] = defaultdict(set)
    for milestone in milestones:
        covered[milestone["goalCode"]] |= day_dates(milestone["quote"])
    missing = {
        code: sorted(day_dates(status["text"]) - covered[code])
        for code, goal in goals.items()
        for status in goal["statuses"]
        if day_dates(status["text"]) - covered[code]
    }
    assert missing == {}
    # The check has something to check: the report prints dozens of such dates.
    assert sum(len(dates) for dates in covered.values()) >= 40


def test_goals_sharing_a_status_share_its_milestones(goals, milestones):
    by_goal: dict[str, set[tuple]] = defaultdict(set)
    for milestone in milestones:
        by_goal[milestone["goalCode"]].add((milestone["date"], milestone["quote"]))
    for code, goal in goals.items():
        for status in goal["statuses"]:
            for other in status["sharedWith"]:
                assert by_goal[code] == by_goal[other], (code, other)
    assert by_goal["G3"] and by_goal["G3"] == by_goal["G4"]


def test_milestones_of_a_status_are_listed_once(milestones):
    keys = [(m["goalCode"], m["asOf"], m["quote"]) for m in milestones]
    assert len(keys) == len(set(keys))


def test_every_target_quotes_its_text_verbatim(goals, targets):
    for target in targets:
        goal = goals[target["goalCode"]]
        if target["source"] == "goal":
            text = goal["text"]
        else:
            text = _status(goals, target["goalCode"], target["asOf"], target["statusSource"])[
                "text"
            ]
        assert target["quote"] in text, target


def _dutch_numbers(text: str) -> set[float]:
    numbers = set()
    for match in re.findall(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?", text):
        numbers.add(float(match.replace(".", "").replace(",", ".")))
    return numbers


def test_every_target_value_and_deadline_is_printed_in_its_quote(targets):
    units = {unit["code"] for unit in load("units.json")}
    for target in targets:
        if target["value"] is not None:
            assert target["value"] in _dutch_numbers(target["quote"]), target
            assert target["unit"] in units, target
        if target["deadline"] is not None:
            assert target["deadline"][:4] in target["quote"], target
            assert year_is_printed(target["deadline"][:4], target["quote"]), target
            if target["deadlinePrecision"] != "year":
                written = as_printed(target["deadline"], target["deadlinePrecision"])
                assert written in printed_dates(target["quote"]), target
        assert target["value"] is not None or target["deadline"] is not None or target["note"]


def test_the_units_cover_every_metric(targets):
    units = {unit["code"] for unit in load("units.json")}
    metric_units = {
        metric["unit"] for indicator in load("indicators.json") for metric in indicator["metrics"]
    }
    assert metric_units <= units
    metrics = {
        metric["code"]: metric
        for indicator in load("indicators.json")
        for metric in indicator["metrics"]
    }
    for target in targets:
        if target["metricCode"] is not None:
            assert target["metricCode"] in metrics, target
