"""Check the paper's claims with numbers: paired differences over seeds at labeled fractions,
with 95% intervals, and a verdict that says whether the interval clears zero."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alnb.results import paired_difference, t_interval, values_at

HOLDS, PARTLY, FAILS = "holds", "partly", "does not hold at this scale"


def pick(frame: pd.DataFrame, **where) -> pd.DataFrame:
    """The rows of one experiment, e.g. pick(df, dataset="mnist", strategy="margin")."""
    mask = np.ones(len(frame), bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    if not mask.any():
        raise KeyError(f"no rows with {where}")
    return frame[mask]


def gaps(a: pd.DataFrame, b: pd.DataFrame, fracs, column: str = "test_acc") -> list[dict]:
    """a - b at each labeled fraction (the last round at or below it), paired over seeds."""
    return [{"frac": f, **paired_difference(a, b, column, at="frac_labeled", value=f)}
            for f in fracs]


def fmt(gap: dict) -> str:
    return (f"{gap['mean']:+.3f} [{gap['low']:+.3f}, {gap['high']:+.3f}] at "
            f"{100 * gap['frac']:.0f}%")


def verdict(gaps_: list[dict], sign: int = 1) -> str:
    """holds: every interval on the claimed side of 0; partly: some interval, or every mean;
    otherwise the claim does not hold at this scale."""
    clear = [sign * g["low"] > 0 if sign > 0 else sign * g["high"] > 0 for g in gaps_]
    means = [sign * g["mean"] > 0 for g in gaps_]
    if all(clear):
        return HOLDS
    return PARTLY if any(clear) or all(means) else FAILS


def no_better(gaps_: list[dict]) -> str:
    """'A is no better than B': holds when no interval lies above 0."""
    above = [g["low"] > 0 for g in gaps_]
    return HOLDS if not any(above) else PARTLY if not all(above) else FAILS


def at_least(gaps_: list[dict]) -> str:
    """'A >= B': fails if any interval lies below 0; holds if every mean is >= 0."""
    if any(g["high"] < 0 for g in gaps_):
        return FAILS
    return HOLDS if all(g["mean"] >= 0 for g in gaps_) else PARTLY


def row(claim: str, where: str, measured: list[str], verdict_: str) -> dict:
    return {"claim": claim, "paper": where, "measured": "; ".join(measured), "verdict": verdict_}


def combine(verdicts: list[str]) -> str:
    """One verdict for a claim checked in several places (datasets, networks)."""
    if all(v == HOLDS for v in verdicts):
        return HOLDS
    return FAILS if all(v == FAILS for v in verdicts) else PARTLY


def similar(gaps_: list[dict]) -> str:
    """'A behaves like B': holds when every interval contains 0."""
    inside = [g["low"] <= 0 <= g["high"] for g in gaps_]
    return HOLDS if all(inside) else PARTLY if any(inside) else FAILS


def _at(frame: pd.DataFrame, frac: float) -> pd.Series:
    return values_at(frame, frac, at="frac_labeled")


def interval(d: pd.Series, frac: float) -> dict:
    """A t interval for per-seed differences, shaped like gaps()' entries."""
    return {"frac": frac, **t_interval(d.to_numpy())}


