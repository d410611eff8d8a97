"""The report as one normalised string, and a check that a text is the report's own words,
allowing it to be split only where the printed layout interrupts it (at a line end).

Normalised as seed/README.md says: whitespace collapsed, lines joined by one space, and a
line-end hyphen joined to the next line as seed/source/line-breaks.tsv says."""

from __future__ import annotations

import bisect
import csv
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "seed" / "source"
REPORT = SOURCE / "report.txt"
LINE_BREAKS = SOURCE / "line-breaks.tsv"
LINE_END_HYPHEN = re.compile(r"\w-$")


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass
class ReportText:
    lines: list[str]

    @classmethod
    def load(cls, path: Path = REPORT) -> ReportText:
        return cls(path.read_text(encoding="utf-8").split("\n"))

    @cached_property
    def _joined(self) -> tuple[str, list[int]]:
        """The report's non-blank lines joined, with the offsets where each line ends."""
        with LINE_BREAKS.open(encoding="utf-8", newline="") as handle:
            breaks = {int(row["line"]): row["join"] for row in csv.DictReader(handle, delimiter="\t")}
        text, ends, previous = "", [], 0
        for number, line in enumerate(self.lines, 1):
            if not line.strip():
                continue
            piece = normalise(line)
            if text and LINE_END_HYPHEN.search(text):
                join = breaks.get(previous)
                if join == "drop-hyphen":
                    text, ends[-1] = text[:-1], ends[-1] - 1
                text += (" " if join == "space" else "") + piece
            else:
                text += (" " if text else "") + piece
            ends.append(len(text))
            previous = number
        return text, ends

    @property
    def text(self) -> str:
        return self._joined[0]

    def ends_a_line(self, piece: str) -> bool:
        text, ends = self._joined
        start = text.find(piece)
        while start >= 0:
            end = start + len(piece)
            index = bisect.bisect_left(ends, end)
            if index < len(ends) and ends[index] == end:
                return True
            start = text.find(piece, start + 1)
        return False

    def longest_prefix_in_report(self, text: str) -> int:
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if text[:middle] in self.text:
                low = middle
            else:
                high = middle - 1
        return low

    def layout_fragments(self, text: str) -> list[str]:
        """Split `text` into the fewest pieces that each occur verbatim in the report, every
        piece but the last ending where a report line ends. Raises ValueError when the text
        is not the report's own words."""
        fragments: list[str] = []
        rest = text
        while rest:
            if rest in self.text:
                return [*fragments, rest]
            longest = self.longest_prefix_in_report(rest)
            cut = next((k for k in range(longest, 0, -1) if self._is_cut(rest, k)), None)
            if cut is None:
                raise ValueError(f"not in the report: {rest[:longest + 40]!r}")
            fragments.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip()
        return fragments

    def _is_cut(self, text: str, length: int) -> bool:
        boundary = text[length:length + 1] in {" ", ""} or text[length - 1] == "-"
        return boundary and self.ends_a_line(text[:length].rstrip())
