"""Training over a fixed-capacity labeled set, with nothing re-traced as |L| grows.

The labeled set is a buffer `order` of pool indices in labeling order; slots [start, end) are
trained on. An epoch is one `fori_loop` with a traced trip count that gathers its minibatches
on device, so cumulative (slots [0, |L|)), incremental (the new batch B) and warm training
share one compiled program.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from jax import lax

from alnb.models import Net


class TrainState(NamedTuple):
    params: dict
    opt_state: optax.OptState


def init_state(net: Net, key, input_shape) -> TrainState:
    """Fresh weights (the paper's initialisers) and a fresh optimizer state."""
    params = net.module.init(key, jnp.zeros((1, *input_shape), jnp.float32))["params"]
    return TrainState(params, net.optimizer.init(params))


def _loss(net, params, x, y, weight, key):
    """Cross-entropy averaged over the real rows of the minibatch (weight 1), as Keras does
    for the last, partial minibatch of an epoch; the count of correct real rows rides along
    for the running training accuracy."""
    logits = net.module.apply({"params": params}, x, train=True, rngs={"dropout": key})
    ce = optax.softmax_cross_entropy_with_integer_labels(logits, y)
    hits = jnp.sum((jnp.argmax(logits, axis=-1) == y) * weight)
    return jnp.sum(ce * weight) / jnp.maximum(jnp.sum(weight), 1.0), hits


def shuffled_slots(key, n_slots: int, start, end):
    """The slots [start, end) in a random order, followed by the other slots.

    One single-key uint32 sort (5x faster than argsort on XLA:CPU): random high bits, the slot
    number in the low bits. Slots whose random bits collide keep their relative order, a
    negligible departure from a uniform shuffle (16 random bits for a 60000-example pool).
    """
    slot_bits = max(1, (n_slots - 1).bit_length())
    slots = jnp.arange(n_slots, dtype=jnp.uint32)
    top = (1 << (32 - slot_bits)) - 1  # reserved for out-of-range slots: they sort last
    high = jax.random.bits(key, (n_slots,), jnp.uint32) >> slot_bits
    high = jnp.where((slots >= start) & (slots < end), jnp.minimum(high, top - 1), top)
    return (jnp.sort((high << slot_bits) | slots) & ((1 << slot_bits) - 1)).astype(jnp.int32)


def train_epochs(net: Net, state: TrainState, key, x_pool, y_pool, order_N, start, end):
    """`net.epochs` epochs of minibatch training over pool rows order_N[start:end], shuffled
    every epoch. `start` and `end` may be traced.

    Returns (state, running_acc): running_acc is the accuracy Keras reports for the last
    epoch, over that epoch's minibatches as they were trained (dropout on, weights still
    moving); NaN when nothing was trained.
    """
    batch = net.batch_size
    n = end - start
    n_steps = (n + batch - 1) // batch

    def epoch(e, carry):
        k_perm, k_drop = jax.random.split(jax.random.fold_in(key, e))
        perm = shuffled_slots(k_perm, order_N.shape[0], start, end)
        perm = jnp.concatenate([perm, jnp.zeros(batch, perm.dtype)])  # no clamped last slice

        def step(i, carry):
            state, hits = carry
            pos = lax.dynamic_slice(perm, (i * batch,), (batch,))
            weight = (i * batch + jnp.arange(batch) < n).astype(jnp.float32)
            idx = order_N[pos]
            grads, h = jax.grad(_loss, argnums=1, has_aux=True)(
                net, state.params, x_pool[idx], y_pool[idx], weight,
                jax.random.fold_in(k_drop, i))
            updates, opt_state = net.optimizer.update(grads, state.opt_state, state.params)
            return TrainState(optax.apply_updates(state.params, updates), opt_state), hits + h

        return lax.fori_loop(0, n_steps, step, (carry[0], jnp.float32(0)))

    state, hits = lax.fori_loop(0, net.epochs, epoch, (state, jnp.float32(0)))
    return state, jnp.where(n > 0, hits / jnp.maximum(n, 1), jnp.nan)


def fit_fresh(net: Net, key, x_pool, y_pool, order_N, start, end):
    """Fresh weights and optimizer (the paper's initialisers), then train_epochs on pool rows
    order_N[start:end]: every retraining of Sec. 6 and 7. Returns (state, running_acc)."""
    k_init, k_train = jax.random.split(key)
    return train_epochs(net, init_state(net, k_init, x_pool.shape[1:]), k_train, x_pool, y_pool,
                        order_N, start, end)


def predict_proba(net: Net, params, x, chunk: int | None = None):
    """Softmax outputs in inference mode (dropout off), in chunks to bound memory.

    A fori_loop over slices of the unbatched pool: under the seed vmap, lax.map here made
    the pool forward 2.5x slower. A last, short chunk is clamped to overlap the one before,
    which rewrites the same rows with the same values.
    """
    n = x.shape[0]
    chunk = min(chunk or net.predict_chunk, n)

    def body(i, out):
        start = jnp.minimum(i * chunk, n - chunk)
        logits = net.module.apply({"params": params}, lax.dynamic_slice_in_dim(x, start, chunk))
        return lax.dynamic_update_slice_in_dim(out, jax.nn.softmax(logits), start, 0)

    return lax.fori_loop(0, -(-n // chunk), body, jnp.zeros((n, net.n_classes), jnp.float32))


def accuracy(probs_NC, y_N, mask_N=None):
    """Fraction of (masked) rows whose argmax is the label; NaN for an empty mask."""
    hit = (jnp.argmax(probs_NC, axis=-1) == y_N).astype(jnp.float32)
    if mask_N is None:
        return jnp.mean(hit)
    m = mask_N.astype(jnp.float32)
    return jnp.where(jnp.sum(m) > 0, jnp.sum(hit * m) / jnp.maximum(jnp.sum(m), 1.0), jnp.nan)
