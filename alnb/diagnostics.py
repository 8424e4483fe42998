"""Class diagnostics per round, beyond the paper: how evenly a strategy's batches and its
labeled set L cover the classes, from the batch class counts the loop records. The paper's
class-bias statements (Sec. 6, A.4, A.5) become one curve per strategy."""

from __future__ import annotations

import pandas as pd


def class_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Per (run, seed, round): the least-represented class's share of the batch picked that
    round (`min_batch_share`) and of L when that round trained (`min_l_share`; L is every
    earlier round's batch plus a random start, which is not in the counts, so rounds of a run
    with a random start are left out). 1 / C is perfectly balanced, 0 a class never picked."""
    counts = frame.filter(regex=r"^batch_class_\d+$")
    if counts.empty:
        raise ValueError("the runs have no batch_class_* columns; rerun them with this alnb.")
    keys = [c for c in ("dataset", "figure", "strategy", "mode", "hidden", "seed")
            if c in frame]
    out = frame[[*keys, "round", "n_labeled", "frac_labeled"]].copy()
    total = counts.sum(axis=1)
    out["min_batch_share"] = (counts.min(axis=1) / total).where(total > 0)
    before = counts.groupby([frame[k] for k in keys]).cumsum() - counts  # earlier rounds only
    size = before.sum(axis=1)
    out["min_l_share"] = (before.min(axis=1) / size).where(size > 0)
    if "initial_size" in frame:
        out = out[frame.initial_size.fillna(0).to_numpy() == 0]
    return out
