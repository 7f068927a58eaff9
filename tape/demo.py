"""The demo behind ``python -m tape``: a two-layer net trained with tape on handwritten digits.

The network is the ``TwoLayerNet`` of *Deep Learning from Scratch* (affine, ReLU, affine,
softmax with cross-entropy loss), written with tape's ops so that ``loss.backward()`` replaces
the book's hand-written backward pass; ``--model cnn`` trains the book's ``SimpleConvNet``
(`tape.demo_cnn`) instead. By default it trains on the UCI optical digits that
ship with tape (1,797 images of 8x8 pixels); ``--mnist PATH`` trains a 784-100-10 net on an
MNIST ``.npz`` instead. After training it prints the test accuracy and checks the gradients of
every parameter against central differences in float64.

>>> from tape import demo
>>> data = demo.load_digits()
>>> data.x_train.shape, data.x_test.shape, data.n_classes
((1438, 64), (359, 64), 10)
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol, TextIO

import numpy as np

from . import autograd, nd, testing
from .demo_cnn import SimpleConvNet
from .ndarray import NDArray

__all__ = [
    "Dataset", "DataError", "GradCheck", "Net", "TwoLayerNet", "ProgressBar", "load_digits", "load_mnist",
    "softmax_cross_entropy", "train", "gradient_check", "save_loss_plot", "main",
]  # fmt: skip

Params = dict[str, NDArray]
RELATIVE_FLOOR = 1e-4
MNIST_CLASSES = 10  # the digits 0 to 9
PLOT_EXTRA = 'python -m pip install "tape[plot]"'  # how to get matplotlib for --plot
DIGITS_CREDIT = (
    "UCI ML Repository, optical recognition of handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0)"
)


class DataError(ValueError):
    """A data file that cannot be used, with what is wrong and what was expected."""


@dataclass(frozen=True)
class Dataset:
    """Images flattened to rows of float32 in [0, 1], and integer labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        """Pixels per image."""
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes (labels run from 0 to n_classes - 1)."""
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def load_digits(test_fraction: float = 0.2) -> Dataset:
    """The bundled UCI digits, split into train and test sets the same way on every call.

    Pixels (0 to 16) are scaled to [0, 1]. The split is a fixed shuffle (seed 0), so every
    run, whatever its ``--seed``, is measured on the same test images.
    """
    with resources.files("tape").joinpath("data/digits.npz").open("rb") as f, np.load(f) as z:
        images, labels = z["images"], z["labels"]
    x = images.reshape(len(images), -1).astype(np.float32) / 16.0
    order = np.random.default_rng(0).permutation(len(x))
    n_test = round(len(x) * test_fraction)
    test, tr = order[:n_test], order[n_test:]
    y = labels.astype(np.int64)
    return Dataset("UCI digits", x[tr], y[tr], x[test], y[test])


def _images(z: Mapping[str, np.ndarray], key: str, path: str) -> np.ndarray:
    x = z[key]
    if x.ndim < 2 or len(x) == 0:
        raise DataError(f"{path}: {key} has shape {x.shape}; expected images, e.g. (60000, 28, 28)")
    x = x.reshape(len(x), -1)
    if np.issubdtype(x.dtype, np.integer) or x.max() > 1:
        return (x / 255.0).astype(np.float32)
    return x.astype(np.float32)


def _labels(z: Mapping[str, np.ndarray], key: str, n: int, path: str) -> np.ndarray:
    y = z[key]
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise DataError(
            f"{path}: {key} has shape {y.shape} and dtype {y.dtype}; expected {n} integer "
            "class labels (0, 1, 2, ...), one per image"
        )
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= MNIST_CLASSES:
        raise DataError(
            f"{path}: {key} holds labels from {low} to {high}; expected the digits 0 to "
            f"{MNIST_CLASSES - 1}, one per image"
        )
    return y.astype(np.int64)


def _file_problem(text: str) -> str | None:
    """Why the path `text` cannot be read as a data file, or None when it is a file."""
    path = Path(text)
    if path.is_file():
        return None
    if path.is_dir():
        return f"{text!r} is a folder, not a file: give the path of the .npz file itself"
    if path.exists():
        return f"{text!r} is not a regular file: give the path of an .npz file"
    return f"no such file: {text!r}"


def load_mnist(path: str | Path) -> Dataset:
    """An MNIST ``.npz`` with arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``.

    Images may be (n, 28, 28) or (n, 784); integer pixels (0 to 255) are scaled to [0, 1];
    labels are the digits 0 to 9. Raises `DataError` naming what is missing or malformed.

    >>> load_mnist("no-such-file.npz")
    Traceback (most recent call last):
    ...
    tape.demo.DataError: no such file: 'no-such-file.npz'
    """
    keys = ("x_train", "y_train", "x_test", "y_test")
    problem = _file_problem(str(path))
    if problem is not None:
        raise DataError(problem)
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path}: not an .npz file (the zip archive that numpy.savez writes)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise DataError(
                    f"{path}: missing {', '.join(missing)}; an MNIST .npz holds the arrays "
                    f"{', '.join(keys)} (found: {', '.join(npz.files) or 'none'})"
                )
            z = {k: npz[k] for k in keys}
    except (OSError, ValueError) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"{path}: not a readable .npz file ({e})") from e
    x_train, x_test = _images(z, "x_train", str(path)), _images(z, "x_test", str(path))
    if x_train.shape[1] != x_test.shape[1]:
        raise DataError(
            f"{path}: train images have {x_train.shape[1]} pixels but test images {x_test.shape[1]}"
        )
    y_train = _labels(z, "y_train", len(x_train), str(path))
    y_test = _labels(z, "y_test", len(x_test), str(path))
    return Dataset("MNIST", x_train, y_train, x_test, y_test)


def softmax_cross_entropy(scores: NDArray, onehot: NDArray) -> NDArray:
    """Mean cross-entropy of the softmax of `scores` (batch x classes) against one-hot labels.

    >>> from tape import nd
    >>> loss = softmax_cross_entropy(nd.array([[0.0, 0.0]]), nd.array([[1.0, 0.0]]))
    >>> round(float(loss.asscalar()), 4)    # -log(1/2)
    0.6931
    """
    # Subtracting the row maximum keeps exp from overflowing; it cancels in the maths, so it
    # needs no gradient.
    shifted = scores - nd.stop_gradient(scores.max(axis=1, keepdims=True))
    log_probs = shifted - nd.log(nd.exp(shifted).sum(axis=1, keepdims=True))
    return -(log_probs * onehot).sum() / scores.shape[0]


def one_hot(labels: np.ndarray, n_classes: int, dtype: type[np.floating] = np.float32) -> NDArray:
    """Labels as rows of zeros with a one at the label's position."""
    return nd.array(np.eye(n_classes, dtype=dtype)[labels], dtype=dtype)


