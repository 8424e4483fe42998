"""Known-answer tests of alnb.stats on synthetic run frames whose truth is set by hand,
including negative controls where the claim is false."""

import numpy as np
import pandas as pd
import pytest

from alnb import align, stats
from alnb.stats import CONTRADICTED, INCONCLUSIVE, SUPPORTED


def run(effect, seeds=5, grid=range(0, 1001, 100), pool=1000, sd=0.0, seed_sd=0.02, rng=None,
        slope=0.0004, name="a"):
    """A run frame: test_acc = 0.5 + slope * |L| + a per-seed offset shared by every arm of
    that seed (common random numbers) + `effect` + round noise of SD `sd`."""
    rng = rng or np.random.default_rng(0)
    offsets = np.random.default_rng(123).normal(0, seed_sd, seeds)
    rows = []
    for s in range(seeds):
        for n in grid:
            rows.append({"seed": s, "n_labeled": n, "frac_labeled": n / pool, "strategy": name,
                         "test_acc": 0.5 + slope * n + offsets[s] + effect + rng.normal(0, sd)})
    return pd.DataFrame(rows)


def test_compare_interpolates_to_the_same_labeled_count_on_misaligned_grids():
    a = run(0.05, grid=range(0, 1001, 100))
    b = run(0.0, grid=range(0, 1001, 150))
    got = align.compare(a, b, value=250)  # a has 200 and 300; b has 150 and 300
    assert got["mean"] == pytest.approx(0.05) and got["n"] == 5
    assert got["low"] == pytest.approx(0.05) and got["high"] == pytest.approx(0.05)
    # Taking "the last round at or below 250" would compare 200 with 150: off by 0.02.


def test_compare_turns_fractions_into_labels_with_each_runs_own_pool():
    a = run(0.0, pool=1000, grid=range(0, 1001, 100))
    b = run(0.0, pool=2000, grid=range(0, 2001, 100))
    got = align.compare(a, b, at="frac_labeled", value=0.1)  # a at 100, b at 200
    assert got["mean"] == pytest.approx(-0.0004 * 100)


def test_compare_fails_clearly_outside_the_grid_and_without_shared_seeds():
    a, b = run(0.0, grid=range(0, 501, 100)), run(0.0)
    with pytest.raises(ValueError, match=r"a: \|L\| = 800 lies outside seed 0's grid \[0, 500\]"):
        align.compare(a, b, value=800)
    other = run(0.0).assign(seed=lambda f: f.seed + 10)
    with pytest.raises(ValueError, match="share no seed"):
        align.compare(a, other, value=100)


@pytest.mark.parametrize("effect, label", [(0.05, SUPPORTED), (-0.05, CONTRADICTED),
                                           (0.0, INCONCLUSIVE)])
def test_superiority_labels(effect, label):
    rng = np.random.default_rng(1)
    got = align.compare(run(effect, sd=0.01, rng=rng), run(0.0, sd=0.01, rng=rng), value=500)
    assert stats.superiority("a-b", got["diffs"]).label == label


def test_equal_arms_never_hold_for_a_superiority_claim():
    rng = np.random.default_rng(2)
    labels = []
    for _ in range(200):
        a, b = run(0.0, seeds=3, sd=0.02, rng=rng), run(0.0, seeds=3, sd=0.02, rng=rng)
        tests = [stats.superiority(f"{v}", align.compare(a, b, value=v)["diffs"])
                 for v in (100, 300, 500)]
        labels.append(stats.claim_label(tests))
    assert stats.HOLDS not in labels
    assert sum(label != INCONCLUSIVE for label in labels) < 0.2 * len(labels)


def test_equivalence_needs_the_whole_90_percent_interval_inside_the_margin():
    rng = np.random.default_rng(3)
    tight = align.compare(run(0.002, seeds=20, sd=0.002, rng=rng),
                          run(0.0, seeds=20, sd=0.002, rng=rng), value=500)
    assert stats.equivalence("same", tight["diffs"], 0.01).label == SUPPORTED
    got = stats.equivalence("wide", [0.02, -0.02, 0.01, -0.015], 0.01)
    assert got.label == INCONCLUSIVE and "about 16 seeds would decide it" in got.note
    far = align.compare(run(0.05, seeds=10, sd=0.002, rng=rng),
                        run(0.0, seeds=10, sd=0.002, rng=rng), value=500)
    assert stats.equivalence("far", far["diffs"], 0.01).label == CONTRADICTED


def test_a_true_difference_of_three_margins_is_never_equivalent():
    rng = np.random.default_rng(4)
    for _ in range(200):
        got = align.compare(run(0.03, seeds=3, sd=0.02, rng=rng),
                            run(0.0, seeds=3, sd=0.02, rng=rng), value=500)
        assert stats.equivalence("3 delta", got["diffs"], 0.01).label != SUPPORTED


def test_noninferiority_both_ways():
    diffs = np.array([-0.004, -0.002, -0.003, -0.001, -0.002])
    assert stats.noninferiority("A >= B", diffs, 0.01).label == SUPPORTED
    assert stats.noninferiority("A >= B", diffs - 0.05, 0.01).label == CONTRADICTED
    assert stats.noninferiority("A no better", diffs + 0.05, 0.01, sign=-1).label == CONTRADICTED
    assert stats.noninferiority("A no better", diffs, 0.01, sign=-1).label == SUPPORTED


