"""Sec. 3 and A.1-A.4 (notebook 01): training modes, query strategies, selection and evaluation
networks, capacity and acquisition size: the plan, its runs and its claims."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alnb import align, diagnostics, runner, stats
from alnb import efficiency as label_efficiency
from alnb.claims import EARLY, gaps, pct, pick, reached, row, table, untested
from alnb.experiments import LATER, estimate_plan, run_plan
from alnb.scales import Scale
from alnb.scoring import PAPER_STRATEGIES, REGISTRY
from alnb.stats import ACC_MARGIN, NOT_TESTED, Test

# Fig. 10's runs per data set and network size: (strategy, mode).
FIG10_RUNS = (("margin", "incremental"), ("margin", "cumulative"), ("entropy", "incremental"),
              ("entropy", "cumulative"), ("random", "cumulative"))


def plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 01 (Sec. 3, A.1-A.4): (figure, dataset, config changes) for every run.

    Fig. 1c/1d use the first dataset (MNIST in the paper); [a, a] and the 100-unit selection
    network are Fig. 1's own margin runs. Below the paper's scale ANN1(1000) runs on the
    first dataset only, since it costs ten times ANN1(100); a scale with a tier 4 (study)
    runs it on the others there, and Fig. 10 to the end.
    """
    modes = ("incremental", "cumulative")
    plan = []
    for i, d in enumerate(datasets):
        for strategy in PAPER_STRATEGIES:
            fig = REGISTRY[strategy].figure
            plan += [(fig, d, {"strategy": strategy, "mode": m,
                               "stop_frac": sc.stop(fig, strategy)}) for m in modes]
        for hidden in (10, 1000):
            later = {"tier": LATER} if hidden == 1000 and i > 0 and sc.name != "paper" else {}
            if later and not sc.later_s:
                continue
            runs = [{"hidden": hidden, "strategy": s, "mode": m, **later} for s, m in FIG10_RUNS]
            plan += [("fig10", d, r) for r in runs]
            if sc.later_s and sc.stop("fig10") is not None and not later:
                # Tier 4: to the end, where A.3 sees incremental training decline; ANN1(1000)
                # cumulative to the end (6.5 h) is left out.
                plan += [("fig10", d, {**r, "stop_frac": None, "tier": LATER}) for r in runs
                         if hidden == 10 or r["mode"] == "incremental"]
        plan += [("fig11", d, {"acq_size": max(1, round(sc.acq_size * f)), "mode": m,
                               "stop_frac": sc.stop("fig11")})
                 for f in (0.25, 0.5, 2, 4) for m in modes]
    first = datasets[0]
    stop = {"stop_frac": sc.stop("fig1c")}
    plan += [("fig1c", first, {"epochs": a, "eval_hidden": 100, "eval_epochs": b, **stop})
             for a, b in ((1, 5), (5, 1))]
    plan.append(("fig1c", first, {"epochs": 5, **stop}))
    plan += [("fig1d", first, {"hidden": h, "eval_hidden": 100, "eval_epochs": 1, **stop})
             for h in (10, 1000)]
    return plan


def claims(df: pd.DataFrame) -> pd.DataFrame:
    """The claims of Sec. 3 and A.1-A.4, measured on notebook 01's runs."""
    datasets = list(dict.fromkeys(df.dataset))

    def run(**where):
        return pick(df, **{"figure": "fig1", "hidden": 100, **where})

    margin = {d: {m: run(dataset=d, strategy="margin", mode=m) for m in MODES}
              for d in datasets}
    fig10 = pick(df, figure="fig10")
    return table([*_strategy_rows(run, datasets), *_mode_rows(run, margin, datasets),
                  row("Matching selection and evaluation networks is best", "Fig. 1c, 1d",
                      _selection_networks(df, margin[datasets[0]]["cumulative"], datasets[0]),
                      ids=("S3.matching-networks",)),
                  _lc_ls_like_entropy(df, run, datasets),
                  row("I_B^M falls earlier under incremental training", "Fig. 9, A.2", [
                      t for d in datasets for t in gaps(
                          f"{d} I_B^M inc-cum", margin[d]["incremental"],
                          margin[d]["cumulative"], (0.25, 0.5), "batch_margin", sign=-1)],
                      ids=("A2.inc-earlier",), differs="compared at 25% and 50% labeled"),
                  *_timing_rows(margin),
                  *capacity_rows(fig10), small_networks_suffer(fig10, datasets[0]),
                  acquisition_size(df, datasets)])


