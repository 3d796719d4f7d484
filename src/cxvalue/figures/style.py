"""The cxvalue house style for figures: colours, sizes, titles, source lines, saving.

Every figure a board sees is drawn in one style: a 16:9 slide (or half of
one), an *action title* that states the finding with its number, a grey
subtitle saying what is shown, a source line (n, periods, what the estimate
is adjusted for), colour-blind-safe colours, large type. The style sheet
(``cxvalue.mplstyle``) is applied in a context, :func:`board`, and never by
changing ``rcParams`` at import.

A figure function follows one pattern::

    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        ...  # draw onto ax
        style.decorate(fig, ax, owned, title=..., subtitle=..., source=...)
    return fig

Colours
-------
Promoter, passive, detractor and not surveyed come from Paul Tol's
high-contrast scheme and the Okabe–Ito palette. Their Rec. 709 luminances
(on linear and on gamma-encoded sRGB) differ pairwise by at least 0.15, so
they stay apart in greyscale print and for red–green colour blindness.
"""

from __future__ import annotations

import io
import math
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.style
import numpy as np
import PIL.Image
import PIL.PngImagePlugin
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from matplotlib.ticker import Formatter, FuncFormatter

from cxvalue._categories import DETRACTOR, NOT_SURVEYED, PASSIVE, PROMOTER
from cxvalue._validation import check_param
from cxvalue.formatting import Locale, fmt_currency, fmt_nps, fmt_number, fmt_pct

__all__ = [
    "STYLE_PATH", "SIZES", "CATEGORY_COLORS", "ACCENT", "SCENARIO", "BASELINE", "NEUTRAL",
    "INK", "MUTED", "GRID", "board", "new_figure", "figure_and_axes", "style_axes", "action_title",
    "source_line", "finish", "decorate", "save", "png_beside", "nps_formatter", "number_formatter",
    "currency_formatter", "pct_formatter",
]  # fmt: skip

STYLE_PATH = Path(__file__).with_name("cxvalue.mplstyle")

#: Figure sizes in inches: a full 16:9 slide and the half beside a text column.
SIZES: dict[str, tuple[float, float]] = {"full": (40 / 3, 7.5), "half": (6.5, 7.5)}

#: Category colours (Tol high-contrast blue and yellow, Okabe–Ito vermillion, light grey).
CATEGORY_COLORS: dict[str, str] = {
    PROMOTER: "#004488",
    PASSIVE: "#DDAA33",
    DETRACTOR: "#D55E00",
    NOT_SURVEYED: "#DDDDDD",
}
#: The main series of a figure (an NPS line, the dots of a dot plot); Okabe–Ito blue.
ACCENT = "#0072B2"
#: "What if" next to "as is": the scenario in the accent, the baseline in grey.
SCENARIO = ACCENT
BASELINE = "#A6A6A6"
#: Secondary marks: groups with too few responses, reference lines.
NEUTRAL = "#8C8C8C"
#: Text colours: main text, and subtitles / source lines / small notes.
INK = "#222222"
MUTED = "#595959"
GRID = "#E6E6E6"
#: A white outline that keeps a value label readable over a line or a band.
HALO = [patheffects.withStroke(linewidth=4, foreground="white")]

#: Type sizes in points, for a slide that is projected.
TITLE_SIZE = 22
SUBTITLE_SIZE = 15
AXES_TITLE_SIZE = 18
LABEL_SIZE = 15
TICK_SIZE = 14
NOTE_SIZE = 12
SOURCE_SIZE = 12
#: Margins in inches: left/right, above the title, below the source line.
_SIDE_IN, _TOP_IN, _BOTTOM_IN, _GAP_IN = 0.35, 0.3, 0.2, 0.18

#: gid of the texts this module places, so they can be found and replaced.
TITLE_GID, SUBTITLE_GID, SOURCE_GID = "cxvalue-title", "cxvalue-subtitle", "cxvalue-source"

Size = Literal["full", "half"] | tuple[float, float]


@contextmanager
def board(rc: dict[str, Any] | None = None) -> Iterator[None]:
    """Apply the house style inside a ``with`` block; ``rcParams`` are restored after.

    Parameters
    ----------
    rc : dict, optional
        rcParams to set on top of the house style, e.g. ``{"font.sans-serif": ["Arial"]}``.

    Examples
    --------
    >>> from cxvalue.figures import style
    >>> with style.board():
    ...     fig = style.new_figure("half")
    """
    with mpl.style.context(STYLE_PATH), mpl.rc_context(rc):
        yield


