"""Named scales (smoke, quick, study, paper): one frozen Scale carries every per-scale setting,
built once from a notebook's parameters.

A scale shrinks the paper honestly and says how: a larger acquisition size, a stop at a
labeled fraction, fewer seeds or a pool subset. Every figure names its scale.
"""

from __future__ import annotations

import dataclasses
import math

from alnb.config import ALConfig


@dataclasses.dataclass(frozen=True)
class CifarSettings:
    """CIFAR-10 with CNN1 (Fig. 2c) below the paper's setting; None keeps the paper's (the
    full pool, the scale's acquisition, 50 epochs)."""

    pool_size: int | None = None
    acq_size: int | None = None
    epochs: int | None = None

    def changes(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclasses.dataclass(frozen=True)
class GPLASettings:
    """Notebook 05 (Sec. 7). The paper does not give Sec. 7's acquisition size; `acq` divides
    every p, so the AL run passes through each p exactly."""

    acq: int
    ps: tuple[int, ...]  # labels from the oracle at which GPLA runs (Fig. 7, 15)
    p_search: int  # Fig. 6's p
    n_thresholds: int  # Fig. 6's thresholds, uniform in [-1, 0]; k-NN with k = 0.3 of them
    loop_rounds: int  # AL rounds with GPLA after each (beyond the paper)
    n_min: int = 150


@dataclasses.dataclass(frozen=True)
class StartSettings:
    """Notebook 04 (Sec. 6, A.5, A.6)."""

    n_inits: int  # Fig. 4 top: untrained networks, each picking n_pick images
    n_pick: int
    dark_inits: int  # Fig. 4 bottom: untrained networks scoring n_dark noise images per alpha
    n_dark: int
    start_sizes: tuple[int, ...]  # Fig. 5a, 13: random start sizes for Entropy
    bound_starts: tuple[int, ...]  # Fig. 5b, 14: random start sizes used as L_t
    subset: int  # Fig. 12: subset size, drawn by Margin with acquisition subset_acq
    subset_acq: int
    subset_seeds: int
    bound_seeds: int = 0  # Fig. 14's seeds; 0: the scale's
    bound_every: int = 1  # Fig. 14's estimates at every k-th round (and the last)


PAPER_PS = (500, 1000, 2500, 5000, 10000, 20000, 50000)
PAPER_START = StartSettings(200, 1000, 100, 1000, (200, 2000), (600, 3000), 20000, 125, 50, 50)


def rounds_to(frac: float, pool: int, acq: int, start: int = 0) -> int:
    """Rounds (the first trains on the start alone) until `frac` of a pool of `pool` examples
    is labeled, acquiring `acq` per round after a random start of `start`; at most to
    exhaustion."""
    return min(math.ceil(max(frac * pool - start, 0) / acq) + 1,
               math.ceil((pool - start) / acq) + 1)


@dataclasses.dataclass(frozen=True)
class Scale:
    name: str
    seeds: int
    acq_size: int  # stands in for the paper's 120
    stop_frac: float | None  # stop once this fraction of the pool is labeled; None: exhaust
    gpla: GPLASettings
    start: StartSettings
    cifar: CifarSettings = CifarSettings()
    pool_size: int | None = None  # None: the full pool
    description: str = ""
    # Per-run stops, (kind, fraction or None), for kinds "fig1:margin" (figure:strategy) or
    # "fig8" (figure); a kind not listed stops at stop_frac.
    stops: tuple[tuple[str, float | None], ...] = ()
    # Where the cost model gives `extra_seeds` more seeds of a run under `cheap_s` seconds,
    # they run too (a second cached config, seeds `seeds` on); paired comparisons use the
    # seeds both runs have.
    extra_seeds: int = 0
    cheap_s: float = 0.0
    # With later_s > 0 the scale plans the campaign's tier 4, which the notebooks read only
    # once it is cached: Fig. 10 to the end, ANN1(1000) on every data set, and the extra
    # seeds of a run where they cost under later_s seconds.
    later_s: float = 0.0
    # A run whose one seed the cost model puts over `chunk_s` seconds runs as one cached config
    # per seed, so a killed campaign loses at most one seed of it, and a notebook with fewer
    # seeds reads the first ones; 0: never split.
    chunk_s: float = 0.0

    def stop(self, figure: str, strategy: str = "") -> float | None:
        """Where the runs of `figure` (with `strategy`) stop at this scale."""
        stops = dict(self.stops)
        return stops.get(f"{figure}:{strategy}", stops.get(figure, self.stop_frac))

    def config(self, pool: int, **changes) -> ALConfig:
        """An ALConfig at this scale for a pool of `pool` examples; `changes` override, and an
        acquisition size given there keeps the stop fraction."""
        base = {"acq_size": self.acq_size, "seeds": self.seeds, "pool_size": self.pool_size}
        kw = {**base, **changes}
        stop = kw.pop("stop_frac", self.stop_frac)
        n = min(pool, kw["pool_size"] or pool)
        if "n_rounds" not in changes:
            kw["n_rounds"] = None if stop is None else rounds_to(
                stop, n, kw["acq_size"], kw.get("initial_size", 0))
        return ALConfig(**kw)


SCALES = {
    "smoke": Scale("smoke", seeds=2, acq_size=100, stop_frac=0.2, pool_size=1500,
                   gpla=GPLASettings(acq=100, ps=(200, 500, 1000), p_search=500,
                                     n_thresholds=6, loop_rounds=3),
                   start=StartSettings(10, 100, 5, 100, (20, 200), (60, 150), 500, 100, 2),
                   cifar=CifarSettings(pool_size=200, acq_size=50, epochs=2),
                   description="CI only: a 1500-image pool, a few rounds, 2 seeds, XLA at -O0"),
    "quick": Scale("quick", seeds=3, acq_size=1200, stop_frac=0.5,
                   gpla=GPLASettings(acq=500, ps=(500, 1000, 5000, 20000), p_search=1000,
                                     n_thresholds=10, loop_rounds=5),
                   start=StartSettings(200, 1000, 100, 1000, (200, 2000), (600, 3000), 20000,
                                       1000, 10),
                   # CNN1 costs about 0.2 GFLOP per training example, and the paper's 50
                   # epochs to exhaustion (about 1e17 FLOP) need a GPU.
                   cifar=CifarSettings(pool_size=1000, acq_size=100, epochs=10),
                   description="full pools, acquisition 1200 (10x the paper's 120), stop at 50% "
                               "labeled, 3 seeds"),
    # The paper's settings, each run stopped where the last claim on it looks: Margin and
    # Random cumulative and incremental to exhaustion (Fig. 2, Fig. 9, the incremental
    # decline), Entropy to 50% (cumulative vs incremental), LC/LS and the random-start and
    # selection-network runs to 25% (early claims), capacity to 50%, acquisition size to 60%.
    "study": Scale("study", seeds=5, acq_size=120, stop_frac=0.5,
                   gpla=GPLASettings(acq=100, ps=PAPER_PS, p_search=1000,
                                     n_thresholds=100, loop_rounds=20),
                   # Fig. 14: 10 seeds, its estimates every 5th round (600 labels): two
                   # fresh fits per estimate, 5 epochs on |L| up to 30,000, made it 3x the AL
                   # runs' cost; now 1.4x.
                   start=dataclasses.replace(PAPER_START, bound_seeds=10, bound_every=5),
                   # CNN1 keeps the paper's 50 epochs on a 2000-image pool, where it learns.
                   cifar=CifarSettings(pool_size=2000, acq_size=200, epochs=50),
                   description="the paper's settings (acquisition 120, its networks, epochs and "
                               "thresholds), each run stopped where its claims stop looking, "
                               "5 seeds (10 where 5 more cost under 3 minutes)",
                   stops=(("fig1:margin", None), ("fig1:random", None), ("fig2", None),
                          ("fig8", 0.25), ("fig1c", 0.25), ("fig1d", 0.25), ("fig11", 0.6),
                          ("fig5a", 0.25), ("beyond", 0.25)),
                   extra_seeds=5, cheap_s=180, later_s=900, chunk_s=600),
    "paper": Scale("paper", seeds=3, acq_size=120, stop_frac=None,
                   gpla=GPLASettings(acq=100, ps=PAPER_PS, p_search=1000, n_thresholds=100,
                                     loop_rounds=50),
                   start=PAPER_START,
                   description="the paper: acquisition 120, pools to exhaustion, 3 seeds"),
}


def _count(name: str, value, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum} (0 keeps the scale's), got "
                         f"{value!r}.")
    return value


def scale(name: str, seeds: int = 0, acq_size: int = 0) -> Scale:
    """The named scale, with a notebook's overrides: `seeds` > 0 sets every seed count (the AL
    runs', cheap ones with no extra seeds, Fig. 12's and Fig. 14's; Fig. 4's untrained
    networks are not seeds and keep theirs), `acq_size` > 0 the acquisition that stands in
    for the paper's 120 (Fig. 3's and Fig. 11's sizes follow it). Bad values fail clearly."""
    if name not in SCALES:
        raise ValueError(f"Unknown scale {name!r}; choose one of {', '.join(SCALES)}.")
    sc = SCALES[name]
    if _count("seeds", seeds):
        sc = dataclasses.replace(sc, seeds=seeds, extra_seeds=0, start=dataclasses.replace(
            sc.start, subset_seeds=seeds, bound_seeds=seeds))
    if _count("acq_size", acq_size):
        sc = dataclasses.replace(sc, acq_size=acq_size)
    return sc


def parse_datasets(text: str, allowed=("mnist", "fashion_mnist")) -> list[str]:
    """The notebook parameter `datasets` ("mnist,fashion_mnist") as a checked list."""
    names = [d.strip() for d in str(text).split(",") if d.strip()]
    if not names:
        raise ValueError(f"datasets is empty; give a comma-separated list of {', '.join(allowed)}.")
    unknown = [d for d in names if d not in allowed]
    if unknown:
        raise ValueError(f"datasets {unknown} not available in this notebook; choose from "
                         f"{', '.join(allowed)}.")
    return names