class TwoLayerNet:
    """Affine, ReLU, affine: the network of *Deep Learning from Scratch*, chapter 5.

    Weights start from He initialisation (suited to ReLU); `params` maps the book's names
    (W1, b1, W2, b2) to arrays with gradients attached.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator) -> None:
        def weights(rows: int, cols: int) -> NDArray:
            return nd.array(rng.standard_normal((rows, cols)) * np.sqrt(2.0 / rows))

        self.n_classes = n_out
        self.params: Params = {
            "W1": weights(n_in, n_hidden),
            "b1": nd.zeros(n_hidden),
            "W2": weights(n_hidden, n_out),
            "b2": nd.zeros(n_out),
        }
        for p in self.params.values():
            p.attach_grad()

    @staticmethod
    def scores(params: Mapping[str, NDArray], x: NDArray) -> NDArray:
        """Class scores (before softmax) for a batch `x`, computed with the given parameters."""
        hidden = nd.relu(nd.dot(x, params["W1"]) + params["b1"])
        return nd.dot(hidden, params["W2"]) + params["b2"]

    def loss(self, x: NDArray, onehot: NDArray) -> NDArray:
        """Mean softmax cross-entropy of the batch."""
        return softmax_cross_entropy(self.scores(self.params, x), onehot)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows of `x` whose highest score is at the label."""
        predicted = self.scores(self.params, nd.array(x)).argmax(axis=1).asnumpy()
        return float(np.mean(predicted == y))


