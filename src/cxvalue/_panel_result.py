"""The :class:`Panel` object: an unexecuted Ibis expression and what it means."""

from __future__ import annotations

import shutil
import tempfile
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from cxvalue._panel_columns import PANEL_COLUMNS
from cxvalue.errors import ColumnError, InputError

#: Integer columns that may hold NULL; pandas gets them as nullable Int64.
NULLABLE_INTS = ("active_through_next", "score", "months_since_response")


@dataclass(frozen=True, repr=False)
class Panel:
    """One row per customer and month while a customer, as an Ibis expression.

    Nothing runs until :meth:`to_pandas`, :meth:`to_pyarrow`, :meth:`count`
    or :func:`cxvalue.panel.cells` asks for it, and then on :attr:`backend`.

    Attributes
    ----------
    expr : ibis.Table
        The panel expression (not executed).
    backend : ibis backend
        Where it runs (an embedded DuckDB unless the inputs said otherwise).
    window_months : int or None
        Months covered by ``revenue_next`` and ``active_through_next``.
    churn_after_months : int or None
        Months without revenue that make an inferred churn.
    churn_rule : str
        One sentence for outputs: how churn was decided.
    recency_months : int or None
        How old a response may be and still describe a month.
    data_end : pandas.Timestamp or None
        The last month of the revenue data (None for a snapshot).
    controls_available : tuple of str
        Columns that can serve as controls in the models.
    kind : {"monthly", "snapshot"}
        How the panel was made.
    prefetched : dict
        Results of queries run ahead by :meth:`prefetch`, by query.
    recut : callable or None
        What :meth:`with_churn_after` calls (set by ``build_panel``).
    """

    expr: ir.Table
    backend: Any
    window_months: int | None
    churn_after_months: int | None
    churn_rule: str
    recency_months: int | None
    data_end: pd.Timestamp | None
    controls_available: tuple[str, ...] = field(default=())
    kind: str = "monthly"
    prefetched: Mapping[Any, pa.Table] = field(default_factory=dict, compare=False)
    recut: Callable[[int], Panel] | None = field(default=None, compare=False)

    @property
    def columns(self) -> list[str]:
        """The panel's column names."""
        return list(self.expr.columns)

    def _ordered(self) -> ir.Table:
        keys = ["customer_id", "period", "spell", "tenure_months"]
        return self.expr.order_by([k for k in keys if k in self.expr.columns])

    def to_pandas(self) -> pd.DataFrame:
        """Run the panel and return it sorted by customer_id and period.

        ``customer_id`` has the pandas ``"string"`` dtype, ``period`` is
        datetime64, and integer columns that may be empty are nullable
        ``Int64``.
        """
        frame = self.backend.execute(self._ordered()).reset_index(drop=True)
        frame["customer_id"] = frame["customer_id"].astype("string")
        if "period" in frame and frame["period"].notna().any():
            frame["period"] = pd.to_datetime(frame["period"]).astype("datetime64[ns]")
        for col in NULLABLE_INTS:
            if col in frame:
                frame[col] = frame[col].astype("Int64")
        return frame

    def to_pyarrow(self) -> pa.Table:
        """Run the panel and return it as an Arrow table (same order as :meth:`to_pandas`)."""
        return self.backend.to_pyarrow(self._ordered())

    def materialize(self, columns: Sequence[str] | None = None) -> Panel:
        """Run the panel once into storage on its backend and return a Panel over it.

        Every model fit and cell count asks the backend for the panel again; on
        a large panel, running it once and reading the stored rows after that
        is several times faster. On DuckDB the rows go to a Parquet file in a
        temporary folder (compressed: a sixth of the memory an in-memory table
        takes, and faster to group); on other backends into a temporary table.
        Either lives as long as the connection.

        Parameters
        ----------
        columns : sequence of str, optional
            Customers-table columns to keep (the panel's own columns are always
            kept); default: all. Leaving out the ones no model uses makes the
            stored table smaller and the run faster.
        """
        expr = self.expr
        if columns is not None:
            unknown = [c for c in columns if c not in expr.columns]
            if unknown:
                raise ColumnError(
                    f"materialize(): the panel has no column {unknown[0]!r}. Columns: "
                    f"{', '.join(expr.columns)}.",
                    column=unknown[0], found=list(expr.columns),
                )  # fmt: skip
            expr = expr.select(*[c for c in expr.columns if c in PANEL_COLUMNS or c in columns])
        table = store(self.backend, expr, "cxvalue_panel")
        controls = tuple(c for c in self.controls_available if c in table.columns)
        return replace(self, expr=table, controls_available=controls, prefetched={})

    def with_churn_after(self, months: int) -> Panel:
        """The same customers and months with churn inferred after ``months`` empty months.

        For a sensitivity of the churn definition: refitting on several rules
        (``panel.with_churn_after(2)``, ``…(6)``) gives the same panel as
        :func:`~cxvalue.panel.build_panel` with ``churn_after_months=months``, faster.
        The customer-months and their revenue windows, which no churn rule changes, are
        stored on the backend at the first call (as :meth:`materialize` stores), with the
        months where a spell may open or close under any rule, and every panel of the same
        ``build_panel`` call reads them: each runs only the rule's part.
        On PySpark, where Ibis has no temporary tables, each rule computes them again.
        Churn dates of a customers table still decide churn for the customers it lists.

        Parameters
        ----------
        months : int
            Consecutive months without revenue that make an inferred churn.
        """
        if self.recut is None:
            raise InputError(
                "with_churn_after() needs a panel from build_panel(); a snapshot panel has no "
                "months to cut into lives."
            )
        return self.recut(months)

    def prefetch(self, queries: Sequence[ir.Table]) -> Panel:
        """A Panel that answers ``queries`` (expressions over this panel) from one run.

        The queries run together, as one query on the backend, and :meth:`fetch`
        then returns their results without running them again. On DuckDB, which
        computes a subquery that several parts read only once, the panel is
        computed once for all of them: for a few grouped queries, cheaper than
        :meth:`materialize` and running each on the stored rows.
        """
        results = _run_together(self.backend, list(queries))
        done = {query.op(): result for query, result in zip(queries, results, strict=True)}
        return replace(self, prefetched={**self.prefetched, **done})

    def fetch(self, query: ir.Table) -> pa.Table:
        """The result of ``query`` (an expression over this panel) as an Arrow table:
        from :meth:`prefetch` when it ran that query, else run on the backend now."""
        found = self.prefetched.get(query.op())
        return self.backend.to_pyarrow(query) if found is None else found

    def count(self) -> int:
        """The number of customer-months (runs a count on the backend)."""
        return int(self.backend.execute(self.expr.count()))

    def __repr__(self) -> str:
        end = "" if self.data_end is None else f", data to {self.data_end:%Y-%m}"
        return (
            f"Panel({self.kind}, {len(self.expr.columns)} columns, "
            f"window={self.window_months}m{end}; {self.churn_rule})"
        )


