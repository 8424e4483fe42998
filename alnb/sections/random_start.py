"""Sec. 6, A.5 and A.6 (notebook 04): what an untrained network queries, random starts,
accuracy estimates from the start, and what Margin samples: the studies and their claims."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from alnb import align, results, runner, stats
from alnb import start as start_
from alnb.claims import EARLY, gaps, row, table
from alnb.config import ALConfig
from alnb.experiments import FORWARD_S, estimate_plan, estimate_seconds, run_plan
from alnb.loop import run_active_learning
from alnb.scales import Scale
from alnb.stats import ACC_MARGIN, CHECK, NOT_TESTED

ALPHAS = tuple(np.round(np.linspace(0, 1, 11), 2))


def class_bias(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 4 (top): class counts of the first query of untrained ANN1(100) under M, E, R."""
    st = sc.start
    spec = {"n_inits": st.n_inits, "n_pick": st.n_pick}
    return results.cached(cache_dir, "first-query", spec, ds, lambda: start_.first_query_counts(
        ds, ("margin", "entropy", "random"), st.n_inits, st.n_pick)).assign(dataset=ds.name)


def dark_bias(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 4 (bottom): informativeness of noise images against their black fraction alpha
    (the images are synthetic; `ds` only names the cache file)."""
    st = sc.start
    spec = {"alphas": ALPHAS, "n_inits": st.dark_inits, "n_images": st.n_dark,
            "sampler": "jax"}
    return results.cached(cache_dir, "dark-images", spec, ds,
                          lambda: start_.dark_image_informativeness(ALPHAS, st.dark_inits,
                                                                   st.n_dark))


def plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Fig. 5a and 13: Entropy, cumulative, from scratch and from random starts (on
    Fashion-MNIST as the paper, else the first dataset)."""
    d = "fashion_mnist" if "fashion_mnist" in datasets else datasets[0]
    return [("fig5a", d, {"strategy": "entropy", "initial_size": s,
                          "stop_frac": sc.stop("fig5a")})
            for s in (0, *sc.start.start_sizes)]


def accuracy_bounds(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 5b and 14: lower and upper estimates of test accuracy from the random start, for
    each start size and 1 or 5 epochs, Margin after the start."""
    st, frames = sc.start, []
    for size in st.bound_starts:
        for epochs in (1, 5):
            cfg = sc.config(len(ds.x_train), strategy="margin", initial_size=size,
                            epochs=epochs, seeds=st.bound_seeds or sc.seeds,
                            stop_frac=sc.stop("fig14"))
            spec = {**cfg.identity(), **({"every": st.bound_every} if st.bound_every > 1
                                         else {})}
            frames.append(results.cached(
                cache_dir, "bounds", spec, ds,
                lambda cfg=cfg: start_.accuracy_bounds(
                    ds, run_active_learning(ds, cfg, progress=False), cfg.selection_net,
                    st.bound_every))
                .assign(start_size=size, epochs=epochs))
    return pd.concat(frames, ignore_index=True).assign(dataset=ds.name)


def _subset_config(sc: Scale) -> ALConfig:
    """Fig. 12's cumulative Margin run, to the subset size."""
    st = sc.start
    return ALConfig(acq_size=st.subset_acq, n_rounds=st.subset // st.subset_acq + 1,
                    seeds=st.subset_seeds, pool_size=sc.pool_size)


def margin_subsets(ds, sc: Scale, cache_dir) -> pd.DataFrame:
    """Fig. 12 (A.5): ANN1(100) trained on QS-sampled, resampled and random subsets."""
    st, cfg = sc.start, _subset_config(sc)
    spec = {**cfg.identity(), "n": st.subset, "same_key_per_seed": True,
            "sampler": "jax"}
    return results.cached(cache_dir, "subsets", spec,
                          ds, lambda: start_.subset_accuracy(
                              ds, run_active_learning(ds, cfg, progress=False), st.subset,
                              cfg.selection_net)).assign(dataset=ds.name)


PAPER_HARD_CLASSES = {"mnist": {9, 8, 5, 3, 4}, "fashion_mnist": {0, 2, 4, 6}}


def query_bias(bias: pd.DataFrame, class_share: dict) -> list[dict]:
    """Fig. 4 top: an untrained network's first query, over initialisations."""
    tests, checks = [], []
    for d, g in bias.groupby("dataset", sort=False):
        n_pick = int(g[(g.init == 0) & (g.strategy == "random")]["count"].sum())
        expected = pd.Series(class_share[d]) * n_pick
        counts = {s: g[g.strategy == s].pivot(index="init", columns="class", values="count")
                  for s in ("margin", "entropy", "random")}
        if d == "fashion_mnist":
            for s in ("margin", "entropy"):
                tests.append(stats.superiority(f"{d} {s}: class 5 count beyond its share",
                                               (counts[s][5] - expected[5]).to_numpy()))
            tests.append(stats.superiority(f"{d}: class 5 count E-M",
                                           (counts["entropy"][5] - counts["margin"][5])))
            tol = 0.01 * n_pick
            checks += [stats.equivalence(f"{d} random: class {c} count minus share",
                                         counts["random"][c] - expected[c], tol)
                       for c in counts["random"].columns]
    if not tests:
        return [row("An untrained network's M and E over-pick class 5 (Sandal), E more",
                    "Fig. 4a-c", [], f"{NOT_TESTED} (needs fashion_mnist)",
                    ids=("S6.class-5", "S6.entropy-more", "S6.random-follows"))]
    return [row("An untrained network's M and E over-pick class 5 (Sandal), E more", "Fig. 4a-c",
                tests, ids=("S6.class-5", "S6.entropy-more")),
            row("R's first query follows the data (each class within 1% of the picks): a check "
                "of the sampler, not a finding", "Fig. 4a-c", checks,
                f"{CHECK}: {stats.claim_label(checks)}", ids=("S6.random-follows",))]


def dark_images(dark: pd.DataFrame) -> dict:
    """Fig. 4 bottom: informativeness against the black fraction, over initialisations."""
    tests, spread = [], {}
    for measure, g in dark.groupby("measure", sort=False):
        tests.append(stats.correlation(f"{measure}: rho(alpha, informativeness)",
                                       g.rename(columns={"init": "seed"}), "alpha",
                                       "informativeness", control=None))
        width = 1.0 if measure == "margin" else float(np.log(10))
        spread[measure] = g.pivot_table(index="init", columns="alpha",
                                        values="informativeness") / width
    # Spread over inits (SD per alpha, averaged), as a share of each measure's range;
    # the inits are the same networks for both measures, so they are paired.
    cols = spread["margin"].columns
    tests.append(stats.within(
        "spread over inits, margin minus entropy (share of range)",
        (spread["margin"].to_numpy(), spread["entropy"][cols].to_numpy()),
        lambda m, e: np.mean(m.std(axis=0, ddof=1)) - np.mean(e.std(axis=0, ddof=1)), 0.0))
    return row("Informativeness rises with the black fraction alpha for M and E; M varies "
               "more (SD over initialisations, as a share of each measure's range)", "Fig. 4d-f",
               tests, ids=("S6.dark-rises", "S6.margin-varies"))


def accuracy_estimates(bounds: pd.DataFrame) -> list[dict]:
    """Fig. 5b and 14: per seed, estimates against the truth, averaged over rounds."""
    b = bounds.assign(over=bounds.upper - bounds.test_acc,
                      under=bounds.test_acc - bounds.lower)
    per_seed = b.groupby(["start_size", "epochs", "seed"])[["over", "under"]].mean()
    between = []
    for (size, epochs), g in per_seed.groupby(level=[0, 1]):
        between.append(stats.superiority(f"start {size}, {epochs} epoch(s): upper-truth",
                                         g.over.to_numpy()))
        between.append(stats.superiority(f"start {size}, {epochs} epoch(s): truth-lower",
                                         g.under.to_numpy()))
    over = per_seed.over.groupby(level=[1, 2]).mean().unstack(0)  # seed x epochs
    close = [stats.equivalence("1 epoch: upper-truth", over[1]),
             stats.superiority("(upper-truth) with 5 epochs minus with 1", over[5] - over[1])]
    sizes = sorted(b.start_size.unique())
    pivot = {s: b[b.start_size == s].pivot_table(index="seed", columns=["epochs", "n_labeled"],
                                                 values="under") for s in sizes}
    small, large = sizes[0], sizes[-1]
    # Only the |L| both starts have: the small start's first rounds (from |L| = 2 x its start)
    # lie where the large one has none, and SDs differ with |L|.
    both = pivot[small].columns.intersection(pivot[large].columns)
    seeds = pivot[small].index.intersection(pivot[large].index)
    labels = sorted({n for _, n in both})
    noisier = [stats.within(
        f"SD over seeds of truth-lower, start {small} / {large}, at the {len(labels)} |L| both "
        f"have ({labels[0]}-{labels[-1]})",
        (pivot[small].loc[seeds, both].to_numpy(), pivot[large].loc[seeds, both].to_numpy()),
        lambda a, c: np.mean(np.std(a, axis=0, ddof=1)) / np.mean(np.std(c, axis=0, ddof=1)),
        1.0, log=True)] if labels else [stats.not_tested(
            f"SD over seeds of truth-lower, start {small} / {large}", "the starts share no |L|")]
    later = []
    for (size, epochs), g in b.groupby(["start_size", "epochs"]):
        rounds = sorted(g["round"].unique())
        third = max(1, len(rounds) // 3)
        for name, col in (("upper", "over"), ("lower", "under")):
            err = g.assign(err=g[col].abs()).pivot_table(index="seed", columns="round",
                                                         values="err")
            later.append(stats.superiority(
                f"start {size}, {epochs} epoch(s): |{name} - truth|, last third of rounds minus "
                "first third", err[rounds[-third:]].mean(axis=1) - err[rounds[:third]].mean(axis=1),
                sign=-1))
    worse = [stats.superiority(
        f"{epochs} epoch(s): truth-lower, start {large} minus start {small}, at the |L| both have",
        (pivot[large].loc[seeds, both].xs(epochs, axis=1, level=0).mean(axis=1)
         - pivot[small].loc[seeds, both].xs(epochs, axis=1, level=0).mean(axis=1)))
        for epochs in sorted({e for e, _ in both})]
    return [row("The true test accuracy lies between the lower and upper estimates (on "
                "average over rounds)", "Fig. 5b, 14", between, ids=("S6.between-bounds",),
                differs="averaged over each seed's rounds, for every start size and epoch count "
                        "(the paper's Fig. 5b: start 3000, 5 epochs)"),
            row(f"The upper estimate is close with 1 epoch (within {ACC_MARGIN}) and higher with "
                "5", "Fig. 14", close, ids=("A6.one-epoch-close", "A6.five-epochs-higher"),
                differs="averaged over rounds and start sizes; 'close' as ±0.01"),
            row(f"A start of {small} gives noisier estimates than {large}", "Fig. 14", noisier,
                ids=("A6.600-noisier",), differs="the lower estimate's SD over seeds"),
            row("The estimates are better after a large fraction is labeled (each estimate's "
                "error over the last third of the rounds against the first)", "Fig. 14", later,
                ids=("A6.better-late",)),
            row(f"A too large random start gives a worse lower estimate ({large} against "
                f"{small}, at the |L| both have)", "Fig. 14", worse,
                ids=("A6.large-start-lower",))]


def subset_claims(subsets: pd.DataFrame, class_share: dict) -> list[dict]:
    """Fig. 12: accuracy of networks trained on QS-sampled, resampled and random subsets."""
    rows, highest = [], []
    for d, g in subsets.groupby("dataset", sort=False):
        acc = g.pivot(index="seed", columns="subset", values="test_acc")
        highest += [stats.superiority(f"{d} QS-{other}", acc["QS sampled"] - acc[other])
                    for other in ("resampled", "random")]
        if d == "mnist":
            rows.append(row(f"MNIST: resampled ~ random (within {ACC_MARGIN})", "Fig. 12b", [
                stats.equivalence(f"{d} resampled-random", acc["resampled"] - acc["random"])],
                ids=("A5.mnist-resampled-random",)))
        elif d == "fashion_mnist":
            rows.append(row("Fashion-MNIST: resampled > random", "Fig. 12d", [
                stats.superiority(f"{d} resampled-random", acc["resampled"] - acc["random"])],
                ids=("A5.fashion-resampled",)))
        qs = g[g.subset == "QS sampled"].set_index("seed").filter(like="class_")
        share = qs.div(qs.sum(axis=1), axis=0)
        hard = sorted(PAPER_HARD_CLASSES.get(d, set()))
        others = [c for c in range(10) if c not in hard]
        tests = [stats.superiority(f"class {c} share minus pool share",
                                   share[f"class_{c}"] - class_share[d][c]) for c in hard]
        tests.append(stats.every(f"{d}: each of {hard} sampled more than each other class", [
            stats.superiority(f"class {c} minus class {o}",
                              share[f"class_{c}"] - share[f"class_{o}"])
            for c in hard for o in others]))
        rows.append(row(f"{d}: Margin's most sampled classes are the paper's {hard}, each above "
                        "its pool share", "Fig. 12a, 12c", tests,
                        ids=("A5.mnist-classes" if d == "mnist" else "A5.fashion-classes",),
                        differs="the set of the most sampled classes, not their order"))
    return [row("QS sampled gives the highest accuracy", "Fig. 12b, 12d", highest,
                ids=("A5.qs-highest",)), *rows]


def claims(runs: Runs) -> pd.DataFrame:
    """The claims of Sec. 6, A.5 and A.6, measured on the section's runs."""
    bias, dark, starts, bounds, subsets, class_share = runs
    rows = [*query_bias(bias, class_share), dark_images(dark)]
    scratch = starts[starts.initial_size == 0]
    big, small = starts.initial_size.max(), starts[starts.initial_size > 0].initial_size.min()
    d = starts.dataset.iloc[0]
    gain = {}
    for size, claim, kw, ids in (
            (big, "helps significantly", {}, ("S6.start-2000",)),
            (small, f"does not help significantly (gain < {ACC_MARGIN})",
             {"test": stats.noninferiority, "sign": -1}, ("S6.start-200",))):
        run = starts[starts.initial_size == size]
        fracs = [f for f in EARLY if f > size / align.labels_at(run, 1.0, "frac_labeled")]
        gain[size] = (run, fracs)
        rows.append(row(f"A random start of {size} {claim} (Entropy)", "Fig. 5a, 13",
                        gaps(f"{d} start-scratch", run, scratch, fracs, **kw), ids=ids))
    (small_run, fracs), (big_run, _) = gain[small], gain[big]
    rows.append(row(f"A random start of {small} improves accuracy, but less than {big} "
                    "(Entropy; 'not sufficiently large')", "Fig. 13", [
                        *gaps(f"{d} start {small}-scratch", small_run, scratch, fracs),
                        *gaps(f"{d} start {big} minus start {small}", big_run, small_run, fracs)],
                    ids=("A6.200-improves",)))
    rows += accuracy_estimates(bounds)
    rows += subset_claims(subsets, class_share)
    return table(rows)


class Runs(NamedTuple):
    bias: pd.DataFrame  # Fig. 4 top
    dark: pd.DataFrame  # Fig. 4 bottom
    starts: pd.DataFrame  # Fig. 5a, 13
    bounds: pd.DataFrame  # Fig. 5b, 14
    subsets: pd.DataFrame  # Fig. 12
    class_share: dict  # dataset -> its pool's class fractions


def run(sc: Scale, datasets: list[str], cache_dir) -> Runs:
    """Every study of the section, from the cache where it ran before."""
    data = {d: runner.dataset(d) for d in datasets}
    first = data[datasets[0]]
    return Runs(pd.concat([class_bias(data[d], sc, cache_dir) for d in datasets]),
                dark_bias(first, sc, cache_dir),
                run_plan(plan(sc, datasets), data, sc, cache_dir),
                accuracy_bounds(first, sc, cache_dir),
                pd.concat([margin_subsets(data[d], sc, cache_dir) for d in datasets]),
                {d: np.bincount(data[d].y_train, minlength=10) / len(data[d].y_train)
                 for d in datasets})


def study_costs(sc: Scale, datasets: list[str]) -> list[tuple[str, str, float]]:
    """(study, dataset, estimated seconds) for each study outside the AL plan. The accuracy
    bounds cost the AL run and two fresh fits per estimated round, each about as costly as a
    round of the run; Fig. 12 the Margin run and its fits; Fig. 4 a forward pass per
    untrained network."""
    st, first = sc.start, datasets[0]
    bounds = (1 + 2 / st.bound_every) * sum(
        estimate_seconds(sc.config(60000, strategy="margin", initial_size=s, epochs=e,
                                   seeds=st.bound_seeds or sc.seeds), 60000)
        for s in st.bound_starts for e in (1, 5))
    subsets = 2 * estimate_seconds(_subset_config(sc), 60000)
    first_query = st.n_inits * 60000 * FORWARD_S  # each untrained network scores the pool
    dark = st.dark_inits * len(ALPHAS) * st.n_dark * FORWARD_S
    return ([("class_bias", d, first_query) for d in datasets] + [("dark_bias", first, dark)]
            + [("margin_subsets", d, subsets) for d in datasets]
            + [("accuracy_bounds", first, bounds)])


def cost(sc: Scale, datasets: list[str]) -> float:
    """Estimated seconds on the 2-core CPU: the AL runs and the other studies."""
    return estimate_plan(plan(sc, datasets), sc) + sum(s for *_, s in study_costs(sc, datasets))
