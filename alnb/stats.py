"""The verdict algebra every claim uses (on per-seed values from `alnb.align`):
intervals, equivalence margins, correlations controlled for |L|, labels and Holm's method.

A sub-claim (one dataset, one network, one |L|) is a `Test`: an estimate with its interval,
the label the interval gives, and a one-sided p-value for the claimed direction. A claim's
label comes from its sub-claims' labels, never from their means.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as st
from statsmodels.stats.multitest import multipletests

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "supported", "contradicted", "inconclusive"
HOLDS, MIXED, BY_CONSTRUCTION = "holds", "mixed", "by construction"
NOT_TESTED = "not tested"

# Equivalence margins, fixed before any run: one point of test accuracy, below the gaps of
# 2-10 points that the paper reads as differences between strategies.
ACC_MARGIN = 0.01


class Test(NamedTuple):
    """One sub-claim: `what` was measured, estimate [low, high] over n seeds, its label and
    the one-sided p-value of the claimed direction (NaN where none applies)."""

    what: str
    mean: float
    low: float
    high: float
    n: int
    label: str
    p: float = float("nan")
    note: str = ""
    reach: float = float("nan")  # the labeled fraction where the compared runs stop

    def text(self, digits: int = 3) -> str:
        f = f"{{:+.{digits}f}}"
        body = (f"{self.what}: {f.format(self.mean)} [{f.format(self.low)}, "
                f"{f.format(self.high)}] (n={self.n}, {self.label})")
        return f"{body}; {self.note}" if self.note else body


# --- intervals -------------------------------------------------------------------------------

def t_interval(values, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean of per-seed values and its t interval; NaN bounds for fewer than 2 values."""
    d = np.asarray(values, float)
    d = d[~np.isnan(d)]
    n = len(d)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(d.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), n
    half = float(st.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def _t_p(values, sign: int) -> float:
    """One-sided p of the t test that sign * mean > 0."""
    d = np.asarray(values, float)
    d = d[~np.isnan(d)]
    if len(d) < 2 or np.std(d) == 0:
        return 0.0 if len(d) and sign * np.mean(d) > 0 else 1.0
    return float(st.ttest_1samp(sign * d, 0.0, alternative="greater").pvalue)


def bootstrap(data, statistic, level: float = 0.95, n_resamples: int = 2000):
    """(estimate, low, high, n, p) of statistic(*data) with a percentile bootstrap over seeds:
    `data` is a tuple of arrays whose first axis is the seed, resampled together (paired).
    The percentile method keeps an interval inside the statistic's range (e.g. [-1, 1] for a
    correlation); p is the share of resamples at or below 0 (one-sided, statistic > 0)."""
    data = tuple(np.asarray(x, float) for x in data)
    estimate = float(statistic(*data))
    n = len(data[0])
    if n < 2:
        return estimate, float("nan"), float("nan"), n, float("nan")

    def resampled(i):  # seeds are the first axis of every array, so rows move together
        return statistic(*(x[i.astype(int)] for x in data))

    res = st.bootstrap((np.arange(n),), resampled, vectorized=False, method="percentile",
                       confidence_level=level, n_resamples=n_resamples,
                       rng=np.random.default_rng(0))
    dist = res.bootstrap_distribution
    low, high = res.confidence_interval
    finite = dist[np.isfinite(dist)]
    if (np.isnan(low) or np.isnan(high)) and len(finite):  # some degenerate resamples
        low, high = np.percentile(finite, [50 - 50 * level, 50 + 50 * level])
    return estimate, float(low), float(high), n, float(np.mean(dist <= 0))


# --- labels ----------------------------------------------------------------------------------

def direction(low: float, high: float, sign: int = 1) -> str:
    """supported when the interval lies on the claimed side of 0 (sign +1: above), contradicted
    on the other side, inconclusive otherwise (NaN bounds too)."""
    lo, hi = (low, high) if sign > 0 else (-high, -low)
    if lo > 0:
        return SUPPORTED
    return CONTRADICTED if hi < 0 else INCONCLUSIVE


def superiority(what: str, diffs, sign: int = 1, level: float = 0.95) -> Test:
    """'sign * diff > 0', from per-seed differences with a t interval."""
    mean, low, high, n = t_interval(diffs, level)
    return Test(what, mean, low, high, n, direction(low, high, sign), _t_p(diffs, sign))


def welch(what: str, a, b, sign: int = 1, level: float = 0.95) -> Test:
    """'sign * (mean a - mean b) > 0' for two independent samples (e.g. two data sets): the
    Welch t interval."""
    res = st.ttest_ind(np.asarray(a, float), np.asarray(b, float), equal_var=False,
                       alternative="greater" if sign > 0 else "less")
    ci = st.ttest_ind(np.asarray(a, float), np.asarray(b, float),
                      equal_var=False).confidence_interval(level)
    mean = float(np.mean(a) - np.mean(b))
    return Test(what, mean, float(ci.low), float(ci.high), len(a) + len(b),
                direction(ci.low, ci.high, sign), float(res.pvalue))


def seeds_to_decide(diffs, margin: float, level: float = 0.90) -> int | None:
    """Seeds that would put a (1 - 2 alpha) interval of the same mean and SD inside
    [-margin, margin]; None when the mean itself lies outside."""
    d = np.asarray(diffs, float)
    d = d[~np.isnan(d)]
    if len(d) < 2 or abs(d.mean()) >= margin:
        return None
    sd = d.std(ddof=1)
    for n in range(2, 10001):
        if abs(d.mean()) + st.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) < margin:
            return n
    return None


