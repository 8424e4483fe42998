"""Sec. 6, A.5 and A.6: what untrained networks query, random starts, test-accuracy estimates
from the random start, and what margin sampling samples. Many networks at once: the
initialisations (or seeds) are a vmap axis."""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from alnb.data import Dataset
from alnb.loop import History, pool_arrays, seed_keys
from alnb.models import Net
from alnb.scoring import MEASURES, informativeness, select
from alnb.train import accuracy, fit_fresh, init_state, predict_proba


@functools.partial(jax.jit, static_argnums=(0, 3, 4))
def _first_query(net, keys, x, strategy, n_pick, y, tie):
    def one(key):
        k_init, k_score = jax.random.split(key)
        params = init_state(net, k_init, x.shape[1:]).params
        scores = informativeness(strategy, predict_proba(net, params, x), k_score)
        idx, _ = select(scores, jnp.ones(x.shape[0], bool), n_pick, tie)
        return jnp.bincount(y[idx], length=net.n_classes)

    return jax.lax.map(one, keys, batch_size=25)


def first_query_counts(ds: Dataset, strategies, n_inits: int = 200, n_pick: int = 1000,
                       net: Net | None = None) -> pd.DataFrame:
    """Fig. 4 (top): class counts of the first n_pick picks of an untrained ANN1(100) over the
    whole pool, for n_inits initialisations; one row per (strategy, init, class)."""
    net = net or Net("ann1", 100, 1, 32, ds.n_classes)
    x, y = jnp.asarray(ds.x_train), jnp.asarray(ds.y_train)
    tie = jax.random.permutation(jax.random.key(0), x.shape[0])
    frames = []
    for strategy in strategies:
        counts = np.asarray(_first_query(net, seed_keys(range(n_inits)), x, strategy, n_pick, y,
                                         tie))
        frames.append(pd.DataFrame({"strategy": strategy,
                                    "init": np.repeat(np.arange(n_inits), ds.n_classes),
                                    "class": np.tile(np.arange(ds.n_classes), n_inits),
                                    "count": counts.ravel()}))
    return pd.concat(frames, ignore_index=True)


def dark_images(alphas, n_images: int = 1000, key=None, shape=(28, 28, 1)) -> jax.Array:
    """[len(alphas), n_images, *shape]: uniform noise with a fraction alpha of the pixels,
    chosen at random, set to black (0)."""
    k_noise, k_black = jax.random.split(jax.random.key(0) if key is None else key)
    noise = jax.random.uniform(k_noise, (len(alphas), n_images, *shape))
    alpha = jnp.asarray(alphas, jnp.float32).reshape(-1, *(1,) * (1 + len(shape)))
    return jnp.where(jax.random.uniform(k_black, noise.shape) < alpha, 0.0, noise)


@functools.partial(jax.jit, static_argnums=(0,))
def _dark_scores(net, keys, images):
    def one(key):
        params = init_state(net, key, images.shape[2:]).params
        probs = jax.vmap(lambda x: predict_proba(net, params, x))(images)  # [A, n, C]
        return {name: jnp.mean(jax.vmap(jax.vmap(MEASURES[name]))(probs), axis=1)
                for name in ("margin", "entropy")}

    return jax.lax.map(one, keys)


def dark_image_informativeness(alphas, n_inits: int = 100, n_images: int = 1000,
                               net: Net | None = None) -> pd.DataFrame:
    """Fig. 4 (bottom): mean I^M and I^E of noise images with a fraction alpha black, under
    n_inits untrained networks; one row per (measure, init, alpha)."""
    net = net or Net("ann1", 100, 1, 32, 10)
    images = dark_images(alphas, n_images)
    out = _dark_scores(net, seed_keys(range(n_inits)), images)
    return pd.concat([pd.DataFrame({"measure": name, "init": np.repeat(np.arange(n_inits),
                                                                        len(alphas)),
                                    "alpha": np.tile(np.asarray(alphas, float), n_inits),
                                    "informativeness": np.asarray(v).ravel()})
                      for name, v in out.items()], ignore_index=True)


@functools.partial(jax.jit, static_argnums=(0,))
def _fit_and_test(net, key, pool, order, start, end, eval_mask):
    """Train fresh on pool rows order[start:end]; accuracy on the test set and on the pool
    rows in eval_mask."""
    state, _ = fit_fresh(net, key, pool["x"], pool["y"], order, start, end)
    probs = predict_proba(net, state.params, pool["x"])
    test = accuracy(predict_proba(net, state.params, pool["x_test"]), pool["y_test"])
    return test, accuracy(probs, pool["y"], eval_mask)


