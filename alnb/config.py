"""What one active-learning experiment is: ALConfig, checked when it is built, and its schedule
of labeled counts (Sec. 2-5)."""

from __future__ import annotations

import dataclasses

import numpy as np

from alnb.models import MODELS, Net
from alnb.scoring import BEYOND_STRATEGIES, STRATEGIES

MODES = ("cumulative", "incremental", "warm")
# Fields added after results were first committed, with the value those results ran at. A
# field at that value is left out of a config's identity (cache key and frame columns), so
# the committed results keep their keys.
LATER_FIELDS = {"mc_passes": 20}
MAX_SEEDS = 4096  # seeds of one config: vmapped lanes of one program


@dataclasses.dataclass(frozen=True)
class ALConfig:
    """One active-learning experiment. Invalid values fail here, with a message.

    mode: "cumulative" (fresh weights and optimizer each round, train on all of L),
      "incremental" (keep both, train on the new batch B only), "warm" (keep both, train on L).
    initial_size: the random start, labeled by Random before the strategy takes over; 0 means
      the untrained network picks the first batch, as in the paper.
    n_rounds: rounds of train-evaluate-select; None runs until the pool is exhausted.
    eval_hidden / eval_epochs: a separate evaluation network (Sec. 3), trained on the same L in
      the same mode; it gives test_acc. None: the selection network evaluates itself.
    pool_splits / split_fraction: the pool arrives in d i.i.d. subsets; the next one joins
      once a fraction p of the pool so far is labeled (Sec. 5).
    pool_size: use only the first pool_size training images as the pool (smaller scales).
    mc_passes: BALD's Monte-Carlo dropout passes T (the other strategies ignore it).
    """

    strategy: str = "margin"
    mode: str = "cumulative"
    acq_size: int = 120
    n_rounds: int | None = 20
    initial_size: int = 0
    hidden: int = 100
    epochs: int = 1
    eval_hidden: int | None = None
    eval_epochs: int | None = None
    seeds: int = 1
    first_seed: int = 0
    pool_splits: int = 1
    split_fraction: float = 1.0
    pool_size: int | None = None
    batch_size: int = 32
    model: str = "ann1"
    dataset: str | None = None
    mc_passes: int = 20

    def __post_init__(self):
        def need(ok, msg):
            if not ok:
                raise ValueError(f"ALConfig: {msg}")

        self._plain_numbers()
        for name in ("strategy", "mode", "model"):
            need(isinstance(getattr(self, name), str),
                 f"{name} must be a string, got {getattr(self, name)!r}")

        def whole(value):
            return isinstance(value, int) and not isinstance(value, bool)

        need(self.strategy in STRATEGIES,
             f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        need(self.mode in MODES, f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        need(self.model in MODELS, f"unknown model {self.model!r}; choose one of {MODELS}")
        need(self.strategy not in BEYOND_STRATEGIES or self.model == "ann1",
             f"{self.strategy} is implemented for ANN1 only (it reads ANN1's hidden layer)")
        for name in ("acq_size", "hidden", "epochs", "seeds", "pool_splits", "batch_size",
                     "mc_passes"):
            need(whole(getattr(self, name)) and getattr(self, name) >= 1,
                 f"{name} must be a positive integer, got {getattr(self, name)!r}")
        for name in ("eval_hidden", "eval_epochs", "n_rounds", "pool_size"):
            value = getattr(self, name)
            need(value is None or (whole(value) and value >= 1),
                 f"{name} must be None or a positive integer, got {value!r}")
        for name in ("initial_size", "first_seed"):
            need(whole(getattr(self, name)) and getattr(self, name) >= 0,
                 f"{name} must be an integer >= 0, got {getattr(self, name)!r}")
        need(self.seeds <= MAX_SEEDS,
             f"seeds={self.seeds} would run as that many vmapped lanes in one program (more "
             f"than {MAX_SEEDS} do not fit a device's memory); split them into configs with "
             "first_seed")
        # A JAX key keeps a seed's low 32 bits: a larger seed would repeat a smaller one.
        need(self.first_seed + self.seeds <= 2**32,
             f"seeds run from first_seed={self.first_seed} to "
             f"{self.first_seed + self.seeds - 1}, past 2**32 - 1 (a JAX key keeps 32 bits, so "
             "larger seeds repeat smaller ones); choose first_seed + seeds <= 2**32")
        need(isinstance(self.split_fraction, int | float) and not isinstance(
            self.split_fraction, bool) and 0 < self.split_fraction <= 1,
             f"split_fraction p must be a number in (0, 1], got {self.split_fraction!r}")
        need(self.dataset is None or isinstance(self.dataset, str),
             f"dataset must be None or a dataset name, got {self.dataset!r}")

    def _plain_numbers(self):
        """Numbers as users pass them (NumPy's too) become plain ints and floats, so configs
        hash and print the same; bools and strings are not numbers here."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.integer):
                object.__setattr__(self, f.name, int(value))
            elif isinstance(value, np.floating):
                object.__setattr__(self, f.name, float(value))

    @property
    def selection_net(self) -> Net:
        return Net(self.model, self.hidden, self.epochs, self.batch_size)

    @property
    def evaluation_net(self) -> Net | None:
        if self.eval_hidden is None and self.eval_epochs is None:
            return None
        return Net(self.model, self.eval_hidden or self.hidden, self.eval_epochs or self.epochs,
                   self.batch_size)

    def identity(self) -> dict:
        """The fields that name this config's results: all but LATER_FIELDS at their old
        value."""
        return {k: v for k, v in dataclasses.asdict(self).items()
                if k not in LATER_FIELDS or LATER_FIELDS[k] != v}


def split_sizes(pool_size: int, d: int) -> np.ndarray:
    """The sizes of the d i.i.d. pool subsets U_1..U_d, in arrival order: the first
    pool_size % d get one example more. The schedule and the loop both use it."""
    sizes = np.full(d, pool_size // d)
    sizes[: pool_size % d] += 1
    return sizes


def schedule(cfg: ALConfig, pool_size: int):
    """|L| and the number of available pool examples at each round, fixed before the run.

    Returns (n_labeled [R], n_available [R]). The next subset joins at the start of a round
    once |L| >= p * available (Sec. 5).
    """
    d = cfg.pool_splits
    avail_at = np.cumsum(split_sizes(pool_size, d))
    if cfg.initial_size > avail_at[0]:
        raise ValueError(f"initial_size {cfg.initial_size} exceeds the first pool subset "
                         f"({avail_at[0]} examples).")
    n_labeled, n_available, count, stage = [], [], cfg.initial_size, 0
    while True:
        while stage < d - 1 and count >= cfg.split_fraction * avail_at[stage]:
            stage += 1
        n_labeled.append(count)
        n_available.append(int(avail_at[stage]))
        if count == pool_size or len(n_labeled) == cfg.n_rounds:
            break
        count += min(cfg.acq_size, int(avail_at[stage]) - count)
    if cfg.n_rounds is not None and len(n_labeled) < cfg.n_rounds:
        raise ValueError(f"n_rounds={cfg.n_rounds} exceeds the {len(n_labeled)} rounds this pool "
                         "allows; use n_rounds=None to run until the pool is exhausted.")
    return np.array(n_labeled), np.array(n_available)
