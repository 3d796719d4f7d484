"""A panel from a one-row-per-customer snapshot (a CRM export with no history).

Each customer becomes ``tenure`` rows (tenure as the months at risk) with the
churn flag as the event on the last row, so that :func:`cxvalue.panel.cells`
and the models work on it unchanged. The score was taken at the end, not
before the outcome: the panel says so in its ``churn_rule``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from cxvalue import _panel_columns as pcol
from cxvalue._categories import NOT_SURVEYED
from cxvalue._panel_inputs import calendar, flag, require, resolve_backend, to_table
from cxvalue._panel_result import Panel
from cxvalue.errors import EmptyInputError, InputError
from cxvalue.ingest.scale import Scale


def snapshot_panel(
    table: Any,
    *,
    customer_id: str = "customer_id",
    tenure: str = "tenure_months",
    churned: str = "churned",
    revenue: str = "monthly_revenue",
    score: str | None = "score",
    category: str | None = None,
    scale: Scale | Mapping[int, str] | None = None,
    tenure_bands: Sequence[int] = (12, 24),
    size_bands: int = 3,
    backend: Any | None = None,
) -> Panel:
    """Expand a one-row-per-customer snapshot into a customer-month panel.

    Parameters
    ----------
    table : table
        pandas, Arrow, Parquet/CSV path or Ibis table, one row per customer.
    customer_id, tenure, churned, revenue, score : str
        Its columns: the id, months as a customer, the churn flag (0/1), the
        monthly revenue (charge) and the survey score (None: no score).
    category : str, optional
        A column that already holds promoter/passive/detractor.
    scale : Scale or mapping, optional
        How scores become categories: a :class:`cxvalue.ingest.Scale` or a
        ``{score: category}`` mapping. Default: the 1-5 satisfaction scale
        (1-2 detractor, 3 passive, 4-5 promoter) when every score is in 1-5,
        else the 0-10 NPS scale.
    tenure_bands, size_bands, backend
        As in :func:`cxvalue.panel.build_panel`.

    Returns
    -------
    Panel
        ``kind="snapshot"``. Rows ``tenure_months`` 0 … tenure-1 (a tenure of
        0 counts as one month, the month the customer joined), all at risk;
        ``churned`` 1 on the last row of a churned customer; ``revenue`` the
        monthly revenue every month; ``revenue_trailing`` its sum over up to
        12 months; ``period``, ``revenue_next``, ``active_through_next`` and
        ``months_since_response`` NULL. Every other column is carried over.
    """
    con = resolve_backend([table], backend, "snapshot_panel")
    src = to_table(table, con, "customers")
    used = [c for c in (customer_id, tenure, churned, revenue, score, category) if c]
    require(src, used, "snapshot")
    if src[customer_id].type().is_floating():
        raise InputError(f"The snapshot's {customer_id!r} column holds decimals, not ids.")
    extra = {(f"{c}_input" if c in pcol.PANEL_COLUMNS else c): c
             for c in src.columns if c not in used}  # fmt: skip
    longest, scale = _inspect(src, con, tenure, score, category, scale)
    base = src.select(
        _cid=src[customer_id].cast("string"),
        _months=_months(src[tenure]),
        _churned=ibis.coalesce(src[churned].cast("int64"), 0),
        _revenue=src[revenue].cast("float64"),
        score=src[score].cast("int64") if score else ibis.null("int64"),
        category=_categories(src, score, category, scale),
        **{new: src[old] for new, old in extra.items()},
    )
    rows = _expand(base, longest)
    rows = rows.mutate(tenure_band=pcol.tenure_band(rows.tenure_months, tuple(tenure_bands)))
    rows = pcol.size_band(rows, size_bands)
    return Panel(
        expr=rows.select(*pcol.PANEL_COLUMNS, *extra),
        backend=con,
        window_months=None,
        churn_after_months=None,
        churn_rule=_rule(churned, tenure),
        recency_months=None,
        data_end=None,
        controls_available=(*extra, "size_band", "tenure_band"),
        kind="snapshot",
    )


def _months(tenure: ir.Value) -> ir.IntegerValue:
    """Months at risk: the tenure, and 1 for a customer in their first month (tenure 0)."""
    return ibis.greatest(ibis.coalesce(tenure.cast("int64"), 0), 1)


def _inspect(
    src: ir.Table,
    con: Any,
    tenure: str,
    score: str | None,
    category: str | None,
    scale: Scale | Mapping[int, str] | None,
) -> tuple[int, Scale | Mapping[int, str] | None]:
    """Run one small query: the longest tenure and, when needed, the score range."""
    stats = {"n": src.count(), "longest": _months(src[tenure]).max()}
    if score and category is None and scale is None:
        stats |= {"lo": src[score].min(), "hi": src[score].max()}
    got = con.execute(src.aggregate(**stats)).iloc[0]
    if int(got["n"]) == 0:
        raise EmptyInputError("The snapshot table has no rows: there is no panel to build.")
    if "lo" in got and scale is None:
        scale = Scale.csat() if got["lo"] >= 1 and got["hi"] <= 5 else Scale.nps()
    return int(got["longest"]), scale


def _categories(
    src: ir.Table,
    score: str | None,
    category: str | None,
    scale: Scale | Mapping[int, str] | None,
) -> ir.StringValue:
    if category:
        return ibis.coalesce(src[category].cast("string"), NOT_SURVEYED)
    if not score:
        return ibis.literal(NOT_SURVEYED, "string")
    value = src[score].cast("int64")
    if isinstance(scale, Scale):
        pairs = [(value.between(*scale.promoter), "promoter"),
                 (value.between(*scale.passive), "passive"),
                 (value.between(*scale.detractor), "detractor")]  # fmt: skip
    else:
        pairs = [(value == int(k), str(v)) for k, v in dict(scale or {}).items()]
    return ibis.cases(*pairs, else_=NOT_SURVEYED) if pairs else ibis.literal(NOT_SURVEYED)


def _expand(base: ir.Table, longest: int) -> ir.Table:
    cal = calendar(0, longest - 1)
    grid = base.join(cal, cal.m < base._months)
    last = grid.m == grid._months - 1
    return grid.mutate(
        customer_id=grid._cid,
        period=ibis.null("date"),
        spell=ibis.literal(1, "int64"),
        revenue=grid._revenue,
        revenue_trailing=grid._revenue * ibis.least(grid.m + 1, 12),
        revenue_next=ibis.null("float64"),
        at_risk=ibis.literal(1, "int64"),
        churned=flag(last & (grid._churned == 1)),
        active_through_next=ibis.null("int64"),
        tenure_months=grid.m,
        months_since_response=ibis.null("int64"),
    )


def _rule(churned: str, tenure: str) -> str:
    return (
        f"churn = {churned!r} of a one-row-per-customer snapshot, the event in the last of "
        f"{tenure!r} months; the score was measured at the end, not before the outcome "
        "(not a lagged design)"
    )
