import filecmp

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from alnb import experiments, plotting, scales, stats
from alnb.sections import beyond_margin, data_split, informativeness, training_modes


def test_scales_stop_at_their_fraction():
    quick = scales.scale("quick")
    cfg = quick.config(60000)
    assert cfg.acq_size == 1200 and cfg.seeds == 3 and cfg.n_rounds == 26  # 0 .. 30000 labels
    assert scales.scale("paper").config(60000).n_rounds is None
    assert scales.scale("quick", seeds=5).config(60000).seeds == 5
    assert quick.config(60000, acq_size=300).n_rounds == 101  # the stop fraction is kept


def test_bad_scale_parameters_fail_clearly():
    with pytest.raises(ValueError, match="Unknown scale 'huge'; choose one of smoke, quick"):
        scales.scale("huge")
    with pytest.raises(ValueError, match="seeds must be an integer >= 0"):
        scales.scale("quick", seeds=-1)


def test_training_modes_plan_covers_every_figure():
    plan = training_modes.plan(scales.scale("quick"), ["mnist", "fashion_mnist"])
    figures = {f for f, _, _ in plan}
    assert figures == {"fig1", "fig1c", "fig1d", "fig8", "fig10", "fig11"}
    big = [d for f, d, c in plan if f == "fig10" and c["hidden"] == 1000]
    assert set(big) == {"mnist"}  # ANN1(1000) on the first dataset below paper scale
    sizes = sorted({c["acq_size"] for f, _, c in plan if f == "fig11"})
    assert sizes == [300, 600, 2400, 4800]


def test_runtime_estimate_grows_with_the_work():
    sc = scales.scale("quick")
    small = experiments.estimate_seconds(sc.config(60000), 60000)
    assert 0 < small < experiments.estimate_seconds(sc.config(60000, hidden=1000), 60000)
    assert small < experiments.estimate_seconds(sc.config(60000, epochs=5), 60000)


def test_learning_curve_band_and_stable_savefig(tmp_path):
    frame = pd.DataFrame({"seed": [0, 1, 0, 1], "frac_labeled": [0.1, 0.1, 0.2, 0.2],
                          "test_acc": [0.5, 0.7, 0.8, 0.8], "run": "a"})
    mean, half = plotting.band(np.array([0.5, 0.7]))
    assert mean == pytest.approx(0.6) and half == pytest.approx(12.706205 * 0.1414214 / 1.4142136)
    plotting.style()
    fig = plotting.grid(frame, ["run"], hue="run")
    plotting.caption(fig, "test", "smoke", 2)
    a = plotting.savefig(fig, "x", tmp_path / "a")
    b = plotting.savefig(fig, "x", tmp_path / "b")
    plt.close(fig)
    assert all(filecmp.cmp(p, q, shallow=False) for p, q in zip(a, b, strict=True))


def test_data_split_plan_follows_section_5():
    paper, quick = scales.scale("paper"), scales.scale("quick")
    plan = data_split.plan(paper, ["mnist"])
    cfgs = [paper.config(60000, **c) for _, _, c in plan]
    assert [(c.pool_splits, c.split_fraction, c.acq_size) for c in cfgs] == [
        (2, 0.8, 120), (1, 1.0, 120), (5, 0.9, 200), (1, 1.0, 200)]
    assert all(c.n_rounds is None for c in cfgs)  # the paper labels the whole pool
    fast = [quick.config(60000, **c) for _, _, c in data_split.plan(quick, ["mnist"])]
    assert [c.acq_size for c in fast] == [1200, 1200, 2000, 2000]
    assert fast[0].n_rounds == 46  # stop at 90%: 0 .. 54000 labels


def test_dataset_parameter_is_checked():
    assert scales.parse_datasets(" mnist, fashion_mnist ") == ["mnist", "fashion_mnist"]
    with pytest.raises(ValueError, match="datasets is empty"):
        scales.parse_datasets(" , ")
    with pytest.raises(ValueError, match=r"datasets \['svhn'\] not available"):
        scales.parse_datasets("mnist,svhn")


def test_arrivals_are_the_rounds_where_the_pool_grew():
    split = pd.DataFrame({"round": [0, 1, 2, 3, 0, 1, 2, 3], "seed": [0] * 4 + [1] * 4,
                          "n_available": [10, 10, 20, 20] * 2,
                          "frac_labeled": [0.0, 0.1, 0.2, 0.3] * 2,
                          "n_labeled": [0, 10, 20, 30] * 2})
    assert data_split.arrivals(split).index.tolist() == [2]


