"""alnb: active learning for neural networks, a reproducible study on JAX."""

from alnb.data import DataError, Dataset, load_dataset, synthetic_dataset

__all__ = ["DataError", "Dataset", "load_dataset", "synthetic_dataset"]
