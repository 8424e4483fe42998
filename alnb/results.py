"""Tidy result tables, cached by config and data so re-plotting never retrains. Each cached
table has a sidecar `<name>.json` with its checksum, shape and the environment that made it
(package versions, git commit, XLA flags, platform, the lock file's hash)."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gzip
import hashlib
import json
import os
import platform
import subprocess
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from alnb.config import ALConfig, schedule
from alnb.data import Dataset
from alnb.loop import run_active_learning
from alnb.runner import compute_once

# Bump when the engine changes what a config computes, so old cached tables are not reused.
ENGINE_VERSION = 1
_ONLY_CACHED = contextvars.ContextVar("only_cached", default=False)


def data_fingerprint(ds: Dataset) -> str:
    """A cheap hash of the data: labels in full, a strided sample of the images."""
    h = hashlib.sha1(ds.name.encode())
    for a in (ds.y_train, ds.y_test, ds.x_train[::97], ds.x_test[::97]):
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:12]


def _engine() -> dict:
    """What besides the config decides a table's numbers: the engine version, and XLA_FLAGS
    where set (smoke compiles at -O0), so one key never holds numbers of two compilations.
    Without flags it is the engine alone, the key of every committed table."""
    flags = sorted(os.environ.get("XLA_FLAGS", "").split())
    return {"engine": ENGINE_VERSION, **({"xla_flags": flags} if flags else {})}


def config_key(cfg: ALConfig, ds: Dataset) -> str:
    blob = json.dumps({"config": cfg.identity(), "data": data_fingerprint(ds), **_engine()},
                      sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def write_atomic(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a CSV so that a killed run never leaves a half-written file behind; gzipped when
    the name ends in .gz, with no name or time in the header, so the bytes depend only on the
    frame."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = frame.to_csv(index=False).encode()
    tmp.write_bytes(gzip.compress(text, mtime=0) if path.suffix == ".gz" else text)
    os.replace(tmp, path)


ROOT = Path(__file__).resolve().parents[1]


class NotCached(LookupError):
    """Raised by a table read under `only_cached()`, or with $ALNB_CACHE_ONLY set, that would
    have to be computed."""


@contextlib.contextmanager
def only_cached():
    """Within this block, a cached table that is missing raises NotCached instead of being
    computed: how the campaign asks whether a study has run without running it."""
    token = _ONLY_CACHED.set(True)
    try:
        yield
    finally:
        _ONLY_CACHED.reset(token)


class CacheError(RuntimeError):
    """A cached table is corrupt or does not match what its config computes."""


@functools.lru_cache(maxsize=1)
def provenance() -> dict:
    """The environment this process computes in, recorded beside every table it caches."""
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except OSError:
            return ""

    import jax

    lock = ROOT / "requirements.lock"
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {
        "versions": {p: metadata.version(p) for p in ("jax", "jaxlib", "flax", "optax", "numpy")},
        "commit": git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain",
                                                                          "alnb") else ""),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "platform": f"{jax.devices()[0].platform}: {jax.devices()[0].device_kind} ({cpu})",
        "lock": hashlib.sha256(lock.read_bytes()).hexdigest()[:12] if lock.exists() else "",
    }


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_cached(frame: pd.DataFrame, path: Path) -> None:
    """The table, then its sidecar: checksum, rows, columns and this process's provenance."""
    write_atomic(frame, path)
    side = {"sha256": _sha256(path), "rows": len(frame), "columns": list(frame.columns),
            "provenance": provenance()}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.json.tmp")
    tmp.write_text(json.dumps(side, indent=1))
    os.replace(tmp, _sidecar(path))


