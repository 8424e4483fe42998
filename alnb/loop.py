"""The active-learning loop (Sec. 2-5): one compiled round, seeds as a vmap axis.

A round trains on L (cumulative, incremental or warm), evaluates, scores the pool and moves
the selected batch B from U to L. Python only orchestrates rounds; every array keeps its
shape, so the round compiles once per configuration.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from tqdm import tqdm  # the text bar: tqdm.auto warns in kernels without ipywidgets

from alnb import beyond
from alnb.config import MODES, ALConfig, schedule, split_sizes
from alnb.data import Dataset, load_dataset
from alnb.models import Net
from alnb.scoring import (
    BEYOND_STRATEGIES,
    PAPER_STRATEGIES,
    STRATEGIES,
    batch_informativeness,
    informativeness,
    margin,
    select,
)
from alnb.train import TrainState, accuracy, init_state, predict_proba, train_epochs


class SeedState(NamedTuple):
    """Per-seed loop state; every field gets a leading seed axis under vmap."""

    sel: TrainState
    ev: TrainState | None
    order: jax.Array  # int32 [N + acq]: pool indices in labeling order; L = order[:|L|]
    subset: jax.Array  # int32 [N]: which i.i.d. pool subset each example belongs to
    tie_order: jax.Array  # int32 [N]: a random permutation that breaks selection ties
    key: jax.Array


@dataclasses.dataclass(frozen=True)
class RoundSpec:
    """What the compiled round depends on statically. The paper's strategies and the modes
    are traced (an index into STRATEGIES and MODES), so all of them share one compiled
    program; a strategy of alnb.beyond is static (`beyond`) and compiles its own."""

    sel: Net
    ev: Net | None
    acq: int
    input_shape: tuple[int, ...]
    beyond: str | None = None  # a strategy of alnb.beyond (its own program), else None
    mc_passes: int = 0  # BALD's dropout passes


class Choice(NamedTuple):
    strategy: jax.Array  # int32 index into STRATEGIES
    mode: jax.Array  # int32 index into MODES

    @classmethod
    def of(cls, cfg: ALConfig) -> Choice:
        return cls(jnp.int32(STRATEGIES.index(cfg.strategy)), jnp.int32(MODES.index(cfg.mode)))


def _init_seed(spec: RoundSpec, key, pool_size, n_splits):
    k_perm, k_sel, k_ev, k_tie = jax.random.split(key, 4)
    perm = jax.random.permutation(k_perm, pool_size).astype(jnp.int32)
    # The first pool_size / d of the random order form U_1, and so on; the random start is
    # the head of the same order, so it lies in U_1 and every strategy gets the same one.
    by_position = np.repeat(np.arange(n_splits), split_sizes(pool_size, n_splits))
    subset = jnp.zeros(pool_size, jnp.int32).at[perm].set(jnp.asarray(by_position, jnp.int32))
    order = jnp.concatenate([perm, jnp.zeros(spec.acq, jnp.int32)])
    ev = init_state(spec.ev, k_ev, spec.input_shape) if spec.ev else None
    tie_order = jax.random.permutation(k_tie, pool_size).astype(jnp.int32)
    return SeedState(init_state(spec.sel, k_sel, spec.input_shape), ev, order, subset,
                     tie_order, key)


def _round_keys(s: SeedState, r):
    return jax.random.split(jax.random.fold_in(s.key, r), 3)  # selection net, eval net, scores


def _fit(net, state, key, spec, mode, pool, order, prev_count, count):
    """cumulative: fresh weights and optimizer, slots [0, |L|); incremental: keep both, the new
    batch only; warm: keep both, slots [0, |L|)."""
    k_init, k_train = jax.random.split(key)
    fresh = init_state(net, k_init, spec.input_shape)
    cumulative, incremental = mode == MODES.index("cumulative"), mode == MODES.index("incremental")
    state = jax.tree_util.tree_map(lambda f, o: jnp.where(cumulative, f, o), fresh, state)
    start = jnp.where(incremental, prev_count, 0)
    return train_epochs(net, state, k_train, pool["x"], pool["y"], order, start, count)


def train_phase(spec: RoundSpec, s: SeedState, choice, pool, r, prev_count, count):
    """Train the selection (and evaluation) network on L = order[:count], as the mode says.
    Also returns the selection network's Keras-style running accuracy of its last epoch."""
    k_sel, k_ev, _ = _round_keys(s, r)
    args = (spec, choice.mode, pool, s.order, prev_count, count)
    sel, running = _fit(spec.sel, s.sel, k_sel, *args)
    ev = _fit(spec.ev, s.ev, k_ev, *args)[0] if spec.ev else None
    return s._replace(sel=sel, ev=ev), running


def evaluate_phase(spec: RoundSpec, s: SeedState, pool):
    """Test accuracy of the evaluation network (the selection network if there is none)."""
    net, state = (spec.ev, s.ev) if spec.ev else (spec.sel, s.sel)
    return accuracy(predict_proba(net, state.params, pool["x_test"]), pool["y_test"])


