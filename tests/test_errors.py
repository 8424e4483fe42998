"""Bad input gets one clear line saying what is wrong and how to fix it."""

import os
from unittest import mock

import numpy as np
import pytest

import alnb
from alnb import notebooks, pseudo, results, runner, scales
from alnb.config import ALConfig

SYN = alnb.synthetic_dataset(n_train=200, n_test=50)


def cfg(**kw):
    return lambda: ALConfig(**kw)


BAD = [
    (cfg(seeds=True), ValueError, "seeds must be a positive integer, got True"),
    (cfg(first_seed=-1), ValueError, "first_seed must be an integer >= 0, got -1"),
    (cfg(split_fraction="0.5"), ValueError, r"split_fraction p must be a number in \(0, 1\], "
                                            "got '0.5'"),
    (cfg(split_fraction=0), ValueError, "split_fraction p must be a number in"),
    (cfg(split_fraction=True), ValueError, "split_fraction p must be a number in"),
    (cfg(strategy="badger"), ValueError, "unknown strategy 'badger'; choose one of random"),
    (cfg(strategy=3), ValueError, "strategy must be a string, got 3"),
    (cfg(mode="online"), ValueError, "unknown mode 'online'; choose one of cumulative"),
    (cfg(model="resnet"), ValueError, "unknown model 'resnet'"),
    (cfg(acq_size=0), ValueError, "acq_size must be a positive integer, got 0"),
    (cfg(acq_size=1.5), ValueError, "acq_size must be a positive integer, got 1.5"),
    (cfg(hidden="100"), ValueError, "hidden must be a positive integer, got '100'"),
    (cfg(epochs=0), ValueError, "epochs must be a positive integer"),
    (cfg(batch_size=False), ValueError, "batch_size must be a positive integer, got False"),
    (cfg(pool_splits=0), ValueError, "pool_splits must be a positive integer"),
    (cfg(n_rounds=0), ValueError, "n_rounds must be None or a positive integer, got 0"),
    (cfg(pool_size=-5), ValueError, "pool_size must be None or a positive integer"),
    (cfg(eval_hidden=0), ValueError, "eval_hidden must be None or a positive integer"),
    (cfg(initial_size=-1), ValueError, "initial_size must be an integer >= 0"),
    (cfg(dataset=5), ValueError, "dataset must be None or a dataset name, got 5"),
    (cfg(strategy="badge", model="cnn1"), ValueError, "badge is implemented for ANN1 only"),
    (cfg(mc_passes=0), ValueError, "mc_passes must be a positive integer, got 0"),
    (cfg(seeds=10**9), ValueError, "seeds=1000000000 would run as that many vmapped lanes"),
    (cfg(first_seed=2**40), ValueError, "past 2\\*\\*32 - 1 .a JAX key keeps 32 bits"),
    (cfg(first_seed=2**32 - 2, seeds=3), ValueError, "choose first_seed \\+ seeds <= 2"),
    (lambda: with_env(runner.default_jobs, ALNB_JOBS="abc"), ValueError,
     "ALNB_JOBS='abc': give a whole number of local processes >= 1"),
    (lambda: with_env(runner.default_jobs, ALNB_JOBS="0"), ValueError, "ALNB_JOBS='0'"),
    (lambda: scales.parse_datasets(notebooks.parameter_value("")), ValueError,
     "datasets is empty; give a comma-separated list"),
    (lambda: alnb.run_active_learning(123, ALConfig()), TypeError,
     "takes a Dataset or a dataset name, got int; use alnb.load_dataset"),
    (lambda: alnb.run_active_learning(SYN, "margin"), TypeError, "takes an ALConfig, got str"),
    (lambda: alnb.run_active_learning(SYN, ALConfig(acq_size=500)), ValueError,
     r"acq_size \(500\) and initial_size \(0\) must not exceed the pool \(200 examples\)"),
    (lambda: alnb.load_dataset("svhn"), alnb.DataError, "Unknown dataset 'svhn'; choose one"),
    (lambda: scales.scale("huge"), ValueError, "Unknown scale 'huge'; choose one of"),
    (lambda: scales.scale("quick", seeds=-1), ValueError, "seeds must be an integer >= 0"),
    (lambda: scales.parse_datasets("mnist,svhn"), ValueError,
     r"datasets \['svhn'\] not available in this notebook"),
    (lambda: pseudo.gpla(alnb.Net(hidden=8), SYN, np.zeros(50, bool), [-0.5], [0]), ValueError,
     "labeled has 50 columns but the pool has 200 examples"),
    (lambda: notebooks.execute(notebooks.notebooks("03")[0], {"sedes": 2}),
     notebooks.NotebookFailed,
     "03_data_split.ipynb has no parameter 'sedes'; it takes datasets, scale, seeds"),
]


def with_env(call, **env):
    with mock.patch.dict(os.environ, env):
        return call()


@pytest.mark.parametrize("call, error, message", BAD, ids=[m[:40] for _, _, m in BAD])
def test_bad_input_gets_one_clear_line(call, error, message):
    with pytest.raises(error, match=message) as e:
        call()
    assert "\n" not in str(e.value)


def test_numbers_as_users_pass_them_are_accepted():
    numpy_ints = ALConfig(acq_size=np.int64(100), seeds=np.int32(2), split_fraction=np.float64(0.5))
    plain = ALConfig(acq_size=100, seeds=2, split_fraction=0.5)
    assert numpy_ints == plain and type(numpy_ints.acq_size) is int
    assert results.config_key(numpy_ints, SYN) == results.config_key(plain, SYN)
