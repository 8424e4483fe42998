"""Each notebook's experiments at a scale (alnb.scales): its plan of configs, its computed
studies through the result cache, and a cost model of their runtime."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from alnb import pseudo, results, runner, start
from alnb.data import SPECS
from alnb.loop import ALConfig, run_active_learning, schedule
from alnb.results import cached_run
from alnb.scales import Scale
from alnb.scoring import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


# Seconds per seed on the 2-core machine (from `make bench`, seeds vmapped): one training
# example through ANN1(100), and one example's forward pass when scoring or testing; CNN1's
# from a timed CIFAR-10 run (76 ms per minibatch of 32; seeds run one after another).
TRAIN_S, FORWARD_S = 6.5e-6, 0.6e-6
CNN_TRAIN_S, CNN_FORWARD_S = 2.4e-3, 0.21e-3


def estimate_seconds(cfg: ALConfig, pool: int, test: int = 10000) -> float:
    """A rough runtime of one config on the 2-core CPU, to print before a run."""
    n = min(pool, cfg.pool_size or pool)
    n_labeled, _ = schedule(cfg, n)
    trained = np.diff(n_labeled, prepend=0) if cfg.mode == "incremental" else n_labeled
    train_s, forward_s = ((CNN_TRAIN_S, CNN_FORWARD_S) if cfg.model == "cnn1"
                          else (TRAIN_S, FORWARD_S))

    def net_cost(hidden, epochs):
        size = 1 if cfg.model == "cnn1" else hidden / 100
        return size * (epochs * trained.sum() * train_s + len(n_labeled) * n * forward_s)

    total = net_cost(cfg.hidden, cfg.epochs) + len(n_labeled) * test * forward_s
    if cfg.evaluation_net:
        total += net_cost(cfg.eval_hidden or cfg.hidden, cfg.eval_epochs or cfg.epochs)
    return cfg.seeds * total


def estimate_plan(plan, data: dict, sc: Scale) -> float:
    """The estimated seconds of every run of a plan, cached or not."""
    return sum(estimate_seconds(sc.config(len(data[d].x_train), **changes), len(data[d].x_train),
                                len(data[d].x_test)) for _, d, changes in plan)


def training_modes_plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 01 (Sec. 3, A.1-A.4): (figure, dataset, config changes) for every run.

    Fig. 1c/1d use the first dataset (MNIST in the paper); [a, a] and the 100-unit selection
    network are Fig. 1's own margin runs. At smaller scales ANN1(1000) runs on the first
    dataset only, since it costs ten times ANN1(100).
    """
    modes = ("incremental", "cumulative")
    plan = []
    for i, d in enumerate(datasets):
        for strategy, s in REGISTRY.items():
            fig = s.figure
            plan += [(fig, d, {"strategy": strategy, "mode": m,
                               "stop_frac": sc.stop(fig, strategy)}) for m in modes]
        for hidden in (10, 1000):
            if hidden == 1000 and i > 0 and sc.name != "paper":
                continue
            plan += [("fig10", d, {"hidden": hidden, "strategy": s, "mode": m})
                     for s in ("margin", "entropy") for m in modes]
            plan.append(("fig10", d, {"hidden": hidden, "strategy": "random",
                                      "mode": "cumulative"}))
        plan += [("fig11", d, {"acq_size": max(1, round(sc.acq_size * f)), "mode": m,
                               "stop_frac": sc.stop("fig11")})
                 for f in (0.25, 0.5, 2, 4) for m in modes]
    first = datasets[0]
    stop = {"stop_frac": sc.stop("fig1c")}
    plan += [("fig1c", first, {"epochs": a, "eval_hidden": 100, "eval_epochs": b, **stop})
             for a, b in ((1, 5), (5, 1))]
    plan.append(("fig1c", first, {"epochs": 5, **stop}))
    plan += [("fig1d", first, {"hidden": h, "eval_hidden": 100, "eval_epochs": 1, **stop})
             for h in (10, 1000)]
    return plan


