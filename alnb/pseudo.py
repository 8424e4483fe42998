"""GPLA, the Gradual Pseudo-Labeling Algorithm of Sec. 7 (Algorithm 1), and its threshold search.

1. Train C (fresh weights: cumulative) on L and its pseudo-labeled examples P.
2. I^LC_i = -max_c p_c for every i in U; S = {i in U : I^LC_i < xi}.
3. If |S| > N: pseudo-label S with argmax_c p_c, move it from U to P, and repeat from 1.
   Otherwise stop; C is the result.

Pseudo-labels are a label buffer and a mask over the pool, so every iteration and threshold
has the same shapes: (seed, threshold) lanes run as one vmapped program, compiled once. True
labels of U are used only to count pseudo-label errors, never by the algorithm.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from alnb.config import ALConfig
from alnb.data import Dataset
from alnb.loop import pool_arrays, run_active_learning, seed_keys
from alnb.models import Net
from alnb.scoring import margin, select
from alnb.train import accuracy, fit_fresh, predict_proba

# A threshold that means: the hardest grid value at which GPLA adds pseudo-labels (|S| > N).
HARDEST = float("nan")


class _Lane(NamedTuple):
    labels: jax.Array  # int32 [N]: true labels on L, pseudo-labels on P
    used: jax.Array  # bool [N]: L or P, the training set
    threshold: jax.Array  # float32
    done: jax.Array  # bool
    test_acc: jax.Array  # float32: of the last network trained before stopping
    margin: jax.Array  # float32 [N]: I^M of the pool under that network
    key: jax.Array


def train_on_l_and_p(net, lane: _Lane, pool, it):
    """Algorithm 1, step 1: a fresh network trained on L and P; its pool probabilities and
    test accuracy."""
    order = jnp.argsort(~lane.used, stable=True).astype(jnp.int32)  # L and P first
    state, _ = fit_fresh(net, jax.random.fold_in(lane.key, it), pool["x"], lane.labels, order, 0,
                         jnp.sum(lane.used))
    test_acc = accuracy(predict_proba(net, state.params, pool["x_test"]), pool["y_test"])
    return predict_proba(net, state.params, pool["x"]), test_acc


def hardest_threshold(grid, lc_N, used_N, n_min):
    """HARDEST: the smallest grid value whose S = {i in U : I^LC_i < xi} has more than N
    examples, i.e. above the (N+1)-th smallest I^LC in U."""
    cut = jnp.sort(jnp.where(used_N, jnp.inf, lc_N))[jnp.minimum(n_min, lc_N.shape[0] - 1)]
    return grid[jnp.minimum(jnp.searchsorted(grid, cut, side="right"), grid.shape[0] - 1)]


def _lane_step(net, grid, lane: _Lane, pool, n_min, it):
    """One iteration of Algorithm 1 for one (seed, threshold) lane: train, then move
    S = {i in U : I^LC_i < xi} into P with the predicted labels if |S| > N, else stop."""
    probs, test_acc = train_on_l_and_p(net, lane, pool, it)
    lc = -jnp.max(probs, axis=1)
    threshold = jnp.where((it == 0) & jnp.isnan(lane.threshold),
                          hardest_threshold(grid, lc, lane.used, n_min), lane.threshold)
    s = ~lane.used & (lc < threshold)
    size = jnp.sum(s)
    add = ~lane.done & (size > n_min)
    guess = jnp.argmax(probs, axis=1).astype(jnp.int32)
    live = ~lane.done
    new = lane._replace(
        labels=jnp.where(s & add, guess, lane.labels), used=lane.used | (s & add),
        threshold=threshold, done=lane.done | ~add,
        test_acc=jnp.where(live, test_acc, lane.test_acc),
        margin=jnp.where(live, jax.vmap(margin)(probs), lane.margin))
    metrics = {"size": jnp.where(live, size, 0), "added": jnp.where(add, size, 0),
               "errors": jnp.where(add, jnp.sum(s & (guess != pool["y"])), 0),
               "test_acc": jnp.where(live, test_acc, jnp.nan)}
    return new, metrics


@functools.partial(jax.jit, static_argnums=(0,), donate_argnums=(2,))
def _step_all(net, grid, lanes, pool, n_min, it):
    return jax.vmap(_lane_step, in_axes=(None, None, 0, None, None, None))(
        net, grid, lanes, pool, n_min, it)


@dataclasses.dataclass
class GPLAResult:
    """One GPLA run per lane (a seed and a threshold): per-iteration records and the end."""

    iterations: pd.DataFrame  # seed, threshold, iteration, size, added, errors, test_acc
    summary: pd.DataFrame  # one row per lane: before/after accuracy, pseudo-labels, errors
    margin: np.ndarray  # [lanes, N]: I^M of the pool under each lane's final network


def check_args(thresholds, n_min: int, labeled: np.ndarray) -> None:
    t = np.asarray(thresholds, float)
    bad = t[~np.isnan(t) & ((t < -1) | (t > 0))]
    if bad.size:
        raise ValueError(f"GPLA thresholds must lie in [-1, 0] (I^LC = -max p); got {bad[:3]}.")
    if not isinstance(n_min, (int, np.integer)) or n_min < 0:
        raise ValueError(f"GPLA's N (fewest examples in S to go on) must be an integer >= 0, "
                         f"got {n_min!r}.")
    if labeled.all(axis=-1).any():
        raise ValueError("GPLA needs unlabeled examples, but U is empty: every pool example "
                         "is labeled. Run it at a smaller labeled count p.")


def gpla(net: Net, ds: Dataset, labeled: np.ndarray, thresholds, seeds, n_min: int = 150,
         max_iter: int | None = None, grid_size: int = 100,
         pool_size: int | None = None) -> GPLAResult:
    """Algorithm 1 for every seed (a row of `labeled`, bool [S, N] or [N] over the pool) and
    every threshold (`thresholds`: [T], or [S, T]; HARDEST picks, per seed, the hardest value
    of linspace(-1, 0, grid_size) whose first S has more than N examples). Iteration 0 trains
    on L alone with the same key for all thresholds of a seed, so its accuracy is the
    'before'. The pool is the first `pool_size` training images (default: all of them), and
    each row of `labeled` must cover it exactly. Without `max_iter`, as in Algorithm 1, every
    lane runs until |S| <= N: each iteration that goes on moves more than N examples out of U,
    so that takes at most |U| // (N + 1) + 1 iterations."""
    seeds = list(seeds)
    labeled = np.asarray(labeled, bool).reshape(-1, np.shape(labeled)[-1])
    n_pool = pool_size or len(ds.x_train)
    if labeled.shape[1] != n_pool:
        raise ValueError(f"labeled has {labeled.shape[1]} columns but the pool has {n_pool} "
                         "examples; give one flag per pool example (pass pool_size for a "
                         "smaller pool).")
    if labeled.shape[0] not in (1, len(seeds)):
        raise ValueError(f"labeled has {labeled.shape[0]} rows for {len(seeds)} seeds; give one "
                         "row per seed, or one row for all.")
    labeled = np.broadcast_to(labeled, (len(seeds), labeled.shape[1]))
    thr = np.atleast_2d(np.asarray(thresholds, np.float32))
    thr = np.broadcast_to(thr, (len(seeds), thr.shape[1]))
    check_args(thr, n_min, labeled)
    S, T = thr.shape
    N = labeled.shape[1]
    net = dataclasses.replace(net, n_classes=ds.n_classes)
    pool = pool_arrays(ds, N)
    y = np.asarray(ds.y_train[:N], np.int32)
    lanes = _Lane(labels=jnp.asarray(np.repeat(np.where(labeled, y, 0), T, axis=0)),
                  used=jnp.asarray(np.repeat(labeled, T, axis=0)),
                  threshold=jnp.asarray(thr.reshape(-1)), done=jnp.zeros(S * T, bool),
                  test_acc=jnp.full(S * T, jnp.nan), margin=jnp.zeros((S * T, N)),
                  key=jnp.repeat(seed_keys(seeds), T, axis=0))
    grid = jnp.linspace(-1.0, 0.0, grid_size)
    records = []
    bound = int((~labeled).sum(1).max()) // (n_min + 1) + 1
    for it in range(bound if max_iter is None else min(max_iter, bound)):
        lanes, m = _step_all(net, grid, lanes, pool, n_min, it)
        records.append({k: np.asarray(v) for k, v in m.items()})
        if bool(jnp.all(lanes.done)):
            break
    return _result(lanes, records, labeled, thr, seeds, y)


