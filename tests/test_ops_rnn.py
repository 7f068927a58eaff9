"""RNN, MXNet's fused recurrent layer: the packed parameter layout, the four modes, stacked
and bidirectional layers.

Values against a loop in NumPy written here (which unpacks the parameters its own way) and
against literals from MXNet 1.9.1 (float32); derivatives against finite differences to second
order (the RNNS table).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.ops.rnn import parameter_count
from tape.testing import check_grads

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


# ---- a NumPy reference --------------------------------------------------------------------------
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def _unpack(
    params: np.ndarray, mode: str, inputs: int, h: int, layers: int, dirs: int
) -> dict[Any, list[Any]]:
    g, at, found = GATES[mode] * h, 0, {}
    for layer in range(layers):
        width = inputs if layer == 0 else h * dirs
        for d in range(dirs):
            wx = params[at : at + g * width].reshape(g, width)
            wh = params[at + g * width : at + g * (width + h)].reshape(g, h)
            found[layer, d] = [wx, wh]
            at += g * (width + h)
    for layer in range(layers):
        for d in range(dirs):
            found[layer, d] += [params[at : at + g], params[at + g : at + 2 * g]]
            at += 2 * g
    assert at == params.size
    return found


def _cell(mode: str, x: np.ndarray, h: np.ndarray, c: Any, wx: Any, wh: Any, bx: Any, bh: Any) -> Any:
    n = h.shape[1]
    gx, gh = x @ wx.T + bx, h @ wh.T + bh
    if mode == "rnn_relu":
        return np.maximum(gx + gh, 0), c
    if mode == "rnn_tanh":
        return np.tanh(gx + gh), c
    if mode == "lstm":
        g = gx + gh
        c = _sigmoid(g[:, n : 2 * n]) * c + _sigmoid(g[:, :n]) * np.tanh(g[:, 2 * n : 3 * n])
        return _sigmoid(g[:, 3 * n :]) * np.tanh(c), c
    r, z = _sigmoid(gx[:, :n] + gh[:, :n]), _sigmoid(gx[:, n : 2 * n] + gh[:, n : 2 * n])
    new = np.tanh(gx[:, 2 * n :] + r * gh[:, 2 * n :])
    return (1 - z) * new + z * h, c


def _rnn(
    data: np.ndarray, params: np.ndarray, h0: np.ndarray, c0: Any, mode: str, layers: int, dirs: int
) -> Any:
    steps, _, inputs = data.shape
    h = h0.shape[2]
    weights = _unpack(params, mode, inputs, h, layers, dirs)
    x, hs, cs = data, [], []
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            state = h0[layer * dirs + d]
            cell = None if c0 is None else c0[layer * dirs + d]
            out = np.zeros((steps, data.shape[1], h))
            for t in range(steps) if d == 0 else reversed(range(steps)):
                state, cell = _cell(mode, x[t], state, cell, *weights[layer, d])
                out[t] = state
            outs.append(out)
            hs.append(state)
            cs.append(cell)
        x = np.concatenate(outs, axis=2)
    return x, np.stack(hs), None if c0 is None else np.stack(cs)


def _case(
    mode: str, steps: int, batch: int, inputs: int, h: int, layers: int, dirs: int, seed: int = 0
) -> Any:
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(steps, batch, inputs))
    params = rng.normal(size=parameter_count(mode, inputs, h, layers, dirs)) * 0.5
    h0 = rng.normal(size=(layers * dirs, batch, h))
    c0 = rng.normal(size=h0.shape) if mode == "lstm" else None
    return data, params, h0, c0


def _f64(a: Any) -> Any:
    return None if a is None else nd.array(a, dtype="float64")


# ---- values -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize(("layers", "dirs"), [(1, 1), (2, 2), (3, 1)])
def test_rnn_matches_a_numpy_loop(mode: str, layers: int, dirs: int) -> None:
    data, params, h0, c0 = _case(mode, 4, 3, 5, 2, layers, dirs)
    got = nd.RNN(
        *[_f64(a) for a in (data, params, h0, c0) if a is not None],
        state_size=2,
        num_layers=layers,
        bidirectional=dirs == 2,
        mode=mode,
        state_outputs=True,
    )
    want = _rnn(data, params, h0, c0, mode, layers, dirs)
    assert len(got) == (3 if mode == "lstm" else 2)
    for g, w in zip(got, want, strict=False):
        np.testing.assert_allclose(g.asnumpy(), w, rtol=1e-12, atol=1e-14)


# MXNet 1.9.1, float32: 2 bidirectional layers, (T, N, I, H) = (3, 2, 3, 2): the output's last
# step, the first sequence's final states, and the first 6 gradients of sum(out) in parameters.
MXNET = {
    "rnn_relu": (
        [[0.67600548, 0.26642621, 0.0, 0.0], [0.50071633, 0.20840994, 0.0, 0.27178991]],
        [[0.53958690, 0.25295720], [0.0, 0.0], [0.67600548, 0.26642621], [0.0, 0.0]],
        [0.24153043, -0.39465228, -0.66799349, 0.40862000, -0.78792262, -1.26005280],
    ),
    "rnn_tanh": (
        [
            [0.79304665, 0.02702031, -0.58182943, -0.41981861],
            [0.56780112, 0.24006706, -0.26148880, -0.03281726],
        ],
        [
            [0.50288153, 0.23602864],
            [-0.24466817, -0.94071013],
            [0.79304665, 0.02702031],
            [-0.44098705, -0.11560819],
        ],
        [0.00952612, -0.07255679, -0.08793133, 0.02016796, -0.02388338, -0.04597645],
    ),
    "lstm": (
        [
            [-0.26650035, -0.19713102, 0.11458201, -0.02332320],
            [-0.25171641, -0.19501927, -0.03626099, -0.22017968],
        ],
        [
            [0.03283710, 0.17150657],
            [0.05378116, 0.16714209],
            [-0.26650035, -0.19713102],
            [0.06084422, -0.17985781],
        ],
        [0.02210417, -0.03892313, -0.06416468, 0.01286490, -0.01580212, -0.02994074],
    ),
    "gru": (
        [
            [-0.30943805, 0.09036693, 0.34367293, 0.36136281],
            [-0.42125723, 0.16052762, 0.08695793, 0.00700665],
        ],
        [
            [-0.06411052, 0.39769518],
            [-0.15107605, 0.18511723],
            [-0.30943805, 0.09036693],
            [0.26900083, 0.29870632],
        ],
        [0.00212177, -0.01167276, -0.01473541, -0.01667867, -0.00076015, 0.01585725],
    ),
}


@pytest.mark.parametrize("mode", list(MXNET))
def test_rnn_matches_mxnet_values_and_gradients(mode: str) -> None:
    data = np.sin(np.arange(18)).reshape(3, 2, 3)
    h0 = 0.5 * np.cos(np.arange(16)).reshape(4, 2, 2)
    params = nd.array(0.4 * np.sin(np.arange(parameter_count(mode, 3, 2, 2, 2)) * 0.7 + 1))
    params.attach_grad()
    cell = [nd.array(h0[::-1].copy())] if mode == "lstm" else []
    with autograd.record():
        out, hy, *_ = nd.RNN(
            nd.array(data), params, nd.array(h0), *cell, state_size=2, num_layers=2, bidirectional=True,
            mode=mode, state_outputs=True,
        )  # fmt: skip
    out.backward()
    assert out.dtype == np.float32 and out.shape == (3, 2, 4)
    last, states, grads = MXNET[mode]
    np.testing.assert_allclose(out.asnumpy()[-1], last, atol=2e-6)
    np.testing.assert_allclose(hy.asnumpy()[:, 0], states, atol=2e-6)
    np.testing.assert_allclose(params.grad.asnumpy()[:6], grads, atol=1e-5)


def test_without_state_outputs_the_result_is_the_output_alone() -> None:
    data, params, h0, _ = _case("gru", 3, 2, 2, 3, 1, 2)
    out = nd.RNN(
        _f64(data), _f64(params), _f64(h0), state_size=3, num_layers=1, bidirectional=True, mode="gru"
    )
    assert isinstance(out, nd.NDArray) and out.shape == (3, 2, 6)


@pytest.mark.parametrize("mode", ["lstm", "rnn_tanh"])
def test_sequence_lengths_end_each_sequence_as_cudnn_does(mode: str) -> None:
    data, params, h0, c0 = _case(mode, 5, 3, 2, 2, 2, 2, seed=1)
    lengths = [5, 2, 3]
    got = nd.RNN(
        *[_f64(a) for a in (data, params, h0, c0) if a is not None],
        sequence_length=nd.array(lengths),
        use_sequence_length=True,
        state_size=2,
        num_layers=2,
        bidirectional=True,
        mode=mode,
        state_outputs=True,
    )
    for b, n in enumerate(lengths):
        one = [None if a is None else a[:, b : b + 1] for a in (h0, c0)]
        out, hy, cy = _rnn(data[:n, b : b + 1], params, one[0], one[1], mode, 2, 2)
        np.testing.assert_allclose(got[0].asnumpy()[:n, b], out[:, 0], rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(got[0].asnumpy()[n:, b], 0)
        np.testing.assert_allclose(got[1].asnumpy()[:, b], hy[:, 0], rtol=1e-12, atol=1e-14)
        if mode == "lstm":
            np.testing.assert_allclose(got[2].asnumpy()[:, b], cy[:, 0], rtol=1e-12, atol=1e-14)


def test_lstm_state_clipping_bounds_the_cell_state() -> None:
    data, params, h0, c0 = _case("lstm", 4, 2, 3, 2, 1, 1, seed=2)
    _, _, cy = nd.RNN(
        _f64(data * 5), _f64(params * 4), _f64(h0), _f64(c0), state_size=2, num_layers=1, mode="lstm",
        state_outputs=True, lstm_state_clip_min=-0.3, lstm_state_clip_max=0.2,
    )  # fmt: skip
    assert cy.asnumpy().min() >= -0.3 and cy.asnumpy().max() <= 0.2


def test_dropout_between_layers_acts_only_in_training() -> None:
    data, params, h0, _ = _case("rnn_tanh", 3, 2, 2, 4, 2, 1)
    args = (_f64(data), _f64(params), _f64(h0))
    kw: dict[str, Any] = {"state_size": 4, "num_layers": 2, "mode": "rnn_tanh", "p": 0.5}
    np.testing.assert_array_equal(nd.RNN(*args, **kw).asnumpy(), nd.RNN(*args, **{**kw, "p": 0.0}).asnumpy())
    with autograd.train_mode():
        assert not np.allclose(nd.RNN(*args, **kw).asnumpy(), nd.RNN(*args, **{**kw, "p": 0.0}).asnumpy())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "lstm2"}, r"mode is required, one of"),
        ({"num_layers": None}, r"num_layers is required"),
        ({"state_size": 3}, r"parameters has shape \(12,\), but mode='rnn_tanh' .* needs \(21,\)"),
        ({"projection_size": 1}, r"projection_size is not supported"),
        ({"state_cell": nd.zeros((1, 2, 2))}, r"state_cell is the cell state of mode='lstm'"),
        ({"lstm_state_clip_min": 0.0, "lstm_state_clip_max": 1.0}, r"with mode='lstm' only"),
        ({"use_sequence_length": True}, r"sequence_length is read only with use_sequence_length=True"),
        ({"p": 1.0}, r"p is a probability"),
    ],
)
def test_rnn_refuses_arguments_naming_them(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"state_size": 2, "num_layers": 1, "mode": "rnn_tanh", **kwargs}
    with pytest.raises(ArgumentError, match=rf"^nd\.RNN: .*{message}"):
        nd.RNN(nd.ones((3, 2, 2)), nd.ones(12), nd.zeros((1, 2, 2)), **args)


# ---- derivatives --------------------------------------------------------------------------------
def _rnn_of(mode: str, layers: int, bidirectional: bool) -> Any:
    def f(data: nd.NDArray, params: nd.NDArray, *states: nd.NDArray) -> list[nd.NDArray]:
        out = nd.RNN(
            data, params, *states, state_size=2, num_layers=layers, bidirectional=bidirectional, mode=mode,
            state_outputs=True,
        )  # fmt: skip
        return [o**2 for o in out]

    return f


def _shapes(mode: str, layers: int, dirs: int) -> tuple[tuple[int, ...], ...]:
    states = ((layers * dirs, 2, 2),) * (2 if mode == "lstm" else 1)
    return ((3, 2, 2), (parameter_count(mode, 2, 2, layers, dirs),), *states)


RNNS = [
    (nd.RNN, _rnn_of("rnn_relu", 1, False), _shapes("rnn_relu", 1, 1)),
    (nd.RNN, _rnn_of("rnn_tanh", 2, True), _shapes("rnn_tanh", 2, 2)),
    (nd.RNN, _rnn_of("lstm", 1, True), _shapes("lstm", 1, 2)),
    (nd.RNN, _rnn_of("gru", 2, False), _shapes("gru", 2, 1)),
]


@pytest.mark.parametrize(("op", "f", "shapes"), RNNS)
def test_rnn_derivatives_to_second_order(op: Any, f: Any, shapes: tuple[tuple[int, ...], ...]) -> None:
    args = [np.random.default_rng(seed).uniform(-1, 1, shape) for seed, shape in enumerate(shapes)]
    check_grads(f, *args, order=2, rtol=1e-4, atol=1e-6)
