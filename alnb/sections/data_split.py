"""Sec. 5 (notebook 03, Fig. 3): unlabeled data arriving in i.i.d. subsets: the plan, its runs
and its claims."""

from __future__ import annotations

import pandas as pd

from alnb import runner, stats
from alnb.claims import gain_correlation, gaps, pct, reached, row, table
from alnb.experiments import estimate_plan, run_plan
from alnb.scales import Scale


def plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
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


def arrivals(split: pd.DataFrame) -> pd.DataFrame:
    """The rounds (with their labeled fraction) at which a new pool subset had joined."""
    rounds = split.groupby("round")[["n_available", "frac_labeled", "n_labeled"]].first()
    return rounds[rounds.n_available.diff() > 0]


def zero_phases(split: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per seed (rows) and stage (columns), the labels acquired while I_B^M > threshold."""
    acq = int(split.acq_size.iloc[0])
    return split.assign(high=split.batch_margin > threshold).groupby(
        ["seed", "n_available"]).high.sum().unstack() * acq


def claims(df: pd.DataFrame, threshold: float = -0.5) -> pd.DataFrame:
    """The claims of Sec. 5, measured on notebook 03's runs. A 'zero phase' is the part of a
    stage during which I_B^M stays above `threshold` (close to 0, not -1)."""
    jumps, phases, rises, better, lifts = [], [], [], [], []
    for (d, figure), g in df.groupby(["dataset", "figure"], sort=False):
        split, whole = g[g.pool_splits > 1], g[g.pool_splits == 1]
        reach = reached(split)
        by_round = split.pivot(index="seed", columns="round", values="batch_margin")
        acc = split.pivot(index="seed", columns="round", values="test_acc")
        for r, a in arrivals(split).iterrows():
            jumps.append(stats.superiority(f"{d} {figure} I_B^M jump at {pct(a.frac_labeled)} "
                                           f"({a.n_labeled:.0f} labels)",
                                           by_round[r] - by_round[r - 1])
                         ._replace(reach=reach))
            lifts.append(_arrival_lift(f"{d} {figure} at {pct(a.frac_labeled)}", acc, r)
                         ._replace(reach=reach))
        lengths = zero_phases(split, threshold)
        for k in range(1, lengths.shape[1]):
            phases.append(stats.superiority(
                f"{d} {figure} zero phase {k + 1} minus {k} (labels; means "
                f"{lengths.iloc[:, k].mean():.0f} vs {lengths.iloc[:, k - 1].mean():.0f})",
                lengths.iloc[:, k] - lengths.iloc[:, k - 1], sign=-1
            )._replace(reach=reach))
        rises.append(gain_correlation(f"{d} {figure} rho(I_B^M, next gain | |L|, acc)", split)
                     ._replace(reach=reach))
        rises.append(gain_correlation(f"{d} {figure} control, complete pool", whole)
                     ._replace(label="control"))
        better += gaps(f"{d} {figure} complete-split", whole, split, (0.1, 0.25, 0.5, 0.75, 0.9))
    return table([
        row("I_B^M jumps towards 0 when a new subset arrives, even late", "Fig. 3", jumps,
            ids=("S5.jumps", "S5.last-jump"),
            differs="a jump is I_B^M's rise from the round before; its size is not compared "
                    "with the paper's 'from -1 to 0'"),
        row(f"Each zero phase (I_B^M > {threshold}) is shorter than the one before", "Fig. 3",
            phases, ids=("S5.zero-phases",)),
        row(f"Accuracy rises faster after a new subset arrives (the gain over the {LIFT} rounds "
            f"after it against the {LIFT} before)", "Fig. 3a, 3c", lifts,
            ids=("S5.accuracy-rises",)),
        row("Accuracy rises faster while I_B^M is high (controlled for |L| and accuracy)",
            "Fig. 3, Sec. 4", [t for t in rises if t.label != "control"],
            extra="; ".join(t.text() for t in rises if t.label == "control"),
            ids=("S5.faster-when-high", "S4.high-margin-learns")),
        row("The whole pool from the start always gives higher accuracy", "Fig. 3", better,
            ids=("S5.whole-pool-higher",), differs="at 10% to 90% labeled, where the runs stop"),
    ])


LIFT = 5  # rounds on each side of an arrival


def _arrival_lift(what: str, acc: pd.DataFrame, r: int) -> stats.Test:
    """Per seed, the accuracy gained over the LIFT rounds from arrival round r minus that over
    the LIFT rounds before it: positive when the new subset speeds learning up."""
    after = acc[min(r + LIFT - 1, acc.columns.max())] - acc[r - 1]
    before = acc[r - 1] - acc[max(r - 1 - LIFT, acc.columns.min())]
    return stats.superiority(what, after - before)


def run(sc: Scale, datasets: list[str], cache_dir) -> pd.DataFrame:
    """Every run of the plan, from the cache where it ran before: one tidy frame."""
    return run_plan(plan(sc, datasets), {d: runner.dataset(d) for d in datasets}, sc, cache_dir)


def cost(sc: Scale, datasets: list[str]) -> float:
    """Estimated seconds of the whole notebook on the 2-core CPU, cached runs included."""
    return estimate_plan(plan(sc, datasets), sc)