def score_and_select(spec: RoundSpec, s: SeedState, choice, pool, r, count, n_stages):
    """Score the pool with the selection network, pick B from the available part of U and
    append it to L. One forward pass over the pool also gives the training accuracy on L."""
    n_pool = s.subset.shape[0]
    # Slots past |L| may repeat indices already in L; max() keeps those marked.
    labeled = jnp.zeros(n_pool, bool).at[s.order[:n_pool]].max(jnp.arange(n_pool) < count)
    available = ~labeled & (s.subset < n_stages)
    key = _round_keys(s, r)[2]
    if spec.beyond is None:
        probs = predict_proba(spec.sel, s.sel.params, pool["x"])
        measures = [functools.partial(informativeness, name) for name in PAPER_STRATEGIES]
        scores = jax.lax.switch(choice.strategy, measures, probs, key)
        idx, valid = select(scores, available, spec.acq, s.tie_order)
        own = scores[idx]
    else:
        seen = beyond.pool_pass(spec.sel, s.sel.params, pool["x"], key, spec.mc_passes)
        probs = seen.probs
        idx, valid, own = beyond.choose(spec.beyond, seen, s.order, count, available, spec.acq,
                                        key, s.tie_order)
    w = valid.astype(jnp.float32)
    metrics = {
        "train_acc": accuracy(probs, pool["y"], labeled),
        "batch_informativeness": batch_informativeness(own, valid),
        "batch_margin": batch_informativeness(jax.vmap(margin)(probs[idx]), valid),
        "batch_class_counts": jnp.sum(jax.nn.one_hot(pool["y"][idx], probs.shape[1]) * w[:, None],
                                      axis=0).astype(jnp.int32),
        "batch_indices": jnp.where(valid, idx, -1),
    }
    order = jax.lax.dynamic_update_slice(s.order, jnp.where(valid, idx, 0), (count,))
    return s._replace(order=order), metrics


class RoundResult(NamedTuple):
    """What a round records for one seed (a leading seed axis under vmap)."""

    test_acc: jax.Array  # the evaluation network on the test set
    train_acc_running: jax.Array  # Keras' training accuracy: last epoch, dropout on
    train_acc: jax.Array  # the selection network on L after training, inference mode
    batch_informativeness: jax.Array  # I_B under the strategy's own measure
    batch_margin: jax.Array  # I_B^M
    batch_class_counts: jax.Array  # int32 [C]
    batch_indices: jax.Array  # int32 [acq]; -1 where the batch was smaller


def _round(spec: RoundSpec, s: SeedState, choice, pool, r, prev_count, count, n_stages):
    """One round for one seed: train on L, evaluate, select B, move B into L."""
    s, running = train_phase(spec, s, choice, pool, r, prev_count, count)
    test_acc = evaluate_phase(spec, s, pool)
    s, metrics = score_and_select(spec, s, choice, pool, r, count, n_stages)
    return s, RoundResult(test_acc=test_acc, train_acc_running=running, **metrics)


@functools.partial(jax.jit, static_argnums=0, donate_argnums=1)
def _round_all_seeds(spec, states, choice, pool, r, prev_count, count, n_stages):
    def one(s):
        return _round(spec, s, choice, pool, r, prev_count, count, n_stages)

    # Vmapped per-seed kernels become grouped convolutions, which XLA:CPU runs about 6x
    # slower per seed than one seed at a time; so CNN1 loops over its seeds inside the program.
    return jax.lax.map(one, states) if spec.sel.model == "cnn1" else jax.vmap(one)(states)


@functools.partial(jax.jit, static_argnums=(0, 2, 3))
def init_seeds(spec, keys, pool_size, n_splits):
    return jax.vmap(_init_seed, in_axes=(None, 0, None, None))(spec, keys, pool_size, n_splits)


@dataclasses.dataclass
class History:
    """Per-round results of one config over its seeds: arrays [seed, round, ...]."""

    config: ALConfig
    seeds: list[int]
    pool_size: int
    n_labeled: np.ndarray  # [R]
    n_available: np.ndarray  # [R]
    test_acc: np.ndarray
    train_acc: np.ndarray  # the selection network on L after training, in inference mode
    train_acc_running: np.ndarray  # Keras' training accuracy: last epoch, dropout on
    batch_informativeness: np.ndarray
    batch_margin: np.ndarray
    batch_class_counts: np.ndarray  # [S, R, C]
    batch_indices: np.ndarray  # [S, R, acq]; -1 where the batch was smaller
    order: np.ndarray  # [S, N]: the final labeling order; L at round r is order[:n_labeled[r]]
    subset: np.ndarray  # [S, N]: the pool subset (0 .. d-1) each example arrives with

    def labeled_indices(self, seed_pos: int, round_: int) -> np.ndarray:
        """The pool indices in L when round `round_` trained (seed by position)."""
        return self.order[seed_pos, : self.n_labeled[round_]]

    def to_frame(self) -> pd.DataFrame:
        """One row per (seed, round); the config rides in `df.attrs["config"]`."""
        S, R = self.test_acc.shape
        frame = pd.DataFrame({
            "seed": np.repeat(self.seeds, R),
            "round": np.tile(np.arange(R), S),
            "n_labeled": np.tile(self.n_labeled, S),
            "frac_labeled": np.tile(self.n_labeled / self.pool_size, S),
            "n_available": np.tile(self.n_available, S),
            "test_acc": self.test_acc.ravel(),
            "train_acc": self.train_acc.ravel(),
            "train_acc_running": self.train_acc_running.ravel(),
            "batch_informativeness": self.batch_informativeness.ravel(),
            "batch_margin": self.batch_margin.ravel(),
        })
        counts = self.batch_class_counts.reshape(S * R, -1)
        for c in range(counts.shape[1]):
            frame[f"batch_class_{c}"] = counts[:, c]
        frame.attrs["config"] = self.config.identity()
        return frame


