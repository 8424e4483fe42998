"""The paper's networks (Appendix B) as Flax modules, with their optimizers.

Modules return logits; the softmax of the Keras listings is applied in `predict_proba` and,
fused with the cross-entropy, in the loss.
"""

from __future__ import annotations

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from jax import lax

MODELS = ("ann1", "cnn1")
glorot_uniform = nn.initializers.glorot_uniform()
he_uniform = nn.initializers.he_uniform()


_NHWC = ("NHWC", "HWIO", "NHWC")


def _conv_same(x, k):
    return lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=_NHWC)


@jax.custom_vjp
def conv3x3_same(x_NHWC, k_HWIO):
    """A 3x3, stride-1, same-padded convolution whose gradients XLA:CPU runs fast in loops.

    XLA:CPU compiles the kernel gradient of a convolution inside a while loop (our training
    epoch) into code 30-40x slower than at top level (jax-ml/jax#12868). Here the kernel
    gradient is nine shifted matmuls and the input gradient a forward convolution with the
    flipped kernel; both are as fast inside the loop as outside. Values equal lax's.
    """
    return _conv_same(x_NHWC, k_HWIO)


def _conv_fwd(x, k):
    return _conv_same(x, k), (x, k)


def _conv_bwd(res, g):
    x, k = res
    h, w = x.shape[1:3]
    dx = _conv_same(g, jnp.flip(k, (0, 1)).transpose(0, 1, 3, 2))
    xp = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    dk = jnp.stack([jnp.stack([jnp.einsum("nhwc,nhwo->co", xp[:, i:i + h, j:j + w], g)
                               for j in range(3)]) for i in range(3)])
    return dx, dk


conv3x3_same.defvjp(_conv_fwd, _conv_bwd)


class Conv3x3(nn.Module):
    """Keras Conv2D(features, (3, 3), activation='relu', kernel_initializer='he_uniform',
    padding='same') with zero biases."""

    features: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", he_uniform, (3, 3, x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return nn.relu(conv3x3_same(x, kernel) + bias[None, None, None, :])


class ANN1(nn.Module):
    """ANN1_m (B.2): Flatten, Dense(m, relu), Dropout(0.2), Dense(10, softmax).
    Glorot-uniform weights, zero biases, as Keras initialises Dense layers."""

    hidden: int = 100
    n_classes: int = 10

    @nn.compact
    def __call__(self, x, train: bool = False):
        x = x.reshape((x.shape[0], -1))
        x = nn.relu(nn.Dense(self.hidden, kernel_init=glorot_uniform)(x))
        x = nn.Dropout(0.2, deterministic=not train)(x)
        return nn.Dense(self.n_classes, kernel_init=glorot_uniform)(x)


class CNN1(nn.Module):
    """CNN1 (B.3), read from the garbled listing as four conv blocks, each 3x3 convs (relu,
    he_uniform, same padding) then MaxPool(2x2) and Dropout(0.2): [32, 32], [64, 64], [64],
    [128, 128]; then Flatten, Dense(128, relu, he_uniform), Dropout(0.2), Dense(10, softmax).
    The listing's layer order is legible; only its brackets and the 'lr'/'loss' keywords are
    garbled. 32x32 inputs leave a 2x2x128 map before Flatten."""

    n_classes: int = 10
    blocks: tuple[tuple[int, ...], ...] = ((32, 32), (64, 64), (64,), (128, 128))

    @nn.compact
    def __call__(self, x, train: bool = False):
        for block in self.blocks:
            for features in block:
                x = Conv3x3(features)(x)
            x = nn.max_pool(x, (2, 2), strides=(2, 2))
            x = nn.Dropout(0.2, deterministic=not train)(x)
        x = x.reshape((x.shape[0], -1))
        x = nn.relu(nn.Dense(128, kernel_init=he_uniform)(x))
        x = nn.Dropout(0.2, deterministic=not train)(x)
        return nn.Dense(self.n_classes, kernel_init=glorot_uniform)(x)


@dataclasses.dataclass(frozen=True)
class Net:
    """A network and how it is trained: the paper's ANN1_{m,e} or CNN1 (e = 50 in the paper)."""

    model: str = "ann1"
    hidden: int = 100
    epochs: int = 1
    batch_size: int = 32
    n_classes: int = 10

    @property
    def module(self) -> nn.Module:
        if self.model == "ann1":
            return ANN1(self.hidden, self.n_classes)
        return CNN1(self.n_classes)

    @property
    def predict_chunk(self) -> int:
        """Rows per forward pass when predicting a whole pool (bounds activation memory)."""
        return 16384 if self.model == "ann1" else 256

    @property
    def optimizer(self) -> optax.GradientTransformation:
        if self.model == "ann1":
            # Keras Adam defaults (B.2). Keras adds eps to sqrt(v) before bias correction,
            # optax after it: a difference of order 1e-7 in the step.
            return optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-7)
        return optax.sgd(1e-3, momentum=0.9)  # B.3; same update as Keras' SGD momentum