MODES = ("cumulative", "incremental")


def _strategy_rows(run, datasets) -> list[dict]:
    """Fig. 1a/1b: Margin beats Random and Entropy early; Entropy is no better than Random;
    Random's two modes are alike; incremental Margin beats every other arm at first."""
    rows = [row(f"Margin beats {other.capitalize()} early", "Fig. 1a, 1b", [
        t for d in datasets for mode in MODES
        for t in gaps(f"{d} {mode} M-{other[0].upper()}",
                      run(dataset=d, strategy="margin", mode=mode),
                      run(dataset=d, strategy=other, mode=mode), EARLY)],
        ids=("S3.margin-early",) + (("S4.test-higher",) if other == "random" else ()))
            for other in ("random", "entropy")]
    rows.append(row("Entropy is no better than Random early (E - R < 0.01)", "Fig. 1a, 1b", [
        t for d in datasets for mode in MODES for t in gaps(
            f"{d} {mode} E-R", run(dataset=d, strategy="entropy", mode=mode),
            run(dataset=d, strategy="random", mode=mode), EARLY[:2],
            test=stats.noninferiority, sign=-1)], ids=("S3.entropy-random",)))
    rows.append(row(f"With Random, the two training modes are very similar (within "
                    f"{ACC_MARGIN})", "Fig. 1a, 1b", [
                        t for d in datasets for t in gaps(
                            f"{d} R cum-inc", run(dataset=d, strategy="random", mode="cumulative"),
                            run(dataset=d, strategy="random", mode="incremental"),
                            (*EARLY, 0.5, 0.75, 1.0), test=stats.equivalence)],
                    ids=("S3.random-modes",)))
    others = [(s, m) for s in ("margin", "entropy", "random") for m in MODES][1:]
    rows.append(row("Margin with incremental training outperforms the alternatives initially "
                    "(at 5% labeled)",
                    "Fig. 1a, 1b", [
                        t for d in datasets for s, m in others for t in gaps(
                            f"{d} M-inc minus {s[0].upper()}-{m[:3]}",
                            run(dataset=d, strategy="margin", mode="incremental"),
                            run(dataset=d, strategy=s, mode=m), EARLY[:1])],
                    ids=("S3.margin-inc-first",)))
    return rows


def _mode_rows(run, margin: dict, datasets) -> list[dict]:
    """Fig. 1a/1b under Margin: cumulative beats incremental, which declines late; on MNIST
    the two are alike up to 10,000 labels and cumulative leads after."""
    rows = [row("Cumulative beats incremental once L is not small, throughout the rest",
                "Fig. 1a, 1b", [
                    t for d in datasets for t in gaps(
                        f"{d} cum-inc", margin[d]["cumulative"], margin[d]["incremental"],
                        (0.25, 0.5, 0.75, 1.0))],
                ids=("S3.cum-beats-inc", "S3.cum-throughout"),
                differs="under Margin only (the paper's Fig. 1 shows Margin and Entropy)"),
            row("Incremental accuracy declines late (at the run's end against its half)",
                "Fig. 1a, 1b",
                [_change(f"{d} inc", margin[d]["incremental"], -1) for d in datasets],
                extra="; ".join(_located(f"{d}: the decline starts at",
                                         onset(margin[d]["incremental"], "test_acc", 0.005))
                                for d in datasets), ids=("S3.inc-declines",))]
    if "mnist" in margin:
        cum, inc = margin["mnist"]["cumulative"], margin["mnist"]["incremental"]
        tests = []
        for n, test in ((5000, stats.equivalence), (10000, stats.equivalence),
                        (15000, stats.superiority), (20000, stats.superiority),
                        (30000, stats.superiority)):
            what = f"mnist cum-inc at {n} labels"
            tests.append(test(what, align.compare(cum, inc, value=n)["diffs"])
                         if align.covers(cum, n) and align.covers(inc, n) else
                         stats.not_tested(what, "the runs stop before"))
        cross = crossover(cum, inc) / align.labels_at(cum, 1.0, "frac_labeled")
        tests.append(stats.equivalence("mnist: where cumulative leads by 0.01, minus the paper's "
                                       "10,000 labels (share of the pool)", cross - 10000 / 60000,
                                       ONSET_TOLERANCE)
                     if len(cross) else stats.not_tested("mnist crossover", "no lead of 0.01"))
        rows.append(row(f"MNIST: the modes are alike (within {ACC_MARGIN}) up to 10,000 labels "
                        "(at 5,000 and 10,000), cumulative better after (15,000-30,000; it "
                        "leads by 0.01 from about 10,000 on)", "Fig. 1a", tests,
                        extra=_located("cumulative leads by 0.01 from", cross),
                        ids=("S3.crossover",)))
    return rows


