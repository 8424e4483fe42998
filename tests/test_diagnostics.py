import numpy as np
import pandas as pd
import pytest

from alnb import diagnostics


def frame(picks, seeds=2):
    """A run whose round r picks `picks(r)`: a list of 10 class counts."""
    return pd.DataFrame([{"strategy": "s", "seed": s, "round": r, "n_labeled": 100 * r,
                          "frac_labeled": r / 10, **{f"batch_class_{c}": n
                                                     for c, n in enumerate(picks(r))}}
                         for s in range(seeds) for r in range(5)])


def test_balanced_batches_give_a_tenth_and_a_missing_class_zero():
    even = diagnostics.class_shares(frame(lambda r: [10] * 10))
    assert np.allclose(even.min_batch_share, 0.1)
    assert even.min_l_share.isna().sum() == 2 and np.allclose(even.min_l_share.dropna(), 0.1)
    never_9 = diagnostics.class_shares(frame(lambda r: [11] * 9 + [1 * 0]))
    assert (never_9.min_batch_share == 0).all() and (never_9.min_l_share.dropna() == 0).all()


def test_l_is_what_earlier_rounds_picked():
    # Round 0 picks only class 0, later rounds the other classes evenly: L after round 0 is
    # all class 0 (the rarest class's share 0), and fills in as rounds go on.
    shares = diagnostics.class_shares(frame(lambda r: [100] + [0] * 9 if r == 0
                                            else [0] + [100 // 9] * 9, seeds=1))
    assert shares.min_l_share.tolist()[1:] == pytest.approx([0, 11 / 199, 22 / 298, 33 / 397])
    assert shares.min_batch_share.tolist() == [0.0] * 5
    mixed = diagnostics.class_shares(frame(lambda r: [5 + r] + [10] * 9, seeds=1))
    assert mixed.min_l_share.iloc[2] == pytest.approx(11 / (11 + 90 + 90))


def test_runs_without_class_counts_fail_clearly():
    with pytest.raises(ValueError, match="no batch_class_"):
        diagnostics.class_shares(pd.DataFrame({"seed": [0], "round": [0]}))