def store(backend: Any, expr: ir.Table, prefix: str) -> ir.Table:
    """Run ``expr`` once into storage on ``backend`` and return a table over it.

    On DuckDB the rows go to a Parquet file in a temporary folder (compressed: a sixth of
    the memory an in-memory table takes, and faster to group); on other backends into a
    temporary table. Either lives as long as the connection. Ibis 12 has no temporary
    tables on PySpark: there it raises NotImplementedError.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    if getattr(backend, "name", "") == "duckdb":
        path = _scratch_folder(backend) / f"{name}.parquet"
        backend.to_parquet(expr, path)
        return backend.read_parquet(path, table_name=name)
    return backend.create_table(name, expr, temp=True)


def _run_together(backend: Any, queries: list[ir.Table]) -> list[pa.Table]:
    """Run ``queries`` as one: their rows stacked (each query's columns renamed apart,
    NULL in the others' rows, a ``_part`` number to tell them apart), then split.
    Row order within a query's result is not kept (as for any grouped query)."""
    if len(queries) <= 1:
        return [backend.to_pyarrow(query) for query in queries]
    names = [[f"_{i}_{name}" for name in query.columns] for i, query in enumerate(queries)]
    types: dict[str, Any] = {}  # every query's renamed columns, in order, with their types
    for i, query in enumerate(queries):
        types.update(zip(names[i], query.schema().values(), strict=True))
    stacked = []
    for i, query in enumerate(queries):
        own = dict(zip(names[i], query.columns, strict=True))
        columns = {name: query[own[name]] if name in own else ibis.null(dtype)
                   for name, dtype in types.items()}  # fmt: skip
        stacked.append(query.select(_part=ibis.literal(i, "int16"), **columns))
    result = backend.to_pyarrow(ibis.union(*stacked, distinct=False))
    parts = result.column("_part").to_numpy()
    return [
        result.filter(pa.array(parts == i)).select(names[i]).rename_columns(query.columns)
        for i, query in enumerate(queries)
    ]


#: One scratch folder per DuckDB connection (by identity: Ibis counts any two in-memory
#: DuckDB connections as equal), removed with the connection.
_SCRATCH: dict[int, Path] = {}


def _scratch_folder(con: Any) -> Path:
    """A temporary folder that lives as long as ``con`` (and at most as the process)."""
    key = id(con)
    if key not in _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="cxvalue-panel-"))
        weakref.finalize(con, _remove_scratch, key, folder)
        _SCRATCH[key] = folder
    return _SCRATCH[key]


def _remove_scratch(key: int, folder: Path) -> None:
    _SCRATCH.pop(key, None)
    shutil.rmtree(folder, ignore_errors=True)
