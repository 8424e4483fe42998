import dataclasses
import gzip
import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import alnb
from alnb import results

SYN = alnb.synthetic_dataset(n_train=300, n_test=100, seed=0)
CFG = alnb.ALConfig(strategy="margin", acq_size=30, initial_size=30, n_rounds=3, hidden=16,
                    seeds=2)


def test_cached_run_trains_once_then_reads(tmp_path, monkeypatch):
    first = results.cached_run(SYN, CFG, tmp_path, progress=False)
    (path,) = tmp_path.glob("*.csv.gz")
    assert path.name.startswith("synthetic-margin-cumulative-")
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left nothing behind

    def no_training(*_, **__):
        raise AssertionError("re-plotting must not retrain")

    monkeypatch.setattr(results, "run_active_learning", no_training)
    again = results.cached_run(SYN, CFG, tmp_path, progress=False)
    pd.testing.assert_frame_equal(first, again, check_dtype=False)
    assert set(first.strategy) == {"margin"} and set(first.dataset) == {"synthetic"}


def test_key_changes_with_config_and_data():
    key = results.config_key(CFG, SYN)
    assert key == results.config_key(CFG, SYN)
    assert key != results.config_key(dataclasses.replace(CFG, seeds=3), SYN)
    other = alnb.synthetic_dataset(n_train=300, n_test=100, seed=1)
    assert key != results.config_key(CFG, other)


def test_committed_results_keep_their_keys_when_fields_are_added():
    """A field added later (mc_passes) names results only away from its first value: the key
    of a default config is the one the engine gave before the field existed."""
    cfg = alnb.ALConfig(strategy="entropy", seeds=3, n_rounds=None)
    assert results.config_key(cfg, alnb.synthetic_dataset()) == "5496878d3d53be06"
    bald = dataclasses.replace(cfg, strategy="bald", mc_passes=5)
    assert "mc_passes" not in cfg.identity() and bald.identity()["mc_passes"] == 5


def test_cached_computes_once_per_spec(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"x": [len(calls)]})

    a = results.cached(tmp_path, "study", {"n": 1}, SYN, compute)
    b = results.cached(tmp_path, "study", {"n": 1}, SYN, compute)
    c = results.cached(tmp_path, "study", {"n": 2}, SYN, compute)
    assert len(calls) == 2 and a.x[0] == b.x[0] == 1 and c.x[0] == 2
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("*.csv.gz")) == ["study", "study"]
    with results.only_cached():  # reads what is there, computes nothing
        assert results.cached(tmp_path, "study", {"n": 1}, SYN, compute).x[0] == 1
        with pytest.raises(results.NotCached):
            results.cached(tmp_path, "study", {"n": 3}, SYN, compute)
    assert len(calls) == 2 and len(list(tmp_path.glob("*.lock"))) == 0


def test_cached_tables_carry_provenance_and_corruption_is_caught(tmp_path):
    frame = results.cached_run(SYN, CFG, tmp_path, progress=False)
    (path,) = tmp_path.glob("*.csv.gz")
    side = json.loads(path.with_name(path.name + ".json").read_text())
    made = side["provenance"]
    assert side["rows"] == len(frame) == CFG.seeds * CFG.n_rounds
    assert set(made["versions"]) == {"jax", "jaxlib", "flax", "optax", "numpy"}
    assert made["lock"] and made["platform"].startswith("cpu")
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    path.write_bytes(gzip.compress("\n".join(lines[:-1]).encode()))  # a truncated table
    with pytest.raises(results.CacheError, match="checksum differs .* delete"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)
    path.with_name(path.name + ".json").unlink()  # no sidecar: nothing to check it by
    with pytest.raises(results.CacheError, match=r"no sidecar .*\.json, so the table cannot be "
                                                 "checked: delete"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)


