"""What matplotlib charts share: standalone Figures (never pyplot) turned into inline SVG.

The report's own charts are written as SVG directly (:mod:`szai_audit.core.svg`: ten charts
took 1-2.5 s through matplotlib, issue 26); matplotlib remains for the charts a user draws on
an ``ax`` of their own (:func:`szai_audit.report.plot_group_rates`) and for
:func:`figure_to_svg`, which turns any Figure into the report's kind of inline SVG.

Charts are drawn on standalone ``matplotlib.figure.Figure`` objects, so no global pyplot state
is touched, and written as SVG with their text kept as text: Chinese labels are drawn by the
reader's browser with the page's fonts. User text is drawn as written: a ``$`` is never read
as mathtext, and a control or bidirectional formatting character is written as a visible escape
(``\\u202e``), in every text of a chart that :func:`figure_to_svg` writes, whichever call put it
there. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .html import FONT_STACK, visible_controls
from .messages import MINUS, Message

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "chart_style",
    "despine",
    "error_bars",
    "figure_to_svg",
    "mpl_font_family",
    "nice_ticks",
    "percent_axis",
    "percent_tick",
    "percent_ticks",
    "plain_text",
    "text_of",
    "warn_without_cjk_font",
]

_MPL_CJK_CANDIDATES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)

_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_SVG_FONT = re.compile(r"font-family:[^;\"]*")
_SVG_ID = re.compile(r'\b(id)="([^"]+)"')
_SVG_HREF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_SVG_URL = re.compile(r"url\(#([^)]+)\)")


def plain_text(text: str) -> str:
    r"""User text as matplotlib must be given it to draw it as written: ``$`` escaped (never
    mathtext), control and bidirectional formatting characters written as visible escapes
    (:func:`szai_audit.core.html.visible_controls`).

    >>> print(plain_text("$x^$"))
    \$x^\$
    >>> print(plain_text("a\u202eb"))
    a\u202eb
    """
    return str(visible_controls(text)).replace("$", r"\$")


def _as_written(text: str, parse_math: bool = True) -> str:
    """A chart's text that may not have been through :func:`plain_text`: controls made visible,
    and, when matplotlib would read it as mathtext, every ``$`` escaped."""
    from matplotlib import cbook

    text = str(visible_controls(text))
    return text.replace("$", r"\$") if parse_math and cbook.is_math_text(text) else text


def _written_as_is(fig: Figure) -> None:
    """Make every text of ``fig`` plain (:func:`_as_written`): its Text artists (titles, axis
    labels, legends, annotations, tick labels) and the fixed and function tick formatters that
    write tick labels when the figure is drawn."""
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    for artist in fig.findobj(Text):
        text = artist.get_text()
        shown = _as_written(text, artist.get_parse_math())
        if shown != text:
            artist.set_text(shown)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for fmt in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if isinstance(fmt, FixedFormatter):
                    fmt.seq = [_as_written(str(t)) for t in fmt.seq]
                elif isinstance(fmt, FuncFormatter):
                    fmt.func = _plain_func(fmt.func)


def _plain_func(func: Any) -> Any:
    """A tick formatter's function whose labels are plain (:func:`_as_written`)."""

    def written(x: float, pos: int | None = None) -> str:
        return _as_written(str(func(x, pos)))

    return written


def text_of(msg: Message, lang: str) -> str:
    """A chart label in the page's language; both, on two lines, in a bilingual page.

    >>> text_of(Message("人数", "Count"), "bilingual")
    '人数\\nCount'
    """
    if lang == "bilingual" and msg.zh == msg.en:
        return msg.en
    if lang == "bilingual":
        return f"{msg.zh}\n{msg.en}"
    return msg[lang]


@lru_cache(maxsize=1)
def mpl_font_family() -> list[str]:
    """The CJK fonts matplotlib has, for measuring text (the browser draws it)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _MPL_CJK_CANDIDATES if n in names] + ["DejaVu Sans"]


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" for ch in text)


def warn_without_cjk_font(texts: list[str]) -> None:
    """Warn once, naming the remedy, when Chinese text is to be drawn by matplotlib and it has
    no CJK font (the text would show as empty boxes)."""
    if mpl_font_family()[0] == "DejaVu Sans" and any(_has_cjk(t) for t in texts):
        warnings.warn(
            "matplotlib has no CJK font, so Chinese labels would show as empty boxes: install "
            "one (Debian: apt-get install fonts-noto-cjk; then delete matplotlib's font cache), "
            "or draw with lang='en'.",
            UserWarning,
            stacklevel=3,
        )


@contextmanager
def chart_style(size: float = 9) -> Iterator[None]:
    """The fonts and text size of the report's charts, for drawing and writing one."""
    import matplotlib

    with matplotlib.rc_context({"font.family": mpl_font_family(), "font.size": size}):
        yield


