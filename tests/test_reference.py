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
