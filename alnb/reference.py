"""The full-data reference, beyond the paper: the network trained once on the whole pool
with the run's epochs, per seed, so every learning curve shows how far it is from what all
the labels give."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import pandas as pd

from alnb import results
from alnb.data import Dataset
from alnb.loop import pool_arrays, seed_keys
from alnb.models import Net
from alnb.train import accuracy, fit_fresh, predict_proba


def full_data(ds: Dataset, net: Net, seeds, pool_size: int | None = None,
              cache_dir=None) -> pd.DataFrame:
    """Test accuracy of `net` trained from fresh weights on the first `pool_size` training
    images (all by default), one row per seed; cached in `cache_dir` when given."""
    net = dataclasses.replace(net, n_classes=ds.n_classes)
    seeds = list(seeds)

    def compute():
        pool = pool_arrays(ds, pool_size)
        n = pool["x"].shape[0]

        def one(key):
            state, _ = fit_fresh(net, key, pool["x"], pool["y"], jnp.arange(n, dtype=jnp.int32),
                                 0, n)
            return accuracy(predict_proba(net, state.params, pool["x_test"]), pool["y_test"])

        # CNN1's convolutions vmapped over seeds run grouped, about 6x slower per seed (see
        # alnb.loop), so its seeds run one after another in the one program.
        over_seeds = (lambda keys: jax.lax.map(one, keys)) if net.model == "cnn1" else \
            jax.vmap(one)
        acc = jax.jit(over_seeds)(seed_keys(seeds))
        return pd.DataFrame({"seed": seeds, "test_acc": jax.device_get(acc)})

    frame = (compute() if cache_dir is None else results.cached(
        cache_dir, "full-data", {"net": dataclasses.asdict(net), "seeds": seeds,
                                 "pool_size": pool_size}, ds, compute))
    return frame.assign(dataset=ds.name)


def per_dataset(names, net: Net, seeds, pool_size: int | None, cache_dir) -> pd.DataFrame:
    """full_data() on each named data set (loaded once per process), one frame."""
    from alnb import runner

    return pd.concat([full_data(runner.dataset(d), net, seeds, pool_size, cache_dir)
                      for d in names], ignore_index=True)


def bands(sc, datasets: list[str], cache_dir, hidden=(100,)) -> pd.DataFrame:
    """ANN1(h, 1 epoch) for each h in `hidden` on the whole pool at scale `sc` (its seeds and
    pool), per MNIST-like data set, and CNN1 with the scale's CIFAR-10 setting on its pool
    when `datasets` has CIFAR-10: the reference band of every learning curve."""
    names = [d for d in datasets if d != "cifar10"]
    frames = [per_dataset(names, Net(hidden=h), range(sc.seeds), sc.pool_size,
                          cache_dir).assign(model="ann1", hidden=h) for h in hidden if names]
    if "cifar10" in datasets:
        net = Net(model="cnn1", epochs=sc.cifar.epochs or 50)
        frames.append(per_dataset(["cifar10"], net, range(sc.seeds), sc.cifar.pool_size,
                                  cache_dir).assign(model="cnn1"))
    return pd.concat(frames, ignore_index=True)