def test_informativeness_plan_reduces_cifar_below_paper_scale():
    quick = scales.scale("quick")
    plan = informativeness.plan(quick, ["mnist", "cifar10"])
    assert [(d, c["strategy"]) for _, d, c in plan] == [
        ("mnist", "margin"), ("mnist", "random"), ("cifar10", "margin"), ("cifar10", "random")]
    cifar = quick.config(50000, **plan[2][2])
    assert (cifar.model, cifar.pool_size, cifar.acq_size, cifar.epochs) == ("cnn1", 1000, 100, 10)
    assert cifar.n_rounds is None and quick.config(60000, **plan[0][2]).n_rounds is None
    paper = scales.scale("paper").config(50000, **informativeness.plan(
        scales.scale("paper"), ["cifar10"])[0][2])
    assert (paper.epochs, paper.acq_size, paper.pool_size) == (50, 120, None)
    # CNN1 is costed as CNN1: 10 epochs on 1000 images cost more than ANN1 on 60000.
    assert experiments.estimate_seconds(cifar, 50000) > experiments.estimate_seconds(
        quick.config(60000, **plan[0][2]), 60000)


def test_notebook_02_runs_all_three_data_sets_by_default_or_those_it_is_given():
    both = ["mnist", "fashion_mnist"]
    assert informativeness.datasets(scales.scale("study"), " ") == [*both, "cifar10"]
    assert informativeness.datasets(scales.scale("study"), "mnist, cifar10") == [
        "mnist", "cifar10"]
    with pytest.raises(ValueError, match=r"datasets \['svhn'\] not available"):
        informativeness.datasets(scales.scale("study"), "svhn")


def curves(seed_offsets, n_rounds=21, random_train=0.1):
    """A fake notebook-02 frame: margin learns faster and keeps I_B^M high early; its running
    train accuracy lies 0.1 below its test accuracy, Random's `random_train` above."""
    rows = []
    for d in ("mnist",):
        for strategy, speed, level in (("margin", 2.0, -0.1), ("random", 1.0, -0.6)):
            for seed, off in enumerate(seed_offsets):
                for r in range(n_rounds):
                    frac = r / (n_rounds - 1)
                    acc = 0.9 - 0.5 * np.exp(-speed * 4 * frac) + off
                    rows.append({"dataset": d, "strategy": strategy, "seed": seed, "round": r,
                                 "frac_labeled": frac, "n_labeled": 100 * r, "test_acc": acc,
                                 "train_acc_running": np.nan if r == 0 else
                                 acc + (-0.1 if strategy == "margin" else random_train)
                                 + off * r,
                                 "train_acc": acc + (-0.02 if strategy == "margin" else 0.02),
                                 "batch_margin": level - 0.8 * frac})
    return pd.DataFrame(rows)


def test_stopping_rule_stops_at_the_first_round_below_the_threshold():
    df = curves([0.0, 0.01, -0.01])
    stops = informativeness.stopping_rule(df[df.strategy == "margin"], thresholds=(-0.32, -0.85))
    assert stops.stop_frac.tolist() == pytest.approx([0.3, 0.95])  # I_B^M = -0.1 - 0.8 frac
    assert (stops.acc_loss > 0).all() and stops.acc_loss.iloc[1] < stops.acc_loss.iloc[0] < 0.1
    table = informativeness.claims(informativeness.Runs(df, stops.assign(dataset="mnist")))
    verdicts = dict(zip(table.claim.str.split(" \\(").str[0], table.verdict, strict=True))
    assert verdicts["M has higher test accuracy than R early"].startswith(stats.SEE + " 01")
    assert verdicts["M has lower train accuracy than R early"] == stats.HOLDS
    assert verdicts["M has higher I_B^M than R early"] == stats.HOLDS
    assert table.comparisons.iloc[0] == sum(int(s.split("/")[1]) for s, c in zip(
        table.supported, table.counted, strict=True) if c)
    cifar = table[table.paper == "Fig. 2c"]  # none among the datasets: shown, not judged
    assert len(cifar) == 2 and cifar.verdict.str.startswith(stats.NOT_TESTED).all()


def test_a_false_claim_is_contradicted_not_averaged_away():
    df = curves([0.0, 0.01, -0.01])
    df["strategy"] = df.strategy.map({"margin": "random", "random": "margin"})
    stops = informativeness.stopping_rule(df[df.strategy == "margin"]).assign(dataset="mnist")
    table = informativeness.claims(informativeness.Runs(df, stops))
    verdicts = dict(zip(table.claim.str.split(" \\(").str[0], table.verdict, strict=True))
    assert verdicts["M has lower train accuracy than R early"] == stats.CONTRADICTED
    assert verdicts["M has higher I_B^M than R early"] == stats.CONTRADICTED