def new_figure(size: Size = "full") -> Figure:
    """A white figure of slide size, laid out by constrained layout.

    The figure is made without pyplot: nothing stays open, and Jupyter shows
    it once. Call inside :func:`board` so the axes you add get the house style.

    Parameters
    ----------
    size : {"full", "half"} or (width, height)
        ``"full"`` is a 16:9 slide (13.33 × 7.5 in), ``"half"`` half of one
        (6.5 × 7.5 in); a tuple gives inches.
    """
    if isinstance(size, str):
        check_param(size in SIZES, "size", "new_figure", "'full', 'half' or (width, height)", size)
        size = SIZES[size]
    check_param(
        len(size) == 2 and all(float(s) > 0 for s in size),
        "size", "new_figure", "'full', 'half' or (width, height) in inches", size,
    )  # fmt: skip
    with board():
        fig = Figure(figsize=tuple(float(s) for s in size), layout="constrained")
    # An Agg canvas keeps one renderer per size and dpi, so every layout pass and text
    # measurement reuses its text-metric cache (a bare Figure makes a new renderer, with
    # an empty cache, for each pass). Metrics are the same either way: same pixels.
    FigureCanvasAgg(fig)
    return fig


def figure_and_axes(ax: Axes | None, size: Size = "full") -> tuple[Figure, Axes, bool]:
    """The axes to draw on: ``ax`` and its figure, or a new house figure.

    Returns
    -------
    fig, ax, owned
        ``owned`` is True when the figure was made here; only then do the
        figure-level title, subtitle and source line belong to the figure function.
    """
    if ax is not None:
        return ax.get_figure(root=True), ax, False
    fig = new_figure(size)
    return fig, fig.add_subplot(), True


def style_axes(ax: Axes, grid: Literal["x", "y", "none"] = "y") -> Axes:
    """Give axes the house look, also axes made outside :func:`board`.

    No top or right spine, tick labels at 14 pt in ink on grey ticks, and a
    light grid on ``grid`` only (``"none"``: no grid).
    """
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(NEUTRAL)
    ax.tick_params(labelsize=TICK_SIZE, labelcolor=INK, color=NEUTRAL)
    ax.grid(visible=False)
    if grid != "none":
        ax.grid(axis=grid, visible=True, color=GRID, linewidth=1.0, linestyle="-")
    ax.set_axisbelow(True)
    return ax


def row_points(ax: Axes, rows: int) -> float:
    """Height in points each of ``rows`` rows gets in ``ax`` (before final layout)."""
    fig = ax.get_figure(root=True)
    return ax.get_position().height * fig.get_size_inches()[1] * 72 / max(rows, 1)


def _inches(fig: Figure, x: float, y: float) -> tuple[float, float]:
    width, height = fig.get_size_inches()
    return x / width, y / height


def _set_text(fig: Figure, gid: str, text: str, x: float, y: float, **kwargs: Any) -> Text:
    """Place (or replace) the figure text with this gid, wrapped to the figure width."""
    for old in [t for t in fig.texts if t.get_gid() == gid]:
        old.remove()
    artist = fig.text(x, y, text, gid=gid, ha="left", **kwargs)
    width_px = fig.bbox.width - 2 * _SIDE_IN * fig.dpi
    artist.set_text(_wrap(artist, text, width_px))
    return artist


