import os

import jax
import pytest

import alnb

# Implicit rank promotion hides broadcasting mistakes, so it raises. Dtype promotion stays
# standard: optax's Adam bias correction (python float ** int32 count) fails under "strict".
jax.config.update("jax_numpy_rank_promotion", "raise")

NO_DATA = "real data not found: set ALNB_DATA_DIR to shared/data (CI does)"


def real_dataset(name):
    """The real dataset, or a skip that says why in the pytest summary."""
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    return alnb.load_dataset(name)


@pytest.fixture(scope="session")
def mnist():
    return real_dataset("mnist")
