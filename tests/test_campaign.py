import dataclasses
import os

import pandas as pd
import pytest
from conftest import NO_DATA

from alnb import campaign, experiments, scales
from alnb.sections import informativeness, training_modes


def test_study_scale_keeps_the_papers_settings_and_stops_where_claims_stop():
    sc = scales.scale("study")
    plan = training_modes.plan(sc, ["mnist", "fashion_mnist"])
    cfgs = {(f, d, c.get("strategy", "margin"), c.get("mode", "cumulative"), c.get("hidden", 100)):
            sc.config(60000, **c) for f, d, c in plan if "acq_size" not in c and "tier" not in c}
    margin = cfgs["fig1", "mnist", "margin", "cumulative", 100]
    assert (margin.acq_size, margin.seeds, margin.epochs, margin.n_rounds) == (120, 5, 1, None)
    assert cfgs["fig8", "mnist", "least_confident", "cumulative", 100].n_rounds == 126  # 25%
    assert cfgs["fig1", "mnist", "entropy", "cumulative", 100].n_rounds == 251  # 50%
    # Fig. 2 and Fig. 1 share their exhaustive Margin run: one config, one cache entry.
    fig2 = informativeness.plan(sc, ["mnist"])[0][2]
    assert sc.config(60000, **fig2) == margin
    assert scales.scale("study", seeds=8).config(60000).seeds == 8
    # Tier 4: Fig. 10 to the end (ANN1(1000) incremental only, on MNIST only), and ANN1(1000)
    # on Fashion-MNIST to 50%.
    later = [(d, c["hidden"], c["mode"], c.get("stop_frac", 0.5)) for f, d, c in plan
             if c.get("tier") == experiments.LATER]
    assert {(d, m) for d, h, m, stop in later if h == 1000 and stop is None} == {
        ("mnist", "incremental")}
    assert {(d, h) for d, h, m, stop in later if stop is None} == {
        ("mnist", 10), ("fashion_mnist", 10), ("mnist", 1000)}
    assert len([x for x in later if x[:2] == ("fashion_mnist", 1000) and x[3] == 0.5]) == 5
    assert not any("tier" in c for f, d, c in training_modes.plan(scales.scale("quick"),
                                                                 ["mnist", "fashion_mnist"]))


def test_campaign_jobs_have_tiers_and_record_their_time(tmp_path):
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    sc = scales.scale("study")
    jobs = campaign.jobs(sc, cache=tmp_path)
    assert {j.notebook for j in jobs} == {"01", "02", "03", "04", "05", "06"}
    assert {j.name.split()[2].split("/")[0] for j in jobs if j.notebook == "06"} == {
        "bald", "badge", "coreset"}  # 06's Margin, Entropy and Random are 01's runs
    assert {j.tier for j in jobs if "cifar10" in j.name} == {3}
    assert {j.tier for j in jobs if "hidden 1000" in j.name and "fig10 mnist" in j.name
            and "rounds 251" in j.name} == {2}
    assert {j.tier for j in jobs if "hidden 1000" in j.name and "fashion" in j.name} == {4}
    five_more = "cumulative hidden 100 acq 120 rounds all seeds 5-9"
    assert {j.tier for j in jobs if five_more in j.name} == {experiments.SEEDS}
    assert not any(j.done for j in jobs)  # an empty cache, studies included
    fig1 = [j for j in jobs if j.name.startswith("fig1 mnist margin/cumulative")]
    # Fig. 1, 2 and 06 share it, and its 5 more seeds.
    assert [j.needed_by for j in fig1] == [("01", "02", "06")] * 2
    path = tmp_path / "campaign.csv"
    campaign.record(sc, jobs[0], 12.4, path)
    campaign.record(sc, jobs[1], 30, path)
    t = pd.read_csv(path, dtype={"notebook": str})
    assert t.seconds.tolist() == [12, 30] and t.notebook.iloc[0] == jobs[0].notebook


def test_makespan_of_jobs_on_workers():
    assert campaign.makespan([3, 3, 2, 2, 2], 2) == 7  # LPT: {3, 2, 2} and {3, 2}
    assert campaign.makespan([10, 1, 1], 4) == 10  # never below the longest job
    assert campaign.makespan([1] * 8, 1) == 8


