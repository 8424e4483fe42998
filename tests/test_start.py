import numpy as np
import pandas as pd
import pytest

import alnb
from alnb import start
from alnb.config import ALConfig
from alnb.loop import run_active_learning
from alnb.models import Net

SYN = alnb.synthetic_dataset(n_train=600, n_test=200, seed=0)
NET = Net("ann1", 100, 1, 32, 10)


def test_first_query_counts_one_batch_per_init():
    df = start.first_query_counts(SYN, ["margin", "random"], n_inits=6, n_pick=100)
    per_init = df.groupby(["strategy", "init"])["count"].sum()
    assert (per_init == 100).all() and len(per_init) == 12
    # Different initialisations pick differently.
    m = df[df.strategy == "margin"].pivot(index="init", columns="class", values="count")
    assert m.drop_duplicates().shape[0] > 1


def test_dark_images_have_the_asked_fraction_of_black_pixels():
    imgs = start.dark_images([0.0, 0.5, 1.0], n_images=50)
    black = (imgs == 0).mean(axis=(1, 2, 3, 4))
    assert black[0] < 0.01 and abs(black[1] - 0.5) < 0.02 and black[2] == 1.0


def test_dark_image_informativeness_per_init_and_alpha():
    df = start.dark_image_informativeness([0.0, 1.0], n_inits=4, n_images=20)
    assert len(df) == 2 * 4 * 2
    m = df[df.measure == "margin"].informativeness
    e = df[df.measure == "entropy"].informativeness
    assert ((m >= -1) & (m <= 0)).all() and ((e >= 0) & (e <= np.log(10) + 1e-5)).all()


def test_accuracy_bounds_train_on_the_right_sets():
    cfg = ALConfig(acq_size=50, n_rounds=4, initial_size=100, seeds=2, epochs=3)
    h = run_active_learning(SYN, cfg, progress=False)
    df = start.accuracy_bounds(SYN, h, Net("ann1", 100, 10, 32, 10))
    assert sorted(df["round"].unique()) == [1, 2, 3]  # round 0 has L = L_t: no lower estimate
    # The upper network has seen L_t: it fits it at least as well as one that has not.
    assert (df.upper >= df.lower - 0.05).all() and df.upper.mean() > 0.8
    # Every other round (and the last): the same numbers at the rounds it keeps.
    sparse = start.accuracy_bounds(SYN, h, Net("ann1", 100, 10, 32, 10), every=2)
    assert sorted(sparse["round"].unique()) == [2, 3]
    pd.testing.assert_frame_equal(sparse.reset_index(drop=True),
                                  df[df["round"] >= 2].reset_index(drop=True))
    with pytest.raises(ValueError, match="random start"):
        start.accuracy_bounds(SYN, run_active_learning(SYN, ALConfig(acq_size=50, n_rounds=2),
                                                       progress=False), NET)


def test_subset_accuracy_draws_three_subsets_of_equal_size():
    cfg = ALConfig(acq_size=100, n_rounds=3, seeds=2)
    h = run_active_learning(SYN, cfg, progress=False)
    df = start.subset_accuracy(SYN, h, 200, NET)
    counts = df.filter(like="class_")
    assert (counts.sum(axis=1) == 200).all() and len(df) == 6
    qs, res = (df[df.subset == s].filter(like="class_").to_numpy() for s in ("QS sampled",
                                                                              "resampled"))
    np.testing.assert_array_equal(qs, res)  # resampled keeps QS's class counts
    assert (df.test_acc > 0.3).all()
    with pytest.raises(ValueError, match="never had exactly 250"):
        start.subset_accuracy(SYN, h, 250, NET)
