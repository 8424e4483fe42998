"""The paper's figures, one function per figure, drawn from a section's runs with
`alnb.plotting`'s curves and captioned with the scale and seeds that made them. A notebook cell
is one call and a `savefig`."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from alnb import pseudo
from alnb.claims import next_gain, pick, span
from alnb.plotting import caption, grid, learning_curves, metric_grid, reference_band
from alnb.scales import Scale
from alnb.seed_counts import lowest_seeds

# --- notebook 01: training modes ---------------------------------------------------------------


def _with_run(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(run=df.strategy + " / " + df["mode"])


def fig1ab(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    runs = pick(df, figure="fig1")
    fig = grid(_with_run(runs), ["dataset"], hue="run", reference=reference)
    caption(fig, "Fig. 1a/1b: test accuracy, ANN1(100, 1 epoch)", sc.name, runs)
    return fig


def fig1cd(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    """[a, b]: a selection network of a epochs evaluated by one of b; the 100-unit selection
    network is Fig. 1's own Margin run on the first dataset. The full-data band is the
    evaluation network's, ANN1(100, 1 epoch), on 1d only: 1c mixes evaluations of 1 and 5
    epochs in one panel."""
    first = df.dataset.iloc[0]
    own = pick(df, figure="fig1", dataset=first, strategy="margin", mode="cumulative")
    c = pd.concat([own, pick(df, figure="fig1c")])
    c["legend"] = ("[" + c.epochs.astype(str) + ", "
                   + c.eval_epochs.fillna(c.epochs).astype(int).astype(str) + "]")
    d = pd.concat([own, pick(df, figure="fig1d")])
    d["legend"] = "selection ANN1(" + d.hidden.astype(str) + ")"
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    titles = ("Fig. 1c: epochs [selection, evaluation]", "Fig. 1d: hidden units")
    reference_band(axes[1], reference, d.assign(hidden=100), {"dataset": first})
    for ax, runs, title in zip(axes, (c, d), titles, strict=True):
        learning_curves(ax, runs, "legend")
        ax.set_title(f"{first}: {title}")
        ax.legend(fontsize="small")
    caption(fig, "Fig. 1c/1d: margin, cumulative", sc.name, pd.concat([c, d]))
    return fig


def fig8(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    runs = pd.concat([pick(df, figure="fig8"), pick(df, figure="fig1", strategy="random")])
    fig = grid(_with_run(runs), ["dataset"], hue="run", reference=reference)
    caption(fig, "Fig. 8: LC and LS, ANN1(100, 1 epoch)", sc.name, runs)
    return fig


def fig9(df: pd.DataFrame, sc: Scale):
    runs = pick(df, figure="fig1", strategy="margin")
    fig = grid(runs, ["dataset"], hue="mode", y="batch_margin")
    caption(fig, "Fig. 9: mean margin informativeness of the selected batch", sc.name, runs)
    return fig


def fig10(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    runs = pick(df, figure="fig10")
    fig = grid(_with_run(runs), ["dataset", "hidden"], hue="run", reference=reference)
    caption(fig, "Fig. 10: ANN1(10) and ANN1(1000), 1 epoch", sc.name, runs)
    return fig


def fig11(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    runs = pd.concat([pick(df, figure="fig11"), pick(df, figure="fig1", strategy="margin")])
    fig = grid(runs, ["dataset", "mode"], hue="acq_size", label=lambda a: f"acquisition {a}",
               reference=reference)
    caption(fig, "Fig. 11: margin, ANN1(100, 1 epoch)", sc.name, runs)
    return fig


# --- notebook 02: informativeness --------------------------------------------------------------

def _cifar_note(df: pd.DataFrame, sc: Scale) -> str:
    if sc.name == "paper" or "cifar10" not in set(df.dataset):
        return ""
    return "; CIFAR-10 reduced: " + ", ".join(f"{k} {v}" for k, v in sc.cifar.changes().items())


def fig2(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    fig = metric_grid(df, ["test_acc", "train_acc_running", "train_acc", "batch_margin"],
                      "dataset", hue="strategy", label={"margin": "M", "random": "R (MOR)"}.get,
                      reference=reference)
    caption(fig, f"Fig. 2: M and R, cumulative{_cifar_note(df, sc)}", sc.name, df)
    return fig


def stopping_rule(df: pd.DataFrame, stops: pd.DataFrame, sc: Scale):
    """Top: a round's I_B^M against the next round's accuracy gain (colour: % labeled).
    Bottom: Margin's curve with where "stop at I_B^M < threshold" stops."""
    margin = df[df.strategy == "margin"]
    margin = margin.assign(next_gain=next_gain(margin))
    names = list(dict.fromkeys(margin.dataset))
    fig, axes = plt.subplots(2, len(names), figsize=(4.6 * len(names), 6.4), squeeze=False)
    for j, (d, g) in enumerate(margin.groupby("dataset", sort=False)):
        points = axes[0, j].scatter(g.batch_margin, g.next_gain, c=100 * g.frac_labeled, s=10)
        axes[0, j].set(title=d, xlabel=r"$\bar I^M_B$ of round",
                       ylabel="next round's accuracy gain")
        learning_curves(axes[1, j], g, "strategy", label=lambda _: "M")
        for t in stops[stops.dataset == d].itertuples():
            axes[1, j].axvline(100 * t.stop_frac, color="grey", linestyle=":", linewidth=0.8)
            axes[1, j].text(100 * t.stop_frac, axes[1, j].get_ylim()[0], f" {t.threshold:g}",
                            rotation=90, va="bottom", fontsize="x-small")
    fig.colorbar(points, ax=axes[0, -1], label="% labeled")
    fig.tight_layout()
    caption(fig, f"I_B^M against accuracy gain, and where 'stop at I_B^M < threshold' stops"
            f"{_cifar_note(df, sc)}", sc.name, margin)
    return fig