def test_order_finishes_the_notebook_with_least_left_first_counting_shared_runs():
    def job(name, seconds, *needed_by):
        return campaign.Job(needed_by[0], name, 1, seconds, None, False, needed_by)

    shared, own_01, own_06 = job("a", 100, "01", "06"), job("b", 50, "01"), job("c", 10, "06")
    # 06 needs 110 s (its own 10 and the shared 100), 01 needs 150 s: 06 first.
    assert [j.name for j in campaign.order([own_01, shared, own_06])] == ["c", "a", "b"]
    # With 01's own job cheaper than 06's, 01 goes first and 06 then needs only its own.
    cheap_01 = job("b", 5, "01")
    assert [j.name for j in campaign.order([cheap_01, shared, job("c", 30, "06")])] == [
        "b", "a", "c"]
    # Lower tiers first, whatever they cost.
    dear = campaign.Job("06", "d", 1, 1000, None, False, ("06",))
    assert [j.name for j in campaign.order([own_06._replace(tier=4), dear])] == ["d", "c"]


def test_pending_keeps_uncached_jobs_of_the_tier_and_the_notebooks_asked_for():
    def job(name, tier, done, *needed_by):
        return campaign.Job(needed_by[0], name, tier, 1, None, done, needed_by)

    every = [job("a", 1, False, "01", "06"), job("b", 2, False, "04"), job("c", 1, True, "01"),
             job("d", 3, False, "01")]
    assert [j.name for j in campaign.pending(every, 2)] == ["a", "b"]
    assert [j.name for j in campaign.pending(every, 2, ["06"])] == ["a"]  # shared with 01
    assert [j.name for j in campaign.pending(every, 3, ["01"])] == ["a", "d"]
    assert campaign.pending(every, 1, ["05"]) == []
    assert [j.name for j in campaign.pending(every, 3, only=True)] == ["d"]  # --only-tier


def test_study_gives_cheap_runs_five_more_seeds_as_a_second_config():
    sc = scales.scale("study")
    fig10 = dict(strategy="margin", mode="incremental", hidden=10, stop_frac=0.5)
    cheap = experiments.plan_configs(sc, 60000, **fig10)
    assert [(p.cfg.first_seed, p.cfg.seeds, p.tier) for p in cheap] == [(0, 5, 1), (5, 5, 1)]
    assert cheap[1].cfg == dataclasses.replace(cheap[0].cfg, first_seed=5)
    # Margin, cumulative, to exhaustion: ~12 min for 5 more seeds, in tier SEEDS.
    dear = experiments.plan_configs(sc, 60000, stop_frac=None)
    assert [(p.cfg.first_seed, p.cfg.seeds, p.tier) for p in dear] == [
        (0, 5, 1), (5, 5, experiments.SEEDS)]
    # Over later_s, or ANN1(1000): no more seeds.
    assert len(experiments.plan_configs(dataclasses.replace(sc, later_s=600), 60000,
                                        stop_frac=None)) == 1
    assert [p.tier for p in experiments.plan_configs(sc, 60000, hidden=1000, stop_frac=0.25,
                                                     mode="incremental")] == [2]
    # A notebook that sets the seeds gets exactly those; an entry may set its tier.
    assert len(experiments.plan_configs(scales.scale("study", seeds=3), 60000, **fig10)) == 1
    assert {p.tier for p in experiments.plan_configs(sc, 60000, **fig10, tier=4)} == {4}


def test_study_splits_a_run_whose_seed_costs_over_ten_minutes_into_one_config_per_seed():
    sc = scales.scale("study")
    cifar = dict(model="cnn1", hidden=100, epochs=50, stop_frac=None, pool_size=2000,
                 acq_size=200)  # tier 3: about 27 min per seed
    whole = sc.config(50000, **cifar)
    chunks = experiments.plan_configs(sc, 50000, 10000, **cifar)
    assert [p.cfg for p in chunks] == [dataclasses.replace(whole, first_seed=k, seeds=1)
                                       for k in range(5)]
    assert {p.tier for p in chunks} == {3}
    # With 2 seeds, a notebook reads the first two of the same configs.
    assert experiments.plan_configs(scales.scale("study", seeds=2), 50000, 10000,
                                    **cifar) == chunks[:2]
    # A cheap seed (Margin to exhaustion, ~12 min for 5), or no chunk_s: the run stays whole.
    assert [p.cfg.seeds for p in experiments.plan_configs(sc, 60000)] == [5, 5]
    plain = dataclasses.replace(sc, chunk_s=0)
    assert [p.cfg for p in experiments.plan_configs(plain, 50000, 10000, **cifar)] == [whole]
