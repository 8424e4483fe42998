"""`make campaign`: compute every uncached result of the study at one scale, cheapest first, in
tiers, through the runner; the notebooks then re-plot from the cache.

python -m alnb.campaign [--scale study] [--tier 1] [--notebook 01] [--dry-run]

Tier 1 is every section but the three below; tier 2 adds ANN1(1000) (Fig. 1d, 10) and Fig. 14;
tier 3 adds CIFAR-10 with CNN1; tier 4 the runs claims wait for (Fig. 10 to the end, ANN1(1000)
on Fashion-MNIST) and tier 5 five more seeds of the runs where they cost under 15 minutes, which
the notebooks read only once they are cached, so `make figures` on a fresh clone never starts
them. Lower tiers run first. It can be killed at any time: finished jobs are in the cache,
jobs in flight leave only a stale lock, and a rerun goes on from there.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from typing import NamedTuple

import pandas as pd

from alnb import experiments as ex
from alnb import runner, scales
from alnb.data import SPECS
from alnb.sections import SECTIONS

CACHE = ex.ROOT / "results" / "cache"
ANN_DATASETS = ("mnist", "fashion_mnist")
TIER2_STUDIES = {"accuracy_bounds"}  # Fig. 14


class Job(NamedTuple):
    notebook: str
    name: str
    tier: int
    estimate_s: float
    task: object  # a picklable no-argument callable that computes and caches
    done: bool
    needed_by: tuple[str, ...] = ()  # every notebook that reads it, `notebook` first


def _section_job(notebook: str, fn_name: str, name: str, sc: scales.Scale, cache: str) -> None:
    getattr(SECTIONS[notebook], fn_name)(runner.dataset(name), sc, cache)


def jobs(sc: scales.Scale, cache=CACHE) -> list[Job]:
    """Every job of every notebook at scale `sc`, with its tier and estimated seconds."""
    cache = str(cache)
    both = list(ANN_DATASETS)
    runs = [(nb, figure, name, *planned) for nb in ("01", "02", "03", "04", "06")
            for figure, name, changes in SECTIONS[nb].plan(
                sc, [*both, "cifar10"] if nb == "02" else both)
            for planned in ex.plan_configs(sc, SPECS[name].n_train, SPECS[name].n_test,
                                           **changes)]
    # Lower seeds first (`order` keeps this among equal estimates): a run split into one
    # config per seed is then computed seed by seed across its strategies, and a campaign
    # stopped halfway leaves paired seeds.
    runs.sort(key=lambda run: run[3].first_seed)
    out, seen = [], {}
    for notebook, figure, name, cfg, tier in runs:
        key = (name, cfg)
        if key in seen:
            job = out[seen[key]]
            out[seen[key]] = job._replace(tier=min(job.tier, tier), needed_by=(
                *job.needed_by, *[notebook] * (notebook not in job.needed_by)))
            continue
        seen[key] = len(out)
        ds = runner.dataset(name)
        extra = (f" splits {cfg.pool_splits}" * (cfg.pool_splits > 1)
                 + f" start {cfg.initial_size}" * (cfg.initial_size > 0)
                 + f" epochs {cfg.epochs}" * (cfg.epochs > 1)
                 + f" eval {cfg.eval_hidden}/{cfg.eval_epochs}" * (cfg.evaluation_net is not None)
                 + f" seeds {cfg.first_seed}-{cfg.first_seed + cfg.seeds - 1}" * (
                     cfg.first_seed > 0 or cfg.seeds < sc.seeds))
        out.append(Job(notebook, f"{figure} {name} {cfg.strategy}/{cfg.mode} hidden {cfg.hidden} "
                       f"acq {cfg.acq_size} rounds {cfg.n_rounds or 'all'}{extra}",
                       tier, ex.estimate_seconds(cfg, SPECS[name].n_train),
                       functools.partial(ex.run_config, name, cfg, cache),
                       ex.results.run_path(ds, cfg, cache).exists(), (notebook,)))
    return out + _study_jobs(sc, cache)


def _study_jobs(sc: scales.Scale, cache: str) -> list[Job]:
    """The sections' studies outside the AL plans, with the sections' own estimates."""
    out = []
    for nb in ("04", "05"):
        for study, name, estimate in SECTIONS[nb].study_costs(sc, list(ANN_DATASETS)):
            task = functools.partial(_section_job, nb, study, name, sc, cache)
            out.append(Job(nb, f"{study} {name}", 2 if study in TIER2_STUDIES else 1, estimate,
                           task, _cached(task), (nb,)))
    return out


def _cached(task) -> bool:
    """Whether every table `task` reads is in the cache: it runs reading only."""
    try:
        with ex.results.only_cached():
            task()
    except ex.results.NotCached:
        return False
    except runner.JobsFailed as e:
        if all(isinstance(x, ex.results.NotCached) for x in e.errors):
            return False
        raise
    return True


def read_by(every: list[Job], notebooks=()) -> list[Job]:
    """The jobs one of `notebooks` reads (shared runs included); all of them without any."""
    return [j for j in every if not notebooks or set(notebooks) & set(j.needed_by)]


def pending(every: list[Job], tier: int, notebooks=(), only: bool = False) -> list[Job]:
    """The uncached jobs of tiers <= `tier` (of tier `tier` alone with `only`); with
    `notebooks`, only those one of them reads."""
    return [j for j in read_by(every, notebooks)
            if (j.tier == tier if only else j.tier <= tier) and not j.done]


def order(todo: list[Job]) -> list[Job]:
    """The jobs tier by tier; within a tier notebook by notebook, the notebook with the least
    compute left first (counting the runs it shares with others), so that whole notebooks
    finish early; within a notebook the cheapest job first."""
    out = []
    for tier in sorted({j.tier for j in todo}):
        left_in_tier = [j for j in todo if j.tier == tier]
        while left_in_tier:
            left = {nb: sum(j.estimate_s for j in left_in_tier if nb in j.needed_by)
                    for j in left_in_tier for nb in j.needed_by}
            first = min(left, key=lambda nb: (left[nb], nb))
            out += sorted((j for j in left_in_tier if first in j.needed_by),
                          key=lambda j: j.estimate_s)
            left_in_tier = [j for j in left_in_tier if first not in j.needed_by]
    return out


def run(sc: scales.Scale, tier: int, log=print, notebooks=(), only: bool = False) -> None:
    """Run every job of tiers <= `tier` (of `tier` alone with `only`) that is not cached yet
    (only those `notebooks` read, when given), in `order`, with a progress line and an ETA
    from the cost model."""
    todo = order(pending(jobs(sc), tier, notebooks, only))
    left = sum(j.estimate_s for j in todo)
    log(f"campaign {sc.name} tier {tier}: {len(todo)} jobs, estimated {left / 3600:.1f} h")
    if os.environ.get("ALNB_SCHEDULER") or runner.default_jobs() > 1:
        # The cluster or the local processes share the jobs out.
        seconds = runner.run_all(functools.partial(_timed, j.task) for j in todo)
        for job, s in zip(todo, seconds, strict=True):
            record(sc, job, s)
        return
    failed = []
    for i, job in enumerate(todo, 1):
        log(f"[{i}/{len(todo)}] {job.notebook} {job.name}: estimated "
            f"{job.estimate_s / 60:.1f} min")
        left -= job.estimate_s
        try:
            (seconds,) = runner.run_all([functools.partial(_timed, job.task)])
        except Exception as e:  # the next jobs still run; all failures are reported at the end
            failed.append(f"{job.name}: {type(e).__name__}: {e}")
            log(f"[{i}/{len(todo)}] FAILED: {failed[-1]}")
            continue
        record(sc, job, seconds)
        log(f"[{i}/{len(todo)}] done in {seconds / 60:.1f} min; "
            f"ETA {left / 3600:.1f} h by the cost model")
    if failed:
        raise SystemExit(f"{len(failed)} of {len(todo)} campaign jobs failed (the others are "
                         "cached):\n" + "\n".join(failed))


def makespan(seconds, workers: int) -> float:
    """Wall time of independent jobs on `workers` equal machines, longest job first to the
    least loaded machine (Graham's LPT rule, within 4/3 of the optimum): never below the
    longest job."""
    loads = [0.0] * workers
    for s in sorted(seconds, reverse=True):
        loads[loads.index(min(loads))] += s
    return max(loads)


def _timed(task) -> float:
    t = time.perf_counter()
    task()
    return time.perf_counter() - t


def record(sc: scales.Scale, job: Job, seconds: float, path=None) -> None:
    """Append a finished job's wall time to results/campaign_<scale>.csv: the compute each
    notebook cost at that scale, beside the cost model's estimate. A job that only read
    tables another scale had computed (a few seconds at most) is not a cost of this one."""
    if seconds < 5:
        return
    path = path or CACHE.parent / f"campaign_{sc.name}.csv"
    row = pd.DataFrame([{"notebook": job.notebook, "job": job.name, "tier": job.tier,
                         "estimate_s": round(job.estimate_s), "seconds": round(seconds),
                         "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}])
    with runner.holding(path.with_name(path.name + ".lock")):  # other runners append too
        old = pd.read_csv(path, dtype={"notebook": str}) if path.exists() else None
        ex.results.write_atomic(pd.concat([old, row]) if old is not None else row, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="study", choices=list(scales.SCALES))
    ap.add_argument("--tier", type=int, default=1, choices=(1, 2, 3, ex.LATER, ex.SEEDS))
    ap.add_argument("--notebook", action="append", default=[], choices=sorted(SECTIONS),
                    help="only the jobs this notebook reads (repeatable)")
    ap.add_argument("--only-tier", action="store_true",
                    help="run this tier's jobs alone, not the lower tiers' first (e.g. tier 5's "
                         "short seed jobs before tier 4's long runs)")
    ap.add_argument("--dry-run", action="store_true", help="list the jobs, run nothing")
    args = ap.parse_args(argv)
    sc = scales.scale(args.scale)
    if args.dry_run:
        # One pass: it reads the data sets and asks the cache for each study.
        every = read_by(jobs(sc), args.notebook)
        for j in sorted(every, key=lambda j: (j.tier, j.estimate_s)):
            print(f"tier {j.tier} {j.notebook} {'cached ' if j.done else 'to run '} "
                  f"{j.estimate_s / 60:7.1f} min  {j.name}")
        for tier in (1, 2, 3, ex.LATER, ex.SEEDS):
            todo = [j.estimate_s for j in every if j.tier <= tier and not j.done]
            print(f"tiers <= {tier}, uncached: {len(todo)} jobs; by the cost model on N workers "
                  "like this machine: " + ", ".join(
                      f"N={n} {makespan(todo, n) / 3600:.1f} h" for n in (1, 2, 4, 8, 16)))
        return 0
    run(sc, args.tier, log=lambda s: print(time.strftime("%H:%M:%S"), s, flush=True),
        notebooks=args.notebook, only=args.only_tier)
    return 0


if __name__ == "__main__":
    sys.exit(main())
