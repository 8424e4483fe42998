import numpy as np
import pandas as pd
import pytest

from alnb import efficiency

POOL = 60000


def run(speed, seeds=5, noise=0.003, rounds=201, top=0.5):
    """Curves acc(n) = 0.95 (1 - exp(-speed n / 3000)) plus per-round noise, to `top` of
    the pool: a strategy with speed 2 needs half of Random's labels for any accuracy."""
    rng = np.random.default_rng(int(speed * 100))
    n = np.linspace(0, top * POOL, rounds)
    return pd.DataFrame([{"seed": s, "n_labeled": x, "frac_labeled": x / POOL,
                          "test_acc": 0.95 * (1 - np.exp(-speed * x / 3000))
                          + rng.normal(0, noise)}
                         for s in range(seeds) for x in n])


def test_a_strategy_twice_as_fast_saves_half_the_labels_and_an_equal_one_none():
    random = run(1.0)
    twice = efficiency.speedup(run(2.0), random, 0.05)
    assert twice["low"] > 1.8 and twice["high"] < 2.2 and twice["never"] == 0
    same = efficiency.speedup(run(1.0, noise=0.004), random, 0.10)
    assert same["low"] < 1 < same["high"]


def test_a_slower_strategy_and_one_that_never_gets_there():
    random = run(1.0)
    half = efficiency.speedup(run(0.5), random, 0.05)
    assert 0.45 < half["low"] and half["high"] < 0.55
    # Random's accuracy at 25% is never reached by a run a quarter as fast that stops at 10%.
    short = efficiency.speedup(run(0.25, top=0.1), random, 0.25)
    assert short["never"] == 5 and np.isnan(short["speedup"])


def test_the_table_keeps_the_fractions_the_reference_reaches():
    t = efficiency.table({"M": run(2.0)}, run(1.0, top=0.2))
    assert t.frac.tolist() == [0.05, 0.10] and (t.speedup > 1.8).all()


def test_the_first_noisy_round_above_the_target_does_not_decide_the_crossing():
    # A flat curve with noise touches the target early by chance; the smoothed one does not.
    flat = run(1.0).assign(test_acc=lambda f: 0.5 + np.random.default_rng(1).normal(0, 0.02,
                                                                                     len(f)))
    need = efficiency.labels_to_reach(flat, pd.Series({s: 0.52 for s in range(5)}))
    assert need.isna().all() or (need > 0.25 * POOL).all()
    raw = flat[flat.test_acc >= 0.52].groupby("seed").n_labeled.min()
    assert (raw < 0.1 * POOL).all()  # what a first crossing of the raw curve would say
    with pytest.raises(ValueError, match="has no seed 9"):
        efficiency.labels_to_reach(flat, pd.Series({9: 0.5}))


def test_each_mode_against_the_other_per_strategy():
    def both(strategy, cum_speed):
        return pd.concat([run(cum_speed).assign(mode="cumulative"),
                          run(1.0, noise=0.004).assign(mode="incremental")]).assign(
            strategy=strategy, dataset="d")

    t = efficiency.versus_mode(pd.concat([both("margin", 2.0), both("random", 1.0)]))
    assert set(t["mode"]) == {"cumulative vs incremental"} and len(t) == 6
    margin, random = t[t.run == "margin"], t[t.run == "random"]
    assert (margin.low > 1.8).all() and (margin.high < 2.2).all()  # cumulative twice as fast
    assert ((random.low < 1) & (1 < random.high)).all()  # no difference: 1 inside
    assert efficiency.versus_mode(both("margin", 2.0)[lambda f: f["mode"] == "cumulative"]).empty
