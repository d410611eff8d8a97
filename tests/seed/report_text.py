"""The report as one whitespace-normalised string, and a check that a text is the report's own
words, allowing it to be split only where the printed layout interrupts it (at a line end)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "seed" / "source" / "report.txt"
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
        """The report's non-blank lines joined by one space (no space after a print
        hyphenation), with the offsets where each line ends."""
        text, ends = "", []
        for line in filter(str.strip, self.lines):
            piece = normalise(line)
            glue = "" if not text or LINE_END_HYPHEN.search(text) else " "
            text += glue + piece
            ends.append(len(text))
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
