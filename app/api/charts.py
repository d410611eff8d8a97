"""SVG charts of metric series, written with xml.etree (no browser, no plotting stack).

A chart is safe to inline in any page: no scripts, no styles sheets, no external references,
only shapes and text with presentation attributes. It is accessible: `role="img"` labelled by a
`<title>` (the metric and its unit) and a `<desc>` that lists every value, so a screen reader
gets the data a sighted reader sees. Years are drawn as a line over a time axis (a year without
a figure is a gap in the line), school years and multi-year windows as bars, one slot each.
Provisional values are drawn hollow and dashed; periods without a figure are listed in a note;
the source is printed under the chart. Every mark carries `data-period` and `data-value`.
"""

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal

from app.services.indicators import IndicatorView, MeasurementView, MetricView

Language = Literal["nl", "en"]
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
MARK = "#1d5fa6"
LINE_HEIGHT = 16

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "line": "Lijndiagram",
        "bars": "Staafdiagram",
        "of": "van",
        "in": "in",
        "year": "Jaar",
        "schoolYear": "Schooljaar",
        "multiYear": "Periode (voortschrijdend gemiddelde)",
        "source": "Bron",
        "provisional": "voorlopig cijfer",
        "notAvailable": "niet beschikbaar",
        "pending": "nog niet bekend, volgt later",
        "notReliable": "geen betrouwbaar cijfer",
        "noData": "Geen meetgegevens",
        "noMetrics": "Geen meetreeksen voor deze indicator",
        "hollow": "open markering = voorlopig cijfer",
        "gap": "n.b.",
        "indicator": "Indicator",
    },
    "en": {
        "line": "Line chart",
        "bars": "Bar chart",
        "of": "of",
        "in": "in",
        "year": "Year",
        "schoolYear": "School year",
        "multiYear": "Period (moving average)",
        "source": "Source",
        "provisional": "provisional",
        "notAvailable": "not available",
        "pending": "not yet known, to follow",
        "notReliable": "no reliable figure",
        "noData": "No measurements",
        "noMetrics": "No series for this indicator",
        "hollow": "hollow mark = provisional",
        "gap": "n/a",
        "indicator": "Indicator",
    },
}
UNITS: dict[str, dict[str, str]] = {
    "nl": {
        "percent": "procent (%)",
        "count": "aantal",
        "tonnesCo2": "ton CO2 per jaar",
        "per1000Aged5to18": "per 1000 inwoners van 5–18 jaar",
        "score1to10": "score (1–10)",
    },
    "en": {
        "percent": "percent (%)",
        "count": "number",
        "tonnesCo2": "tonnes of CO2 per year",
        "per1000Aged5to18": "per 1000 inhabitants aged 5–18",
        "score1to10": "score (1–10)",
    },
}


@dataclass(frozen=True)
class ChartOptions:
    width: int
    height: int
    lang: Language = "nl"


def format_number(value: float, lang: Language, decimals: int | None = None) -> str:
    """Dutch notation by default: 437.608 and 7,5 (English: 437,608 and 7.5)."""
    if decimals is None:
        text = repr(float(value))
        decimals = 0 if float(value).is_integer() else len(text.split(".")[1])
        if "e" in text:
            decimals = 6
    plain = f"{value:,.{decimals}f}"
    if lang == "en":
        return plain
    return plain.translate(str.maketrans({",": ".", ".": ","}))


def _plain(value: float) -> str:
    """The value as the API's JSON writes it: 7976, 7.2."""
    return str(int(value)) if value.is_integer() else repr(value)


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    step = _nice_step(high - low, count)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _tick_decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


def _element_id(*parts: str) -> str:
    return "chart-" + "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part) for part in parts)


def _text(parent: ET.Element, x: float, y: float, content: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent,
        "text",
        {"x": f"{x:.1f}", "y": f"{y:.1f}", "fill": attributes.pop("fill", INK), **attributes},
    )
    element.text = content
    return element


def _wrap(text: str, width: float, font_size: int, max_lines: int) -> list[str]:
    # An average glyph of a bold sans-serif is about 0.6 em wide.
    per_line = max(10, int(width / (font_size * 0.6)))
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) > per_line and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return lines


def _heading(view: MetricView) -> str:
    metric = view.metric
    name = f"{metric.name} {metric.breakdown}" if metric.breakdown else metric.name
    return f"{metric.code} {name}"


