"""The canonical dataset files, read and checked: IDX (MNIST, Fashion-MNIST), CIFAR-10's
binary batches (loose or in the tar archive) and the MD5SUMS lists shipped beside them. Every
problem is a DataError naming the file and saying how to fix it."""

from __future__ import annotations

import gzip
import hashlib
import lzma
import tarfile
import zlib
from pathlib import Path

import numpy as np

IDX_IMAGES, IDX_LABELS = 2051, 2049
CIFAR_RECORD = 1 + 32 * 32 * 3
CIFAR_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))


class DataError(Exception):
    """A dataset could not be found or a data file is wrong; the message says how to fix it."""


def read_bytes(path):
    opener = {".gz": gzip.open, ".xz": lzma.open}.get(path.suffix, open)
    try:
        with opener(path, "rb") as f:
            return f.read()
    except (EOFError, OSError, zlib.error, lzma.LZMAError) as e:
        raise DataError(f"{path}: truncated or corrupt file ({e}). "
                        "Replace it with a fresh copy of the canonical file.") from None


def parse_idx(path, buf, magic, count, item_shape):
    if len(buf) < 8:
        raise DataError(f"{path}: only {len(buf)} bytes, too short for an IDX header.")
    found_magic = int.from_bytes(buf[:4], "big")
    if found_magic != magic:
        kind = "images" if magic == IDX_IMAGES else "labels"
        raise DataError(f"{path}: bad IDX magic number {found_magic} (expected {magic} for "
                        f"{kind}); this is not the canonical file.")
    ndim = buf[3]
    dims = tuple(int(d) for d in np.frombuffer(buf, ">u4", count=ndim, offset=4))
    if dims != (count, *item_shape):
        raise DataError(f"{path}: dimensions {dims}, expected {(count, *item_shape)}.")
    body = len(buf) - 4 - 4 * ndim
    if body != int(np.prod(dims)):
        raise DataError(f"{path}: {body} data bytes, expected {int(np.prod(dims))} "
                        "(truncated or padded file).")
    return np.frombuffer(buf, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def check_labels(path, y, n_classes):
    if y.size and int(y.max()) >= n_classes:
        raise DataError(f"{path}: label {int(y.max())} outside 0..{n_classes - 1}.")


def read_canonical(name, spec, files):
    """The uint8 arrays x_train, y_train, x_test, y_test from a folder's canonical files."""
    if name == "cifar10":
        return read_cifar(spec, files)
    out = {}
    for split, count in (("train", spec.n_train), ("test", spec.n_test)):
        img, lab = files[f"{split}_images"], files[f"{split}_labels"]
        x = parse_idx(img, read_bytes(img), IDX_IMAGES, count, (28, 28))
        out[f"x_{split}"] = x[..., None]
        out[f"y_{split}"] = parse_idx(lab, read_bytes(lab), IDX_LABELS, count, ())
        check_labels(lab, out[f"y_{split}"], len(spec.class_names))
    return out


def parse_cifar(path, buf, n_classes):
    if len(buf) % CIFAR_RECORD:
        raise DataError(f"{path}: {len(buf)} bytes is not a whole number of {CIFAR_RECORD}-byte "
                        "CIFAR-10 records (truncated, or not the binary version).")
    if len(buf) != 10000 * CIFAR_RECORD:
        raise DataError(f"{path}: {len(buf) // CIFAR_RECORD} records, expected 10000.")
    rec = np.frombuffer(buf, np.uint8).reshape(-1, CIFAR_RECORD)
    check_labels(path, rec[:, 0], n_classes)
    return rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), rec[:, 0]


def read_cifar(spec, files):
    n = len(spec.class_names)
    if "archive" in files:
        archive = files["archive"]
        try:
            with tarfile.open(archive, "r:gz") as tar:
                members = {Path(m.name).stem: m for m in tar.getmembers()
                           if m.name.endswith(".bin")}
                missing = [s for s in (*CIFAR_BATCHES, "test_batch") if s not in members]
                if missing:
                    raise DataError(f"{archive}: no {', '.join(missing)} inside; "
                                    "it is not the CIFAR-10 binary version.")
                parts = {s: parse_cifar(f"{archive}:{members[s].name}",
                                         tar.extractfile(members[s]).read(), n)
                         for s in (*CIFAR_BATCHES, "test_batch")}
        except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
            raise DataError(f"{archive}: truncated or corrupt archive ({e}).") from None
    else:
        parts = {s: parse_cifar(files[s], read_bytes(files[s]), n) for s in files}
    train = [parts[s] for s in CIFAR_BATCHES]
    return {"x_train": np.concatenate([x for x, _ in train]),
            "y_train": np.concatenate([y for _, y in train]),
            "x_test": parts["test_batch"][0], "y_test": parts["test_batch"][1]}


def verify_md5(paths) -> None:
    """Check each file against the MD5SUMS* lists shipped beside it, where they name it. Runs
    when files are decoded, not on every load (the decoded cache is keyed by their contents)."""
    for path in paths:
        listed = {}
        for sums in path.parent.glob("MD5SUMS*"):
            for line in sums.read_text().splitlines():
                digest, _, fname = line.strip().partition("  ")
                listed[fname.lstrip("*")] = digest.lower()
        want = listed.get(path.name)
        if want and hashlib.md5(path.read_bytes()).hexdigest() != want:
            raise DataError(f"{path}: md5 differs from the one in {path.parent}/MD5SUMS*; the "
                            "file is damaged or not the canonical one. Replace it with a fresh "
                            "copy.")