def _wrap(artist: Text, text: str, width_px: float) -> str:
    """Break ``text`` at spaces so each line fits ``width_px`` (a no-break space holds)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            artist.set_text(trial)
            if line and artist.get_window_extent().width > width_px:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return "\n".join(lines)


def action_title(fig: Figure, title: str, subtitle: str | None = None) -> Text:
    """Write the action title (and a grey subtitle below it) at the top left.

    An action title is one sentence with the finding and its number: *"NPS
    rose 6 points to +23 over the last four quarters"*. Calling again
    replaces both. Long titles wrap at the figure's margins.

    Returns
    -------
    matplotlib.text.Text
        The title (gid ``"cxvalue-title"``; the subtitle's is ``"cxvalue-subtitle"``).
    """
    x, y = _inches(fig, _SIDE_IN, fig.get_size_inches()[1] - _TOP_IN)
    artist = _set_text(
        fig, TITLE_GID, title, x, y, va="top", fontsize=TITLE_SIZE, fontweight="bold", color=INK
    )
    for old in [t for t in fig.texts if t.get_gid() == SUBTITLE_GID]:
        old.remove()
    if subtitle:
        bottom = fig.transFigure.inverted().transform(artist.get_window_extent())[0][1]
        gap = 0.08 / fig.get_size_inches()[1]
        _set_text(
            fig, SUBTITLE_GID, subtitle, x, bottom - gap, va="top", fontsize=SUBTITLE_SIZE,
            color=MUTED,
        )  # fmt: skip
    return artist


def source_line(fig: Figure, text: str) -> Text:
    """Write the source line, small and grey, at the bottom left.

    It says where the numbers come from and what they are adjusted for:
    *"Source: n = 12,345 responses, Jan 2023–Dec 2025. Adjusted for segment,
    size band and tenure band."* Calling again replaces it.
    """
    x, y = _inches(fig, _SIDE_IN, _BOTTOM_IN)
    return _set_text(fig, SOURCE_GID, text, x, y, va="bottom", fontsize=SOURCE_SIZE, color=MUTED)


def finish(fig: Figure) -> Figure:
    """Lay the figure out so nothing overlaps or is cut off.

    The axes get the space between the title block and the source line, inside
    the side margins, and constrained layout arranges them there (tick labels,
    axis labels and legends included). Safe to call more than once.
    """
    fig.draw_without_rendering()  # measure every text with the same (Agg) renderer
    to_fig = fig.transFigure.inverted()
    top, bottom = 1 - _inches(fig, 0, _TOP_IN)[1], _inches(fig, 0, _BOTTOM_IN)[1]
    gap = _inches(fig, 0, _GAP_IN)[1]
    for text in fig.texts:
        (_, y0), (_, y1) = to_fig.transform(text.get_window_extent())
        if text.get_gid() in (TITLE_GID, SUBTITLE_GID):
            top = min(top, y0 - gap)
        elif text.get_gid() == SOURCE_GID:
            bottom = max(bottom, y1 + gap)
    side = _inches(fig, _SIDE_IN, 0)[0]
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.set_layout_engine("constrained")
    fig.get_layout_engine().set(rect=(side, bottom, 1 - 2 * side, top - bottom))
    fig.draw_without_rendering()  # settle the layout, so every save gives the same file
    return fig


def decorate(
    fig: Figure,
    ax: Axes,
    owned: bool,
    *,
    title: str | None,
    subtitle: str | None = None,
    source: str | None = None,
) -> Figure:
    """Title, subtitle and source line by the one rule every figure follows.

    When the figure is ours (``owned``), the title and subtitle go at the top
    of the figure, the source line at its foot, and the figure is laid out by
    :func:`finish`. When the caller gave ``ax``, the action title becomes the
    axes title (left-aligned) and the figure is left alone: the caller owns its
    layout, subtitle and source line (use :func:`action_title` and
    :func:`source_line` on the whole figure). An empty title draws none.
    """
    if not owned:
        if title:
            artist = ax.set_title(
                title, loc="left", fontsize=AXES_TITLE_SIZE, fontweight="bold", color=INK
            )
            width_px = ax.get_position().width * fig.bbox.width
            artist.set_text(_wrap(artist, title, width_px))
        return fig
    if title or subtitle:
        action_title(fig, title or "", subtitle)
    if source:
        source_line(fig, source)
    return finish(fig)


_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": "cxvalue (matplotlib)"},
    "svg": {"Date": None, "Creator": "cxvalue (matplotlib)"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "cxvalue (matplotlib)"},
}

#: zlib level 3 instead of PIL's 6 for PNG: a 300-dpi figure encodes in 0.2 s instead
#: of 0.4 s, for files about a fifth larger.
_ENCODING: dict[str, dict[str, Any]] = {"png": {"pil_kwargs": {"compress_level": 3}}}


def save(
    fig: Figure,
    path_stem: str | Path,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    dpi: int = 300,
) -> list[Path]:
    """Write the figure in each format: ``path_stem.png``, ``.svg``, ``.pdf``.

    PNG at ``dpi``; SVG with text as paths (renders the same without the
    font); PDF with the fonts embedded (TrueType, subset). Files carry no
    creation date, so the same figure gives the same bytes. Missing folders
    are made. Inside :func:`png_beside`, a PNG is complete when that block ends.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    fmts = [formats] if isinstance(formats, str) else list(formats)
    check_param(
        bool(fmts) and all(f in _METADATA for f in fmts),
        "formats", "save", "a sequence of 'png', 'svg', 'pdf'", formats,
    )  # fmt: skip
    check_param(isinstance(dpi, int) and dpi > 0, "dpi", "save", "a positive integer", dpi)
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with board():
        finish(fig)
        engine = fig.get_layout_engine()
        fig.set_layout_engine("none")  # one layout for every format: the same picture in each
        try:
            for fmt in fmts:
                path = stem.with_name(f"{stem.name}.{fmt}")
                beside = _BESIDE.get()
                if fmt == "png" and beside is not None:
                    beside.write(path, *_pixels(fig, dpi), dpi)
                else:
                    fig.savefig(path, format=fmt, dpi=dpi, metadata=_METADATA[fmt],
                                **_ENCODING.get(fmt, {}))  # fmt: skip
                paths.append(path)
        finally:
            fig.set_layout_engine(engine)
    return paths


@contextmanager
def png_beside() -> Iterator[None]:
    """Encode the PNGs :func:`save` makes inside the block on a second thread.

    Drawing a figure needs the interpreter; compressing its pixels into a PNG
    does not (Pillow lets go of it), so the next figure is drawn while the last
    one is written. Every file is written, and a failed write raised, when the
    block ends; the files have the same bytes as without it.

    Examples
    --------
    >>> with style.png_beside():  # doctest: +SKIP
    ...     for name, fig in figures.items():
    ...         style.save(fig, f"out/{name}")
    """
    writer = _PngWriter()
    token = _BESIDE.set(writer)
    try:
        yield
    finally:
        _BESIDE.reset(token)
        writer.close()


def _pixels(fig: Figure, dpi: int) -> tuple[bytes, tuple[int, int]]:
    """The figure drawn at ``dpi`` as RGBA bytes (rows from the top) and (width, height)."""
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi)
    height, width = memoryview(fig.canvas.buffer_rgba()).shape[:2]  # the canvas just drawn
    pixels = raw.getvalue()
    if len(pixels) != width * height * 4:
        raise AssertionError("save(): the drawn canvas and the pixels written differ in size")
    return pixels, (width, height)


