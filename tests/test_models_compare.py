"""compare_metrics: the planted signal wins on hold-out churn, AUC on cells is the
row-level AUC, every number is finite, and an event-free hold-out warns instead of failing."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxvalue as cx
from _models_sim import customer_lives, panel_rows
from cxvalue.errors import DataWarning, InputError
from cxvalue.models.compare import attach_latest, auc_from_cells, compare_metrics

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
START = pd.Timestamp("2021-01-01")


def simulated(n: int, seed: int) -> pd.DataFrame:
    """Customer-months with churn planted on the NPS category (promoter 0.6, detractor 2.0).

    Every customer is followed over the same 36 calendar months. Within a
    category the 0-10 score is uniform (detractors 0-6) and carries no extra
    information, so a linear score misfits; csat is a noisy 1-5 reading of the
    category.
    """
    rng = np.random.default_rng(seed)
    lives = customer_lives(n, 36, rng)
    lo = lives["category"].map({"detractor": 0, "passive": 7, "promoter": 9}).to_numpy()
    hi = lives["category"].map({"detractor": 6, "passive": 8, "promoter": 10}).to_numpy()
    lives["score"] = rng.integers(lo, hi + 1)
    centre = lives["category"].map({"detractor": 2.0, "passive": 3.5, "promoter": 4.2}).to_numpy()
    lives["csat"] = np.clip(np.rint(centre + rng.normal(0, 1.0, n)), 1, 5)
    rows = panel_rows(lives)
    start = START.to_period("M").ordinal
    rows["period"] = pd.PeriodIndex.from_ordinals(
        start + rows["tenure_months"].to_numpy(), freq="M"
    ).to_timestamp()
    return rows


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return simulated(20_000, 11)


@pytest.fixture(scope="module")
def table(rows) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean simulated panel raises no warning
        return compare_metrics(
            rows, controls=("segment",), signals=["category", "score", "top2box", "csat"]
        )


def test_planted_category_signal_wins(table):
    assert table.loc[0, "signal"] == "category"
    assert table["best"].sum() == 1 and table.loc[0, "best"]
    loss = table.set_index("signal")["log_loss"]
    assert loss["category"] < loss["score"] < loss["(controls only)"]
    assert loss["category"] < loss["top2box"] < loss["(controls only)"]
    assert (table["log_loss_vs_baseline"].iloc[:-1] <= 0).all()


def test_top2box_is_the_top_of_the_scale_the_answers_were_read_on(table, rows):
    """Answers read as a 1-5 CSAT (promoters 4-5): top-2-box was score >= 9, none of them,
    and scored as the controls alone."""
    top = {"promoter": 4, "passive": 3, "detractor": 1}
    second = (rows["score"] % 2 == 0) & (rows["category"] != "passive")  # 2 or 5
    csat = rows.assign(score=rows["category"].map(top) + second)
    out = compare_metrics(csat, controls=("segment",), signals=["top2box"]).set_index("signal")
    nps = table.set_index("signal")
    assert out.loc["top2box", "log_loss"] == pytest.approx(nps.loc["top2box", "log_loss"], 1e-12)
    assert out.loc["top2box", "log_loss"] < out.loc["(controls only)", "log_loss"]


def test_every_signal_row_is_finite_and_on_the_same_rows(table, rows):
    numbers = table[["log_loss", "auc", "brier", "log_loss_vs_baseline"]].to_numpy(float)
    assert np.isfinite(numbers).all()
    assert ((table["auc"] > 0.5) & (table["auc"] < 1)).all()
    for col in ("n_train", "events_train", "n_test", "events_test"):
        assert table[col].nunique() == 1  # the same customer-months for every signal
    assert table.loc[0, "n_train"] + table.loc[0, "n_test"] == len(rows)
    test_rows = rows[rows["period"] > rows["period"].max() - pd.DateOffset(months=12)]
    assert table.loc[0, "n_test"] == len(test_rows)
    assert table.loc[0, "events_test"] == test_rows["churned"].sum()
    assert table.set_index("signal").loc["category", "n_params"] == 1 + 2 + 2


def brute_auc(score: np.ndarray, label: np.ndarray) -> float:
    """Mann-Whitney AUC on expanded rows from midranks (ties: 0.5)."""
    order = np.argsort(score, kind="stable")
    s = score[order]
    ranks = np.empty(len(s))
    start = 0
    while start < len(s):  # midranks of tied runs
        stop = start
        while stop + 1 < len(s) and s[stop + 1] == s[start]:
            stop += 1
        ranks[start : stop + 1] = (start + stop) / 2 + 1
        start = stop + 1
    rank = np.empty(len(s))
    rank[order] = ranks
    pos = label == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (rank[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def brute_auc_pairwise(score: np.ndarray, label: np.ndarray) -> float:
    p, n = score[label == 1], score[label == 0]
    diff = p[:, None] - n[None, :]
    return ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size


def test_auc_from_cells_equals_row_level_auc():
    rng = np.random.default_rng(3)
    k = 60
    prob = rng.choice(np.linspace(0.01, 0.2, 15), k)  # repeated values: ties across cells
    exposure = rng.integers(1, 40, k)
    events = rng.binomial(exposure, prob)
    exposure[:3] = events[:3]  # cells of events only
    events[3:6] = 0  # cells without events
    score = np.repeat(prob, exposure)
    label = np.repeat(np.tile([1.0, 0.0], k), np.column_stack([events, exposure - events]).ravel())
    got = auc_from_cells(prob, events, exposure)
    assert got == pytest.approx(brute_auc(score, label), abs=1e-12)
    assert got == pytest.approx(brute_auc_pairwise(score, label), abs=1e-12)
    assert np.isnan(auc_from_cells(prob, np.zeros(k), exposure))
    assert np.isnan(auc_from_cells(prob, exposure, exposure))


def test_auc_in_the_table_equals_row_level_auc(rows, table):
    """Re-predict the hold-out rows with the reported model and recompute the AUC by rows."""
    from cxvalue.models.compare import _as_panel, _cells, _score_signal, _signal_spec, _split

    panel = _as_panel(rows)
    specs = [_signal_spec("score", panel)]
    cell_table = _cells(panel, ["score"], ("segment",), 12)
    train, test = _split(cell_table, specs, ("segment",))
    scored = _score_signal(specs[0], train, test, ("segment",), "cloglog")
    assert scored["auc"] == pytest.approx(table.set_index("signal").loc["score", "auc"], abs=1e-12)
    # the same probabilities per row: score and segment decide the cell
    import statsmodels.api as sm
    from statsmodels.genmod.families import links

    cutoff = rows["period"].max() - pd.DateOffset(months=12)
    tr, te = rows[rows["period"] <= cutoff], rows[rows["period"] > cutoff]

    def x(frame):
        seg = frame["segment"]
        return np.column_stack([np.ones(len(frame)), (seg == "Enterprise"), (seg == "SMB"),
                                frame["score"]]).astype(float)  # fmt: skip

    fam = sm.families.Binomial(link=links.CLogLog())
    fit = sm.GLM(tr["churned"].to_numpy(float), x(tr), family=fam).fit()
    prob = fam.link.inverse(x(te) @ fit.params)
    by_rows = brute_auc(prob, te["churned"].to_numpy())
    assert scored["auc"] == pytest.approx(by_rows, abs=1e-9)


def test_no_events_in_holdout_warns_and_gives_nan_auc(rows):
    cutoff = rows["period"].max() - pd.DateOffset(months=12)
    quiet = rows.copy()
    quiet.loc[quiet["period"] > cutoff, "churned"] = 0
    with pytest.warns(DataWarning, match="no churn events"):
        out = compare_metrics(quiet, controls=("segment",))
    assert out["auc"].isna().all()
    assert np.isfinite(out["log_loss"]).all() and (out["events_test"] == 0).all()


def test_errors_are_clear(rows):
    with pytest.raises(InputError, match="unknown signal 'nps2'"):
        compare_metrics(rows, controls=("segment",), signals=["nps2"])
    with pytest.raises(InputError, match="no column 'size_band'"):
        compare_metrics(rows)  # the default controls are not in a simulated frame
    with pytest.raises(InputError, match="nothing to fit"):
        compare_metrics(rows, controls=("segment",), holdout_months=120)


@pytest.fixture(scope="module")
def sample():
    # The bundled Qualtrics export names its 1-5 satisfaction question Q2.
    responses = cx.read_responses(f"{SAMPLES}/responses.csv.gz").table
    responses = responses.rename(columns={"Q2": "csat"})
    revenue = cx.read_revenue(f"{SAMPLES}/revenue.csv.gz").table
    customers = cx.read_customers(f"{SAMPLES}/customers.csv").table
    return cx.build_panel(responses, revenue, customers), responses


def test_csat_comes_from_the_same_response_as_the_score(sample):
    panel, responses = sample
    extra = attach_latest(panel, responses.assign(score_again=responses["score"]),
                          ["csat", "score_again"])  # fmt: skip
    frame = extra.to_pandas()
    assert len(frame) == panel.count()
    surveyed = frame["score"].notna()
    np.testing.assert_array_equal(frame.loc[surveyed, "score_again"],
                                  frame.loc[surveyed, "score"].astype(float))  # fmt: skip
    assert frame.loc[~surveyed, "score_again"].isna().all()
    assert frame.loc[surveyed, "csat"].notna().mean() > 0.5


def test_responses_from_parquet_attach_the_same(sample, tmp_path):
    """A Parquet file as pandas writes it (nanosecond timestamps) gives the same columns
    as the frame."""
    panel, responses = sample
    path = tmp_path / "responses.parquet"
    responses.to_parquet(path)
    want = attach_latest(panel, responses, ["csat"]).to_pandas()
    pd.testing.assert_frame_equal(attach_latest(panel, path, ["csat"]).to_pandas(), want)


def test_sample_runs_with_csat(sample):
    panel, responses = sample
    out = compare_metrics(panel, responses)
    assert set(out["signal"]) == {"category", "score", "top2box", "csat", "(controls only)"}
    assert np.isfinite(out[["log_loss", "auc", "brier"]].to_numpy(float)).all()
    assert out["best"].sum() == 1
