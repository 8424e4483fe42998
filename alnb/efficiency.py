"""Label efficiency beyond the paper: how many labels a strategy needs to reach the test
accuracy Random has at a given share of the pool (the "speed-up factor" of recent active
learning benchmarks), per seed, with a 95% interval over seeds.

Each seed's curve is smoothed (a running mean over 5% of the rounds) and made non-decreasing
(isotonic regression) before the crossing is located, so the first noisy round above the
target does not decide it: a first crossing of the raw curve is a minimum over noisy rounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alnb import align
from alnb.stats import t_interval

FRACS = (0.05, 0.10, 0.25)


def smoothed(seed_curve: pd.DataFrame, window: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """One seed's (|L|, smoothed non-decreasing test accuracy), rounds in order."""
    s = seed_curve.sort_values("n_labeled")
    return s.n_labeled.to_numpy(float), align.rising(s.test_acc, window)


def labels_to_reach(run: pd.DataFrame, targets: pd.Series) -> pd.Series:
    """Per seed, the |L| at which the run's smoothed curve first reaches that seed's target
    accuracy, interpolated between rounds; NaN where it never does within the run."""
    out = {}
    for seed, target in targets.items():
        if not (run.seed == seed).any():
            raise ValueError(f"{align.describe(run)} has no seed {seed}; compare runs with "
                             "the same seeds.")
        n, fit = smoothed(run[run.seed == seed])
        hit = np.flatnonzero(fit >= target)
        if not hit.size:
            out[seed] = np.nan
        elif hit[0] == 0:
            out[seed] = n[0]
        else:
            i = hit[0]
            out[seed] = n[i - 1] + (target - fit[i - 1]) / (fit[i] - fit[i - 1]) * (n[i] - n[i - 1])
    return pd.Series(out, name="n_labeled").rename_axis("seed")


def speedup(run: pd.DataFrame, reference: pd.DataFrame, frac: float) -> dict:
    """The labels `reference` (Random) has at `frac` of the pool over the labels `run` needs
    to reach the accuracy the reference's smoothed curve has there, per seed (the seeds both
    have, paired); its geometric mean with a 95% t interval on the log scale, and how many
    seeds never reach it within the run."""
    pool = align.labels_at(reference, 1.0, "frac_labeled")
    targets = {}
    for seed, s in reference[reference.seed.isin(run.seed)].groupby("seed"):
        n, fit = smoothed(s)
        targets[seed] = float(np.interp(frac * pool, n, fit))
    need = labels_to_reach(run, pd.Series(targets))
    ratio = (frac * pool / need).rename("speedup")
    mean, low, high, n = t_interval(np.log(ratio.dropna()))
    return {"frac": frac, "speedup": np.exp(mean), "low": np.exp(low), "high": np.exp(high),
            "n": n, "never": int(ratio.isna().sum()), "per_seed": ratio}


def table(runs: dict[str, pd.DataFrame], reference: pd.DataFrame, fracs=FRACS) -> pd.DataFrame:
    """speedup() of every run in `runs` (name -> run) against `reference` at each fraction
    the reference reaches, one row each."""
    end = float(reference.frac_labeled.max())
    rows = [{"run": name, **{k: v for k, v in speedup(run, reference, f).items()
                            if k != "per_seed"}}
            for name, run in runs.items() for f in fracs if f <= end + 1e-9]
    return pd.DataFrame(rows)


def versus_random(frame: pd.DataFrame, fracs=FRACS) -> pd.DataFrame:
    """table() of every strategy against Random in the same data set and mode."""
    out = []
    for (d, mode), g in frame.groupby(["dataset", "mode"], sort=False):
        if (g.strategy == "random").any():
            runs = dict(list(g[g.strategy != "random"].groupby("strategy", sort=False)))
            out.append(table(runs, g[g.strategy == "random"], fracs).assign(dataset=d,
                                                                            mode=mode))
    return pd.concat(out, ignore_index=True)


def versus_mode(frame: pd.DataFrame, fracs=FRACS) -> pd.DataFrame:
    """table() of each strategy's cumulative run against its incremental one (the labels
    cumulative training needs for incremental's accuracy at each fraction), per data set;
    `mode` reads "cumulative vs incremental"."""
    out = []
    for (d, strategy), g in frame.groupby(["dataset", "strategy"], sort=False):
        modes = dict(list(g.groupby("mode")))
        if {"cumulative", "incremental"} <= set(modes):
            t = table({strategy: modes["cumulative"]}, modes["incremental"], fracs)
            out.append(t.assign(dataset=d, mode="cumulative vs incremental"))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()