def crossover(cum: pd.DataFrame, inc: pd.DataFrame, lead: float = ACC_MARGIN,
              window: float = 0.05) -> pd.Series:
    """Per seed, the |L| from which cumulative leads incremental for good: the round after the
    last one at which the running mean (over a `window` share of the rounds) of cum - inc
    lies below `lead` (a first crossing would catch the noisy first rounds)."""
    gap = (cum.pivot(index="n_labeled", columns="seed", values="test_acc")
           - inc.pivot(index="n_labeled", columns="seed", values="test_acc")
           ).dropna(axis=1, how="all").dropna()  # the seeds and rounds both runs have
    smooth = align.running_mean(gap, window)
    out = {}
    for seed in gap.columns:
        behind = np.flatnonzero(smooth[seed].to_numpy() < lead)
        if not len(behind) or behind[-1] < len(gap) - 1:
            out[seed] = float(gap.index[behind[-1] + 1 if len(behind) else 0])
    return pd.Series(out, dtype=float).rename_axis("seed")


def _located(what: str, values: pd.Series) -> str:
    """A located point (a labeled fraction per seed) as mean [95% t interval] over seeds."""
    mean, low, high, n = stats.t_interval(values)
    if n == 0:
        return f"{what}: not found in the runs"
    return f"{what} {pct(mean)} [{pct(low)}, {pct(high)}] (n={n})"


def _lc_ls_like_entropy(df: pd.DataFrame, run, datasets) -> dict:
    """Fig. 8: Least Confidence and Least Squares are equivalent to Entropy early."""
    return row(f"LC and LS behave like Entropy (|difference| < {ACC_MARGIN})", "Fig. 8", [
        t for d in datasets for m in MODES for s in ("least_confident", "least_squares")
        for t in gaps(f"{d} {m} {s}-E", pick(df, figure="fig8", dataset=d, strategy=s, mode=m),
                      run(dataset=d, strategy="entropy", mode=m), EARLY,
                      test=stats.equivalence)],
        ids=("A1.lc-ls",), differs="at 5-25% labeled, where the runs stop")


def _change(what: str, run: pd.DataFrame, sign: int) -> Test:
    """Test accuracy at the run's end minus at half of it, per seed: a fall (sign -1) or a
    rise (+1)."""
    end = float(run.frac_labeled.max())
    return stats.superiority(f"{what} at {pct(end)} minus at {pct(end / 2)}",
                             align.change(run, end / 2, end, "frac_labeled"), sign=sign
                             )._replace(reach=end)


def _selection_networks(df: pd.DataFrame, m_cum: pd.DataFrame, first: str) -> list[Test]:
    """Fig. 1c/1d: [a, b] is a selection network of a epochs evaluated by one of b; the
    matched pair should win in each comparison."""
    fig1c = pick(df, figure="fig1c", dataset=first)
    s5e5 = fig1c[(fig1c.epochs == 5) & fig1c.eval_epochs.isna()]
    s1e5 = fig1c[(fig1c.epochs == 1) & (fig1c.eval_epochs == 5)]
    s5e1 = fig1c[(fig1c.epochs == 5) & (fig1c.eval_epochs == 1)]
    fig1d = pick(df, figure="fig1d", dataset=first)
    pairs = [("[5,5]-[1,5]", s5e5, s1e5), ("[1,1]-[5,1]", m_cum, s5e1),
             ("sel100-sel10", m_cum, fig1d[fig1d.hidden == 10]),
             ("sel100-sel1000", m_cum, fig1d[fig1d.hidden == 1000])]
    return [t for name, a, b in pairs for t in gaps(f"{first} {name}", a, b, EARLY)]