def _unit(view: MetricView, lang: Language) -> str:
    return UNITS[lang].get(view.metric.unit, view.metric.unit)


def _sources(view: MetricView) -> str:
    sources: list[str] = []
    for item in view.measurements or []:
        if item.source and item.source not in sources:
            sources.append(item.source)
    if not sources and view.metric.source:
        sources.append(view.metric.source)
    return "; ".join(sources)


def _description(view: MetricView, lang: Language, kind: str) -> str:
    texts = TEXTS[lang]
    values = []
    for item in view.measurements or []:
        record = item.measurement
        if record.value is None:
            values.append(f"{record.period}: {texts.get(record.status, record.status)}")
        else:
            value = format_number(record.value, lang)
            if record.status == "provisional":
                value += f" ({texts['provisional']})"
            values.append(f"{record.period}: {value}")
    listing = "; ".join(values) if values else texts["noData"]
    source = _sources(view)
    sentence = (
        f"{texts[kind]} {texts['of']} {_heading(view)}, {texts['in']} {_unit(view, lang)}. "
        f"{listing}."
    )
    return sentence + (f" {texts['source']}: {source}." if source else "")


def _kind(view: MetricView) -> str:
    types = {item.measurement.period_type for item in view.measurements or []}
    return "line" if types <= {"year"} else "bars"


