"""Beyond the paper: how many seeds each verdict needs. For every claims row judged on at
least 10 seeds, its verdict is recomputed, by the notebook's own claims function and so by
the same rules (Holm over the notebook's family included), from random subsets of 3 and of 5
of its seeds; the table gives how often a subset's verdict agrees with the one at all seeds
(with a Wilson 95% interval over the subsets), how often it takes the opposite side, and the
seeds its inconclusive sub-claims would need for 80% power at the observed effect and SD.

Cross-domain AL benchmarks report that with 3 runs a strategy can come out significantly
better and significantly worse than Random on the same data; this measures that for each
claim of the paper."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from alnb import results
from alnb.stats import verdict_kind

SIZES = (3, 5)
MIN_SEEDS = 10
SUBSETS = 50  # random subsets per size: C(10, 5) = 252 and 200 seeds have far more
REPLICATES = ("seed", "init")  # what a frame's independent repetitions are called
AGREEMENT = ["claim", "seeds", "verdict", "subsets", *[f"{m}_{k}" for k in SIZES for m in (
    "agree", "agree_low", "agree_high", "opposite")]]
COLUMNS = [*AGREEMENT, "power_seeds"]


def lowest_seeds(seeds) -> int:
    """The fewest seeds a row's sub-claims compare: 5 for '5-10', 0 where none is named."""
    m = re.match(r"\d+", str(seeds))
    return int(m.group()) if m else 0


def restrict(runs, k: int, draw: int):
    """`runs` (a frame, or a tuple of them) with each frame cut to k of its replicates (seeds,
    or network initialisations), drawn at random by (k, draw, the frame's place); the runs of
    one frame keep the same seeds, so their comparisons stay paired. Where some runs of a
    frame have fewer seeds (5 beside others' 10), a draw keeps at least 2 of the seeds every
    run has (seeds are exchangeable, so this conditions the draw without biasing it), so the
    rows on the shorter runs stay computable."""
    def cut(frame: pd.DataFrame, place: int) -> pd.DataFrame:
        column = next((c for c in REPLICATES if c in frame), None)
        if column is None:
            return frame
        values = np.sort(frame[column].unique())
        if len(values) <= k:
            return frame
        rows = frame[column].value_counts()
        shared = set(rows.index[rows == rows.max()])  # the seeds of every run
        rng = np.random.default_rng([k, draw, place])
        keep = rng.choice(values, k, replace=False)
        while len(shared.intersection(keep)) < min(2, len(shared)):
            keep = rng.choice(values, k, replace=False)
        return frame[frame[column].isin(keep)]

    if isinstance(runs, pd.DataFrame):
        return cut(runs, 0)
    if isinstance(runs, tuple):
        parts = [cut(x, i) if isinstance(x, pd.DataFrame) else x for i, x in enumerate(runs)]
        return type(runs)(*parts) if hasattr(runs, "_fields") else tuple(parts)
    return runs


def _side(verdict: str) -> int | None:
    """+1 for a verdict that supports the claim (in all or some sub-claims), -1 for one that
    contradicts it, 0 for mixed (both sides), None for neither."""
    return {"holds": 1, "holds in some": 1, "contradicted": -1, "mixed": 0}.get(
        verdict_kind(verdict))


def opposite(full: str, subset: str) -> bool:
    """Whether a subset's verdict takes a side the verdict at all seeds does not: against a
    supported or contradicted claim, the other side (or mixed); against an inconclusive one,
    any side at all."""
    a, b = _side(full), _side(subset)
    if a in (1, -1):
        return b == -a or b == 0
    return a is None and b is not None


def power_seeds(measured: str) -> str:
    """The seeds for 80% power that a row's inconclusive sub-claims name, as a range."""
    text = str(measured)
    need = [int(n.replace(",", "")) for n in re.findall(r"about ([\d,]+) seeds would give",
                                                        text)]
    over = len(re.findall(r"over 1,000 seeds would be needed", text))
    parts = ([f"{min(need)}" if min(need) == max(need) else f"{min(need)}-{max(need)}"]
             if need else []) + ([f"over 1,000 ({over})"] if over else [])
    return "; ".join(parts) or "–"


def sensitivity(judge: Callable, runs, full: pd.DataFrame | None = None, sizes=SIZES,
                subsets: int = SUBSETS, min_seeds: int = MIN_SEEDS) -> pd.DataFrame:
    """Per counted claims row of `judge(runs)` on at least `min_seeds` seeds: the share of
    `subsets` random subsets of each size whose verdict agrees with the full one (same kind:
    holds, holds in some, mixed, contradicted, inconclusive), its Wilson 95% interval, and the
    share that takes the opposite side (see `opposite`)."""
    full = judge(runs) if full is None else full
    return with_power(_agreement(judge, runs, full, sizes, subsets, min_seeds), full)


def _agreement(judge: Callable, runs, full: pd.DataFrame, sizes=SIZES, subsets: int = SUBSETS,
               min_seeds: int = MIN_SEEDS) -> pd.DataFrame:
    """`sensitivity` without its power column, which comes from `full` alone."""
    rows = full[full.counted.astype(bool) & (full.seeds.map(lowest_seeds) >= min_seeds)]
    if rows.empty:
        return pd.DataFrame(columns=AGREEMENT)
    got = {k: [dict(zip(t.claim, t.verdict, strict=True))
               for t in (judge(restrict(runs, k, i)) for i in range(subsets))] for k in sizes}
    out = []
    for r in rows.itertuples():
        rec = {"claim": r.claim, "seeds": r.seeds, "verdict": r.verdict, "subsets": subsets}
        for k in sizes:
            verdicts = [v.get(r.claim, "not tested") for v in got[k]]
            agree = sum(verdict_kind(v) == verdict_kind(r.verdict) for v in verdicts)
            low, high = proportion_confint(agree, len(verdicts), alpha=0.05, method="wilson")
            rec |= {f"agree_{k}": agree / len(verdicts), f"agree_low_{k}": low,
                    f"agree_high_{k}": high,
                    f"opposite_{k}": np.mean([opposite(r.verdict, v) for v in verdicts])}
        out.append(rec)
    return pd.DataFrame(out, columns=AGREEMENT)


def with_power(table: pd.DataFrame, full: pd.DataFrame) -> pd.DataFrame:
    """`table` with each row's seeds for 80% power, read from its inconclusive sub-claims in
    the full claims table (those whose test has a power formula: the t-based ones)."""
    need = dict(zip(full.claim, full.measured.map(power_seeds), strict=True))
    return table.assign(power_seeds=table.claim.map(need))


def cached(judge: Callable, runs, full: pd.DataFrame, notebook: str, sc,
           results_dir) -> pd.DataFrame:
    """`sensitivity` of a notebook's claims, cached by the full claims table it starts from,
    `full` = judge(runs) as the notebook computed it (so new seeds or new rules recompute
    it), and written to results_dir/seed_counts_NN_SCALE.csv for the report. The power
    column is `full`'s, set on every read: a cached copy of it (tables cached before it
    was recorded have a stale one) is overwritten."""
    key = {"claims": hashlib.sha256(full.to_csv(index=False).encode()).hexdigest(),
           "sizes": SIZES, "subsets": SUBSETS, "min_seeds": MIN_SEEDS}
    agreement = results.keyed(f"{results_dir}/cache", f"seed-counts-{notebook}", key,
                              lambda: _agreement(judge, runs, full))
    table = with_power(agreement, full)
    results.write_atomic(table, f"{results_dir}/seed_counts_{notebook}_{sc.name}.csv")
    return table
