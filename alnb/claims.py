"""Check the paper's claims with numbers, through alnb.stats: every comparison is paired over
seeds at the same |L|, every sub-claim gets an interval and a label, and a claim's verdict
comes from its sub-claims' labels (see stats.claim_label)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alnb import align, stats
from alnb.results import write_atomic
from alnb.stats import BY_CONSTRUCTION, NOT_TESTED, Test

EARLY = (0.05, 0.10, 0.25)



def pick(frame: pd.DataFrame, **where) -> pd.DataFrame:
    """The rows of one experiment, e.g. pick(df, dataset="mnist", strategy="margin")."""
    mask = np.ones(len(frame), bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    if not mask.any():
        raise KeyError(f"no rows with {where}")
    return frame[mask]



def pct(frac: float) -> str:
    return f"{100 * frac:.0f}%"



def gaps(what: str, a: pd.DataFrame, b: pd.DataFrame, fracs, column: str = "test_acc",
         test=stats.superiority, **kw) -> list[Test]:
    """One sub-claim per labeled fraction that both runs reach: `test` of the paired a - b at
    that fraction of each run's pool."""
    out, reach = [], reached(a, b)
    for f in fracs:
        if align.covers(a, f, "frac_labeled", column) and align.covers(b, f, "frac_labeled",
                                                                       column):
            diffs = align.compare(a, b, column, at="frac_labeled", value=f)["diffs"]
            out.append(test(f"{what} at {pct(f)}", diffs, **kw)._replace(reach=reach))
    return out


def reached(*runs: pd.DataFrame) -> float:
    """The labeled fraction up to which all of `runs` go."""
    return float(min(r.frac_labeled.max() for r in runs))


def span(values, fmt=str) -> str:
    """'a' or 'a-b' over the distinct values (NaN left out); '' for none."""
    v = sorted({x for x in values if x == x})
    return "" if not v else fmt(v[0]) if len(v) == 1 else f"{fmt(v[0])}-{fmt(v[-1])}"



def row(claim: str, paper: str, tests: list[Test], verdict: str | None = None,
        extra: str = "") -> dict:
    """A claims-table row; its verdict is the label of its sub-claims unless given
    (by construction, not tested). It names the seeds its sub-claims compare and where their
    runs stop ('' where a sub-claim is not on runs that label the pool)."""
    measured = "; ".join([t.text() for t in tests] + ([extra] if extra else []))
    return {"claim": claim, "paper": paper, "measured": measured,
            "verdict": verdict or stats.claim_label(tests), "tests": tests,
            "seeds": span([t.n for t in tests]),
            "runs_to": span([t.reach for t in tests], lambda f: pct(f) if f < 1 else "the end")}



def table(rows: list[dict]) -> pd.DataFrame:
    """The claims table with per-claim counts: sub-claims supported, and those still
    significant under Holm's method over every judged sub-claim of the table."""
    judged = [t for r in rows if r["verdict"] not in (BY_CONSTRUCTION,) and
              not r["verdict"].startswith(NOT_TESTED) for t in r["tests"]]
    kept = dict(zip(map(id, judged), stats.holm([t.p for t in judged]), strict=True))
    out = []
    for r in rows:
        tests = r.pop("tests")
        supported = [t for t in tests if t.label == stats.SUPPORTED]
        out.append({**r, "supported": f"{len(supported)}/{len(tests)}",
                    "holm": f"{sum(kept.get(id(t), False) for t in supported)}/{len(tests)}",
                    "comparisons": len(judged)})
    return pd.DataFrame(out)



def next_gain(runs: pd.DataFrame) -> pd.Series:
    """Per row, the gain in test accuracy from that round to the next of the same run."""
    keys = [c for c in ("dataset", "figure", "strategy", "pool_splits", "seed") if c in runs]
    return runs.groupby(keys).test_acc.transform(lambda a: a.diff().shift(-1))



def gain_correlation(what: str, runs: pd.DataFrame) -> Test:
    """Partial Spearman rho (on |L|) of a round's I_B^M and the next round's accuracy gain:
    both fall as |L| grows, so the plain correlation would be the trend's."""
    return stats.correlation(what, runs.assign(next_gain=next_gain(runs)), "batch_margin",
                             "next_gain")



def save(claims_table: pd.DataFrame, notebook: str, sc, results_dir) -> pd.DataFrame:
    """Write a notebook's claims table to results_dir/claims_NN_SCALE.csv with its scale (and
    the scale's seeds where a row names none), and return it for display in full."""
    out = claims_table.assign(scale=sc.name,
                              seeds=claims_table.seeds.replace("", str(sc.seeds)))
    write_atomic(out, f"{results_dir}/claims_{notebook}_{sc.name}.csv")
    pd.set_option("display.max_colwidth", None)
    return out