class _Panel:
    """One metric's chart inside a box of the SVG."""

    def __init__(self, view: MetricView, options: ChartOptions, top: float, height: float):
        self.view = view
        self.options = options
        self.texts = TEXTS[options.lang]
        self.top = top
        self.height = height
        self.measurements = view.measurements or []
        self.numeric = [item for item in self.measurements if item.measurement.value is not None]

    def draw(self, parent: ET.Element) -> None:
        group = ET.SubElement(
            parent, "g", {"class": "metric", "data-metric": self.view.metric.code}
        )
        width = self.options.width
        y = self.top + 18
        for line in _wrap(_heading(self.view), width - 24, 14, 2):
            _text(group, 12, y, line, **{"font-size": "14", "font-weight": "600"})
            y += 18
        notes = self._notes()
        footer = (len(notes) + 1) * LINE_HEIGHT + 8
        plot = {"left": 72.0, "right": width - 16.0, "top": y + 8, "bottom": 0.0}
        plot["bottom"] = self.top + self.height - footer - 40
        if not self.measurements:
            _text(group, plot["left"], plot["top"] + 20, self.texts["noData"], fill=MUTED)
        elif plot["bottom"] - plot["top"] >= 24:
            self._plot(group, plot)
        y = self.top + self.height - footer + 4
        for note in notes:
            y += LINE_HEIGHT
            _text(group, 12, y, note, fill=MUTED, **{"font-size": "12"})
        source = _sources(self.view)
        if source:
            line = _wrap(f"{self.texts['source']}: {source}", width - 24, 12, 1)[0]
            _text(group, 12, y + LINE_HEIGHT, line, fill=MUTED, **{"font-size": "12"})

    def _notes(self) -> list[str]:
        notes = [
            f"{item.measurement.period}: {self.texts.get(item.measurement.status)}"
            for item in self.measurements
            if item.measurement.value is None
        ]
        if any(item.measurement.status == "provisional" for item in self.numeric):
            notes.append(self.texts["hollow"])
        return notes

    def _y_scale(self, plot: dict[str, float], kind: str):
        values = [item.measurement.value for item in self.numeric] or [0.0]
        low, high = min(values), max(values)
        if kind == "bars" or (low >= 0 and low <= (high - low)):
            low = 0.0
        else:
            padding = (high - low) * 0.2 or abs(high) * 0.1 or 1
            low = max(0.0, low - padding) if low >= 0 else low - padding
        ticks = _ticks(low, high)
        bottom, top = ticks[0], ticks[-1]

        def scale(value: float) -> float:
            return plot["bottom"] - (value - bottom) / (top - bottom) * (
                plot["bottom"] - plot["top"]
            )

        return scale, ticks

    def _plot(self, group: ET.Element, plot: dict[str, float]) -> None:
        kind = _kind(self.view)
        y_of, ticks = self._y_scale(plot, kind)
        decimals = _tick_decimals(ticks)
        labels = [format_number(tick, self.options.lang, decimals) for tick in ticks]
        # Room for the longest tick label and the rotated unit label beside it.
        plot["left"] = 36 + 7.2 * max(len(label) for label in labels)
        axes = ET.SubElement(group, "g", {"class": "axes", "font-size": "12"})
        for tick, label in zip(ticks, labels, strict=True):
            y = y_of(tick)
            ET.SubElement(
                axes,
                "line",
                {
                    "x1": f"{plot['left']:.1f}",
                    "x2": f"{plot['right']:.1f}",
                    "y1": f"{y:.1f}",
                    "y2": f"{y:.1f}",
                    "stroke": GRID,
                },
            )
            _text(axes, plot["left"] - 6, y + 4, label, fill=MUTED, **{"text-anchor": "end"})
        _text(
            axes,
            14,
            (plot["top"] + plot["bottom"]) / 2,
            _unit(self.view, self.options.lang),
            fill=MUTED,
            transform=f"rotate(-90 14 {(plot['top'] + plot['bottom']) / 2:.1f})",
            **{"text-anchor": "middle", "class": "y-label"},
        )
        period_types = sorted({item.measurement.period_type for item in self.measurements})
        x_label = " / ".join(self.texts.get(kind_, kind_) for kind_ in period_types)
        _text(
            axes,
            (plot["left"] + plot["right"]) / 2,
            plot["bottom"] + 34,
            x_label,
            fill=MUTED,
            **{"text-anchor": "middle", "class": "x-label"},
        )
        ET.SubElement(
            axes,
            "line",
            {
                "x1": f"{plot['left']:.1f}",
                "x2": f"{plot['right']:.1f}",
                "y1": f"{plot['bottom']:.1f}",
                "y2": f"{plot['bottom']:.1f}",
                "stroke": MUTED,
            },
        )
        if kind == "line":
            self._line(group, axes, plot, y_of)
        else:
            self._bars(group, axes, plot, y_of)

    def _line(self, group, axes, plot, y_of) -> None:
        years = sorted({item.measurement.period_start for item in self.measurements})
        first, last = years[0], years[-1]
        span = max(last - first, 1)
        inset = 24.0

        def x_of(year: int) -> float:
            if first == last:
                return (plot["left"] + plot["right"]) / 2
            return (
                plot["left"]
                + inset
                + (year - first) / span * (plot["right"] - plot["left"] - 2 * inset)
            )

        for year in years:
            _text(
                axes,
                x_of(year),
                plot["bottom"] + 16,
                str(year),
                fill=MUTED,
                **{"text-anchor": "middle"},
            )
        # A line joins neighbouring figures only: a year without a figure is a gap.
        runs: list[list[MeasurementView]] = [[]]
        for item in self.measurements:
            if item.measurement.value is None:
                runs.append([])
            else:
                runs[-1].append(item)
        for run in runs:
            if len(run) > 1:
                points = " ".join(
                    f"{x_of(p.measurement.period_start):.1f},{y_of(p.measurement.value):.1f}"
                    for p in run
                )
                ET.SubElement(
                    group,
                    "polyline",
                    {"points": points, "fill": "none", "stroke": MARK, "stroke-width": "2.5"},
                )
        for item in self.measurements:
            if item.measurement.value is None:
                self._gap(group, x_of(item.measurement.period_start), plot, item)
        for item in self.numeric:
            record = item.measurement
            self._mark(
                group,
                "circle",
                {
                    "cx": f"{x_of(record.period_start):.1f}",
                    "cy": f"{y_of(record.value):.1f}",
                    "r": "4.5",
                },
                item,
            )

    def _bars(self, group, axes, plot, y_of) -> None:
        slots = list(dict.fromkeys(item.measurement.period for item in self.measurements))
        slot = (plot["right"] - plot["left"]) / len(slots)
        bar = min(slot * 0.6, 72)
        for index, period in enumerate(slots):
            centre = plot["left"] + slot * (index + 0.5)
            _text(
                axes, centre, plot["bottom"] + 16, period, fill=MUTED, **{"text-anchor": "middle"}
            )
            in_slot = [i for i in self.measurements if i.measurement.period == period]
            if all(item.measurement.value is None for item in in_slot):
                self._gap(group, centre, plot, in_slot[0])
            for item in (i for i in in_slot if i.measurement.value is not None):
                top = y_of(item.measurement.value)
                self._mark(
                    group,
                    "rect",
                    {
                        "x": f"{centre - bar / 2:.1f}",
                        "y": f"{top:.1f}",
                        "width": f"{bar:.1f}",
                        "height": f"{max(plot['bottom'] - top, 0.5):.1f}",
                    },
                    item,
                )

    def _gap(self, group, x: float, plot, item: MeasurementView) -> None:
        """A period without a figure: an empty place marked `n.b.` (explained in the notes)."""
        _text(
            group,
            x,
            plot["bottom"] - 6,
            self.texts["gap"],
            fill=MUTED,
            **{
                "text-anchor": "middle",
                "font-size": "11",
                "class": "gap",
                "data-period": item.measurement.period,
                "data-status": item.measurement.status,
            },
        )

    def _mark(self, group, shape: str, geometry: dict[str, str], item: MeasurementView) -> None:
        record = item.measurement
        provisional = record.status == "provisional"
        value = format_number(record.value, self.options.lang)
        attributes = {
            "class": "mark provisional" if provisional else "mark",
            "data-period": record.period,
            "data-value": _plain(record.value),
            "data-status": record.status,
            **geometry,
            # Provisional: hollow and dashed, so it differs in shape, not in colour alone.
            "fill": "#ffffff" if provisional else MARK,
            "stroke": MARK,
            "stroke-width": "2",
        }
        if provisional:
            attributes["stroke-dasharray"] = "4 3"
        element = ET.SubElement(group, shape, attributes)
        x = (
            float(geometry["cx"])
            if shape == "circle"
            else float(geometry["x"]) + float(geometry["width"]) / 2
        )
        y = float(geometry["cy"]) - 8 if shape == "circle" else float(geometry["y"]) - 5
        # A white halo keeps the label legible where the line passes under it.
        halo = {"stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"}
        _text(
            group,
            x,
            y,
            value,
            **{"text-anchor": "middle", "font-size": "12", "class": "value"},
            **halo,
        )
        label = f"{record.period}: {value}"
        if provisional:
            label += f" ({self.texts['provisional']})"
        ET.SubElement(element, "title").text = label


