"""Sec. 4 (notebook 02, Fig. 2): informativeness as a label-free signal, and beyond the paper
a stopping rule on it: the plan, its runs and its claims."""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import pandas as pd

from alnb import align, runner, scales, stats
from alnb.claims import EARLY, gain_contrast, gain_correlation, gaps, pct, pick, reached, row, table
from alnb.experiments import estimate_plan, run_plan
from alnb.scales import Scale
from alnb.stats import NOT_TESTED, SEE, Test

DATASETS = ("mnist", "fashion_mnist", "cifar10")


def datasets(sc: Scale, text: str) -> list[str]:
    """Notebook 02's `datasets` parameter, checked; empty: all three."""
    if not str(text).strip():
        return list(DATASETS)
    return scales.parse_datasets(text, allowed=DATASETS)


def plan(sc: Scale, datasets: list[str]) -> list[tuple[str, str, dict]]:
    """Notebook 02 (Sec. 4, Fig. 2): Margin and Random, cumulative, pools to exhaustion.
    MNIST and Fashion-MNIST with ANN1(100, 1 epoch); CIFAR-10 with CNN1, 50 epochs at paper
    scale and the scale's reduced setting (Scale.cifar) below it."""
    plan = []
    for d in datasets:
        changes = {"stop_frac": None}
        if d == "cifar10":
            changes |= {"model": "cnn1", "epochs": 50}
            changes |= sc.cifar.changes()
        plan += [("fig2", d, {**changes, "strategy": s}) for s in ("margin", "random")]
    return plan


def stopping_rule(runs: pd.DataFrame, thresholds=(-0.1, -0.3, -0.5, -0.7, -0.9),
                  tol: float = 0.01, window: float = 0.05) -> pd.DataFrame:
    """Beyond Sec. 4: the rule "stop labeling once I_B^M < threshold", per seed of one run.

    The rule stops after the first trained round whose selected batch has I_B^M below the
    threshold (the run's end if none). Accuracy is read from each seed's smoothed curve: a
    centred running mean over a `window` share of the rounds (25 of 500 at acquisition 120), made
    non-decreasing by isotonic regression, since under cumulative training more labels do not
    lower the expected accuracy. The raw maximum of ~500 noisy rounds sits about a point above
    the curve, so even "label everything" would show a loss; isotonic regression alone still
    spikes at the last rounds. `best` is the fit's maximum (its last value), the plateau the
    first round whose fit is within `tol` of it. One row per threshold: where the rule
    stopped, the accuracy it gave up (`acc_loss`, best minus the fit at the stop) and how far
    past the plateau it stopped (`lag`), each a mean over seeds with a t interval at the level
    Bonferroni's correction over the thresholds gives (so the best of several thresholds is
    still a 95% claim).
    """
    level = 1 - 2 * stats.ALPHA / len(thresholds)
    rows = []
    for threshold in thresholds:
        stop, loss, plateau = [], [], []
        for _, s in runs.sort_values("round").groupby("seed"):
            fit = align.rising(s.test_acc, window)
            best = fit.max()
            below = np.flatnonzero((s["round"] > 0).to_numpy()
                                   & (s.batch_margin < threshold).to_numpy())
            at = below[0] if len(below) else len(s) - 1
            stop.append(s.frac_labeled.iloc[at])
            loss.append(best - fit[at])
            plateau.append(s.frac_labeled.iloc[np.flatnonzero(fit >= best - tol)[0]])
        row_ = {"threshold": threshold, "level": level}
        for name, v in (("stop_frac", stop), ("acc_loss", loss), ("plateau_frac", plateau),
                        ("lag", np.subtract(stop, plateau))):
            row_[name], row_[f"{name}_low"], row_[f"{name}_high"], row_["n_seeds"] = \
                stats.t_interval(v, level)
            row_[f"{name}_values"] = list(v)
        rows.append(row_)
    return pd.DataFrame(rows)


