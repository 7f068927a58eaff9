"""The convolutional network of ``python -m tape --model cnn``: *Deep Learning from Scratch*'s
``SimpleConvNet`` (chapter 7) written with tape's ops, so that ``loss.backward()`` replaces the
book's hand-written backward of its convolution and pooling layers.

>>> import numpy as np
>>> from tape import demo_cnn
>>> net = demo_cnn.SimpleConvNet(8, 10, np.random.default_rng(0))
>>> net.describe()
'conv 16x3x3, ReLU, max-pool 2x2, affine 256-50, ReLU, affine 50-10, softmax'
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from . import nd
from .ndarray import NDArray

__all__ = ["SimpleConvNet"]


class SimpleConvNet:
    """Convolution, ReLU, max-pooling, affine, ReLU, affine: the book's ``SimpleConvNet``.

    The input rows are square single-channel images flattened, as `tape.demo.load_digits`
    gives them (64 pixels for the 8x8 digits, 784 for MNIST); `scores` reshapes them to
    (N, 1, side, side). The convolution has `filters` kernels of `kernel` x `kernel` with
    padding keeping the image's size, then 2x2 max-pooling halves it. Weights start from He
    initialisation, the convolution's biases at 0.01; `params` maps the book's names (W1, b1
    for the convolution, W2, b2 and W3, b3 for the affine layers) to arrays with gradients
    attached.

    >>> import numpy as np
    >>> net = SimpleConvNet(8, 10, np.random.default_rng(0))
    >>> {k: p.shape for k, p in net.params.items()}
    {'W1': (16, 1, 3, 3), 'b1': (16,), 'W2': (256, 50), 'b2': (50,), 'W3': (50, 10), 'b3': (10,)}
    """

    def __init__(
        self,
        side: int,
        n_classes: int,
        rng: np.random.Generator,
        filters: int = 16,
        kernel: int = 3,
        hidden: int = 50,
    ) -> None:
        if side < 2 or kernel % 2 == 0:
            raise ValueError(
                f"SimpleConvNet: needs images of side 2 or more and an odd kernel (padding keeps the "
                f"size), got side {side} and kernel {kernel}"
            )
        flat = filters * (side // 2) ** 2

        def he(*shape: int) -> NDArray:
            fan_in = int(np.prod(shape[1:]))
            return nd.array(rng.standard_normal(shape) * np.sqrt(2.0 / fan_in))

        self.n_classes = n_classes
        self.params: dict[str, NDArray] = {
            "W1": he(filters, 1, kernel, kernel),
            # Not zero: on the blank background every input is 0, and a filter that never fires
            # would keep a zero bias there, its ReLU exactly on the kink, where the gradient check's
            # central differences disagree with any one-sided derivative.
            "b1": nd.array(np.full(filters, 0.01)),
            "W2": nd.array(rng.standard_normal((flat, hidden)) * np.sqrt(2.0 / flat)),
            "b2": nd.zeros(hidden),
            "W3": nd.array(rng.standard_normal((hidden, n_classes)) * np.sqrt(2.0 / hidden)),
            "b3": nd.zeros(n_classes),
        }
        for p in self.params.values():
            p.attach_grad()

    def describe(self) -> str:
        """The layers, in one line (for the demo's banner).

        >>> import numpy as np
        >>> SimpleConvNet(28, 10, np.random.default_rng(0), hidden=100).describe()
        'conv 16x3x3, ReLU, max-pool 2x2, affine 3136-100, ReLU, affine 100-10, softmax'
        """
        filters, _, k, _ = self.params["W1"].shape
        (flat, hidden), (_, out) = self.params["W2"].shape, self.params["W3"].shape
        return (
            f"conv {filters}x{k}x{k}, ReLU, max-pool 2x2, affine {flat}-{hidden}, ReLU, "
            f"affine {hidden}-{out}, softmax"
        )

    @staticmethod
    def scores(params: Mapping[str, NDArray], x: NDArray) -> NDArray:
        """Class scores (before softmax) for a batch `x` of flattened square images, computed
        with the given parameters.

        >>> import numpy as np
        >>> from tape import nd
        >>> net = SimpleConvNet(8, 10, np.random.default_rng(0))
        >>> net.scores(net.params, nd.zeros((2, 64))).shape
        (2, 10)
        """
        w1 = params["W1"]
        side = math.isqrt(x.shape[1])
        k = w1.shape[2]
        images = x.reshape((x.shape[0], 1, side, side))
        h = nd.Convolution(
            images, w1, params["b1"], kernel=(k, k), pad=(k // 2, k // 2), num_filter=w1.shape[0]
        )
        h = nd.Pooling(nd.relu(h), kernel=(2, 2), stride=(2, 2), pool_type="max")
        h = nd.relu(nd.dot(h.reshape((x.shape[0], -1)), params["W2"]) + params["b2"])
        return nd.dot(h, params["W3"]) + params["b3"]

    def loss(self, x: NDArray, onehot: NDArray) -> NDArray:
        """Mean softmax cross-entropy of the batch against one-hot labels.

        >>> import numpy as np
        >>> from tape import nd
        >>> net = SimpleConvNet(8, 10, np.random.default_rng(0))
        >>> net.loss(nd.zeros((1, 64)), nd.one_hot(nd.array([3]), 10)).shape
        (1,)
        """
        return -(nd.log_softmax(self.scores(self.params, x)) * onehot).sum() / x.shape[0]

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows of `x` whose highest score is at the label.

        >>> import numpy as np
        >>> net = SimpleConvNet(8, 10, np.random.default_rng(0))
        >>> 0 <= net.accuracy(np.zeros((4, 64), np.float32), np.arange(4)) <= 1
        True
        """
        predicted = self.scores(self.params, nd.array(x)).argmax(axis=1).asnumpy()
        return float(np.mean(predicted == y))