def pool_arrays(ds: Dataset, n: int | None = None) -> dict:
    """The first n training images (the pool) and the test set, on device."""
    return {"x": jnp.asarray(ds.x_train[:n]), "y": jnp.asarray(ds.y_train[:n]),
            "x_test": jnp.asarray(ds.x_test), "y_test": jnp.asarray(ds.y_test)}


def seed_keys(seeds) -> jax.Array:
    """One raw root key per seed, stacked for the seed vmap."""
    return jnp.stack([jax.random.key_data(jax.random.key(s)) for s in seeds])


def _checked(ds: Dataset | str, cfg: ALConfig) -> tuple[Dataset, int]:
    """The dataset (loaded if named) and the pool size, once both fit the config."""
    if isinstance(ds, str):
        ds = load_dataset(ds)
    if not isinstance(ds, Dataset):
        raise TypeError(f"run_active_learning takes a Dataset or a dataset name, got "
                        f"{type(ds).__name__}; use alnb.load_dataset(name).")
    if not isinstance(cfg, ALConfig):
        raise TypeError(f"run_active_learning takes an ALConfig, got {type(cfg).__name__}.")
    if cfg.dataset is not None and cfg.dataset != ds.name:
        raise ValueError(f"config is for dataset {cfg.dataset!r} but got {ds.name!r}.")
    if cfg.model == "cnn1" and ds.x_train.shape[1:] != (32, 32, 3):
        raise ValueError(f"CNN1 takes 32x32x3 images (CIFAR-10); {ds.name} has "
                         f"{ds.x_train.shape[1:]}. Use model='ann1'.")
    n = ds.x_train.shape[0] if cfg.pool_size is None else cfg.pool_size
    if n > ds.x_train.shape[0]:
        raise ValueError(f"pool_size {n} exceeds the {ds.x_train.shape[0]} training images.")
    if cfg.acq_size > n or cfg.initial_size > n:
        raise ValueError(f"acq_size ({cfg.acq_size}) and initial_size ({cfg.initial_size}) "
                         f"must not exceed the pool ({n} examples).")
    return ds, n


def run_active_learning(ds: Dataset | str, cfg: ALConfig, progress: bool = True) -> History:
    """Run `cfg` on `ds` (a Dataset, or a name for load_dataset) for seeds first_seed ..
    first_seed + seeds - 1, vmapped in lockstep.

    Seed s gives every strategy and mode the same random start, initial weights, minibatch
    order and pool split (common random numbers), so strategies compare as paired differences.
    """
    ds, n = _checked(ds, cfg)
    n_labeled, n_available = schedule(cfg, n)
    sel, ev = cfg.selection_net, cfg.evaluation_net
    sel, ev = (dataclasses.replace(net, n_classes=ds.n_classes) if net else None
               for net in (sel, ev))
    other = cfg.strategy if cfg.strategy in BEYOND_STRATEGIES else None
    spec = RoundSpec(sel, ev, cfg.acq_size, ds.x_train.shape[1:], other,
                     cfg.mc_passes if cfg.strategy == "bald" else 0)
    choice = Choice.of(cfg)
    pool = pool_arrays(ds, n)
    seeds = list(range(cfg.first_seed, cfg.first_seed + cfg.seeds))
    states = init_seeds(spec, seed_keys(seeds), n, cfg.pool_splits)
    stage_of = np.searchsorted(np.unique(n_available), n_available) + 1

    rows = []
    bar = tqdm(range(len(n_labeled)), desc=f"{cfg.strategy}/{cfg.mode}", disable=not progress)
    prev = 0
    for r in bar:
        states, m = _round_all_seeds(spec, states, choice, pool, r, prev, int(n_labeled[r]),
                                     int(stage_of[r]))
        prev = int(n_labeled[r])
        rows.append(m)
        if progress:
            bar.set_postfix(n_labeled=prev, test_acc=f"{float(jnp.mean(m.test_acc)):.3f}")
    out = {k: np.stack([np.asarray(getattr(m, k)) for m in rows], axis=1)
           for k in RoundResult._fields}
    return History(cfg, seeds, n, n_labeled, n_available, order=np.asarray(states.order)[:, :n],
                   subset=np.asarray(states.subset), **out)
