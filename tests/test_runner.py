import dataclasses
import filecmp
import functools
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest
from conftest import NO_DATA

import alnb
from alnb import campaign, experiments, plotting, runner, scales
from alnb.results import write_atomic
from alnb.sections import data_split


def slow_compute(log):
    def compute():
        with open(log, "a") as f:
            f.write("x\n")
        time.sleep(0.3)
        return pd.DataFrame({"v": [1, 2]})
    return compute


def claim_all(args):
    paths, log = args
    return [runner.compute_once(p, slow_compute(log), write_atomic, poll_s=0.05).v.sum()
            for p in paths]


def test_two_runners_started_at_once_run_each_job_once(tmp_path):
    paths = [tmp_path / f"job{i}.csv.gz" for i in range(4)]
    log = tmp_path / "calls"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(claim_all, [(paths, log), (paths[::-1], log)])
    assert got == [[3] * 4, [3] * 4]
    assert log.read_text().count("x") == 4  # each job computed by exactly one runner
    assert not list(tmp_path.glob("*.lock")) and not list(tmp_path.glob(".*tmp"))


def test_a_stale_lock_from_a_killed_run_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = tmp_path / "job.csv.gz"
    path.with_name(path.name + ".lock").write_text(json.dumps(
        {"host": socket.gethostname(), "pid": dead.pid, "time": time.time()}))
    got = runner.compute_once(path, lambda: pd.DataFrame({"v": [7]}), write_atomic)
    assert got.v.tolist() == [7]


def _lock(path, age_s=0.0, **held):
    path.write_text(held.pop("text", None) or json.dumps(
        {"host": socket.gethostname(), "pid": os.getpid(), "time": time.time(), **held}))
    os.utime(path, (time.time() - age_s, time.time() - age_s))
    return path


def test_a_live_lock_is_respected_and_a_lock_without_heartbeat_is_taken_over(tmp_path):
    lock = tmp_path / "job.csv.gz.lock"
    old = runner.STALE_S + 10
    assert not runner.try_claim(_lock(lock, heartbeat=True))  # this process, beating
    assert not runner.try_claim(_lock(lock, old))  # from before heartbeats: its pid decides
    assert not runner.try_claim(_lock(lock, host="elsewhere", pid=1))  # fresh, another host
    assert runner.try_claim(_lock(lock, old, host="elsewhere", pid=1))  # minutes, not a day
    assert runner.try_claim(_lock(lock, old, heartbeat=True))  # a reused pid, no heartbeat
    assert not runner.try_claim(_lock(lock, text=" "))  # empty: being written
    with pytest.warns(UserWarning, match="unreadable and .* s old: taking it over"):
        assert runner.try_claim(_lock(lock, old, text="\x00garbled"))  # a full disk's lock


def test_a_lock_that_cannot_be_written_says_why_and_leaves_none(tmp_path, monkeypatch):
    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner.json, "dump", full)
    lock = tmp_path / "job.csv.gz.lock"
    with pytest.raises(OSError, match="cannot write the lock .*No space left on device.*: the "
                                      "disk holding .* is full or read-only"):
        runner.try_claim(lock)
    assert not lock.exists()