def training_modes_claims(df: pd.DataFrame) -> pd.DataFrame:
    """The claims of Sec. 3 and A.1-A.4, measured on notebook 01's runs."""
    datasets = list(dict.fromkeys(df.dataset))
    stop = float(pick(df, figure="fig1").frac_labeled.max())  # where the scale stops
    early = [f for f in (0.05, 0.10, 0.25) if f <= stop]
    late = [f for f in (0.25, stop) if f <= stop]
    base = {"figure": "fig1", "hidden": 100}

    def run(**where):
        return pick(df, **{**base, **where})

    rows = []
    for other, claim in (("random", "Margin beats Random early"),
                         ("entropy", "Margin beats Entropy early")):
        measured, verdicts = [], []
        for d in datasets:
            for mode in ("cumulative", "incremental"):
                g = gaps(run(dataset=d, strategy="margin", mode=mode),
                         run(dataset=d, strategy=other, mode=mode), early)
                measured.append(f"{d} {mode}: M-{other[0].upper()} " + ", ".join(map(fmt, g)))
                verdicts.append(verdict(g))
        rows.append(row(claim, "Fig. 1a, 1b", measured, combine(verdicts)))

    measured, verdicts = [], []
    for d in datasets:
        g = gaps(run(dataset=d, strategy="entropy", mode="cumulative"),
                 run(dataset=d, strategy="random", mode="cumulative"), early[:2])
        measured.append(f"{d}: E-R " + ", ".join(map(fmt, g)))
        verdicts.append(no_better(g))
    rows.append(row("Entropy is no better than Random early", "Fig. 1a, 1b", measured,
                    combine(verdicts)))

    measured, verdicts, decline, dverdicts = [], [], [], []
    for d in datasets:
        cum, inc = (run(dataset=d, strategy="margin", mode=m)
                    for m in ("cumulative", "incremental"))
        g = gaps(cum, inc, late)
        measured.append(f"{d}: cum-inc " + ", ".join(map(fmt, g)))
        verdicts.append(verdict(g))
        drop = interval(_at(inc, stop) - _at(inc, stop / 2), stop)
        decline.append(f"{d}: inc at {100 * stop:.0f}% minus at {50 * stop:.0f}%: {fmt(drop)}")
        dverdicts.append(verdict([drop], sign=-1))
    rows.append(row("Cumulative beats incremental once L is not small", "Fig. 1a, 1b",
                    measured, combine(verdicts)))
    rows.append(row("Incremental accuracy declines late", "Fig. 1a, 1b", decline,
                    combine(dverdicts)))

    first = datasets[0]
    m_cum = run(dataset=first, strategy="margin", mode="cumulative")
    fig1c = pick(df, figure="fig1c", dataset=first)
    s5e5 = fig1c[(fig1c.epochs == 5) & fig1c.eval_epochs.isna()]
    s1e5 = fig1c[(fig1c.epochs == 1) & (fig1c.eval_epochs == 5)]
    s5e1 = fig1c[(fig1c.epochs == 5) & (fig1c.eval_epochs == 1)]
    fig1d = pick(df, figure="fig1d", dataset=first)
    pairs = [("[5,5]-[1,5]", s5e5, s1e5), ("[1,1]-[5,1]", m_cum, s5e1),
             ("sel100-sel10", m_cum, fig1d[fig1d.hidden == 10]),
             ("sel100-sel1000", m_cum, fig1d[fig1d.hidden == 1000])]
    measured, verdicts = [], []
    for name, a, b in pairs:
        g = gaps(a, b, early)
        measured.append(f"{first} {name}: " + ", ".join(map(fmt, g)))
        verdicts.append(verdict(g))
    rows.append(row("Matching selection and evaluation networks is best", "Fig. 1c, 1d",
                    measured, combine(verdicts)))

    measured, verdicts = [], []
    for d in datasets:
        for strategy in ("least_confident", "least_squares"):
            g = gaps(pick(df, figure="fig8", dataset=d, strategy=strategy, mode="cumulative"),
                     run(dataset=d, strategy="entropy", mode="cumulative"), early)
            measured.append(f"{d} {strategy}-E: " + ", ".join(map(fmt, g)))
            verdicts.append(similar(g))
    rows.append(row("LC and LS behave like Entropy", "Fig. 8", measured, combine(verdicts)))

    measured, verdicts = [], []
    for d in datasets:
        g = gaps(run(dataset=d, strategy="margin", mode="incremental"),
                 run(dataset=d, strategy="margin", mode="cumulative"), late, "batch_margin")
        measured.append(f"{d}: I_B^M inc-cum " + ", ".join(map(fmt, g)))
        verdicts.append(verdict(g, sign=-1))
    rows.append(row("I_B^M falls earlier under incremental training", "Fig. 9, A.2", measured,
                    combine(verdicts)))

    fig10 = pick(df, figure="fig10")
    measured, verdicts = [], []
    for (d, hidden), g10 in fig10.groupby(["dataset", "hidden"]):
        cum = pick(g10, mode="cumulative")
        for other in ("entropy", "random"):
            g = gaps(pick(cum, strategy="margin"), pick(cum, strategy=other), early[1:2])
            measured.append(f"{d} ANN1({hidden}) M-{other[0].upper()}: {fmt(g[0])}")
            verdicts.append(at_least(g))
    rows.append(row("Capacity does not change the ranking (M >= E, M >= R)", "Fig. 10",
                    measured, combine(verdicts)))

    g10 = pick(fig10, dataset=first, strategy="margin")

    def cum_minus_inc(hidden):
        h = pick(g10, hidden=hidden)
        return _at(pick(h, mode="cumulative"), stop) - _at(pick(h, mode="incremental"),
                                                                     stop)

    gap = interval(cum_minus_inc(10) - cum_minus_inc(1000), stop)
    rows.append(row("Small networks suffer more under incremental training", "Fig. 10, A.3",
                    [f"{first}: (cum-inc) of ANN1(10) minus that of ANN1(1000): {fmt(gap)}"],
                    verdict([gap])))

    measured, verdicts = [], []
    for d in datasets:
        runs = pd.concat([pick(df, figure="fig11", dataset=d),
                          run(dataset=d, strategy="margin")])
        spread = {}
        for mode, g in runs.groupby("mode"):
            acc = g.groupby("acq_size").apply(lambda x: _at(x, stop).mean(),
                                              include_groups=False)
            spread[mode] = float(acc.max() - acc.min())
        measured.append(f"{d}: spread of test accuracy at {100 * stop:.0f}% over acquisition "
                        f"sizes: cumulative {spread['cumulative']:.3f}, incremental "
                        f"{spread['incremental']:.3f}")
        verdicts.append(HOLDS if spread["cumulative"] < spread["incremental"] else FAILS)
    rows.append(row("Cumulative training is insensitive to acquisition size, incremental "
                    "is sensitive", "Fig. 11", measured, combine(verdicts)))
    return pd.DataFrame(rows)