def read_cached(path: Path) -> pd.DataFrame:
    """A cached table, checked against its sidecar; CacheError says which file and how to fix
    it. A table made under another lock file is read with a warning."""
    path = Path(path)
    fix = f"delete {path.name} and its .json to recompute it"
    if not _sidecar(path).exists():
        raise CacheError(f"{path}: no sidecar {_sidecar(path).name}, so the table cannot be "
                         f"checked: {fix}.")
    try:
        side = json.loads(_sidecar(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        side = str(e)
    if not isinstance(side, dict) or not {"sha256", "rows", "columns"} <= side.keys():
        raise CacheError(f"{_sidecar(path)}: not a readable sidecar ({str(side)[:80]}): "
                         f"{fix}.")
    if _sha256(path) != side["sha256"]:
        raise CacheError(f"{path}: checksum differs from {_sidecar(path).name}; the file is "
                         f"corrupt or was edited: {fix}.")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, EOFError) as e:
        raise CacheError(f"{path}: unreadable ({e}): {fix}.") from None
    if len(frame) != side["rows"] or list(frame.columns) != side["columns"]:
        raise CacheError(f"{path}: {len(frame)} rows and columns {list(frame.columns)[:4]}... "
                         f"where {side['rows']} rows were written: {fix}.")
    made = (side.get("provenance") or {}).get("versions")
    now = provenance()["versions"]
    changed = {p: v for p, v in (made or {}).items() if now.get(p) != v}
    if changed:  # a lock change that moves none of these (docs, test tools) computes the same
        warnings.warn(f"{path.name} was computed with "
                      + ", ".join(f"{p} {v} (now {now.get(p)})" for p, v in changed.items())
                      + "; rerun it to compare like with like.", stacklevel=2)
    return frame


def _table(path: Path, compute) -> pd.DataFrame:
    """The cached table at `path`, computed once if missing. Notes in $ALNB_USE_LOG (set by
    alnb.notebooks for its kernels) whether it was computed or read, so a notebook's runtime
    is recorded only when it computed all of it."""
    if not path.exists() and (_ONLY_CACHED.get() or os.environ.get("ALNB_CACHE_ONLY")):
        raise NotCached(f"{path} is not in the cache, and this run only reads it "
                        "(ALNB_CACHE_ONLY, as `make book` sets): compute it first with "
                        "`make campaign` or `make figures`.")
    log = os.environ.get("ALNB_USE_LOG")
    if log:
        with open(log, "a") as f:
            f.write(f"{'cached' if path.exists() else 'computed'} {path.name}\n")
    return compute_once(path, compute, write_cached, read_cached)


def cache_path(cache_dir: str | os.PathLike, stem: str) -> Path:
    """Where a cached table lives: `stem.csv.gz`."""
    return Path(cache_dir) / f"{stem}.csv.gz"


def _hashed(cache_dir: str | os.PathLike, name: str, identity: dict) -> Path:
    """`name`-<hash of identity and the engine>: where a table of that identity lives."""
    blob = json.dumps({**identity, **_engine()}, sort_keys=True, default=str)
    return cache_path(cache_dir, f"{name}-{hashlib.sha1(blob.encode()).hexdigest()[:16]}")


def cached(cache_dir: str | os.PathLike, name: str, spec: dict, ds: Dataset,
           compute) -> pd.DataFrame:
    """`compute()`'s frame, read from `cache_dir` when the same spec has run on this data."""
    return _table(_hashed(cache_dir, f"{ds.name}-{name}",
                          {"spec": spec, "data": data_fingerprint(ds)}), compute)


def keyed(cache_dir: str | os.PathLike, name: str, key: dict, compute) -> pd.DataFrame:
    """`compute()`'s frame, read from `cache_dir` when the same `key` (a JSON-able dict that
    determines the result, e.g. the hash of the table it is computed from) was computed
    before."""
    return _table(_hashed(cache_dir, name, {"key": key}), compute)


def _check_config(frame: pd.DataFrame, cfg: ALConfig, ds: Dataset, path: Path) -> None:
    """A cached run's own config columns must be the requested config's: a table copied
    under another key is refused."""
    want = {**cfg.identity(), "dataset": ds.name}
    for name, value in want.items():
        if name not in frame:
            continue  # a field added since (LATER_FIELDS), at the value it ran at
        got = frame[name].unique()
        same = (pd.isna(got).all() if value is None else len(got) == 1 and (
            np.isclose(got[0], value) if isinstance(value, float) else got[0] == value))
        if not same:
            raise CacheError(f"{path}: its {name} is {list(got)[:3]}, not the requested "
                             f"{value!r}: the file is another config's table: delete it and "
                             "its .json to recompute it.")


def run_path(ds: Dataset, cfg: ALConfig, cache_dir: str | os.PathLike) -> Path:
    return cache_path(cache_dir, f"{ds.name}-{cfg.strategy}-{cfg.mode}-{config_key(cfg, ds)}")


def cached_run(ds: Dataset, cfg: ALConfig, cache_dir: str | os.PathLike = "results/cache",
               progress: bool = True) -> pd.DataFrame:
    """`run_active_learning(ds, cfg).to_frame()`, read from `cache_dir` when this config has
    run on this data before. The frame gains `dataset` and the config's fields as columns."""
    def compute():
        frame = run_active_learning(ds, cfg, progress=progress).to_frame()
        frame.insert(0, "dataset", ds.name)
        for name, value in cfg.identity().items():
            if name not in frame:
                frame[name] = value
        return frame

    path = run_path(ds, cfg, cache_dir)
    frame = _table(path, compute)
    _check_config(frame, cfg, ds, path)
    n_rounds = len(schedule(cfg, cfg.pool_size or len(ds.x_train))[0])
    if len(frame) != cfg.seeds * n_rounds or set(frame.get("seed", ())) != set(
            range(cfg.first_seed, cfg.first_seed + cfg.seeds)):
        raise CacheError(f"{path}: {len(frame)} rows where {cfg.seeds} seeds x {n_rounds} "
                         f"rounds were expected: delete it and its .json to recompute it.")
    return frame
