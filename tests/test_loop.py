import dataclasses

import jax
import numpy as np
import pandas as pd
import pytest

import alnb
from alnb import config, loop

SYN = alnb.synthetic_dataset(n_train=600, n_test=200, seed=0)
BASE = alnb.ALConfig(strategy="margin", acq_size=50, initial_size=20, n_rounds=None, hidden=32,
                     seeds=2)


def run(**changes):
    return alnb.run_active_learning(SYN, dataclasses.replace(BASE, **changes), progress=False)


@pytest.fixture(scope="module")
def margin_run():
    return run()


@pytest.fixture(scope="module", params=["margin", "bald", "badge", "coreset"])
def any_run(request, margin_run):
    return margin_run if request.param == "margin" else run(strategy=request.param,
                                                            mc_passes=5)


def test_labeled_and_unlabeled_partition_the_pool(any_run):
    h = any_run
    assert h.n_labeled.tolist() == [20 + 50 * k for k in range(12)] + [600]
    for s in range(2):
        assert sorted(h.order[s]) == list(range(600))  # every index labeled exactly once
        for r in range(len(h.n_labeled) - 1):
            labeled = set(h.labeled_indices(s, r))
            batch = h.batch_indices[s, r][h.batch_indices[s, r] >= 0]
            assert len(batch) == h.n_labeled[r + 1] - h.n_labeled[r]
            assert not labeled & set(batch.tolist()) and len(set(batch.tolist())) == len(batch)
            assert set(h.labeled_indices(s, r + 1)) == labeled | set(batch.tolist())
        assert (h.batch_indices[s, -1] == -1).all()  # nothing left to select
        assert np.isnan(h.batch_margin[s, -1])


def test_frame_has_one_row_per_seed_and_round(margin_run):
    df = margin_run.to_frame()
    assert len(df) == 2 * 13 and set(df.seed) == {0, 1}
    for col in ("n_labeled", "frac_labeled", "test_acc", "train_acc", "batch_informativeness",
                "batch_margin", "batch_class_9"):
        assert col in df
    assert df.frac_labeled.max() == 1.0 and df.attrs["config"]["strategy"] == "margin"
    counts = df[[f"batch_class_{c}" for c in range(10)]].sum(axis=1)
    assert counts.tolist() == (df.groupby("seed").n_labeled.diff(-1).fillna(0) * -1).tolist()
    assert df[df["round"] == 0].test_acc.min() > 0.05
    assert df.test_acc.iloc[-1] > 0.6  # chance is 0.1; the synthetic task is easy


@pytest.mark.parametrize("strategy", ["bald", "badge", "coreset"])
def test_strategies_beyond_the_paper_differ_and_repeat(strategy, margin_run):
    a, b = (run(strategy=strategy, mc_passes=5, n_rounds=4) for _ in range(2))
    assert np.array_equal(a.batch_indices, b.batch_indices)
    # Same random start and networks as Margin (common random numbers), other choices.
    assert np.array_equal(a.test_acc[:, 0], margin_run.test_acc[:, 0])
    assert not np.array_equal(a.batch_indices, margin_run.batch_indices[:, :4])


def test_same_config_same_numbers(margin_run):
    again = run()
    pd.testing.assert_frame_equal(margin_run.to_frame(), again.to_frame())
    assert np.array_equal(margin_run.order, again.order)


def test_vmapped_seeds_equal_seeds_run_one_by_one():
    both = run(n_rounds=4)
    for pos, seed in enumerate((0, 1)):
        one = run(n_rounds=4, seeds=1, first_seed=seed)
        np.testing.assert_array_equal(both.batch_indices[pos], one.batch_indices[0])
        np.testing.assert_allclose(both.test_acc[pos], one.test_acc[0], atol=1e-6)


def test_nothing_recompiles_after_the_first_round(monkeypatch):
    compiles, at_round = [], []
    jax.monitoring.register_event_duration_secs_listener(
        lambda name, *_, **__: compiles.append(name)
        if name == "/jax/core/compile/backend_compile_duration" else None)
    original = loop._round_all_seeds

    def counted(*args):
        at_round.append(len(compiles))
        return original(*args)

    monkeypatch.setattr(loop, "_round_all_seeds", counted)
    h = run(hidden=23, mode="incremental", n_rounds=8)  # a network compiled nowhere else
    assert len(h.n_labeled) == 8 and len(at_round) == 8
    assert len(compiles) == at_round[1], f"{len(compiles) - at_round[1]} compiles after round 1"
    before = len(compiles)
    run(hidden=23, mode="cumulative", strategy="entropy", n_rounds=3)
    assert len(compiles) == before, "another strategy or mode must reuse the compiled round"


@pytest.mark.parametrize("mode, depends", [("cumulative", False), ("incremental", True),
                                           ("warm", True)])
