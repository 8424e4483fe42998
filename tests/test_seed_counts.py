from typing import NamedTuple

import numpy as np
import pandas as pd

from alnb import claims, results, seed_counts, stats
from alnb.paper_claims import BEYOND


def judge(runs: pd.DataFrame) -> pd.DataFrame:
    """A notebook's claims function in miniature: one row per run of per-seed differences."""
    return claims.table([claims.row(name, "synthetic", [stats.superiority(name, g.diff_)],
                                    ids=(BEYOND,)) for name, g in runs.groupby("run")])


def runs(**values) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"run": name, "seed": range(len(v)), "diff_": v})
                      for name, v in values.items()], ignore_index=True)


def test_a_large_effect_agrees_at_3_seeds_and_no_effect_flips_sides():
    rng = np.random.default_rng(0)
    no_effect = np.r_[1 + 0.02 * np.arange(5), -1 - 0.02 * np.arange(5)]  # mean 0
    t = seed_counts.sensitivity(judge, runs(large=1 + 0.05 * rng.standard_normal(10),
                                            none=no_effect)).set_index("claim")
    assert t.loc["large", "verdict"] == "holds" and t.loc["none", "verdict"] == "inconclusive"
    assert t.loc["large", "agree_3"] >= 0.95 and t.loc["large", "opposite_3"] == 0
    assert t.loc["large", "agree_low_3"] > 0.85  # the Wilson interval of 50 subsets
    # 3 of 10 seeds all of one sign (1 in 6 subsets) give a confident verdict either way.
    assert 0.05 < t.loc["none", "opposite_3"] < 0.35 and t.loc["none", "agree_3"] < 0.95
    assert t.loc["none", "opposite_5"] < t.loc["none", "opposite_3"]


def test_both_sides_appear_among_the_subsets_of_a_claim_with_no_effect():
    no_effect = runs(none=np.r_[1 + 0.02 * np.arange(5), -1 - 0.02 * np.arange(5)])
    kinds = {stats.verdict_kind(judge(seed_counts.restrict(no_effect, 3, i)).verdict[0])
             for i in range(50)}
    assert {"holds", "contradicted", "inconclusive"} <= kinds


def test_rows_on_fewer_than_10_seeds_are_left_out():
    t = seed_counts.sensitivity(judge, runs(short=np.ones(5) + np.arange(5) / 100))
    assert t.empty and list(t.columns) == seed_counts.COLUMNS


def test_restrict_keeps_the_runs_of_a_frame_paired_and_cuts_each_frame_of_a_tuple():
    class Runs(NamedTuple):
        curves: pd.DataFrame
        inits: pd.DataFrame
        share: dict

    r = Runs(runs(a=np.arange(10.0), b=np.arange(10.0)),
             pd.DataFrame({"init": range(200), "x": 0.0}), {"mnist": 0.1})
    cut = seed_counts.restrict(r, 3, 7)
    seeds = cut.curves.groupby("run").seed.apply(frozenset)
    assert len(set(seeds)) == 1 and len(seeds.iloc[0]) == 3  # a and b keep the same 3 seeds
    assert cut.inits.init.nunique() == 3 and cut.share == r.share
    assert seed_counts.restrict(r, 3, 7).curves.equals(cut.curves)  # the same draw again
    assert not seed_counts.restrict(r, 3, 8).curves.equals(cut.curves)


def test_opposite_sides_and_power_seeds():
    assert seed_counts.opposite("holds in 2 of 4", "contradicted")
    assert seed_counts.opposite("holds", "mixed")
    assert not seed_counts.opposite("holds", "inconclusive")
    assert seed_counts.opposite("inconclusive", "holds in 1 of 3")
    assert not seed_counts.opposite("inconclusive", "inconclusive")
    text = ("a: +0.01 [-0.01, +0.03] (n=10, inconclusive); about 12 seeds would give 80% power "
            "at this effect and SD; b: ... about 1,519 seeds would give 80% power at this; c: "
            "over 1,000 seeds would be needed for 80% power")
    assert seed_counts.power_seeds(text) == "12-1519; over 1,000 (1)"
    assert seed_counts.power_seeds("a: +0.1 [+0.05, +0.15] (n=10, supported)") == "–"


def test_a_draw_keeps_two_seeds_of_the_runs_that_have_only_five():
    frame = pd.concat([runs(ten=np.arange(10.0)), runs(five=np.arange(5.0))])
    for i in range(30):
        cut = seed_counts.restrict(frame, 3, i)
        assert cut[cut.run == "five"].seed.nunique() >= 2
        assert cut[cut.run == "ten"].seed.nunique() == 3


def test_the_power_column_is_the_claims_tables_never_the_caches(tmp_path):
    """A seed-count table cached before its power column was recorded, or with a stale one,
    is read with the power that the claims table it starts from gives."""
    from types import SimpleNamespace

    r = runs(weak=0.2 + np.r_[1 + 0.02 * np.arange(5), -1 - 0.02 * np.arange(5)])
    full, sc = judge(r), SimpleNamespace(name="t")
    want = seed_counts.power_seeds(full.measured[0])

    def power():
        return str(seed_counts.cached(judge, r, full, "99", sc, tmp_path).power_seeds[0])

    assert want == "238" and power() == want
    (path,) = (tmp_path / "cache").glob("seed-counts-99-*.csv.gz")
    results.write_cached(pd.read_csv(path).assign(power_seeds="–"), path)
    assert power() == want
    assert pd.read_csv(tmp_path / "seed_counts_99_t.csv", dtype=str).power_seeds[0] == want