def _stopping_test(d: str, t: pd.DataFrame, max_loss: float = 0.01, max_lag: float = 0.1) -> Test:
    """Supported when some threshold's (Bonferroni-level) intervals show a loss below max_loss
    and a stop within max_lag after the plateau; contradicted when every threshold's
    intervals exceed one. p: Bonferroni over the thresholds of the best threshold's
    intersection-union p (both bounds must hold)."""
    k = len(t)

    def p_ok(r):
        return max(stats._t_p(np.asarray(r.acc_loss_values) - max_loss, -1),
                   stats._t_p(np.asarray(r.lag_values) - max_lag, -1))

    def p_bad(r):
        return min(1.0, 2 * min(stats._t_p(np.asarray(r.acc_loss_values) - max_loss, 1),
                                stats._t_p(np.asarray(r.lag_values) - max_lag, 1)))

    ok = t[(t.acc_loss_high < max_loss) & (t.lag_high < max_lag)]
    bad = (t.acc_loss_low > max_loss) | (t.lag_low > max_lag)
    best = ok.iloc[0] if len(ok) else t.loc[(t.acc_loss + t.lag).idxmin()]
    label = stats.SUPPORTED if len(ok) else stats.CONTRADICTED if bad.all() else \
        stats.INCONCLUSIVE
    return Test(f"{d}: I_B^M < {best.threshold:g} loses", best.acc_loss, best.acc_loss_low,
                best.acc_loss_high, int(best.n_seeds), label,
                min(1.0, k * min(p_ok(r) for r in t.itertuples())),
                note=f"stops {100 * best.lag:+.0f} [{100 * best.lag_low:+.0f}, "
                     f"{100 * best.lag_high:+.0f}] points after the plateau at "
                     f"{pct(best.plateau_frac)}; running mean over 5% of the rounds, isotonic; "
                     f"{100 * best.level:.0f}% intervals (Bonferroni over {k} thresholds: "
                     + ", ".join(f"{x:g}" for x in t.threshold) + ")",
                p_other=max(p_bad(r) for r in t.itertuples()))


def _scan(d: str, run: pd.DataFrame, train: str) -> Test:
    """'Sometimes': test minus train accuracy over every round of one run, as one sub-claim
    with the scan's own multiplicity (stats.multiple)."""
    m = run.dropna(subset=[train])
    diff = m.pivot(index="seed", columns="n_labeled", values="test_acc") - m.pivot(
        index="seed", columns="n_labeled", values=train)
    ts = [stats.superiority(f"|L|={n}", diff[n]) for n in diff.columns]
    return stats.multiple(f"{d} {{best}}", ts)._replace(reach=reached(m))


def _test_exceeds_train(d: str, m: pd.DataFrame, r: pd.DataFrame) -> list[Test]:
    """Under M, test accuracy above train accuracy in some round, with Keras' running train
    accuracy and with the inference-mode one; and, since the running accuracy (dropout on,
    averaged over the epoch) lies below the test accuracy under R too, the paper's reading
    (M picks hard examples) as the contrast: M's test - train above R's early."""
    contrast = [m.assign(gap=m.test_acc - m.train_acc_running),
                r.assign(gap=r.test_acc - r.train_acc_running)]
    return [_scan(f"{d} M test-running train at", m, "train_acc_running"),
            _scan(f"{d} M test-train (inference mode) at", m, "train_acc"),
            *gaps(f"{d} (test-running train) M-R", *contrast, EARLY, "gap")]


def _margin_falls(d: str, m: pd.DataFrame) -> list[Test]:
    """I_B^M falls with |L| (a plain trend), and with train accuracy beyond that trend."""
    return [t._replace(reach=reached(m)) for t in (
        stats.correlation(f"{d} rho(I_B^M, |L|)", m, "batch_margin", "n_labeled", sign=-1,
                          control=None),
        stats.correlation(f"{d} rho(I_B^M, train accuracy | |L|)", m, "batch_margin",
                          "train_acc_running", sign=-1))]


def _train_falls(m: pd.DataFrame, r: pd.DataFrame) -> list[Test]:
    """CIFAR-10: train accuracy at the end minus at the first trained round, under M and R."""
    start = float(m.dropna(subset=["train_acc_running"]).frac_labeled.min())
    end = float(m.frac_labeled.max())
    return [stats.superiority(f"cifar10 {name} train accuracy at {pct(end)} minus at "
                              f"{pct(start)}", align.change(x, start, end, "frac_labeled",
                                                            "train_acc_running"), sign=-1
                              )._replace(reach=end)
            for name, x in (("M", m), ("R", r))]