def test_a_table_computed_with_other_numerical_packages_warns_and_another_lock_does_not(
        tmp_path):
    results.cached_run(SYN, CFG, tmp_path, progress=False)
    (path,) = tmp_path.glob("*.csv.gz")
    side = path.with_name(path.name + ".json")
    record = json.loads(side.read_text())
    record["provenance"]["lock"] = "another"  # e.g. a documentation tool added to the lock
    side.write_text(json.dumps(record))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results.cached_run(SYN, CFG, tmp_path, progress=False)
    record["provenance"]["versions"]["jax"] = "0.0.1"
    side.write_text(json.dumps(record))
    with pytest.warns(UserWarning, match=r"computed with jax 0\.0\.1 \(now .*\); rerun"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)


def test_a_headerless_cache_file_fails_clearly(tmp_path):
    results.cached_run(SYN, CFG, tmp_path, progress=False)
    (path,) = tmp_path.glob("*.csv.gz")
    path.write_bytes(gzip.compress(b""))
    side = path.with_name(path.name + ".json")
    side.write_text(json.dumps({**json.loads(side.read_text()), "sha256": hashlib.sha256(
        path.read_bytes()).hexdigest()}))  # a sidecar that matches the empty file
    with pytest.raises(results.CacheError, match="unreadable"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)


def test_a_damaged_sidecar_fails_clearly_naming_the_file(tmp_path):
    results.cached_run(SYN, CFG, tmp_path, progress=False)
    (path,) = tmp_path.glob("*.csv.gz")
    path.with_name(path.name + ".json").write_text('{"sha256": "ab')  # cut off mid-write
    with pytest.raises(results.CacheError, match=r"\.csv\.gz\.json: not a readable sidecar .* "
                                                 "delete .* to recompute it"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)


def test_another_configs_table_under_a_key_is_refused(tmp_path):
    results.cached_run(SYN, CFG, tmp_path, progress=False)
    other = dataclasses.replace(CFG, strategy="random")
    results.cached_run(SYN, other, tmp_path, progress=False)
    mine, theirs = results.run_path(SYN, CFG, tmp_path), results.run_path(SYN, other, tmp_path)
    for suffix in ("", ".json"):  # copied with its sidecar, so the checksum matches
        Path(str(mine) + suffix).write_bytes(Path(str(theirs) + suffix).read_bytes())
    with pytest.raises(results.CacheError, match=r"its strategy is \['random'\], not the "
                                                 "requested 'margin': the file is another"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)


def test_xla_flags_that_change_numerics_are_part_of_the_key(monkeypatch):
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    plain = results.config_key(CFG, SYN)
    monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
    assert results.config_key(CFG, SYN) != plain
    monkeypatch.setenv("XLA_FLAGS", "  ")
    assert results.config_key(CFG, SYN) == plain  # no flags: the committed tables' key


def test_a_seeds_lane_layout_is_part_of_its_key():
    # XLA's batched kernels can differ with the number of lanes beside a seed, so seed 0 in
    # a run of 2 seeds and in one of 5 are different runs, never read as each other.
    keys = {results.config_key(dataclasses.replace(CFG, first_seed=f, seeds=s), SYN)
            for f, s in ((0, 1), (0, 2), (0, 5), (1, 1), (1, 4))}
    assert len(keys) == 5


def test_a_cache_only_run_refuses_to_compute_and_says_how_to_fill_the_cache(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("ALNB_CACHE_ONLY", "1")  # as `make book` runs its notebooks
    with pytest.raises(results.NotCached, match=r"not in the cache.*`make campaign`"):
        results.cached_run(SYN, CFG, tmp_path, progress=False)
    assert not list(tmp_path.glob("*.csv.gz"))
    monkeypatch.delenv("ALNB_CACHE_ONLY")
    results.cached_run(SYN, CFG, tmp_path, progress=False)
    monkeypatch.setenv("ALNB_CACHE_ONLY", "1")
    assert len(results.cached_run(SYN, CFG, tmp_path, progress=False)) == CFG.seeds * CFG.n_rounds
