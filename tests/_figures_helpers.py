"""Shared pieces of the figure tests: the pyplot fixture, hand-built NPS frames, layout checks.

The frames are built here by hand, in the shape :func:`cxvalue.nps.nps`
returns, so the figure tests do not depend on the NPS code.
"""

from __future__ import annotations

import math

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from cxvalue.figures import style


@pytest.fixture(name="pyplot")
def pyplot_fixture():
    """pyplot on the Agg backend; every figure is closed afterwards.

    Import ``pyplot_fixture`` into a test module and ask for ``pyplot``.
    """
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


def nps_row(n: int, promoters: int, detractors: int, level: float = 0.95, **groups) -> dict:
    """One row of an nps() frame with a Wald interval, from counts."""
    p, d = promoters / n, detractors / n
    value = 100 * (p - d)
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    z = {0.95: 1.959964, 0.9: 1.644854}[level]
    return {
        **groups,
        "n": n,
        "n_promoters": promoters,
        "n_passives": n - promoters - detractors,
        "n_detractors": detractors,
        "share_promoters": p,
        "share_passives": 1 - p - d,
        "share_detractors": d,
        "nps": value,
        "se": se,
        "lo": value - z * se,
        "hi": value + z * se,
        "method": "wald",
        "weighting": "none",
        "level": level,
        "n_effective": float(n),
        "too_few": n < 30,
        "note": f"too few responses (n={n} < 30)" if n < 30 else "",
    }


def trend_frame(rows=None) -> pd.DataFrame:
    """Five quarters, NPS rising from about +16 to +27 (beyond the intervals).

    Rows are given out of order on purpose: the figure must sort them.
    """
    rows = rows or [
        ("2025Q2", 1180, 480, 240),
        ("2024Q4", 1100, 430, 250),
        ("2025Q1", 1250, 500, 270),
        ("2025Q4", 1220, 560, 230),
        ("2025Q3", 1300, 560, 250),
    ]
    return pd.DataFrame([nps_row(n, p, d, period=q) for q, n, p, d in rows])


def segment_frame() -> pd.DataFrame:
    """Five segments; Enterprise is highest, SMB lowest, Public sector has too few responses."""
    rows = [
        ("SMB", 2400, 800, 610),
        ("Enterprise", 1204, 560, 190),
        ("Mid-market", 1800, 700, 420),
        ("Public sector", 22, 9, 5),
        ("Partner", 310, 120, 80),
    ]
    return pd.DataFrame([nps_row(n, p, d, segment=s) for s, n, p, d in rows])


def texts_by_gid(fig: Figure, gid: str) -> list:
    """Every Text or Annotation in the figure (and its axes) with this gid."""
    found = [t for t in fig.texts if t.get_gid() == gid]
    for ax in fig.axes:
        found += [t for t in ax.texts if t.get_gid() == gid]
    return found


def artists_by_gid(ax, gid: str) -> list:
    """Lines, collections and patches of ``ax`` with this gid."""
    return [a for a in (*ax.lines, *ax.collections, *ax.patches) if a.get_gid() == gid]


def flat(text: str) -> str:
    """A (possibly wrapped) title on one line."""
    return " ".join(text.split("\n"))


def title_of(fig: Figure) -> str:
    (title,) = texts_by_gid(fig, style.TITLE_GID)
    return flat(title.get_text())


def subtitle_of(fig: Figure) -> str:
    (sub,) = texts_by_gid(fig, style.SUBTITLE_GID)
    return flat(sub.get_text())


def source_of(fig: Figure) -> str:
    (source,) = texts_by_gid(fig, style.SOURCE_GID)
    return flat(source.get_text())


def assert_laid_out(fig: Figure) -> None:
    """Nothing is cut off, and the title block and source line do not touch the axes."""
    fig.draw_without_rendering()
    renderer = None  # the figure's own
    frame = Bbox.from_bounds(0, 0, fig.bbox.width, fig.bbox.height)
    header = [t for t in fig.texts if t.get_gid() in ("cxvalue-title", "cxvalue-subtitle")]
    footer = [t for t in fig.texts if t.get_gid() == "cxvalue-source"]
    for text in fig.texts:
        box = text.get_window_extent(renderer)
        assert frame.containsx(box.x0) and frame.containsx(box.x1), text.get_text()
        assert frame.containsy(box.y0) and frame.containsy(box.y1), text.get_text()
    for ax in fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0
        assert box.y1 <= fig.bbox.height
        for text in header:
            assert text.get_window_extent(renderer).y0 > box.y1, "title block overlaps the axes"
        for text in footer:
            assert text.get_window_extent(renderer).y1 < box.y0, "source line overlaps the axes"
