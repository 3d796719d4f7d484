"""Figures for a board, in one house style.

Each figure function takes a result (the tidy frame of :func:`cxvalue.nps`,
a fitted model, a ``ValueResult``, a forecast, …), draws onto ``ax`` if given
or makes a slide-sized figure, and returns the ``Figure``;
:func:`cxvalue.figures.style.save` writes PNG, SVG and PDF.

>>> from cxvalue.figures import nps_trend, style
>>> fig = nps_trend(cx.nps(responses, period="Q"))  # doctest: +SKIP
>>> style.save(fig, "out/nps_trend")  # doctest: +SKIP
"""

from cxvalue.figures import style
from cxvalue.figures.forecast import forecast_fan
from cxvalue.figures.mix import category_mix
from cxvalue.figures.models import revenue_change, survival_curves
from cxvalue.figures.nps import nps_by_segment, nps_trend
from cxvalue.figures.value import lifetime_value, point_value, sensitivity_tornado, value_bridge

__all__ = [
    "category_mix", "forecast_fan", "lifetime_value", "nps_by_segment", "nps_trend",
    "point_value", "revenue_change", "sensitivity_tornado", "style", "survival_curves",
    "value_bridge",
]  # fmt: skip