def test_interval_of_compare_covers_the_truth_95_percent_of_the_time():
    rng = np.random.default_rng(5)
    hits = 0
    for _ in range(400):
        got = align.compare(run(0.02, seeds=5, sd=0.01, rng=rng),
                            run(0.0, seeds=5, sd=0.01, rng=rng), value=450)
        hits += got["low"] <= 0.02 <= got["high"]
    assert 0.92 <= hits / 400 <= 0.98


def trend_frame(real: float, seeds=8, rounds=40, rng=None):
    """x and y both fall with |L|; y also follows x's own wiggles when real > 0."""
    rng = rng or np.random.default_rng(6)
    rows = []
    for s in range(seeds):
        wiggle = rng.normal(0, 1, rounds)
        for r in range(rounds):
            n = 100 * r
            rows.append({"seed": s, "n_labeled": n,
                         "x": -0.001 * n + 0.5 * wiggle[r] + rng.normal(0, 0.3),
                         "y": -0.001 * n + real * wiggle[r] + rng.normal(0, 0.3)})
    return pd.DataFrame(rows)


def test_a_correlation_made_only_by_labeled_count_is_not_supported():
    frame = trend_frame(real=0.0)
    plain = stats.correlation("plain", frame, "x", "y", control=None)
    assert plain.label == SUPPORTED and plain.mean > 0.5  # the confound alone
    assert stats.correlation("partial", frame, "x", "y").label != SUPPORTED
    real = stats.correlation("partial", trend_frame(real=0.5), "x", "y")
    assert real.label == SUPPORTED and -1 <= real.low <= real.high <= 1


def test_partial_spearman_removes_a_shared_trend():
    z = np.arange(50.0)
    noise = np.random.default_rng(7).normal(0, 1, (2, 50))
    assert stats.partial_spearman(z + noise[0], z + noise[1], z) == pytest.approx(
        0.0, abs=0.35)
    assert stats.partial_spearman(noise[0], noise[0] + 0.1 * noise[1], z) > 0.9


def test_bootstrap_interval_of_a_ratio_and_a_stated_tolerance():
    errors_hard = np.array([0.10, 0.12, 0.11, 0.09, 0.10])
    errors_zero = np.array([0.21, 0.20, 0.22, 0.20, 0.21])
    est, low, high, n, _ = stats.bootstrap((errors_hard, errors_zero),
                                           lambda a, b: np.mean(a) / np.mean(b))
    assert low < est < high and n == 5
    assert stats.interval_within("half", est, low, high, n, 0.4, 0.6).label == SUPPORTED
    assert stats.interval_within("half", 0.62, 0.61, 0.64, n, 0.4, 0.6).label == CONTRADICTED


@pytest.mark.parametrize("labels, want", [
    ([SUPPORTED] * 3, stats.HOLDS),
    ([SUPPORTED, INCONCLUSIVE, SUPPORTED], "holds in 2 of 3"),
    ([SUPPORTED, CONTRADICTED], stats.MIXED),
    ([CONTRADICTED, INCONCLUSIVE], CONTRADICTED),
    ([INCONCLUSIVE, INCONCLUSIVE], INCONCLUSIVE),
])
def test_claim_labels_never_come_from_means(labels, want):
    tests = [stats.Test("x", 1.0, -1.0, 3.0, 3, label) for label in labels]
    assert stats.claim_label(tests) == want


def test_holm_keeps_what_survives_the_family():
    kept = stats.holm([0.001, 0.02, 0.04, np.nan])
    # Holm: 0.001 < 0.05/3; 0.02 < 0.05/2; 0.04 < 0.05/1 -> all three kept
    assert kept.tolist() == [True, True, True, False]
    assert stats.holm([0.03, 0.03, 0.03]).tolist() == [False, False, False]


def test_welch_compares_independent_samples():
    a, b = np.array([0.05, 0.06, 0.04, 0.05]), np.array([0.01, 0.02, 0.0, 0.01])
    got = stats.welch("a-b", a, b)
    assert got.label == SUPPORTED and got.low < 0.04 < got.high
    assert stats.welch("b-a", b, a).label == CONTRADICTED


def test_a_claims_row_names_its_seeds_and_where_its_runs_stop():
    from alnb.claims import gaps, row

    # Runs to 50% and to the end of a 1000-example pool; 5 and 8 seeds.
    half, whole = run(0.05, grid=range(0, 501, 100)), run(0.0)
    tests = gaps("a-b", half, whole, (0.1, 0.3, 0.9))  # 90% is past the first run's stop
    assert [t.what for t in tests] == ["a-b at 10%", "a-b at 30%"]
    r = row("a beats b", "Fig. 0", tests)
    assert (r["seeds"], r["runs_to"], r["verdict"]) == ("5", "50%", "holds")
    more = gaps("a-c", run(0.05, seeds=8), run(0.0, seeds=8), (0.1,))
    r = row("a beats both", "Fig. 0", tests + more)
    assert (r["seeds"], r["runs_to"]) == ("5-8", "50%-the end")
    assert row("shown", "Fig. 0", [], "by construction")["runs_to"] == ""
