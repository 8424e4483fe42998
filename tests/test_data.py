import gzip
import lzma
import os
import time

import numpy as np
import pytest
from conftest import real_dataset

import alnb
from alnb import data, formats

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def idx_bytes(arr, magic):
    header = magic.to_bytes(4, "big")  # 2051 = 0x0803: unsigned bytes, 3 dimensions
    dims = b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + dims + arr.astype(np.uint8).tobytes()


def write_mnist(folder, n_train=60000, n_test=10000, labels_max=9, magic=formats.IDX_IMAGES):
    folder.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        x = np.zeros((n, 28, 28), np.uint8)
        y = np.arange(n) % (labels_max + 1)
        (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(x, magic)))
        (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(idx_bytes(y, formats.IDX_LABELS)))
    return folder


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("ALNB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "_online", lambda: False)


def test_reads_a_valid_folder_and_caches(tmp_path):
    write_mnist(tmp_path / "mnist")
    d = alnb.load_dataset("mnist", data_dir=tmp_path)
    assert d.x_train.shape == (60000, 28, 28, 1) and d.x_train.dtype == np.float32
    assert d.y_test.dtype == np.int32 and d.y_train[:3].tolist() == [0, 1, 2]
    assert list((tmp_path / "cache").glob("mnist-*.npz"))
    again = alnb.load_dataset("mnist", data_dir=tmp_path)
    np.testing.assert_array_equal(again.y_train, d.y_train)


def test_the_decoded_cache_follows_the_files_contents_and_ignores_a_wrong_file(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    for p in folder.glob("*.gz"):  # uncompressed: new labels keep the file's size
        p.with_suffix("").write_bytes(gzip.decompress(p.read_bytes()))
        p.unlink()
    first = alnb.load_dataset("mnist", data_dir=tmp_path)
    (cached,) = (tmp_path / "cache").glob("mnist-*.npz")
    with np.load(cached) as z:
        wrong = {k: z[k] for k in z.files if k != "digest"}
    wrong["y_train"] = (wrong["y_train"] + 1) % 10
    np.savez(cached, **wrong)  # a valid file with the wrong arrays
    np.testing.assert_array_equal(alnb.load_dataset("mnist", data_dir=tmp_path).y_train,
                                  first.y_train)
    # New labels of the same size, with the old file's times: decoded afresh.
    labels = folder / "train-labels-idx1-ubyte"
    stat = labels.stat()
    labels.write_bytes(idx_bytes((np.arange(60000) + 3) % 10, formats.IDX_LABELS))
    assert labels.stat().st_size == stat.st_size
    os.utime(labels, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert alnb.load_dataset("mnist", data_dir=tmp_path).y_train[:3].tolist() == [3, 4, 5]


def test_an_unreadable_data_file_is_named_as_a_permission_problem(tmp_path, monkeypatch):
    write_mnist(tmp_path / "mnist")
    # As chmod 0 would, for a user other than root (who reads any file).
    monkeypatch.setattr(data.os, "access", lambda path, mode: "train-labels" not in str(path))
    with pytest.raises(alnb.DataError, match="train-labels-idx1-ubyte.gz: not readable by this "
                                             "user .permission denied.; make the data files"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_accepts_uncompressed_idx(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    for p in folder.glob("*.gz"):
        p.with_suffix("").write_bytes(gzip.decompress(p.read_bytes()))
        p.unlink()
    assert alnb.load_dataset("mnist", data_dir=tmp_path).x_test.shape == (10000, 28, 28, 1)


def test_unknown_name():
    with pytest.raises(alnb.DataError, match="Unknown dataset 'svhn'.*mnist, fashion_mnist"):
        alnb.load_dataset("svhn")


def test_missing_folder_fails_fast_with_three_fixes(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(alnb.DataError) as err:
        alnb.load_dataset("mnist", data_dir=tmp_path / "empty")
    assert time.perf_counter() - t0 < 10
    msg = str(err.value)
    assert f"{tmp_path / 'empty' / 'mnist'} (data_dir): no such folder" in msg
    assert "no internet" in msg
    assert "1. " in msg and "2. " in msg and "3. " in msg and "ALNB_DATA_DIR" in msg


def test_partial_folder_names_the_missing_file(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(alnb.DataError, match="not test_labels"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_truncated_gzip(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    p = folder / "train-images-idx3-ubyte.gz"
    p.write_bytes(p.read_bytes()[:5000])
    with pytest.raises(alnb.DataError, match=r"train-images-idx3-ubyte.gz: truncated or corrupt"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_bad_magic(tmp_path):
    write_mnist(tmp_path / "mnist", magic=1234)
    with pytest.raises(alnb.DataError, match="bad IDX magic number 1234.*expected 2051"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_wrong_counts(tmp_path):
    write_mnist(tmp_path / "mnist", n_train=100)
    with pytest.raises(alnb.DataError, match=r"dimensions \(100, 28, 28\), expected \(60000"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_label_out_of_range(tmp_path):
    write_mnist(tmp_path / "mnist", labels_max=11)
    with pytest.raises(alnb.DataError, match="label 11 outside 0..9"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_idx_body_length_is_checked(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    p = folder / "t10k-labels-idx1-ubyte.gz"
    p.write_bytes(gzip.compress(gzip.decompress(p.read_bytes())[:-7]))
    with pytest.raises(alnb.DataError, match="t10k-labels.*9993 data bytes, expected 10000"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_cifar_record_size_is_checked(tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    for stem in (*formats.CIFAR_BATCHES, "test_batch"):
        (folder / f"{stem}.bin.xz").write_bytes(lzma.compress(bytes(3073 * 10 + 5)))
    with pytest.raises(alnb.DataError, match="not a whole number of 3073-byte"):
        alnb.load_dataset("cifar10", data_dir=tmp_path)


def test_damaged_cache_is_rebuilt(tmp_path):
    write_mnist(tmp_path / "mnist")
    alnb.load_dataset("mnist", data_dir=tmp_path)
    (cache,) = (tmp_path / "cache").glob("mnist-*.npz")
    cache.write_bytes(cache.read_bytes()[:1000])
    assert alnb.load_dataset("mnist", data_dir=tmp_path).x_train.shape[0] == 60000


def test_tfds_path_with_mock_data(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setattr(data, "_online", lambda: True)
    with tfds.testing.mock_data(num_examples=20):
        d = alnb.load_dataset("mnist", data_dir=tmp_path / "nothing-here")
    assert d.x_train.shape == (20, 28, 28, 1) and d.y_train.shape == (20,)
    assert 0 <= d.x_train.min() and d.x_train.max() <= 1 and d.y_train.max() <= 9


def test_synthetic_is_labelled_as_such():
    d = alnb.synthetic_dataset(n_train=50, n_test=20)
    assert d.name == "synthetic" and d.class_names[0].startswith("synthetic")
    assert d.x_train.shape == (50, 28, 28, 1) and set(d.y_train) == set(range(10))


def test_real_mnist():
    d = real_dataset("mnist")
    assert d.x_train.shape == (60000, 28, 28, 1) and d.x_test.shape == (10000, 28, 28, 1)
    assert np.bincount(d.y_train).tolist() == MNIST_TRAIN_COUNTS
    assert 0.0 <= d.x_train.min() and d.x_train.max() == 1.0


def test_real_fashion_mnist():
    d = real_dataset("fashion_mnist")
    assert np.bincount(d.y_train).tolist() == [6000] * 10
    assert np.bincount(d.y_test).tolist() == [1000] * 10
    assert d.class_names[5] == "Sandal"
    assert abs(float(d.x_train.mean()) - 0.2860) < 1e-3


def test_real_cifar10():
    d = real_dataset("cifar10")
    assert d.x_train.shape == (50000, 32, 32, 3) and d.x_test.shape == (10000, 32, 32, 3)
    assert np.bincount(d.y_train).tolist() == [5000] * 10
    assert d.y_train[:10].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]
    assert (d.x_train[0, 0, 0] * 255).round().tolist() == [59, 62, 63]


def test_md5_sums_beside_the_files_are_checked(tmp_path):
    import hashlib

    folder = write_mnist(tmp_path / "mnist")
    sums = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in folder.glob("*.gz")}
    (folder / "MD5SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()))
    assert alnb.load_dataset("mnist", data_dir=tmp_path).x_train.shape[0] == 60000
    images = folder / "t10k-images-idx3-ubyte.gz"
    x = np.full((10000, 28, 28), 7, np.uint8)  # overwritten pixels, a valid IDX file
    images.write_bytes(gzip.compress(idx_bytes(x, formats.IDX_IMAGES)))
    with pytest.raises(data.DataError, match=r"t10k-images-idx3-ubyte.gz: md5 differs"):
        alnb.load_dataset("mnist", data_dir=tmp_path)


def test_a_relative_data_dir_is_resolved_against_the_project_root(tmp_path, monkeypatch):
    monkeypatch.setenv("ALNB_DATA_DIR", "no/such/place")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(data.DataError, match=r"relative to the project root") as e:
        alnb.load_dataset("mnist")
    assert str(data.PROJECT_ROOT / "no/such/place/mnist") in str(e.value)