def _judged(judged: list[str], claim: str, paper: str, per_dataset: dict[str, list[Test]],
            verdict: str | None = None, extra: str = "", ids: tuple[str, ...] = (),
            differs: str = "") -> dict:
    """A claims row judged on the datasets in `judged`; the others' numbers are shown as
    'not judged' (reduced CIFAR-10)."""
    kept = [t for d, ts in per_dataset.items() if d in judged for t in ts]
    r = row(claim, paper, kept, verdict or (None if kept else
                                             f"{NOT_TESTED} at this scale (reduced CIFAR-10)"),
            extra, ids, differs)
    hidden = [t for ts in per_dataset.values() for t in ts if t not in kept]
    if hidden:
        r["extra"] = "; ".join(filter(None, [r["extra"], "not judged: " + "; ".join(
            t.text() for t in hidden)]))
    return r


SAME_AS_01 = (f"{SEE} 01, 'Margin beats Random early' (its cumulative rows are these runs: "
              "counted there)")


def _fig2_rows(run, datasets: list[str], running: list[str], judge,
               cifar_judged: bool) -> list[dict]:
    """Fig. 2's claims on MNIST and Fashion-MNIST (and CIFAR-10, shown)."""
    def m_minus_r(column="test_acc", sign=1, names=datasets):
        return {d: gaps(f"{d} M-R", run(d, "margin"), run(d, "random"), EARLY, column,
                        sign=sign) for d in names}

    shared = [d for d in datasets if d != "cifar10"]
    rows = [judge("M has higher test accuracy than R early", "Fig. 2",
                  m_minus_r(names=shared), SAME_AS_01, ids=("S4.test-higher",))] if shared else []
    if "cifar10" in datasets:
        rows.append(judge("M has higher test accuracy than R early (CIFAR-10)", "Fig. 2c",
                          m_minus_r(names=["cifar10"]), ids=("S4.test-higher",)))
    consistent = ("S4.consistent-datasets",)
    on = "" if cifar_judged else ("on MNIST and Fashion-MNIST; CIFAR-10 is judged only at "
                                  "the paper's setting")
    return rows + [
        judge("M has lower train accuracy than R early (Keras' running accuracy)", "Fig. 2",
              m_minus_r("train_acc_running", -1, running), ids=("S4.train-lower",),
              differs=on),
        judge("M has higher I_B^M than R early (expected, not a tautology: M's batch has the "
              "highest I^M of its network's pool, R's I_B^M is the MOR of a random batch, and "
              "the two networks are trained on different L)", "Fig. 2",
              m_minus_r("batch_margin"), ids=("S4.margin-higher", *consistent), differs=on),
        judge("Under M, test accuracy sometimes exceeds train accuracy, more than under R "
              "(the paper's reading: M picks hard examples)", "Fig. 2",
              {d: _test_exceeds_train(d, run(d, "margin"), run(d, "random")) for d in running},
              ids=("S4.test-above-train",),
              differs="; ".join(filter(None, ["adds Random as the control the paper's "
                                               "reading needs", on]))),
        judge("Under M, I_B^M falls as labeling proceeds, and tracks the rise of train accuracy "
              "beyond their common trend in |L|", "Fig. 2",
              {d: _margin_falls(d, run(d, "margin")) for d in running},
              ids=("S4.margin-tracks-train", *consistent),
              differs="; ".join(filter(None, ["a rank correlation beyond the smooth trend in "
                                               "|L|, per seed", on])))]


CIFAR_CLAIMS = ("CIFAR-10: train accuracy starts high and falls",
                "CIFAR-10: M helps only after about half is labeled")


def _cifar_rows(m: pd.DataFrame, r: pd.DataFrame, running: bool, judge) -> list[dict]:
    """Fig. 2c's claims on CIFAR-10. On a reduced pool (with the paper's 50 epochs) they are
    judged over the |L| it covers, which are the paper's first rounds, and say so."""
    later = gaps("cifar10 M-R", m, r, (0.25,), test=stats.noninferiority, sign=-1) + gaps(
        "cifar10 M-R", m, r, (0.75,))
    pool = m.pool_size.iloc[0]
    reduced = ("" if pool != pool else f"the first {int(pool)} training images as the pool "
               f"(the paper's: 50,000), acquisition {int(m.acq_size.iloc[0])} (120); ")
    return [judge(CIFAR_CLAIMS[0], "Fig. 2c", {"cifar10": _train_falls(m, r) if running else []},
                  ids=("S4.cifar-train-falls",),
                  differs=reduced and reduced + "over the |L| it covers, the paper's first "
                                                "rounds"),
            judge(CIFAR_CLAIMS[1], "Fig. 2c", {"cifar10": later},
                  ids=("S4.cifar-margin-late",),
                  differs=reduced and reduced + "25% and 75% of that pool, not of 50,000: a "
                                                "proxy")]