@functools.partial(jax.jit, static_argnums=(0,))
def _fit_all(net, keys, pool, orders, start, end, eval_masks):
    return jax.vmap(_fit_and_test, in_axes=(None, 0, None, 0, None, None, 0))(
        net, keys, pool, orders, start, end, eval_masks)


def accuracy_bounds(ds: Dataset, history: History, net: Net, every: int = 1) -> pd.DataFrame:
    """Sec. 6 / A.6: the random start L_t of an AL run as a held-out set. Per seed and round
    (every `every`-th round and the last; a round's numbers do not depend on `every`):
    lower estimate = train on L without L_t, test on L_t; upper = train on all of L (L_t
    included), test on L_t; and the upper network's real test accuracy."""
    cfg = history.config
    t = cfg.initial_size
    if t < 1:
        raise ValueError("accuracy_bounds needs a random start (initial_size >= 1) as L_t.")
    net = dataclasses.replace(net, n_classes=ds.n_classes)
    pool = pool_arrays(ds, history.pool_size)
    orders = jnp.asarray(history.order.astype(np.int32))
    masks = np.zeros(history.order.shape, bool)
    for s in range(len(history.seeds)):
        masks[s, history.order[s, :t]] = True
    masks = jnp.asarray(masks)
    if history.n_labeled.max() <= t:
        raise ValueError(f"the run never labeled beyond its random start of {t}; give it more "
                         "rounds.")
    keys = seed_keys(history.seeds)
    rows = []
    last = len(history.n_labeled) - 1
    for r, n in enumerate(history.n_labeled):
        if n <= t or (r % every and r != last):
            continue
        low_keys, up_keys = (jax.vmap(jax.random.fold_in, in_axes=(0, None))(keys, 2 * r + i)
                             for i in (0, 1))
        _, lower = _fit_all(net, low_keys, pool, orders, t, int(n), masks)
        test, upper = _fit_all(net, up_keys, pool, orders, 0, int(n), masks)
        rows.append(pd.DataFrame({"seed": history.seeds, "round": r, "n_labeled": int(n),
                                  "frac_labeled": n / history.pool_size,
                                  "lower": np.asarray(lower), "upper": np.asarray(upper),
                                  "test_acc": np.asarray(test)}))
    return pd.concat(rows, ignore_index=True)


def subset_accuracy(ds: Dataset, history: History, n_subset: int, net: Net) -> pd.DataFrame:
    """Fig. 12 / A.5: ANN1 trained on n_subset examples drawn three ways, per seed of a
    cumulative Margin run: 'QS sampled' (its L at n_subset), 'resampled' (random, with QS's
    class counts) and 'random'. One row per (seed, subset), with the class counts."""
    rounds = np.flatnonzero(history.n_labeled == n_subset)
    if not rounds.size:
        raise ValueError(f"the Margin run never had exactly {n_subset} labels.")
    net = dataclasses.replace(net, n_classes=ds.n_classes)
    y = ds.y_train[:history.pool_size]
    pool = pool_arrays(ds, history.pool_size)
    rows = []
    for s, seed in enumerate(history.seeds):
        k_resample, k_random = jax.random.split(jax.random.fold_in(jax.random.key(seed), 1))
        qs = history.labeled_indices(s, rounds[0])
        counts = np.bincount(y[qs], minlength=ds.n_classes)
        resampled = np.concatenate([
            np.asarray(jax.random.choice(jax.random.fold_in(k_resample, c),
                                         np.flatnonzero(y == c), (k,), replace=False))
            for c, k in enumerate(counts)])
        subsets = {"QS sampled": qs, "resampled": resampled,
                   "random": np.asarray(jax.random.choice(k_random, len(y), (n_subset,),
                                                          replace=False))}
        # One key for the three subsets of a seed (common random numbers): the same initial
        # weights and dropout, so their differences are the subsets' alone.
        for name, idx in subsets.items():
            order = np.zeros(history.pool_size, np.int32)
            order[:n_subset] = idx
            test, _ = _fit_and_test(net, jax.random.PRNGKey(seed), pool,
                                    jnp.asarray(order), 0, n_subset,
                                    jnp.zeros(history.pool_size, bool))
            rows.append({"seed": seed, "subset": name, "test_acc": float(test),
                         **{f"class_{c}": int(k) for c, k in
                            enumerate(np.bincount(y[idx], minlength=ds.n_classes))}})
    return pd.DataFrame(rows)
