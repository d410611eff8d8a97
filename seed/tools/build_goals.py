"""Build seed/goals.json from the curated line maps of the report's goal tables.

The curated files are the source of truth:
  seed/source/goal-tables/<P>.tsv   which part of which report line belongs to which goal
  seed/source/progress/<P>.tsv      the editorial progress reading of each goal's status
  seed/perspectives.json            the seven perspectives
  seed/source/line-breaks.tsv       the line-end hyphens that are print hyphenation

Usage:
  python seed/tools/build_goals.py          check the line maps and (re)write seed/goals.json
  python seed/tools/build_goals.py --check  fail if seed/goals.json is not what the maps give
  python seed/tools/build_goals.py --only=AB  check the maps of A and B and print their goals
                                            (references to other perspectives are not checked)
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[1]
REPORT = SEED_DIR / "source" / "report.txt"
GOAL_TABLES = SEED_DIR / "source" / "goal-tables"
PROGRESS = SEED_DIR / "source" / "progress"
GOALS_JSON = SEED_DIR / "goals.json"
LINE_BREAKS = SEED_DIR / "source" / "line-breaks.tsv"

ROLES = {"code", "goal", "status", "header", "footer", "url", "url+"}
PROGRESS_VALUES = {"achieved", "inProgress", "delayed", "discontinued", "seeOther"}
STATUS_AS_OF = "2022-02-01"
STATUS_AS_OF_LABEL = "februari 2022"
REPORT_TITLE = "Hoofdlijnenakkoord coalitie 2018 – 2022, stand van zaken februari 2022"
GOAL_CODE = re.compile(r"^[A-G][1-9][0-9]?$")
# The report refers to a goal as "Zie B1", "zie ook D4", "Onderdeel van C2", "(D10)", "realisatie van
# B11", "meegenomen bij D7" or "ambitie B3". A bare code is not enough: "de missie en visie voor C3"
# names the merged cultural institutions, not goal C3.
CROSS_REFERENCE = re.compile(
    r"(?:[Zz]ie(?: ook)?|[Oo]nderdeel van|realisatie van|meegenomen bij|ambitie|\()"
    r"\s*((?:[A-G][1-9][0-9]?(?:\s*(?:,|en|/)\s*)?)+)"
)
CODE_IN_LIST = re.compile(r"[A-G][1-9][0-9]?")


class SeedError(Exception):
    """A curated file contradicts the report or itself."""


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Segment:
    line: int
    role: str
    goals: list[str]
    text: str
    ends_line: bool = False


@dataclass
class GoalDraft:
    code: str
    perspective: str
    first_line: int
    text_segments: list[Segment] = field(default_factory=list)
    status_segments: list[Segment] = field(default_factory=list)
    status_owners: tuple[str, ...] = ()
    links: list[str] = field(default_factory=list)


def report_lines(path: Path = REPORT) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def goal_table_regions(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Line ranges (1-based, inclusive) of the seven goal tables, from their heading to the
    line before the indicator table."""
    headings = [i for i, line in enumerate(lines, 1) if "Doelstellingen 2018 – 2022" in line]
    ends = [i for i, line in enumerate(lines, 1) if "Te ontwikkelen indicatoren 2018 - 2022" in line]
    if len(headings) != 7 or len(ends) != 7:
        raise SeedError(f"expected 7 goal tables, found {len(headings)} headings and {len(ends)} ends")
    return {code: (start, end - 1) for code, start, end in zip("ABCDEFG", headings, ends)}


