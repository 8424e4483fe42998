import os

import jax
import pytest

import alnb

# Strict promotion catches silent int/float and broadcasting mistakes in the engine.
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

NO_DATA = "real data not found: set ALNB_DATA_DIR to shared/data (CI does)"


def real_dataset(name):
    """The real dataset, or a skip that says why in the pytest summary."""
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    return alnb.load_dataset(name)


@pytest.fixture(scope="session")
def fmnist():
    return real_dataset("fashion_mnist")


@pytest.fixture(scope="session")
def mnist():
    return real_dataset("mnist")