class Net(Protocol):
    """What `train` and `gradient_check` need of a network: `TwoLayerNet` or `SimpleConvNet`.

    >>> net: Net = SimpleConvNet(8, 10, np.random.default_rng(0))
    >>> net.n_classes, sorted(net.params)
    (10, ['W1', 'W2', 'W3', 'b1', 'b2', 'b3'])
    """

    params: Params
    n_classes: int

    @staticmethod
    def scores(params: Mapping[str, NDArray], x: NDArray) -> NDArray:
        """Class scores (before softmax) for a batch `x`, computed with the given parameters."""

    def loss(self, x: NDArray, onehot: NDArray) -> NDArray:
        """Mean softmax cross-entropy of the batch."""

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows of `x` whose highest score is at the label."""


class ProgressBar:
    """One line of text redrawn in place with carriage returns (no dependency).

    When `stream` is not a terminal (a log file, CI), only the final line is written.
    """

    def __init__(self, total: int, label: str, stream: TextIO, width: int = 30) -> None:
        self.total, self.label, self.stream, self.width = total, label, stream, width
        self.live = stream.isatty()
        self._drawn = -1
        self._longest = 0  # the final line must cover every character drawn before it

    def _line(self, done: int, text: str) -> str:
        filled = self.width * done // self.total
        return f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {text}"

    def update(self, done: int, text: str) -> None:
        """Redraw after `done` of `total` steps, if the bar has visibly moved."""
        filled = self.width * done // self.total
        if self.live and filled != self._drawn:
            self._drawn = filled
            line = self._line(done, text)
            self._longest = max(self._longest, len(line))
            self.stream.write("\r" + line)
            self.stream.flush()

    def close(self, text: str) -> None:
        """Draw the finished bar with `text` and end the line."""
        line = self._line(self.total, text)
        if self.live:
            line = "\r" + line.ljust(self._longest)
        self.stream.write(line + "\n")
        self.stream.flush()


def train(
    net: Net,
    data: Dataset,
    epochs: int,
    rng: np.random.Generator,
    batch_size: int = 32,
    lr: float = 0.1,
    momentum: float = 0.9,
    stream: TextIO = sys.stdout,
) -> list[float]:
    """Minibatch SGD with momentum; returns the loss of every batch, in order."""
    n = len(data.x_train)
    onehot_all = np.eye(data.n_classes, dtype=np.float32)[data.y_train]
    velocity = {k: nd.zeros(p.shape) for k, p in net.params.items()}
    batches = -(-n // batch_size)
    width = len(str(epochs))
    losses: list[float] = []
    for epoch in range(1, epochs + 1):
        bar = ProgressBar(batches, f"epoch {epoch:>{width}}/{epochs}", stream)
        order = rng.permutation(n)
        for b in range(batches):
            idx = order[b * batch_size : (b + 1) * batch_size]
            x, t = nd.array(data.x_train[idx]), nd.array(onehot_all[idx])
            with autograd.record():
                loss = net.loss(x, t)
            loss.backward()
            for k, p in net.params.items():
                assert p.grad is not None
                v = velocity[k]
                v[:] = momentum * v - lr * p.grad
                p[:] = p + v  # in place, outside record(): p stays a marked variable
            losses.append(float(loss.asscalar()))
            bar.update(b + 1, f"loss {losses[-1]:.4f}")
        epoch_loss = float(np.mean(losses[-batches:]))
        bar.close(f"loss {epoch_loss:.4f}  test accuracy {net.accuracy(data.x_test, data.y_test):.1%}")
    return losses


@dataclass(frozen=True)
class GradCheck:
    """The outcome of `gradient_check`: the worst relative error and where it was."""

    worst: float
    where: str
    checked: int
    total: int


def _relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Floored: central differences in float64 are accurate to about 1e-10 in absolute terms,
    # so a gradient entry that is itself almost zero would otherwise divide noise by nothing.
    err: np.ndarray = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), RELATIVE_FLOOR)
    return err


def gradient_check(
    net: Net,
    x: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    full_limit: int = 5000,
    sample: int = 32,
) -> GradCheck:
    """Compare tape's gradients of the loss on a batch with central differences, in float64.

    A parameter with at most `full_limit` entries is checked entry by entry; a larger one
    (MNIST's W1) at `sample` random entries, since each entry costs two forward passes.
    """
    base = {k: nd.array(p, dtype=np.float64) for k, p in net.params.items()}
    xs, t = nd.array(x, dtype=np.float64), one_hot(y, net.n_classes, np.float64)

    def loss_of(params: Mapping[str, NDArray]) -> NDArray:
        return softmax_cross_entropy(net.scores(params, xs), t)

    marked = {k: p.copy() for k, p in base.items()}
    for p in marked.values():
        p.attach_grad()
    with autograd.record():
        loss = loss_of(marked)
    loss.backward()

    worst, where, checked, total = 0.0, "", 0, 0
    for k, p in base.items():
        tape_grad = marked[k].grad
        assert tape_grad is not None
        flat = tape_grad.asnumpy().ravel()
        total += p.size
        if p.size <= full_limit:
            idx = np.arange(p.size)
            numeric = testing.numeric_grad(lambda v, k=k: loss_of({**base, k: v}), p)[0].ravel()
        else:
            idx = np.sort(rng.choice(p.size, sample, replace=False))
            numeric = testing.numeric_grad(_at_entries(loss_of, base, k, idx), p.asnumpy().ravel()[idx])[0]
        errors = _relative_error(flat[idx], numeric)
        checked += len(idx)
        i = int(np.argmax(errors))
        if errors[i] >= worst:
            pos = ", ".join(str(int(j)) for j in np.unravel_index(idx[i], p.shape))
            worst, where = float(errors[i]), f"{k}[{pos}]"
    return GradCheck(worst, where, checked, total)


def _at_entries(
    loss_of: Callable[[Mapping[str, NDArray]], NDArray], base: Params, key: str, idx: np.ndarray
) -> Callable[[NDArray], NDArray]:
    """The loss as a function of the entries `idx` of parameter `key`, the rest held fixed."""
    p = base[key]
    select = np.zeros((len(idx), p.size))
    select[np.arange(len(idx)), idx] = 1.0
    start = nd.array(p.asnumpy().ravel()[idx], dtype=np.float64)
    rows, flat = nd.array(select, dtype=np.float64), p.reshape(-1)

    def f(entries: NDArray) -> NDArray:
        moved = flat + nd.dot(entries - start, rows)
        return loss_of({**base, key: moved.reshape(p.shape)})

    return f


def save_loss_plot(losses: Sequence[float], batches_per_epoch: int, path: str | Path, title: str) -> None:
    """Draw the loss of every batch and its mean per epoch into the PNG file `path`.

    `path` must end in ``.png``: the file written is exactly `path` (needs matplotlib).

    >>> save_loss_plot([0.9, 0.5], 1, "loss.jpg", "demo")
    Traceback (most recent call last):
    ...
    ValueError: save_loss_plot: path 'loss.jpg' must end in .png (the curve is saved as a PNG image)
    """
    if Path(path).suffix.lower() != ".png":
        raise ValueError(
            f"save_loss_plot: path {str(path)!r} must end in .png (the curve is saved as a PNG image)"
        )
    import matplotlib

    matplotlib.use("Agg")  # no window: write the file only
    import matplotlib.pyplot as plt

    steps = np.arange(1, len(losses) + 1)
    per_epoch = np.asarray(losses).reshape(-1, batches_per_epoch).mean(axis=1)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(steps, losses, lw=0.6, alpha=0.5, label="batch loss")
    ax.plot(np.arange(1, len(per_epoch) + 1) * batches_per_epoch, per_epoch, "o-", label="epoch mean")
    ax.set(xlabel="batch", ylabel="softmax cross-entropy", yscale="log", title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def _whole_number(text: str, minimum: int, kind: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a {kind} whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1, "positive")


def _seed(text: str) -> int:
    return _whole_number(text, 0, "non-negative")


def _existing_file(text: str) -> Path:
    problem = _file_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def _png_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(
            f"{text!r} does not end in .png: the loss curve is a PNG image; give a path such as loss.png"
        )
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a folder: give the image's path, e.g. {path / 'loss.png'}"
        )
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder {str(path.parent)!r} does not exist")
    return path


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m tape``."""
    parser = argparse.ArgumentParser(
        prog="python -m tape",
        description="Train the two-layer net of 'Deep Learning from Scratch' (or, with --model cnn, its "
        "SimpleConvNet) with tape on handwritten digits, report its test accuracy and check its gradients "
        "against numerical differentiation.",
    )
    parser.add_argument(
        "--model",
        choices=("mlp", "cnn"),
        default="mlp",
        help="mlp: the two-layer net (affine, ReLU, affine); cnn: the convolutional SimpleConvNet "
        "(conv, ReLU, max-pool, affine, ReLU, affine) (default: mlp)",
    )
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help="passes over the training set (default: 20 on the bundled digits, 5 on MNIST)",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the initial weights and batch order, 0 or more (default: 0)",
    )
    parser.add_argument(
        "--plot",
        metavar="PATH",
        type=_png_path,
        help=f"save the loss curve as a PNG image at PATH, which ends in .png (e.g. loss.png); "
        f"needs matplotlib: {PLOT_EXTRA}",
    )
    parser.add_argument(
        "--mnist",
        metavar="PATH",
        type=_existing_file,
        help="train 784-100-10 on an MNIST "
        ".npz holding x_train, y_train, x_test, y_test instead of the bundled digits",
    )
    return parser