def _result(lanes: _Lane, records: list[dict], labeled, thr, seeds, y) -> GPLAResult:
    """Per-iteration records and the per-lane summary of a finished GPLA run."""
    T = thr.shape[1]
    lane_cols = {"seed": np.repeat(seeds, T), "threshold": np.asarray(lanes.threshold)}
    iterations = pd.concat([pd.DataFrame({**lane_cols, "iteration": i, **r})
                            for i, r in enumerate(records)], ignore_index=True)
    used = np.asarray(lanes.used)
    pseudo = used & ~np.repeat(labeled, T, axis=0)
    wrong = pseudo & (np.asarray(lanes.labels) != y)
    summary = pd.DataFrame({
        **lane_cols, "requested": thr.reshape(-1), "n_labeled": np.repeat(labeled.sum(1), T),
        "before_acc": records[0]["test_acc"], "after_acc": np.asarray(lanes.test_acc),
        "first_size": records[0]["size"], "n_pseudo": pseudo.sum(1),
        "pseudo_error": np.where(pseudo.any(1), wrong.sum(1) / np.maximum(pseudo.sum(1), 1),
                                 np.nan),
        "all_added": records[0]["added"] == (~labeled).sum(1).repeat(T),
        "iterations": (~np.isnan(np.stack([r["test_acc"] for r in records]))).sum(0),
        "converged": np.asarray(lanes.done)})
    return GPLAResult(iterations, summary, np.asarray(lanes.margin))