def line_breaks(path: Path = LINE_BREAKS) -> dict[int, str]:
    """How a line that ends with a hyphen joins the next one, where it is not simply "keep the
    hyphen, no space": `drop-hyphen` (print hyphenation, "beleidsontwik-" / "keling") or `space`
    (a suspended compound, "woon-" / "en")."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {int(row["line"]): row["join"] for row in csv.DictReader(handle, delimiter="\t")}


def join_segments(segments: list[Segment], breaks: dict[int, str] | None = None) -> str:
    """Join a text's pieces with one space. After a hyphen that ends a report line the next piece
    follows directly: the hyphen is kept (Sittard-Geleen) unless line-breaks.tsv says otherwise."""
    breaks = line_breaks() if breaks is None else breaks
    text = ""
    for previous, segment in zip([None, *segments], segments):
        if not text:
            text = segment.text
        elif previous.ends_line and re.search(r"\w-$", previous.text):
            join = breaks.get(previous.line)
            text = text[:-1] + segment.text if join == "drop-hyphen" else text + (" " if join else "") + segment.text
        else:
            text += " " + segment.text
    return text


def read_map(perspective: str, lines: list[str], region: tuple[int, int]) -> list[Segment]:
    path = GOAL_TABLES / f"{perspective}.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    segments = []
    for number, row in enumerate(rows, 2):
        where = f"{path.name}:{number}"
        if row["role"] not in ROLES:
            raise SeedError(f"{where}: unknown role {row['role']!r}")
        goals = [code for code in (row["goal"] or "").split(",") if code]
        if any(not GOAL_CODE.match(code) or code[0] != perspective for code in goals):
            raise SeedError(f"{where}: bad goal {row['goal']!r}")
        if row["role"] in {"code", "goal", "status"} and not goals:
            raise SeedError(f"{where}: a {row['role']} row needs a goal")
        if row["role"] in {"code", "goal"} and len(goals) != 1:
            raise SeedError(f"{where}: a {row['role']} row belongs to exactly one goal")
        segments.append(Segment(int(row["line"]), row["role"], goals, row["text"]))
    check_coverage(path.name, segments, lines, region)
    return segments


def check_coverage(name: str, segments: list[Segment], lines: list[str], region: tuple[int, int]) -> None:
    """Every non-blank line of the table is the exact concatenation of its segments, in order."""
    expected = [n for n in range(region[0], region[1] + 1) if lines[n - 1].strip()]
    by_line: dict[int, list[Segment]] = {}
    for segment in segments:
        by_line.setdefault(segment.line, []).append(segment)
    if [s.line for s in segments] != sorted(s.line for s in segments):
        raise SeedError(f"{name}: rows are not in line order")
    missing = sorted(set(expected) - set(by_line))
    extra = sorted(set(by_line) - set(expected))
    if missing or extra:
        raise SeedError(f"{name}: lines not mapped {missing[:10]}, lines outside the table {extra[:10]}")
    for number, line_segments in by_line.items():
        joined = " ".join(s.text for s in line_segments)
        if joined != normalise(lines[number - 1]) or any(s.text != normalise(s.text) or not s.text for s in line_segments):
            raise SeedError(f"{name}: line {number}: segments {joined!r} != {normalise(lines[number - 1])!r}")
        line_segments[-1].ends_line = True


def draft_goals(perspective: str, segments: list[Segment]) -> list[GoalDraft]:
    drafts: dict[str, GoalDraft] = {}
    pending_url: list[str] | None = None
    for segment in segments:
        if segment.role == "code":
            if segment.text != segment.goals[0] or segment.goals[0] in drafts:
                raise SeedError(f"{perspective}: line {segment.line}: code {segment.text!r} misplaced or repeated")
            drafts[segment.text] = GoalDraft(segment.text, perspective, segment.line)
    for segment in segments:
        unknown = [code for code in segment.goals if code not in drafts]
        if unknown:
            raise SeedError(f"{perspective}: line {segment.line}: no code row for {unknown}")
        if segment.role == "goal":
            drafts[segment.goals[0]].text_segments.append(segment)
        elif segment.role == "status":
            add_status_segment(drafts, segment)
        elif segment.role == "url":
            pending_url = [segment.text]
            for code in segment.goals:
                drafts[code].links.append(segment.text)
        elif segment.role == "url+":
            if pending_url is None:
                raise SeedError(f"{perspective}: line {segment.line}: url+ without url")
            for code in segment.goals:
                drafts[code].links[-1] += segment.text
    return sorted(drafts.values(), key=lambda draft: draft.first_line)


def add_status_segment(drafts: dict[str, GoalDraft], segment: Segment) -> None:
    owners = tuple(segment.goals)
    for code in owners:
        draft = drafts[code]
        if draft.status_owners and draft.status_owners != owners:
            raise SeedError(f"line {segment.line}: goal {code} has status rows for {draft.status_owners} and {owners}")
        draft.status_owners = owners
        draft.status_segments.append(segment)


def read_progress(perspective: str) -> dict[str, dict[str, str]]:
    path = PROGRESS / f"{perspective}.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    readings = {}
    for row in rows:
        if row["progress"] not in PROGRESS_VALUES:
            raise SeedError(f"{path.name}: {row['goal']}: unknown progress {row['progress']!r}")
        if row["goal"] in readings:
            raise SeedError(f"{path.name}: {row['goal']} twice")
        readings[row["goal"]] = row
    return readings


def cross_references(*texts: str) -> list[str]:
    codes: list[str] = []
    for text in texts:
        for match in CROSS_REFERENCE.finditer(text):
            codes += [code for code in CODE_IN_LIST.findall(match.group(1)) if code not in codes]
    return codes


def goal_record(draft: GoalDraft, order: int, progress: dict[str, str]) -> dict:
    if not draft.text_segments or not draft.status_segments:
        raise SeedError(f"{draft.code}: needs both a goal text and a status text")
    text = join_segments(draft.text_segments)
    status_text = join_segments(draft.status_segments)
    if normalise(progress["evidence"]) not in status_text:
        raise SeedError(f"{draft.code}: progress evidence {progress['evidence']!r} is not in its status")
    return {
        "code": draft.code,
        "perspectiveCode": draft.perspective,
        "order": order,
        "text": text,
        "crossReferences": [code for code in cross_references(text, status_text) if code != draft.code],
        "links": list(dict.fromkeys(draft.links)),  # one target printed per line of its anchor text
        "statuses": [
            {
                "asOf": STATUS_AS_OF,
                "asOfLabel": STATUS_AS_OF_LABEL,
                "text": status_text,
                "source": REPORT_TITLE,
                "sharedWith": [code for code in draft.status_owners if code != draft.code],
                "progress": progress["progress"],
                "progressEvidence": normalise(progress["evidence"]),
            }
        ],
    }


def build(lines: list[str] | None = None, perspectives: str = "ABCDEFG") -> list[dict]:
    lines = lines if lines is not None else report_lines()
    records: list[dict] = []
    for perspective, region in goal_table_regions(lines).items():
        if perspective not in perspectives:
            continue
        drafts = draft_goals(perspective, read_map(perspective, lines, region))
        progress = read_progress(perspective)
        missing = sorted({draft.code for draft in drafts} ^ set(progress))
        if missing:
            raise SeedError(f"{perspective}: progress rows and goals differ: {missing}")
        records += [goal_record(draft, 0, progress[draft.code]) for draft in drafts]
    for order, record in enumerate(records, 1):
        record["order"] = order
    known = {record["code"] for record in records}
    for record in records if perspectives == "ABCDEFG" else []:
        dangling = [code for code in record["crossReferences"] if code not in known]
        if dangling:
            raise SeedError(f"{record['code']}: cross-reference to unknown goal {dangling}")
    return records


def render(records: list[dict]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Build seed/goals.json from the curated line maps.")
    parser.add_argument("--check", action="store_true", help="fail if goals.json is out of date")
    parser.add_argument("--only", help="check and print only these perspectives, e.g. AB")
    arguments = parser.parse_args(argv)
    only = arguments.only
    try:
        rendered = render(build(perspectives=only or "ABCDEFG"))
    except SeedError as error:
        print(f"seed error: {error}", file=sys.stderr)
        return 1
    if only:
        print(rendered)
        return 0
    if arguments.check:
        if not GOALS_JSON.exists() or GOALS_JSON.read_text(encoding="utf-8") != rendered:
            print("seed/goals.json is out of date: run python seed/tools/build_goals.py", file=sys.stderr)
            return 1
        return 0
    GOALS_JSON.write_text(rendered, encoding="utf-8")
    print(f"wrote {GOALS_JSON} ({len(json.loads(rendered))} goals)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
