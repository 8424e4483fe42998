"""Query strategies beyond the paper, in the same fixed-shape engine: BALD, BADGE and Core-Set.

Each sees the pool through one chunked pass of ANN1's selection network (`pool_pass`): the
softmax outputs, the hidden layer's activations (the penultimate layer), and for BALD the mean
and the mean entropy of T Monte-Carlo dropout passes. Every array keeps the pool's shape; the
labeled and unavailable examples are masked out, so nothing is re-traced as |L| grows.
"""

from __future__ import annotations

from typing import NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
from jax import lax

from alnb.models import Net, glorot_uniform
from alnb.scoring import entropy, select


class PoolPass(NamedTuple):
    probs: jax.Array  # [N, C]: inference mode (dropout off)
    hidden: jax.Array  # [N, H]: the penultimate activations relu(x W1 + b1)
    bald: jax.Array  # [N]: BALD's mutual information over the MC passes; 0 without passes


def bald_score(p_TNC):
    """BALD (Houlsby et al. 2011, "Bayesian Active Learning for Classification and Preference
    Learning"; with MC dropout, Gal, Islam and Ghahramani 2017, "Deep Bayesian Active Learning
    with Image Data"): the mutual information between a prediction and the weights,
    H[mean_t p_t] - mean_t H[p_t], over T stochastic passes."""
    return jax.vmap(entropy)(jnp.mean(p_TNC, axis=0)) - jnp.mean(
        jax.vmap(jax.vmap(entropy))(p_TNC), axis=0)


def _layers(net: Net):
    return (nn.Dense(net.hidden, kernel_init=glorot_uniform),
            nn.Dense(net.n_classes, kernel_init=glorot_uniform))