def test_which_modes_depend_on_last_rounds_weights(mode, depends):
    cfg = dataclasses.replace(BASE, mode=mode, seeds=1)
    spec, choice = loop.RoundSpec(cfg.selection_net, None, 50, (28, 28, 1)), loop.Choice.of(cfg)
    pool, keys = loop.pool_arrays(SYN), loop.seed_keys([0])
    states = loop.init_seeds(spec, keys, 600, 1)
    other = loop.init_seeds(spec, keys, 600, 1)  # a round donates (consumes) its state
    other = other._replace(sel=jax.tree_util.tree_map(lambda a: a + 0.05, other.sel))
    _, a = loop._round_all_seeds(spec, states, choice, pool, 3, 70, 120, 1)
    _, b = loop._round_all_seeds(spec, other, choice, pool, 3, 70, 120, 1)
    same = np.array_equal(a.batch_indices, b.batch_indices) and np.array_equal(
        a.test_acc, b.test_acc)
    assert same != depends


def test_strategies_share_the_random_start_and_first_network():
    m, e = run(n_rounds=2), run(n_rounds=2, strategy="entropy")
    assert np.array_equal(m.order[:, :20], e.order[:, :20])
    np.testing.assert_array_equal(m.test_acc[:, 0], e.test_acc[:, 0])
    assert not np.array_equal(m.batch_indices[:, 0], e.batch_indices[:, 0])


def test_evaluation_network_does_not_change_what_is_selected():
    plain, separate = run(n_rounds=3), run(n_rounds=3, eval_hidden=64, eval_epochs=2)
    np.testing.assert_array_equal(plain.batch_indices, separate.batch_indices)
    assert not np.array_equal(plain.test_acc, separate.test_acc)


def test_pool_schedule_follows_section_5():
    cfg = alnb.ALConfig(acq_size=200, n_rounds=None, pool_splits=5, split_fraction=0.9)
    n_labeled, n_available = config.schedule(cfg, 60000)
    joins = [int(n_labeled[np.argmax(n_available == a)]) for a in (24000, 36000, 48000, 60000)]
    assert joins == [10800, 21600, 32400, 43200]  # the paper's "trained using 43,200 objects"
    assert n_labeled[-1] == 60000 and (np.diff(n_labeled) <= 200).all()


def test_selection_waits_for_the_next_subset():
    h = run(pool_splits=2, split_fraction=0.5, n_rounds=None, seeds=1)
    subset = h.subset[0]
    assert np.bincount(subset).tolist() == [300, 300]
    for r in np.flatnonzero(h.n_available == 300):
        batch = h.batch_indices[0, r][h.batch_indices[0, r] >= 0]
        assert (subset[batch] == 0).all()
    assert h.n_labeled[np.argmax(h.n_available == 600)] >= 150


@pytest.mark.parametrize("pool_size, splits", [(500, 6), (599, 7), (600, 4)])
def test_subsets_that_do_not_divide_the_pool_label_each_example_once(pool_size, splits):
    # The schedule and the loop agree on the subsets' sizes, so no batch slot is left empty
    # and |L| is the count of distinct labeled examples, each from an arrived subset.
    h = run(pool_size=pool_size, pool_splits=splits, split_fraction=1.0, acq_size=40,
            initial_size=0, seeds=1)
    subset = h.subset[0]
    assert np.bincount(subset).tolist() == config.split_sizes(pool_size, splits).tolist()
    for r in range(len(h.n_labeled)):
        labeled = h.labeled_indices(0, r)
        assert len(np.unique(labeled)) == len(labeled) == h.n_labeled[r]
        assert (np.cumsum(np.bincount(subset, minlength=splits))[subset[labeled]]
                <= h.n_available[r]).all()
    assert h.n_labeled[-1] == pool_size


@pytest.mark.parametrize("changes, message", [
    ({"strategy": "qbc"}, "unknown strategy 'qbc'"),
    ({"mode": "online"}, "unknown mode"),
    ({"split_fraction": 0.0}, r"p must be a number in \(0, 1\]"),
    ({"split_fraction": 1.5}, r"p must be a number in \(0, 1\]"),
    ({"acq_size": 0}, "acq_size must be a positive integer"),
    ({"model": "resnet"}, "unknown model"),
])
def test_invalid_configs_fail_at_construction(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(BASE, **changes)


@pytest.mark.parametrize("changes, message", [
    ({"acq_size": 700}, "must not exceed the pool"),
    ({"n_rounds": 50}, "exceeds the 13 rounds"),
    ({"model": "cnn1"}, "CNN1 takes 32x32x3"),
    ({"dataset": "mnist"}, "config is for dataset 'mnist'"),
])
def test_impossible_runs_fail_before_training(changes, message):
    with pytest.raises(ValueError, match=message):
        run(**changes)


def test_short_real_mnist_run_learns(mnist):
    cfg = alnb.ALConfig(strategy="random", initial_size=2000, n_rounds=2, acq_size=120, seeds=2)
    h = alnb.run_active_learning(mnist, cfg, progress=False)
    assert h.test_acc[:, 0].min() > 0.8, h.test_acc  # 1 epoch over 2000 labels
