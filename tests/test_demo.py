"""`python -m tape`: the demo that trains the two-layer net on the bundled digits."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tape import autograd, demo, nd

ROOT = Path(__file__).resolve().parents[1]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str) -> str:
    out = io.StringIO()
    assert demo.main(list(argv), stream=out) == 0
    return out.getvalue()


def reported(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the demo's output:\n{text}"
    return match.group(1)


def small_mnist(path: Path, n_train: int = 600, n_test: int = 200) -> None:
    """An .npz in MNIST's layout (28x28 uint8 images, uint8 labels), made from the digits."""
    data = demo.load_digits()

    def enlarge(x: np.ndarray) -> np.ndarray:
        images = np.kron(x.reshape(-1, 8, 8), np.ones((1, 3, 3)))  # 24x24
        return (np.pad(images, ((0, 0), (2, 2), (2, 2))) * 255).astype(np.uint8)

    np.savez(
        path,
        x_train=enlarge(data.x_train[:n_train]),
        y_train=data.y_train[:n_train].astype(np.uint8),
        x_test=enlarge(data.x_test[:n_test]),
        y_test=data.y_test[:n_test].astype(np.uint8),
    )


# ---- the data --------------------------------------------------------------------------------
def test_bundled_digits_are_all_1797_images_scaled_to_unit_range() -> None:
    data = demo.load_digits()
    assert len(data.x_train) + len(data.x_test) == 1797
    assert data.n_features == 64 and data.n_classes == 10
    assert data.x_train.dtype == np.float32 and 0 <= data.x_train.min() and data.x_train.max() == 1


def test_digits_split_is_the_same_on_every_call() -> None:
    a, b = demo.load_digits(), demo.load_digits()
    np.testing.assert_array_equal(a.y_test, b.y_test)
    np.testing.assert_array_equal(a.x_test, b.x_test)


def test_digits_split_has_no_image_in_both_sets() -> None:
    data = demo.load_digits()
    train_rows = {row.tobytes() for row in data.x_train}
    shared = sum(row.tobytes() in train_rows for row in data.x_test)
    assert shared <= 2  # the data set itself holds a few identical images


def test_mnist_loader_scales_and_flattens(tmp_path: Path) -> None:
    small_mnist(tmp_path / "m.npz")
    data = demo.load_mnist(tmp_path / "m.npz")
    assert data.x_train.shape == (600, 784) and data.x_test.shape == (200, 784)
    assert data.x_train.max() == 1 and data.y_train.dtype == np.int64


def test_mnist_loader_names_the_missing_arrays(tmp_path: Path) -> None:
    np.savez(tmp_path / "m.npz", x_train=np.zeros((2, 4)), y_train=np.zeros(2, int))
    with pytest.raises(demo.DataError, match="missing x_test, y_test"):
        demo.load_mnist(tmp_path / "m.npz")


def test_mnist_loader_rejects_labels_that_do_not_match_the_images(tmp_path: Path) -> None:
    z = np.zeros((3, 4))
    np.savez(tmp_path / "m.npz", x_train=z, y_train=np.zeros(2, int), x_test=z, y_test=np.zeros(3, int))
    with pytest.raises(demo.DataError, match="y_train has shape"):
        demo.load_mnist(tmp_path / "m.npz")


def test_mnist_loader_rejects_an_empty_image_set(tmp_path: Path) -> None:
    z = np.zeros((3, 4))
    np.savez(
        tmp_path / "m.npz",
        x_train=np.zeros((0, 4)),
        y_train=np.zeros(0, int),
        x_test=z,
        y_test=np.zeros(3, int),
    )
    with pytest.raises(demo.DataError, match=re.escape("x_train has shape (0, 4); expected images")):
        demo.load_mnist(tmp_path / "m.npz")


def test_mnist_loader_says_a_folder_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(demo.DataError, match="is a folder, not a file"):
        demo.load_mnist(tmp_path)


# ---- the pieces ------------------------------------------------------------------------------
def test_softmax_cross_entropy_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    scores, labels = rng.standard_normal((5, 4)) * 30, rng.integers(0, 4, 5)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    want = -np.log(p[np.arange(5), labels]).mean()
    got = demo.softmax_cross_entropy(nd.array(scores, dtype="float64"), demo.one_hot(labels, 4, np.float64))
    assert float(got.asscalar()) == pytest.approx(want, rel=1e-12)


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot_over_batch() -> None:
    scores = nd.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], dtype="float64")
    scores.attach_grad()
    t = demo.one_hot(np.array([2, 0]), 3, np.float64)
    with autograd.record():
        loss = demo.softmax_cross_entropy(scores, t)
    loss.backward()
    e = np.exp(scores.asnumpy())
    want = (e / e.sum(axis=1, keepdims=True) - t.asnumpy()) / 2
    assert scores.grad is not None
    np.testing.assert_allclose(scores.grad.asnumpy(), want, rtol=1e-12)


