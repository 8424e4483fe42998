import jax
import jax.numpy as jnp
import numpy as np
import optax

import alnb
from alnb.models import Net
from alnb.train import _loss, init_state, predict_proba, shuffled_slots, train_epochs


def test_shuffled_slots_puts_the_range_first_in_random_order():
    perm = np.asarray(shuffled_slots(jax.random.key(0), 1000, 100, 400))
    assert sorted(perm[:300]) == list(range(100, 400))
    assert sorted(perm) == list(range(1000))
    other = np.asarray(shuffled_slots(jax.random.key(1), 1000, 100, 400))
    assert not np.array_equal(perm[:300], other[:300])
    # every slot lands in the first third about equally often
    firsts = np.stack([np.asarray(shuffled_slots(jax.random.key(k), 1000, 0, 30))[:10]
                       for k in range(600)])
    counts = np.bincount(firsts.ravel(), minlength=30)
    assert counts.min() > 120 and counts.max() < 280  # expected 200 each


def test_partial_minibatch_is_the_mean_over_real_rows():
    net = Net()
    params = init_state(net, jax.random.key(0), (28, 28, 1)).params
    x = jax.random.uniform(jax.random.key(1), (32, 28, 28, 1))
    y = jnp.arange(32) % 10
    weight = (jnp.arange(32) < 5).astype(jnp.float32)
    key = jax.random.key(2)
    got, hits = _loss(net, params, x, y, weight, key)
    logits = net.module.apply({"params": params}, x, train=True, rngs={"dropout": key})
    want = optax.softmax_cross_entropy_with_integer_labels(logits, y)[:5].mean()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert hits == np.sum(np.argmax(logits, -1)[:5] == np.asarray(y)[:5])


def test_empty_range_trains_nothing_and_training_changes_weights():
    ds = alnb.synthetic_dataset(n_train=64, n_test=8)
    net, x, y = Net(), jnp.asarray(ds.x_train), jnp.asarray(ds.y_train)
    order = jnp.arange(64 + 32, dtype=jnp.int32) % 64
    state = init_state(net, jax.random.key(0), (28, 28, 1))
    same, acc = train_epochs(net, state, jax.random.key(1), x, y, order, 10, 10)
    leaves = zip(jax.tree_util.tree_leaves(state), jax.tree_util.tree_leaves(same), strict=True)
    assert all(np.array_equal(a, b) for a, b in leaves)
    assert np.isnan(acc)  # nothing trained, no running accuracy
    moved, _ = train_epochs(net, state, jax.random.key(1), x, y, order, 0, 40)
    assert not np.allclose(moved.params["Dense_0"]["kernel"], state.params["Dense_0"]["kernel"])


def test_predict_proba_chunks_cover_every_row():
    ds = alnb.synthetic_dataset(n_train=50, n_test=8)
    net = Net()
    params = init_state(net, jax.random.key(0), (28, 28, 1)).params
    x = jnp.asarray(ds.x_train)
    direct = jax.nn.softmax(net.module.apply({"params": params}, x))
    chunked = predict_proba(net, params, x, chunk=16)  # 50 rows: the last chunk overlaps
    np.testing.assert_allclose(chunked, direct, atol=1e-6)
    np.testing.assert_allclose(chunked.sum(1), 1.0, atol=1e-5)


def test_running_accuracy_is_the_last_epochs_keras_accuracy():
    """On a separable toy pool the running accuracy of the last of 5 epochs is high, and it
    lies below the inference-mode accuracy on the same rows: dropout is on while it counts."""
    ds = alnb.synthetic_dataset(n_train=256, n_test=8)
    net = Net(epochs=5)
    x, y = jnp.asarray(ds.x_train), jnp.asarray(ds.y_train)
    order = jnp.arange(256 + 32, dtype=jnp.int32) % 256
    state, running = train_epochs(net, init_state(net, jax.random.key(0), (28, 28, 1)),
                                  jax.random.key(1), x, y, order, 0, 256)
    after = float(np.mean(np.argmax(predict_proba(net, state.params, x), -1) == ds.y_train))
    assert 0.5 < float(running) <= after + 0.02
