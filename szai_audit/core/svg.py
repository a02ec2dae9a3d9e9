"""Charts written straight to SVG: the report's bar and line charts without matplotlib.

A chart of the report was a matplotlib Figure saved as SVG: 0.1-0.25 s each, ten of them in the
credit demo, most of the report's time (issue 26). The charts the report draws most (rates by
group, calibration) are simple enough to write directly: :class:`Canvas` holds shapes and text
in points, and :meth:`Canvas.svg` writes them. Text stays text (the reader's browser draws it
with the page's fonts, as before), every text is escaped for XML and has its control and
bidirectional formatting characters made visible (:func:`szai_audit.core.html.visible_controls`),
and the chart's only id is its own. Widths of text are estimated (a CJK character one em, other
characters a little over half), which is all the layout needs to leave room for labels.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .html import FONT_STACK, visible_controls

__all__ = ["Canvas", "Frame", "bar_rows", "marker", "text_width"]

#: Colours shared with the matplotlib charts.
BAR, MISSING_BAR, INK, REFERENCE = "#3b6ea8", "#9aa5b1", "#222", "#b3261e"


def _wide(ch: str) -> bool:
    """Whether a character is drawn one em wide (CJK ideographs, kana, full-width forms)."""
    o = ord(ch)
    return (
        0x1100 <= o <= 0x115F
        or 0x2E80 <= o <= 0xA4CF
        or 0xAC00 <= o <= 0xD7A3
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFF60
        or 0xFFE0 <= o <= 0xFFE6
    )


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at ``size`` points: one em per CJK character, 0.58 em per
    other character (a little over the average of Noto Sans, so labels are never cut).

    >>> text_width("女", 10), round(text_width("male", 10), 1)
    (10.0, 23.2)
    """
    shown = str(visible_controls(text))
    return float(sum(size if _wide(ch) else 0.58 * size for ch in shown))


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _escaped(text: str) -> str:
    """Text as it goes between XML tags: controls visible, markup characters escaped."""
    return html.escape(str(visible_controls(text)), quote=True)


@dataclass
class Canvas:
    """Shapes and text of one chart, in points from the top left corner."""

    width: float
    height: float
    parts: list[str] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        """A filled rectangle (nothing for a zero or negative width)."""
        if w > 0 and h > 0:
            self.parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                f'fill="{fill}"/>'
            )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str = INK,
        width: float = 0.8,
        dash: str | None = None,
    ) -> None:
        """A straight line, dashed when ``dash`` is given (``"4 2"``)."""
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
            f'stroke="{stroke}" stroke-width="{_num(width)}"{extra}/>'
        )

    def polyline(self, points: list[tuple[float, float]], stroke: str, width: float) -> None:
        """Line segments through ``points``."""
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
            f'stroke-width="{_num(width)}"/>'
        )

    def circle(self, cx: float, cy: float, r: float, fill: str) -> None:
        """A filled dot."""
        self.parts.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{fill}"/>')

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 8,
        anchor: str = "start",
        fill: str = INK,
        rotate: bool = False,
    ) -> None:
        """One line of text whose vertical middle is at ``y``; ``anchor`` is "start",
        "middle" or "end"; ``rotate`` turns it to read upwards."""
        turn = f' transform="rotate(-90 {_num(x)} {_num(y)})"' if rotate else ""
        self.parts.append(
            f'<text x="{_num(x)}" y="{_num(y + 0.35 * size)}" font-size="{_num(size)}" '
            f'text-anchor="{anchor}" fill="{fill}"{turn}>{_escaped(text)}</text>'
        )

    def svg(self, chart_id: str, title: str) -> str:
        """The chart as inline SVG: ``role="img"``, ``class="chart"``, id ``chart_id`` and a
        ``<title>`` (what a screen reader says)."""
        w, h = math.ceil(self.width), math.ceil(self.height)
        font = FONT_STACK.replace('"', "'")
        return (
            f'<svg role="img" class="chart" id="{html.escape(chart_id, quote=True)}" '
            f'width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" version="1.1" '
            f'style="font-family: {font}"><title>{_escaped(title)}</title>'
            + "".join(self.parts)
            + "</svg>"
        )