def data_split_plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 03 (Sec. 5): margin, cumulative, the pool in d i.i.d. subsets, and the complete
    pool with the same acquisition size. Sizes scale as the scale's acquisition size does
    (120 -> sc.acq_size); below paper scale the runs stop at 90% labeled, after the last
    subset of d = 5 has joined (at 72%)."""
    stop = None if sc.stop_frac is None else 0.9
    plan = []
    for d in datasets:
        for splits, p, acq in ((2, 0.8, 120), (5, 0.9, 200)):
            size = max(1, round(acq * sc.acq_size / 120))
            common = {"acq_size": size, "stop_frac": stop}
            plan.append((f"d={splits}", d, {**common, "pool_splits": splits,
                                            "split_fraction": p}))
            plan.append((f"d={splits}", d, common))
    return plan


def informativeness_plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 02 (Sec. 4, Fig. 2): Margin and Random, cumulative, pools to exhaustion.
    MNIST and Fashion-MNIST with ANN1(100, 1 epoch); CIFAR-10 with CNN1, 50 epochs at paper
    scale and the scale's reduced setting (Scale.cifar) below it."""
    plan = []
    for d in datasets:
        changes = {"stop_frac": None}
        if d == "cifar10":
            changes |= {"model": "cnn1", "epochs": 50}
            changes |= sc.cifar.changes()
        plan += [("fig2", d, {**changes, "strategy": s}) for s in ("margin", "random")]
    return plan


def _run_job(ds, cfg: ALConfig, cache_dir, progress: bool) -> None:
    cached_run(runner.dataset(ds) if isinstance(ds, str) else ds, cfg, cache_dir, progress)


def run_plan(plan, data: dict, sc: Scale, cache_dir, progress: bool = True) -> pd.DataFrame:
    """Run every uncached config of a plan through the runner (in parallel where it can),
    then read them all from the cache; one tidy frame with `figure`."""
    configs = [(figure, data[name], sc.config(len(data[name].x_train), **changes))
               for figure, name, changes in plan]
    todo = {results.run_path(ds, cfg, cache_dir): (ds, cfg) for _, ds, cfg in configs}
    runner.run_all(functools.partial(_run_job, ds.name if ds.name in SPECS else ds, cfg,
                                     cache_dir, progress)
                   for path, (ds, cfg) in todo.items() if not path.exists())
    return pd.concat([cached_run(ds, cfg, cache_dir).assign(figure=figure)
                      for figure, ds, cfg in configs], ignore_index=True)


def _al_config(sc: Scale, g, strategy: str, **changes) -> ALConfig:
    return ALConfig(strategy=strategy, acq_size=g.acq, seeds=sc.seeds, pool_size=sc.pool_size,
                    **changes)


