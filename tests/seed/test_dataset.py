"""The curated dataset under seed/ against the report it comes from: complete, verbatim, and
internally consistent. Any slip in the extraction fails one of these tests."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.seed.report_text import ReportText, normalise

SEED = Path(__file__).resolve().parents[2] / "seed"
GOAL_CODES = {
    prefix: [f"{prefix}{n}" for n in range(1, count + 1)]
    for prefix, count in {"A": 9, "B": 14, "C": 34, "D": 12, "E": 18, "F": 14, "G": 19}.items()
}
DUTCH_NUMBER = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")


def load_json(name: str):
    return json.loads((SEED / name).read_text(encoding="utf-8"))


def load_build_tool():
    spec = importlib.util.spec_from_file_location("build_goals", SEED / "tools" / "build_goals.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report() -> ReportText:
    return ReportText.load()


@pytest.fixture(scope="module")
def build_tool():
    return load_build_tool()


@pytest.fixture(scope="module")
def perspectives():
    return load_json("perspectives.json")


@pytest.fixture(scope="module")
def goals():
    return load_json("goals.json")


@pytest.fixture(scope="module")
def indicators():
    return load_json("indicators.json")


@pytest.fixture(scope="module")
def measurements():
    with (SEED / "measurements.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def dutch_number(text: str) -> float:
    """The first number printed in a cell, read the Dutch way ("7.976" is 7976, "7,2" is 7.2)."""
    match = DUTCH_NUMBER.search(text)
    assert match, f"no number in {text!r}"
    return float(match.group().replace(".", "").replace(",", "."))


def indicator_regions(lines: list[str]) -> list[tuple[int, int]]:
    """Line ranges (1-based, inclusive) of the seven indicator tables: from their heading to the
    next section heading or the end of the report."""
    starts = [i for i, line in enumerate(lines, 1) if "Te ontwikkelen indicatoren 2018 - 2022" in line]
    sections = [i for i, line in enumerate(lines, 1) if re.match(r"^\s*2\.[1-7]\s", line)]
    return [(start, min([s - 1 for s in sections if s > start], default=len(lines))) for start in starts]


# --- counts and identity -------------------------------------------------------------------


def test_seven_perspectives_in_report_order(perspectives, report):
    assert [p["code"] for p in perspectives] == list("ABCDEFG")
    assert [p["number"] for p in perspectives] == [f"2.{n}" for n in range(1, 8)]
    for perspective in perspectives:
        heading = f"{perspective['number']} {perspective['name']}"
        assert any(normalise(line) == heading for line in report.lines), heading
    assert perspectives[5]["name"] == "Economische vitale stad"  # as the heading of 2.6 prints it


def test_slugs_are_unique_kebab_case(perspectives):
    slugs = [p["slug"] for p in perspectives]
    assert len(set(slugs)) == 7
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", slug) for slug in slugs)


def test_exactly_the_120_goals_in_document_order(goals):
    expected = {code for codes in GOAL_CODES.values() for code in codes}
    assert len(goals) == 120
    assert {g["code"] for g in goals} == expected
    assert [g["order"] for g in goals] == list(range(1, 121))
    for goal in goals:
        assert goal["perspectiveCode"] == goal["code"][0]


def test_exactly_the_21_indicators(indicators):
    assert [i["code"] for i in indicators] == [f"M{n}" for n in range(1, 22)]
    assert all(i["perspectiveCode"] in "ABCDEFG" for i in indicators)


# --- goals and statuses ----------------------------------------------------------------------


def test_goals_json_is_what_the_curated_line_maps_build(build_tool, goals):
    assert build_tool.build() == goals


def test_goal_tables_characters_each_end_up_in_exactly_one_goal_or_status(build_tool, goals):
    lines = build_tool.report_lines()
    print_hyphens = {line for line, join in build_tool.line_breaks().items() if join == "drop-hyphen"}
    table_characters: Counter[str] = Counter()
    for perspective in "ABCDEFG":
        region = build_tool.goal_table_regions(lines)[perspective]
        for segment in build_tool.read_map(perspective, lines, region):
            if segment.role in {"goal", "status"}:
                text = segment.text
                if segment.ends_line and segment.line in print_hyphens:
                    text = text.removesuffix("-")  # the PDF's hyphenation, not the report's words
                table_characters.update(text.replace(" ", ""))
    served_characters: Counter[str] = Counter()
    shared_seen: set[tuple[str, ...]] = set()
    for goal in goals:
        served_characters.update(goal["text"].replace(" ", ""))
        status = goal["statuses"][0]
        owners = tuple(sorted([goal["code"], *status["sharedWith"]]))
        if owners not in shared_seen:
            shared_seen.add(owners)
            served_characters.update(status["text"].replace(" ", ""))
    assert served_characters == table_characters


def test_goal_tables_leave_out_only_codes_headers_footers_and_urls(build_tool):
    lines = build_tool.report_lines()
    for perspective in "ABCDEFG":
        region = build_tool.goal_table_regions(lines)[perspective]
        for segment in build_tool.read_map(perspective, lines, region):
            if segment.role == "code":
                assert re.fullmatch(r"[A-G]\d{1,2}", segment.text)
            elif segment.role == "header":
                assert "Doelstelling" in segment.text
            elif segment.role == "footer":
                assert segment.text.startswith("Hoofdlijnenakkoord coalitie 2018 – 2022")
            elif segment.role in {"url", "url+"}:
                assert re.fullmatch(r"\S+", segment.text)


def test_goal_and_status_texts_are_verbatim(goals, report):
    for goal in goals:
        for text in [goal["text"], goal["statuses"][0]["text"]]:
            assert report.layout_fragments(text), goal["code"]


def test_statuses_are_the_february_2022_report(goals):
    for goal in goals:
        (status,) = goal["statuses"]
        assert status["asOf"] == "2022-02-01"
        assert status["asOfLabel"] == "februari 2022"
        assert status["source"] == "Hoofdlijnenakkoord coalitie 2018 – 2022, stand van zaken februari 2022"


def test_shared_statuses_are_shared_both_ways(goals):
    by_code = {g["code"]: g for g in goals}
    for goal in goals:
        status = goal["statuses"][0]
        for other in status["sharedWith"]:
            other_status = by_code[other]["statuses"][0]
            assert other_status["text"] == status["text"]
            assert goal["code"] in other_status["sharedWith"]


def test_progress_is_justified_by_a_phrase_of_the_status(goals):
    for goal in goals:
        status = goal["statuses"][0]
        assert status["progress"] in {"achieved", "inProgress", "delayed", "discontinued", "seeOther"}
        assert status["progressEvidence"]
        assert status["progressEvidence"] in status["text"], goal["code"]


def test_see_other_statuses_point_to_a_goal(goals):
    for goal in goals:
        status = goal["statuses"][0]
        if status["progress"] == "seeOther":
            assert goal["crossReferences"], goal["code"]


def test_every_cross_reference_points_to_an_existing_goal(goals):
    codes = {g["code"] for g in goals}
    references = [ref for goal in goals for ref in goal["crossReferences"]]
    assert references, "the report refers between goals ('Zie F4', 'Onderdeel van C2')"
    assert set(references) <= codes


def test_links_are_hyperlinks_printed_in_the_goal_tables(goals, report):
    for goal in goals:
        for link in goal["links"]:
            assert re.fullmatch(r"(https?://|www\.)\S+", link), link
            assert report.layout_fragments(link)


# --- perspectives, indicators, metrics ------------------------------------------------------


def test_introductions_are_verbatim(perspectives, report):
    for perspective in perspectives:
        assert perspective["description"] in report.text, perspective["code"]


def test_indicator_and_metric_texts_are_verbatim(indicators, report):
    for indicator in indicators:
        texts = [indicator["name"], indicator["note"]]
        for metric in indicator["metrics"]:
            texts += [metric["name"], metric["breakdown"], metric["source"], *metric["notes"]]
        for text in filter(None, texts):
            if text.startswith("Editorial note:"):
                continue  # the project's own remark, marked as such
            assert report.layout_fragments(text), (indicator["code"], text)


def test_metric_codes_number_each_indicator_in_document_order(indicators):
    for indicator in indicators:
        codes = [m["code"] for m in indicator["metrics"]]
        assert codes == [f"{indicator['code']}.{n}" for n in range(1, len(codes) + 1)]
        lines = [m["line"] for m in indicator["metrics"]]
        assert lines == sorted(lines), indicator["code"]
        for metric in indicator["metrics"]:
            assert metric["unit"], metric["code"]


def test_indicators_without_metrics_explain_why(indicators):
    for indicator in indicators:
        if not indicator["metrics"]:
            assert indicator["note"], indicator["code"]


# --- measurements ----------------------------------------------------------------------------


def test_every_measurement_belongs_to_a_metric(indicators, measurements):
    metrics = {m["code"] for i in indicators for m in i["metrics"]}
    assert {row["metricCode"] for row in measurements} <= metrics


def test_values_are_the_dutch_reading_of_the_printed_cell(measurements):
    for row in measurements:
        if row["value"] == "":
            assert row["status"] in {"notAvailable", "pending", "notReliable"}, row
            continue
        assert float(row["value"]) == dutch_number(row["valueText"]), row
        assert re.fullmatch(r"-?\d+(\.\d+)?", row["value"]), row


def test_printed_cells_are_verbatim(measurements, report):
    for row in measurements:
        for text in filter(None, [row["valueText"], row["footnote"], row["source"]]):
            assert report.layout_fragments(text), row


def test_periods_parse_into_their_years(measurements):
    shapes = {"year": r"(\d{4})", "schoolYear": r"(\d{4})[-/](\d{4})", "multiYear": r"(\d{4})\s?[–-]\s?(\d{4})"}
    for row in measurements:
        match = re.fullmatch(shapes[row["periodType"]], row["period"])
        assert match, row
        years = [int(year) for year in match.groups()]
        assert (int(row["periodStart"]), int(row["periodEnd"])) == (years[0], years[-1]), row
        if row["periodType"] == "schoolYear":
            assert years[1] == years[0] + 1, row


def test_one_measurement_per_metric_period_and_source(measurements):
    keys = Counter((row["metricCode"], row["period"], row["source"]) for row in measurements)
    assert not [key for key, count in keys.items() if count > 1]


def test_statuses_of_measurements_are_known(measurements):
    statuses = {row["status"] for row in measurements}
    assert statuses <= {"final", "provisional", "notAvailable", "pending", "notReliable"}


def test_every_printed_realisatie_row_is_represented(report, measurements):
    realisatie_lines = {
        number
        for start, end in indicator_regions(report.lines)
        for number in range(start, end + 1)
        if "Realisatie" in report.lines[number - 1]
    }
    assert len(realisatie_lines) > 50
    represented = {int(row["line"]) for row in measurements}
    assert realisatie_lines - represented == set()
    assert represented - realisatie_lines == set()
    for row in measurements:
        assert row["period"] in printed_row(report.lines, int(row["line"])), row


def printed_row(lines: list[str], start: int) -> str:
    """A "Realisatie" row as printed: its line and the lines after it, up to the next row (the
    period and the figure can follow a few lines later, even after a page header)."""
    following = []
    for number in range(start + 1, min(start + 12, len(lines) + 1)):
        if "Realisatie" in lines[number - 1]:
            break
        following.append(lines[number - 1])
    return normalise(" ".join([lines[start - 1], *following]))
