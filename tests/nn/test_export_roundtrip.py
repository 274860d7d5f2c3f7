"""The whole way out: train a small network here, save it as .safetensors, load it into
PyTorch, export it to ONNX, and get the same predictions everywhere."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

import nn
from nn.optim import Adam


def three_classes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three noisy rings in 4-d (two informative axes, two of noise): not linearly separable."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    angle = rng.uniform(0, 2 * np.pi, size=n)
    radius = 1.0 + labels + rng.normal(scale=0.15, size=n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle), *rng.normal(size=(2, n))], axis=1)
    return x.astype(np.float32), labels.astype(np.int64)


@pytest.fixture(scope="module")
def trained() -> tuple[nn.Sequential, np.ndarray, np.ndarray]:
    """A Sequential trained on 400 samples, in eval mode, with 200 held-out samples."""
    x, y = three_classes(400, seed=0)
    model = nn.Sequential(
        nn.Linear(4, 32, rng=0),
        nn.ReLU(),
        nn.Dropout(0.1, rng=1),
        nn.Linear(32, 16, rng=2),
        nn.Tanh(),
        nn.Linear(16, 3, rng=3),
    )
    nn.fit(model, (x, y), Adam(model.parameters(), lr=0.02), epochs=40, rng=0, progress=False)
    model.eval()
    x_test, y_test = three_classes(200, seed=1)
    assert (model(x_test).data.argmax(axis=1) == y_test).mean() > 0.9  # it learnt something
    return model, x_test, y_test


def test_safetensors_and_onnx_give_the_same_predictions(trained, tmp_path):
    model, x_test, _ = trained
    expected = model(x_test).data
    model.save(tmp_path / "rings.safetensors")
    restored = nn.Sequential(
        nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 3)
    ).eval()
    restored.load(tmp_path / "rings.safetensors")
    np.testing.assert_array_equal(restored(x_test).data, expected)

    nn.export_onnx(restored, tmp_path / "rings.onnx", x_test[:1])
    session = ort.InferenceSession(str(tmp_path / "rings.onnx"), providers=["CPUExecutionProvider"])
    for batch in (x_test, x_test[:7]):
        (logits,) = session.run(None, {"input": batch})
        np.testing.assert_allclose(logits, model(batch).data, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(logits.argmax(axis=1), model(batch).data.argmax(axis=1))


@pytest.mark.torch
def test_pytorch_gives_the_same_predictions_and_trains_on(trained, tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    model, x_test, y_test = trained
    expected = model(x_test).data.argmax(axis=1)
    model.save(tmp_path / "rings.safetensors")

    # A PyTorch user rebuilds the architecture by hand and loads the file...
    tnn = torch.nn
    by_hand = tnn.Sequential(
        tnn.Linear(4, 32), tnn.ReLU(), tnn.Dropout(0.1), tnn.Linear(32, 16), tnn.Tanh(),
        tnn.Linear(16, 3),
    )  # fmt: skip
    by_hand.load_state_dict(load_file(tmp_path / "rings.safetensors"))
    by_hand.eval()
    # ... or converts the model directly.
    converted = nn.to_torch(model)
    x = torch.from_numpy(x_test)
    with torch.no_grad():
        for torch_model in (by_hand, converted):
            logits = torch_model(x).numpy()
            np.testing.assert_allclose(logits, model(x_test).data, rtol=1e-5, atol=1e-5)
            np.testing.assert_array_equal(logits.argmax(axis=1), expected)

    # Training continues in PyTorch, and the result comes back.
    converted.train()
    optimizer = torch.optim.SGD(converted.parameters(), lr=0.01)
    x_train, y_train = three_classes(400, seed=0)
    loss = tnn.functional.cross_entropy(
        converted(torch.from_numpy(x_train)), torch.from_numpy(y_train)
    )
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    back = nn.from_torch(converted.eval())
    with torch.no_grad():
        np.testing.assert_allclose(back(x_test).data, converted(x).numpy(), rtol=1e-5, atol=1e-5)
    assert (back(x_test).data.argmax(axis=1) == y_test).mean() > 0.9