# --- notebook 03: data split -------------------------------------------------------------------

def fig3(df: pd.DataFrame, sc: Scale, y: str, arrivals, reference: pd.DataFrame | None = None):
    """Complete pool against pools that arrive in subsets; dashed lines where a subset joins
    (`arrivals(split_runs)` gives those rounds)."""
    df = df.assign(pool=df.pool_splits.map(lambda d: "complete pool" if d == 1
                                           else f"{d} subsets"))
    fig = grid(df, ["dataset", "figure"], hue="pool", y=y, reference=reference)
    for ax, (_, g) in zip(fig.axes, df.groupby(["dataset", "figure"], sort=False), strict=True):
        for frac in arrivals(g[g.pool_splits > 1]).frac_labeled:
            ax.axvline(100 * frac, color="grey", linestyle="--", linewidth=0.8)
    what = "test accuracy" if y == "test_acc" else "I_B^M"
    caption(fig, f"Fig. 3: {what}, margin, cumulative", sc.name, df)
    return fig


# --- notebook 04: random start -----------------------------------------------------------------

def fig4(bias: pd.DataFrame, dark: pd.DataFrame, sc: Scale):
    """Class counts of the first query over fresh initializations, and the informativeness of
    noise images by their fraction of black pixels."""
    st, n = sc.start, bias.dataset.nunique()
    fig, axes = plt.subplots(1, n + 2, figsize=(5 * n + 8, 3.8))
    for ax, (d, g) in zip(axes, bias.groupby("dataset", sort=False), strict=False):
        sns.boxplot(g, x="class", y="count", hue="strategy", ax=ax, fliersize=1, linewidth=0.6)
        ax.set(title=f"{d}: first {st.n_pick} picks, {st.n_inits} inits")
    for ax, (measure, g) in zip(axes[n:], dark.groupby("measure", sort=False), strict=True):
        sns.lineplot(g, x="alpha", y="informativeness", errorbar="sd", ax=ax, marker="o")
        ax.set(title=f"I^{measure[0].upper()} of noise images ({st.dark_inits} inits, ± sd)",
               xlabel="fraction of black pixels α")
    fig.tight_layout()
    caption(fig, "Fig. 4: class counts of the first query and informativeness of dark images",
            sc.name, st.n_inits)
    return fig


