"""Run a plan's uncached jobs: joblib (loky processes) on one machine, Dask distributed on a
cluster. The result cache is the coordination point: each job's table is written atomically
exactly once, claimed by a lock file that a killed run's successor takes over.

Set ALNB_SCHEDULER=tcp://host:8786 (a `dask scheduler` with `dask worker`s) to send jobs to a
cluster; unset, jobs run here, in ALNB_JOBS processes (default: one per two cores).
"""

from __future__ import annotations

import functools
import json
import os
import socket
import time
from pathlib import Path

import joblib
import pandas as pd

# A lock older than this is taken over even when its owner cannot be checked (another host).
STALE_S = 24 * 3600


def _owner_alive(lock: dict) -> bool:
    if lock.get("host") != socket.gethostname():
        return time.time() - lock.get("time", 0) < STALE_S
    try:
        os.kill(lock["pid"], 0)
    except (ProcessLookupError, KeyError):
        return False
    except PermissionError:
        return True
    return True


def try_claim(lock_path: Path) -> bool:
    """Create `lock_path` atomically with this process's host, pid and time. A lock whose
    owner is dead (same host) or older than STALE_S (other hosts) is taken over."""
    for _ in range(2):
        try:
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                held = json.loads(lock_path.read_text() or "{}")
            except (OSError, json.JSONDecodeError):
                held = {}  # being written right now, or unreadable: look again
            if held and not _owner_alive(held):
                lock_path.unlink(missing_ok=True)
                continue
            return False
        with os.fdopen(fd, "w") as f:
            json.dump({"host": socket.gethostname(), "pid": os.getpid(), "time": time.time()}, f)
        return True
    return False


def compute_once(path: Path, compute, write, read=pd.read_csv,
                 poll_s: float = 1.0) -> pd.DataFrame:
    """The table at `path`, computing it with `compute()` and `write(frame, path)` only if no
    other runner has or is doing so; a runner that finds the lock held waits for the file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    while not path.exists():
        if try_claim(lock):
            try:
                if not path.exists():
                    write(compute(), path)
            finally:
                lock.unlink(missing_ok=True)
        else:
            time.sleep(poll_s)
    return read(path)


def default_jobs() -> int:
    """ALNB_JOBS, else one process per two cores: XLA runs a process's round on two threads
    about as fast as two one-thread processes run two rounds (measured on the 2-core machine)."""
    return int(os.environ.get("ALNB_JOBS", 0)) or max(1, (os.cpu_count() or 2) // 2)


def run_all(tasks, n_jobs: int | None = None, scheduler: str | None = None) -> list:
    """Call every task (a picklable no-argument callable) and return their results in order:
    on the Dask cluster at `scheduler` (default $ALNB_SCHEDULER), else in n_jobs local loky
    processes (in this process when n_jobs is 1)."""
    tasks = list(tasks)
    scheduler = scheduler or os.environ.get("ALNB_SCHEDULER")
    if scheduler:
        from dask.distributed import Client

        with Client(scheduler) as client:
            return client.gather(client.map(_call, tasks, pure=False))
    n_jobs = n_jobs or default_jobs()
    if n_jobs == 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    return joblib.Parallel(n_jobs=n_jobs, backend="loky")(joblib.delayed(_call)(t) for t in tasks)


def _call(task):
    return task()


@functools.lru_cache(maxsize=4)
def dataset(name: str):
    """A dataset loaded once per worker process, so jobs travel as names, not arrays."""
    from alnb.data import load_dataset

    return load_dataset(name)
