import pytest

import alnb
from alnb import reference
from alnb.models import Net

SYN = alnb.synthetic_dataset(n_train=600, n_test=200, seed=0)


def test_all_the_labels_beat_a_few_and_the_seeds_differ(tmp_path):
    full = reference.full_data(SYN, Net(hidden=32, epochs=3), [0, 1, 2], cache_dir=tmp_path)
    few = reference.full_data(SYN, Net(hidden=32, epochs=3), [0, 1, 2], pool_size=20)
    assert (full.test_acc > 0.9).all() and full.test_acc.mean() > few.test_acc.mean() + 0.1
    assert full.test_acc.nunique() > 1 or few.test_acc.nunique() > 1
    again = reference.full_data(SYN, Net(hidden=32, epochs=3), [0, 1, 2], cache_dir=tmp_path)
    assert again.test_acc.tolist() == full.test_acc.tolist()
    assert len(list(tmp_path.glob("*full-data*.csv.gz"))) == 1


def test_a_panel_gets_the_band_of_its_own_network_and_data_set():
    import matplotlib.pyplot as plt
    import pandas as pd

    from alnb.plotting import reference_band

    ref = pd.DataFrame({"dataset": ["mnist"] * 4 + ["cifar10"], "seed": [0, 1, 0, 1, 0],
                        "hidden": [10, 10, 100, 100, None], "model": ["ann1"] * 4 + ["cnn1"],
                        "test_acc": [0.90, 0.92, 0.97, 0.97, 0.45]})

    def line(where, runs):
        fig, ax = plt.subplots()
        reference_band(ax, ref, runs, where)
        plt.close(fig)
        return [float(line.get_ydata()[0]) for line in ax.lines]

    assert line({"dataset": "mnist", "hidden": 10}, pd.DataFrame()) == [pytest.approx(0.91)]
    ann = pd.DataFrame({"hidden": [100], "model": ["ann1"]})
    assert line({"dataset": "mnist"}, ann) == [pytest.approx(0.97)]  # hidden from its runs
    cnn = pd.DataFrame({"hidden": [100], "model": ["cnn1"]})
    assert line({"dataset": "cifar10"}, cnn) == [pytest.approx(0.45)]
    assert line({"dataset": "fashion_mnist"}, ann) == []  # no reference: no band
