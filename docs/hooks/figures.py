"""MkDocs hook: draw the documentation's figures at build time, with tape and matplotlib.

Nothing drawn is stored in the repository: every build computes the derivatives with tape and
records the example graphs again, so a figure cannot drift from what the code does. Recorded
graphs are laid out by Graphviz when its ``dot`` program is installed, and otherwise drawn by
matplotlib from `tape.viz.walk` (plainer, but the build needs no system package).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the docs may be built from a checkout where tape is not installed
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from tape import autograd, demo, nd, viz  # noqa: E402
from tape import np as tnp  # noqa: E402
from tape.demo_cnn import SimpleConvNet  # noqa: E402

plt.rcParams.update({"svg.hashsalt": "tape-docs", "font.size": 10})


def derivatives(f: Callable[[nd.NDArray], nd.NDArray], x: np.ndarray, n: int) -> list[np.ndarray]:
    """f and its first n derivatives at the points x, each the gradient of the one before."""
    xs = nd.array(x, dtype="float64")
    xs.attach_grad()
    with autograd.record():
        y = f(xs)
        out = [y]
        for _ in range(n):
            y = autograd.grad(y, xs, create_graph=True)[0]
            out.append(y)
    return [a.asnumpy() for a in out]


def _svg(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _derivative_plot(f: Callable[[nd.NDArray], nd.NDArray], name: str, lo: float, hi: float) -> bytes:
    x = np.linspace(lo, hi, 400)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    labels = [f"{name}(x)", "1st derivative", "2nd", "3rd", "4th"]
    for k, y in enumerate(derivatives(f, x, 4)):
        ax.plot(x, y, lw=2.2 if k == 0 else 1.4, label=labels[k])
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.set(xlabel="x", title=f"{name} and its first four derivatives, computed by tape")
    ax.legend(loc="upper right", fontsize=8, ncols=5 if name == "sin" else 1)
    return _svg(fig)


def sin_figure() -> bytes:
    return _derivative_plot(nd.sin, "sin", -2 * np.pi, 2 * np.pi)


def tanh_figure() -> bytes:
    return _derivative_plot(nd.tanh, "tanh", -4, 4)


def rosenbrock(x: tnp.ndarray) -> tnp.ndarray:
    """Rosenbrock's function in any dimension, written with tape.np (as on the Jacobians page)."""
    return tnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


Scalar = Callable[[tnp.ndarray], tnp.ndarray]


def newton_path(f: Scalar, start: list[float], steps: int) -> np.ndarray:
    """The points of Newton's method, x <- x - H^-1 grad f, with tape's jacobian and hessian."""
    x = tnp.array(start, dtype="float64")
    path = [x.asnumpy()]
    for _ in range(steps):
        x = x - tnp.linalg.inv(autograd.hessian(f, x)) @ autograd.jacobian(f, x)
        path.append(x.asnumpy())
    return np.array(path)


def descent_path(f: Scalar, start: list[float], rate: float, steps: int) -> np.ndarray:
    """The points of gradient descent, x <- x - rate * grad f."""
    x = tnp.array(start, dtype="float64")
    path = [x.asnumpy()]
    for _ in range(steps):
        x = x - rate * autograd.jacobian(f, x)
        path.append(x.asnumpy())
    return np.array(path)


def newton_figure() -> bytes:
    start = [-1.2, 1.0]
    newton = newton_path(rosenbrock, start, 6)
    descent = descent_path(rosenbrock, start, 1e-3, 10_000)
    gx, gy = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-3.5, 3, 300))
    values = 100 * (gy - gx**2) ** 2 + (1 - gx) ** 2
    fig, ax = plt.subplots(figsize=(7, 4.6))
    ax.contour(gx, gy, np.log10(1 + values), levels=20, colors="0.75", linewidths=0.7)
    ax.plot(descent[:, 0], descent[:, 1], color="tab:orange", lw=1.6, label="gradient descent, 10 000 steps")
    ax.plot(newton[:, 0], newton[:, 1], "o-", c="tab:blue", lw=1.4, ms=4, label="Newton's method, 6 steps")
    ax.plot([1], [1], "*", color="black", ms=11, label="minimum (1, 1)")
    ax.set(xlabel="x", ylabel="y", title="Minimising Rosenbrock's function from (-1.2, 1), with tape")
    ax.legend(loc="lower left", fontsize=8)
    return _svg(fig)


def neuron_graph() -> tuple[nd.NDArray, dict[str, nd.NDArray]]:
    """The graph shown on the "How it works" page: one sigmoid neuron and its squared error."""
    x, t = nd.array([[0.5, -1.0, 2.0]]), nd.array([[1.0]])
    w, b = nd.array([[0.1], [0.2], [-0.3]]), nd.zeros(1)
    w.attach_grad()
    b.attach_grad()
    with autograd.record():
        y = nd.sigmoid(nd.dot(x, w) + b)
        loss = ((y - t) ** 2).sum()
    return loss, {"x": x, "t": t, "w": w, "b": b, "y": y, "loss": loss}


def second_order_graph() -> tuple[nd.NDArray, dict[str, nd.NDArray]]:
    """What ``create_graph=True`` records: dy/dx of y = tanh(x) is itself a graph."""
    x = nd.array([0.5])
    x.attach_grad()
    with autograd.record():
        y = nd.tanh(x)
        dy = autograd.grad(y, x, create_graph=True)[0]
    return dy, {"x": x, "y": y, "dy/dx": dy}