def knn_fit(x, y, k: int, at=None) -> np.ndarray:
    """k-nearest-neighbour regression in a few lines of numpy: the mean y of the k points
    nearest each query (ties by order). The paper fits test accuracy against the threshold."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    at = x if at is None else np.asarray(at, float)
    k = min(k, len(x))
    nearest = np.argsort(np.abs(at[:, None] - x[None, :]), axis=1, kind="stable")[:, :k]
    return y[nearest].mean(axis=1)


def best_threshold(thresholds, acc, k: int) -> float:
    """The paper's search: the threshold of highest k-NN-predicted test accuracy."""
    thresholds = np.asarray(thresholds, float)
    return float(thresholds[np.argmax(knn_fit(thresholds, acc, k))])


def labeled_masks(history, p: int) -> np.ndarray:
    """bool [S, N]: the labeled set L of every seed of an AL run when |L| = p."""
    rounds = np.flatnonzero(history.n_labeled == p)
    if not rounds.size:
        raise ValueError(f"the AL run never had exactly {p} labels; its labeled counts are "
                         f"{history.n_labeled[:5].tolist()}...; choose p on that grid.")
    masks = np.zeros((len(history.seeds), history.pool_size), bool)
    for s in range(len(history.seeds)):
        masks[s, history.labeled_indices(s, rounds[0])] = True
    return masks


def al_trajectory(ds: Dataset, cfg: ALConfig, p_max: int):
    """One AL run per seed up to |L| = p_max, snapshotted later at every p on its grid."""
    rounds = (p_max - cfg.initial_size) // cfg.acq_size + 1
    return run_active_learning(ds, dataclasses.replace(cfg, n_rounds=rounds), progress=False)


def gpla_in_loop(ds: Dataset, cfg: ALConfig, n_rounds: int, n_min: int = 150) -> pd.DataFrame:
    """Beyond the paper: GPLA (hardest threshold) after every AL round. The GPLA network is the
    one that is tested and that picks the next batch by margin from the examples the oracle
    has not labeled. Starts from cfg's random start (initial_size > 0 is needed)."""
    if cfg.initial_size < 1:
        raise ValueError("gpla_in_loop starts from a random start; set initial_size >= 1.")
    start = al_trajectory(ds, cfg, cfg.initial_size)
    labeled = labeled_masks(start, cfg.initial_size)
    n = labeled.shape[1]
    tie = jax.vmap(lambda k: jax.random.permutation(k, n))(seed_keys(start.seeds))
    pick = jax.jit(jax.vmap(lambda s, avail, t: select(s, avail, cfg.acq_size, t)))
    rows = []
    for r in range(n_rounds):
        res = gpla(cfg.selection_net, ds, labeled, [HARDEST], start.seeds, n_min,
                   pool_size=cfg.pool_size)
        rows.append(res.summary.assign(round=r))
        idx, valid = pick(jnp.asarray(res.margin), jnp.asarray(~labeled), tie)
        for s, (i, v) in enumerate(zip(np.asarray(idx), np.asarray(valid), strict=True)):
            labeled[s, i[v]] = True
    return pd.concat(rows, ignore_index=True)
