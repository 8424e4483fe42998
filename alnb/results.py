"""Tidy result tables, cached by config and data so re-plotting never retrains."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from alnb.data import Dataset
from alnb.loop import ALConfig, run_active_learning
from alnb.runner import compute_once

# Bump when the engine changes what a config computes, so old cached tables are not reused.
ENGINE_VERSION = 1


def data_fingerprint(ds: Dataset) -> str:
    """A cheap hash of the data: labels in full, a strided sample of the images."""
    h = hashlib.sha1(ds.name.encode())
    for a in (ds.y_train, ds.y_test, ds.x_train[::97], ds.x_test[::97]):
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:12]


def config_key(cfg: ALConfig, ds: Dataset) -> str:
    blob = json.dumps({"config": dataclasses.asdict(cfg), "data": data_fingerprint(ds),
                       "engine": ENGINE_VERSION}, sort_keys=True)
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


def cache_path(cache_dir: str | os.PathLike, stem: str) -> Path:
    """Where a cached table lives: `stem.csv.gz`, or a plain `stem.csv` from before the cache
    was compressed."""
    plain = Path(cache_dir) / f"{stem}.csv"
    return plain if plain.exists() else Path(cache_dir) / f"{stem}.csv.gz"


def cached(cache_dir: str | os.PathLike, name: str, spec: dict, ds: Dataset,
           compute) -> pd.DataFrame:
    """`compute()`'s frame, read from `cache_dir` when the same spec has run on this data."""
    blob = json.dumps({"spec": spec, "data": data_fingerprint(ds), "engine": ENGINE_VERSION},
                      sort_keys=True, default=str)
    path = cache_path(cache_dir, f"{ds.name}-{name}-{hashlib.sha1(blob.encode()).hexdigest()[:16]}")
    return compute_once(path, compute, write_atomic)  # as later reads will see it


def run_path(ds: Dataset, cfg: ALConfig, cache_dir: str | os.PathLike) -> Path:
    return cache_path(cache_dir, f"{ds.name}-{cfg.strategy}-{cfg.mode}-{config_key(cfg, ds)}")


def cached_run(ds: Dataset, cfg: ALConfig, cache_dir: str | os.PathLike = "results/cache",
               progress: bool = True) -> pd.DataFrame:
    """`run_active_learning(ds, cfg).to_frame()`, read from `cache_dir` when this config has
    run on this data before. The frame gains `dataset` and the config's fields as columns."""
    def compute():
        frame = run_active_learning(ds, cfg, progress=progress).to_frame()
        frame.insert(0, "dataset", ds.name)
        for name, value in dataclasses.asdict(cfg).items():
            if name not in frame:
                frame[name] = value
        return frame

    return compute_once(run_path(ds, cfg, cache_dir), compute, write_atomic)
