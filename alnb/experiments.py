"""Named scales (smoke, quick, paper) that turn a notebook's experiments into configs.

A scale shrinks the paper honestly and says how: a larger acquisition size, a stop at a
labeled fraction, fewer seeds or a pool subset. Every figure names its scale.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd

from alnb.loop import ALConfig, schedule
from alnb.results import cached_run
from alnb.scoring import STRATEGIES

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Scale:
    name: str
    seeds: int
    acq_size: int  # stands in for the paper's 120
    stop_frac: float | None  # stop once this fraction of the pool is labeled; None: exhaust
    pool_size: int | None = None  # None: the full pool
    description: str = ""

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
# example through ANN1(100), and one example's forward pass when scoring or testing.
TRAIN_S, FORWARD_S = 6.5e-6, 0.6e-6


def estimate_seconds(cfg: ALConfig, pool: int, test: int = 10000) -> float:
    """A rough runtime of one config on the 2-core CPU (ANN1 only), to print before a run."""
    n = min(pool, cfg.pool_size or pool)
    n_labeled, _ = schedule(cfg, n)
    trained = np.diff(n_labeled, prepend=0) if cfg.mode == "incremental" else n_labeled

    def net_cost(hidden, epochs):
        return hidden / 100 * (epochs * trained.sum() * TRAIN_S + len(n_labeled) * n * FORWARD_S)

    total = net_cost(cfg.hidden, cfg.epochs) + len(n_labeled) * test * FORWARD_S
    if cfg.evaluation_net:
        total += net_cost(cfg.eval_hidden or cfg.hidden, cfg.eval_epochs or cfg.epochs)
    return cfg.seeds * total


def training_modes_plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 01 (Sec. 3, A.1-A.4): (figure, dataset, config changes) for every run.

    Fig. 1c/1d use the first dataset (MNIST in the paper); [a, a] and the 100-unit selection
    network are Fig. 1's own margin runs. At smaller scales ANN1(1000) runs on the first
    dataset only, since it costs ten times ANN1(100).
    """
    modes = ("incremental", "cumulative")
    plan = []
    for i, d in enumerate(datasets):
        for strategy in STRATEGIES:
            fig = "fig1" if strategy in ("random", "margin", "entropy") else "fig8"
            plan += [(fig, d, {"strategy": strategy, "mode": m}) for m in modes]
        for hidden in (10, 1000):
            if hidden == 1000 and i > 0 and sc.name != "paper":
                continue
            plan += [("fig10", d, {"hidden": hidden, "strategy": s, "mode": m})
                     for s in ("margin", "entropy") for m in modes]
            plan.append(("fig10", d, {"hidden": hidden, "strategy": "random",
                                      "mode": "cumulative"}))
        plan += [("fig11", d, {"acq_size": max(1, round(sc.acq_size * f)), "mode": m})
                 for f in (0.25, 0.5, 2, 4) for m in modes]
    first = datasets[0]
    plan += [("fig1c", first, {"epochs": a, "eval_hidden": 100, "eval_epochs": b})
             for a, b in ((1, 5), (5, 1))]
    plan.append(("fig1c", first, {"epochs": 5}))
    plan += [("fig1d", first, {"hidden": h, "eval_hidden": 100, "eval_epochs": 1})
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


def run_plan(plan, data: dict, sc: Scale, cache_dir, progress: bool = True) -> pd.DataFrame:
    """Run (or read from the cache) every config of a plan; one tidy frame with `figure`."""
    frames = []
    for figure, name, changes in plan:
        cfg = sc.config(len(data[name].x_train), **changes)
        frames.append(cached_run(data[name], cfg, cache_dir, progress).assign(figure=figure))
    return pd.concat(frames, ignore_index=True)
