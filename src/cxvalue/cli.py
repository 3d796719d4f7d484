"""The ``cxvalue`` command line.

Exit codes follow one rule across commands: 0 all clean, 1 the data has
problems the user asked to be strict about, 2 the input could not be read or
the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cxvalue import __version__
from cxvalue.errors import CxValueError, CxValueWarning

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT = 0, 1, 2
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "samples"


#: read_revenue's forms but "auto" (spelt out: pandas is imported only when a command runs)
REVENUE_FORMS = ("long", "wide", "subscription", "periods")


def _parse_map(pairs: Sequence[str] | None) -> dict[str, str] | None:
    """Turn ``["customer_id=Account Number", ...]`` into a column map."""
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise argparse.ArgumentTypeError(
                f"--map takes canonical=source, like customer_id='Account Number'. Got {pair!r}."
            )
        mapping[canonical.strip()] = source.strip()
    return mapping


def _one_or_all(files: list[str]) -> str | list[str]:
    """One file as itself; several (``a.csv b.csv``, or what ``exports/*.csv`` expanded
    to) as a list, read as one table."""
    return files[0] if len(files) == 1 else files


def _dayfirst(args: argparse.Namespace) -> bool | None:
    if args.dayfirst:
        return True
    if args.monthfirst:
        return False
    return None


def _add_reading_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--map",
        action="append",
        metavar="CANONICAL=SOURCE",
        help="map a canonical column to the file's column, e.g. customer_id='Account Number' "
        "(repeatable)",
    )
    p.add_argument(
        "--sheet",
        action="append",
        metavar="NAME",
        help="the sheet of an Excel workbook to read (repeat it to read sheets as one table)",
    )
    dates = p.add_mutually_exclusive_group()
    dates.add_argument("--dayfirst", action="store_true", help="read 03/04/2025 as 3 April")
    dates.add_argument("--monthfirst", action="store_true", help="read 03/04/2025 as 4 March")


def _cmd_sample(args: argparse.Namespace) -> int:
    from cxvalue.samples import write_sample

    paths = write_sample(Path(args.directory), seed=args.seed)
    for name, path in paths.items():
        print(f"{name:<10} {path}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from cxvalue.ingest import read_table

    if args.form and args.kind != "revenue":
        raise argparse.ArgumentTypeError(
            "--form is the revenue's layout: use it with --as revenue."
        )
    form = {"form": args.form} if args.form else {}
    result = read_table(
        args.kind,
        _one_or_all(args.file),
        columns=_parse_map(args.map),
        dayfirst=_dayfirst(args),
        strict=False,
        sheet=args.sheet,
        **form,
    )
    ledger = result.ledger
    if args.json:
        print(json.dumps(ledger.to_dict(), indent=2, default=str))
    else:
        print(ledger)
    return EXIT_PROBLEMS if args.strict and ledger.rows_rejected else EXIT_OK


def _cmd_nps(args: argparse.Namespace) -> int:
    from cxvalue.ingest import read_responses
    from cxvalue.ingest.scale import NAMED_SCALES
    from cxvalue.nps import format_nps_table, nps

    responses = read_responses(
        _one_or_all(args.file), columns=_parse_map(args.map), dayfirst=_dayfirst(args),
        sheet=args.sheet,
        scale=NAMED_SCALES[args.scale]() if args.scale else None,
    )  # fmt: skip
    table = responses.table
    if args.customers:
        from cxvalue.ingest import read_customers

        customers = read_customers(args.customers).table
        extra = [c for c in customers.columns if c == "customer_id" or c not in table.columns]
        table = table.merge(customers[extra], on="customer_id", how="left")
    if args.latest:
        answers = len(table)
        table = _latest_answers(table, args.period)
        per = " in each period" if args.period else ""
        print(f"Each customer's latest answer{per}: {len(table):,} of {answers:,} answers.")
    by = args.by or None
    frame = nps(table, by=by, period=args.period, method=args.method)
    print(format_nps_table(frame, measure=args.scale or "nps"))
    return EXIT_OK


def _latest_answers(table: Any, period: str | None) -> Any:
    """Each customer's latest answer (in each period of ``period``'s kind)."""
    keys = ["customer_id"]
    table = table.sort_values("responded_at", kind="stable")
    if period:
        table = table.assign(_period=table["responded_at"].dt.to_period(period))
        keys.append("_period")
    return table.drop_duplicates(keys, keep="last").drop(columns="_period", errors="ignore")


def _cmd_demo(args: argparse.Namespace) -> int:
    from cxvalue.demo import run_demo

    return run_demo(Path(args.out), data_dir=Path(args.data) if args.data else None)


def _cmd_report(args: argparse.Namespace) -> int:
    from cxvalue.report import load_config
    from cxvalue.report.pack import write_report

    written = write_report(load_config(args.config), Path(args.out))
    for name, path in written.items():
        print(f"{name:<12} {path}")
    return EXIT_OK


def _cmd_drift(args: argparse.Namespace) -> int:
    from cxvalue.report.drift_run import run_drift

    return run_drift(Path(args.baseline), Path(args.config), Path(args.out))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cxvalue`` command."""
    parser = argparse.ArgumentParser(
        prog="cxvalue",
        description="What customer experience is worth in money: ingest survey and revenue "
        "extracts, fit retention and revenue models, and value an NPS point.",
    )
    parser.add_argument("--version", action="version", version=f"cxvalue {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("sample", help="write the seeded sample extracts into DIR")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--seed", type=int, default=2024, help="generator seed (default 2024)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("validate", help="read one extract and print its ledger")
    p.add_argument("file", metavar="FILE", nargs="+", help="several: read as one table")
    p.add_argument(
        "--as", dest="kind", required=True, choices=("responses", "revenue", "customers")
    )
    _add_reading_options(p)
    p.add_argument(
        "--form",
        choices=REVENUE_FORMS,
        help="the revenue's layout, when it is not told from the columns (--as revenue)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any row is rejected")
    p.add_argument("--json", action="store_true", help="print the ledger as JSON")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("nps", help="NPS with intervals, by segment and period")
    p.add_argument("file", metavar="RESPONSES", nargs="+", help="several: read as one table")
    _add_reading_options(p)
    p.add_argument("--customers", metavar="FILE", help="customers table to take segments from")
    p.add_argument("--by", action="append", metavar="COLUMN", help="group by this column")
    p.add_argument("--period", choices=("M", "Q", "Y"), help="and by month, quarter or year")
    p.add_argument("--method", default="wald", choices=("wald", "adjusted", "bootstrap"))
    p.add_argument(
        "--scale", choices=("nps", "csat", "ces"),
        help="the scores' scale: nps 0-10 (default), csat 1-5, ces 1-7",
    )  # fmt: skip
    p.add_argument(
        "--latest", action="store_true", help="each customer's latest answer (per period too)"
    )
    p.set_defaults(func=_cmd_nps)

    p = sub.add_parser("report", help="write the board pack for the extracts a config names")
    p.add_argument("--config", required=True, metavar="TOML", help="cxvalue.toml")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "drift",
        help="re-run on fresh extracts and compare with a saved snapshot "
        "(exit 0 no drift, 1 drift, 2 cannot judge)",
    )
    p.add_argument("--baseline", required=True, metavar="JSON", help="snapshot.json of a report")
    p.add_argument("--config", required=True, metavar="TOML", help="cxvalue.toml of the fresh run")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for drift.md/json/junit")
    p.set_defaults(func=_cmd_drift)

    p = sub.add_parser("demo", help="print the whole flow on the bundled sample")
    p.add_argument("--out", default="out", help="output folder (default: out)")
    p.add_argument("--data", help="folder with the sample extracts (default: the bundled sample)")
    p.set_defaults(func=_cmd_demo)
    return parser


def _warning_line(python_show: Any) -> Any:
    """Show cxvalue's warnings as a line of the command's own ("cxvalue: warning: …"),
    not as Python's file, line and source; other warnings as Python shows them."""

    def show(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        if issubclass(category, CxValueWarning):
            print(f"cxvalue: warning: {message}", file=sys.stderr)
        else:
            python_show(message, category, *args, **kwargs)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for bad arguments
        return int(exc.code or 0)
    try:
        with warnings.catch_warnings():  # puts Python's own display back afterwards
            warnings.showwarning = _warning_line(warnings.showwarning)
            return args.func(args)
    except argparse.ArgumentTypeError as exc:
        print(f"cxvalue: {exc}", file=sys.stderr)
        return EXIT_CANNOT
    except (CxValueError, OSError) as exc:
        print(f"cxvalue: {exc}", file=sys.stderr)
        return EXIT_CANNOT