def main(argv: Sequence[str] | None = None, stream: TextIO = sys.stdout) -> int:
    """Run the demo; returns the exit status (argument errors exit through argparse).

    Every argument is checked before training starts.

    >>> import io
    >>> out = io.StringIO()
    >>> main(["--epochs", "1"], stream=out)
    0
    >>> print(out.getvalue().splitlines()[2].split("; ")[1])
    SGD with momentum 0.9, learning rate 0.1, batches of 32, 1 epoch, seed 0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    plot: Path | None = args.plot  # the path's folder and suffix are checked by _png_path
    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        parser.error(f"--plot needs matplotlib, which is not installed: {PLOT_EXTRA}")
    try:
        data = load_digits() if args.mnist is None else load_mnist(args.mnist)
    except DataError as e:
        parser.error(f"--mnist: {e}")
    epochs = args.epochs or (20 if args.mnist is None else 5)
    hidden, batch_size = (50, 32) if args.mnist is None else (100, 100)
    rng = np.random.default_rng(args.seed)
    net: Net
    if args.model == "cnn":
        side = math.isqrt(data.n_features)
        if side * side != data.n_features:
            parser.error(f"--model cnn needs square images, but they have {data.n_features} pixels")
        net = SimpleConvNet(side, data.n_classes, rng, hidden=hidden)
        layers = f"convolutional net ({net.describe()})"
    else:
        net = TwoLayerNet(data.n_features, hidden, data.n_classes, rng)
        layers = f"{data.n_features}-{hidden}-{data.n_classes} net (affine, ReLU, affine, softmax)"

    def say(line: str) -> None:
        stream.write(line + "\n")

    start = time.perf_counter()
    say(f"tape demo: a {layers} on {data.name}")
    say(f"data: {DIGITS_CREDIT if args.mnist is None else args.mnist}")
    say(
        f"{len(data.x_train)} training and {len(data.x_test)} test images; SGD with momentum 0.9, "
        f"learning rate 0.1, batches of {batch_size}, {epochs} epoch{'' if epochs == 1 else 's'}, "
        f"seed {args.seed}"
    )
    losses = train(net, data, epochs, rng, batch_size=batch_size, stream=stream)

    correct = round(net.accuracy(data.x_test, data.y_test) * len(data.y_test))
    say(f"test accuracy: {correct / len(data.y_test):.2%} ({correct} of {len(data.y_test)} test images)")
    check = gradient_check(net, data.x_test[:8], data.y_test[:8], rng)
    scope = f"all {check.total}"
    if check.checked < check.total:
        scope = f"a sample of {check.checked} of {check.total}"
    say(
        f"gradient check against central differences (float64, 8 test images, {scope} parameters): "
        f"worst relative error {check.worst:.1e} at {check.where}"
    )
    if plot is not None:
        save_loss_plot(losses, len(losses) // epochs, plot, f"tape demo: {data.name}")
        say(f"loss curve saved to {plot}")
    else:
        say("(--plot loss.png saves the loss curve)")
    say(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":  # python -m tape.demo, the same as python -m tape
    sys.exit(main())
