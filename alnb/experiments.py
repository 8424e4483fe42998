"""Named scales (smoke, quick, paper) that turn a notebook's experiments into configs.

A scale shrinks the paper honestly and says how: a larger acquisition size, a stop at a
labeled fraction, fewer seeds or a pool subset. Every figure names its scale.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from alnb import pseudo, results, runner, start
from alnb.data import SPECS
from alnb.loop import ALConfig, run_active_learning, schedule
from alnb.results import cached_run
from alnb.scoring import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Scale:
    name: str
    seeds: int
    acq_size: int  # stands in for the paper's 120
    stop_frac: float | None  # stop once this fraction of the pool is labeled; None: exhaust
    pool_size: int | None = None  # None: the full pool
    description: str = ""
    # Per-run stops, (kind, fraction or None), for kinds "fig1:margin" (figure:strategy) or
    # "fig8" (figure); a kind not listed stops at stop_frac.
    stops: tuple[tuple[str, float | None], ...] = ()

    def stop(self, figure: str, strategy: str = "") -> float | None:
        """Where the runs of `figure` (with `strategy`) stop at this scale."""
        stops = dict(self.stops)
        return stops.get(f"{figure}:{strategy}", stops.get(figure, self.stop_frac))

    def config(self, pool: int, **changes) -> ALConfig:
        """An ALConfig at this scale for a pool of `pool` examples; `changes` override, and an
        acquisition size given there keeps the stop fraction."""
        base = {"acq_size": self.acq_size, "seeds": self.seeds, "pool_size": self.pool_size}
        kw = {**base, **changes}
        stop = kw.pop("stop_frac", self.stop_frac)
        n = min(pool, kw["pool_size"] or pool)
        if stop is not None and "n_rounds" not in changes:
            start = kw.get("initial_size", 0)
            kw["n_rounds"] = min(math.ceil(max(stop * n - start, 0) / kw["acq_size"]) + 1,
                                 math.ceil((n - start) / kw["acq_size"]) + 1)
        elif "n_rounds" not in changes:
            kw["n_rounds"] = None
        return ALConfig(**kw)


SCALES = {
    "smoke": Scale("smoke", seeds=2, acq_size=100, stop_frac=0.2, pool_size=1500,
                   description="CI only: a 1500-image pool, a few rounds, 2 seeds, XLA at -O0"),
    "quick": Scale("quick", seeds=3, acq_size=1200, stop_frac=0.5,
                   description="full pools, acquisition 1200 (10x the paper's 120), stop at 50% "
                               "labeled, 3 seeds"),
    # The paper's settings, each run stopped where the last claim on it looks: Margin and
    # Random cumulative and incremental to exhaustion (Fig. 2, Fig. 9, the incremental
    # decline), Entropy to 50% (cumulative vs incremental), LC/LS and the random-start and
    # selection-network runs to 25% (early claims), capacity to 50%, acquisition size to 60%.
    "study": Scale("study", seeds=5, acq_size=120, stop_frac=0.5,
                   description="the paper's settings (acquisition 120, its networks, epochs and "
                               "thresholds), each run stopped where its claims stop looking, "
                               "5 seeds",
                   stops=(("fig1:margin", None), ("fig1:random", None), ("fig2", None),
                          ("fig8", 0.25), ("fig1c", 0.25), ("fig1d", 0.25), ("fig11", 0.6),
                          ("fig5a", 0.25))),
    "paper": Scale("paper", seeds=3, acq_size=120, stop_frac=None,
                   description="the paper: acquisition 120, pools to exhaustion, 3 seeds"),
}


def parse_datasets(text: str, allowed=("mnist", "fashion_mnist")) -> list[str]:
    """The notebook parameter `datasets` ("mnist,fashion_mnist") as a checked list."""
    names = [d.strip() for d in str(text).split(",") if d.strip()]
    if not names:
        raise ValueError(f"datasets is empty; give a comma-separated list of {', '.join(allowed)}.")
    unknown = [d for d in names if d not in allowed]
    if unknown:
        raise ValueError(f"datasets {unknown} not available in this notebook; choose from "
                         f"{', '.join(allowed)}.")
    return names


def scale(name: str, seeds: int = 0) -> Scale:
    """The named scale; `seeds` > 0 overrides its seed count. Bad names fail clearly."""
    if name not in SCALES:
        raise ValueError(f"Unknown scale {name!r}; choose one of {', '.join(SCALES)}.")
    if not isinstance(seeds, int) or seeds < 0:
        raise ValueError(f"seeds must be an integer >= 0 (0 keeps the scale's), got {seeds!r}.")
    sc = SCALES[name]
    return dataclasses.replace(sc, seeds=seeds) if seeds else sc


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


# CIFAR-10 with CNN1 below paper scale: CNN1 costs about 0.2 GFLOP per training example, and
# the paper's 50 epochs cumulative to exhaustion (about 1e17 FLOP) need a GPU. So a pool of
# the first 1000 training images, acquisition 100 (10 rounds to exhaustion) and 10 epochs.
# At study scale CNN1 keeps the paper's 50 epochs on a 2000-image pool, where it learns.
CIFAR_REDUCED = {"smoke": {"pool_size": 200, "acq_size": 50, "epochs": 2},
                 "quick": {"pool_size": 1000, "acq_size": 100, "epochs": 10},
                 "study": {"pool_size": 2000, "acq_size": 200, "epochs": 50}}


def informativeness_plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 02 (Sec. 4, Fig. 2): Margin and Random, cumulative, pools to exhaustion.
    MNIST and Fashion-MNIST with ANN1(100, 1 epoch); CIFAR-10 with CNN1, 50 epochs at paper
    scale and CIFAR_REDUCED below it."""
    plan = []
    for d in datasets:
        changes = {"stop_frac": None}
        if d == "cifar10":
            changes |= {"model": "cnn1", "epochs": 50}
            changes |= CIFAR_REDUCED.get(sc.name, {})
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