def _document(options: ChartOptions, height: int, identifier: str, title: str, desc: str):
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "width": str(options.width),
            "height": str(height),
            "viewBox": f"0 0 {options.width} {height}",
            "role": "img",
            "lang": options.lang,
            "aria-labelledby": f"{identifier}-title {identifier}-desc",
            "font-family": FONT,
            "font-size": "13",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{identifier}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{identifier}-desc"}).text = desc
    ET.SubElement(
        svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff", "class": "background"}
    )
    return svg


def _serialise(svg: ET.Element) -> bytes:
    return ET.tostring(svg, encoding="utf-8", xml_declaration=True)


def metric_chart(view: MetricView, options: ChartOptions) -> bytes:
    identifier = _element_id(view.metric.code)
    title = f"{_heading(view)} ({_unit(view, options.lang)})"
    svg = _document(
        options,
        options.height,
        identifier,
        title,
        _description(view, options.lang, _kind(view)),
    )
    _Panel(view, options, 0, options.height).draw(svg)
    return _serialise(svg)


def indicator_chart(view: IndicatorView, options: ChartOptions) -> bytes:
    """One panel per metric (their units differ), each `options.height` high."""
    texts = TEXTS[options.lang]
    record = view.indicator
    identifier = _element_id(record.code)
    units = list(dict.fromkeys(_unit(item, options.lang) for item in view.metrics))
    title = f"{texts['indicator']} {record.code} {record.name}"
    if units:
        title += f" ({', '.join(units)})"
    desc = " ".join(_description(item, options.lang, _kind(item)) for item in view.metrics)
    height = options.height * max(len(view.metrics), 1)
    svg = _document(options, height, identifier, title, desc or texts["noMetrics"])
    if not view.metrics:
        for index, line in enumerate(_wrap(title, options.width - 24, 14, 2)):
            _text(svg, 12, 18 + 18 * index, line, **{"font-size": "14", "font-weight": "600"})
        _text(svg, 12, 72, texts["noMetrics"], fill=MUTED)
    for index, item in enumerate(view.metrics):
        _Panel(item, options, index * options.height, options.height).draw(svg)
    return _serialise(svg)
