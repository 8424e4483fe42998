"""Run a section's plan of configs through the result cache and the runner, and the cost model
that estimates a config's runtime before it runs."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from alnb import results, runner
from alnb.config import ALConfig, schedule
from alnb.data import SPECS
from alnb.results import cached_run
from alnb.scales import Scale

ROOT = Path(__file__).resolve().parents[1]


# Seconds per seed on the 2-core machine, seeds vmapped: one training example through
# ANN1(100), and one example's forward pass when scoring or testing (`make bench` (b) gives
# 8.4e-6 and 0.7e-6 in its phase-by-phase harness); CNN1's per minibatch example, seeds one
# after another. Calibrated on the quick-scale notebook runtimes in results/runtimes.csv
# (01, 02 and 03 are AL runs only), which the earlier 6.5e-6 / 0.6e-6 / 2.4e-3 / 0.21e-3
# under-predicted by 12-25%: `make report` prints predicted beside measured.
TRAIN_S, FORWARD_S = 7.6e-6, 0.7e-6
CNN_TRAIN_S, CNN_FORWARD_S = 2.9e-3, 0.25e-3
# The strategies beyond the paper, over Margin's round, per seed on a 60k pool (`make bench`,
# |L| = 12,000, acquisition 120): BALD's dropout passes are flat; BADGE's k-means++ and
# Core-Set's greedy steps grow with the picks; Core-Set's distances to L grow with |L|.
BALD_ROUND_S = 1.28
PICK_S = {"badge": 0.18 / 120, "coreset": 0.18 / 120}
CORESET_S_PER_LABEL = 1.36 / 12000


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
    beyond = {"bald": BALD_ROUND_S, "badge": PICK_S["badge"] * cfg.acq_size,
              "coreset": PICK_S["coreset"] * cfg.acq_size}
    if cfg.strategy in beyond:
        total += n / 60000 * (len(n_labeled) * beyond[cfg.strategy] + (
            cfg.strategy == "coreset") * n_labeled.sum() * CORESET_S_PER_LABEL)
    if cfg.evaluation_net:
        total += net_cost(cfg.eval_hidden or cfg.hidden, cfg.eval_epochs or cfg.epochs)
    return cfg.seeds * total


class Planned(NamedTuple):
    cfg: ALConfig
    tier: int  # the campaign's: 1, 2 ANN1(1000), 3 CNN1; LATER and SEEDS are read once cached


LATER = 4  # runs the claims wait for (Fig. 10 to the end, ANN1(1000) on every data set)
SEEDS = 5  # 5 more seeds of tier-1 runs where they cost under the scale's later_s


def plan_configs(sc: Scale, pool: int, test: int = 10000, **changes) -> list[Planned]:
    """A plan entry's configs at scale `sc` on a pool of `pool`, with their tiers: the scale's
    seeds, and the scale's extra seeds as a second config where the cost model puts them
    under `sc.cheap_s` (under `sc.later_s`: in tier SEEDS); a run whose seed costs over
    `sc.chunk_s` as one config per seed. `changes` may set a tier ("tier": 4)."""
    tier = changes.pop("tier", 1)
    cfg = sc.config(pool, **changes)
    tier = max(tier, 3 if cfg.model == "cnn1" else 2 if cfg.hidden == 1000 else 1)
    per_seed = estimate_seconds(cfg, pool, test) / cfg.seeds  # the model is linear in seeds
    if sc.chunk_s and cfg.seeds > 1 and per_seed > sc.chunk_s:
        return [Planned(dataclasses.replace(cfg, first_seed=cfg.first_seed + k, seeds=1), tier)
                for k in range(cfg.seeds)]
    if not sc.extra_seeds:
        return [Planned(cfg, tier)]
    more = dataclasses.replace(cfg, first_seed=cfg.first_seed + cfg.seeds, seeds=sc.extra_seeds)
    more_s = estimate_seconds(more, pool, test)
    if more_s < sc.cheap_s:
        return [Planned(cfg, tier), Planned(more, tier)]
    # ANN1(1000)'s and CNN1's are left out: the model under-predicts ANN1(1000) 2.6-fold.
    return [Planned(cfg, tier)] + [Planned(more, SEEDS)] * bool(more_s < sc.later_s and tier == 1)


def estimate_plan(plan, sc: Scale, tier: int = LATER - 1) -> float:
    """The estimated seconds of every run of a plan up to `tier` (by default what a notebook
    computes), cached or not, on the full data sets."""
    return sum(estimate_seconds(p.cfg, SPECS[d].n_train, SPECS[d].n_test)
               for _, d, changes in plan
               for p in plan_configs(sc, SPECS[d].n_train, SPECS[d].n_test, **changes)
               if p.tier <= tier)


def run_config(ds, cfg: ALConfig, cache_dir, progress: bool = False) -> None:
    """Compute one config into the cache; `ds` may be a dataset name, so the job travels to a
    worker process as a name rather than as arrays."""
    cached_run(runner.dataset(ds) if isinstance(ds, str) else ds, cfg, cache_dir, progress)


def run_plan(plan, data: dict, sc: Scale, cache_dir, progress: bool = True) -> pd.DataFrame:
    """Run every uncached config of a plan through the runner (in parallel where it can),
    then read them all from the cache; one tidy frame with `figure`, where a run with extra
    seeds reads as one run of all its seeds. Tier 4 is read only once the campaign has
    cached it: its extra seeds one by one, its runs whole, and a run continued in tier 4
    (the same config with more rounds) then stands in for the shorter one. The cache folder
    travels to workers as an absolute path: theirs is not the notebook's working folder."""
    cache_dir = Path(cache_dir).resolve()
    runs, waiting = [], 0
    for figure, name, changes in plan:
        ds = data[name]
        planned = plan_configs(sc, len(ds.x_train), len(ds.x_test), **changes)
        ready = [p.cfg for p in planned
                 if p.tier < LATER or results.run_path(ds, p.cfg, cache_dir).exists()]
        waiting += len(planned) - len(ready)
        if planned[0].tier < LATER or len(ready) == len(planned):
            runs.append((figure, ds, ready))
    if waiting:
        print(f"{waiting} configs of the campaign's tiers 4-5 are not cached yet; the figures and "
              "claims use the runs before them (`TIER=5 make campaign` computes them).")
    runs = _longest(runs)
    todo = {results.run_path(ds, cfg, cache_dir): (ds, cfg) for _, ds, cfgs in runs
            for cfg in cfgs}
    runner.run_all(functools.partial(run_config, ds.name if ds.name in SPECS else ds, cfg,
                                     cache_dir, progress)
                   for path, (ds, cfg) in todo.items() if not path.exists())
    return pd.concat([_joined(ds, cfgs, cache_dir).assign(figure=figure)
                      for figure, ds, cfgs in runs], ignore_index=True)


def _longest(runs) -> list:
    """Of runs of one figure that differ only in their number of rounds, the longest."""
    out = {}
    for figure, ds, cfgs in runs:
        key = (figure, ds.name, dataclasses.replace(cfgs[0], n_rounds=None))
        rounds = len(schedule(cfgs[0], cfgs[0].pool_size or len(ds.x_train))[0])
        if key not in out or rounds > out[key][0]:
            out[key] = (rounds, (figure, ds, cfgs))
    return [run for _, run in out.values()]


def _joined(ds, cfgs: list[ALConfig], cache_dir) -> pd.DataFrame:
    """The cached frames of one run's configs as one run of all their seeds."""
    frame = pd.concat([cached_run(ds, cfg, cache_dir) for cfg in cfgs], ignore_index=True)
    return frame.assign(seeds=frame.seed.nunique(), first_seed=cfgs[0].first_seed)
