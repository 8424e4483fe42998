"""The verdict algebra every claim uses (on per-seed values from `alnb.align`):
intervals, equivalence margins, correlations controlled for |L|, labels and Holm's method.

A sub-claim (one dataset, one network, one |L|) is a `Test`: an estimate with its interval,
the label the interval gives, and one-sided p-values for and against the claimed direction.
Every label works at one level, ALPHA one-sided (so 95% two-sided intervals, TOST included);
within a notebook a label counts only if its p survives Holm's method over the notebook's
family (`holm_labels`), and a claim's verdict comes from those labels, never from means.
"""

from __future__ import annotations

from typing import NamedTuple
from unittest import mock

import numpy as np
import pandas as pd
from scipy import stats as st
from statsmodels.nonparametric.smoothers_lowess import lowess
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestPower

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "supported", "contradicted", "inconclusive"
HOLDS, MIXED = "holds", "mixed"
NOT_TESTED, CHECK, SEE = "not tested", "check", "see"

# One level for every label: one-sided 0.025, so every interval is a 95% two-sided one.
ALPHA = 0.025
LEVEL = 1 - 2 * ALPHA

# Equivalence margins, fixed before any run: one point of test accuracy, below the gaps of
# 2-10 points that the paper reads as differences between strategies.
ACC_MARGIN = 0.01
NAN = float("nan")


class Test(NamedTuple):
    """One sub-claim: `what` was measured, estimate [low, high] over n seeds (per arm), its
    label, and the one-sided p-values for the claimed direction (`p`) and against it
    (`p_other`); NaN where none applies."""

    what: str
    mean: float
    low: float
    high: float
    n: int
    label: str
    p: float = NAN
    note: str = ""
    reach: float = NAN  # the labeled fraction where the compared runs stop
    p_other: float = NAN

    def text(self, digits: int = 3) -> str:
        if self.label == NOT_TESTED:
            return f"{self.what}: not tested ({self.note})"
        f = f"{{:+.{digits}f}}"
        body = (f"{self.what}: {f.format(self.mean)} [{f.format(self.low)}, "
                f"{f.format(self.high)}] (n={self.n}, {self.label})")
        return f"{body}; {self.note}" if self.note else body


def not_tested(what: str, reason: str) -> Test:
    """A sub-claim that cannot be computed: shown with its reason, never dropped."""
    return Test(what, NAN, NAN, NAN, 0, NOT_TESTED, note=reason)


# --- intervals -------------------------------------------------------------------------------

def _clean(values) -> np.ndarray:
    d = np.asarray(values, float)
    return d[~np.isnan(d)]


