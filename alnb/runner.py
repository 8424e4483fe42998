"""Run a plan's uncached jobs: joblib (loky processes) on one machine, Dask distributed on a
cluster. The result cache is the coordination point: each job's table is written atomically
exactly once, claimed by a lock file that a killed run's successor takes over.

Set ALNB_SCHEDULER=tcp://host:8786 (a `dask scheduler` with `dask worker`s) to send jobs to a
cluster; unset, jobs run here, in ALNB_JOBS processes (default: one per two cores).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import threading
import time
import warnings
from pathlib import Path

import joblib
import pandas as pd

# The owner of a lock touches it every HEARTBEAT_S while it computes; a lock untouched for
# STALE_S is taken over, whatever host wrote it.
HEARTBEAT_S, STALE_S = 30, 300


def _stale(lock_path: Path, held: dict | None) -> bool:
    """Whether a held lock may be taken over: its owner (on this host) is dead, or its
    heartbeat is older than STALE_S. A lock from before heartbeats (this host, no
    "heartbeat") is held while its pid lives; an unreadable one once it is STALE_S old."""
    try:
        age = time.time() - lock_path.stat().st_mtime
    except FileNotFoundError:
        return False  # released meanwhile: claim it afresh
    if held is None:
        if age > STALE_S:
            warnings.warn(f"{lock_path} is unreadable and {age:.0f} s old: taking it over.",
                          stacklevel=3)
            return True
        return False  # being written right now
    if held.get("host") == socket.gethostname():
        if not _pid_alive(held.get("pid")):
            return True
        if not held.get("heartbeat"):
            return False
    return age > STALE_S


def _pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, TypeError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def try_claim(lock_path: Path) -> bool:
    """Create `lock_path` atomically with this process's host, pid and time; a stale lock
    (see _stale) is taken over. A lock that cannot be written says why."""
    for _ in range(2):
        try:
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                held = json.loads(lock_path.read_text())
            except (OSError, json.JSONDecodeError, UnicodeDecodeError):
                held = None
            if _stale(lock_path, held if isinstance(held, dict) else None):
                lock_path.unlink(missing_ok=True)
                continue
            return False
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"host": socket.gethostname(), "pid": os.getpid(), "time": time.time(),
                           "heartbeat": True}, f)
        except OSError as e:
            lock_path.unlink(missing_ok=True)
            raise OSError(e.errno, f"cannot write the lock {lock_path} ({e.strerror}): the disk "
                                   f"holding {lock_path.parent} is full or read-only") from None
        return True
    return False


def _heartbeat(lock_path: Path, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_S):
        try:
            os.utime(lock_path)
        except OSError:
            return


def compute_once(path: Path, compute, write, read=pd.read_csv,
                 poll_s: float = 1.0) -> pd.DataFrame:
    """The table at `path`, computing it with `compute()` and `write(frame, path)` only if no
    other runner has or is doing so; a runner that finds the lock held waits for the file.
    While it computes, a thread keeps the lock's heartbeat."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    while not path.exists():
        if try_claim(lock):
            stop = threading.Event()
            beat = threading.Thread(target=_heartbeat, args=(lock, stop), daemon=True)
            beat.start()
            try:
                if not path.exists():
                    write(compute(), path)
            finally:
                stop.set()
                beat.join()
                lock.unlink(missing_ok=True)
        else:
            time.sleep(poll_s)
    return read(path)


@contextlib.contextmanager
def holding(lock_path: Path, poll_s: float = 0.05):
    """Hold `lock_path` for a short read-modify-write (the bookkeeping tables that several
    runners append to), waiting while another holds it."""
    while not try_claim(lock_path):
        time.sleep(poll_s)
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)


