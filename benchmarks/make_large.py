"""Write a large sample company as Parquet, for the scale benchmarks (not committed).

1,000,000 customers over 36 months by default: the sample generator's own
simulation (:mod:`cxvalue.samples`, planted truths of
:class:`cxvalue.samples.SampleParams`: detractors churn at 2x the hazard of
passives, promoters at 0.6x, size and segment confound both) run on chunks of
customers, each chunk with its own seeded generator, and streamed to Parquet
with pyarrow so that memory stays at one chunk's worth.

Files written into ``--out`` (default ``/tmp/cxvalue_large``):

- ``revenue.parquet``: canonical revenue, customer_id (string), period (date,
  month start), revenue (float64; credit notes netted): one row per customer
  and billed month, about 22.5 million rows for 1M customers (a customer is
  billed from acquisition to churn, not for all 36 months); with ``--empty-months P``
  each billed month but a customer's first and last is left out with probability P
  (a month without revenue inside a life, as real billing has);
- ``responses.parquet``: canonical responses, customer_id, responded_at
  (timestamp), score, category, response_id, weight, segment: about 2,000,000
  rows (the response rate is raised from the sample's 0.3 to
  ``--response-rate`` 0.54 to get there);
- ``customers.parquet``: customer_id, segment, size, region, acquired_at,
  churned_at, referral_source;
- ``cxvalue.toml``: a report configuration for these files
  (:mod:`cxvalue.report.config` format).

Usage::

    .venv/bin/python benchmarks/make_large.py                      # 1M customers, /tmp
    .venv/bin/python benchmarks/make_large.py --customers 50000 --out /tmp/cx_small
    .venv/bin/python benchmarks/make_large.py --empty-months 0.05 --out /tmp/cxvalue_gaps
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxvalue.samples import SampleParams
from cxvalue.samples import _customers_frame as customers_frame
from cxvalue.samples import _firms as firms_of
from cxvalue.samples import _responses as responses_frame
from cxvalue.samples import _simulate as simulate
from cxvalue.samples import _stack as stack

CHUNK = 100_000
REVENUE_SCHEMA = pa.schema(
    [("customer_id", pa.string()), ("period", pa.date32()), ("revenue", pa.float64())]
)
RESPONSE_COLUMNS = ("customer_id", "responded_at", "score", "category", "response_id",
                    "weight", "segment")  # fmt: skip
CUSTOMER_COLUMNS = ("customer_id", "segment", "size", "region", "acquired_at", "churned_at",
                    "referral_source")  # fmt: skip

CONFIG = """\
# Report configuration for the large benchmark data (written by benchmarks/make_large.py).
title = "Large sample company ({customers:,} customers)"
currency = "EUR"
seed = {seed}

[inputs.responses]
path = "responses.parquet"

[inputs.revenue]
path = "revenue.parquet"

[inputs.customers]
path = "customers.parquet"

[model]
controls = ["segment", "size_band", "tenure_band"]
churn_after_months = 3

[value]
margin = 0.3
discount_rate = 0.08
horizon_months = 36
transition = "detractor_to_passive"
"""


def chunk_tables(
    params: SampleParams, offset: int, n: int, seed: int, width: int, empty: float = 0.0
):
    """Simulate ``n`` customers numbered from ``offset + 1``; return three Arrow tables
    (``empty``: the chance that a billed month other than the first and last is left out)."""
    rng = np.random.default_rng([seed, offset])
    chunk = replace(params, n_customers=n)
    firms = firms_of(chunk, rng)
    firms["customer_id"] = [f"{i:0{width}d}" for i in range(offset + 1, offset + n + 1)]
    sim = simulate(chunk, firms, rng)
    months = pd.date_range(params.start, periods=params.n_months, freq="MS")
    rows, t, amount = stack(sim["revenue"])
    credit = rng.random(rows.size) < params.credit_note_rate
    amount = np.round(np.round(amount, 2) - np.where(credit, np.round(0.1 * amount, 2), 0.0), 2)
    order = np.lexsort((t, rows))  # by customer, then month
    if empty > 0:
        who = rows[order]
        ends = np.r_[True, who[1:] != who[:-1]] | np.r_[who[:-1] != who[1:], True]
        gaps = np.random.default_rng([seed, offset, 1])  # the other tables stay as without
        order = order[ends | (gaps.random(order.size) >= empty)]
    ids = pa.array(firms["customer_id"].to_numpy(), pa.string())
    revenue = pa.table(
        {
            "customer_id": ids.take(pa.array(rows[order])),
            "period": pa.array(months.values.astype("datetime64[D]")[t[order]], pa.date32()),
            "revenue": pa.array(amount[order], pa.float64()),
        },
        schema=REVENUE_SCHEMA,
    )
    resp = responses_frame(firms, months, sim["responses"], rng)[list(RESPONSE_COLUMNS)]
    cust = customers_frame(firms, months, sim["churn_month"], rng)[list(CUSTOMER_COLUMNS)]
    as_arrow = {"customer_id": pa.string(), "segment": pa.string()}
    return (
        revenue,
        _arrow(resp, as_arrow | {"response_id": pa.string(), "category": pa.string()}),
        _arrow(cust, as_arrow | {k: pa.string() for k in ("size", "region", "referral_source")}),
    )


def _arrow(frame: pd.DataFrame, strings: dict) -> pa.Table:
    """A pandas frame as Arrow with plain (not large) strings and µs timestamps."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for f in table.schema:
        if f.name in strings:
            fields.append(pa.field(f.name, strings[f.name]))
        elif pa.types.is_timestamp(f.type):
            fields.append(pa.field(f.name, pa.timestamp("us")))
        else:
            fields.append(f)
    return table.cast(pa.schema(fields))


def write_large(
    out: Path, customers: int, seed: int, response_rate: float, empty: float = 0.0
) -> dict:
    """Write the three Parquet files and cxvalue.toml; return row counts and timings."""
    out.mkdir(parents=True, exist_ok=True)
    params = SampleParams(n_customers=customers, response_rate=response_rate)
    width = max(6, len(str(customers)))
    writers: dict[str, pq.ParquetWriter] = {}
    counts = dict.fromkeys(("revenue", "responses", "customers"), 0)
    t0 = time.perf_counter()
    try:
        for offset in range(0, customers, CHUNK):
            n = min(CHUNK, customers - offset)
            tables = chunk_tables(params, offset, n, seed, width, empty)
            for name, table in zip(counts, tables, strict=True):
                if name not in writers:
                    writers[name] = pq.ParquetWriter(out / f"{name}.parquet", table.schema)
                writers[name].write_table(table, row_group_size=1_000_000)
                counts[name] += table.num_rows
            done = offset + n
            print(f"  {done:,} customers, {counts['revenue']:,} revenue rows, "
                  f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)  # fmt: skip
    finally:
        for writer in writers.values():
            writer.close()
    (out / "cxvalue.toml").write_text(CONFIG.format(customers=customers, seed=seed))
    sizes = {k: round((out / f"{k}.parquet").stat().st_size / 2**20) for k in counts}
    return {"out": str(out), "seconds": round(time.perf_counter() - t0, 1),
            "rows": counts, "mb": sizes}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/cxvalue_large"))
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--response-rate",
        type=float,
        default=0.54,
        help="share answering a wave (0.54: ~2M responses for 1M customers)",
    )
    parser.add_argument(
        "--empty-months",
        type=float,
        default=0.0,
        help="chance that a billed month (not a customer's first or last) is left out",
    )
    args = parser.parse_args(argv)
    info = write_large(args.out, args.customers, args.seed, args.response_rate, args.empty_months)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