# A.2's percentages, read off the paper's Fig. 9, and how far from them ours may lie.
PAPER_ONSET = {"mnist": 0.20, "fashion_mnist": 0.40}
ONSET_TOLERANCE = 0.05


def onset(run: pd.DataFrame, column: str, drop: float, window: float = 0.05) -> pd.Series:
    """Per seed, the labeled fraction where `column` has started to fall: the first round at
    which its running mean over a `window` share of the rounds lies `drop` below its running
    maximum (I_B^M drifts down from 0 from the first rounds, so its maximum is no onset)."""
    out = {}
    for seed, s in run.dropna(subset=[column]).sort_values("n_labeled").groupby("seed"):
        curve = align.running_mean(s[column], window).to_numpy()
        top = np.maximum.accumulate(curve)
        below = np.flatnonzero(curve < top - drop)
        if len(below):
            out[seed] = float(s.frac_labeled.iloc[below[0]])
    return pd.Series(out, dtype=float).rename_axis("seed")


def _timing_rows(margin: dict) -> list[dict]:
    """A.2: where I_B^M starts to fall (against the paper's 20% and 40%), and whether that is
    where incremental Margin's test accuracy starts to decline (paired per seed)."""
    timing, same = [], []
    for d, runs in margin.items():
        starts = {mode: onset(run, "batch_margin", drop=0.1) for mode, run in runs.items()}
        for mode, start in starts.items():
            what = f"{d} {mode}: I_B^M starts to fall at"
            timing.append(stats.equivalence(f"{what} (minus the paper's {pct(PAPER_ONSET[d])})",
                                            start - PAPER_ONSET[d], ONSET_TOLERANCE)
                          if d in PAPER_ONSET and len(start) else
                          stats.not_tested(what, "no fall of 0.1 within the run"))
        fall, decline = starts["incremental"], onset(runs["incremental"], "test_acc", 0.005)
        same.append(stats.equivalence(f"{d} incremental: accuracy's decline minus I_B^M's fall",
                                      align.paired(decline, fall), ONSET_TOLERANCE)
                    if len(fall) and len(decline) else stats.not_tested(
                        f"{d} incremental: decline minus fall", "no decline within the run"))
    points = f"within {100 * ONSET_TOLERANCE:.0f} points; onset: where the smoothed curve " \
             "first lies below its maximum by"
    return [row(f"I_B^M starts to fall after 20% (MNIST) / 40% (Fashion-MNIST) labeled "
                f"({points} 0.1)", "Fig. 9, A.2", timing, ids=("A2.timing",)),
            row(f"Incremental Margin's accuracy starts to decline where its I_B^M starts to "
                f"fall ({points} 0.005 and 0.1)", "Fig. 9, 1a-b, A.2", same,
                ids=("A2.same-as-decline",))]


def _fig10_groups(fig10: pd.DataFrame) -> tuple[list, list[str]]:
    """Fig. 10's (data set, network size, runs) that have all of FIG10_RUNS cached, and a note
    for each one that waits on tier 4 for some."""
    groups, waiting = [], []
    for (d, hidden), g in fig10.groupby(["dataset", "hidden"]):
        if len(set(zip(g.strategy, g["mode"], strict=True))) == len(FIG10_RUNS):
            groups.append((d, hidden, g))
        else:
            waiting.append(f"ANN1({hidden}) on {d} not tested: some of its Fig. 10 runs are "
                           "tier 4's, not cached yet")
    return groups, waiting