class _PngWriter:
    """PNG files written by one worker thread, at most :attr:`PENDING` waiting at a time
    (each holds a figure's pixels: 36 MB at 300 dpi)."""

    PENDING = 2

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxvalue-png")
        self._pending: deque[Future[None]] = deque()

    def write(self, path: Path, pixels: bytes, size: tuple[int, int], dpi: int) -> None:
        while len(self._pending) >= self.PENDING:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(_write_png, path, pixels, size, dpi))

    def close(self) -> None:
        """Wait for every write, then raise the first that failed."""
        self._pool.shutdown(wait=True)
        for done in self._pending:
            done.result()


def _write_png(path: Path, pixels: bytes, size: tuple[int, int], dpi: int) -> None:
    """Write RGBA pixels as matplotlib's ``savefig`` does (same chunks, same bytes)."""
    info = PIL.PngImagePlugin.PngInfo()
    for key, value in _METADATA["png"].items():
        info.add_text(key, value)
    image = PIL.Image.frombuffer("RGBA", size, pixels, "raw", "RGBA", 0, 1)
    image.save(path, format="png", pnginfo=info, dpi=(dpi, dpi), **_ENCODING["png"]["pil_kwargs"])


#: The writer :func:`png_beside` set up for this thread, if any.
_BESIDE: ContextVar[_PngWriter | None] = ContextVar("cxvalue_png_beside", default=None)


def nps_formatter(locale: Locale = "en", decimals: int = 0) -> FuncFormatter:
    """Axis ticks as NPS points with a sign: ``+20``, ``0``, ``−10``."""
    return FuncFormatter(lambda x, _pos: fmt_nps(x, decimals, locale)[0])


def number_formatter(locale: Locale = "en", decimals: int = 0) -> FuncFormatter:
    """Axis ticks with thousands separators: ``12,000`` / ``12.000``."""
    return FuncFormatter(lambda x, _pos: fmt_number(x, decimals, locale)[0])


def currency_formatter(
    locale: Locale = "en", currency: str = "EUR", compact: bool = True, decimals: int | None = None
) -> Formatter:
    """Axis ticks as money: ``€1.2M`` / ``1,2 Mio. €``.

    Abbreviated ticks get as many decimals as their spacing needs to be told apart
    (``€2.65B``, ``€2.70B`` rather than ``€2.6B``, ``€2.7B``, ``€2.7B``), none when the
    ticks are whole (``$420M``); ``decimals`` fixes the number instead.
    """
    return _CurrencyFormatter(locale, currency, compact, decimals)


class _CurrencyFormatter(Formatter):
    def __init__(self, locale: Locale, currency: str, compact: bool, decimals: int | None):
        self.locale, self.currency = locale, currency
        self.compact, self.decimals = compact, decimals
        self.steps = np.empty(0)  # the spacing of the ticks being labelled

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        steps = np.diff(np.sort(np.asarray(locs, dtype=float)))
        self.steps = steps[steps > 0]

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_currency(x, self.locale, self.currency, self.compact, self._decimals(x))[0]

    def _decimals(self, x: float) -> int | None:
        steps = self.steps
        if self.decimals is not None or not self.compact or abs(x) < 1e6 or not steps.size:
            return self.decimals
        unit = 1e9 if abs(x) >= 1e9 else 1e6
        return int(min(3, max(0, math.ceil(-math.log10(steps.min() / unit) - 1e-9))))


def pct_formatter(locale: Locale = "en", decimals: int = 0) -> FuncFormatter:
    """Axis ticks for shares (0.25 → ``25%`` / ``25 %``)."""
    return FuncFormatter(lambda x, _pos: fmt_pct(x, decimals, locale)[0])
