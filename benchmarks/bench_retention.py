"""Benchmark: three ways to get the hazard ratio of each NPS category.

On the same simulated customers (``tests/_models_sim.py``: exponential lives,
planted hazard ratios promoter 0.6, detractor 2.0 vs passives, a segment
effect), compare

a   ``cxvalue.models.fit_retention`` on the customer-month rows DataFrame
    (cells grouped in DuckDB, Binomial GLM on the covariate patterns);
a2  the same on a Panel whose rows sit in a Parquet file read by DuckDB
    (the rows never enter Python: the intended path for large data);
b   what a user would write instead: ``statsmodels.formula.api.glm`` with a
    cloglog Binomial family on every customer-month row;
c   lifelines ``CoxPHFitter`` on one row per customer (time, event, dummies).

Each method runs in its own subprocess, so that peak memory is that method's
alone. The data are generated once (in a subprocess too) and written to
Parquet; the timed section is the fit alone. Memory: ``after load`` is the
resident set once the method's input is in memory; ``peak in fit`` is the
high-water mark of the resident set during the fit (Linux ``VmHWM``, reset
after loading through ``/proc/self/clear_refs``; where that is not allowed,
``ru_maxrss``, which then includes the load); ``fit adds`` is the difference.

Usage::

    .venv/bin/python benchmarks/bench_retention.py               # 200,000 customers
    .venv/bin/python benchmarks/bench_retention.py --customers 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # the simulator lives beside the tests

METHODS = ("a", "a2", "b", "c")
LABELS = {
    "a": "fit_retention on rows DataFrame (DuckDB cells + GLM)",
    "a2": "fit_retention on a Panel over Parquet (DuckDB)",
    "b": "statsmodels formula GLM, row level",
    "c": "lifelines CoxPHFitter, one row per customer",
}
MONTHS = 36
#: The simulated cohort's first month.
START = "2022-01-01"


def maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux: kB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(key: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def loaded() -> float:
    """Resident MB now, after loading; resets the peak so that it measures the fit alone."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
    except OSError:
        return maxrss_mb()
    return _status_mb("VmRSS") or maxrss_mb()


def peak_mb() -> float:
    """Peak resident MB since :func:`loaded` (or since start when it could not reset)."""
    return _status_mb("VmHWM") or maxrss_mb()


# ---------------------------------------------------------------------------
# data


def generate(n: int, seed: int, out: Path) -> dict[str, int]:
    """Write lives.parquet and rows.parquet for ``n`` customers; return sizes."""
    from _models_sim import customer_lives, panel_rows

    lives = customer_lives(n, MONTHS, np.random.default_rng(seed))
    rows = panel_rows(lives)
    # a calendar like build_panel's, stored as a materialized panel stores it: the
    # simulated cohort starts in January 2022, so that the current base is the last
    # month's customers, as in a real panel
    months = np.datetime64(START[:7], "M") + np.arange(MONTHS)
    period = months.astype("datetime64[D]")[rows["tenure_months"].to_numpy()]
    lives.to_parquet(out / "lives.parquet", index=False)
    table = pa.Table.from_pandas(rows, preserve_index=False)
    pq.write_table(table.append_column("period", pa.array(period, pa.date32())),
                   out / "rows.parquet")  # fmt: skip
    return {
        "customers": len(lives),
        "rows": len(rows),
        "events": int(rows["churned"].sum()),
        "rows_mb": round(rows.memory_usage(deep=True).sum() / 2**20),
    }


# ---------------------------------------------------------------------------
# methods (each returns rows fitted and {category: (hr, lo, hi)})


def method_a(data: Path) -> tuple[float, float, int, dict]:
    from cxvalue.models import fit_retention

    rows = pd.read_parquet(data / "rows.parquet")
    load = loaded()
    t0 = time.perf_counter()
    model = fit_retention(rows, controls=("segment",))
    seconds = time.perf_counter() - t0
    hr = model.hazard_ratios().set_index("category")
    n = len(rows)
    return seconds, load, n, {c: tuple(hr.loc[c, ["estimate", "lo", "hi"]]) for c in hr.index}


def method_a2(data: Path) -> tuple[float, float, int, dict]:
    import ibis

    from cxvalue.models import fit_retention
    from cxvalue.panel import Panel

    con = ibis.duckdb.connect()
    expr = con.read_parquet(data / "rows.parquet")
    end = pd.Timestamp(START) + pd.DateOffset(months=MONTHS - 1)
    panel = Panel(expr=expr, backend=con, window_months=None, churn_after_months=None,
                  churn_rule="simulated", recency_months=None, data_end=end)  # fmt: skip
    load = loaded()
    t0 = time.perf_counter()
    model = fit_retention(panel, controls=("segment",))
    seconds = time.perf_counter() - t0
    hr = model.hazard_ratios().set_index("category")
    n = model.exposure
    return seconds, load, n, {c: tuple(hr.loc[c, ["estimate", "lo", "hi"]]) for c in hr.index}