def pool_pass(net: Net, params, x, key, mc_passes: int, chunk: int | None = None) -> PoolPass:
    """ANN1's softmax outputs and hidden activations for every pool row, and BALD's score from
    `mc_passes` dropout passes of the head (the only dropout in ANN1 follows the hidden
    layer, so the passes share one hidden layer). The layers are ANN1's own Dense modules
    applied to its parameters, so `probs` equals `predict_proba`'s."""
    first, second = _layers(net)
    n = x.shape[0]
    chunk = min(chunk or net.predict_chunk, n)

    def body(i, out):
        start = jnp.minimum(i * chunk, n - chunk)
        xs = lax.dynamic_slice_in_dim(x, start, chunk).reshape((chunk, -1))
        h = nn.relu(first.apply({"params": params["Dense_0"]}, xs))
        probs = jax.nn.softmax(second.apply({"params": params["Dense_1"]}, h))
        bald = jnp.zeros(chunk)
        if mc_passes:
            keep = jax.random.bernoulli(jax.random.fold_in(key, i), 0.8,
                                        (mc_passes, *h.shape))
            logits = second.apply({"params": params["Dense_1"]}, jnp.where(keep, h / 0.8, 0))
            bald = bald_score(jax.nn.softmax(logits))
        return PoolPass(*(lax.dynamic_update_slice_in_dim(o, v, start, 0)
                          for o, v in zip(out, (probs, h, bald), strict=True)))

    empty = PoolPass(jnp.zeros((n, net.n_classes)), jnp.zeros((n, net.hidden)), jnp.zeros(n))
    return lax.fori_loop(0, -(-n // chunk), body, empty)


def _first_by(scores_N, available_N, tie_order_N):
    """The available example of highest score, ties to the first in tie_order_N."""
    masked = jnp.where(available_N, scores_N, -jnp.inf)[tie_order_N]
    return tie_order_N[jnp.argmax(masked)]


def badge_select(probs_NC, hidden_NH, available_N, n: int, key, tie_order_N):
    """BADGE (Ash et al. 2020, "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower
    Bounds"): k-means++ seeding on the gradient embeddings g = (p - onehot(argmax p)) (x) h of
    the last layer's weights at the predicted label. The first center is the embedding of
    largest norm; each next one is drawn with probability proportional to its squared distance
    to the nearest center (inverse CDF of n uniforms from `key`). g is never materialised:
    <g_a, g_b> = <r_a, r_b> <h_a, h_b>. Returns (indices [n], valid [n])."""
    r = probs_NC - jax.nn.one_hot(jnp.argmax(probs_NC, -1), probs_NC.shape[1])
    norms = jnp.sum(r * r, 1) * jnp.sum(hidden_NH * hidden_NH, 1)

    def dist2(c):
        return jnp.maximum(norms + norms[c] - 2 * (r @ r[c]) * (hidden_NH @ hidden_NH[c]), 0)

    u = jax.random.uniform(key, (n,))

    def step(i, carry):
        left, d2, idx = carry
        w = jnp.where(left, d2, 0.0)
        cdf = jnp.cumsum(w)
        drawn = jnp.minimum(jnp.searchsorted(cdf, u[i] * cdf[-1], side="right"), len(w) - 1)
        fallback = _first_by(norms, left, tie_order_N)  # first pick, or all remaining at d 0
        c = jnp.where((i > 0) & (cdf[-1] > 0), drawn, fallback)
        return left.at[c].set(False), jnp.minimum(d2, dist2(c)), idx.at[i].set(c)

    d2 = jnp.full(norms.shape, jnp.inf)
    _, _, idx = lax.fori_loop(0, n, step, (available_N, d2, jnp.zeros(n, jnp.int32)))
    return idx, jnp.arange(n) < jnp.sum(available_N)


def kcenter_select(emb_NH, order, count, available_N, n: int, tie_order_N, block: int = 2048):
    """Core-Set (Sener and Savarese 2018, "Active Learning for Convolutional Neural Networks: A
    Core-Set Approach"), k-center greedy: n times, pick the available example farthest from
    its nearest center (L = order[:count] and the picks so far; squared Euclidean distance of
    the penultimate activations). With L empty, the first pick is the first available example
    in tie_order_N. Returns (indices [n], valid [n])."""
    sq = jnp.sum(emb_NH * emb_NH, 1)

    def dist2(c):
        return jnp.maximum(sq + sq[c] - 2 * emb_NH @ emb_NH[c], 0)

    def step(i, carry):
        left, d2, idx = carry
        c = _first_by(d2, left, tie_order_N)
        return left.at[c].set(False), jnp.minimum(d2, dist2(c)), idx.at[i].set(c)

    near = _nearest_labeled(emb_NH, sq, order, count, block)
    _, _, idx = lax.fori_loop(0, n, step, (available_N, near, jnp.zeros(n, jnp.int32)))
    return idx, jnp.arange(n) < jnp.sum(available_N)


def _nearest_labeled(emb_NH, sq_N, order, count, block: int):
    """Each example's squared distance to its nearest labeled example (inf for an empty L):
    L = order[:count] in blocks of `block`, so the work grows with |L| and the distance
    matrix never exceeds N x block."""
    order = jnp.concatenate([order, jnp.zeros(block, order.dtype)])

    def body(i, near):
        slots = i * block + jnp.arange(block)
        cand = order[slots]
        d2 = sq_N[:, None] + sq_N[cand][None, :] - 2 * emb_NH @ emb_NH[cand].T
        return jnp.minimum(near, jnp.min(jnp.where(slots[None, :] < count, d2, jnp.inf), 1))

    near = lax.fori_loop(0, (count + block - 1) // block, body, jnp.full(sq_N.shape, jnp.inf))
    return jnp.maximum(near, 0)


def choose(strategy: str, seen: PoolPass, order, count, available_N, n: int, key, tie_order_N):
    """The batch of `strategy` ("bald", "badge" or "coreset") from one pool pass: (indices [n],
    valid [n], each pick's own score, NaN where the strategy has none per example)."""
    if strategy == "bald":
        idx, valid = select(seen.bald, available_N, n, tie_order_N)
        return idx, valid, seen.bald[idx]
    if strategy == "badge":
        idx, valid = badge_select(seen.probs, seen.hidden, available_N, n, key, tie_order_N)
    elif strategy == "coreset":
        idx, valid = kcenter_select(seen.hidden, order, count, available_N, n, tie_order_N)
    else:
        raise ValueError(f"{strategy!r} is not a strategy of alnb.beyond (bald, badge, coreset)")
    return idx, valid, jnp.full(n, jnp.nan)