def claims(runs: Runs) -> pd.DataFrame:
    """The claims of Sec. 4, measured on the section's runs and stopping rule. CIFAR-10 below
    the paper's setting (50 epochs, the full pool) is measured and shown, but not judged,
    except Fig. 2c's own two claims where CNN1 has the paper's 50 epochs on a smaller pool.
    Train accuracy is the paper's (Keras' running accuracy of the last epoch,
    `train_acc_running`)."""
    df, stops = runs
    datasets = list(dict.fromkeys(df.dataset))
    cifar = pick(df, dataset="cifar10") if "cifar10" in datasets else None
    reduced = cifar is not None and bool((cifar.epochs < 50).any()
                                         or cifar.pool_size.notna().any())
    judge = functools.partial(_judged, [d for d in datasets if not (d == "cifar10" and reduced)])
    # Fig. 2c's own claims are judged on a reduced pool too, as long as CNN1 trains as the
    # paper's (50 epochs): their rows say what differs.
    trained = cifar is not None and bool((cifar.epochs == 50).all())
    judge_2c = functools.partial(_judged, datasets if trained else
                                 [d for d in datasets if d != "cifar10"])

    def run(d, strategy):
        return pick(df, dataset=d, strategy=strategy)

    # Runs cached before alnb recorded the running accuracy have none (reduced CIFAR-10 at quick).
    running = [d for d in datasets if run(d, "margin").train_acc_running.notna().any()]
    rows = _fig2_rows(run, datasets, running, judge,
                      "cifar10" in running and not reduced)
    if cifar is not None:
        rows += _cifar_rows(run("cifar10", "margin"), run("cifar10", "random"),
                            "cifar10" in running, judge_2c)
    else:
        rows += [row(c, "Fig. 2c", [], f"{NOT_TESTED} (no CIFAR-10 runs among the datasets)",
                     ids=(i,)) for c, i in zip(CIFAR_CLAIMS, ("S4.cifar-train-falls",
                                                             "S4.cifar-margin-late"),
                                               strict=True)]
    margin = {d: run(d, "margin") for d in datasets}
    controls = []
    for d in datasets:
        r = run(d, "random")
        controls += [gain_correlation(f"{d} control R", r),
                     gain_contrast(f"{d} M minus R, Fisher z of the two", margin[d], r)]
    rows.append(judge("A high I_B^M means faster learning than a model of the same accuracy at "
                      "the same |L|", "Sec. 4",
                      {d: [gain_correlation(f"{d} M: rho(I_B^M, next gain | |L|, acc)",
                                            margin[d])._replace(reach=reached(margin[d]))]
                       for d in datasets},
                      extra="controls, not counted: "
                            + "; ".join(t.text() for t in controls),
                      ids=("S4.high-margin-learns",)))
    rows.append(judge("Stopping when I_B^M falls below a threshold stops near the plateau "
                      "(beyond the paper: some threshold loses <= 0.01 and stops within 10 "
                      "points of the plateau, both by their intervals)", "Sec. 4",
                      {d: [_stopping_test(d, t)._replace(reach=reached(margin[d]))]
                       for d, t in stops.groupby("dataset", sort=False)},
                      ids=("S4.stop-or-acquire",),
                      differs="beyond the paper: one form of the use it proposes"))
    return table(rows)


class Runs(NamedTuple):
    df: pd.DataFrame  # every run of the plan, one row per (run, seed, round)
    stops: pd.DataFrame  # stopping_rule() per dataset, under Margin


def run(sc: Scale, datasets: list[str], cache_dir) -> Runs:
    """Every run of the plan (from the cache where it ran before) and the stopping rule."""
    df = run_plan(plan(sc, datasets), {d: runner.dataset(d) for d in datasets}, sc, cache_dir)
    stops = pd.concat([stopping_rule(g).assign(dataset=d) for d, g in
                       df[df.strategy == "margin"].groupby("dataset", sort=False)],
                      ignore_index=True)
    return Runs(df, stops)


def cost(sc: Scale, datasets: list[str]) -> float:
    """Estimated seconds of the whole notebook on the 2-core CPU, cached runs included."""
    return estimate_plan(plan(sc, datasets), sc)
