"""Scale benchmarks on the large sample company (``make_large.py``): one process per case.

Cases (each measured in its own process under ``/usr/bin/time -v``, so that wall
time and peak memory are that process's alone; without GNU time, from
``resource.getrusage(RUSAGE_CHILDREN)``):

3       the panel + cells step: ``cx.build_panel`` from the three Parquet paths,
        then ``cx.cells`` by category, segment, size band and tenure band, vs the
        floor: a plain DuckDB ``SELECT customer_id, count(*), sum(revenue) FROM
        read_parquet(revenue) GROUP BY 1`` (fetched as Arrow) in the same run.
        Goal: within 3x of the floor.
4       the NPS bootstrap on 10 million responses with 10,000 resamples (the
        scores drawn from the large sample's score frequencies) vs a naive numpy
        bootstrap that resamples rows, timed on a few resamples and extrapolated
        linearly to 10,000. Goal: < 0.5 s.
2       the retention fit on 200,000 simulated customers: ``bench_retention.py``'s
        methods a2 (fit_retention on a Panel over Parquet), b (statsmodels formula
        GLM, row level) and c (lifelines CoxPHFitter), each in its own process
        (a2 and c three times: the median is recorded).
        Goal: >= 100x faster than lifelines with hazard ratios within 10%.
3gaps   case 3 on revenue with empty months inside lives, as real billing has
        (``make_large.py --empty-months 0.05`` into ``--data-gaps``; generated when
        missing): the spells with an empty month take the panel's calendar path.
report  the whole ``cxvalue report --config cxvalue.toml --out DIR`` flow, three times:
        the median run's time and the highest peak of the three are recorded.
report36  the same on about 36 million customer-months, the size the goal names
        (``make_large.py --customers 1600000`` into ``--data-36m``; generated when
        missing). The default data's 1M customers churn, so they bill 22.6M months.
report36nodates  the same without churn dates (the customers' ``churned_at`` left out,
        in ``<data-36m>_no_churn_dates``): as real billing extracts often come, so the
        report also refits the models with churn after 2 and 6 empty months.
report36parts  the same 36M report with the revenue split by row range into four Parquet
        parts (``<data-36m>_parts/parts/part-*.parquet``, the config's path a glob), as a
        warehouse export writes it: the parts are read as one source.

Usage::

    .venv/bin/python benchmarks/make_large.py                   # once: /tmp/cxvalue_large
    .venv/bin/python benchmarks/bench_scale.py                  # every case
    .venv/bin/python benchmarks/bench_scale.py --cases 3 --no-append
    .venv/bin/python benchmarks/bench_scale.py --profile 3      # where case 3 spends its time

The figures are appended to ``benchmarks/RESULTS.md`` unless ``--no-append``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
GNU_TIME = "/usr/bin/time"
CASES = ("3", "3gaps", "4", "2", "report", "report36", "report36nodates", "report36parts")
#: Parquet parts the revenue is split into for case report36parts.
PARTS = 4
#: GNU time and getrusage give the peak in KiB; the goal's "4 GB" is read as 4 * 10**9
#: bytes (runs before 2026-12-07 divided by 2**20: GiB, 7% smaller numbers).
KIB_TO_GB = 1024 / 1e9
#: Customers whose revenue makes about 36 million customer-months (the goal's size).
CUSTOMERS_36M = 1_600_000
#: Chance that a billed month inside a life is left out, for case 3gaps.
EMPTY_MONTHS = 0.05
CELLS_BY = ["category", "segment", "size_band", "tenure_band"]
CELLS_VALUES = ["revenue", "revenue_next"]
BOOT_N, BOOT_DRAWS, NAIVE_DRAWS = 10_000_000, 10_000, 10
RETENTION_CUSTOMERS = 200_000
#: Processes per retention method; the median is recorded (a 0.1 s fit in a fresh
#: process varies by a third from run to run; statsmodels' 40 s fit runs once).
RETENTION_RUNS = {"a2": 3, "b": 1, "c": 3}
REPORT_TIMEOUT = 600
#: Runs of each report case: the whole flow varies by 10 s from run to run on this VM.
REPORT_RUNS = 3


# ---------------------------------------------------------------------------
# child steps: each prints one JSON line {"seconds": timed step, ...}


def step_panel(data: Path) -> dict:
    import cxvalue as cx

    t0 = time.perf_counter()
    panel = cx.build_panel(data / "responses.parquet", data / "revenue.parquet",
                           data / "customers.parquet")  # fmt: skip
    table = cx.cells(panel, CELLS_BY, CELLS_VALUES)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": int(table["n_rows"].sum()), "cells": len(table),
            "customers": int(table.groupby("category")["n_customers"].sum().max())}  # fmt: skip


def step_floor(data: Path) -> dict:
    import duckdb
    import pyarrow.parquet as pq

    con = duckdb.connect()
    t0 = time.perf_counter()
    out = (
        con.sql(
            "SELECT customer_id, count(*) AS n, sum(revenue) AS revenue "
            f"FROM read_parquet('{data / 'revenue.parquet'}') GROUP BY 1"
        )
        .arrow()
        .read_all()
    )
    seconds = time.perf_counter() - t0
    del con
    rows = pq.ParquetFile(data / "revenue.parquet").metadata.num_rows
    return {"seconds": seconds, "rows": int(rows), "groups": out.num_rows}


def _scores(data: Path, n: int):
    """``n`` scores drawn from the large sample's score frequencies (not timed)."""
    import duckdb
    import numpy as np

    path = data / "responses.parquet"
    freq = duckdb.sql(f"SELECT score, count(*) FROM read_parquet('{path}') GROUP BY 1").fetchall()
    values, counts = np.array([f[0] for f in freq]), np.array([f[1] for f in freq], float)
    return np.random.default_rng(7).choice(values, n, p=counts / counts.sum())