def fig5a(starts: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    fig = grid(starts, ["dataset"], hue="initial_size",
               label=lambda s: "from scratch" if s == 0 else f"random start {s}",
               reference=reference)
    caption(fig, "Fig. 5a / 13: Entropy, cumulative, with and without a random start", sc.name,
            starts)
    return fig


def fig5b(bounds: pd.DataFrame, sc: Scale, dataset: str):
    """The lower and upper estimates of test accuracy from the random start, beside the true
    one, per start size and epochs."""
    long = bounds.melt(id_vars=["start_size", "epochs", "seed", "frac_labeled"],
                       value_vars=["lower", "test_acc", "upper"], var_name="estimate",
                       value_name="accuracy")
    long["estimate"] = long.estimate.map({"lower": "lower: train L without L_t, test L_t",
                                          "test_acc": "true test accuracy",
                                          "upper": "upper: train L, test L_t"})
    long["setting"] = ("start " + long.start_size.astype(str) + ", "
                       + long.epochs.astype(str) + " epoch(s)")
    fig = grid(long, ["setting"], hue="estimate", y="accuracy")
    caption(fig, f"Fig. 5b / 14: accuracy estimates from the random start, {dataset}, Margin",
            sc.name, bounds.seed.nunique())
    return fig


def fig12(subsets: pd.DataFrame, class_share: dict, sc: Scale):
    """Top: class shares of the QS-sampled and random subsets beside the pool's. Bottom: the
    test accuracy of a network trained on each subset."""
    st, n = sc.start, subsets.dataset.nunique()
    fig, axes = plt.subplots(2, n, figsize=(5.2 * n, 7), squeeze=False)
    for j, (d, g) in enumerate(subsets.groupby("dataset", sort=False)):
        share = g.groupby("subset").sum().filter(like="class_")
        share = share.div(share.sum(axis=1), axis=0).T.set_axis(range(10))
        share["pool"] = class_share[d]
        share[["QS sampled", "random", "pool"]].plot.bar(ax=axes[0, j], width=0.8)
        axes[0, j].set(title=f"{d}: class shares of {st.subset}", xlabel="class", ylabel="share")
        sns.boxplot(g, x="subset", y="test_acc", ax=axes[1, j],
                    order=["QS sampled", "resampled", "random"])
        sns.stripplot(g, x="subset", y="test_acc", ax=axes[1, j], color="k", size=3,
                      jitter=False)
    fig.tight_layout()
    caption(fig, "Fig. 12: QS sampled, resampled and random subsets", sc.name, st.subset_seeds)
    return fig


# --- notebook 05: GPLA -------------------------------------------------------------------------

def fig6(search: pd.DataFrame, sc: Scale, dataset: str):
    """Test accuracy after GPLA against the threshold ξ with the paper's k-NN fit and its ξ*,
    and the fraction of wrong pseudo-labels."""
    grid_runs, hard = search[search.rule == "grid"], search[search.rule == "hardest"]
    mean = grid_runs.groupby("threshold")[["after_acc", "pseudo_error"]].mean()
    k = max(1, round(0.3 * len(mean)))
    xi = pseudo.best_threshold(mean.index, mean.after_acc, k)
    xs = np.linspace(-1, 0, 201)
    fig, (ax_acc, ax_err) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_acc.scatter(grid_runs.threshold, grid_runs.after_acc, s=8, alpha=0.6,
                   label="after GPLA, per seed")
    ax_acc.plot(xs, pseudo.knn_fit(mean.index, mean.after_acc, k, xs), label=f"k-NN fit (k={k})")
    ax_acc.axvline(xi, color="grey", linestyle="--", label=f"ξ* = {xi:.2f}")
    ax_acc.scatter(hard.threshold, hard.after_acc, marker="*", s=80, color="k",
                   label="hardest ξ with |S| > N", zorder=3)
    ax_acc.axhline(search.before_acc.mean(), color="k", linewidth=0.8, label="before GPLA")
    ax_acc.axhline(grid_runs[grid_runs.all_added].after_acc.mean(), color="C3", linewidth=0.8,
                   label="'All added'")
    ax_acc.set(xlabel="threshold ξ", ylabel="test accuracy")
    ax_err.scatter(grid_runs.threshold, grid_runs.pseudo_error, s=8, alpha=0.6)
    ax_err.plot(mean.index, mean.pseudo_error, color="C1", label="mean over seeds")
    ax_err.set(xlabel="threshold ξ", ylabel="fraction of wrong pseudo-labels")
    for ax in (ax_acc, ax_err):
        ax.legend(fontsize="x-small")
    fig.tight_layout()
    caption(fig, f"Fig. 6: GPLA on {dataset}, Margin, p = {sc.gpla.p_search}", sc.name,
            sc.seeds)
    return fig


def _per_dataset(frame: pd.DataFrame, height: float):
    names = list(dict.fromkeys(frame.dataset))
    fig, axes = plt.subplots(1, len(names), figsize=(5.2 * len(names), height), squeeze=False)
    return fig, zip(axes[0], frame.groupby("dataset", sort=False), strict=True)


def fig7(before_after: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    """Test accuracy before and after GPLA (hardest threshold) against the oracle's labels,
    with the full-data band of GPLA's network, ANN1(100, 1 epoch)."""
    fig, panels = _per_dataset(before_after, 3.8)
    for ax, (d, g) in panels:
        reference_band(ax, reference, g, {"dataset": d})
        long = g.melt(id_vars=["strategy", "seed", "n_labeled"],
                      value_vars=["before_acc", "after_acc"], var_name="when",
                      value_name="test_acc")
        long["run"] = (long.strategy.map({"margin": "M", "random": "R"})
                       + long.when.map({"before_acc": ", before", "after_acc": ", after GPLA"}))
        learning_curves(ax, long, "run", x="n_labeled", marker="o", markersize=3)
        ax.set(xscale="log", xlabel="p (labels from the oracle)", title=d)
        ax.legend(fontsize="small")
    fig.tight_layout()
    caption(fig, "Fig. 7 / 15: before and after GPLA (hardest threshold)", sc.name, sc.seeds)
    return fig


def gpla_in_loop(loop: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    fig, panels = _per_dataset(loop, 3.6)
    for ax, (d, g) in panels:
        reference_band(ax, reference, g, {"dataset": d})
        learning_curves(ax, g, "run", x="n_labeled")
        ax.set(xlabel="labels from the oracle", title=d)
        ax.legend(fontsize="small")
    fig.tight_layout()
    caption(fig, "Margin with and without GPLA after every round", sc.name, sc.seeds)
    return fig


# --- notebook 06: beyond the paper -------------------------------------------------------------

def beyond_curves(df: pd.DataFrame, sc: Scale, reference: pd.DataFrame | None = None):
    """Test accuracy against |L|, up to where every strategy's runs go."""
    end = df.groupby(["dataset", "strategy"]).frac_labeled.max().min()
    fig = grid(df[df.frac_labeled <= end], ["dataset"], hue="strategy", reference=reference)
    caption(fig, "Margin, Entropy, Random, BALD, BADGE and Core-Set: ANN1(100, 1 epoch), "
            f"cumulative, to {100 * end:.0f}% labeled", sc.name, df)
    return fig


def beyond_differences(diffs: pd.DataFrame, sc: Scale):
    """Each strategy minus Margin at the same labeled fraction, with its 95% interval over
    seeds; the dotted band is the ±0.01 margin of the non-inferiority claims."""
    fig, panels = _per_dataset(diffs, 3.8)
    for ax, (d, g) in panels:
        for s, h in g.groupby("strategy", sort=False):
            (line,) = ax.plot(100 * h.frac_labeled, h["mean"], marker="o", markersize=3, label=s)
            ax.fill_between(100 * h.frac_labeled, h.low, h.high, color=line.get_color(),
                            alpha=0.2, linewidth=0)
        for y in (-0.01, 0.0, 0.01):
            ax.axhline(y, color="grey", linewidth=0.8, linestyle=":" if y else "-")
        ax.set(title=d, xlabel="% of the pool labeled", ylabel="test accuracy minus Margin's")
        ax.legend(fontsize="small")
    fig.tight_layout()
    caption(fig, "Difference to Margin (paired over seeds, same |L|)", sc.name,
            span(diffs["n"]))
    return fig


def round_costs(costs: pd.Series):
    """Seconds per round of each strategy at |L| = 12,000, from `make bench`."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.bar(costs.index, costs.to_numpy(), color=[f"C{i}" for i in range(len(costs))])
    for x, v in enumerate(costs):
        ax.text(x, v, f"{v / costs['margin']:.1f}x", ha="center", va="bottom")
    ax.set(ylabel="seconds per round and run", title="a round at |L| = 12,000, 8 seeds vmapped")
    fig.suptitle("Wall time per round by strategy  [make bench, Fashion-MNIST, 2-core CPU]",
                 fontsize="medium", y=1.04)
    return fig


def _one_two_five(v: float, _pos=None) -> str:
    """A log axis labeled at 1, 2 and 5 times a power of ten, in plain numbers."""
    mantissa = round(v / 10 ** np.floor(np.log10(v)), 6) if v > 0 else 0
    return f"{v:g}" if mantissa in (1, 2, 5) else ""


def label_efficiency(t: pd.DataFrame, sc: Scale):
    """Beyond the paper: each strategy's speed-up over Random (Random's labels at 5, 10 and
    25% of the pool over the labels the strategy needs for Random's accuracy there), and
    cumulative training's over incremental where `t` has it; the geometric mean over seeds
    with its 95% interval, one row of panels per data set, one column per comparison."""
    datasets, modes = list(dict.fromkeys(t.dataset)), list(dict.fromkeys(t["mode"]))
    color = {name: f"C{i}" for i, name in enumerate(dict.fromkeys(t.run))}  # one per run
    fig, axes = plt.subplots(len(datasets), len(modes), figsize=(4.6 * len(modes),
                                                                 3.4 * len(datasets)),
                             squeeze=False, sharey=True)
    for (i, d), (j, mode) in itertools.product(enumerate(datasets), enumerate(modes)):
        ax, g = axes[i, j], t[(t.dataset == d) & (t["mode"] == mode)]
        if g.empty:
            ax.axis("off")
            continue
        names = list(dict.fromkeys(g.run))
        for k, (name, h) in enumerate(g.groupby("run", sort=False)):
            x = np.arange(len(h)) + (k - (len(names) - 1) / 2) * 0.8 / len(names)
            ax.errorbar(x, h.speedup, yerr=[h.speedup - h.low, h.high - h.speedup], fmt="o",
                        capsize=3, label=name, color=color[name])
            for xi, never in zip(x, h.never, strict=True):
                if never:
                    ax.annotate(f"{never} never", (xi, 1), fontsize="x-small", rotation=90)
        ax.axhline(1, color="grey", linewidth=0.8)
        ax.set_yscale("log")
        for axis in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
            axis(matplotlib.ticker.FuncFormatter(_one_two_five))
        against = "incremental's" if "vs" in mode else "Random's"
        ax.set_xticks(range(len(h)), [f"{100 * f:.0f}%" for f in h.frac])
        ax.set(title=f"{d}, {mode}", xlabel=f"{against} labeled share of the pool",
               ylabel=f"labels saved: {against} / the run's")
        ax.legend(fontsize="small")
    fig.tight_layout()
    caption(fig, "Label efficiency against Random (beyond the paper; 1 = no saving)", sc.name,
            span(t.n[t.n > 0]))
    return fig


def class_balance(shares: pd.DataFrame, sc: Scale):
    """Beyond the paper: the least-represented class's share of each batch and of L, per
    strategy (alnb.diagnostics.class_shares); the dotted line is a perfect balance, 1 / C."""
    fig = metric_grid(shares, ["min_batch_share", "min_l_share"], "dataset", hue="strategy")
    for ax in fig.axes:
        ax.axhline(0.1, color="grey", linestyle=":", linewidth=0.8)
    caption(fig, "Class balance of the batches and of L, cumulative (beyond the paper)",
            sc.name, shares)
    return fig


def seed_counts(t: pd.DataFrame, sc: Scale):
    """Beyond the paper: per claims row on at least 10 seeds, how often its verdict from 3 or
    5 of them agrees with the verdict at all (Wilson 95% interval over the random subsets),
    and how often it takes the opposite side (x); None where no row has 10 seeds."""
    if t.empty:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(t) + 1.4))
    y = np.arange(len(t))[::-1]
    for k, dy, color in ((3, 0.15, "C1"), (5, -0.15, "C0")):
        mid = t[f"agree_{k}"].to_numpy(float)
        ax.errorbar(mid, y + dy, xerr=[mid - t[f"agree_low_{k}"], t[f"agree_high_{k}"] - mid],
                    fmt="o", color=color, capsize=3, label=f"agrees, {k} seeds")
        ax.scatter(t[f"opposite_{k}"], y + dy, marker="x", color=color,
                   label=f"opposite side, {k} seeds")
    labels = [f"{c[:55]}{'…' * (len(c) > 55)} ({v}, {s} seeds)"
              for c, v, s in zip(t.claim, t.verdict, t.seeds, strict=True)]
    ax.set_yticks(y, labels, fontsize="x-small")
    ax.set(xlim=(-0.03, 1.03), xlabel="share of random seed subsets")
    ax.legend(fontsize="x-small", loc="lower left", bbox_to_anchor=(1.01, 0))
    caption(fig, "Does the verdict hold with fewer seeds? (beyond the paper)", sc.name,
            span(t.seeds.map(lowest_seeds)))
    return fig