def test_net_parameters_have_the_books_names_and_shapes() -> None:
    net = demo.TwoLayerNet(64, 50, 10, np.random.default_rng(0))
    assert {k: p.shape for k, p in net.params.items()} == {
        "W1": (64, 50),
        "b1": (50,),
        "W2": (50, 10),
        "b2": (10,),
    }
    assert all(p.grad is not None for p in net.params.values())


def test_gradient_check_of_a_fresh_net_is_tight() -> None:
    data = demo.load_digits()
    net = demo.TwoLayerNet(64, 16, 10, np.random.default_rng(0))
    check = demo.gradient_check(net, data.x_train[:4], data.y_train[:4], np.random.default_rng(0))
    assert check.checked == check.total == 64 * 16 + 16 + 16 * 10 + 10
    assert check.worst < 1e-5


def test_gradient_check_samples_entries_of_a_large_parameter() -> None:
    data = demo.load_digits()
    net = demo.TwoLayerNet(64, 16, 10, np.random.default_rng(0))
    check = demo.gradient_check(
        net, data.x_train[:4], data.y_train[:4], np.random.default_rng(0), full_limit=500, sample=20
    )
    assert check.checked == 20 + 16 + 16 * 10 + 10  # W1 (1024 entries) is sampled
    assert check.worst < 1e-5


def test_gradient_check_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    data = demo.load_digits()
    net = demo.TwoLayerNet(64, 8, 10, np.random.default_rng(0))
    true_scores = demo.TwoLayerNet.scores

    def scores_with_a_bug(params: dict[str, nd.NDArray], x: nd.NDArray) -> nd.NDArray:
        # Forward unchanged, but the gradient reaching b2 is halved.
        b2 = params["b2"]
        wrong_b2 = b2 * 0.5 + nd.stop_gradient(b2 * 0.5)
        return true_scores({**params, "b2": wrong_b2}, x)

    monkeypatch.setattr(demo.TwoLayerNet, "scores", staticmethod(scores_with_a_bug))
    check = demo.gradient_check(net, data.x_train[:4], data.y_train[:4], np.random.default_rng(0))
    assert check.worst > 0.3 and check.where.startswith("b2[")


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    out = FakeTerminal()
    bar = demo.ProgressBar(4, "epoch 1/1", out, width=4)
    for i in range(1, 5):
        bar.update(i, f"step {i}")
    bar.close("done")
    text = out.getvalue()
    assert text.count("\r") == 5 and text.rsplit("\r", 1)[1].rstrip() == "epoch 1/1 [####] done"


def test_progress_bar_final_line_covers_a_longer_line_drawn_before() -> None:
    out = FakeTerminal()
    bar = demo.ProgressBar(2, "e", out, width=2)
    bar.update(1, "a long status text")
    bar.close("ok")
    first, final = out.getvalue().strip("\n").split("\r")[1:]
    assert len(final) >= len(first) and final.rstrip() == "e [##] ok"


def test_progress_bar_writes_only_the_final_line_to_a_file() -> None:
    out = io.StringIO()
    bar = demo.ProgressBar(4, "epoch 1/1", out, width=4)
    for i in range(1, 5):
        bar.update(i, "...")
    bar.close("done")
    assert out.getvalue() == "epoch 1/1 [####] done\n"


# ---- the command -----------------------------------------------------------------------------
def test_default_run_reaches_95_percent_and_a_tight_gradient_check() -> None:
    out = run()
    assert float(reported(r"test accuracy: ([\d.]+)%", out)) > 95
    assert float(reported(r"worst relative error ([\d.e+-]+)", out)) < 1e-4
    assert "Alpaydin" in out  # the data is credited


def test_epochs_option_sets_the_number_of_epochs() -> None:
    out = run("--epochs", "2")
    assert re.findall(r"^epoch (\d)/2 ", out, re.M) == ["1", "2"]


def test_one_epoch_is_said_in_the_singular() -> None:
    assert reported(r"batches of 32, (1 epochs?), seed", run("--epochs", "1")) == "1 epoch"


def test_seed_makes_runs_repeatable() -> None:
    def accuracies(text: str) -> list[str]:
        return re.findall(r"test accuracy ([\d.]+%)", text)

    assert accuracies(run("--epochs", "2", "--seed", "3")) == accuracies(run("--epochs", "2", "--seed", "3"))


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed")
def test_plot_option_writes_a_png_at_exactly_the_path_it_prints(tmp_path: Path) -> None:
    out = run("--epochs", "1", "--plot", str(tmp_path / "curve.PNG"))
    printed = Path(reported(r"loss curve saved to (.+)", out))
    assert printed == tmp_path / "curve.PNG" and list(tmp_path.iterdir()) == [printed]
    assert printed.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mnist_option_trains_a_784_100_10_net(tmp_path: Path) -> None:
    small_mnist(tmp_path / "m.npz")
    out = run("--mnist", str(tmp_path / "m.npz"), "--epochs", "2")
    assert "784-100-10" in out and "a sample of" in out
    assert float(reported(r"test accuracy: ([\d.]+)%", out)) > 80


