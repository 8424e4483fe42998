"""One figure style, learning curves with a band over seeds, and reproducible savefig."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from alnb.claims import EARLY, span  # noqa: E402
from alnb.config import ALConfig  # noqa: E402
from alnb.stats import t_interval  # noqa: E402

FIGSIZE = (6.4, 4.0)


def style() -> None:
    """The single style of every alnb figure."""
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.1)
    plt.rcParams.update({"figure.figsize": FIGSIZE, "figure.dpi": 110, "savefig.dpi": 150,
                         "svg.hashsalt": "alnb", "pdf.fonttype": 42})


def band(values: np.ndarray, level: float = 0.95):
    """Mean and the half-width of a t interval over seeds (0 for a single seed)."""
    mean, _, high, n = t_interval(values, level)
    return mean, (high - mean) if n > 1 else 0.0


def learning_curves(ax, frame: pd.DataFrame, hue: str, y: str = "test_acc",
                    x: str = "frac_labeled", label=str, **line_kw):
    """Mean of `y` over seeds against % of the pool labeled, one line per `hue` value, with a
    95% band over seeds."""
    numeric = pd.api.types.is_numeric_dtype(frame[hue])
    for key, group in frame.groupby(hue, sort=numeric):
        rows = [(xv, *band(g[y].to_numpy(float))) for xv, g in group.groupby(x)]
        xs, mean, half = (np.array(c, float) for c in zip(*rows, strict=True))
        scale = 100 if x == "frac_labeled" else 1
        (line,) = ax.plot(xs * scale, mean, label=label(key), **line_kw)
        ax.fill_between(xs * scale, mean - half, mean + half, color=line.get_color(), alpha=0.2,
                        linewidth=0)
    if x == "frac_labeled":
        early_window(ax)
    ax.set_xlabel("% of the pool labeled (log scale above 1%)" if x == "frac_labeled" else x)
    ax.set_ylabel({"test_acc": "test accuracy", "train_acc": "train accuracy on L (after)",
                   "train_acc_running": "train accuracy (Keras: last epoch)",
                   "batch_margin": r"$\bar I^M_B$",
                   "min_batch_share": "rarest class's share of the batch",
                   "min_l_share": "rarest class's share of L"}.get(y, y))
    return ax


def early_window(ax) -> None:
    """A % of the pool axis that gives the first rounds room, the same on every curve: linear
    to 1%, logarithmic above, the early window shaded and the claims' early fractions (5%,
    10%, 25%) marked."""
    ax.set_xscale("symlog", linthresh=1, linscale=0.5)
    ax.set_xticks([0, 1, 5, 10, 25, 50, 100], ["0", "1", "5", "10", "25", "50", "100"])
    ax.axvspan(0, 100 * max(EARLY), color="#fff4d6", zorder=0, linewidth=0)
    for frac in EARLY:
        ax.axvline(100 * frac, color="0.35", linestyle=":", linewidth=0.9, zorder=0.5)


def reference_band(ax, reference: pd.DataFrame | None, runs: pd.DataFrame, where: dict) -> None:
    """The 95% band (over seeds) of the full-data reference that matches a panel: the rows of
    `reference` whose columns agree with the panel's values in `where`, and, for a column the
    panel does not split by (e.g. hidden), with the values its runs have; a reference row
    without such a column (CNN1 has no hidden) matches. Nothing where no row matches."""
    if reference is None:
        return
    full = reference
    for c in set(full.columns) - {"seed", "test_acc"}:
        if c in where:
            full = full[full[c] == where[c]]
        elif c in runs:
            full = full[full[c].isna() | full[c].isin(runs[c].unique())]
    if len(full):
        mean, half = band(full.test_acc.to_numpy(float))
        ax.axhspan(mean - half, mean + half, color="0.7", alpha=0.5, linewidth=0)
        ax.axhline(mean, color="0.3", linewidth=0.9, label="all labels (full pool)")


def grid(frame: pd.DataFrame, panels: list[str], hue: str, y: str = "test_acc",
         label=str, height: float = 3.4, reference: pd.DataFrame | None = None):
    """One learning-curve panel per combination of the `panels` columns (in data order);
    with `reference` (per-seed test accuracy of the network trained on the whole pool, by
    dataset and network), its 95% band on each panel it matches (`reference_band`)."""
    keys = list(dict.fromkeys(map(tuple, frame[panels].to_numpy())))
    fig, axes = plt.subplots(1, len(keys), figsize=(4.6 * len(keys), height), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        sub = frame[(frame[panels].to_numpy() == np.array(key, dtype=object)).all(axis=1)]
        if y == "test_acc":
            reference_band(ax, reference, sub, dict(zip(panels, key, strict=True)))
        learning_curves(ax, sub, hue, y=y, label=label)
        ax.set_title(", ".join(str(k) for k in key))
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


# What a scale cannot show, said on every figure made at it.
SCALE_NOTES = {"quick": "a preview: acquisition 10x the paper's, so it cannot test the claims "
                        "about the first rounds",
               "smoke": "CI only: a tiny pool"}


def seed_count(runs: pd.DataFrame) -> str:
    """The seeds per run of a figure's AL runs: '5', or '5-10' where runs differ (a scale
    gives cheap runs extra seeds)."""
    keys = [k for k in ("dataset", "figure", *(f.name for f in dataclasses.fields(ALConfig)))
            if k in runs and k not in ("seeds", "first_seed")]
    return span(runs.groupby(keys, dropna=False).seed.nunique())


def caption(fig, text: str, scale: str, seeds: int | pd.DataFrame) -> None:
    """Every figure says what made it: the scale and the number of seeds (given, or counted
    in a frame of AL runs)."""
    if isinstance(seeds, pd.DataFrame):
        seeds = seed_count(seeds)
    note = f"\n{scale}: {SCALE_NOTES[scale]}" if scale in SCALE_NOTES else ""
    fig.suptitle(f"{text}  [scale: {scale}, {seeds} seed{'s' if seeds not in (1, '1') else ''}, "
                 f"mean ± 95% CI]{note}", fontsize="medium", y=1.04 + 0.03 * bool(note))


def savefig(fig, name: str, out_dir: str | os.PathLike = "figures") -> list[Path]:
    """Write `name`.png and `name`.pdf with no timestamps, so reruns give the same bytes;
    nothing for fig None (a figure with nothing to draw at this scale)."""
    if fig is None:
        return []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    fig.savefig(paths[0], bbox_inches="tight", metadata={"Software": None})
    fig.savefig(paths[1], bbox_inches="tight",
                metadata={"Creator": "alnb", "Producer": None, "CreationDate": None})
    return paths


def metric_grid(frame: pd.DataFrame, ys: list[str], column: str, hue: str, label=str,
                reference: pd.DataFrame | None = None):
    """Rows of metrics (`ys`) by columns of `column` values: learning curves with bands, and
    the full-data reference's band on the test-accuracy row where it matches."""
    keys = list(dict.fromkeys(frame[column]))
    fig, axes = plt.subplots(len(ys), len(keys), figsize=(4.6 * len(keys), 3.0 * len(ys)),
                             squeeze=False, sharex="col")
    for j, key in enumerate(keys):
        sub = frame[frame[column] == key]
        for i, y in enumerate(ys):
            if y == "test_acc":
                reference_band(axes[i, j], reference, sub, {column: key})
            learning_curves(axes[i, j], sub, hue, y=y, label=label)
            axes[i, j].set_title(str(key) if i == 0 else "")
            if i < len(ys) - 1:
                axes[i, j].set_xlabel("")
        axes[0, j].legend(fontsize="small")
    fig.tight_layout()
    return fig