def method_b(data: Path) -> tuple[float, float, int, dict]:
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    rows = pd.read_parquet(data / "rows.parquet")
    load = loaded()
    t0 = time.perf_counter()
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    fit = smf.glm(
        "churned ~ C(category, Treatment('passive')) + C(segment)", data=rows, family=family
    ).fit()
    seconds = time.perf_counter() - t0
    ci = fit.conf_int()
    out = {"passive": (1.0, np.nan, np.nan)}
    for cat in ("promoter", "detractor"):
        term = f"C(category, Treatment('passive'))[T.{cat}]"
        out[cat] = (np.exp(fit.params[term]), np.exp(ci.loc[term, 0]), np.exp(ci.loc[term, 1]))
    return seconds, load, len(rows), out


def method_c(data: Path) -> tuple[float, float, int, dict]:
    from lifelines import CoxPHFitter

    lives = pd.read_parquet(data / "lives.parquet")
    load = loaded()
    t0 = time.perf_counter()
    frame = pd.DataFrame(
        {
            "time": lives["time"],
            "event": lives["churned"],
            "promoter": (lives["category"] == "promoter").astype(float),
            "detractor": (lives["category"] == "detractor").astype(float),
            "smb": (lives["segment"] == "SMB").astype(float),
            "enterprise": (lives["segment"] == "Enterprise").astype(float),
        }
    )
    cph = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
    seconds = time.perf_counter() - t0
    s = cph.summary
    out = {"passive": (1.0, np.nan, np.nan)}
    for cat in ("promoter", "detractor"):
        row = s.loc[cat]
        out[cat] = (
            row["exp(coef)"],
            row["exp(coef) lower 95%"],
            row["exp(coef) upper 95%"],
        )
    return seconds, load, len(lives), out


RUNNERS = {"a": method_a, "a2": method_a2, "b": method_b, "c": method_c}


def run_one(method: str, data: Path) -> None:
    """Child process: run one method, print one JSON line."""
    seconds, load, n, hrs = RUNNERS[method](data)
    peak = peak_mb()
    print(
        json.dumps(
            {
                "method": method,
                "seconds": seconds,
                "rows": n,
                "load_mb": load,
                "peak_mb": peak,
                "hr": {k: [float(x) for x in v] for k, v in hrs.items()},
            }
        )
    )


# ---------------------------------------------------------------------------
# driver


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()} {platform.system()}, nproc={os.cpu_count()}, "
        f"RAM {mem:.0f} GiB, Python {platform.python_version()}"
    )


def versions() -> str:
    import duckdb
    import ibis
    import lifelines
    import statsmodels

    return (
        f"statsmodels {statsmodels.__version__}, duckdb {duckdb.__version__}, "
        f"ibis {ibis.__version__}, lifelines {lifelines.__version__}, pandas {pd.__version__}"
    )


def report(info: dict[str, int], results: list[dict]) -> str:
    base = next((r["seconds"] for r in results if r["method"] == "a"), np.nan)
    lines = [
        f"Date: {dt.date.today().isoformat()}; machine: {machine()}",
        f"Versions: {versions()}",
        f"Data: {info['customers']:,} customers, {info['rows']:,} customer-months, "
        f"{info['events']:,} churn events; rows DataFrame {info['rows_mb']:,} MB in pandas",
        "",
        "| method | rows fitted | wall s | × (a) | after load MB | peak in fit MB | fit adds MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| ({r['method']}) {LABELS[r['method']]} | {r['rows']:,} | {r['seconds']:.2f} "
            f"| {r['seconds'] / base:.1f} | {r['load_mb']:,.0f} | {r['peak_mb']:,.0f} "
            f"| {r['peak_mb'] - r['load_mb']:,.0f} |"
        )
    lines += ["", "| method | promoter HR [95% CI] | detractor HR [95% CI] |", "|---|---|---|"]
    for r in results:
        cells = []
        for cat in ("promoter", "detractor"):
            est, lo, hi = r["hr"][cat]
            cells.append(f"{est:.4f} [{lo:.4f}, {hi:.4f}]")
        lines.append(f"| ({r['method']}) | {cells[0]} | {cells[1]} |")
    lines.append("| planted | 0.6 | 2.0 |")
    log_hr = {r["method"]: np.log([r["hr"][c][0] for c in ("promoter", "detractor")])
              for r in results}  # fmt: skip
    if "a" in log_hr:
        lines.append("")
        for m in (m for m in log_hr if m != "a"):
            gap = np.abs(log_hr[m] - log_hr["a"]).max()
            lines.append(f"Largest |log HR difference| ({m}) vs (a): {gap:.2e}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200_000, help="customers (200,000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma list of a,a2,b,c")
    parser.add_argument("--data", type=Path, default=None, help="directory for the Parquet data")
    parser.add_argument("--run-one", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        run_one(args.run_one, args.data)
        return 0
    if args.generate_only:
        print(json.dumps(generate(args.customers, args.seed, args.data)))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench_retention_") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        # A child generates the data: this process stays small, so that the children's
        # memory figures do not inherit its peak.
        cmd = [sys.executable, __file__, "--generate-only", "--customers", str(args.customers),
               "--seed", str(args.seed), "--data", str(data)]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        info = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"generated {info} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = []
        for method in args.methods.split(","):
            cmd = [sys.executable, __file__, "--run-one", method, "--data", str(data)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"method {method} failed:\n{done.stderr}", file=sys.stderr)
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  ({method}) {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB",
                  file=sys.stderr)  # fmt: skip
            results.append(result)
        print(report(info, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
