"""Check the paper's claims with numbers, through alnb.stats: every comparison is paired over
seeds at the same |L|, every sub-claim gets an interval and a label, and a claim's verdict
comes from its sub-claims' labels after Holm's method over the notebook (see `table`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alnb import align, stats
from alnb.paper_claims import BEYOND, BY_ID
from alnb.results import write_atomic
from alnb.stats import NOT_TESTED, Test

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
    """One sub-claim per labeled fraction: `test` of the paired a - b at that fraction of
    each run's pool, or `not tested` (with the reason) where a run does not reach it."""
    out, reach = [], reached(a, b)
    for f in fracs:
        name = f"{what} at {pct(f)}"
        if align.covers(a, f, "frac_labeled", column) and align.covers(b, f, "frac_labeled",
                                                                       column):
            diffs = align.compare(a, b, column, at="frac_labeled", value=f)["diffs"]
            out.append(test(name, diffs, **kw)._replace(reach=reach))
        else:
            out.append(stats.not_tested(name, f"the runs stop at {pct(reach)} or have no "
                                              f"{column} there"))
    return out


def reached(*runs: pd.DataFrame) -> float:
    """The labeled fraction up to which all of `runs` go."""
    return float(min(r.frac_labeled.max() for r in runs))


def span(values, fmt=str) -> str:
    """'a' or 'a-b' over the distinct values (NaN left out); '' for none."""
    v = sorted({x for x in values if x == x})
    return "" if not v else fmt(v[0]) if len(v) == 1 else f"{fmt(v[0])}-{fmt(v[-1])}"


def row(claim: str, paper: str, tests: list[Test], verdict: str | None = None,
        extra: str = "", ids: tuple[str, ...] = (), differs: str = "") -> dict:
    """A claims-table row; `table` gives it its verdict from its sub-claims' labels after
    Holm's method, unless one is given here (a check, a reference to another notebook's
    row, not tested, measured). `ids` are the inventory entries it judges
    (alnb.paper_claims; BEYOND for a claim of this study's own); `differs` says what it tests
    differently from the paper's statement, and why ('' where it tests it as stated). It
    names the seeds its sub-claims compare and where their runs stop ('' where a sub-claim is
    not on runs that label the pool)."""
    unknown = [i for i in ids if i != BEYOND and i not in BY_ID]
    if not ids or unknown:
        raise ValueError(f"claims row {claim!r} needs inventory ids; unknown: {unknown}")
    return {"claim": claim, "paper": paper, "tests": tests, "verdict": verdict, "extra": extra,
            "ids": ";".join(ids), "differs": differs,
            "seeds": span([t.n for t in tests if t.label != NOT_TESTED]),
            "runs_to": span([t.reach for t in tests], lambda f: pct(f) if f < 1 else "the end")}


def untested(claim: str, paper: str, ids: tuple[str, ...], reason: str) -> dict:
    """A row for a paper statement no committed run can judge yet, with the reason (the run
    it waits for, or the estimator not built)."""
    return row(claim, paper, [], f"{NOT_TESTED} ({reason})", ids=ids)


def counted(r: dict) -> bool:
    """Whether a row's sub-claims enter the notebook's Holm family: not those shown as
    checks, by reference, or as not tested or measured."""
    return r["verdict"] is None


def table(rows: list[dict]) -> pd.DataFrame:
    """The claims table. The family is every computable sub-claim of the rows judged here;
    a sub-claim counts as supported (or contradicted) in its row's verdict only if it survives
    Holm's method over that family, and the row prints the unadjusted count beside it."""
    family = [t for r in rows if counted(r) for t in r["tests"] if t.label != NOT_TESTED]
    adjusted = dict(zip(map(id, family), stats.holm_labels(family), strict=True))
    out = []
    for r in rows:
        raw = r.pop("tests")
        tests = [adjusted.get(id(t), t) for t in raw]

        def text(t, before):
            changed = f" after Holm; {before.label} before" if t.label != before.label else ""
            return t.text().replace(f", {t.label})", f", {t.label}{changed})", 1)

        measured = "; ".join([text(t, b) for t, b in zip(tests, raw, strict=True)]
                             + ([r["extra"]] if r["extra"] else []))
        supported = sum(t.label == stats.SUPPORTED for t in tests)
        out.append({**r, "measured": measured, "counted": counted(r),
                    "verdict": r["verdict"] or stats.claim_label(tests),
                    "supported": f"{supported}/{len(tests)}",
                    "unadjusted": f"{sum(t.label == stats.SUPPORTED for t in raw)}/{len(raw)}",
                    "comparisons": len(family)})
    return pd.DataFrame(out).drop(columns="extra")


def next_gain(runs: pd.DataFrame) -> pd.Series:
    """Per row, the gain in test accuracy from that round to the next of the same run."""
    keys = [c for c in ("dataset", "figure", "strategy", "pool_splits", "seed") if c in runs]
    return runs.groupby(keys).test_acc.transform(lambda a: a.diff().shift(-1))


GAIN = ("batch_margin", "next_gain")


def gain_correlation(what: str, runs: pd.DataFrame) -> Test:
    """Does a high I_B^M at round t predict faster learning than a model of the same accuracy
    at the same |L|? The partial Spearman rho of I_B^M(t) and the next gain, given a smooth
    trend in |L| and the round's own test accuracy acc(t). Without acc(t) it would be
    regression to the mean: a model below its trend is less confident (I_B^M nearer 0) and
    gains more next round only because acc(t) was low."""
    return stats.correlation(what, runs.assign(next_gain=next_gain(runs)), *GAIN,
                             covariates=("test_acc",))


def gain_contrast(what: str, a: pd.DataFrame, b: pd.DataFrame) -> Test:
    """The paired contrast a - b of gain_correlation's per-seed Fisher z (e.g. Margin against
    Random's control), with its t interval."""
    z = [stats.seed_z(x.assign(next_gain=next_gain(x)), *GAIN, covariates=("test_acc",))
         for x in (a, b)]
    return stats.superiority(what, align.paired(*z))


def save(claims_table: pd.DataFrame, notebook: str, sc, results_dir) -> pd.DataFrame:
    """Write a notebook's claims table to results_dir/claims_NN_SCALE.csv with its scale (and
    the scale's seeds where a row names none), and return it for display in full."""
    out = claims_table.assign(scale=sc.name,
                              seeds=claims_table.seeds.replace("", str(sc.seeds)))
    write_atomic(out, f"{results_dir}/claims_{notebook}_{sc.name}.csv")
    pd.set_option("display.max_colwidth", None)
    return out
