"""Lifetime-value arithmetic against closed forms computed by hand."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxvalue._clv import (
    discount_factors,
    lifetime_value,
    monthly_rate,
    revenue_path,
    survival_from_hazard,
)


def test_gupta_lehmann_margin_multiple():
    """Yearly retention r = 0.8, discount i = 10%: the margin multiple is r/(1+i−r) = 2.6667.

    Gupta & Lehmann (2003), "Customers as assets", J. Interactive Marketing 17(1).
    With yearly periods, constant revenue 1 and margin 1, CLV over a long
    horizon converges to the multiple.
    """
    horizon = 400
    survival = survival_from_hazard(np.full(horizon, 0.2))
    clv = lifetime_value(1.0, np.ones(horizon), survival, monthly_discount=0.10)
    assert clv == pytest.approx(0.8 / (1.1 - 0.8), abs=1e-9)
    assert round(float(clv), 4) == 2.6667


def test_two_category_example_to_the_cent():
    """Constant monthly hazard h and growth g: a finite geometric sum, computed by hand.

    CLV = m·R0 · Σ_{t=1..H} q^t with q = (1−h)·e^{g/12}/(1+d),
    so CLV = m·R0 · q(1−q^H)/(1−q).
    """
    horizon, m, d = 36, 0.3, monthly_rate(0.08)
    cases = {"promoter": (0.01, 0.08, 1000.0), "detractor": (0.04, -0.04, 1000.0)}
    for hazard, growth, base in cases.values():
        q = (1 - hazard) * np.exp(growth / 12) / (1 + d)
        expected = m * base * q * (1 - q**horizon) / (1 - q)
        got = lifetime_value(
            m,
            revenue_path(base, growth, horizon),
            survival_from_hazard(np.full(horizon, hazard)),
            d,
        )
        assert got == pytest.approx(expected, abs=0.005)


def test_vectorised_over_draws_and_categories():
    rng = np.random.default_rng(1)
    hazard = rng.uniform(0.005, 0.05, size=(1000, 4, 1))
    growth = rng.normal(0.03, 0.02, size=(1000, 4))
    survival = survival_from_hazard(np.broadcast_to(hazard, (1000, 4, 24)))
    clv = lifetime_value(0.3, revenue_path(500.0, growth, 24), survival, 0.005)
    assert clv.shape == (1000, 4)
    one = lifetime_value(
        0.3,
        revenue_path(500.0, growth[7, 2], 24),
        survival_from_hazard(np.full(24, hazard[7, 2, 0])),
        0.005,
    )
    assert clv[7, 2] == pytest.approx(one)


def test_monthly_rate_compounds_to_the_yearly_rate():
    assert (1 + monthly_rate(0.08)) ** 12 == pytest.approx(1.08)
    assert discount_factors(12, monthly_rate(0.08))[-1] == pytest.approx(1 / 1.08)


@given(
    m=st.floats(0, 1),
    d=st.floats(0, 0.05),
    h=st.floats(0, 0.5),
)
def test_value_is_monotone_and_zero_without_margin(m, d, h):
    survival = survival_from_hazard(np.full(24, h))
    revenue = np.full(24, 100.0)
    value = lifetime_value(m, revenue, survival, d)
    assert lifetime_value(0.0, revenue, survival, d) == 0
    assert lifetime_value(m + 0.1, revenue, survival, d) >= value
    assert lifetime_value(m, revenue, survival, d + 0.01) <= value + 1e-12


def test_geometric_sum_equals_the_month_by_month_sum():
    from cxvalue._clv import geometric_sum

    x = np.array([0.5, 0.97, 1.0, 1.0 + 1e-12, 1.02])
    for first, last in [(1, 36), (13, 24), (1, 1)]:
        want = np.array([sum(v**t for t in range(first, last + 1)) for v in x])
        np.testing.assert_allclose(geometric_sum(x, first, last), want, rtol=1e-9)


def test_closed_form_clv_matches_lifetime_value():
    from cxvalue._clv import geometric_sum

    h, g, d, r0, m, horizon = 0.02, 0.06, monthly_rate(0.1), 1000.0, 0.3, 36
    s = survival_from_hazard(np.full(horizon, h))
    arrays = lifetime_value(m, revenue_path(r0, g, horizon), s, d)
    closed = m * r0 * geometric_sum((1 - h) * np.exp(g / 12) / (1 + d), 1, horizon)
    assert closed == pytest.approx(float(arrays), rel=1e-12)