def test_model_cnn_trains_the_simple_convnet_and_checks_its_gradients() -> None:
    out = run("--model", "cnn", "--epochs", "2")
    assert "convolutional net (conv 16x3x3, ReLU, max-pool 2x2, affine 256-50, ReLU, affine 50-10" in out
    # Measured over seeds 0 to 9: 90.3% to 97.5% after 2 epochs, worst relative error below 1.2e-6.
    assert float(reported(r"test accuracy: ([\d.]+)%", out)) > 85
    assert float(reported(r"worst relative error ([\d.e+-]+)", out)) < 1e-4
    assert "a sample of 752 of 13520 parameters" in out  # W2's 12,800 entries are sampled


def test_model_is_the_two_layer_net_by_default() -> None:
    assert "a 64-50-10 net (affine, ReLU, affine, softmax)" in run("--epochs", "1")


def test_model_cnn_refuses_images_that_are_not_square(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    z = np.zeros((3, 12))
    np.savez(tmp_path / "m.npz", x_train=z, y_train=np.zeros(3, int), x_test=z, y_test=np.zeros(3, int))
    out = io.StringIO()
    with pytest.raises(SystemExit) as e:
        demo.main(["--model", "cnn", "--mnist", str(tmp_path / "m.npz")], stream=out)
    assert e.value.code == 2
    assert "--model cnn needs square images, but they have 12 pixels" in capsys.readouterr().err
    assert out.getvalue() == ""  # nothing trained


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "rnn"], "argument --model: invalid choice: 'rnn'"),
        (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["--epochs", "-3"], "argument --epochs: must be at least 1, got -3"),
        (["--epochs", "two"], "argument --epochs: expected a positive whole number, got 'two'"),
        (["--seed", "x"], "argument --seed: expected a non-negative whole number, got 'x'"),
        (["--seed", "-5"], "argument --seed: must be at least 0, got -5"),
        (["--mnist", "/no/such/file.npz"], "argument --mnist: no such file: '/no/such/file.npz'"),
        (["--mnist", "."], "argument --mnist: '.' is a folder, not a file"),
        (["--plot", "/no/such/folder/loss.png"], "the folder '/no/such/folder' does not exist"),
        (["--plot", "loss.xyz"], "argument --plot: 'loss.xyz' does not end in .png"),
        (["--plot", "loss"], "argument --plot: 'loss' does not end in .png"),
    ],
)
def test_bad_arguments_exit_with_a_clear_message_before_training(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as e:
        demo.main(argv, stream=out)
    assert e.value.code == 2 and message in capsys.readouterr().err
    assert out.getvalue() == ""  # nothing trained


def test_plot_path_that_is_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "loss.png").mkdir()
    with pytest.raises(SystemExit):
        demo.main(["--plot", str(tmp_path / "loss.png")], stream=io.StringIO())
    assert f"'{tmp_path / 'loss.png'}' is a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "labels", "found"),
    [("y_train", [0, 3, 10], "from 0 to 10"), ("y_test", [-1, 2, 9], "from -1 to 9")],
)
def test_mnist_labels_outside_0_to_9_are_refused_with_the_range_found(
    key: str, labels: list[int], found: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arrays = {"x_train": np.zeros((3, 4)), "y_train": np.zeros(3, int), "x_test": np.zeros((3, 4))}
    np.savez(tmp_path / "m.npz", **{"y_test": np.zeros(3, int), **arrays, key: np.array(labels)})
    out = io.StringIO()
    with pytest.raises(SystemExit):
        demo.main(["--mnist", str(tmp_path / "m.npz")], stream=out)
    assert f"{key} holds labels {found}; expected the digits 0 to 9" in capsys.readouterr().err
    assert out.getvalue() == ""


def test_a_file_that_is_not_npz_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.npz").write_text("not numpy")
    with pytest.raises(SystemExit):
        demo.main(["--mnist", str(tmp_path / "m.npz")], stream=io.StringIO())
    assert "not an .npz file" in capsys.readouterr().err


def test_plot_without_matplotlib_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a),
    )
    with pytest.raises(SystemExit):
        demo.main(["--plot", "loss.png"], stream=io.StringIO())
    assert 'needs matplotlib, which is not installed: python -m pip install "tape[plot]"' in (
        capsys.readouterr().err
    )


def test_the_plot_extra_the_message_names_installs_matplotlib() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["plot"] == ["matplotlib>=3.7"] and '"tape[plot]"' in demo.PLOT_EXTRA


@pytest.mark.parametrize("module", ["tape", "tape.demo"])
def test_python_m_prints_the_help(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m tape ")
    assert "--mnist PATH" in done.stdout and done.stderr == ""
