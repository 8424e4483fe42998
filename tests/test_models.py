import jax
import jax.numpy as jnp
import numpy as np
import optax
from conftest import real_dataset

from alnb import models
from alnb.models import ANN1, CNN1, Net
from alnb.train import init_state, train_epochs


def n_params(tree):
    return sum(x.size for x in jax.tree_util.tree_leaves(tree))


def test_ann1_parameter_count_and_init():
    params = ANN1(100).init(jax.random.key(0), jnp.zeros((1, 28, 28, 1)))["params"]
    assert n_params(params) == 79510
    w1 = params["Dense_0"]["kernel"]
    assert w1.shape == (784, 100)
    bound = np.sqrt(6 / (784 + 100))  # Glorot uniform
    assert float(jnp.abs(w1).max()) <= bound and float(jnp.abs(w1).max()) > 0.9 * bound
    assert float(jnp.abs(params["Dense_0"]["bias"]).max()) == 0.0


def test_cnn1_follows_the_listing():
    params = CNN1().init(jax.random.key(0), jnp.zeros((1, 32, 32, 3)))["params"]
    convs = [params[f"Conv3x3_{i}"]["kernel"].shape[-1] for i in range(7)]
    assert convs == [32, 32, 64, 64, 64, 128, 128]
    assert params["Dense_0"]["kernel"].shape == (2 * 2 * 128, 128)
    assert n_params(params) == 390890
    out = CNN1().apply({"params": params}, jnp.zeros((4, 32, 32, 3)))
    assert out.shape == (4, 10)


def test_conv3x3_gradients_equal_lax():
    x = jax.random.uniform(jax.random.key(1), (4, 8, 8, 5))
    k = jax.random.normal(jax.random.key(2), (3, 3, 5, 7))
    ref = lambda x, k: jnp.sum(jnp.sin(models._conv_same(x, k)))
    new = lambda x, k: jnp.sum(jnp.sin(models.conv3x3_same(x, k)))
    np.testing.assert_allclose(new(x, k), ref(x, k), rtol=1e-6)
    for got, want in zip(jax.grad(new, (0, 1))(x, k), jax.grad(ref, (0, 1))(x, k), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_dropout_only_in_training():
    m = ANN1(100)
    x = jax.random.uniform(jax.random.key(1), (8, 28, 28, 1))
    v = m.init(jax.random.key(0), x)
    assert np.array_equal(m.apply(v, x), m.apply(v, x))
    a = m.apply(v, x, train=True, rngs={"dropout": jax.random.key(2)})
    b = m.apply(v, x, train=True, rngs={"dropout": jax.random.key(3)})
    assert not np.allclose(a, b)


def test_cnn1_short_fit_learns_on_cifar():
    ds = real_dataset("cifar10")
    net, n = Net("cnn1", epochs=3), 512
    x, y = jnp.asarray(ds.x_train[:n]), jnp.asarray(ds.y_train[:n])
    order = jnp.arange(n + 32, dtype=jnp.int32) % n

    def loss(params):
        logits = net.module.apply({"params": params}, x)
        return float(optax.softmax_cross_entropy_with_integer_labels(logits, y).mean())

    state = init_state(net, jax.random.key(0), (32, 32, 3))
    fitted, _ = jax.jit(lambda s: train_epochs(net, s, jax.random.key(1), x, y, order, 0, n))(
        state)
    before, after = loss(state.params), loss(fitted.params)
    assert after < before - 0.05, (before, after)  # 48 SGD steps at lr 0.001
