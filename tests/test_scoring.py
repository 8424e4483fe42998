import jax
import jax.numpy as jnp
import numpy as np
import pytest

from alnb import scoring

C = 10


def random_probs(n, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(C, 0.3), size=n).astype(np.float32)
    p[0] = 1.0 / C  # uniform row
    p[1] = np.eye(C, dtype=np.float32)[3]  # one-hot row
    return p


def numpy_measures(p):
    s = np.sort(p, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    return {"margin": -(s[:, -1] - s[:, -2]), "entropy": -plogp.sum(1),
            "least_confident": -p.max(1), "least_squares": -((p - 1 / C) ** 2).sum(1)}


@pytest.mark.parametrize("name", list(scoring.MEASURES))
def test_measures_match_numpy(name):
    p = random_probs(500)
    got = np.asarray(scoring.informativeness(name, jnp.asarray(p), None))
    np.testing.assert_allclose(got, numpy_measures(p)[name], atol=1e-5)
    jitted = jax.jit(lambda q: scoring.informativeness(name, q, None))(jnp.asarray(p))
    np.testing.assert_allclose(np.asarray(jitted), got, atol=1e-6)


def test_invariants_uniform_and_one_hot():
    uniform, one_hot = jnp.full(C, 1.0 / C), jnp.eye(C)[2]
    assert float(scoring.entropy(uniform)) == pytest.approx(np.log(C), rel=1e-6)
    assert float(scoring.margin(uniform)) == pytest.approx(0.0, abs=1e-7)
    assert float(scoring.least_squares(uniform)) == pytest.approx(0.0, abs=1e-7)
    assert float(scoring.margin(one_hot)) == -1.0
    assert float(scoring.entropy(one_hot)) == 0.0
    assert float(scoring.least_confident(one_hot)) == -1.0


def test_random_is_uniform_and_keyed():
    p = jnp.full((2000, C), 0.1)
    a = scoring.informativeness("random", p, jax.random.key(0))
    b = scoring.informativeness("random", p, jax.random.key(0))
    c = scoring.informativeness("random", p, jax.random.key(1))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert 0 <= float(a.min()) and float(a.max()) < 1 and abs(float(a.mean()) - 0.5) < 0.03


def test_a_strategy_without_a_measure_is_refused():
    with pytest.raises(ValueError, match="No per-example measure for strategy 'badge'"):
        scoring.informativeness("badge", jnp.ones((2, C)) / C, None)


def test_every_strategy_is_assigned_to_a_figure():
    assert all(s.figure in scoring.FIGURES for s in scoring.REGISTRY.values())
    assert scoring.BEYOND_STRATEGIES == ("bald", "badge", "coreset")


def test_margin_picks_smallest_top2_gap():
    gaps = np.array([0.9, 0.05, 0.5, 0.01, 0.3, 0.02], np.float32)
    p = np.zeros((6, C), np.float32)
    p[:, 0] = 0.5 + gaps / 2
    p[:, 1] = 0.5 - gaps / 2
    scores = scoring.informativeness("margin", jnp.asarray(p), None)
    idx, valid = scoring.select(scores, jnp.ones(6, bool), 3, jnp.arange(6))
    assert sorted(np.asarray(idx).tolist()) == [1, 3, 5] and bool(valid.all())


def test_select_only_unlabeled_and_flags_short_batches():
    scores = jnp.arange(8.0)
    available = jnp.array([1, 0, 1, 0, 1, 0, 0, 0], bool)
    idx, valid = scoring.select(scores, available, 4, jnp.arange(8))
    assert np.asarray(idx)[np.asarray(valid)].tolist() == [4, 2, 0]
    assert np.asarray(valid).tolist() == [True, True, True, False]


def test_ties_break_by_the_tie_order():
    scores, available = jnp.zeros(50), jnp.ones(50, bool)
    order = jax.random.permutation(jax.random.key(3), 50)
    idx, _ = scoring.select(scores, available, 5, order)
    assert np.asarray(idx).tolist() == np.asarray(order[:5]).tolist()
    other, _ = scoring.select(scores, available, 5, jax.random.permutation(jax.random.key(4), 50))
    assert np.asarray(other).tolist() != np.asarray(idx).tolist()