@dataclass(frozen=True)
class Frame:
    """A plot area on a canvas: data ``(x0, x1)`` by ``(y0, y1)`` drawn in the box from
    ``left``, ``top`` of ``width`` by ``height`` points (y upwards, as on paper)."""

    left: float
    top: float
    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, value: float) -> float:
        """The horizontal position of a data value."""
        return self.left + (value - self.x0) / (self.x1 - self.x0) * self.width

    def y(self, value: float) -> float:
        """The vertical position of a data value."""
        return self.top + self.height - (value - self.y0) / (self.y1 - self.y0) * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def axes(self, canvas: Canvas, *, left: bool = True) -> None:
        """The bottom axis line and, when ``left``, the left one (no top or right frame)."""
        canvas.line(self.left, self.bottom, self.left + self.width, self.bottom)
        if left:
            canvas.line(self.left, self.top, self.left, self.bottom)

    def x_ticks(self, canvas: Canvas, ticks: list[tuple[float, str]], size: float = 8) -> None:
        """Ticks and their labels below the plot area."""
        for value, label in ticks:
            x = self.x(value)
            canvas.line(x, self.bottom, x, self.bottom + 3.5)
            canvas.text(x, self.bottom + 5 + 0.6 * size, label, size=size, anchor="middle")

    def y_ticks(self, canvas: Canvas, ticks: list[tuple[float, str]], size: float = 8) -> None:
        """Ticks and their labels left of the plot area."""
        for value, label in ticks:
            y = self.y(value)
            canvas.line(self.left - 3.5, y, self.left, y)
            canvas.text(self.left - 5, y, label, size=size, anchor="end")

    def row_labels(self, canvas: Canvas, labels: Sequence[str], size: float = 8) -> None:
        """One label per row, right-aligned left of the plot area, the first at the top (rows
        at heights ``len(labels) - 1`` down to 0, as :func:`bar_rows` draws them)."""
        for i, label in enumerate(labels):
            canvas.text(self.left - 8, self.y(len(labels) - 1 - i), label, size=size, anchor="end")

    def x_label(self, canvas: Canvas, lines: list[str], size: float = 9) -> float:
        """The axis label centred below the tick labels, a line each; returns its bottom."""
        y = self.bottom + 5 + 1.2 * 8 + 0.8 * size
        for line in lines:
            canvas.text(self.left + self.width / 2, y, line, size=size, anchor="middle")
            y += 1.2 * size
        return y


def bar_rows(
    canvas: Canvas,
    frame: Frame,
    values: list[float],
    colours: list[str],
    texts: list[str],
    bounds: Sequence[tuple[float, float] | None] | None = None,
    size: float = 8,
) -> None:
    """Horizontal bars from 0, row ``i`` at height ``len(values) - 1 - i`` (the first at the
    top), each 0.6 of a row high, with its interval as a whisker when ``bounds`` gives one, and
    ``texts[i]`` right of the bar (or of its whisker). A row whose value is NaN gets no bar,
    its text at 0 ("—", say)."""
    n = len(values)
    for i, value in enumerate(values):
        y = n - 1 - i
        mid = frame.y(y)
        canvas.line(frame.left - 3.5, mid, frame.left, mid)
        if not math.isfinite(value):
            canvas.text(frame.x(0) + 4, mid, texts[i], size=size)
            continue
        top, bottom = frame.y(y + 0.3), frame.y(y - 0.3)
        start, end = sorted((frame.x(0), frame.x(value)))  # a negative value: leftwards
        canvas.rect(start, top, end - start, bottom - top, colours[i])
        right = max(value, 0.0)
        bound = bounds[i] if bounds is not None else None
        if bound is not None and all(math.isfinite(b) for b in bound):
            low, high = min(bound[0], value), max(bound[1], value)
            canvas.line(frame.x(low), mid, frame.x(high), mid)
            for end in (low, high):
                canvas.line(frame.x(end), mid - 2, frame.x(end), mid + 2)
            right = high
        canvas.text(frame.x(right) + 4, mid, texts[i], size=size)


def marker(canvas: Canvas, x: float, y: float, colour: str, *, square: bool = False) -> None:
    """A point of a dot plot: a dot, or a square (a second kind of estimate)."""
    if square:
        canvas.rect(x - 2.8, y - 2.8, 5.6, 5.6, colour)
    else:
        canvas.circle(x, y, 3.0, colour)