def step_bootstrap(data: Path) -> dict:
    import numpy as np
    import pandas as pd

    from cxvalue._nps_intervals import nps_interval
    from cxvalue.nps import nps

    scores = _scores(data, BOOT_N)
    frame = pd.DataFrame({"score": scores})
    # the bootstrap proper: from the counts of 10M responses to the interval
    t0 = time.perf_counter()
    counts = np.bincount(scores, minlength=11)
    n = counts.sum()
    p_p, p_d = counts[9:].sum() / n, counts[:7].sum() / n
    est, se, lo, hi = nps_interval(p_p, p_d, n, method="bootstrap", n_boot=BOOT_DRAWS, seed=0)
    seconds = time.perf_counter() - t0
    # the public call on a 10M-row DataFrame (input checks and categories included)
    t1 = time.perf_counter()
    table = nps(frame, method="bootstrap", n_boot=BOOT_DRAWS)
    public = time.perf_counter() - t1
    return {"seconds": seconds, "public_seconds": public, "rows": int(n),
            "nps": [float(est[0]), float(lo[0]), float(hi[0])],
            "public_nps": [float(table.loc[0, c]) for c in ("nps", "lo", "hi")]}  # fmt: skip


def step_naive(data: Path) -> dict:
    import numpy as np

    scores = _scores(data, BOOT_N)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    stats = []
    for _ in range(NAIVE_DRAWS):
        s = scores[rng.integers(0, scores.size, scores.size)]
        stats.append((s >= 9).mean() - (s <= 6).mean())
    seconds = time.perf_counter() - t0
    return {"seconds": seconds * BOOT_DRAWS / NAIVE_DRAWS, "measured_seconds": seconds,
            "measured_draws": NAIVE_DRAWS, "rows": int(scores.size)}  # fmt: skip


STEPS = {"panel": step_panel, "floor": step_floor, "bootstrap": step_bootstrap,
         "naive": step_naive}  # fmt: skip


# ---------------------------------------------------------------------------
# running a child and measuring it


