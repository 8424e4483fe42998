"""Load MNIST, Fashion-MNIST and CIFAR-10 as float32 NHWC arrays in [0, 1].

Sources, in order: a data folder of canonical files, Debian's Fashion-MNIST package, then
tensorflow-datasets. Every failure names the file or folder and says how to fix it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import zipfile
import zlib
from pathlib import Path

import numpy as np

from alnb.formats import CIFAR_BATCHES, DataError, read_canonical, verify_md5

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck")


@dataclasses.dataclass(frozen=True)
class _Spec:
    image_shape: tuple[int, int, int]
    n_train: int
    n_test: int
    class_names: tuple[str, ...]


SPECS = {
    "mnist": _Spec((28, 28, 1), 60000, 10000, tuple(str(c) for c in range(10))),
    "fashion_mnist": _Spec((28, 28, 1), 60000, 10000, FASHION_CLASSES),
    "cifar10": _Spec((32, 32, 3), 50000, 10000, CIFAR_CLASSES),
}
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """Train (the active-learning pool) and test split; x is float32 NHWC in [0, 1]."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={self.x_train.shape}, test={self.x_test.shape}, "
                f"classes={self.n_classes})")


def load_dataset(name: str, data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load `name` ("mnist", "fashion_mnist" or "cifar10").

    Looks in `data_dir` (else $ALNB_DATA_DIR) for a folder `name/` of canonical files, then in
    Debian's Fashion-MNIST folder, then in tensorflow-datasets. Decoded arrays are cached in
    $ALNB_CACHE_DIR (default ~/.cache/alnb), keyed by the source files' contents.
    """
    if name not in SPECS:
        raise DataError(f"Unknown dataset {name!r}; choose one of {', '.join(SPECS)}.")
    spec = SPECS[name]
    looked = []
    for folder, why in _candidate_dirs(name, data_dir):
        files = _source_files(name, folder)
        if files is None:
            missing = "no dataset files there" if folder.is_dir() else "no such folder"
            looked.append(f"{folder} ({why}): {missing}")
            continue
        locked = [str(f) for f in files.values() if not os.access(f, os.R_OK)]
        if locked:
            raise DataError(f"{', '.join(locked)}: not readable by this user (permission "
                            "denied); make the data files readable (chmod a+r) or point "
                            "ALNB_DATA_DIR at a readable copy.")
        arrays = _cached(name, files, lambda files=files: read_canonical(name, spec, files))
        return _to_dataset(name, spec, arrays)
    return _to_dataset(name, spec, _load_tfds(name, spec, looked))


def synthetic_dataset(n_train: int = 600, n_test: int = 200, image_shape=(28, 28, 1),
                      n_classes: int = 10, seed: int = 0) -> Dataset:
    """A tiny, learnable fake dataset for unit tests only (name "synthetic"): class prototypes
    plus noise. It is never used in place of real data."""
    rng = np.random.default_rng(seed)
    protos = rng.uniform(0, 1, (n_classes, *image_shape)).astype(np.float32)

    def draw(n):
        y = np.arange(n, dtype=np.int32) % n_classes
        rng.shuffle(y)
        x = protos[y] + rng.normal(0, 0.35, (n, *image_shape)).astype(np.float32)
        return np.clip(x, 0, 1).astype(np.float32), y

    x_train, y_train = draw(n_train)
    x_test, y_test = draw(n_test)
    names = tuple(f"synthetic {c}" for c in range(n_classes))
    return Dataset("synthetic", x_train, y_train, x_test, y_test, names)


# --- where to look ---------------------------------------------------------------------------

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _candidate_dirs(name, data_dir):
    root, why = (data_dir, "data_dir") if data_dir is not None else (
        os.environ.get("ALNB_DATA_DIR"), "$ALNB_DATA_DIR")
    if root:
        root = Path(root).expanduser()
        if not root.is_absolute():
            # Notebooks run in notebooks/, make in the project root: a relative path means the
            # same folder from both, the one beside the project's README.
            why += f" {str(root)!r}, relative to the project root {PROJECT_ROOT}"
            root = PROJECT_ROOT / root
        yield root.resolve() / name, why
    if name == "fashion_mnist":
        yield DEBIAN_FASHION_DIR, "Debian package dataset-fashion-mnist"


def _idx_names():
    return {f"{split}_{part}": f"{prefix}-{part}-idx{3 if part == 'images' else 1}-ubyte"
            for split, prefix in (("train", "train"), ("test", "t10k"))
            for part in ("images", "labels")}


def _source_files(name, folder):
    """The files to read from `folder`, or None if it holds none of them. A folder with only
    some of them is an error: the user meant it, so falling through would hide the problem."""
    if not folder.is_dir():
        return None
    if name == "cifar10":
        archive = folder / "cifar-10-binary.tar.gz"
        found = {}
        for stem in (*CIFAR_BATCHES, "test_batch"):
            found[stem] = _first_existing(
                d / f"{stem}.bin{ext}" for d in (folder / "cifar-10-batches-bin", folder)
                for ext in ("", ".xz", ".gz"))
        if not any(found.values()):
            return {"archive": archive} if archive.is_file() else None
    else:
        found = {key: _first_existing([folder / f"{stem}.gz", folder / stem])
                 for key, stem in _idx_names().items()}
        if not any(found.values()):
            return None
    missing = [key for key, path in found.items() if path is None]
    if missing:
        raise DataError(f"{folder} holds some {name} files but not {', '.join(missing)}. "
                        "Copy the missing canonical files there (see shared/data/SOURCES.md).")
    return found


def _first_existing(paths):
    return next((p for p in paths if p.is_file()), None)


# --- tensorflow-datasets -------------------------------------------------------------------

def _online(host="storage.googleapis.com", port=443, timeout=3.0) -> bool:
    """TFDS downloads from this host; probe it briefly rather than sit in TFDS's retries."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def _load_tfds(name, spec, looked):
    import tensorflow_datasets as tfds

    kwargs = {"file_format": "array_record"}
    builder = tfds.builder(name, **kwargs)
    if not builder.is_prepared():
        looked.append(f"tensorflow-datasets ({builder.data_dir}): not prepared")
        if not _online():
            raise DataError(_not_found(name, looked))
    try:
        sources = tfds.data_source(name, split=["train", "test"], builder_kwargs=kwargs)
    except Exception as e:
        raise DataError(f"tensorflow-datasets could not provide {name}: {e}\n"
                        + _not_found(name, looked)) from None
    out = {}
    for split, src in zip(("train", "test"), sources, strict=True):
        examples = [src[i] for i in range(len(src))]
        out[f"x_{split}"] = np.stack([np.asarray(ex["image"], np.uint8) for ex in examples])
        out[f"y_{split}"] = np.array([ex["label"] for ex in examples])
    return out


def _not_found(name, looked):
    first = "train-images-idx3-ubyte.gz and its three siblings" if name != "cifar10" else (
        "cifar-10-batches-bin/data_batch_1..5.bin and test_batch.bin (or .bin.xz/.bin.gz, "
        "or cifar-10-binary.tar.gz)")
    second = ("install Debian's package: apt-get install dataset-fashion-mnist"
              if name == "fashion_mnist" else
              "copy a prepared tensorflow-datasets folder into $TFDS_DATA_DIR")
    where = "\n".join(f"  - {line}" for line in looked) or "  - (nowhere: no data folder set)"
    return (f"Could not find the {name} dataset, and there is no internet to download it.\n"
            f"Looked in:\n{where}\n"
            f"Fix it in one of three ways:\n"
            f"  1. put {first} in a folder named {name}/ and set ALNB_DATA_DIR to its parent "
            f"(or pass data_dir=);\n"
            f"  2. {second};\n"
            f"  3. run once on a machine with internet, so tensorflow-datasets downloads it.")


# --- decoded-array cache ---------------------------------------------------------------------

def _cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "alnb"
    return Path(os.environ.get("ALNB_CACHE_DIR", default))


def _cached(name, files, read):
    """The decoded arrays of `files`, from a cache keyed by the files' contents (not their
    sizes and times) and checked against the digest stored with it: a wrong but valid file
    there is decoded again, not used."""
    sums = sorted((str(role), hashlib.sha256(p.read_bytes()).hexdigest())
                  for role, p in files.items())
    key = hashlib.sha1(repr((name, sums)).encode()).hexdigest()[:16]
    path = _cache_dir() / f"{name}-{key}.npz"
    try:
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files if k != "digest"}
            if "digest" in z.files and str(z["digest"]) == _digest(arrays):
                return arrays
    except (OSError, ValueError, EOFError, KeyError, zlib.error, zipfile.BadZipFile):
        pass  # no cache yet, or a damaged one: decode again
    verify_md5(files.values())
    arrays = read()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
        np.savez(tmp, digest=_digest(arrays), **arrays)
        os.replace(tmp, path)  # atomic: a killed run never leaves a half-written cache
    except OSError:
        pass  # read-only home: still works, only slower
    return arrays


def _digest(arrays: dict) -> str:
    h = hashlib.sha256()
    for k in sorted(arrays):
        a = np.ascontiguousarray(arrays[k])
        h.update(f"{k}{a.shape}{a.dtype}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _to_dataset(name, spec, a) -> Dataset:
    def images(x):
        return (np.asarray(x, np.float32) / np.float32(255)).reshape(-1, *spec.image_shape)

    return Dataset(name, images(a["x_train"]), np.asarray(a["y_train"], np.int32),
                   images(a["x_test"]), np.asarray(a["y_test"], np.int32), spec.class_names)
