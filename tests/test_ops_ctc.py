"""CTCLoss (and its alias ctc_loss).

Values against a sum over every path written here in NumPy (small alphabets and lengths, so
that the paths can be listed) and against literals from MXNet 1.9.1 (which computes the loss in
float32 only); derivatives against finite differences to second order (the CTC table).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads

DATA = np.random.default_rng(3).normal(size=(6, 4, 5)).round(3)  # (time, batch, alphabet)
# Labels with repeats (2, 2 and 3, 3) and padding, for blank_label 'first' and 'last'.
FIRST = [[1, 2, 2, 0], [3, 3, 0, 0], [4, 0, 0, 0], [1, 2, 3, 4]]
LAST = [[0, 1, 1, -1], [2, 2, -1, -1], [3, -1, -1, -1], [0, 1, 2, 3]]


def _f64(values: Any) -> nd.NDArray:
    return nd.array(values, dtype="float64")


def _by_every_path(x: np.ndarray, label: list[int], blank: int) -> float:
    """-log of the sum, over every path of x's length that collapses to `label` (repeats merged,
    then blanks dropped), of the path's probability under the softmax of `x` (time, alphabet)."""
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(x.shape[1]), repeat=x.shape[0]):
        merged = [c for k, c in enumerate(path) if k == 0 or c != path[k - 1]]
        if [c for c in merged if c != blank] == label:
            total += np.exp(sum(logp[t, c] for t, c in enumerate(path)))
    return float(-np.log(total))


# ---- values ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "extra", "params", "want"),
    [
        (FIRST, {}, {}, [6.25632429, 11.77466202, 7.64492655, 7.56983423]),
        (LAST, {}, {"blank_label": "last"}, [5.64251280, 6.52612114, 9.27445602, 5.05042744]),
        (
            [[1, 2, 2, 0], [3, 3, 1, 0], [4, 4, 0, 0], [1, 1, 1, 4]],
            {"data_lengths": [6, 5, 4, 6], "label_lengths": [3, 2, 2, 3]},
            {"use_data_lengths": True, "use_label_lengths": True},
            [6.25632429, 9.81961918, 6.08152866, 10.17611790],
        ),
    ],
    ids=["first", "last", "lengths"],
)
def test_ctc_loss_matches_mxnet(label: Any, extra: dict[str, Any], params: dict[str, Any], want: Any) -> None:
    lengths = {k: nd.array(v) for k, v in extra.items()}
    loss = nd.CTCLoss(nd.array(DATA), nd.array(label), **lengths, **params)
    assert loss.shape == (4,) and loss.dtype == np.float32
    np.testing.assert_allclose(loss.asnumpy(), want, rtol=2e-6)


def test_ctc_gradient_matches_mxnet() -> None:
    x = nd.array(DATA)
    x.attach_grad()
    with autograd.record():
        loss = nd.CTCLoss(x, nd.array(FIRST))
    loss.backward()
    want = [  # MXNet 1.9.1's gradient of the first sequence, float32
        [-0.25307280, -0.00616646, 0.14469750, 0.05398171, 0.06056064],
        [0.02728606, -0.37993789, 0.19087043, 0.06797892, 0.09380308],
        [-0.01953417, -0.11216745, -0.12426291, 0.06382879, 0.19213617],
        [-0.06660205, 0.27245995, -0.78586602, 0.54647672, 0.03353172],
        [-0.56932378, 0.14991976, 0.09898706, 0.22032423, 0.10009304],
        [0.10529501, 0.24070691, -0.83367276, 0.40649834, 0.08117277],
    ]
    np.testing.assert_allclose(x.grad.asnumpy()[:, 0], want, atol=2e-6)


@pytest.mark.parametrize("blank_label", ["first", "last"])
def test_ctc_loss_matches_the_sum_over_every_path(blank_label: str) -> None:
    x = np.random.default_rng(5).normal(size=(5, 5, 4))
    blank, pad = (0, 0) if blank_label == "first" else (3, -1)
    shift = 1 if blank_label == "first" else 0
    labels = [[0, 1], [1, 1], [2, 0], [0], []]  # letters 0..2; a repeat; an empty label
    label = [[c + shift for c in row] + [pad] * (2 - len(row)) for row in labels]
    loss = nd.CTCLoss(_f64(x), _f64(label), blank_label=blank_label).asnumpy()
    want = [_by_every_path(x[:, n], [c + shift for c in row], blank) for n, row in enumerate(labels)]
    np.testing.assert_allclose(loss, want, rtol=1e-12)