def test_the_owner_keeps_its_lock_fresh_while_it_computes(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_S", 0.05)
    path = tmp_path / "job.csv.gz"
    lock = path.with_name(path.name + ".lock")
    ages = []

    def compute():
        os.utime(lock, (time.time() - 1000, time.time() - 1000))
        time.sleep(0.5)
        ages.append(time.time() - lock.stat().st_mtime)
        return pd.DataFrame({"v": [1]})

    runner.compute_once(path, compute, write_atomic)
    assert ages[0] < 1 and not lock.exists()


def test_dask_cluster_writes_the_same_tables_as_a_serial_run(tmp_path, monkeypatch):
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    from dask.distributed import LocalCluster

    sc = scales.scale("smoke")
    data = {"mnist": alnb.load_dataset("mnist")}
    plan = data_split.plan(sc, ["mnist"])
    serial = experiments.run_plan(plan, data, sc, tmp_path / "serial", progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        monkeypatch.setenv("ALNB_SCHEDULER", cluster.scheduler_address)
        on_cluster = experiments.run_plan(plan, data, sc, tmp_path / "dask", progress=False)
    pd.testing.assert_frame_equal(serial, on_cluster)
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert len(names) == 8 and names == sorted(p.name for p in (tmp_path / "dask").iterdir())
    assert all(filecmp.cmp(tmp_path / "serial" / n, tmp_path / "dask" / n, shallow=False)
               for n in names)


def test_a_run_with_extra_seeds_reads_as_one_run_of_all_its_seeds(tmp_path):
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    sc = dataclasses.replace(scales.scale("smoke"), extra_seeds=1, cheap_s=1e9)
    data = {"mnist": alnb.load_dataset("mnist")}
    plan = [("fig", "mnist", {"strategy": "random"})]
    df = experiments.run_plan(plan, data, sc, tmp_path, progress=False)
    assert sorted(df.seed.unique()) == [0, 1, 2] and set(df.seeds) == {3}
    assert len(list(tmp_path.glob("*.csv.gz"))) == 2  # the scale's seeds and the extra one
    assert plotting.seed_count(df) == "3"
    fewer = experiments.run_plan(plan, data, scales.scale("smoke"), tmp_path, progress=False)
    assert plotting.seed_count(pd.concat([df.assign(figure="a"), fewer])) == "2-3"
    # The extra seed is the scale's seeds' continuation: seeds 0-1 are the same rows.
    pd.testing.assert_frame_equal(
        df[df.seed < 2].drop(columns=["seeds"]).reset_index(drop=True),
        fewer.drop(columns=["seeds"]).reset_index(drop=True))


def test_later_tiers_are_read_once_cached_and_a_longer_run_stands_in_for_a_shorter(tmp_path):
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    sc = dataclasses.replace(scales.scale("smoke"), extra_seeds=1, cheap_s=0, later_s=1e9)
    data = {"mnist": alnb.load_dataset("mnist")}
    short = {"strategy": "random", "stop_frac": 0.1}
    plan = [("fig", "mnist", short), ("fig", "mnist", {**short, "stop_frac": 0.2, "tier": 4})]
    before = experiments.run_plan(plan, data, sc, tmp_path, progress=False)
    # Neither the tier-4 run nor the tier-5 seed was computed: the short run, 2 seeds.
    assert len(list(tmp_path.glob("*.csv.gz"))) == 1
    assert sorted(before.seed.unique()) == [0, 1] and before.n_labeled.max() == 200
    planned = [p for _, d, c in plan for p in experiments.plan_configs(sc, 1500, **c)]
    assert [p.tier for p in planned] == [1, experiments.SEEDS, 4]
    experiments.run_config("mnist", planned[1].cfg, tmp_path)
    more = experiments.run_plan(plan, data, sc, tmp_path, progress=False)
    assert sorted(more.seed.unique()) == [0, 1, 2] and more.n_labeled.max() == 200
    experiments.run_config("mnist", planned[2].cfg, tmp_path)
    longer = experiments.run_plan(plan, data, sc, tmp_path, progress=False)
    # Now the longer run stands in for the short one (its seeds, not the short one's extra).
    assert sorted(longer.seed.unique()) == [0, 1] and longer.n_labeled.max() == 300
    assert len(longer) == 2 * 4


def _fails(message):
    raise ValueError(message)


def test_a_failed_job_does_not_stop_the_others_and_every_failure_is_reported(tmp_path):
    done = tmp_path / "done"
    done.mkdir()
    tasks = [functools.partial(_touch, done / "a"), functools.partial(_fails, "first"),
             functools.partial(_touch, done / "b"), functools.partial(_fails, "second")]
    for n_jobs in (1, 2):
        with pytest.raises(runner.JobsFailed, match=r"2 of 4 jobs failed .*\n- _fails\('first'\)"
                                                    r": ValueError: first\n- _fails\('second'\)"):
            runner.run_all(tasks, n_jobs=n_jobs)
        assert sorted(p.name for p in done.iterdir()) == ["a", "b"]
        for p in done.iterdir():
            p.unlink()
    # One failure is raised as it is, after the others ran.
    with pytest.raises(ValueError, match="^only$"):
        runner.run_all([functools.partial(_fails, "only"), functools.partial(_touch, done / "c")])
    assert (done / "c").exists()


def _touch(path):
    path.touch()


def test_a_scheduler_without_workers_or_an_address_that_is_not_dask_fails_clearly(monkeypatch):
    from dask.distributed import LocalCluster

    monkeypatch.setattr(runner, "CONNECT_S", 3)
    monkeypatch.setattr(runner, "WORKERS_S", 3)
    with LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        with pytest.raises(RuntimeError, match="has no workers after 3 s; start one with `dask "
                                               "worker"):
            runner.run_all([time.time], scheduler=cluster.scheduler_address)
    with socket.socket() as mute:  # listens, never speaks Dask
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        address = f"tcp://127.0.0.1:{mute.getsockname()[1]}"
        with pytest.raises(RuntimeError, match=f"No Dask scheduler answered at "
                                               f"ALNB_SCHEDULER={address} within 3 s"):
            runner.run_all([time.time], scheduler=address)


def _record_many(args):
    path, who = args
    job = campaign.Job("01", "x", 1, 10, None, True)
    for i in range(40):
        campaign.record(scales.scale("study"), job._replace(name=f"{who}{i}"), 10, path)


def test_two_writers_of_the_campaign_table_keep_every_row(tmp_path):
    path = tmp_path / "campaign_study.csv"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_record_many, [(path, "a"), (path, "b")])
    assert len(pd.read_csv(path)) == 80 and not list(tmp_path.glob("*.lock"))


def test_a_notebooks_relative_cache_folder_reaches_dask_workers_as_its_own(tmp_path,
                                                                           monkeypatch):
    from dask.distributed import LocalCluster

    syn = alnb.synthetic_dataset(n_train=300, n_test=50)
    plan = [("fig", "synthetic", {"strategy": "random", "n_rounds": 2, "hidden": 8,
                                  "pool_size": None})]
    sc = scales.scale("smoke", seeds=1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # workers started from here
        (tmp_path / "notebooks").mkdir()
        monkeypatch.chdir(tmp_path / "notebooks")
        monkeypatch.setenv("ALNB_SCHEDULER", cluster.scheduler_address)
        monkeypatch.setenv("ALNB_USE_LOG", str(tmp_path / "uses"))  # this process's reads
        df = experiments.run_plan(plan, {"synthetic": syn}, sc, "../results/cache",
                                  progress=False)
    assert len(df) == 2 and len(list((tmp_path / "results" / "cache").glob("*.csv.gz"))) == 1
    # The worker computed it where the notebook reads it: here it was only read.
    assert (tmp_path / "uses").read_text().split()[0] == "cached"
