"""BALD, BADGE and Core-Set against brute-force NumPy references on small pools."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import alnb
from alnb import beyond
from alnb.models import Net
from alnb.train import init_state, predict_proba

N, C, H = 300, 10, 16
NET = Net(hidden=H)


def pool(seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (N, C))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    hidden = np.maximum(rng.normal(0, 1, (N, H)), 0)
    available = rng.random(N) < 0.7
    return probs.astype(np.float32), hidden.astype(np.float32), available


def badge_reference(probs, hidden, available, n, u):
    """k-means++ on materialised gradient embeddings (p - onehot) (x) h, in float64."""
    r = probs - np.eye(C)[probs.argmax(1)]
    g = (r[:, :, None] * hidden[:, None, :]).reshape(N, -1).astype(np.float64)
    left, picks = available.copy(), []
    d2 = np.full(N, np.inf)
    for i in range(n):
        if i == 0:
            c = int(np.flatnonzero(left)[np.argmax((g[left] ** 2).sum(1))])
        else:
            w = np.where(left, d2, 0.0)
            c = int(np.searchsorted(np.cumsum(w), u[i] * w.sum(), side="right"))
        picks.append(c)
        left[c] = False
        d2 = np.minimum(d2, ((g - g[c]) ** 2).sum(1))
    return picks


def kcenter_reference(emb, labeled_idx, available, n):
    """k-center greedy with the full distance matrix, in float64."""
    e = emb.astype(np.float64)
    dist = ((e[:, None, :] - e[None, :, :]) ** 2).sum(-1)
    near = dist[:, labeled_idx].min(1) if len(labeled_idx) else np.full(N, np.inf)
    left, picks = available.copy(), []
    for _ in range(n):
        c = int(np.flatnonzero(left)[np.argmax(near[left])])
        picks.append(c)
        left[c] = False
        near = np.minimum(near, dist[:, c])
    return picks


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_badge_matches_its_reference(seed):
    probs, hidden, available = pool(seed)
    key = jax.random.key(seed)
    idx, valid = beyond.badge_select(jnp.asarray(probs), jnp.asarray(hidden),
                                     jnp.asarray(available), 25, key, jnp.arange(N))
    u = np.asarray(jax.random.uniform(key, (25,)))
    assert list(np.asarray(idx)) == badge_reference(probs, hidden, available, 25, u)
    assert bool(valid.all()) and available[np.asarray(idx)].all()


@pytest.mark.parametrize("n_labeled", [0, 7, 120])
def test_core_set_matches_its_reference(n_labeled):
    _, emb, available = pool(n_labeled)
    order = np.random.default_rng(1).permutation(N).astype(np.int32)
    labeled = order[:n_labeled]
    available[labeled] = False
    idx, valid = beyond.kcenter_select(jnp.asarray(emb), jnp.asarray(order), n_labeled,
                                       jnp.asarray(available), 20, jnp.arange(N), block=16)
    assert list(np.asarray(idx)) == kcenter_reference(emb, labeled, available, 20)
    assert bool(valid.all())


def test_picks_beyond_the_available_examples_are_invalid():
    probs, hidden, _ = map(jnp.asarray, pool())
    available = jnp.arange(N) < 5
    for idx, valid in (
            beyond.badge_select(probs, hidden, available, 8, jax.random.key(0), jnp.arange(N)),
            beyond.kcenter_select(hidden, jnp.arange(N), 0, available, 8, jnp.arange(N))):
        assert sorted(np.asarray(idx)[np.asarray(valid)]) == [0, 1, 2, 3, 4]


def test_bald_is_the_mutual_information():
    p = np.random.default_rng(0).dirichlet(np.ones(C), (20, 50)).astype(np.float32)

    def h(q):
        return -(q * np.log(q)).sum(-1)

    expected = h(p.mean(0)) - h(p).mean(0)
    np.testing.assert_allclose(beyond.bald_score(jnp.asarray(p)), expected, atol=1e-5)
    same = np.broadcast_to(p[:1], p.shape)  # passes that agree carry no information
    np.testing.assert_allclose(beyond.bald_score(jnp.asarray(same)), 0, atol=1e-5)


def test_pool_pass_gives_the_networks_own_outputs():
    ds = alnb.synthetic_dataset(n_train=N, n_test=10)
    params = init_state(NET, jax.random.key(0), ds.x_train.shape[1:]).params
    x = jnp.asarray(ds.x_train)
    out = beyond.pool_pass(NET, params, x, jax.random.key(1), 20, chunk=128)
    np.testing.assert_array_equal(out.probs, predict_proba(NET, params, x, chunk=128))
    assert out.hidden.shape == (N, H) and bool((out.hidden >= 0).all())
    assert bool((out.bald > -1e-6).all()) and float(out.bald.max()) > 0
    assert not beyond.pool_pass(NET, params, x, jax.random.key(1), 0).bald.any()
