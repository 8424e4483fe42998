"""alnb: active learning for neural networks, a reproducible study on JAX."""

from alnb.config import ALConfig
from alnb.data import DataError, Dataset, load_dataset, synthetic_dataset
from alnb.loop import History, run_active_learning
from alnb.models import ANN1, CNN1, Net

__all__ = ["ALConfig", "ANN1", "CNN1", "DataError", "Dataset", "History", "Net", "load_dataset",
           "run_active_learning", "synthetic_dataset"]