def equivalence(what: str, diffs, margin: float = ACC_MARGIN) -> Test:
    """'No difference' by TOST: supported when the whole 90% interval lies inside
    [-margin, margin], contradicted when it lies wholly outside, inconclusive otherwise (then
    the note says how many seeds would decide it)."""
    mean, low, high, n = t_interval(diffs, 0.90)
    if low >= -margin and high <= margin:
        label = SUPPORTED
    elif low > margin or high < -margin:
        label = CONTRADICTED
    else:
        label = INCONCLUSIVE
    p = max(_t_p(np.asarray(diffs, float) + margin, 1), _t_p(np.asarray(diffs, float) - margin, -1))
    note = f"margin ±{margin:g}"
    if label == INCONCLUSIVE:
        need = seeds_to_decide(diffs, margin)
        note += f"; about {need} seeds would decide it" if need else \
            "; the mean lies outside the margin"
    return Test(what, mean, low, high, n, label, p, note)


def noninferiority(what: str, diffs, margin: float = ACC_MARGIN, sign: int = 1) -> Test:
    """'A is at least as good as B' (sign +1: diff > -margin) or 'A is no better than B'
    (sign -1: diff < margin), from the 90% interval (a one-sided 95% bound)."""
    mean, low, high, n = t_interval(diffs, 0.90)
    shifted = np.asarray(diffs, float) + sign * margin
    label = direction(low + sign * margin, high + sign * margin, sign)
    return Test(what, mean, low, high, n, label, _t_p(shifted, sign), f"margin {margin:g}")


def interval_within(what: str, estimate: float, low: float, high: float, n: int,
                    lo_ok: float, hi_ok: float, note: str = "") -> Test:
    """A statistic claimed to lie in [lo_ok, hi_ok] (e.g. a ratio of about one half):
    supported when its interval does, contradicted when the interval misses the range."""
    if lo_ok <= low and high <= hi_ok:
        label = SUPPORTED
    elif high < lo_ok or low > hi_ok:
        label = CONTRADICTED
    else:
        label = INCONCLUSIVE
    return Test(what, estimate, low, high, n, label, float("nan"),
                f"claimed range [{lo_ok:g}, {hi_ok:g}]{'; ' + note if note else ''}")


def claim_label(tests) -> str:
    """holds (all supported), holds in k of n (some supported, none contradicted), mixed (some
    of each), contradicted (none supported, some contradicted), inconclusive otherwise."""
    labels = [t.label for t in tests]
    k, c, n = labels.count(SUPPORTED), labels.count(CONTRADICTED), len(labels)
    if n and k == n:
        return HOLDS
    if k and not c:
        return f"holds in {k} of {n}"
    if k and c:
        return MIXED
    return CONTRADICTED if c else INCONCLUSIVE


def holm(p_values, alpha: float = 0.05) -> np.ndarray:
    """Which one-sided p-values stay significant under Holm's family-wise method."""
    p = np.asarray(p_values, float)
    keep = ~np.isnan(p)
    out = np.zeros(len(p), bool)
    if keep.any():
        out[keep] = multipletests(p[keep], alpha=alpha, method="holm")[0]
    return out


# --- correlations controlled for |L| ----------------------------------------------------------

def partial_spearman(x, y, z) -> float:
    """Spearman correlation of x and y with z partialled out: the Pearson correlation of the
    residuals of rank(x) and rank(y) after a linear fit on rank(z)."""
    rx, ry, rz = (st.rankdata(v) for v in (x, y, z))
    design = np.column_stack([np.ones_like(rz), rz])

    def resid(r):
        return r - design @ np.linalg.lstsq(design, r, rcond=None)[0]

    ex, ey = resid(rx), resid(ry)
    denom = np.sqrt((ex @ ex) * (ey @ ey))
    return float(ex @ ey / denom) if denom > 0 else float("nan")


def seed_correlations(frame: pd.DataFrame, x: str, y: str,
                      control: str | None = "n_labeled") -> pd.Series:
    """Per seed, Spearman's rho of x and y, partial on `control` (None: plain)."""
    out = {}
    for seed, s in frame.dropna(subset=[x, y]).groupby("seed"):
        if len(s) < 4:
            continue
        out[seed] = (partial_spearman(s[x], s[y], s[control]) if control
                     else float(st.spearmanr(s[x], s[y]).statistic))
    return pd.Series(out, dtype=float).rename_axis("seed")


def correlation(what: str, frame: pd.DataFrame, x: str, y: str, sign: int = 1,
                control: str | None = "n_labeled") -> Test:
    """Per-seed (partial) Spearman correlations pooled over seeds through Fisher's z: a t
    interval on arctanh(rho), mapped back, so it stays inside [-1, 1] and keeps its coverage
    with few seeds (a percentile bootstrap over 3-5 seeds is too narrow). Labelled against 0
    in the direction `sign`."""
    z = np.arctanh(np.clip(seed_correlations(frame, x, y, control).dropna(), -0.9999, 0.9999))
    mean, low, high, n = t_interval(z)
    note = f"partial on {control}" if control else "plain Spearman"
    return Test(what, *np.tanh([mean, low, high]).tolist(), n,
                direction(low, high, sign), _t_p(z, sign), note)