def gpla_search(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 6: GPLA at p = p_search after Margin, for every threshold of the grid and the
    HARDEST rule; one row per (seed, threshold)."""
    g = sc.gpla
    cfg = _al_config(sc, g, "margin")
    thresholds = [*np.linspace(-1, 0, g.n_thresholds), pseudo.HARDEST]

    def compute():
        masks = pseudo.labeled_masks(pseudo.al_trajectory(ds, cfg, g.p_search), g.p_search)
        res = pseudo.gpla(cfg.selection_net, ds, masks, thresholds, range(sc.seeds), g.n_min,
                          pool_size=cfg.pool_size)
        return res.summary.assign(rule=np.where(np.isnan(res.summary.requested), "hardest",
                                                "grid"))

    spec = {"cfg": dataclasses.asdict(cfg), "settings": dataclasses.asdict(g)}
    return results.cached(cache_dir, "gpla-search", spec, ds, compute).assign(dataset=ds.name)


def gpla_before_after(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 7 / 15: test accuracy before and after GPLA (HARDEST threshold) at every p, after
    Margin and after Random; one AL run per strategy and seed, snapshotted at each p."""
    g = sc.gpla
    ps = [p for p in g.ps if p < min(len(ds.x_train), sc.pool_size or len(ds.x_train))]

    def compute(cfg):
        h = pseudo.al_trajectory(ds, cfg, max(ps))
        return pd.concat([pseudo.gpla(cfg.selection_net, ds, pseudo.labeled_masks(h, p),
                                      [pseudo.HARDEST], h.seeds, g.n_min,
                                      pool_size=cfg.pool_size).summary
                          for p in ps], ignore_index=True)

    frames = []
    for strategy in ("margin", "random"):
        cfg = _al_config(sc, g, strategy)
        spec = {"cfg": dataclasses.asdict(cfg), "ps": ps, "n_min": g.n_min}
        frames.append(results.cached(cache_dir, f"gpla-{strategy}", spec, ds,
                                     functools.partial(compute, cfg))
                      .assign(strategy=strategy))
    return pd.concat(frames, ignore_index=True).assign(dataset=ds.name)


def gpla_loop(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Beyond the paper: Margin with GPLA after every round against plain Margin, both from
    a random start of one acquisition; one row per (seed, round) of each."""
    g = sc.gpla
    cfg = _al_config(sc, g, "margin", initial_size=g.acq, n_rounds=g.loop_rounds)

    def compute():
        return pseudo.gpla_in_loop(ds, cfg, g.loop_rounds, g.n_min)

    spec = {"cfg": dataclasses.asdict(cfg), "n_min": g.n_min}
    with_gpla = results.cached(cache_dir, "gpla-loop", spec, ds, compute)
    plain = cached_run(ds, cfg, cache_dir, progress=False)
    return pd.concat([
        with_gpla.assign(run="Margin + GPLA each round", test_acc=with_gpla.after_acc),
        plain.assign(run="Margin")], ignore_index=True)[
        ["run", "seed", "round", "n_labeled", "test_acc"]].assign(dataset=ds.name)


ALPHAS = tuple(np.round(np.linspace(0, 1, 11), 2))


def class_bias(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 4 (top): class counts of the first query of untrained ANN1(100) under M, E, R."""
    st = sc.start
    spec = {"n_inits": st.n_inits, "n_pick": st.n_pick}
    return results.cached(cache_dir, "first-query", spec, ds, lambda: start.first_query_counts(
        ds, ("margin", "entropy", "random"), st.n_inits, st.n_pick)).assign(dataset=ds.name)


def dark_bias(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 4 (bottom): informativeness of noise images against their black fraction alpha
    (the images are synthetic; `ds` only names the cache file)."""
    st = sc.start
    spec = {"alphas": ALPHAS, "n_inits": st.dark_inits, "n_images": st.n_dark}
    return results.cached(cache_dir, "dark-images", spec, ds,
                          lambda: start.dark_image_informativeness(ALPHAS, st.dark_inits,
                                                                   st.n_dark))


def random_start_plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Fig. 5a and 13: Entropy, cumulative, from scratch and from random starts (on
    Fashion-MNIST as the paper, else the first dataset)."""
    d = "fashion_mnist" if "fashion_mnist" in datasets else datasets[0]
    return [("fig5a", d, {"strategy": "entropy", "initial_size": s,
                          "stop_frac": sc.stop("fig5a")})
            for s in (0, *sc.start.start_sizes)]


def accuracy_bounds(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 5b and 14: lower and upper estimates of test accuracy from the random start, for
    each start size and 1 or 5 epochs, Margin after the start."""
    st, frames = sc.start, []
    for size in st.bound_starts:
        for epochs in (1, 5):
            cfg = sc.config(len(ds.x_train), strategy="margin", initial_size=size,
                            epochs=epochs, seeds=st.bound_seeds or sc.seeds,
                            stop_frac=sc.stop("fig14"))
            frames.append(results.cached(
                cache_dir, "bounds", dataclasses.asdict(cfg), ds,
                lambda cfg=cfg: start.accuracy_bounds(
                    ds, run_active_learning(ds, cfg, progress=False), cfg.selection_net))
                .assign(start_size=size, epochs=epochs))
    return pd.concat(frames, ignore_index=True).assign(dataset=ds.name)


def margin_subsets(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 12 (A.5): ANN1(100) trained on QS-sampled, resampled and random subsets."""
    st = sc.start
    cfg = ALConfig(acq_size=st.subset_acq, n_rounds=st.subset // st.subset_acq + 1,
                   seeds=st.subset_seeds, pool_size=sc.pool_size)
    spec = {**dataclasses.asdict(cfg), "n": st.subset, "same_key_per_seed": True}
    return results.cached(cache_dir, "subsets", spec,
                          ds, lambda: start.subset_accuracy(
                              ds, run_active_learning(ds, cfg, progress=False), st.subset,
                              cfg.selection_net)).assign(dataset=ds.name)
