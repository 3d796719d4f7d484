"""The customer-month panel and its cells, written once as Ibis expressions.

:func:`build_panel` turns the canonical responses, revenue and (optional)
customers tables into one row per customer and month while a customer, with
the latest score as of the start of each month, next-window revenue, churn,
tenure and size. :func:`snapshot_panel` does the same for a one-row-per-
customer CRM export. :func:`cells` reduces a panel to grouped sufficient
statistics in the engine; only the small result comes back to pandas.

Everything runs on an embedded DuckDB by default, and unchanged on any Ibis
backend (Spark, Snowflake, BigQuery, Postgres): the expressions use joins,
group-bys, window functions and integer month arithmetic only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.common.deferred import Deferred

from cxvalue import _panel_columns as pcol
from cxvalue import _panel_spells as pspell
from cxvalue._panel_inputs import (
    month_date,
    month_index,
    one_row_per_month,
    require,
    require_dates,
    require_text_ids,
    resolve_backend,
    to_table,
)  # fmt: skip
from cxvalue._panel_result import Panel, store
from cxvalue._panel_snapshot import snapshot_panel
from cxvalue._validation import check_param, check_positive_int
from cxvalue.errors import EmptyInputError, InputError

__all__ = ["Panel", "build_panel", "cells", "snapshot_panel"]

#: Months summed by revenue_trailing.
TRAILING_MONTHS = 12
#: Customers-table columns that describe the life, not the customer.
LIFE_DATES = ("acquired_at", "churned_at")


def build_panel(
    responses: Any,
    revenue: Any,
    customers: Any | None = None,
    *,
    window_months: int = 12,
    churn_after_months: int = 3,
    recency_months: int = 12,
    tenure_bands: Sequence[int] = (12, 24),
    size_bands: int = 3,
    backend: Any | None = None,
) -> Panel:
    """Build the customer × month panel (an unexecuted Ibis expression).

    Parameters
    ----------
    responses, revenue : table
        The canonical tables (``docs/contracts.md``): a pandas DataFrame, a
        pyarrow Table, a Parquet or CSV path, an Ibis table, or the result of
        ``cxvalue.read_responses`` / ``read_revenue``. ``responses`` may be
        None (every row is then ``not_surveyed``).
    customers : table, optional
        The canonical customers table. With a ``churned_at`` column its churn
        dates decide churn for the customers it lists; every other column is
        carried onto the panel.
    window_months : int
        Months ahead covered by ``revenue_next`` and ``active_through_next``.
    churn_after_months : int
        Consecutive months without revenue that make an inferred churn.
    recency_months : int
        How many months a response keeps describing a customer.
    tenure_bands : sequence of int
        Cut-points of ``tenure_band`` in months: (12, 24) gives 0-11m,
        12-23m, 24m+.
    size_bands : int
        Number of ``size_band`` groups (3: small, medium, large).
    backend : ibis backend, optional
        Where to run. Default: the backend of any Ibis table given, else a new
        embedded DuckDB (``ibis.duckdb.connect()``).

    Returns
    -------
    Panel

    Notes
    -----
    *Rows.* A customer's rows run from their first month with revenue other
    than 0 to the last month of their life;
    months in between without revenue get revenue 0. Without churn dates, a
    life ends in churn at the last month with revenue when at least
    ``churn_after_months`` months without revenue follow it before the data
    end; a customer whose last revenue is nearer the data end is censored
    (rows end at the last revenue month, ``churned`` 0). Revenue after such a
    gap starts a new spell (``spell`` 2, 3, …; ``tenure_months`` restarts).
    With ``churned_at``, the life ends in the month of ``churned_at`` (or runs
    to the data end when it is empty); revenue billed after it stays on extra
    rows with ``at_risk`` 0, so that no revenue is lost.

    *Tenure.* Months since ``acquired_at`` (customers table) where given
    and not after the first revenue month, else since the first revenue
    month; a later spell counts from its own start.

    *Responses.* A month takes the latest response given at or before
    midnight of its first day and after the same point ``recency_months``
    earlier (an answer on the 1st counts for that month, one on the 2nd from
    the next month). Months with none are ``not_surveyed``.

    *Size band.* Customers are split into ``size_bands`` equal groups
    (``ntile``) by average monthly revenue over their first 12 months in the
    panel; one band per customer, fixed over time.
    """
    _check_build_params(window_months, churn_after_months, recency_months, tenure_bands,
                        size_bands)  # fmt: skip
    con = resolve_backend([responses, revenue, customers], backend, "build_panel")
    rev = _revenue_table(to_table(revenue, con, "revenue"))
    resp = None if responses is None else _responses_table(to_table(responses, con, "responses"))
    cust = (
        None if customers is None else _customers_table(to_table(customers, con, "customers"), con)
    )
    first, last = _revenue_span(rev, con)
    keys = pspell.customer_keys(rev)
    keyed_cust = None if cust is None else pspell.with_keys(cust, keys)
    monthly = pspell.monthly_revenue(pspell.with_keys(rev, keys),
                                     summed=one_row_per_month(revenue))  # fmt: skip
    ranges = pspell.life_ranges(pspell.active_months(monthly), keyed_cust, last)
    months = pspell.customer_months(ranges, monthly, first, last)
    months = pspell.revenue_windows(months, window_months, last, TRAILING_MONTHS)
    if resp is None:
        months = pcol.no_responses(months)
    else:
        spans = pcol.answer_spans(pspell.with_keys(resp, keys), recency_months)
        months = pcol.latest_response(months, spans)
    recipe = _Recipe(months=months, keys=keys, customers=keyed_cust, backend=con, last=last,
                     window_months=window_months, recency_months=recency_months,
                     tenure_bands=tuple(tenure_bands), size_bands=size_bands)  # fmt: skip
    return _lives(recipe, monthly, churn_after_months, _Recut(recipe))


@dataclass(frozen=True)
class _Recipe:
    """What :func:`build_panel` keeps to cut the same customer-months into lives by
    another churn rule (:meth:`Panel.with_churn_after`).

    ``months`` are every customer's months with their revenue windows and latest
    response (:func:`cxvalue._panel_spells.life_ranges`): the same under any rule.
    ``edges``, once stored, are the active months where spells may open or close under
    any rule (:func:`cxvalue._panel_spells.active_edges`); None: worked out per rule.
    """

    months: ir.Table
    keys: ir.Table
    customers: ir.Table | None
    backend: Any
    last: int
    window_months: int
    recency_months: int
    tenure_bands: tuple[int, ...]
    size_bands: int
    edges: ir.Table | None = None


def _lives(recipe: _Recipe, monthly: ir.Table, churn_after: int, recut: _Recut) -> Panel:
    """The panel of ``recipe``'s months cut into spells by ``churn_after``, from the
    monthly revenue (key, m, revenue). Every panel of one :func:`build_panel` call shares
    ``recut``, and with it what is stored once it is stored."""
    r = recipe
    spells = pspell.spells(pspell.active_months(monthly), r.customers, churn_after, r.last,
                           edges=r.edges)  # fmt: skip
    rows = pspell.life_columns(pspell.spell_rows(r.months, spells), r.window_months, r.last)
    people = r.keys.join(pcol.spell_sizes(spells, monthly, r.size_bands), "key")
    people, extra = pcol.customer_columns(people, r.customers, on="key")
    # distinct() changes nothing (one row per key) but stops DuckDB from moving the
    # customers-table join onto the customer-month rows (20 times as many)
    people = people.distinct().rename(p_key="key")
    rows = rows.join(people, rows.key == people.p_key)
    rows = pcol.tenure_from_acquisition(rows)
    rows = rows.mutate(tenure_band=pcol.tenure_band(rows.tenure_months, r.tenure_bands),
                       period=month_date(rows.m))  # fmt: skip
    rows = rows.select(*pcol.PANEL_COLUMNS, *extra)
    return Panel(
        expr=rows,
        backend=r.backend,
        window_months=r.window_months,
        churn_after_months=churn_after,
        churn_rule=_churn_rule(r.customers, churn_after),
        recency_months=r.recency_months,
        data_end=pd.Timestamp(year=r.last // 12, month=r.last % 12 + 1, day=1),
        controls_available=(*_controls(rows, extra), "size_band", "tenure_band"),
        recut=recut,
    )


class _Recut:
    """:meth:`Panel.with_churn_after` for the panels of one :func:`build_panel` call: at
    the first other rule asked for, its months and their spell edges are stored on the
    backend, and every later rule reads them (each refit then runs the churn rule's part
    only)."""

    def __init__(self, recipe: _Recipe) -> None:
        self.recipe = recipe
        self.stored: _Recipe | None = None

    def __call__(self, churn_after: int) -> Panel:
        check_positive_int(churn_after, "months", "Panel.with_churn_after")
        if self.stored is None:
            self.stored = _stored(self.recipe)
        monthly = self.stored.months.select("key", "m", "revenue")
        return _lives(self.stored, monthly, churn_after, self)


def _stored(recipe: _Recipe) -> _Recipe:
    """``recipe`` with its months and their spell edges stored on its backend (on PySpark,
    where Ibis 12 has no temporary tables, ``recipe`` itself: each rule computes them
    again)."""
    backend = recipe.backend
    try:
        months = store(backend, recipe.months, "cxvalue_months")
    except NotImplementedError:
        return recipe
    active = pspell.active_months(months.select("key", "m", "revenue"))
    edges = store(backend, pspell.active_edges(active), "cxvalue_edges")
    return replace(recipe, months=months, edges=edges)


def cells(
    panel: Panel | pd.DataFrame | ir.Table,
    by: Sequence[str],
    values: Sequence[str] = (),
    *,
    where: Callable[[ir.Table], ir.BooleanValue] | Deferred | None = None,
) -> pd.DataFrame:
    """Grouped sufficient statistics of a panel, computed in the engine.

    Parameters
    ----------
    panel : Panel, pandas.DataFrame or ibis.Table
        A panel (or any table with its columns).
    by : sequence of str
        Grouping columns (may be empty: one row for the whole panel).
    values : sequence of str
        Numeric columns to summarise.
    where : callable or deferred, optional
        Row filter: a function taking the table and returning a boolean
        expression (``lambda t: t.at_risk == 1``), or ``ibis._`` expression.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``n_rows`` (customer-months), ``exposure``
        (customer-months at risk: sum of ``at_risk``, or ``n_rows`` when
        there is no such column), ``events`` (sum of ``churned``),
        ``n_customers`` (distinct customer_id) and for each value ``v``:
        ``v_n`` (non-null count), ``v_sum`` and ``v_sq`` (sum of squares; both
        0 when ``v_n`` is 0). Counts are int64; sorted by ``by``.

    Examples
    --------
    >>> cells(panel, ["category", "tenure_band"], ["revenue_next"])  # doctest: +SKIP
    """
    table, con = _table_and_backend(panel)
    by, values = list(by), list(values)
    require(table, [*by, *values, "customer_id", "churned"], "panel")
    if where is not None:
        table = table.filter(where if isinstance(where, Deferred) else where(table))
    metrics = _cell_metrics(table, values)
    agg = table.group_by(by).aggregate(**metrics) if by else table.aggregate(**metrics)
    frame = con.execute(agg)
    return _tidy_cells(frame, by, values)


def _cell_metrics(table: ir.Table, values: Sequence[str]) -> dict[str, ir.Scalar]:
    at_risk = table.at_risk.cast("int64").sum() if "at_risk" in table.columns else table.count()
    metrics = {
        "n_rows": table.count(),
        "exposure": at_risk,
        "events": table.churned.cast("int64").sum(),
        "n_customers": table.customer_id.nunique(),
    }
    for v in values:
        x = table[v].cast("float64")
        metrics |= {f"{v}_n": x.count(), f"{v}_sum": x.sum(), f"{v}_sq": (x * x).sum()}
    return metrics


def _tidy_cells(frame: pd.DataFrame, by: list[str], values: list[str]) -> pd.DataFrame:
    counts = ["n_rows", "exposure", "events", "n_customers", *(f"{v}_n" for v in values)]
    sums = [f"{v}_{s}" for v in values for s in ("sum", "sq")]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame[sums] = frame[sums].astype("float64").fillna(0.0)
    if by:
        frame = frame.sort_values(by, na_position="last", kind="stable")
    return frame[
        [*by, *counts[:4], *(f"{v}_{s}" for v in values for s in ("n", "sum", "sq"))]
    ].reset_index(drop=True)


def _table_and_backend(panel: Any) -> tuple[ir.Table, Any]:
    if isinstance(panel, Panel):
        return panel.expr, panel.backend
    if isinstance(panel, pd.DataFrame):
        return ibis.memtable(panel), ibis.duckdb.connect()
    if isinstance(panel, ir.Table):
        return panel, resolve_backend([panel], None, "cells")
    check_param(False, "panel", "cells", "a Panel, a pandas DataFrame or an Ibis table",
                type(panel).__name__)  # fmt: skip
    raise AssertionError  # unreachable


def _revenue_table(table: ir.Table) -> ir.Table:
    require(table, ["customer_id", "period", "revenue"], "revenue")
    require_text_ids(table, "revenue")
    require_dates(table, "period", "revenue")
    return table


def _responses_table(table: ir.Table) -> ir.Table:
    require(table, ["customer_id", "responded_at", "score"], "responses")
    require_text_ids(table, "responses")
    require_dates(table, "responded_at", "responses")
    return table


def _customers_table(table: ir.Table, con: Any) -> ir.Table:
    require(table, ["customer_id"], "customers")
    require_text_ids(table, "customers")
    for col in LIFE_DATES:
        if col in table.columns:
            require_dates(table, col, "customers")
    stats = con.execute(table.aggregate(n=table.count(), ids=table.customer_id.nunique()))
    if int(stats["n"].iloc[0]) != int(stats["ids"].iloc[0]):
        raise InputError(
            f"The customers table has {int(stats['n'].iloc[0]):,} rows but "
            f"{int(stats['ids'].iloc[0]):,} distinct customer_id values; it needs one row per "
            "customer (a duplicate would duplicate panel rows). Read it with "
            "cxvalue.read_customers(), which reports duplicates."
        )
    return table


def _revenue_span(rev: ir.Table, con: Any) -> tuple[int, int]:
    """The first and last integer month of the revenue table (runs one small query)."""
    m = month_index(rev.period)
    missing = (rev.customer_id.isnull() | rev.period.isnull()).cast("int64").sum()
    stats = con.execute(rev.aggregate(first=m.min(), last=m.max(), missing=missing))
    first, last, n_missing = stats.iloc[0]
    if pd.isna(last):
        raise EmptyInputError("The revenue table has no rows: there is no panel to build.")
    if n_missing and int(n_missing) > 0:
        raise InputError(
            f"The revenue table has {int(n_missing):,} rows without a customer_id or period; "
            "they cannot be placed in the panel. Read it with cxvalue.read_revenue(), which "
            "rejects and reports them."
        )
    return int(first), int(last)


def _churn_rule(customers: ir.Table | None, churn_after: int) -> str:
    inferred = f"no revenue for {churn_after} consecutive months"
    if pspell.has_churn_dates(customers):
        return f"churn = churned_at in the customers table; customers not in it: {inferred}"
    return f"churn = {inferred} (no churn dates given)"


def _controls(rows: ir.Table, extra: Sequence[str]) -> list[str]:
    """Customers-table columns usable as controls: not dates, not the life dates."""
    dated = {c for c in extra if rows[c].type().is_temporal()}
    return [c for c in extra if c not in dated and c not in LIFE_DATES]


def _check_build_params(
    window: int, churn_after: int, recency: int, tenure_bands: Sequence[int], size_bands: int
) -> None:
    for name, value in (("window_months", window), ("churn_after_months", churn_after),
                        ("recency_months", recency), ("size_bands", size_bands)):  # fmt: skip
        check_positive_int(value, name, "build_panel")
    cuts = list(tenure_bands)
    ok = all(isinstance(c, int) and c > 0 for c in cuts) and cuts == sorted(set(cuts))
    check_param(ok, "tenure_bands", "build_panel", "increasing positive integers (months)",
                tenure_bands)  # fmt: skip