def despine(ax: Any) -> None:
    """Hide the top and right frame lines of an Axes."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def error_bars(ax: Any, x: Any, y: Any, xerr: Any) -> None:
    """Horizontal interval bars (``xerr``: the distances below and above each value)."""
    ax.errorbar(x, y, xerr=xerr, fmt="none", ecolor="#222", elinewidth=0.8, capsize=2)


def figure_to_svg(fig: Figure, chart_id: str) -> str:
    """Inline SVG of a Figure: text kept as text, no XML prologue, no namespace URLs.

    ``chart_id`` prefixes every element id (and every reference to one), so that several charts
    in one page never share an id.
    """
    import matplotlib

    buf = io.StringIO()
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}),
        warnings.catch_warnings(),
    ):
        # Very long labels (user column names) can leave no room for constrained layout;
        # bbox_inches="tight" still fits the drawing, so the warning says nothing to the reader.
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        # The text is drawn by the browser, whose fonts have the glyphs matplotlib may lack.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        _written_as_is(fig)
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    # Whatever text escaped the artists above (none should) still never reaches the page raw.
    svg = str(visible_controls(buf.getvalue()))
    svg = _SVG_PROLOGUE.sub("", svg, count=1)
    svg = _SVG_METADATA.sub("", svg)
    svg = _SVG_XMLNS.sub("", svg)
    svg = _SVG_FONT.sub("font-family: " + FONT_STACK.replace('"', "'"), svg)
    # Prefix every id and reference with the chart's id: ids stay unique in the page.
    svg = _SVG_ID.sub(lambda m: f'{m.group(1)}="{chart_id}-{m.group(2)}"', svg)
    svg = _SVG_HREF.sub(lambda m: f'{m.group(1)}="#{chart_id}-{m.group(2)}"', svg)
    svg = _SVG_URL.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = svg.replace("<svg ", f'<svg role="img" class="chart" id="{chart_id}" ', 1)
    return svg.strip()


_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """At least ``n`` ticks at the largest round step (1, 2, 2.5 or 5 times a power of ten) within
    ``[lo, hi]``; zero is a tick whenever it lies in the range.

    >>> nice_ticks(-0.025, 0.025)
    [-0.02, -0.01, 0.0, 0.01, 0.02]
    >>> nice_ticks(0, 1, 4)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> nice_ticks(3, 3)
    [3.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [float(lo)]
    raw = (hi - lo) / max(n - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = max(s * power for s in _STEPS if s * power <= raw * (1 + 1e-9))
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]


def _decimals(step: float) -> int:
    """Decimals a percentage needs to tell ticks ``step`` apart (as a fraction: 0.005 = 0.5%)."""
    d = 0
    while d < 6 and abs(round(100 * step, d) - 100 * step) > 1e-9:
        d += 1
    return d


def percent_tick(x: float, step: float, signed: bool = False) -> str:
    """A tick label in percent with as many decimals as ``step`` needs, the minus sign U+2212
    and, when ``signed``, a plus sign on positive values; zero is ``0%``.

    >>> percent_tick(-0.025, 0.005) == "\u22122.5%"
    True
    >>> percent_tick(0.02, 0.01, signed=True), percent_tick(0.0, 0.01, signed=True)
    ('+2%', '0%')
    """
    d = _decimals(step)
    if abs(x) < step * 1e-6:
        return "0%"
    text = f"{100 * abs(x):.{d}f}%"
    if x < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def percent_ticks(
    lo: float, hi: float, n: int = 5, signed: bool = False
) -> list[tuple[float, str]]:
    """Ticks at round steps within ``[lo, hi]`` (:func:`nice_ticks`) with their labels in
    percent (:func:`percent_tick`), as the report's SVG charts and :func:`percent_axis` take
    them.

    >>> percent_ticks(0, 0.5, 3) == [(0.0, "0%"), (0.25, "25%"), (0.5, "50%")]
    True
    """
    ticks = nice_ticks(lo, hi, n)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else (abs(ticks[0]) if ticks else 1.0) or 1.0
    return [(t, percent_tick(t, step, signed)) for t in ticks]


def percent_axis(
    ax: Any, lo: float, hi: float, *, axis: str = "x", n: int = 5, signed: bool = False
) -> list[float]:
    """Set the limits ``[lo, hi]`` of an Axes' ``axis`` ("x" or "y"), with ticks at round
    steps labelled in percent (:func:`percent_ticks`); returns the ticks."""
    pairs = percent_ticks(lo, hi, n, signed)
    ticks, labels = [t for t, _ in pairs], [label for _, label in pairs]
    if axis == "x":
        ax.set_xlim(lo, hi)
        ax.set_xticks(ticks, labels)
    else:
        ax.set_ylim(lo, hi)
        ax.set_yticks(ticks, labels)
    return ticks