def t_interval(values, level: float = LEVEL) -> tuple[float, float, float, int]:
    """Mean of per-seed values and its t interval; NaN bounds for fewer than 2 values."""
    d = _clean(values)
    n = len(d)
    if n == 0:
        return NAN, NAN, NAN, 0
    mean = float(d.mean())
    if n < 2:
        return mean, NAN, NAN, n
    half = float(st.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def _t_p(values, sign: int) -> float:
    """One-sided p of the t test that sign * mean > 0."""
    d = _clean(values)
    if len(d) < 2 or np.std(d) == 0:
        return 0.0 if len(d) and sign * np.mean(d) > 0 else 1.0
    return float(st.ttest_1samp(sign * d, 0.0, alternative="greater").pvalue)


# --- labels ----------------------------------------------------------------------------------

def direction(low: float, high: float, sign: int = 1) -> str:
    """supported when the interval lies on the claimed side of 0 (sign +1: above), contradicted
    on the other side, inconclusive otherwise (NaN bounds too)."""
    lo, hi = (low, high) if sign > 0 else (-high, -low)
    if lo > 0:
        return SUPPORTED
    return CONTRADICTED if hi < 0 else INCONCLUSIVE


def seeds_for_power(diffs, margin: float | None = None, sign: int = 1,
                    power: float = 0.8) -> int | None:
    """Seeds per arm for `power` at the observed mean and SD. sign +1 or -1: the one-sided t
    test at ALPHA of 'sign * diff > -margin' (margin None: superiority); sign 0: TOST inside
    ±margin. None where the observed effect lies on the wrong side (no n has that power)."""
    d = _clean(diffs)
    if len(d) < 2 or d.std(ddof=1) == 0:
        return None
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if sign == 0:  # TOST, by the noncentral t (Schuirmann's power)
        if abs(mean) >= margin:
            return None
        gap = (margin - abs(mean)) / sd

        def got(n):
            se, tc = 1 / np.sqrt(n), st.t.ppf(1 - ALPHA, n - 1)
            return (st.nct.cdf(-tc, n - 1, (mean - margin) / sd / se)
                    - st.nct.cdf(tc, n - 1, (mean + margin) / sd / se))
    else:
        gap = (sign * mean + (margin or 0.0)) / sd
        if gap <= 0:
            return None

        def got(n):
            return TTestPower().power(effect_size=gap, nobs=n, alpha=ALPHA, alternative="larger")
    # The normal approximation is a lower bound on n; count up from a little below it.
    guess = ((st.norm.ppf(1 - ALPHA) + st.norm.ppf(power)) / gap) ** 2
    for n in range(max(2, int(guess) - 2), 100001):
        if got(n) >= power:
            return n
    return None


def _power_note(label: str, need: int | None,
                none: str = "the observed effect lies on the other side") -> str:
    if label != INCONCLUSIVE:
        return ""
    if not need:
        return none
    return (f"about {need} seeds would give 80% power at this effect and SD" if need <= 1000
            else "over 1,000 seeds would be needed for 80% power at this effect and SD")


def superiority(what: str, diffs, sign: int = 1) -> Test:
    """'sign * diff > 0', from per-seed differences with a t interval."""
    mean, low, high, n = t_interval(diffs)
    label = direction(low, high, sign)
    return Test(what, mean, low, high, n, label, _t_p(diffs, sign),
                _power_note(label, seeds_for_power(diffs, sign=sign)), p_other=_t_p(diffs, -sign))


def welch(what: str, a, b, sign: int = 1) -> Test:
    """'sign * (mean a - mean b) > 0' for two independent samples (e.g. two data sets): the
    Welch t interval; n is the seeds per arm."""
    a, b = _clean(a), _clean(b)

    def p(s):
        return float(st.ttest_ind(a, b, equal_var=False,
                                  alternative="greater" if s > 0 else "less").pvalue)

    ci = st.ttest_ind(a, b, equal_var=False).confidence_interval(LEVEL)
    each = f"{len(a)} seeds each" if len(a) == len(b) else f"{len(a)} and {len(b)} seeds"
    return Test(what, float(a.mean() - b.mean()), float(ci.low), float(ci.high),
                min(len(a), len(b)), direction(ci.low, ci.high, sign), p(sign),
                f"independent samples, {each}", p_other=p(-sign))


def equivalence(what: str, diffs, margin: float = ACC_MARGIN) -> Test:
    """'No difference' by TOST: supported when the whole 95% interval (one-sided ALPHA each
    way) lies inside [-margin, margin], contradicted when it lies wholly outside,
    inconclusive otherwise (then the note says how many seeds would give 80% power)."""
    mean, low, high, n = t_interval(diffs)
    if low >= -margin and high <= margin:
        label = SUPPORTED
    elif low > margin or high < -margin:
        label = CONTRADICTED
    else:
        label = INCONCLUSIVE
    d = np.asarray(diffs, float)
    p = max(_t_p(d + margin, 1), _t_p(d - margin, -1))
    p_other = min(_t_p(d - margin, 1), _t_p(d + margin, -1))
    note = f"margin ±{margin:g}"
    if label == INCONCLUSIVE:
        note += "; " + _power_note(label, seeds_for_power(diffs, margin, sign=0),
                                   "the mean lies outside the margin")
    return Test(what, mean, low, high, n, label, p, note, p_other=p_other)


def noninferiority(what: str, diffs, margin: float = ACC_MARGIN, sign: int = 1) -> Test:
    """'A is at least as good as B' (sign +1: diff > -margin) or 'A is no better than B'
    (sign -1: diff < margin), from the one-sided ALPHA bound of the 95% interval."""
    mean, low, high, n = t_interval(diffs)
    shifted = np.asarray(diffs, float) + sign * margin
    label = direction(low + sign * margin, high + sign * margin, sign)
    note = f"margin {margin:g}"
    if label == INCONCLUSIVE:
        note += "; " + _power_note(label, seeds_for_power(diffs, margin, sign))
    return Test(what, mean, low, high, n, label, _t_p(shifted, sign), note,
                p_other=_t_p(shifted, -sign))


def within(what: str, data, statistic, lo_ok: float, hi_ok: float = np.inf,
           log: bool = False, note: str = "") -> Test:
    """A statistic of several per-seed arrays (seeds on the first axis, paired), claimed to
    lie in [lo_ok, hi_ok]: e.g. a ratio of about one half, or an SD ratio above 1.

    Its interval is a t interval with n - 1 degrees of freedom whose standard error comes
    from the jackknife over seeds, on the log scale when `log` (ratios); at 5-10 seeds this
    covers (tests/test_stats.py), where the percentile bootstrap and BCa do not. A seed with
    an undefined value (NaN) is dropped and the note says so; n is the seeds used."""
    data = [np.asarray(x, float) for x in data]
    bad = np.zeros(len(data[0]), bool)
    for x in data:
        bad |= np.isnan(x.reshape(len(x), -1)).any(axis=1)
    data = [x[~bad] for x in data]
    notes = [f"claimed range [{lo_ok:g}, {hi_ok:g}]", "jackknife t interval"
             + " on the log scale" * log]
    if bad.any():
        notes.append(f"{int(bad.sum())} seed(s) without a value dropped")
    notes += [note] if note else []
    n = len(data[0])
    g = np.log if log else (lambda v: v)
    est = float(statistic(*data))
    if n < 3 or not np.isfinite(g(est)):
        return Test(what, est, NAN, NAN, n, INCONCLUSIVE, 1.0, "; ".join(notes), p_other=1.0)
    keep = np.ones(n, bool)
    loo = []
    for i in range(n):
        keep[i] = False
        loo.append(g(statistic(*(x[keep] for x in data))))
        keep[i] = True
    loo = np.asarray(loo, float)
    se = float(np.sqrt((n - 1) / n * np.sum((loo - loo.mean()) ** 2)))
    centre, df = float(g(est)), n - 1
    half = st.t.ppf(1 - ALPHA, df) * se
    back = np.exp if log else (lambda v: v)
    low, high = float(back(centre - half)), float(back(centre + half))
    glo = g(lo_ok) if lo_ok > (0 if log else -np.inf) else -np.inf
    ghi = g(hi_ok) if hi_ok < np.inf else np.inf

    def sf(x):  # P(T > x) for the standardised distance, 0/1 at infinite bounds
        return float(st.t.sf(x, df)) if np.isfinite(x) else float(x < 0)

    dist_lo = (centre - glo) / se if se > 0 else np.sign(centre - glo) * np.inf
    dist_hi = (ghi - centre) / se if se > 0 else np.sign(ghi - centre) * np.inf
    p = max(sf(dist_lo), sf(dist_hi))
    p_other = min(sf(-dist_lo), sf(-dist_hi))
    label = SUPPORTED if lo_ok <= low and high <= hi_ok else \
        CONTRADICTED if high < lo_ok or low > hi_ok else INCONCLUSIVE
    return Test(what, est, low, high, n, label, p, "; ".join(notes), p_other=p_other)


def sensitivity(what: str, table: pd.DataFrame, margin: float = ACC_MARGIN) -> Test:
    """'The outcome depends on the setting': Friedman's test over the settings (columns),
    with seeds as blocks (rows), so that a setting's effect shows whatever each seed's own
    noise is. p from Friedman at ALPHA (supported), p_other from `all_equivalent`
    (contradicted: every pair within ±margin). The estimate shown is the pair of settings
    with the largest mean paired difference, and its 95% t interval."""
    t = table.dropna()
    p = float(st.friedmanchisquare(*(t[c] for c in t.columns)).pvalue)
    same = all_equivalent(what, t, margin)
    label = SUPPORTED if p < ALPHA else CONTRADICTED if same.label == SUPPORTED else \
        INCONCLUSIVE
    return same._replace(label=label, p=p, p_other=same.p,
                         note=f"Friedman p = {p:.3g} over {t.shape[1]} settings, "
                              f"{len(t)} seeds as blocks; {same.note}")


def all_equivalent(what: str, table: pd.DataFrame, margin: float = ACC_MARGIN) -> Test:
    """'The setting does not matter': every pair of settings (columns) within ±margin by TOST,
    paired over seeds (rows), as one intersection-union test (`every`). The estimate shown
    is the pair with the largest mean difference."""
    t = table.dropna()
    cols = list(t.columns)
    pairs = [equivalence(f"{a} - {b}", t[a] - t[b], margin)
             for i, a in enumerate(cols) for b in cols[i + 1:]]
    widest = max(pairs, key=lambda x: abs(x.mean))
    out = every(what, pairs)
    return out._replace(mean=widest.mean, low=widest.low, high=widest.high,
                        note=f"{sum(x.label == SUPPORTED for x in pairs)} of {len(pairs)} pairs "
                             f"within ±{margin:g}; largest: {widest.what}")


def every(what: str, tests: list[Test]) -> Test:
    """'For every one of them' as one sub-claim: an intersection-union test, supported only
    when every test is, so its p is the largest and needs no multiplicity correction;
    contradicted when some test is (its p_other Bonferroni over the tests). The estimate
    shown is the weakest test's."""
    weakest = max(tests, key=lambda x: x.p)
    label = SUPPORTED if all(x.label == SUPPORTED for x in tests) else \
        CONTRADICTED if any(x.label == CONTRADICTED for x in tests) else INCONCLUSIVE
    return weakest._replace(
        what=what, label=label, p=weakest.p,
        p_other=min(1.0, len(tests) * min(x.p_other for x in tests)),
        note=f"{sum(x.label == SUPPORTED for x in tests)} of {len(tests)} supported; the "
             f"weakest: {weakest.what}")


def claim_label(tests) -> str:
    """holds (all supported), holds in k of n (some supported, none contradicted), mixed (some
    of each), contradicted (none supported, some contradicted), inconclusive otherwise; not
    tested when no sub-claim could be computed (those that could not count in n)."""
    labels = [t.label for t in tests]
    k, c, n = labels.count(SUPPORTED), labels.count(CONTRADICTED), len(labels)
    if n and labels.count(NOT_TESTED) == n:
        return NOT_TESTED
    if n and k == n:
        return HOLDS
    if k and not c:
        return f"holds in {k} of {n}"
    if k and c:
        return MIXED
    return CONTRADICTED if c else INCONCLUSIVE


def verdict_kind(verdict: str) -> str:
    """The class of a claims row's verdict: holds, holds in some, mixed, contradicted,
    inconclusive, or one of the verdicts given rather than reached (check, counted in another
    notebook, not tested, measured)."""
    for prefix, kind in (("holds in", "holds in some"), (HOLDS, HOLDS), ("check", "check"),
                         ("see", "counted in another notebook"), (NOT_TESTED, NOT_TESTED),
                         ("measured", "measured"), (MIXED, MIXED), (CONTRADICTED, CONTRADICTED)):
        if str(verdict).startswith(prefix):
            return kind
    return INCONCLUSIVE


def holm(p_values, alpha: float = ALPHA) -> np.ndarray:
    """Which one-sided p-values stay significant under Holm's family-wise method."""
    p = np.asarray(p_values, float)
    keep = ~np.isnan(p)
    out = np.zeros(len(p), bool)
    if keep.any():
        # statsmodels' Holm branch ends in gc.collect() (statsmodels PR #8671, not merged):
        # up to a second a call in a process holding JAX's heap. The method is untouched.
        with mock.patch("gc.collect"):
            out[keep] = multipletests(p[keep], alpha=alpha, method="holm")[0]
    return out


def holm_labels(tests: list[Test]) -> list[Test]:
    """The family's tests with the labels that survive Holm's method at ALPHA: supported only
    if its p does, contradicted only if its p_other does (each direction its own family);
    otherwise inconclusive. A test whose p is missing cannot be judged in a family: an error."""
    judged = [t for t in tests if t.label != NOT_TESTED]
    missing = [t.what for t in judged if np.isnan(t.p) or np.isnan(t.p_other)]
    if missing:
        raise ValueError(f"sub-claims without a p-value cannot enter Holm's family: {missing}")
    keep = dict(zip(map(id, judged), holm([t.p for t in judged]), strict=True))
    keep_other = dict(zip(map(id, judged), holm([t.p_other for t in judged]), strict=True))
    out = []
    for t in tests:
        label = t.label
        if (label == SUPPORTED and not keep[id(t)]) or (
                label == CONTRADICTED and not keep_other[id(t)]):
            label = INCONCLUSIVE
        out.append(t._replace(label=label))
    return out


def multiple(what: str, tests: list[Test], note: str = "") -> Test:
    """'Sometimes': a scan over many rounds as one sub-claim with its own multiplicity. The
    round whose p is smallest is shown; it is supported when that p survives Holm over the
    scan (so the family sees p = m * p_min, capped at 1), contradicted only when every round
    is (p_other the largest of theirs)."""
    ps = np.array([t.p for t in tests])
    best = tests[int(np.nanargmin(ps))]
    survive = holm(ps)
    p = min(1.0, len(tests) * float(np.nanmin(ps)))
    p_other = float(np.nanmax([t.p_other for t in tests]))
    label = SUPPORTED if survive.any() else CONTRADICTED if p_other < ALPHA else INCONCLUSIVE
    return best._replace(what=what.format(best=best.what), label=label, p=p, p_other=p_other,
                         note=f"{int(survive.sum())} of {len(tests)} rounds significant after "
                              f"Holm over the scan" + (f"; {note}" if note else ""))


# --- correlations controlled for |L| ----------------------------------------------------------

def trend_residuals(values, z, neighbours: int = 10) -> np.ndarray:
    """values minus a LOWESS fit on z over the `neighbours` nearest points: a smooth trend,
    so a shared decay-then-plateau in |L| is removed, not only a straight line. A wider
    window leaves the steep first rounds' curvature in both series' residuals, which then
    correlate (tests/test_stats.py); a narrower one attenuates a real round-level link a
    little, the conservative side."""
    values, z = np.asarray(values, float), np.asarray(z, float)
    return values - lowess(values, z, frac=min(1.0, neighbours / len(z)), it=0,
                           return_sorted=False)


def partial_spearman(x, y, z, covariates=()) -> float:
    """Rank correlation of x and y given a smooth trend in z and, linearly, the covariates:
    each series (covariates too) loses its LOWESS trend in z, the residuals are ranked, and
    x's and y's ranks lose their linear fit on the covariates' ranks (Robinson's double
    residuals for a partially linear model); then the Pearson correlation of what is left.
    Detrending before ranking keeps a covariate's noise apart from the trend it rides on."""
    rx, ry = (st.rankdata(trend_residuals(v, z)) for v in (x, y))
    design = np.column_stack([np.ones(len(rx))] + [st.rankdata(trend_residuals(c, z))
                                                   for c in covariates])

    def resid(r):
        return r - design @ np.linalg.lstsq(design, r, rcond=None)[0]

    rx, ry = resid(rx), resid(ry)
    denom = np.sqrt((rx @ rx) * (ry @ ry))
    return float(rx @ ry / denom) if denom > 0 else NAN


def seed_correlations(frame: pd.DataFrame, x: str, y: str, control: str | None = "n_labeled",
                      covariates: tuple[str, ...] = ()) -> pd.Series:
    """Per seed, Spearman's rho of x and y, partial on a smooth trend in `control` and on the
    covariates (None: plain)."""
    out = {}
    for seed, s in frame.dropna(subset=[x, y, *covariates]).groupby("seed"):
        if len(s) < 4:
            continue
        out[seed] = (partial_spearman(s[x], s[y], s[control], [s[c] for c in covariates])
                     if control else float(st.spearmanr(s[x], s[y]).statistic))
    return pd.Series(out, dtype=float).rename_axis("seed")


def seed_z(frame: pd.DataFrame, x: str, y: str, control: str | None = "n_labeled",
           covariates: tuple[str, ...] = ()) -> pd.Series:
    """seed_correlations on Fisher's z scale, arctanh(rho), clipped so that |rho| = 1 stays
    finite: the scale on which seeds' correlations are averaged and compared."""
    return np.arctanh(np.clip(seed_correlations(frame, x, y, control, covariates).dropna(),
                              -0.9999, 0.9999))


def correlation(what: str, frame: pd.DataFrame, x: str, y: str, sign: int = 1,
                control: str | None = "n_labeled", covariates: tuple[str, ...] = ()) -> Test:
    """Per-seed (partial) Spearman correlations pooled over seeds through Fisher's z: a t
    interval on arctanh(rho), mapped back, so it stays inside [-1, 1] and keeps its coverage
    with few seeds. Labelled against 0 in the direction `sign`."""
    z = seed_z(frame, x, y, control, covariates)
    mean, low, high, n = t_interval(z)
    note = ("plain Spearman" if not control else
            f"partial on a smooth trend in {control}"
            + (f" and on {', '.join(covariates)}" if covariates else ""))
    return Test(what, *np.tanh([mean, low, high]).tolist(), n, direction(low, high, sign),
                _t_p(z, sign), note, p_other=_t_p(z, -sign))