def test_ctc_data_and_label_lengths_match_the_sum_over_every_path() -> None:
    x = np.random.default_rng(6).normal(size=(5, 3, 3))
    label = [[1, 2, 1], [2, 2, 0], [1, 1, 2]]  # label_lengths cut the last two; 0 padding past it
    lengths, label_lengths = [5, 3, 4], [3, 1, 2]
    loss = nd.CTCLoss(
        _f64(x),
        _f64(label),
        nd.array(lengths),
        nd.array(label_lengths),
        use_data_lengths=True,
        use_label_lengths=True,
    )
    want = [
        _by_every_path(x[:t, n], label[n][:k], 0)
        for n, (t, k) in enumerate(zip(lengths, label_lengths, strict=True))
    ]
    np.testing.assert_allclose(loss.asnumpy(), want, rtol=1e-12)


def test_a_label_no_path_can_spell_has_an_infinite_loss_and_no_gradient() -> None:
    # [1, 1, 1] needs 5 steps (a blank between repeats); MXNet gives 0 and a meaningless gradient.
    x = _f64(DATA[:4, :2, :3])
    x.attach_grad()
    with autograd.record():
        loss = nd.CTCLoss(x, nd.array([[1, 1, 1], [1, 2, 0]]))
    loss.backward()
    assert loss.asnumpy()[0] == np.inf and np.isfinite(loss.asnumpy()[1])
    np.testing.assert_array_equal(x.grad.asnumpy()[:, 0], 0)
    assert np.abs(x.grad.asnumpy()[:, 1]).sum() > 0


def test_ctc_loss_is_the_same_op_as_ctc_loss() -> None:
    assert nd.ctc_loss is nd.CTCLoss


ONE = nd.ones((2, 1, 3))  # one sequence of 2 steps over an alphabet of 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nd.CTCLoss(nd.ones((2, 3)), nd.ones((2, 1))), r"data must have shape \(time, batch"),
        (lambda: nd.CTCLoss(nd.ones((2, 2, 3)), nd.ones((3, 1))), r"label must have shape"),
        (lambda: nd.CTCLoss(ONE, nd.array([[3]])), r"label holds whole numbers from -1 to 2"),
        (lambda: nd.CTCLoss(ONE, nd.array([[1.5]])), r"label holds whole numbers"),
        (lambda: nd.CTCLoss(ONE, nd.array([[2]]), blank_label="last"), r"label holds a blank"),
        (lambda: nd.CTCLoss(ONE, nd.array([[1]]), blank_label="middle"), r"blank_label must be"),
        (lambda: nd.CTCLoss(ONE, nd.array([[1]]), nd.array([2])), r"data_lengths is read only"),
        (
            lambda: nd.CTCLoss(ONE, nd.array([[1]]), nd.array([3]), use_data_lengths=True),
            r"data_lengths holds whole numbers from 1 to 2",
        ),
        (
            lambda: nd.CTCLoss(ONE, nd.array([[1]]), use_label_lengths=True),
            r"label_lengths is read only",
        ),
    ],
    ids=["data", "label shape", "label range", "label whole", "label blank", "blank_label", "data_lengths",
         "data_lengths range", "label_lengths"],
)  # fmt: skip
def test_ctc_refuses_arguments_naming_them(call: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=rf"^nd\.CTCLoss: .*{message}"):
        call()


# ---- derivatives --------------------------------------------------------------------------------
CTC = [
    (nd.CTCLoss, lambda x: nd.CTCLoss(x, nd.array([[1, 1], [2, 0], [1, 2]])), ((4, 3, 3),)),
    (
        nd.CTCLoss,
        lambda x: nd.ctc_loss(
            x,
            nd.array([[0, 0, 1], [1, -1, -1]]),
            nd.array([5, 3]),
            nd.array([3, 1]),
            use_data_lengths=True,
            use_label_lengths=True,
            blank_label="last",
        ),
        ((5, 2, 4),),
    ),
]


@pytest.mark.parametrize(("op", "f", "shapes"), CTC)
def test_ctc_derivatives_to_second_order(op: Any, f: Any, shapes: tuple[tuple[int, ...], ...]) -> None:
    x = [np.random.default_rng(seed).normal(size=shape) for seed, shape in enumerate(shapes)]
    check_grads(lambda *a: f(*a) ** 2, *x, order=2, rtol=1e-4, atol=1e-6)


def test_ctc_third_derivative() -> None:
    x = np.random.default_rng(9).normal(size=(3, 1, 3))
    check_grads(lambda a: nd.CTCLoss(a, nd.array([[1, 1]])) ** 2, x, order=3, rtol=1e-3, atol=1e-5)