def measured(cmd: list[str], timeout: float | None = None) -> dict:
    """Run ``cmd``; its last stdout line is JSON. Add process wall s and peak RSS GB."""
    gnu = Path(GNU_TIME).exists()
    full = [GNU_TIME, "-v", *cmd] if gnu else cmd
    t0 = time.perf_counter()
    # its own process group, so that a timeout stops the measured command, not just GNU time
    child = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # fmt: skip
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise
    done = subprocess.CompletedProcess(full, child.returncode, stdout, stderr)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    lines = [ln for ln in done.stdout.strip().splitlines() if ln.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    if gnu:
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        el = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", done.stderr)
        result["peak_gb"] = int(rss.group(1)) * KIB_TO_GB if rss else float("nan")
        parts = [float(p) for p in el.group(1).split(":")] if el else [wall]
        result["process_s"] = sum(p * 60**i for i, p in enumerate(reversed(parts)))
        result["memory_from"] = "GNU time -v"
    else:  # the largest child so far: an upper bound for this one
        result["peak_gb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * KIB_TO_GB
        result["process_s"] = wall
        result["memory_from"] = "getrusage(RUSAGE_CHILDREN) (max over children so far)"
    result["stdout"], result["stderr"] = done.stdout, done.stderr
    return result


def child(step: str, data: Path) -> dict:
    print(f"  running {step} …", file=sys.stderr)
    out = measured([sys.executable, __file__, "--step", step, "--data", str(data)])
    print(f"  {step}: {out['seconds']:.2f} s (process {out['process_s']:.1f} s, "
          f"peak {out['peak_gb']:.2f} GB)", file=sys.stderr)  # fmt: skip
    return out


def case_3(data: Path, case: str = "3") -> list[dict]:
    cx, floor = child("panel", data), child("floor", data)
    ratio = cx["seconds"] / floor["seconds"]
    return [
        row(case, "build_panel (3 Parquet paths) + cells", cx, "DuckDB GROUP BY customer_id floor",
            floor, ratio, "within 3x of the floor", ratio <= 3,
            f"{cx['rows']:,} customer-months into {cx['cells']} cells"),
        row(f"{case} floor", "DuckDB SELECT customer_id, count(*), sum(revenue) … GROUP BY 1",
            floor, "", None, None, "", None, f"{floor['groups']:,} groups"),
    ]  # fmt: skip


def case_4(data: Path) -> list[dict]:
    boot, naive = child("bootstrap", data), child("naive", data)
    ratio = boot["seconds"] / naive["seconds"]
    note = (f"NPS {boot['nps'][0]:.2f} [{boot['nps'][1]:.2f}, {boot['nps'][2]:.2f}]; "
            f"the public cx.nps(frame, method='bootstrap') on the 10M-row DataFrame: "
            f"{boot['public_seconds']:.2f} s")  # fmt: skip
    naive_note = (
        f"{naive['measured_draws']} resamples of 10M rows measured "
        f"({naive['measured_seconds']:.1f} s), extrapolated linearly to 10,000"
    )
    return [
        row("4", "NPS bootstrap, 10,000 multinomial resamples of the counts", boot,
            "naive numpy row resampling", naive, ratio, "< 0.5 s", boot["seconds"] < 0.5, note),
        row("4 peer", "naive numpy: resample 10M rows 10,000 times (extrapolated)", naive, "",
            None, None, "", None, naive_note),
    ]  # fmt: skip


def case_2(data: Path, customers: int) -> list[dict]:
    bench = HERE / "bench_retention.py"
    ret = data / f"retention_{customers}"
    ret.mkdir(parents=True, exist_ok=True)
    if not (ret / "rows.parquet").exists():
        subprocess.run([sys.executable, str(bench), "--generate-only", "--customers",
                        str(customers), "--data", str(ret)], check=True)  # fmt: skip
    info = {}
    for method, runs in RETENTION_RUNS.items():
        print(f"  running retention method {method} ({runs}x) …", file=sys.stderr)
        cmd = [sys.executable, str(bench), "--run-one", method, "--data", str(ret)]
        results = sorted((measured(cmd) for _ in range(runs)), key=lambda r: r["seconds"])
        info[method] = results[len(results) // 2]
        times = ", ".join(f"{r['seconds']:.2f}" for r in results)
        print(f"  {method}: {times} s (median of {runs} processes)", file=sys.stderr)
    a2, b, c = info["a2"], info["b"], info["c"]
    speedup = c["seconds"] / a2["seconds"]
    gap = max(abs(a2["hr"][k][0] / c["hr"][k][0] - 1) for k in ("promoter", "detractor"))

    def hrs(r: dict) -> str:
        return f"HR promoter {r['hr']['promoter'][0]:.4f}, detractor {r['hr']['detractor'][0]:.4f}"

    rows = a2["rows"]
    a2["rows"] = rows
    out = [
        row("2", "fit_retention on a Panel over Parquet (DuckDB cells + GLM)", a2,
            "lifelines CoxPHFitter", c, a2["seconds"] / c["seconds"],
            ">= 100x faster than lifelines, HRs within 10%", speedup >= 100 and gap <= 0.10,
            f"{speedup:.0f}x faster than lifelines; largest HR gap {gap:.2%}; {hrs(a2)}"),
        row("2 peer", "lifelines CoxPHFitter, one row per customer", c, "", None, None, "", None,
            hrs(c)),
        row("2 peer", "statsmodels formula GLM (cloglog), row level", b, "", None,
            None, "", None, f"{b['seconds'] / a2['seconds']:.0f}x (a2)'s time; {hrs(b)}"),
    ]  # fmt: skip
    return out


def case_report(data: Path, case: str = "1 (report)") -> list[dict]:
    exe = Path(sys.executable).with_name("cxvalue")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cxvalue"]
    probe = subprocess.run([*cmd, "report", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        print("case report: `cxvalue report` not yet available", file=sys.stderr)
        return [{"case": case, "what": "cxvalue report --config cxvalue.toml",
                 "note": "not yet available"}]  # fmt: skip
    out = data / "report_out"
    runs = []
    for i in range(REPORT_RUNS):
        print(f"  running the report ({i + 1} of {REPORT_RUNS}) …", file=sys.stderr)
        shutil.rmtree(out, ignore_errors=True)
        try:
            runs.append(measured(
                [*cmd, "report", "--config", str(data / "cxvalue.toml"), "--out", str(out)],
                timeout=REPORT_TIMEOUT,
            ))  # fmt: skip
        except subprocess.TimeoutExpired:
            return [{"case": case, "what": "cxvalue report --config cxvalue.toml",
                     "note": f"did not finish within {REPORT_TIMEOUT} s (stopped)"}]  # fmt: skip
        print(f"  report: {runs[-1]['process_s']:.1f} s, peak {runs[-1]['peak_gb']:.2f} GB",
              file=sys.stderr)  # fmt: skip
    # the median run's time, and the highest peak of all runs
    res = sorted(runs, key=lambda r: r["process_s"])[len(runs) // 2]
    res = res | {"seconds": res["process_s"], "peak_gb": max(r["peak_gb"] for r in runs)}
    import pyarrow.parquet as pq

    revenue = [data / "revenue.parquet"] if (data / "revenue.parquet").exists() else sorted(
        (data / "parts").glob("part-*.parquet"))  # fmt: skip
    res["rows"] = sum(pq.ParquetFile(f).metadata.num_rows for f in revenue)  # customer-months
    met = res["process_s"] < 60 and res["peak_gb"] < 4
    each = ", ".join(f"{r['process_s']:.1f} s / {r['peak_gb']:.2f} GB" for r in runs)
    steps = report_steps(res["stderr"], res["process_s"])
    note = (f"{len(runs)} runs ({each}): the median's time, the highest peak; "
            f"median run's steps: {steps}")  # fmt: skip
    return [row(case, "cxvalue report --config cxvalue.toml (whole flow)", res, "", None,
                None, "< 60 s and < 4 GB", met, note)]  # fmt: skip


def report_steps(stderr: str, total: float) -> str:
    """'reading the extracts 12 s; building … 40 s; …' from the report's progress lines
    (the last step runs to the end of the process: imports and writing included)."""
    marks = [(float(m.group(1)), m.group(2))
             for m in re.finditer(r"^\[\s*([\d.]+)s\] (.+)$", stderr, re.M)]  # fmt: skip
    ends = [t for t, _ in marks[1:]] + [total]
    parts = [f"{what} {end - start:.0f} s" for (start, what), end in zip(marks, ends, strict=True)]
    if parts:
        parts[-1] += " (to the end: figures, revenue retention and snapshot beside them, deck)"
    return "; ".join(parts)


def row(case, what, r, peer, p, ratio, goal, met, note) -> dict:
    return {"case": case, "what": what, "seconds": r["seconds"], "process_s": r["process_s"],
            "peak_gb": r["peak_gb"], "rows": r.get("rows"), "peer": peer,
            "peer_seconds": None if p is None else p["seconds"], "ratio": ratio, "goal": goal,
            "met": met, "note": note}  # fmt: skip


# ---------------------------------------------------------------------------
# report


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()} {platform.system()}, nproc={os.cpu_count()}, "
            f"RAM {mem:.0f} GiB, Python {platform.python_version()}")  # fmt: skip


def versions() -> str:
    import duckdb
    import ibis
    import numpy
    import pandas

    return (f"duckdb {duckdb.__version__}, ibis {ibis.__version__}, numpy {numpy.__version__}, "
            f"pandas {pandas.__version__}")  # fmt: skip


def markdown(rows: list[dict], data: Path) -> str:
    def f(x, fmt):
        return "" if x is None else format(x, fmt)

    lines = [
        f"### Run of {dt.date.today().isoformat()}",
        "",
        f"Machine: {machine()}; cores used: {os.cpu_count()} (DuckDB's default threads). "
        f"Versions: {versions()}. Data: `{data}` from `make_large.py`.",
        "",
        "| case | what | rows | cores | wall s (step) | process s | peak RSS GB (10^9 B) | peer "
        "| peer wall s | ratio vs peer | goal | met |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        if "seconds" not in r:
            lines.append(f"| {r['case']} | {r['what']} | | | | | | | | | | {r['note']} |")
            continue
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(
            f"| {r['case']} | {r['what']} | {f(r['rows'], ',')} | {os.cpu_count()} "
            f"| {r['seconds']:.3f} | {r['process_s']:.1f} | {r['peak_gb']:.2f} | {r['peer']} "
            f"| {f(r['peer_seconds'], '.3f')} | {f(r['ratio'], '.3g')} | {r['goal']} | {met} |"
        )
    notes = [f"- case {r['case']}: {r['note']}" for r in rows if r.get("note")]
    return "\n".join([*lines, "", *notes, ""])


def profile_case_3(data: Path) -> None:
    """cProfile of the panel step, then DuckDB's own timing of each query it ran."""
    import cProfile
    import pstats

    import cxvalue as cx

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    panel = cx.build_panel(data / "responses.parquet", data / "revenue.parquet",
                           data / "customers.parquet")  # fmt: skip
    t1 = time.perf_counter()
    cx.cells(panel, CELLS_BY, CELLS_VALUES)
    prof.disable()
    t2 = time.perf_counter()
    print(f"build_panel {t1 - t0:.2f} s, cells {t2 - t1:.2f} s", file=sys.stderr)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    con = panel.backend.con
    sql = panel.backend.compile(panel.expr)
    con.sql("PRAGMA enable_profiling='query_tree'")
    con.sql(f"EXPLAIN ANALYZE SELECT count(*) FROM ({sql})").show()


def generate(data: Path, *options: str) -> None:
    """Write the large data into ``data`` with make_large.py (and its ``options``) unless
    it is there."""
    if (data / "revenue.parquet").exists():
        return
    print(f"generating the large data into {data} (make_large.py) …", file=sys.stderr)
    subprocess.run([sys.executable, str(HERE / "make_large.py"), "--out", str(data), *options],
                   check=True)  # fmt: skip


def without_churn_dates(data: Path) -> Path:
    """``data``'s files beside it, the customers without ``churned_at`` (the rest linked)."""
    import pyarrow.parquet as pq

    out = data.with_name(f"{data.name}_no_churn_dates")
    out.mkdir(exist_ok=True)
    for name in ("revenue.parquet", "responses.parquet", "cxvalue.toml"):
        if not (out / name).exists():
            (out / name).symlink_to(data / name)
    customers = pq.read_table(data / "customers.parquet")
    pq.write_table(customers.drop_columns(["churned_at"]), out / "customers.parquet")
    return out


def in_parts(data: Path, parts: int = PARTS) -> Path:
    """``data``'s files beside it, the revenue split by row range into ``parts`` Parquet
    files under ``parts/`` and the config's revenue path the glob that reads them."""
    import pyarrow.parquet as pq

    out = data.with_name(f"{data.name}_parts")
    (out / "parts").mkdir(parents=True, exist_ok=True)
    for name in ("responses.parquet", "customers.parquet"):
        if not (out / name).exists():
            (out / name).symlink_to(data / name)
    config = (data / "cxvalue.toml").read_text(encoding="utf-8")
    one_file = 'path = "revenue.parquet"'
    if config.count(one_file) != 1:
        raise SystemExit(f"{data / 'cxvalue.toml'}: expected one line {one_file}")
    glob = 'path = "parts/part-*.parquet"'
    (out / "cxvalue.toml").write_text(config.replace(one_file, glob), "utf-8")
    if not (out / "parts" / f"part-{parts - 1}.parquet").exists():
        revenue = pq.read_table(data / "revenue.parquet")
        size = -(-revenue.num_rows // parts)
        for i in range(parts):
            pq.write_table(revenue.slice(i * size, size), out / "parts" / f"part-{i}.parquet")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/cxvalue_large"))
    parser.add_argument("--data-36m", type=Path, default=Path("/tmp/cxvalue_36m"))
    parser.add_argument("--data-gaps", type=Path, default=Path("/tmp/cxvalue_gaps"))
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma list of {','.join(CASES)}")
    parser.add_argument("--retention-customers", type=int, default=RETENTION_CUSTOMERS)
    parser.add_argument("--no-append", action="store_true", help="print, do not append")
    parser.add_argument("--profile", choices=("3",), help="profile a case instead")
    parser.add_argument("--step", choices=tuple(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(STEPS[args.step](args.data)))
        return 0
    generate(args.data)
    if args.profile:
        profile_case_3(args.data)
        return 0
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench_scale_"):
        for case in args.cases.split(","):
            print(f"case {case}", file=sys.stderr)
            if case == "3":
                rows += case_3(args.data)
            elif case == "3gaps":
                generate(args.data_gaps, "--empty-months", str(EMPTY_MONTHS))
                rows += case_3(args.data_gaps, "3 (empty months)")
            elif case == "4":
                rows += case_4(args.data)
            elif case == "2":
                rows += case_2(args.data, args.retention_customers)
            elif case == "report":
                rows += case_report(args.data)
            elif case == "report36":
                generate(args.data_36m, "--customers", str(CUSTOMERS_36M))
                rows += case_report(args.data_36m, "1 (report, 36M)")
            elif case == "report36nodates":
                generate(args.data_36m, "--customers", str(CUSTOMERS_36M))
                no_dates = without_churn_dates(args.data_36m)
                rows += case_report(no_dates, "1 (report, 36M, no churn dates)")
            elif case == "report36parts":
                generate(args.data_36m, "--customers", str(CUSTOMERS_36M))
                parts = in_parts(args.data_36m)
                rows += case_report(parts, f"1 (report, 36M, {PARTS} Parquet parts)")
    text = markdown(rows, args.data)
    print(text)
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