def default_jobs() -> int:
    """ALNB_JOBS, else one process per two cores: XLA runs a process's round on two threads
    about as fast as two one-thread processes run two rounds (measured on the 2-core machine)."""
    text = os.environ.get("ALNB_JOBS", "").strip()
    if text and not (text.isdigit() and int(text) >= 1):
        raise ValueError(f"ALNB_JOBS={text!r}: give a whole number of local processes >= 1, "
                         "or unset it for one per two cores.")
    return int(text) if text else max(1, (os.cpu_count() or 2) // 2)


# How long a Dask scheduler may take to answer, and to have a worker, before run_all gives up.
CONNECT_S, WORKERS_S = 30, 120


class JobsFailed(RuntimeError):
    """Several jobs of one run_all failed (the others finished); `errors` holds each one."""

    def __init__(self, failed: list[tuple[str, BaseException]], total: int):
        self.errors = [e for _, e in failed]
        super().__init__(f"{len(failed)} of {total} jobs failed (the others finished):\n"
                         + "\n".join(f"- {what}: {type(e).__name__}: {e}" for what, e in failed))


def run_all(tasks, n_jobs: int | None = None, scheduler: str | None = None) -> list:
    """Call every task (a picklable no-argument callable) and return their results in order:
    on the Dask cluster at `scheduler` (default $ALNB_SCHEDULER), else in n_jobs local loky
    processes (in this process when n_jobs is 1). A failed task does not stop the others:
    once all have run, one failure is raised as it is, several as JobsFailed."""
    tasks = list(tasks)
    scheduler = scheduler or os.environ.get("ALNB_SCHEDULER")
    if scheduler:
        out = _on_cluster(scheduler, tasks)
    elif (n_jobs := n_jobs or default_jobs()) == 1 or len(tasks) <= 1:
        out = [_call(task) for task in tasks]
    else:
        out = joblib.Parallel(n_jobs=n_jobs, backend="loky")(
            joblib.delayed(_call)(t) for t in tasks)
    failed = [(_describe(t), r.error) for t, r in zip(tasks, out, strict=True)
              if isinstance(r, _Failed)]
    if len(failed) == 1:
        raise failed[0][1]
    if failed:
        raise JobsFailed(failed, len(tasks)) from failed[0][1]
    return out


def _connect(scheduler: str):
    """A Dask client of `scheduler`, or a clear error within about CONNECT_S seconds. The
    client connects in a daemon thread: an address that accepts TCP but never speaks Dask
    would hang Client() past its own timeout."""
    from dask.distributed import Client

    box = {}

    def connect():
        try:
            box["client"] = Client(scheduler, timeout=CONNECT_S)
        except Exception as e:  # reported below
            box["error"] = e

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(CONNECT_S + 5)
    if "client" not in box:
        why = type(box["error"]).__name__ if "error" in box else "no answer"
        raise RuntimeError(f"No Dask scheduler answered at ALNB_SCHEDULER={scheduler} within "
                           f"{CONNECT_S} s ({why}); start one with `dask scheduler`, or unset "
                           "ALNB_SCHEDULER to run here.")
    return box["client"]


def _on_cluster(scheduler: str, tasks: list) -> list:
    with _connect(scheduler) as client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_S)
        except TimeoutError:
            raise RuntimeError(f"The Dask scheduler at {scheduler} has no workers after "
                               f"{WORKERS_S} s; start one with `dask worker {scheduler}`."
                               ) from None
        return client.gather(client.map(_call, tasks, pure=False))


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def _call(task):
    try:
        return task()
    except Exception as e:  # reported once every task has run
        return _Failed(e)


def _describe(task) -> str:
    """A task's function and arguments, partials unwrapped, in one short line."""
    while isinstance(task, functools.partial) and task.args and callable(task.args[0]):
        task = task.args[0]  # _timed(job)
    if isinstance(task, functools.partial):
        text = f"{task.func.__name__}({', '.join(map(repr, task.args))})"
    else:
        text = repr(task)
    return text if len(text) <= 300 else text[:297] + "..."


@functools.lru_cache(maxsize=4)
def dataset(name: str):
    """A dataset loaded once per worker process, so jobs travel as names, not arrays."""
    from alnb.data import load_dataset

    return load_dataset(name)
