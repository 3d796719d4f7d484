"""Writing the sample as the extracts a company hands over (Qualtrics, German billing, CRM).

Everything written here is deterministic given the sample and the random
generator: the text is built in a fixed order and gzip gets ``mtime=0``.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cxvalue.samples import Sample

NPS_QUESTION = "How likely are you to recommend Acme to a friend or colleague?"
CSAT_QUESTION = "Overall, how satisfied are you with Acme?"
REASON_QUESTION = "What is the main reason for your score?"
#: Qualtrics columns: (name, question text, ImportId).
QUALTRICS_COLUMNS = (
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("Progress", "Progress", "progress"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("Q1", NPS_QUESTION, "QID1"),
    ("Q1_NPS_GROUP", f"{NPS_QUESTION} - Group", "QID1_NPS_GROUP"),
    ("Q2", CSAT_QUESTION, "QID2"),
    ("Q3", REASON_QUESTION, "QID3_TEXT"),
)
_DATES = ("StartDate", "EndDate", "RecordedDate")
_ALPHABET = np.array(list("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def write_extracts(directory: Path, sample: Sample, rng: np.random.Generator) -> dict[str, Path]:
    """Write responses.csv.gz, revenue.csv.gz and customers.csv into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "responses": directory / "responses.csv.gz",
        "revenue": directory / "revenue.csv.gz",
        "customers": directory / "customers.csv",
    }
    write_gz(paths["responses"], qualtrics_text(sample.responses, rng))
    write_gz(paths["revenue"], german_revenue_text(sample.billing))
    paths["customers"].write_bytes(customers_text(sample.customers).encode("utf-8"))
    return paths


def write_gz(path: Path, text: str) -> None:
    """UTF-8 text, gzip'd without a timestamp so the bytes depend on the text only."""
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))


def response_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """Qualtrics-like response ids: ``R_`` and 15 random letters and digits."""
    codes = np.ascontiguousarray(_ALPHABET[rng.integers(0, _ALPHABET.size, (n, 15))])
    return np.char.add("R_", codes.view("<U15").ravel())


def qualtrics_text(responses: pd.DataFrame, rng: np.random.Generator) -> str:
    """A Qualtrics CSV export ("Use choice text") of the responses, with its noise rows.

    Adds five survey previews (copies of the first responses without an
    external reference), unfinished responses (Finished False, no score) and
    non-answers (finished, no score), about 0.5% of the responses each.
    """
    frame = _qualtrics_body(responses, rng)
    n_extra = max(1, len(frame) // 200)
    picks = rng.choice(len(frame), 2 * n_extra, replace=False)
    unfinished = frame.iloc[picks[:n_extra]].assign(
        Finished="False", Progress=rng.integers(10, 90, n_extra).astype(str),
        Q1="", Q1_NPS_GROUP="", Q2="", Q3="",
    )  # fmt: skip
    blank = frame.iloc[picks[n_extra:]].assign(Q1="", Q1_NPS_GROUP="", Q3="")
    preview = frame.head(5).assign(Status="Survey Preview", ExternalReference="")
    extra = pd.concat([preview, unfinished, blank])
    extra["ResponseId"] = response_ids(len(extra), rng)
    frame = pd.concat([frame, extra]).sort_values(["RecordedDate", "ResponseId"], kind="stable")
    header = pd.DataFrame(
        [[c[1] for c in QUALTRICS_COLUMNS], [_import_id(c[0], c[2]) for c in QUALTRICS_COLUMNS]],
        columns=frame.columns,
    )
    buffer = io.StringIO()
    pd.concat([header, frame]).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _qualtrics_body(responses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One finished response per row, every value as its exported text."""
    n = len(responses)
    end = responses["responded_at"] + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, n), "s")
    start = end - pd.to_timedelta(rng.integers(60, 600, n), unit="s")
    score = responses["score"].astype(str)
    q1 = score.replace({"10": "10 - Extremely likely", "0": "0 - Not at all likely"})
    frame = pd.DataFrame(
        {
            "StartDate": start,
            "EndDate": end,
            "Status": "IP Address",
            "Progress": "100",
            "Finished": "True",
            "RecordedDate": end + pd.to_timedelta(1, unit="s"),
            "ResponseId": responses["response_id"].astype(str),
            "ExternalReference": responses["customer_id"].astype(str),
            "Q1": q1,
            "Q1_NPS_GROUP": responses["category"].astype(str).str.capitalize(),
            "Q2": responses["csat"].astype(str),
            "Q3": responses["verbatim"].astype(str),
        }
    )
    for column in _DATES:
        frame[column] = frame[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    return frame


def _import_id(column: str, import_id: str) -> str:
    """The third header row's JSON; date columns also carry their time zone."""
    content = {"ImportId": import_id}
    if column in _DATES:
        content["timeZone"] = "Europe/Berlin"
    return json.dumps(content, separators=(",", ":"))


def german_revenue_text(billing: pd.DataFrame) -> str:
    """The billing lines as a German CSV: ``Kundennummer;Monat;Umsatz``, ``1.234,56``."""
    frame = pd.DataFrame(
        {
            "Kundennummer": billing["customer_id"].astype(str),
            "Monat": _month_labels(billing["period"], "%d.%m.%Y"),
            "Umsatz": german_amounts(billing["revenue"].to_numpy()),
        }
    )
    return frame.to_csv(index=False, sep=";", lineterminator="\n")


def _month_labels(periods: pd.Series, fmt: str) -> np.ndarray:
    """``strftime`` once per distinct month rather than once per row."""
    codes, months = pd.factorize(periods)
    return np.asarray(months.strftime(fmt))[codes]


def german_amounts(values: np.ndarray) -> list[str]:
    """``-1234.5`` → ``-1.234,50``: thousand dots, decimal comma, two decimals."""
    table = str.maketrans({",": ".", ".": ","})
    return [f"{v:,.2f}".translate(table) for v in values]


def customers_text(customers: pd.DataFrame) -> str:
    """The CRM table as a plain English CSV, dates as ``YYYY-MM-DD``, blank when none."""
    frame = customers.copy()
    for column in ("acquired_at", "churned_at"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.to_csv(index=False, lineterminator="\n")