@dataclasses.dataclass(frozen=True)
class GPLASettings:
    """Notebook 05 (Sec. 7) at one scale. The paper does not give Sec. 7's acquisition size;
    `acq` divides every p, so the AL run passes through each p exactly."""

    acq: int
    ps: tuple[int, ...]  # labels from the oracle at which GPLA runs (Fig. 7, 15)
    p_search: int  # Fig. 6's p
    n_thresholds: int  # Fig. 6's thresholds, uniform in [-1, 0]; k-NN with k = 0.3 of them
    loop_rounds: int  # AL rounds with GPLA after each (beyond the paper)
    n_min: int = 150


PAPER_PS = (500, 1000, 2500, 5000, 10000, 20000, 50000)
GPLA_SETTINGS = {
    "smoke": GPLASettings(acq=100, ps=(200, 500, 1000), p_search=500, n_thresholds=6,
                          loop_rounds=3),
    "quick": GPLASettings(acq=500, ps=(500, 1000, 5000, 20000), p_search=1000, n_thresholds=10,
                          loop_rounds=5),
    "study": GPLASettings(acq=100, ps=PAPER_PS[:-1], p_search=1000, n_thresholds=100,
                          loop_rounds=20),
    "paper": GPLASettings(acq=100, ps=PAPER_PS, p_search=1000, n_thresholds=100,
                          loop_rounds=50),
}


def _al_config(sc: Scale, g: GPLASettings, strategy: str, **changes) -> ALConfig:
    return ALConfig(strategy=strategy, acq_size=g.acq, seeds=sc.seeds, pool_size=sc.pool_size,
                    **changes)


def gpla_search(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 6: GPLA at p = p_search after Margin, for every threshold of the grid and the
    HARDEST rule; one row per (seed, threshold)."""
    g = GPLA_SETTINGS[sc.name]
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
    g = GPLA_SETTINGS[sc.name]
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
    g = GPLA_SETTINGS[sc.name]
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


@dataclasses.dataclass(frozen=True)
class StartSettings:
    """Notebook 04 (Sec. 6, A.5, A.6) at one scale."""

    n_inits: int  # Fig. 4 top: untrained networks, each picking n_pick images
    n_pick: int
    dark_inits: int  # Fig. 4 bottom: untrained networks scoring n_dark noise images per alpha
    n_dark: int
    start_sizes: tuple[int, ...]  # Fig. 5a, 13: random start sizes for Entropy
    bound_starts: tuple[int, ...]  # Fig. 5b, 14: random start sizes used as L_t
    subset: int  # Fig. 12: subset size, drawn by Margin with acquisition subset_acq
    subset_acq: int
    subset_seeds: int
    bound_seeds: int = 0  # Fig. 14's seeds; 0: the scale's


START_SETTINGS = {
    "smoke": StartSettings(10, 100, 5, 100, (20, 200), (60, 150), 500, 100, 2),
    "quick": StartSettings(200, 1000, 100, 1000, (200, 2000), (600, 3000), 20000, 1000, 10),
    "study": StartSettings(200, 1000, 100, 1000, (200, 2000), (600, 3000), 20000, 125, 50, 10),
    "paper": StartSettings(200, 1000, 100, 1000, (200, 2000), (600, 3000), 20000, 125, 50, 50),
}
ALPHAS = tuple(np.round(np.linspace(0, 1, 11), 2))


def class_bias(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 4 (top): class counts of the first query of untrained ANN1(100) under M, E, R."""
    st = START_SETTINGS[sc.name]
    spec = {"n_inits": st.n_inits, "n_pick": st.n_pick}
    return results.cached(cache_dir, "first-query", spec, ds, lambda: start.first_query_counts(
        ds, ("margin", "entropy", "random"), st.n_inits, st.n_pick)).assign(dataset=ds.name)


def dark_bias(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 4 (bottom): informativeness of noise images against their black fraction alpha
    (the images are synthetic; `ds` only names the cache file)."""
    st = START_SETTINGS[sc.name]
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
            for s in (0, *START_SETTINGS[sc.name].start_sizes)]


def accuracy_bounds(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 5b and 14: lower and upper estimates of test accuracy from the random start, for
    each start size and 1 or 5 epochs, Margin after the start."""
    st, frames = START_SETTINGS[sc.name], []
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
    st = START_SETTINGS[sc.name]
    cfg = ALConfig(acq_size=st.subset_acq, n_rounds=st.subset // st.subset_acq + 1,
                   seeds=st.subset_seeds, pool_size=sc.pool_size)
    spec = {**dataclasses.asdict(cfg), "n": st.subset, "same_key_per_seed": True}
    return results.cached(cache_dir, "subsets", spec,
                          ds, lambda: start.subset_accuracy(
                              ds, run_active_learning(ds, cfg, progress=False), st.subset,
                              cfg.selection_net)).assign(dataset=ds.name)
