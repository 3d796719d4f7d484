"""The main job on the bundled sample: what ``make demo`` runs."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from cxvalue.forecast import backtest, forecast
from cxvalue.growth import revenue_retention
from cxvalue.ingest import read_customers, read_responses, read_revenue
from cxvalue.models import fit_retention, fit_revenue
from cxvalue.nps import format_nps_table, nps
from cxvalue.panel import build_panel
from cxvalue.samples import write_sample
from cxvalue.scenarios import scenario
from cxvalue.value import value

#: The sample's controls: its customers table holds the size band that drives churn.
CONTROLS = ("segment", "size", "tenure_band")

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "samples"


def sample_paths(data_dir: Path | None, out: Path) -> dict[str, Path]:
    """The sample extracts: the bundled ones, or freshly written into ``out/sample``."""
    directory = data_dir or BUNDLED
    names = {
        "responses": "responses.csv.gz",
        "revenue": "revenue.csv.gz",
        "customers": "customers.csv",
    }
    if all((directory / name).exists() for name in names.values()):
        return {key: directory / name for key, name in names.items()}
    return write_sample(out / "sample")


def run_demo(out: Path, data_dir: Path | None = None) -> int:
    """Read the sample extracts, print their ledgers and NPS by segment and quarter."""
    paths = sample_paths(data_dir, out)
    responses = read_responses(paths["responses"])
    revenue = read_revenue(paths["revenue"])
    customers = read_customers(paths["customers"])
    print("Ingest ledgers\n==============")
    for result in (responses, revenue, customers):
        print(result.ledger, end="\n\n")
    table = responses.table.merge(
        customers.table[["customer_id", "segment"]], on="customer_id", how="left"
    )
    latest = table.sort_values("responded_at").drop_duplicates("customer_id", keep="last")
    title = "NPS by segment, each customer's latest answer"
    print(f"{title}\n{'=' * len(title)}")
    print(format_nps_table(nps(latest, by="segment")), end="\n\n")
    print("NPS by quarter\n==============")
    print(format_nps_table(nps(table, period="Q")), end="\n\n")
    print_money(responses, revenue, customers)
    return 0


def heading(title: str) -> None:
    """Print a title underlined."""
    print(f"{title}\n{'=' * len(title)}")


def print_money(responses, revenue, customers) -> None:
    """Fit both models on the sample and print value, a scenario, a forecast, a backtest."""
    panel = build_panel(responses, revenue, customers)
    retention = fit_retention(panel, controls=CONTROLS)
    growth = fit_revenue(panel, controls=CONTROLS)
    heading("Retention")
    print(retention.summary(), end="\n\n")
    heading("Revenue of retained customers")
    print(growth.summary(), end="\n\n")
    result = value(retention, growth, margin=0.3, discount_rate=0.1, horizon_months=36)
    heading("What customer experience is worth")
    print(result.summary(), end="\n\n")
    heading("Scenario: +5 NPS points (profit change, undiscounted)")
    plus5 = scenario(result, points=5)
    for row in plus5.itertuples():
        print(f"  year {row.year:<5} {row.profit_change:>14,.0f} "
              f"[{row.profit_lo:,.0f}, {row.profit_hi:,.0f}]")  # fmt: skip
    print()
    heading("Revenue forecast of today's base, every sixth month (80% interval)")
    fc = forecast(retention, growth, months=24, margin=0.3, moves={("detractor", "passive"): 0.5},
                  noise=True)  # fmt: skip
    for row in fc[fc["month"] % 6 == 0].itertuples():
        print(f"  {row.scenario:<9} {row.period:%Y-%m}  {row.revenue:>14,.0f} "
              f"[{row.lo_80:,.0f}, {row.hi_80:,.0f}]")  # fmt: skip
    print("  (scenario: half of today's detractors become passives)\n")
    heading("Backtest: fitted on data to 2024-12, scored on 2025")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        check = backtest(responses, revenue, customers, cutoff="2024-12", months=12,
                         controls=CONTROLS)  # fmt: skip
    print(check.summary(), end="\n\n")
    heading("Revenue retention, last 12 months")
    print(revenue_retention(revenue.table, customers.table).summary())
