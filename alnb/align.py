"""Runs compared at the same |L|: each seed's curve read at exactly |L| (or a fraction of the
run's own pool) by interpolation, and the paired per-seed differences between two runs. Every
misuse (a value outside a run's grid, runs with no seed in common) is a ValueError naming the
run."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

from alnb.stats import t_interval


def describe(frame: pd.DataFrame) -> str:
    """A short name of a run for error messages: its dataset, strategy, mode and figure."""
    parts = [str(frame[c].iloc[0]) for c in ("dataset", "figure", "strategy", "mode", "hidden")
             if c in frame and len(frame)]
    return " ".join(parts) or "run"


def labels_at(frame: pd.DataFrame, value: float, at: str = "n_labeled") -> float:
    """|L| for `value`: itself for at="n_labeled"; for at="frac_labeled", the fraction of this
    run's own pool (n_labeled / frac_labeled)."""
    if at == "n_labeled":
        return float(value)
    if at != "frac_labeled":
        raise ValueError(f"at must be 'n_labeled' or 'frac_labeled', got {at!r}.")
    rows = frame[frame.frac_labeled > 0]
    return float(value * (rows.n_labeled / rows.frac_labeled).iloc[0])


def per_seed_at(frame: pd.DataFrame, value: float, at: str = "n_labeled",
                column: str = "test_acc") -> pd.Series:
    """Each seed's `column` at exactly |L| = value (or the fraction `value` of the run's pool),
    by linear interpolation between the seed's two neighbouring rounds; at a grid point this
    is the round's own value. Raises ValueError, naming the run and its grid, when `value` lies
    outside a seed's grid."""
    n = labels_at(frame, value, at)
    out = {}
    if column not in frame or frame[column].isna().all():
        raise ValueError(f"{describe(frame)} has no values of {column}; rerun it with this "
                         "version of alnb.")
    y = frame[column].to_numpy(float)
    keep = ~np.isnan(y)
    seeds, x, y = frame.seed.to_numpy()[keep], frame.n_labeled.to_numpy(float)[keep], y[keep]
    order = np.lexsort((x, seeds))  # by seed, then |L|; numpy, as the claims call it often
    seeds, x, y = seeds[order], x[order], y[order]
    cuts = np.flatnonzero(seeds[1:] != seeds[:-1]) + 1
    for seed, xs, ys in zip(seeds[np.r_[0, cuts]] if len(seeds) else [], np.split(x, cuts),
                            np.split(y, cuts), strict=True):
        if not xs[0] - 1e-9 <= n <= xs[-1] + 1e-9:
            raise ValueError(f"{describe(frame)}: |L| = {n:g} lies outside seed {seed}'s grid "
                             f"[{xs[0]:g}, {xs[-1]:g}] of {column}; compare inside the grid.")
        out[seed] = float(np.interp(n, xs, ys))
    return pd.Series(out, name=column, dtype=float).rename_axis("seed")


def covers(frame: pd.DataFrame, value: float, at: str = "n_labeled",
           column: str = "test_acc") -> bool:
    """Whether every seed's grid of `column` reaches |L| = value."""
    try:
        per_seed_at(frame, value, at, column)
    except ValueError:
        return False
    return True


def paired(a: pd.Series, b: pd.Series, what: str = "a and b") -> pd.Series:
    """a - b over the seeds both have; ValueError when they share none."""
    shared = a.index.intersection(b.index)
    if not len(shared):
        raise ValueError(f"{what} share no seed (seeds {sorted(a.index)} and "
                         f"{sorted(b.index)}); run them with the same seeds.")
    return (a[shared] - b[shared]).rename_axis("seed")


def compare(a: pd.DataFrame, b: pd.DataFrame, column: str = "test_acc", at: str = "n_labeled",
            value: float | None = None, level: float = 0.95) -> dict:
    """The paired difference a - b over the seeds both runs share, at the same |L| in both.

    Each seed's curve is interpolated linearly at |L| = value (at="frac_labeled": the fraction
    `value` of each run's own pool), so runs on different grids compare at equal |L|; on a
    shared grid point this is the rounds' own values. Returns mean, low, high (the `level` t
    interval), n and the per-seed differences `diffs`. Raises ValueError naming the run and its
    grid when `value` lies outside either run's grid, and when the runs share no seed.
    """
    diffs = paired(per_seed_at(a, value, at, column), per_seed_at(b, value, at, column),
                   f"{describe(a)} and {describe(b)}")
    mean, low, high, n = t_interval(diffs, level)
    return {"mean": mean, "low": low, "high": high, "n": n, "diffs": diffs}


def running_mean(curve: pd.Series | pd.DataFrame, window: float = 0.05):
    """A centred running mean along the rounds over a `window` share of them (at least one):
    a seed's curve (or a frame of seeds' curves, rounds as rows) smoothed before a plateau, an
    onset or a crossover is located on it."""
    return curve.rolling(max(1, round(window * len(curve))), center=True, min_periods=1).mean()


def rising(curve: pd.Series, window: float = 0.05) -> np.ndarray:
    """A seed's curve as cumulative training expects it in expectation: its running mean,
    made non-decreasing by isotonic regression (a plateau or a crossing read on it is not a
    maximum over noisy rounds)."""
    return isotonic_regression(running_mean(curve.reset_index(drop=True), window).to_numpy()).x


def change(frame: pd.DataFrame, start: float, end: float, at: str = "n_labeled",
           column: str = "test_acc") -> pd.Series:
    """Per seed, `column` at `end` minus at `start` within one run."""
    return paired(per_seed_at(frame, end, at, column), per_seed_at(frame, start, at, column),
                  describe(frame))
