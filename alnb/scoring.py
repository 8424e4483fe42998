"""Informativeness measures of Sec. 2 and A.1, written for one probability vector p [C] and
vmapped over the pool; larger means more informative. Selection of the top-n batch B."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax


def margin(p_C):
    """I^M = -(p_c1 - p_c2), the gap between the two most probable classes (Sec. 2)."""
    # max and a masked max: 40x faster on XLA:CPU than lax.top_k(p_C, 2) once vmapped.
    first = jnp.argmax(p_C)
    second = jnp.max(jnp.where(jnp.arange(p_C.shape[0]) == first, -jnp.inf, p_C))
    return -(p_C[first] - second)


def entropy(p_C):
    """I^E = -sum_c p_c log p_c (Sec. 2), with 0 log 0 = 0."""
    return -jnp.sum(jax.scipy.special.xlogy(p_C, p_C))


def least_confident(p_C):
    """I^LC = -max_c p_c (A.1); GPLA's confidence measure (Sec. 7)."""
    return -jnp.max(p_C)


def least_squares(p_C):
    """I^LS = -sum_c (p_c - 1/C)^2 (A.1)."""
    return -jnp.sum(jnp.square(p_C - 1.0 / p_C.shape[0]))


class Strategy(NamedTuple):
    """A query strategy: its measure for one probability vector (None: Random, which draws
    I^R ~ unif(0, 1), or a strategy of `alnb.beyond`, which sees the network itself), its
    name in figures, and the figure it is drawn in (a key of FIGURES)."""

    measure: Callable | None
    label: str
    figure: str


# Where each figure of strategies is drawn: notebook 01 (the paper's) or 06 (beyond it).
FIGURES = {"fig1": "01", "fig8": "01", "beyond": "06"}

# The one registry of query strategies. The paper's come first: their order is the traced
# index the compiled round switches on. The others choose through `alnb.beyond`.
REGISTRY = {
    "random": Strategy(None, "R", "fig1"),
    "margin": Strategy(margin, "M", "fig1"),
    "entropy": Strategy(entropy, "E", "fig1"),
    "least_confident": Strategy(least_confident, "LC", "fig8"),
    "least_squares": Strategy(least_squares, "LS", "fig8"),
    "bald": Strategy(None, "BALD", "beyond"),
    "badge": Strategy(None, "BADGE", "beyond"),
    "coreset": Strategy(None, "Core-Set", "beyond"),
}
STRATEGIES = tuple(REGISTRY)
if unassigned := [n for n, s in REGISTRY.items() if s.figure not in FIGURES]:
    raise ValueError(f"strategies {unassigned} have no figure; give each one of {list(FIGURES)}")
PAPER_STRATEGIES = tuple(n for n, s in REGISTRY.items() if FIGURES[s.figure] == "01")
BEYOND_STRATEGIES = tuple(n for n in STRATEGIES if n not in PAPER_STRATEGIES)
MEASURES = {name: s.measure for name, s in REGISTRY.items() if s.measure is not None}


def informativeness(strategy: str, probs_NC, key):
    """I^A_i for every row of probs_NC; Random draws I^R ~ unif(0, 1) from `key` (Sec. 2)."""
    if strategy == "random":
        return jax.random.uniform(key, probs_NC.shape[:1])
    if strategy not in MEASURES:
        raise ValueError(f"No per-example measure for strategy {strategy!r}; choose one of "
                         f"random, {', '.join(MEASURES)}.")
    return jax.vmap(MEASURES[strategy])(probs_NC)


def batch_informativeness(values_B, valid_B):
    """I_B: the mean of an informativeness over the selected batch B (Sec. 4; I_B^M with the
    margin), over its valid picks; NaN for an empty batch."""
    w = valid_B.astype(jnp.float32)
    n = jnp.sum(w)
    return jnp.where(n > 0, jnp.sum(values_B * w) / jnp.maximum(n, 1.0), jnp.nan)


def select(scores_N, available_N, n: int, tie_order_N):
    """The batch B of Sec. 2: the n available examples with the highest score.

    Ties go to the example that comes first in `tie_order_N`, a permutation of the pool drawn
    once per seed (`jax.random.permutation(key, N)`), so they are deterministic per key and
    favour no index. Returns (indices [n], valid [n]); valid is False for the picks beyond
    the number of available examples.
    """
    masked = jnp.where(available_N, scores_N, -jnp.inf)[tie_order_N]
    top, pos = lax.top_k(masked, n)
    return tie_order_N[pos], jnp.isfinite(top)
