"""Customer lives ("spells") and the customer-month rows they span.

Customers are numbered first (:func:`customer_keys`): every step here joins,
groups and sorts on that integer ``key`` rather than on the text id, which is
several times cheaper on tens of millions of rows; the panel swaps the text id
back in at the end.

A customer's months (:func:`life_ranges`, :func:`customer_months`) run without a
gap from its first month with revenue to its last row, and carry the revenue
windows: none of this depends on the churn rule. A spell is one unbroken life
within them: ``start`` (first month with revenue), ``risk_end`` (the last month the
customer is a customer), ``row_end`` (the last panel row: ``risk_end``, or later
when revenue arrives after an explicit churn date) and ``churned`` (1 when the
spell ended in an observed churn). The churn rule decides only where the months
are cut into spells (:func:`spell_rows`). Months are integers (see
:mod:`cxvalue._panel_inputs`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxvalue._panel_inputs import calendar, flag, month_index

SPELL_COLUMNS = ("key", "spell", "start", "risk_end", "row_end", "churned")


def customer_keys(revenue: ir.Table) -> ir.Table:
    """Each customer_id of the revenue table with an integer ``key`` (0, 1, … in id order)."""
    ids = revenue.select("customer_id").distinct()
    return ids.mutate(key=ibis.row_number().over(order_by="customer_id").cast("int64"))


def with_keys(table: ir.Table, keys: ir.Table) -> ir.Table:
    """``table`` with its customer_id swapped for the key (customers without one drop out)."""
    joined = table.join(keys, table.customer_id == keys.customer_id)
    return joined.drop(*(c for c in joined.columns if c.startswith("customer_id")))


def monthly_revenue(revenue: ir.Table, *, summed: bool = False) -> ir.Table:
    """Revenue per (key, integer month ``m``), summed; missing amounts count 0.

    ``summed`` says the table has one row per customer and month already (checked
    by the caller): the grouping, a hash table over every row, is then left out.
    """
    rows = revenue.select(
        "key", m=month_index(revenue.period), revenue=revenue.revenue.cast("float64")
    )
    if summed:
        return rows.mutate(revenue=ibis.coalesce(rows.revenue, 0.0))
    return rows.group_by(["key", "m"]).aggregate(revenue=ibis.coalesce(rows.revenue.sum(), 0.0))


def active_months(monthly: ir.Table) -> ir.Table:
    """The months in which a customer had revenue other than 0 (credits count)."""
    return monthly.filter(monthly.revenue != 0).select("key", "m")


def active_edges(active: ir.Table) -> ir.Table:
    """The active months a spell may open or close at, under any churn rule: each with the
    customer's active months before and after it (``prev_m``, ``next_m``; NULL for none),
    kept where either is missing or more than one month away.

    Every rule of one empty month or more cuts spells at these months only, so a table of
    them (in the benchmark data, a tenth of the active months) serves every rule
    (:func:`inferred_spells`).
    """
    order = ibis.window(group_by="key", order_by="m")
    months = active.select("key", "m", prev_m=active.m.lag().over(order),
                           next_m=active.m.lead().over(order))  # fmt: skip
    gap_before = months.prev_m.isnull() | (months.m - months.prev_m > 1)
    gap_after = months.next_m.isnull() | (months.next_m - months.m > 1)
    return months.filter(gap_before | gap_after)


def inferred_spells(edges: ir.Table, churn_after: int, data_end: int) -> ir.Table:
    """Spells from revenue gaps: a gap of ``churn_after`` or more empty months ends one.

    A spell ends in churn when at least ``churn_after`` empty months follow its
    last active month before ``data_end``; this holds for every spell but the
    last one by construction, and for the last one it says the customer did
    not come back. Otherwise the spell is censored (``churned`` 0). ``edges`` are the
    active months where spells may open or close (:func:`active_edges`).
    """
    # mark each spell's first and last month; only those (two a spell at most) are paired
    marked = edges.mutate(
        opens=flag(edges.prev_m.isnull() | (edges.m - edges.prev_m > churn_after)),
        closes=flag(edges.next_m.isnull() | (edges.next_m - edges.m > churn_after)),
    )
    edges = marked.filter((marked.opens == 1) | (marked.closes == 1))
    running = ibis.window(group_by="key", order_by="m", rows=(None, 0))
    # summed as floats (exact for counts) so that the cast to int64 stays in the SQL:
    # DuckDB sums integers to a 128-bit HUGEINT, which Parquet stores as a double
    edges = edges.mutate(spell=edges.opens.cast("float64").sum().over(running).cast("int64"))
    spells = edges.group_by(["key", "spell"]).aggregate(start=edges.m.min(), end=edges.m.max())
    return spells.select(
        "key", "spell", "start", risk_end=spells.end, row_end=spells.end,
        churned=flag(spells.end + churn_after <= data_end),
    )  # fmt: skip


def has_churn_dates(customers: ir.Table | None) -> bool:
    """True for a customers table with a ``churned_at`` column (its dates decide churn)."""
    return customers is not None and "churned_at" in customers.columns


def active_span(active: ir.Table) -> ir.Table:
    """Each customer's first and last active month (``start``, ``last``) and its count of
    active months (``active``)."""
    return active.group_by("key").aggregate(
        start=active.m.min(), last=active.m.max(), active=active.count()
    )


def explicit_spells(active: ir.Table, customers: ir.Table, data_end: int) -> ir.Table:
    """One spell per customer of the customers table, ended by its ``churned_at``.

    The spell starts at the first month with revenue. It ends at the month of
    ``churned_at`` (moved to the first revenue month when earlier), or at
    ``data_end`` when ``churned_at`` is empty or after the data end (censored).
    Rows go on past the churn month, not at risk, while revenue still arrives,
    so that no revenue is lost. ``active`` counts the spell's months with revenue.
    """
    life = active_span(active)
    dates = customers.select("key", churn_m=month_index(customers.churned_at))
    both = life.join(dates, "key")
    observed = both.churn_m.notnull() & (both.churn_m <= data_end)
    risk_end = ibis.ifelse(observed, ibis.greatest(both.churn_m, both.start), data_end)
    return both.select(
        key=both.key,
        spell=ibis.literal(1, "int64"),
        start=both.start,
        risk_end=risk_end.cast("int64"),
        row_end=ibis.greatest(risk_end, both.last).cast("int64"),
        churned=flag(observed),
        active=both.active,
    )


def spells(
    active: ir.Table,
    customers: ir.Table | None,
    churn_after: int,
    data_end: int,
    edges: ir.Table | None = None,
) -> ir.Table:
    """Every spell: explicit for customers with a churn-date column, inferred otherwise
    (from the :func:`active_edges` of ``active``, or ``edges`` when they are stored)."""
    if not has_churn_dates(customers):
        edges = active_edges(active) if edges is None else edges
        return inferred_spells(edges, churn_after, data_end).select(*SPELL_COLUMNS)
    listed = customers.select("key")
    if edges is None:  # the listed customers left out before the edges' window
        edges = active_edges(active.anti_join(listed, "key"))
    else:
        edges = edges.anti_join(listed, "key")
    parts = (
        explicit_spells(active, customers, data_end).select(*SPELL_COLUMNS),
        inferred_spells(edges, churn_after, data_end).select(*SPELL_COLUMNS),
    )
    return ibis.union(*parts, distinct=False)


def life_ranges(active: ir.Table, customers: ir.Table | None, data_end: int) -> ir.Table:
    """Each customer's months on the panel, whatever the churn rule: ``key``, ``start``
    (the first month with revenue), ``row_end`` (the last row) and ``active``.

    A customer's spells, and the months between them, cover these months; which months
    lie between spells is all a churn rule changes. Without a churn date the last row is
    the last month with revenue; with one, that of its spell (:func:`explicit_spells`).
    """
    life = active_span(active).rename(row_end="last")
    if not has_churn_dates(customers):
        return life
    listed = explicit_spells(active, customers, data_end).select(*life.columns)
    return ibis.union(listed, life.anti_join(customers.select("key"), "key"), distinct=False)


def customer_months(ranges: ir.Table, monthly: ir.Table, first: int, last: int) -> ir.Table:
    """One row per customer and month of its :func:`life_ranges`: key, m and the month's
    revenue (0 if none).

    A range with revenue in every month (``active`` months = its length) takes its rows
    straight from the monthly revenue, joined to the ranges (the small side of the
    join); only the ranges with empty months are laid on the calendar and filled with 0.
    """
    full = ranges.active == ranges.row_end - ranges.start + 1
    whole = ranges.filter(full).rename(s_key="key")
    rows = monthly.join(
        whole, [monthly.key == whole.s_key, monthly.m >= whole.start, monthly.m <= whole.row_end]
    ).select("key", "m", "revenue")
    gappy = ranges.filter(~full)
    cal = calendar(first, last)
    grid = gappy.join(cal, [cal.m >= gappy.start, cal.m <= gappy.row_end]).select("key", "m")
    rev = monthly.filter(monthly.key.isin(gappy.key)).rename(rev_key="key", rev_m="m")
    joined = grid.left_join(rev, [grid.key == rev.rev_key, grid.m == rev.rev_m])
    filled = joined.select("key", "m", revenue=ibis.coalesce(joined.revenue, 0.0))
    return ibis.union(rows, filled, distinct=False)


def revenue_windows(months: ir.Table, window: int, last: int, trailing: int = 12) -> ir.Table:
    """Add revenue_trailing (``trailing`` months to this one) and revenue_next.

    Both are sums over the customer's months in a range: ``revenue_next`` covers
    months ``m+1 … m+window`` (also those of a later spell) and is NULL when that
    window passes the data end, month ``last``. The sums run over a frame of rows,
    which engines compute faster than a frame of month values (DuckDB, 36 million
    rows: 15-17 s of CPU against 22 s); rows count months because each customer's
    months (:func:`customer_months`) have no gaps.
    """
    past = ibis.window(group_by="key", order_by="m", rows=(-(trailing - 1), 0))
    ahead = ibis.window(group_by="key", order_by="m", rows=(1, window))
    next_sum = ibis.coalesce(months.revenue.sum().over(ahead), 0.0)
    return months.mutate(
        revenue_trailing=months.revenue.sum().over(past),
        revenue_next=ibis.ifelse(months.m + window <= last, next_sum, ibis.null("float64")),
    )


def spell_rows(months: ir.Table, spell_table: ir.Table) -> ir.Table:
    """The customer-months that lie in a spell, with its ``spell``, ``start``,
    ``risk_end`` and ``churned_spell`` (months between a customer's spells drop out)."""
    spans = spell_table.select(
        s_key="key", spell="spell", start="start", risk_end="risk_end", row_end="row_end",
        churned_spell="churned",
    )  # fmt: skip
    joined = months.join(
        spans, [months.key == spans.s_key, months.m >= spans.start, months.m <= spans.row_end]
    )
    return joined.drop("s_key", "row_end")


def life_columns(rows: ir.Table, window: int, data_end: int) -> ir.Table:
    """Add at_risk, churned, tenure_months and active_through_next to spell rows.

    ``active_through_next`` is 1 when the customer is still a customer in
    month ``m + window``, 0 when the spell ended in churn before that month,
    NULL when that month is after ``data_end``, the spell was censored before
    it, or the row is not at risk.
    """
    horizon = rows.m + window
    known = (horizon <= data_end) & (rows.m <= rows.risk_end)
    outcome = ibis.cases(
        (~known, ibis.null("int64")),
        (rows.risk_end >= horizon, ibis.literal(1, "int64")),
        (rows.churned_spell == 1, ibis.literal(0, "int64")),
        else_=ibis.null("int64"),
    )
    return rows.mutate(
        at_risk=flag(rows.m <= rows.risk_end),
        churned=flag((rows.m == rows.risk_end) & (rows.churned_spell == 1)),
        tenure_months=(rows.m - rows.start).cast("int64"),
        active_through_next=outcome,
    )
