"""Beyond the paper (notebook 06): does "Margin is the strategy to use" survive BALD, BADGE and
Core-Set? The plan, its runs, the differences to Margin and the claims."""

from __future__ import annotations

import json

import pandas as pd

from alnb import align, diagnostics, runner, stats
from alnb import efficiency as label_efficiency
from alnb.claims import EARLY, gaps, pct, row, table
from alnb.experiments import ROOT, estimate_plan, run_plan
from alnb.paper_claims import BEYOND
from alnb.scales import Scale
from alnb.scoring import BEYOND_STRATEGIES, REGISTRY
from alnb.stats import ACC_MARGIN

PAPER_SIDE = ("margin", "entropy", "random")
BENCH = ROOT / "benchmarks" / "results.json"


def plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """ANN1(100, 1 epoch), cumulative, the scale's acquisition (the paper's 120 at study).
    Margin, Entropy and Random are notebook 01's own Fig. 1 runs (read from the cache); the
    newer strategies run to where the early claims look (sc.stop("beyond"): 25% labeled at
    study scale, fixed before the runs)."""
    return [("beyond", d, {"strategy": s, "mode": "cumulative",
                           "stop_frac": sc.stop("fig1", s) if s in PAPER_SIDE
                           else sc.stop("beyond")})
            for d in datasets for s in (*PAPER_SIDE, *BEYOND_STRATEGIES)]


def differences(df: pd.DataFrame, points: int = 12) -> pd.DataFrame:
    """Each strategy minus Margin, paired over seeds at the same labeled fraction, at up to
    `points` fractions of Margin's grid that every run reaches: mean and 95% interval."""
    rows = []
    for d, g in df.groupby("dataset", sort=False):
        margin = g[g.strategy == "margin"]
        end = g.groupby("strategy").frac_labeled.max().min()
        grid = sorted(f for f in margin.frac_labeled.unique() if 0 < f <= end)
        for f in grid[:: max(1, len(grid) // points)]:
            for s, other in g[g.strategy != "margin"].groupby("strategy", sort=False):
                c = align.compare(other, margin, at="frac_labeled", value=f)
                rows.append({"dataset": d, "strategy": s, "frac_labeled": f,
                             **{k: c[k] for k in ("mean", "low", "high", "n")}})
    return pd.DataFrame(rows)


def meeting_points(diffs: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Per (dataset, strategy), where its curve meets Margin's: the labeled fraction from
    which the mean difference stays within ACC_MARGIN (descriptive, from the means)."""
    out = {}
    for (d, s), g in diffs.groupby(["dataset", "strategy"], sort=False):
        g = g.sort_values("frac_labeled")
        outside = g.frac_labeled[g["mean"].abs() > ACC_MARGIN]
        after = g.frac_labeled[g.frac_labeled > outside.max()] if len(outside) else \
            g.frac_labeled
        out[d, s] = (f"{d} within {ACC_MARGIN} of Margin from {pct(after.min())} on"
                     if len(after) else f"{d} not within {ACC_MARGIN} of Margin by "
                                        f"{pct(g.frac_labeled.max())}")
    return out


def round_costs(path=BENCH) -> pd.Series:
    """Seconds per round at |L| = 12,000 by strategy (per run, 8 seeds vmapped), as `make
    bench` last measured them; empty before it has."""
    if not path.exists():
        return pd.Series(dtype=float)
    return pd.Series(json.loads(path.read_text()).get("round_s_by_strategy", {}), dtype=float)


def claims(df: pd.DataFrame, costs: pd.Series | None = None) -> pd.DataFrame:
    """Margin against each newer strategy early, and what each costs per round."""
    costs = round_costs() if costs is None else costs
    datasets = list(dict.fromkeys(df.dataset))

    def run(d, s):
        return df[(df.dataset == d) & (df.strategy == s)]

    name = {s: REGISTRY[s].label for s in BEYOND_STRATEGIES}
    meet = meeting_points(differences(df, points=40))
    rows = [row(f"Margin is at least as good as {name[s]} early (margin {ACC_MARGIN})",
                "beyond the paper", [t for d in datasets for t in gaps(
                    f"{d} M-{name[s]}", run(d, "margin"), run(d, s), EARLY,
                    test=stats.noninferiority)],
                extra="mean curves (descriptive): "
                + ", ".join(meet[d, s] for d in datasets), ids=(BEYOND,))
            for s in BEYOND_STRATEGIES]
    if "margin" in costs:
        ratios = [f"{name[s]} {costs[s] / costs['margin']:.1f}x" for s in name if s in costs]
        rows.append(row("Per-round cost relative to Margin (|L| = 12,000, make bench)",
                        "beyond the paper", [], "measured", ", ".join(ratios), ids=(BEYOND,)))
    return table(rows)


def class_balance(df: pd.DataFrame) -> pd.DataFrame:
    """Beyond the paper: the rarest class's share of each batch and of L, per strategy,
    cumulative (alnb.diagnostics)."""
    return diagnostics.class_shares(df)


def efficiency(df: pd.DataFrame) -> pd.DataFrame:
    """Each strategy's speed-up over Random, cumulative, to where the runs stop (25%)."""
    return label_efficiency.versus_random(df)


def run(sc: Scale, datasets: list[str], cache_dir) -> pd.DataFrame:
    """Every run of the plan, from the cache where it ran before: one tidy frame."""
    return run_plan(plan(sc, datasets), {d: runner.dataset(d) for d in datasets}, sc, cache_dir)


def cost(sc: Scale, datasets: list[str]) -> float:
    """Estimated seconds of the whole notebook on the 2-core CPU, cached runs included."""
    return estimate_plan(plan(sc, datasets), sc)
