import numpy as np
import pytest

import alnb
from alnb import pseudo
from alnb.config import ALConfig
from alnb.models import Net

SYN = alnb.synthetic_dataset(n_train=600, n_test=200, seed=0)
NET = Net("ann1", 100, 3, 32, 10)


def labeled(n_labeled, n=600, seeds=1):
    mask = np.zeros((seeds, n), bool)
    mask[:, :n_labeled] = True
    return mask


def test_confident_correct_network_pseudo_labels_correctly():
    # 200 true labels make the easy synthetic task near perfect: a hard threshold takes only
    # confident examples, and their pseudo-labels are right.
    res = pseudo.gpla(NET, SYN, labeled(200), [-0.7], seeds=[0], n_min=10)
    row = res.summary.iloc[0]
    assert row.before_acc > 0.9
    assert 10 < row.first_size <= 400 and row.n_pseudo >= row.first_size
    assert row.pseudo_error < 0.02
    assert row.after_acc >= row.before_acc - 0.02


def test_gpla_runs_until_every_lane_converges_unless_capped():
    uncapped = pseudo.gpla(NET, SYN, labeled(200), [-0.7], seeds=[0, 1], n_min=10).summary
    assert (uncapped.iterations >= 3).all() and uncapped.converged.all()
    # A cap below the iterations it needs leaves the lanes unconverged, and says so.
    capped = pseudo.gpla(NET, SYN, labeled(200), [-0.7], seeds=[0, 1], n_min=10,
                         max_iter=2).summary
    assert (capped.iterations == 2).all() and not capped.converged.any()


def test_threshold_zero_adds_everything_at_once_and_minus_one_nothing():
    res = pseudo.gpla(NET, SYN, labeled(100), [0.0, -1.0], seeds=[0], n_min=0)
    zero, minus_one = res.summary.itertuples()
    assert zero.all_added and zero.n_pseudo == 500 and zero.first_size == 500
    assert zero.iterations == 2  # the second pass finds U empty and stops
    assert minus_one.n_pseudo == 0 and minus_one.first_size == 0 and minus_one.iterations == 1
    assert minus_one.after_acc == minus_one.before_acc
    # All lanes of a seed start from the same network: one 'before' accuracy.
    assert zero.before_acc == minus_one.before_acc


def test_loop_stops_once_s_has_at_most_n_examples():
    n_min = 60
    res = pseudo.gpla(NET, SYN, labeled(50), [-0.95], seeds=[0, 1], n_min=n_min)
    for _, lane in res.iterations.groupby("seed"):
        live = lane[lane.test_acc.notna()]
        assert (live["size"].iloc[:-1] > n_min).all() and live["size"].iloc[-1] <= n_min
        assert (live.added.iloc[:-1] == live["size"].iloc[:-1]).all()
        assert live.added.iloc[-1] == 0
    assert res.summary.converged.all()


def test_hardest_threshold_is_the_first_grid_value_at_which_gpla_adds():
    res = pseudo.gpla(NET, SYN, labeled(100), [pseudo.HARDEST], seeds=[0], n_min=20,
                      grid_size=11)
    row = res.summary.iloc[0]
    assert row.first_size > 20 and row.n_pseudo >= row.first_size
    grid = np.linspace(-1, 0, 11)
    assert np.isclose(grid, row.threshold).any()
    harder = pseudo.gpla(NET, SYN, labeled(100), [max(row.threshold - 0.1, -1.0)], seeds=[0],
                         n_min=20)
    assert harder.summary.first_size.iloc[0] <= 20 and harder.summary.n_pseudo.iloc[0] == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"thresholds": [0.5]}, "must lie in \\[-1, 0\\]"),
    ({"thresholds": [-1.5]}, "must lie in \\[-1, 0\\]"),
    ({"n_min": -1}, "N .* >= 0"),
    ({"mask": labeled(600)}, "U is empty"),
])
def test_bad_arguments_fail_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pseudo.gpla(NET, SYN, kwargs.get("mask", labeled(100)), kwargs.get("thresholds", [-0.5]),
                    seeds=[0], n_min=kwargs.get("n_min", 150))


def test_knn_fit_and_best_threshold():
    x = np.linspace(-1, 0, 9)
    y = np.array([0.5, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    np.testing.assert_allclose(pseudo.knn_fit(x, y, 1), y)
    assert pseudo.knn_fit(x, y, 9)[0] == pytest.approx(y.mean())
    assert pseudo.best_threshold(x, y, 3) == pytest.approx(-0.75)  # mean of 0.5, 0.9, 0.8


def test_labeled_masks_follow_the_al_order():
    cfg = ALConfig(acq_size=50, seeds=2, epochs=1)
    h = pseudo.al_trajectory(SYN, cfg, 150)
    masks = pseudo.labeled_masks(h, 100)
    assert masks.shape == (2, 600) and (masks.sum(1) == 100).all()
    assert masks[0, h.order[0, :100]].all()
    with pytest.raises(ValueError, match="never had exactly 120 labels"):
        pseudo.labeled_masks(h, 120)


def test_gpla_in_loop_grows_oracle_labels_by_the_acquisition_size():
    cfg = ALConfig(acq_size=40, seeds=2, epochs=1, initial_size=40)
    out = pseudo.gpla_in_loop(SYN, cfg, n_rounds=3, n_min=10)
    assert out.groupby("round").n_labeled.first().tolist() == [40, 80, 120]
    assert out.after_acc.notna().all()
    with pytest.raises(ValueError, match="initial_size"):
        pseudo.gpla_in_loop(SYN, ALConfig(acq_size=40), n_rounds=1)