def capacity_rows(fig10: pd.DataFrame) -> list[dict]:
    """Fig. 10 (A.3), per data set and network size: the strategy ranking under cumulative
    training, incremental's early advantage, Random against Margin on ANN1(10), and the
    incremental decline where the runs go to the end."""
    vs_r, vs_e, early, small = [], [], [], []
    groups, waiting = _fig10_groups(fig10)
    for d, hidden, g in groups:
        cum = pick(g, mode="cumulative")
        m, r = pick(cum, strategy="margin"), pick(cum, strategy="random")
        name = f"{d} ANN1({hidden})"
        fracs = [f for f in (*EARLY, 0.5, 0.75, 1.0) if f <= reached(m, r) + 1e-9]
        vs_r += gaps(f"{name} M-R", m, r, fracs, test=stats.noninferiority)
        vs_e += gaps(f"{name} M-E", m, pick(cum, strategy="entropy"), fracs)
        early += gaps(f"{name} M inc-cum", pick(g, strategy="margin", mode="incremental"), m,
                      EARLY[:2], test=stats.noninferiority)
        if hidden == 10:
            small += gaps(f"{name} M-R", m, r, fracs, test=stats.equivalence)

    def reach(g):  # where every run of g goes
        return float(g.groupby(["dataset", "strategy", "mode"]).frac_labeled.max().min())

    sizes = "; ".join([f"ANN1({h}) on {' and '.join(g.dataset.unique())}: " + ", ".join(
        f"{m} to {pct(reach(x))}" for m, x in g.groupby("mode"))
        for h, g in pd.concat([g for *_, g in groups]).sort_index().groupby("hidden")] + waiting)
    small_to = reach(pick(fig10, hidden=10, mode="cumulative"))
    return [row(f"Cumulative Margin is as good as or better than Random for each network size "
                f"(M >= R - {ACC_MARGIN})", "Fig. 10, A.3", vs_r,
                ids=("A3.margin-vs-random", "A3.consistent"), differs=sizes),
            row("Cumulative Margin outperforms Entropy for each network size", "Fig. 10, A.3",
                vs_e, ids=("A3.margin-vs-entropy", "A3.consistent"), differs=sizes),
            row(f"Incremental is comparable to cumulative early (inc >= cum - {ACC_MARGIN}), "
                "for each network size", "Fig. 10, A.3", early, ids=("A3.inc-early",),
                differs=f"Margin at 5% and 10%; {sizes}"),
            row(f"ANN1(10), cumulative: Random and Margin differ little (within {ACC_MARGIN})",
                "Fig. 10, A.3", small, ids=("A3.small-r-m",),
                differs="" if small_to == 1 else f"to {pct(small_to)} (the runs stop there)"),
            _capacity_decline(fig10)]


def _capacity_decline(fig10: pd.DataFrame) -> dict:
    """A.3: per network size whose incremental runs go to the end, Margin's and Entropy's
    incremental accuracy falls from half the run to its end, and cumulative Margin's rises
    over its run."""
    tests = []
    groups, short = _fig10_groups(fig10)
    for d, hidden, g in groups:
        name = f"{d} ANN1({hidden})"
        if reached(pick(g, mode="incremental")) < 1:
            short.append(f"{name} not tested (its incremental runs stop at "
                         f"{pct(reached(pick(g, mode='incremental')))}; tier 4 runs them on)")
            continue
        tests += [_change(f"{name} {s}", pick(g, strategy=s, mode="incremental"), -1)
                  for s in ("margin", "entropy")]
        cum = pick(g, strategy="margin", mode="cumulative")
        tests.append(_change(f"{name} cum margin", cum, +1))
        if reached(cum) < 1:
            short.append(f"{name}'s cumulative runs stop at {pct(reached(cum))}")
    if not tests:
        return untested("Incremental accuracy declines and cumulative rises, for each network "
                        "size", "Fig. 10, A.3", ("A3.inc-declines",),
                        "its Fig. 10 runs to the end are the campaign's tier 4, not cached yet")
    return row("Incremental accuracy declines and cumulative rises, for each network size",
               "Fig. 10, A.3", tests, ids=("A3.inc-declines",),
               differs="; ".join(short + ["between half of each run and its end; ANN1(100) "
                                          "is Fig. 1's row"]))


