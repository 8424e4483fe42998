"""The inventory of the paper's statements against the committed claims tables, and the
statistics the inventory's new rows use."""

import numpy as np
import pandas as pd
import pytest

from alnb import paper_claims, report, stats
from alnb.claims import row, table
from alnb.sections.data_split import LIFT, _arrival_lift


def test_every_result_of_the_paper_has_a_row_and_every_row_an_inventory_id():
    rows = report._rows()
    known = set(paper_claims.BY_ID) | {paper_claims.BEYOND}
    assert (rows.id != "").all() and set(rows.id) <= known
    results = {c.id for c in paper_claims.CLAIMS if c.kind == paper_claims.RESULT}
    assert results - set(rows.id) == set()
    interpretations = [c for c in paper_claims.CLAIMS if c.kind == paper_claims.INTERPRETATION]
    assert all(c.why for c in interpretations)


def test_a_row_without_an_inventory_id_is_refused():
    with pytest.raises(ValueError, match="needs inventory ids"):
        row("a claim", "Fig. 0", [])
    with pytest.raises(ValueError, match=r"unknown: \['S9.nothing'\]"):
        row("a claim", "Fig. 0", [], ids=("S9.nothing",))


def test_every_is_an_intersection_union_test():
    rng = np.random.default_rng(21)
    strong = [stats.superiority(f"{i}", rng.normal(0.05, 0.005, 5)) for i in range(10)]
    one_weak = strong + [stats.superiority("weak", rng.normal(0.0, 0.01, 5))]
    assert stats.every("all", strong).label == stats.SUPPORTED
    got = stats.every("all", one_weak)
    assert got.label != stats.SUPPORTED and got.what == "all" and "weakest: weak" in got.note
    assert got.p == max(t.p for t in one_weak)
    against = strong + [stats.superiority("against", rng.normal(-0.05, 0.005, 5))]
    assert stats.every("all", against).label == stats.CONTRADICTED


def test_an_arrival_speeds_learning_only_when_the_gain_after_exceeds_the_gain_before():
    rounds = np.arange(30)
    seeds = range(5)

    def acc(jump):  # a linear rise, steeper for LIFT rounds after round 10 when jump > 0
        extra = np.clip(rounds - 9, 0, LIFT) * jump
        return pd.DataFrame([0.5 + 0.001 * rounds + extra + 0.0005 * s for s in seeds],
                            index=pd.Index(seeds, name="seed"), columns=rounds)

    assert _arrival_lift("a", acc(0.004), 10).label == stats.SUPPORTED
    assert _arrival_lift("a", acc(0.0), 10).label != stats.SUPPORTED
    assert _arrival_lift("a", acc(-0.004), 10).label == stats.CONTRADICTED


def test_onset_finds_where_a_curve_has_started_to_fall():
    """Flat at 0 to 30% labeled, then down by 2.5 per unit fraction: 0.1 below the maximum
    at 34%; a curve that never falls has no onset."""
    from alnb.sections.training_modes import onset

    rng = np.random.default_rng(22)
    frac = np.linspace(0, 1, 501)
    rows = [{"seed": s, "n_labeled": 120 * i, "frac_labeled": f,
             "y": -2.5 * max(0.0, f - 0.3) + rng.normal(0, 0.01), "flat": rng.normal(0, 0.01)}
            for s in range(5) for i, f in enumerate(frac)]
    frame = pd.DataFrame(rows)
    assert onset(frame, "y", 0.1).to_numpy() == pytest.approx([0.34] * 5, abs=0.02)
    assert onset(frame, "flat", 0.1).empty


def test_crossover_is_where_cumulative_leads_for_good_not_a_first_noisy_crossing():
    """cum - inc is 0 up to 10,000 labels, then grows by 0.02 per 10,000: it leads by 0.01
    for good from 15,000. A noisy early lead (at 600 labels) does not count."""
    from alnb.sections.training_modes import crossover

    n = np.arange(0, 30001, 120)
    gap = np.clip((n - 10000) / 10000 * 0.02, 0, None)

    def run(extra):
        return pd.DataFrame([{"seed": s, "n_labeled": x, "test_acc": 0.8 + e}
                             for s in range(5) for x, e in zip(n, extra, strict=True)])

    early = np.where((n >= 480) & (n <= 720), 0.05, 0.0)  # three rounds ahead, early
    got = crossover(run(gap + early), run(np.zeros_like(gap)), window=0.0)
    assert got.to_numpy() == pytest.approx([15000] * 5, abs=120)
    assert crossover(run(np.zeros_like(gap)), run(np.zeros_like(gap))).empty


def test_capacity_rows_judge_a_network_size_only_once_all_its_fig10_runs_are_cached():
    """ANN1(1000) on Fashion-MNIST with only its incremental runs landed (tier 4 part-way):
    no sub-claim of A.3 reads it, the rows say it waits, and MNIST's are judged: cumulative
    Margin 0.02 above Random and Entropy, incremental Margin 0.02 below cumulative early."""
    from alnb.sections.training_modes import FIG10_RUNS, capacity_rows

    rng = np.random.default_rng(23)
    lead = {("margin", "cumulative"): 0.02, ("margin", "incremental"): 0.0}
    rows = [{"dataset": d, "hidden": h, "strategy": s, "mode": m, "seed": seed,
             "n_labeled": 120 * i, "frac_labeled": f,
             "test_acc": 0.8 + 0.1 * f + lead.get((s, m), 0.0) + rng.normal(0, 0.002)}
            for d in ("mnist", "fashion_mnist") for h in (10, 1000) for s, m in FIG10_RUNS
            if d == "mnist" or h == 10 or m == "incremental"
            for seed in range(5) for i, f in enumerate(np.linspace(0, 0.5, 51))]
    vs_r, vs_e, early, *_ = table(capacity_rows(pd.DataFrame(rows))).to_dict("records")
    assert "ANN1(1000) on fashion_mnist not tested" in vs_r["differs"]
    assert "fashion_mnist ANN1(1000)" not in vs_r["measured"] + vs_e["measured"]
    assert "mnist ANN1(1000) M-R at 50%" in vs_r["measured"]
    assert vs_r["verdict"] == vs_e["verdict"] == stats.HOLDS
    assert early["verdict"] == stats.CONTRADICTED


def test_small_networks_suffer_compares_where_every_mode_of_both_sizes_reaches():
    """ANN1(1000)'s incremental runs go to the end, its cumulative ones to 50%: the row
    compares at 50%, where ANN1(10)'s cum - inc gap (0.05) exceeds ANN1(1000)'s (0)."""
    from alnb.sections.training_modes import small_networks_suffer

    rng = np.random.default_rng(24)
    rows = [{"dataset": "mnist", "hidden": h, "strategy": "margin", "mode": m, "seed": seed,
             "n_labeled": 120 * i, "frac_labeled": f,
             "test_acc": 0.9 + 0.05 * (h == 10 and m == "cumulative") + rng.normal(0, 0.002)}
            for h in (10, 1000) for m in ("cumulative", "incremental") for seed in range(5)
            for i, f in enumerate(np.linspace(0, 0.5 if (h, m) == (1000, "cumulative") else 1,
                                              51))]
    got = table([small_networks_suffer(pd.DataFrame(rows), "mnist")]).iloc[0]
    assert "at 50%" in got.measured and got.verdict == stats.HOLDS
