"""The main job on the bundled sample: what ``make demo`` runs."""

from __future__ import annotations

from pathlib import Path

from cxvalue.ingest import read_customers, read_responses, read_revenue
from cxvalue.nps import format_nps_table, nps
from cxvalue.samples import write_sample

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
    print(format_nps_table(nps(table, period="Q")))
    return 0