@pytest.mark.parametrize("random_train, verdict", [(0.1, stats.HOLDS), (-0.1, "holds in 2 of 5")])
def test_test_above_train_under_margin_needs_random_as_its_control(random_train, verdict):
    """Keras' running train accuracy below the test accuracy under both strategies: the scan
    under M still passes, but the contrast with R does not, so the claim does not hold."""
    df = curves([0.0, 0.01, -0.01, 0.005, -0.005], random_train=random_train)
    stops = informativeness.stopping_rule(df[df.strategy == "margin"]).assign(dataset="mnist")
    table = informativeness.claims(informativeness.Runs(df, stops))
    row = table[table.claim.str.startswith("Under M, test accuracy sometimes exceeds")].iloc[0]
    assert row.verdict == verdict


def test_overrides_reach_every_setting_that_depends_on_them():
    sc = scales.scale("quick", seeds=7, acq_size=600)
    assert (sc.seeds, sc.start.subset_seeds, sc.start.bound_seeds) == (7, 7, 7)
    assert sc.start.n_inits == 200  # Fig. 4's untrained networks are not seeds
    assert sc.config(60000).acq_size == 600 and sc.config(60000).n_rounds == 51  # to 50%
    fig11 = {c["acq_size"] for f, _, c in training_modes.plan(sc, ["mnist"])
             if f == "fig11"}
    assert fig11 == {150, 300, 1200, 2400}
    split = [sc.config(60000, **c).acq_size for _, _, c in data_split.plan(
        sc, ["mnist"])]
    assert split == [600, 600, 1000, 1000]  # 120 and 200 at the paper's 120
    with pytest.raises(ValueError, match="acq_size must be an integer >= 0"):
        scales.scale("quick", acq_size=-5)


def test_rounds_to_a_labeled_fraction():
    assert scales.rounds_to(0.5, 60000, 1200) == 26  # 0, 1200, ..., 30000
    assert scales.rounds_to(0.25, 60000, 120, start=3000) == 101
    assert scales.rounds_to(1.0, 1000, 300) == 5  # 0, 300, 600, 900, 1000


def strategy_curves(gap: float, seeds=(0.0, 0.004, -0.004, 0.002, -0.002)):
    """A fake notebook-06 frame: Margin's curve, and each newer strategy `gap` below it."""
    rows = []
    for strategy in ("margin", "entropy", "random", "bald", "badge", "coreset"):
        below = 0.0 if strategy == "margin" else gap
        for seed, off in enumerate(seeds):
            for r in range(11):
                frac = r / 20  # to 50% labeled
                rows.append({"dataset": "mnist", "strategy": strategy, "seed": seed,
                             "round": r, "frac_labeled": frac, "n_labeled": 1200 * r,
                             "test_acc": 0.9 - 0.5 * np.exp(-8 * frac) + off - below})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("gap, verdict", [(0.03, stats.HOLDS), (-0.05, stats.CONTRADICTED)])
def test_margin_against_newer_strategies_is_judged_both_ways(gap, verdict):
    df = strategy_curves(gap)
    costs = pd.Series({"margin": 0.2, "bald": 1.8, "badge": 0.4, "coreset": 2.0})
    table = beyond_margin.claims(df, costs).set_index("claim")
    for name in ("BALD", "BADGE", "Core-Set"):
        assert table.loc[f"Margin is at least as good as {name} early (margin 0.01)",
                         "verdict"] == verdict
    assert table.measured.iloc[-1] == "BALD 9.0x, BADGE 2.0x, Core-Set 10.0x"
    assert table.measured.iloc[0].endswith(
        "mean curves (descriptive): mnist not within 0.01 of Margin by 50%")
    diffs = beyond_margin.differences(df)
    assert np.allclose(diffs["mean"], -gap) and (diffs.n == 5).all()


def test_curves_meet_where_the_difference_stays_within_the_margin():
    diffs = pd.DataFrame({"dataset": "mnist", "strategy": "bald",
                          "frac_labeled": [0.05, 0.1, 0.15, 0.2, 0.25],
                          "mean": [-0.2, -0.005, -0.02, 0.008, -0.001]})
    assert beyond_margin.meeting_points(diffs)["mnist", "bald"] == \
        "mnist within 0.01 of Margin from 20% on"  # not 10%: it leaves the band at 15%
    diffs["mean"] = 0.0
    assert beyond_margin.meeting_points(diffs)["mnist", "bald"].endswith("from 5% on")
