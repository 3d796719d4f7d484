"""Figures for a board, in one house style.

Each figure function takes a result (the tidy frame of :func:`cxvalue.nps`,
…), draws onto ``ax`` if given or makes a slide-sized figure, and returns
the ``Figure``; :func:`cxvalue.figures.style.save` writes PNG, SVG and PDF.

>>> from cxvalue.figures import nps_trend, style
>>> fig = nps_trend(cx.nps(responses, period="Q"))  # doctest: +SKIP
>>> style.save(fig, "out/nps_trend")  # doctest: +SKIP
"""

from cxvalue.figures import style
from cxvalue.figures.mix import category_mix
from cxvalue.figures.nps import nps_by_segment, nps_trend

__all__ = ["category_mix", "nps_by_segment", "nps_trend", "style"]