def small_networks_suffer(fig10: pd.DataFrame, d: str) -> dict:
    """(cum - inc) of ANN1(10) minus that of ANN1(1000), per seed, at the runs' last shared
    fraction."""
    g = pick(fig10, dataset=d, strategy="margin")
    stop = float(g.groupby(["hidden", "mode"]).frac_labeled.max().min())

    def cum_minus_inc(hidden):
        h = pick(g, hidden=hidden)
        return align.compare(pick(h, mode="cumulative"), pick(h, mode="incremental"),
                             at="frac_labeled", value=stop)["diffs"]

    tests = []
    if {10, 1000} <= set(g.hidden):
        tests.append(stats.superiority(f"{d} (cum-inc) ANN1(10) minus ANN1(1000) at {pct(stop)}",
                                       align.paired(cum_minus_inc(10), cum_minus_inc(1000)))
                     ._replace(reach=stop))
    return row("Small networks suffer more under incremental training", "Fig. 10, A.3", tests,
               None if tests else f"{NOT_TESTED} (needs ANN1(10) and ANN1(1000))",
               ids=("A3.small-suffers",),
               differs="(cum - inc) compared at the runs' last shared fraction (50%), on MNIST")


def acquisition_size(df: pd.DataFrame, datasets) -> dict:
    """Fig. 11 per mode, at 10%, 25% and the runs' last shared fraction: incremental's test
    accuracy depends on the acquisition size (Friedman's test, seeds as blocks), and
    cumulative's does not (every pair of sizes within ACC_MARGIN by TOST). A spread (max -
    min) would grow with seed noise alone, so it is not the statistic."""
    tests = []
    for d in datasets:
        runs = pd.concat([pick(df, figure="fig11", dataset=d),
                          pick(df, figure="fig1", dataset=d, strategy="margin", hidden=100)])
        stop = float(runs.groupby(["mode", "acq_size"]).frac_labeled.max().min())
        for f in sorted({0.1, 0.25, stop}):
            for mode, test, claim in (("cumulative", stats.all_equivalent, "does not matter"),
                                      ("incremental", stats.sensitivity, "matters")):
                what = f"{d} {mode}: acquisition size {claim} at {pct(f)}"
                if f > stop:
                    tests.append(stats.not_tested(what, f"the runs stop at {pct(stop)}"))
                    continue
                g = pick(runs, mode=mode)
                acc = pd.DataFrame({a: align.per_seed_at(x, f, "frac_labeled")
                                    for a, x in g.groupby("acq_size")})
                tests.append(test(what, acc)._replace(reach=stop))
    return row("Cumulative training is insensitive to acquisition size (every pair within "
               f"{ACC_MARGIN}), incremental is sensitive", "Fig. 11", tests,
               ids=("A4.inc-sensitive", "A4.cum-insensitive"),
               differs="at 10%, 25% and 60% labeled, where the runs stop")


def run(sc: Scale, datasets: list[str], cache_dir) -> pd.DataFrame:
    """Every run of the plan, from the cache where it ran before: one tidy frame."""
    return run_plan(plan(sc, datasets), {d: runner.dataset(d) for d in datasets}, sc, cache_dir)


def class_balance(df: pd.DataFrame) -> pd.DataFrame:
    """Beyond the paper: the rarest class's share of each batch and of L, per strategy,
    cumulative (alnb.diagnostics)."""
    return diagnostics.class_shares(pick(df, figure="fig1", hidden=100, mode="cumulative"))


def efficiency(df: pd.DataFrame) -> pd.DataFrame:
    """Beyond the paper: Margin's and Entropy's speed-up over Random in each mode, and each
    strategy's cumulative training against its incremental (Fig. 1's runs; alnb.efficiency)."""
    runs = pick(df, figure="fig1", hidden=100)
    return pd.concat([label_efficiency.versus_random(runs), label_efficiency.versus_mode(runs)],
                     ignore_index=True)


def cost(sc: Scale, datasets: list[str]) -> float:
    """Estimated seconds of the whole notebook on the 2-core CPU, cached runs included."""
    return estimate_plan(plan(sc, datasets), sc)