def arrivals(split: pd.DataFrame) -> pd.DataFrame:
    """The rounds (with their labeled fraction) at which a new pool subset had joined."""
    rounds = split.groupby("round")[["n_available", "frac_labeled"]].first()
    return rounds[rounds.n_available.diff() > 0]


def data_split_claims(df: pd.DataFrame, threshold: float = -0.5) -> pd.DataFrame:
    """The claims of Sec. 5, measured on notebook 03's runs. A 'zero phase' is the part of a
    stage during which the seed-mean I_B^M stays above `threshold` (close to 0, not -1)."""
    jumps, phases, rises, better = [], [], [], []
    v_jump, v_phase, v_rise, v_better = [], [], [], []
    for (d, figure), g in df.groupby(["dataset", "figure"], sort=False):
        split, whole = g[g.pool_splits > 1], g[g.pool_splits == 1]
        for r in arrivals(split).index:
            step = interval(split[split["round"] == r].set_index("seed").batch_margin
                            - split[split["round"] == r - 1].set_index("seed").batch_margin,
                            float(split[split["round"] == r].frac_labeled.iloc[0]))
            jumps.append(f"{d} {figure}: {fmt(step)}")
            v_jump.append(verdict([step]))
        mean = split.groupby("round")[["batch_margin", "n_labeled", "n_available"]].mean()
        lengths = [int((stage.batch_margin > threshold).sum() * split.acq_size.iloc[0])
                   for _, stage in mean.groupby("n_available")]
        phases.append(f"{d} {figure}: labels acquired per stage while I_B^M > {threshold}: "
                      f"{lengths}")
        v_phase.append(HOLDS if (np.diff(lengths) < 0).all() else FAILS)
        corr = []
        for _, s in split.groupby("seed"):
            gain = s.test_acc.diff().shift(-1)
            corr.append(s.batch_margin.corr(gain, method="spearman"))
        rho = interval(pd.Series(corr), float(split.frac_labeled.max()))
        rises.append(f"{d} {figure}: Spearman rho(I_B^M, next accuracy gain) "
                     f"{rho['mean']:+.2f} [{rho['low']:+.2f}, {rho['high']:+.2f}]")
        v_rise.append(verdict([rho]))
        fracs = [f for f in (0.25, 0.5, 0.75) if f <= split.frac_labeled.max()]
        gap = gaps(whole, split, fracs)
        better.append(f"{d} {figure}: complete-split " + ", ".join(map(fmt, gap)))
        v_better.append(at_least(gap))
    return pd.DataFrame([
        row("I_B^M jumps towards 0 when a new subset arrives, even late", "Fig. 3", jumps,
            combine(v_jump)),
        row("Each zero phase is shorter than the one before", "Fig. 3", phases,
            combine(v_phase)),
        row("Accuracy rises faster while I_B^M is high", "Fig. 3, Sec. 4", rises,
            combine(v_rise)),
        row("Having the whole pool from the start is at least as good", "Fig. 3", better,
            combine(v_better)),
    ])