def _layout(graph: viz.Graph) -> dict[str, tuple[float, float]]:
    """Rows from the head (bottom row) up: each vertex one row above its highest consumer,
    ordered in its row by where its consumers sit, to keep crossings few."""
    row = {v.id: 0 for v in graph.vertices}
    for _ in graph.vertices:  # longest-path relaxation; the graphs drawn here are small
        for src, dst in graph.edges:
            row[src] = max(row[src], row[dst] + 1)
    consumers: dict[str, list[str]] = {}
    for src, dst in graph.edges:
        consumers.setdefault(src, []).append(dst)
    pos: dict[str, tuple[float, float]] = {}
    for r in range(max(row.values()) + 1):
        ids = [v.id for v in graph.vertices if row[v.id] == r]
        ids.sort(key=lambda i: float(np.mean([pos[c][0] for c in consumers.get(i, []) if c in pos] or [0])))
        for k, vid in enumerate(ids):
            pos[vid] = (1.6 * (k - (len(ids) - 1) / 2), float(r))
    return pos


def draw_graph(graph: viz.Graph) -> bytes:
    """A plain layered drawing of a recorded graph, for builds without Graphviz."""
    pos = _layout(graph)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    fig, ax = plt.subplots(figsize=(1.5 * (max(xs) - min(xs)) + 2.5, 0.8 * max(ys) + 1))
    colours = {"op": "#dfe9f7", "variable": "#fbe3c0"}
    for src, dst in graph.edges:
        ax.annotate(
            "",
            xy=pos[dst],
            xytext=pos[src],
            arrowprops={"arrowstyle": "-|>", "color": "0.4", "shrinkA": 14, "shrinkB": 14},
        )
    for v in graph.vertices:
        px, py = pos[v.id]
        ax.text(
            px,
            py,
            v.label,
            ha="center",
            va="center",
            fontsize=7,
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.4" if v.kind == "op" else "round4,pad=0.4",
                "fc": colours.get(v.kind, "white"),
                "ec": "none" if v.kind == "scalar" else "0.3",
                "ls": "--" if v.kind == "constant" else "-",
            },
        )
    ax.set_xlim(min(xs) - 1, max(xs) + 1)
    ax.set_ylim(-0.5, max(ys) + 0.5)
    ax.axis("off")
    return _svg(fig)


def graph_figure(make: Callable[[], tuple[nd.NDArray, dict[str, nd.NDArray]]]) -> Callable[[], bytes]:
    def render() -> bytes:
        head, names = make()
        dot = shutil.which("dot")
        if dot is not None:
            text = viz.to_dot(head, names=names)
            return subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, check=True).stdout
        return draw_graph(viz.walk(head, names=names))

    return render


def cnn_feature_maps(epochs: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The SimpleConvNet of the CNN tutorial trained briefly on the digits: a test image (8x8),
    the 16 learned 3x3 filters, and the feature maps they make of that image (after the ReLU)."""
    data, rng = demo.load_digits(), np.random.default_rng(0)
    net = SimpleConvNet(8, data.n_classes, rng)
    demo.train(net, data, epochs, rng, stream=io.StringIO())
    image = data.x_test[:1].reshape(1, 1, 8, 8)
    w1, b1 = net.params["W1"], net.params["b1"]
    maps = nd.relu(nd.Convolution(nd.array(image), w1, b1, kernel=(3, 3), pad=(1, 1), num_filter=16))
    return image[0, 0], w1.asnumpy()[:, 0], maps.asnumpy()[0]


def cnn_figure() -> bytes:
    image, filters, maps = cnn_feature_maps()
    fig = plt.figure(figsize=(9, 4.6))
    grid = fig.add_gridspec(4, 9, wspace=0.15, hspace=0.25)
    ax = fig.add_subplot(grid[1:3, 0])
    ax.imshow(image, cmap="gray_r")
    ax.set_title("input", fontsize=9)
    for k in range(16):
        for row, (picture, cmap) in enumerate(((filters[k], "RdBu_r"), (maps[k], "viridis"))):
            ax = fig.add_subplot(grid[2 * row + k // 8, 1 + k % 8])
            limit = np.abs(picture).max() or 1.0
            ax.imshow(picture, cmap=cmap, vmin=-limit if row == 0 else 0, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.axes[0].set_xticks([])
    fig.axes[0].set_yticks([])
    fig.text(0.57, 0.94, "the 16 learned 3x3 filters (red +, blue -)", ha="center")
    fig.text(0.57, 0.03, "their feature maps of the input, after the ReLU", ha="center")
    return _svg(fig)


FIGURES: dict[str, Callable[[], bytes]] = {
    "figures/sin-derivatives.svg": sin_figure,
    "figures/tanh-derivatives.svg": tanh_figure,
    "figures/newton-rosenbrock.svg": newton_figure,
    "figures/neuron-graph.svg": graph_figure(neuron_graph),
    "figures/second-order-graph.svg": graph_figure(second_order_graph),
    "figures/cnn-feature-maps.svg": cnn_figure,
}


def on_files(files: Files, config: Any) -> Files:
    """Add each figure to the site as a generated file (written in memory, never to docs/)."""
    for uri, draw in FIGURES.items():
        files.append(File.generated(config, uri, content=draw()))
    return files
