"""The DLFS layers adapter on the book's code and its variants; documented outputs from FACTS.md."""

from __future__ import annotations

import numpy as np
import pytest
from inside_helpers import COUNTING_ROUND_TRIPS, case, job, run_inside
from inside_helpers import students as S

SUPPORT = {"common/functions.py": S.COMMON_FUNCTIONS, "common/__init__.py": ""}
LJ = {
    "modules": ["layers.py", "common/layers.py", "two_layer_net.py", "ch05/two_layer_net.py"],
    "required": ["MulLayer", "AddLayer", "Relu", "Affine", "SoftmaxWithLoss"],
    "optional": ["TwoLayerNet"],
    "support_files": {"common/functions.py": "", "common/__init__.py": ""},
}


def _rec(key: str, of: str, via: str | None = None) -> dict:
    step = {"do": "record", "key": key, "grad_of": of}
    return {**step, "via": via} if via else step


APPLE_ORANGE = [
    {"do": "apply", "op": "MulLayer", "args": ["apple", "apple_num"], "out": "apple_price"},
    {"do": "apply", "op": "MulLayer", "args": ["orange", "orange_num"], "out": "orange_price"},
    {"do": "apply", "op": "AddLayer", "args": ["apple_price", "orange_price"], "out": "all_price"},
    {"do": "apply", "op": "MulLayer", "args": ["all_price", "tax"], "out": "price"},
    {"do": "backward", "of": "price"},
    {"do": "record", "key": "price", "value_of": "price"},
    *(_rec("d" + n, n) for n in ("apple", "apple_num", "orange", "orange_num", "tax")),
]
AO_INPUTS = dict(apple=100.0, apple_num=2.0, orange=150.0, orange_num=3.0, tax=1.1)
# FACTS.md section 3: price 715, dApple 2.2, dApple_num 110, dOrange 3.3, dOrange_num 165, dTax 650.
AO_DOCUMENTED = dict(price=715.0, dapple=2.2, dapple_num=110.0, dorange=3.3, dorange_num=165.0, dtax=650.0)


def _layers(src: str = S.LAYERS, where: str = "layers.py") -> dict[str, str]:
    return {where: src, **SUPPORT}


def test_apple_orange_documented() -> None:
    """The apples-and-oranges graph gives the book's printed values."""
    ran = run_inside(_layers(), job("layers", [case("c", AO_INPUTS, APPLE_ORANGE)], **LJ))
    for key, expected in AO_DOCUMENTED.items():
        assert ran.record(key).item() == pytest.approx(expected, rel=1e-12), key


def test_mul_swapped_bug_detected() -> None:
    """Negative control: MulLayer with dx and dy swapped does not give dApple 2.2 (FACTS.md 4)."""
    src = S.LAYERS.replace(
        "        dx = dout * self.y\n        dy = dout * self.x",
        "        dx = dout * self.x\n        dy = dout * self.y",
    )
    ran = run_inside(_layers(src), job("layers", [case("c", AO_INPUTS, APPLE_ORANGE)], **LJ))
    assert ran.record("dapple").item() != pytest.approx(2.2)


def test_relu_alias_and_inplace_mutation_reported() -> None:
    """`ReLu` is accepted for Relu; its in-place dout mutation is reported, values still read."""
    steps = [
        {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        _rec("dx", "x", "y"),
    ]
    src = S.LAYERS.replace("class Relu:", "class ReLu:")
    ran = run_inside(
        _layers(src), job("layers", [case("c", dict(x=[[0.5, -0.5]], dout=[[2.0, 3.0]]), steps)], **LJ)
    )
    assert ran.loaded["found"]["Relu"] == "layers.ReLu"
    assert ran.record("dx").tolist() == [[2.0, 0.0]] and ran.case()["mutated"] == ["dout"]


def test_layer_names_with_the_suffix_layer_are_the_layers() -> None:
    """`AffineLayer` and `SoftmaxWithLossLayer` (MulLayer's suffix on every layer, as course forks name them)
    are Affine and SoftmaxWithLoss: the two-layer graph runs on them and gives the book's Affine gradients."""
    src = S.LAYERS
    for name in ("Relu", "Affine", "SoftmaxWithLoss"):
        src = src.replace(f"class {name}:", f"class {name}Layer:").replace(f"{name}(", f"{name}Layer(")
    steps = [
        {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        _rec("dW", "W", "y"),
    ]
    inputs = dict(x=[[1.0, 2.0]], W=[[1.0], [3.0]], b=[0.5], dout=[[2.0]])
    ran = run_inside(_layers(src), job("layers", [case("c", inputs, steps)], **LJ))
    assert ran.loaded["found"]["Affine"] == "layers.AffineLayer"
    assert ran.loaded["found"]["SoftmaxWithLoss"] == "layers.SoftmaxWithLossLayer"
    assert ran.record("dW").tolist() == [[2.0], [4.0]]  # x.T @ dout (FACTS.md 3)


def test_affine_4d_and_softmax_labels() -> None:
    """Affine on 4-D input returns dx in the input's shape; SoftmaxWithLoss with labels: (y - onehot) / N."""
    rng = np.random.default_rng(3)
    x, W, b, dout = (
        rng.normal(size=(2, 3, 2, 2)),
        rng.normal(size=(12, 4)),
        rng.normal(size=4),
        rng.normal(size=(2, 4)),
    )
    aff = [
        {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        *(_rec("d" + n, n, "y") for n in ("x", "W", "b")),
    ]
    s = rng.normal(size=(4, 5))
    t = np.array([0.0, 3.0, 1.0, 4.0])
    soft = [
        {"do": "apply", "op": "SoftmaxWithLoss", "args": ["x", "t"], "out": "loss"},
        {"do": "backward", "of": "loss"},
        {"do": "record", "key": "loss", "value_of": "loss"},
        _rec("dx", "x"),
    ]
    cases = [case("aff", dict(x=x, W=W, b=b, dout=dout), aff), case("soft", dict(x=s, t=t), soft)]
    ran = run_inside(_layers(), job("layers", cases, **LJ))
    np.testing.assert_allclose(ran.record("dx", "aff"), (dout @ W.T).reshape(x.shape), rtol=1e-12)
    np.testing.assert_allclose(ran.record("dW", "aff"), x.reshape(2, -1).T @ dout, rtol=1e-12)
    np.testing.assert_allclose(ran.record("db", "aff"), dout.sum(axis=0), rtol=1e-12)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    onehot = np.eye(5)[t.astype(int)]
    np.testing.assert_allclose(ran.record("dx", "soft"), (p - onehot) / 4, rtol=1e-10)
    loss = -np.mean(np.log(p[np.arange(4), t.astype(int)] + 1e-7))
    assert ran.record("loss", "soft").item() == pytest.approx(loss, rel=1e-10)


def test_affine_weight_gradient_kept_as_dw_is_read_there() -> None:
    """cs231n's spelling: an Affine with no dW but a dw is read there, with the values of the book's dW; so is
    one whose dW stayed None from the book's __init__ while backward set dw (whether its network reads dw or
    dW is for the network's cases: "a typo?" here failed a student whose network reads dw). Negative control:
    an Affine that sets neither is still "left self.dW unset" (it was that for all three)."""
    rng = np.random.default_rng(8)
    x, W, b, dout = (
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 2)),
        rng.normal(size=2),
        rng.normal(size=(3, 2)),
    )
    aff = [
        {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        *(_rec("d" + n, n, "y") for n in ("x", "W", "b")),
    ]
    inputs = dict(x=x, W=W, b=b, dout=dout)
    renamed = S.LAYERS.replace("self.dW", "self.dw")
    assert "self.dW" not in renamed and "self.dw" in renamed
    ran = run_inside(_layers(renamed), job("layers", [case("aff", inputs, aff)], **LJ))
    np.testing.assert_allclose(ran.record("dW", "aff"), x.T @ dout, rtol=1e-12)
    typo = S.LAYERS.replace(
        "        self.dW = np.dot(self.x.T, dout)", "        self.dw = np.dot(self.x.T, dout)"
    )
    assert typo != S.LAYERS and "self.dW = None" in typo
    ran = run_inside(_layers(typo), job("layers", [case("aff", inputs, aff)], **LJ))
    np.testing.assert_allclose(ran.record("dW", "aff"), x.T @ dout, rtol=1e-12)
    unset = S.LAYERS.replace("        self.dW = np.dot(self.x.T, dout)", "        pass  # TODO: self.dW")
    assert unset != S.LAYERS
    ran = run_inside(_layers(unset), job("layers", [case("aff", inputs, aff)], **LJ))
    failure = ran.case("aff")["failure"]
    assert failure["code"] == "not_implemented"
    assert "Affine.backward left self.dW unset" in failure["message"]


# One W used by two Affine layers, their outputs added, a given upstream gradient G.
W_IN_TWO_AFFINES = [
    {"do": "apply", "op": "Affine", "args": ["x1", "W", "b"], "out": "h1"},
    {"do": "apply", "op": "Affine", "args": ["x2", "W", "b"], "out": "h2"},
    {"do": "apply", "op": "AddLayer", "args": ["h1", "h2"], "out": "s"},
    {"do": "backward", "of": "s", "upstream": "G"},
]


def test_an_affine_keeping_its_gradients_in_a_grads_list_is_told_so() -> None:
    """Deep Learning from Scratch 2's Affine (`self.grads[0][...] = dW`) leaves dW unset: the message names
    self.grads and the first book's dW and db, not "is it still a TODO?". Control: an Affine with neither
    keeps the TODO question."""
    aff = [
        {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        *(_rec("d" + n, n, "y") for n in ("x", "W", "b")),
    ]
    inputs = dict(x=np.ones((3, 4)), W=np.ones((4, 2)), b=np.zeros(2), dout=np.ones((3, 2)))
    line = "        self.dW = np.dot(self.x.T, dout)"
    for replacement, said, unsaid in (
        ("        self.grads = [np.dot(self.x.T, dout)]", "the layer has a self.grads list", "TODO"),
        ("        pass  # TODO: self.dW", "left self.dW unset: is it still a TODO?", "self.grads"),
    ):
        src = S.LAYERS.replace(line, replacement)
        assert src != S.LAYERS
        ran = run_inside(_layers(src), job("layers", [case("aff", inputs, aff)], **LJ))
        failure = ran.case("aff")["failure"]
        assert (
            failure["code"] == "not_implemented"
            and said in failure["message"]
            and unsaid not in failure["message"]
        )


def test_shared_weight_summed_over_two_affines() -> None:
    """One W used by two Affine layers gets the sum of both dW (hand-derived: x1^T d1 + x2^T d2)."""
    rng = np.random.default_rng(4)
    x1, x2, W, b = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), np.zeros(2)
    G = rng.normal(size=(3, 2))
    steps = [*W_IN_TWO_AFFINES, _rec("dW", "W"), _rec("dx1", "x1")]
    ran = run_inside(_layers(), job("layers", [case("c", dict(x1=x1, x2=x2, W=W, b=b, G=G), steps)], **LJ))
    np.testing.assert_allclose(ran.record("dW"), x1.T @ G + x2.T @ G, rtol=1e-12)
    np.testing.assert_allclose(ran.record("dx1"), G @ W.T, rtol=1e-12)


@pytest.mark.parametrize(
    ("shared", "patch"),
    [
        # W in two Affine layers: the second layer's dW comes back 7 long
        (
            "two layers",
            "_seen = []\n_affine_backward = Affine.backward\n"
            "def _backward(self, dout):\n"
            "    dx = _affine_backward(self, dout)\n"
            "    _seen.append(1)\n"
            "    if len(_seen) == 2:\n"
            "        self.dW = np.zeros(7)\n"
            "    return dx\n"
            "Affine.backward = _backward\n",
        ),
        # x twice in one MulLayer: dx and dy in shapes numpy cannot add
        ("one layer", "MulLayer.backward = lambda self, dout: (np.zeros((2, 2)), np.zeros(7))\n"),
    ],
    ids=["two-layers", "one-layer"],
)
def test_gradients_of_a_value_used_twice_in_shapes_that_cannot_be_added_are_the_students(
    shared: str, patch: str
) -> None:
    """The harness sums the gradients of a value used twice; shapes the student's code chose that numpy
    cannot add are the student's failure, named, never a ValueError of the harness's own (it was reported
    as grader_error: "The grader itself failed on this case (not your code's fault)")."""
    rng = np.random.default_rng(4)
    x1, x2, W, b = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), np.zeros(2)
    G = rng.normal(size=(3, 2))
    if shared == "two layers":
        steps = [*W_IN_TWO_AFFINES, _rec("dW", "W")]
        words = "the gradients of W from the layers that use it came back in shapes (2, 2) and (7,)"
    else:
        steps = [
            {"do": "apply", "op": "MulLayer", "args": ["W", "W"], "out": "sq"},
            {"do": "backward", "of": "sq", "upstream": "W"},
            _rec("dW", "W"),
        ]
        words = "MulLayer.backward: the gradients of W came back in shapes (2, 2) and (7,)"
    files = {"layers.py": S.LAYERS + patch}
    ran = run_inside(files, job("layers", [case("c", dict(x1=x1, x2=x2, W=W, b=b, G=G), steps)], **LJ))
    failure = ran.case("c")["failure"]
    assert failure["code"] == "exception", failure
    assert words in failure["message"], failure["message"]


def test_gradients_of_a_value_used_twice_that_add_only_by_broadcasting_to_more_are_the_students() -> None:
    """dW as (N, 1), then as (1, N): numpy adds them, into N * N elements built in the harness (N = 30,000:
    7.2 GB, the harness's MemoryError reported as grader_error, "not your code's fault"). Gradients that add
    only by growing are the student's failure, named, before anything is built."""
    rng = np.random.default_rng(4)
    x1, x2, W, b = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), np.zeros(2)
    G = rng.normal(size=(3, 2))
    patch = (
        "_seen = []\n_affine_backward = Affine.backward\n"
        "def _backward(self, dout):\n"
        "    dx = _affine_backward(self, dout)\n"
        "    _seen.append(1)\n"
        "    self.dW = np.zeros((300, 1)) if len(_seen) == 1 else np.zeros((1, 300))\n"
        "    return dx\n"
        "Affine.backward = _backward\n"
    )
    steps = [*W_IN_TWO_AFFINES, _rec("dW", "W")]
    files = {"layers.py": S.LAYERS + patch}
    ran = run_inside(files, job("layers", [case("c", dict(x1=x1, x2=x2, W=W, b=b, G=G), steps)], **LJ))
    failure = ran.case("c")["failure"]
    assert failure["code"] == "exception", failure
    assert "came back in shapes (300, 1) and (1, 300)" in failure["message"], failure["message"]
    assert "broadcasting to a larger array (300, 300)" in failure["message"], failure["message"]


def _net_case() -> dict:
    rng = np.random.default_rng(5)
    inputs = dict(
        x=rng.normal(size=(5, 4)),
        t=np.array([0.0, 1.0, 2.0, 1.0, 0.0]),
        W1=rng.normal(size=(4, 6)),
        b1=rng.normal(size=6),
        W2=rng.normal(size=(6, 3)),
        b2=rng.normal(size=3),
    )
    steps = [
        {"do": "apply", "op": "TwoLayerNet", "args": ["x", "t", "W1", "b1", "W2", "b2"], "out": "loss"},
        {"do": "backward", "of": "loss"},
        *(_rec("d" + k, k) for k in ("W1", "b1", "W2", "b2")),
    ]
    return case("net", inputs, steps)


def _numeric_grads(c: dict) -> dict[str, np.ndarray]:
    """Central differences (h = 1e-6) of the book's loss, computed here independently of student code."""
    from grader import arrays

    v = {k: arrays.decode(a) for k, a in c["inputs"].items()}

    def loss() -> float:
        h = np.maximum(v["x"] @ v["W1"] + v["b1"], 0)
        s = h @ v["W2"] + v["b2"]
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        # without the book's 1e-7 inside the log: the analytic gradient (y - t) / N ignores it (FACTS.md)
        return float(-np.mean(np.log(p[np.arange(5), v["t"].astype(int)])))

    grads = {}
    for k in ("W1", "b1", "W2", "b2"):
        g = np.zeros_like(v[k])
        for i in np.ndindex(v[k].shape):
            old = v[k][i]
            v[k][i] = old + 1e-6
            up = loss()
            v[k][i] = old - 1e-6
            down = loss()
            v[k][i] = old
            g[i] = (up - down) / 2e-6
        grads[k] = g
    return grads


def test_two_layer_net_params_set_in_place() -> None:
    """TwoLayerNet(4, 6, 3) with params overwritten in place: gradient() agrees with finite differences."""
    c = _net_case()
    files = {"common/layers.py": S.LAYERS, "ch05/two_layer_net.py": S.TWO_LAYER_NET, **SUPPORT}
    ran = run_inside(files, job("layers", [c], **LJ))
    for k, g in _numeric_grads(c).items():
        np.testing.assert_allclose(ran.record("d" + k, "net"), g, rtol=1e-5, atol=1e-8, err_msg=k)


@pytest.mark.parametrize(
    ("copied", "attr", "told"),
    [
        ("self.W = W.copy()", "W", ["its Affine layer computes with a copy of params['W1']"]),
        # params['b1'] is built as zeros: a copy of them and an entry rebound to zeros hold the same, so both
        # causes are named
        (
            "self.b = np.array(b)",
            "b",
            ["its Affine layer's b is not params['b1']", "keeps a copy of params['b1']", "assigned anew"],
        ),
    ],
)
def test_a_layer_keeping_a_copy_of_its_params_is_told_so(copied: str, attr: str, told: list[str]) -> None:
    """An Affine keeping a copy of what it is built with never sees the params the case sets in place: every
    TwoLayerNet method (loss and gradient, predict, accuracy) is an error naming the copy, not wrong numbers
    read as an unknown or a known mistake. Control: a predict that hands its layers the params before each
    pass computes with them and gets the finite-difference gradients, no such failure."""
    plain = f"        self.{attr} = {attr}\n"
    layers = S.LAYERS.replace(plain, f"        {copied}\n")
    assert layers.count(copied) == 1
    for c in (_net_case(), case("m", {**NET_METHOD_INPUTS, "b1": [0.5, -0.5]}, NET_METHOD_STEPS[:1])):
        failure = run_inside(_net_files_with(layers, S.TWO_LAYER_NET), job("layers", [c], **LJ)).case(
            c["id"]
        )["failure"]
        assert failure["code"] == "exception"
        assert all(part in failure["message"] for part in told), failure["message"]
        assert f"(self.{attr} = {attr})" in failure["message"]
    rebound = S.TWO_LAYER_NET.replace(
        "    def predict(self, x):\n",
        "    def predict(self, x):\n"
        "        for i in (1, 2):\n"
        "            self.layers[f'Affine{i}'].W = self.params[f'W{i}']\n"
        "            self.layers[f'Affine{i}'].b = self.params[f'b{i}']\n",
    )
    assert rebound != S.TWO_LAYER_NET
    c = _net_case()
    ran = run_inside(_net_files_with(layers, rebound), job("layers", [c], **LJ))
    for k, g in _numeric_grads(c).items():
        np.testing.assert_allclose(ran.record("d" + k, "net"), g, rtol=1e-5, atol=1e-8, err_msg=k)


def test_a_predict_reading_params_is_right_whatever_copies_its_layers_hold() -> None:
    """Layers built on copies (`Affine(self.params['W1'].copy(), ...)`) beside a predict computed from
    `self.params` directly, as chapter 4's: predict never reads the layers, so it gets its own right values
    (worked here from the case's params; b1 not the zeros it was built with), no copy named; gradient runs
    the layers and is
    still an error naming the copy. Control: the same predict through the layers is the copy (the test
    above)."""
    from_params = (
        "    def predict(self, x):\n"
        "        a1 = np.dot(x, self.params['W1']) + self.params['b1']\n"
        "        return np.dot(np.maximum(0, a1), self.params['W2']) + self.params['b2']\n"
        "\n    def predict_through_layers(self, x):\n"
    )
    net = S.TWO_LAYER_NET.replace("    def predict(self, x):\n", from_params).replace(
        "        self.loss(x, t)\n",
        "        self.lastLayer.forward(self.predict_through_layers(x), t)\n",
    )
    for i in (1, 2):
        built = f"Affine(self.params['W{i}'], self.params['b{i}'])"
        net = net.replace(built, f"Affine(self.params['W{i}'].copy(), self.params['b{i}'].copy())")
    assert net.count(".copy()") == 4 and "predict_through_layers(x), t)" in net
    c = case("m", {**NET_METHOD_INPUTS, "b1": [0.5, -0.5]}, [NET_METHOD_STEPS[0], NET_METHOD_STEPS[3]])
    ran = run_inside(_net_files(net), job("layers", [c], **LJ))
    assert ran.case("m")["status"] == "ok", ran.case("m").get("failure")
    x, w1, w2 = (np.asarray(NET_METHOD_INPUTS[k], dtype=float) for k in ("x", "W1", "W2"))
    scores = np.maximum(0, x @ w1 + [0.5, -0.5]) @ w2 + NET_METHOD_INPUTS["b2"]
    np.testing.assert_allclose(ran.record("value", "m"), scores)
    failure = run_inside(_net_files(net), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert failure["code"] == "exception"
    assert "TwoLayerNet.gradient: its Affine layer computes with a copy of params['W1']" in failure["message"]


def test_an_accuracy_running_its_own_forward_through_copies_is_told_so() -> None:
    """predict computed from `self.params` (right), accuracy running its own forward through layers built
    on copies (review of s21-real, acc_through_copies.py): accuracy is the copy error, not numbers drawn
    from the student's unseeded weights; predict still passes. Control: the same accuracy through
    predict (the test above) passes."""
    from_params = (
        "    def predict(self, x):\n"
        "        a1 = np.dot(x, self.params['W1']) + self.params['b1']\n"
        "        return np.dot(np.maximum(0, a1), self.params['W2']) + self.params['b2']\n"
    )
    own_forward = BOOK_ACCURACY.replace(
        "        y = self.predict(x)\n",
        "        y = x\n        for layer in self.layers.values():\n            y = layer.forward(y)\n",
    )
    net = S.TWO_LAYER_NET.replace("    def predict(self, x):\n", from_params + "\n    def old(self, x):\n")
    net += own_forward
    for i in (1, 2):
        built = f"Affine(self.params['W{i}'], self.params['b{i}'])"
        net = net.replace(built, f"Affine(self.params['W{i}'].copy(), self.params['b{i}'].copy())")
    assert net.count(".copy()") == 4 and "layer.forward(y)" in net
    inputs = {**NET_METHOD_INPUTS, "b1": [0.5, -0.5]}
    for steps in (NET_METHOD_STEPS[1:2], NET_METHOD_STEPS[2:3]):
        failure = run_inside(_net_files(net), job("layers", [case("m", inputs, steps)], **LJ)).case("m")
        assert failure["status"] != "ok", steps
        assert (
            "TwoLayerNet.accuracy: its Affine layer computes with a copy of params['W1']"
            in (failure["failure"]["message"])
        )
    ran = run_inside(_net_files(net), job("layers", [case("m", inputs, NET_METHOD_STEPS[:1])], **LJ))
    assert ran.case("m")["status"] == "ok", ran.case("m").get("failure")


# Affine layers that keep copies of W, reached in ways an attribute swap does not: through a list of the
# second book's kind, behind a property with no setter; and a copy that cannot be written.
_UNSWAPPABLE = {
    "params list": (
        "        self.W = W.copy()\n        self.b = b\n        self.params = [self.W, self.b]\n",
        ("np.dot(self.x, self.W) + self.b", "np.dot(self.x, self.params[0]) + self.params[1]"),
    ),
    "property": (
        "        self._W = W.copy()\n        self.b = b\n",
        (
            "    def forward(self, x):\n        self.original_x_shape",
            "    @property\n    def W(self):\n        return self._W\n\n"
            "    def forward(self, x):\n        self.original_x_shape",
        ),
    ),
    "read-only": (
        "        self.W = W.copy()\n        self.W.flags.writeable = False\n        self.b = b\n",
        ("", ""),
    ),
}


@pytest.mark.parametrize("how", list(_UNSWAPPABLE))
def test_a_copy_the_probe_cannot_rebind_is_still_told_so(how: str) -> None:
    """A layer computing with a copy of W reached through another reference (`self.params = [self.W,
    self.b]`, forward reads `self.params`), behind a read-only property, or made read-only: predict and
    the gradient are the copy error. The probe swaps the array's contents in place: the attribute swap it
    replaced missed the list (predict judged as numbers) and raised "property 'W' of 'Affine' object has no
    setter" as the student's error (review of s21-real); a read-only copy keeps the finding."""
    built, (old, new) = _UNSWAPPABLE[how]
    layers = S.LAYERS.replace("        self.W = W\n        self.b = b\n", built, 1).replace(old, new, 1)
    assert built in layers and new in layers
    inputs = {**NET_METHOD_INPUTS, "b1": [0.5, -0.5]}
    for c in (_net_case(), case("m", inputs, NET_METHOD_STEPS[:1])):
        failure = run_inside(_net_files_with(layers, S.TWO_LAYER_NET), job("layers", [c], **LJ)).case(c["id"])
        assert failure["status"] != "ok", how
        message = failure["failure"]["message"]
        assert "its Affine layer computes with a copy of params['W1']" in message, message
        assert "setter" not in message


@pytest.mark.parametrize("raises", [True, False], ids=["raises", "returns"])
def test_the_probe_gives_each_array_its_contents_back(raises: bool) -> None:
    """Affine keeping a copy of W: the probe writes params' values, then NaN, into it and its own contents
    back, in the probe's batch, or (a forward that raises on NaN weights: the batch stops before the queued
    write-back) one array at a time: the copy error stands, and no NaN stays behind. A later case of the
    same process computes with every Affine built so far (kept in a module list): its Affine forward is
    right, not NaN. Fails with the write-back left out (`_write_back` emptied: "raises")."""
    guard = "        if np.isnan(self.W).any():\n            raise ValueError('the weights hold NaN')\n"
    layers = (
        S.LAYERS.replace("        self.W = W\n", "        self.W = W.copy()\n        BUILT.append(self)\n", 1)
        .replace(
            "        return np.dot(self.x, self.W) + self.b\n",
            (guard if raises else "") + "        left = sum(float(np.sum(a.W)) for a in BUILT)\n"
            "        return np.dot(self.x, self.W) + self.b + 0.0 * left\n",
            1,
        )
        .replace("class Affine:", "BUILT = []\n\n\nclass Affine:", 1)
    )
    assert "BUILT.append(self)" in layers and (guard in layers) == raises
    inputs = {**NET_METHOD_INPUTS, "b1": [0.5, -0.5]}
    x, w, b = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]]), np.array([0.0, 1.0, 2.0])
    affine = [
        {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"},
        {"do": "record", "key": "y", "value_of": "y"},
    ]
    cases = [case("m", inputs, NET_METHOD_STEPS[:1]), case("a", {"x": x, "W": w, "b": b}, affine)]
    ran = run_inside(_net_files_with(layers, S.TWO_LAYER_NET), job("layers", cases, **LJ))
    assert "its Affine layer computes with a copy of params['W1']" in ran.case("m")["failure"]["message"]
    np.testing.assert_array_equal(ran.record("y", "a"), x @ w + b)


def test_a_params_entry_rebound_after_the_layers_are_built_is_told_so() -> None:
    """params['b1'] assigned anew below the layers' construction: Affine1 keeps the old array, which no
    params value reaches; the failure names the layer's b and the rebinding, not a copy. Control: the same
    line above the layers' construction is the book's order, and the gradients agree with finite
    differences."""
    rebind = "        self.params['b1'] = np.full(hidden_size, 0.01)\n"
    below = S.TWO_LAYER_NET.replace(
        "        self.lastLayer = SoftmaxWithLoss()\n",
        "        self.lastLayer = SoftmaxWithLoss()\n" + rebind,
    )
    above = S.TWO_LAYER_NET.replace(
        "        self.layers = OrderedDict()\n", rebind + "        self.layers = OrderedDict()\n"
    )
    assert below.count(rebind) == above.count(rebind) == 1
    failure = run_inside(_net_files(below), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert failure["code"] == "exception"
    assert "its Affine layer's b is not params['b1']" in failure["message"]
    assert "a copy" not in failure["message"]
    c = _net_case()
    ran = run_inside(_net_files(above), job("layers", [c], **LJ))
    for k, g in _numeric_grads(c).items():
        np.testing.assert_allclose(ran.record("d" + k, "net"), g, rtol=1e-5, atol=1e-8, err_msg=k)


def _sized_net_case(n_in: int, hidden: int, n_out: int) -> dict:
    """_net_case's steps on a network of other sizes (3-4-3: W1.T has W2's shape)."""
    rng = np.random.default_rng(5)
    inputs = dict(
        x=rng.normal(size=(5, n_in)),
        t=np.array([0.0, 1.0, 2.0, 1.0, 0.0]) % n_out,
        W1=rng.normal(size=(n_in, hidden)),
        b1=rng.normal(size=hidden),
        W2=rng.normal(size=(hidden, n_out)),
        b2=rng.normal(size=n_out),
    )
    return case("net", inputs, _net_case()["steps"])


# An Affine keeping its weight transposed, as PyTorch's Linear keeps (out, in): a view of params' array.
_TRANSPOSED = (
    ("        self.W = W\n", "        self.W = W.T  # kept as (out, in)\n"),
    ("return np.dot(self.x, self.W) + self.b", "return np.dot(self.x, self.W.T) + self.b"),
    ("dx = np.dot(dout, self.W.T)", "dx = np.dot(dout, self.W)"),
)


@pytest.mark.parametrize("sizes", [(3, 4, 3), (3, 3, 3), (4, 6, 3)])
def test_a_layer_holding_its_weight_transposed_is_right(sizes: tuple[int, int, int]) -> None:
    """A layer keeping `self.W = W.T` holds a view of params['W1']: right, whatever the sizes (3-4-3: W1.T
    has W2's shape and was told "its Affine layer's W is not params['W2']"; 3-3-3: square). Gradients as
    finite differences say."""
    layers = S.LAYERS
    for old, new in _TRANSPOSED:
        assert layers.count(old) == 1
        layers = layers.replace(old, new)
    c = _sized_net_case(*sizes)
    ran = run_inside(_net_files_with(layers, S.TWO_LAYER_NET), job("layers", [c], **LJ))
    assert ran.case("net")["status"] == "ok", ran.case("net").get("failure")
    for k, g in _numeric_grads(c).items():
        np.testing.assert_allclose(ran.record("d" + k, "net"), g, rtol=1e-5, atol=1e-8, err_msg=k)


@pytest.mark.parametrize("dtype", ["np.float32", "np.float16"])
def test_params_of_another_float_dtype_held_by_the_layers_are_right(dtype: str) -> None:
    """W1 built as float32 or float16: the layer holds params' own array, which keeps the case's values
    rounded: no "assigned anew" (float16 was told so), the case runs."""
    drawn = "np.random.randn(input_size, hidden_size)"
    net = S.TWO_LAYER_NET.replace(drawn, f"{drawn}.astype({dtype})")
    assert net != S.TWO_LAYER_NET
    failure = run_inside(_net_files(net), job("layers", [_net_case()], **LJ)).case("net").get("failure")
    assert failure is None, failure


def test_an_integer_params_entry_held_by_its_layer_is_no_rebind() -> None:
    """params['b1'] = np.array([0] * H) is an integer array, which the case's values set in place truncate:
    the layer holds it itself, so it is not told "assigned anew" (nor a copy); the values are the cases'
    to judge."""
    zeros = "self.params['b1'] = np.zeros(hidden_size)"
    net = S.TWO_LAYER_NET.replace(zeros, "self.params['b1'] = np.array([0] * hidden_size)")
    assert net != S.TWO_LAYER_NET
    failure = run_inside(_net_files(net), job("layers", [_net_case()], **LJ)).case("net").get("failure")
    assert failure is None, failure


def test_a_bias_rebound_to_zeros_names_both_causes() -> None:
    """params['b1'] rebound to np.zeros below the layers (the layer keeps the zeros it was built with, which
    equal what params held before the case): not called a copy alone, both causes named. Control: a layer
    holding a copy of a params entry of random values is told the copy alone (test above)."""
    rebind = "        self.params['b1'] = np.zeros(hidden_size)  # (left from chapter 4's init)\n"
    below = S.TWO_LAYER_NET.replace(
        "        self.lastLayer = SoftmaxWithLoss()\n",
        "        self.lastLayer = SoftmaxWithLoss()\n" + rebind,
    )
    assert below.count(rebind) == 1
    failure = run_inside(_net_files(below), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    message = failure["message"]
    assert "its Affine layer's b is not params['b1']" in message
    assert "computes with a copy" not in message
    assert "keeps a copy of params['b1']" in message and "assigned anew" in message


def test_a_weight_copied_under_another_name_is_named_so() -> None:
    """`self.weight = W.copy()`: the message names self.weight, the attribute the student wrote."""
    layers = S.LAYERS.replace("        self.W = W\n", "        self.weight = W.copy()\n").replace(
        "self.W", "self.weight"
    )
    assert "self.weight = W.copy()" in layers
    failure = run_inside(_net_files_with(layers, S.TWO_LAYER_NET), job("layers", [_net_case()], **LJ)).case(
        "net"
    )["failure"]
    assert "computes with a copy of params['W1']" in failure["message"]
    assert "(self.weight = W)" in failure["message"] and "self.W " not in failure["message"]


def test_a_required_weight_scale_is_handed_the_books_default() -> None:
    """TwoLayerNet(input_size, hidden_size, output_size, weight_init_std) with no default: built with 0.01
    (the case's params overwrite what it draws), gradients as finite differences say. Control: another
    required parameter (`activation`) is Python's TypeError, named."""
    book = "def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):"
    assert book in S.TWO_LAYER_NET
    for scale in ("weight_init_std", "init_scale_w"):  # the second missed by a list of usual names
        required = S.TWO_LAYER_NET.replace(book, book.replace("weight_init_std=0.01", scale)).replace(
            "weight_init_std *", f"{scale} *"
        )
        c = _net_case()
        ran = run_inside(_net_files(required), job("layers", [c], **LJ))
        for k, g in _numeric_grads(c).items():
            np.testing.assert_allclose(ran.record("d" + k, "net"), g, rtol=1e-5, atol=1e-8, err_msg=k)
    other = S.TWO_LAYER_NET.replace(book, book.replace("weight_init_std=0.01", "activation"))
    failure = run_inside(_net_files(other), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert (
        failure["code"] == "exception"
        and "missing 1 required positional argument: 'activation'" in (failure["message"])
    )


def test_a_required_weight_decay_is_handed_no_decay() -> None:
    """TwoLayerNet(input_size, hidden_size, output_size, reg_scale) adding 0.5 * reg_scale * sum(W**2) to its
    loss: 'scale' in the name, but a weight decay's strength is no initial scale (s28-realdlfs: it was handed
    0.01 and the loss carried a decay term the book's has not). Handed 0, the book's network without decay:
    gradients as finite differences of the loss say, and the frame names it handed. Control: a required
    parameter that says neither (`activation`) is Python's TypeError, explained."""
    book = "def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):"
    loss = "        return self.lastLayer.forward(y, t)"
    assert book in S.TWO_LAYER_NET and loss in S.TWO_LAYER_NET
    required = S.TWO_LAYER_NET.replace(
        book,
        book.replace("weight_init_std=0.01", "reg_scale, weight_init_std=0.01")
        + "\n        self.reg = reg_scale",
    ).replace(loss, loss.replace("return ", "return 0.5 * self.reg * np.sum(self.params['W1'] ** 2) + "))
    dw1 = "grads['W1'], grads['b1'] = self.layers['Affine1'].dW,"
    assert dw1 in required
    required = required.replace(dw1, dw1.replace(".dW,", ".dW + self.reg * self.params['W1'],"))
    c = _net_case()
    ran = run_inside(_net_files(required), job("layers", [c], **LJ))
    for k, g in _numeric_grads(c).items():
        np.testing.assert_allclose(ran.record("d" + k, "net"), g, rtol=1e-5, atol=1e-8, err_msg=k)
    assert ran.case("net").get("handed") == ["reg_scale"]
    other = S.TWO_LAYER_NET.replace(book, book.replace("weight_init_std=0.01", "activation"))
    failure = run_inside(_net_files(other), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert "give activation a default)" in failure["message"] and "weight decay" not in failure["message"]


def test_a_constructor_call_the_student_wrote_short_is_not_told_as_the_graders() -> None:
    """TwoLayerNet.__init__ building Affine(self.params['W1']) (b left out) raises Python's "Affine.__init__()
    missing 1 required positional argument: 'b'" on the student's own line: the student's call, not a
    parameter the grader left without a value, so no "the grader cannot know a value for it; give b a
    default" (review of s28-realdlfs, finding 1). Control: TwoLayerNet requiring `activation`, which the
    grader's own call cannot fill, is told so."""
    built = "self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])"
    assert built in S.TWO_LAYER_NET
    short = S.TWO_LAYER_NET.replace(built, "self.layers['Affine1'] = Affine(self.params['W1'])")
    failure = run_inside(_net_files(short), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert "missing 1 required positional argument: 'b'" in failure["message"]
    assert "TwoLayerNet.__init__" in failure["message"]
    assert "cannot know a value" not in failure["message"] and "give b a default" not in failure["message"]
    book = "def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):"
    other = S.TWO_LAYER_NET.replace(book, book.replace("weight_init_std=0.01", "activation"))
    control = run_inside(_net_files(other), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert "the grader cannot know a value for it; give activation a default)" in control["message"]


def test_grads_filled_before_the_backward_pass_is_told_the_order() -> None:
    """gradient(x, t) filling grads from the layers' dW above its backward loop gives None at the first call
    and the previous call's arrays later: told the order, not "a TODO?". Control: grads['W1'] left None at
    every call is still asked whether it is a TODO."""
    block = (
        "        grads = {}\n"
        "        grads['W1'], grads['b1'] = self.layers['Affine1'].dW, self.layers['Affine1'].db\n"
        "        grads['W2'], grads['b2'] = self.layers['Affine2'].dW, self.layers['Affine2'].db\n"
    )
    assert S.TWO_LAYER_NET.count(block) == 1
    moved = S.TWO_LAYER_NET.replace(block, "").replace(
        "        self.loss(x, t)\n", "        self.loss(x, t)\n" + block
    )
    assert moved.index(block) < moved.index("layer.backward(dout)")
    failure = run_inside(_net_files(moved), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert failure["code"] == "exception"
    assert "gave grads['W1'] = None at its first call and an array at the next" in failure["message"]
    todo = S.TWO_LAYER_NET.replace(
        "grads['W1'], grads['b1'] = self.layers['Affine1'].dW, self.layers['Affine1'].db",
        "grads['W1'], grads['b1'] = None, None  # TODO",
    )
    assert todo != S.TWO_LAYER_NET
    failure = run_inside(_net_files(todo), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert failure["code"] == "not_implemented" and "gave no grads['W1']: a TODO?" in failure["message"]


def _net_files_with(layers: str, net: str) -> dict[str, str]:
    return {"common/layers.py": layers, "ch05/two_layer_net.py": net, **SUPPORT}


def test_two_layer_net_with_row_vector_biases() -> None:
    """Biases kept as np.zeros((1, H)), db summed with keepdims=True: the same numbers as the book's (H,), so
    the gradients are read back in the case's shape and agree with finite differences. Control: a bias of
    another size is refused, naming both shapes."""
    c = _net_case()
    layers = S.LAYERS.replace(
        "self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=0, keepdims=True)"
    )
    net = S.TWO_LAYER_NET.replace("np.zeros(hidden_size)", "np.zeros((1, hidden_size))")
    net = net.replace("np.zeros(output_size)", "np.zeros((1, output_size))")
    assert layers != S.LAYERS and net.count("np.zeros((1, ") == 2
    files = {"common/layers.py": layers, "ch05/two_layer_net.py": net, **SUPPORT}
    ran = run_inside(files, job("layers", [c], **LJ))
    for k, g in _numeric_grads(c).items():
        got = ran.record("d" + k, "net")
        assert got.shape == g.shape, k
        np.testing.assert_allclose(got, g, rtol=1e-5, atol=1e-8, err_msg=k)
    wider = S.TWO_LAYER_NET.replace("np.zeros(hidden_size)", "np.zeros(hidden_size + 1)")
    files = {"common/layers.py": S.LAYERS, "ch05/two_layer_net.py": wider, **SUPPORT}
    failure = run_inside(files, job("layers", [c], **LJ)).case("net")["failure"]
    assert "params['b1'] is (7,), expected shape (6,)" in failure["message"]


def test_constructor_typo_and_missing_return() -> None:
    """`__int__` is built as Python builds it (TypeError: no arguments), with the typo named in the failure;
    a backward without return is not_implemented."""
    src = S.LAYERS.replace("    def __init__(self, W, b):", "    def __int__(self, W, b):")
    src = src.replace(
        "        return dout * (1.0 - self.out) * self.out", "        dx = dout * (1.0 - self.out) * self.out"
    )
    aff = [{"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"}]
    sig = [
        {"do": "apply", "op": "Sigmoid", "args": ["x"], "out": "y"},
        {"do": "backward", "of": "y"},
        _rec("dx", "x"),
    ]
    cases = [case("aff", dict(x=[[1.0]], W=[[1.0]], b=[0.0]), aff), case("sig", dict(x=[[0.5]]), sig)]
    ran = run_inside(_layers(src), job("layers", cases, **LJ))
    message = ran.case("aff")["failure"]["message"]
    assert "Affine has no __init__ but defines __int__" in message and "rename __int__ to __init__" in message
    assert "Affine() takes no arguments" in message
    sig_failure = ran.case("sig")["failure"]
    assert (
        sig_failure["code"] == "not_implemented"
        and "Sigmoid.backward returned None" in sig_failure["message"]
    )


def test_backward_returning_a_list() -> None:
    """MulLayer.backward returning [dx, dy] is read like a tuple."""
    src = S.LAYERS.replace("        return dx, dy", "        return [dx, dy]")
    ran = run_inside(_layers(src), job("layers", [case("c", AO_INPUTS, APPLE_ORANGE)], **LJ))
    assert ran.record("dtax").item() == pytest.approx(650.0)


def test_a_list_of_three_gradients_from_a_two_input_layer_is_called_a_list_and_the_unpacking_named() -> None:
    """Review of session 26 (fixrealdlfs): MulLayer.backward returning [dx, dy, dout] was told "returned a
    tuple of 3 value(s)" and that its return is the dout handed to the layer before it, while the book
    unpacks two values (dapple_price, dtax = mul_tax_layer.backward(dprice)). Control: [dx, dy] is read."""
    src = S.LAYERS.replace("        return dx, dy", "        return [dx, dy, dout]")
    assert src != S.LAYERS
    ran = run_inside(_layers(src), job("layers", [case("c", AO_INPUTS, APPLE_ORANGE)], **LJ)).case()
    message = ran["failure"]["message"]
    assert message.startswith(
        "MulLayer.backward returned a list of 3 value(s); expected only the gradients"
    ), message
    assert "(dall_price, dtax = layer.backward(dout))" in message and "hands the layer" not in message, (
        message
    )


AFFINE_VALUE = [
    {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "y"},
    {"do": "record", "key": "value", "value_of": "y"},
]
AFFINE_4D = dict(x=np.ones((2, 3, 2, 2)), W=np.ones((12, 4)), b=np.zeros(4))


def test_chapter5_affine_on_4d_input_is_explained() -> None:
    """An Affine without the 4-D reshape: the failure names the input's shape and the flatten to add, not only
    numpy's "not aligned"; the same Affine on 2-D input works (negative control)."""
    no_reshape = S.LAYERS.replace(
        "        self.original_x_shape = x.shape\n        x = x.reshape(x.shape[0], -1)\n", ""
    )
    assert no_reshape != S.LAYERS
    steps = AFFINE_VALUE
    failure = run_inside(_layers(no_reshape), job("layers", [case("c", AFFINE_4D, steps)], **LJ)).case()[
        "failure"
    ]
    assert failure["code"] == "exception"
    assert "4-D input x of shape (2, 3, 2, 2) with W of shape (12, 4)" in failure["message"]
    assert "x.reshape(x.shape[0], -1)" in failure["message"] and "not aligned" in failure["message"]
    two_d = dict(x=np.ones((2, 12)), W=np.ones((12, 4)), b=np.zeros(4))
    ran = run_inside(_layers(no_reshape), job("layers", [case("c", two_d, steps)], **LJ))
    np.testing.assert_allclose(ran.record("value"), np.full((2, 4), 12.0))


# The book's accuracy (ch05/two_layer_net.py), added to the book's net of the helpers.
BOOK_ACCURACY = """
    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1 : t = np.argmax(t, axis=1)
        accuracy = np.sum(y == t) / float(x.shape[0])
        return accuracy
"""
NET_PARAMS = ["W1", "b1", "W2", "b2"]
# TwoLayerNet(2, 2, 3): W1 = I, b1 = 0, so the scores are Relu(x) @ W2 + b2 = [[2, 0, .1], [0, 3, .1],
# [1, .5, .1]] (W2 copies the two columns): guesses 0, 1, 0; targets 0, 1, 2: 2 of 3 right.
NET_METHOD_INPUTS = dict(
    x=[[2.0, -1.0], [-1.0, 3.0], [1.0, 0.5]],
    t=[0.0, 1.0, 2.0],
    t1=np.eye(3),
    W1=np.eye(2),
    b1=[0.0, 0.0],
    W2=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    b2=[0.0, 0.0, 0.1],
)
NET_METHOD_STEPS = [
    {"do": "apply", "op": "TwoLayerNet.predict", "args": ["x", *NET_PARAMS], "out": "s"},
    {"do": "apply", "op": "TwoLayerNet.accuracy", "args": ["x", "t", *NET_PARAMS], "out": "a"},
    {"do": "apply", "op": "TwoLayerNet.accuracy", "args": ["x", "t1", *NET_PARAMS], "out": "a1"},
    {"do": "record", "key": "value", "value_of": "s"},
    {"do": "record", "key": "accuracy", "value_of": "a"},
    {"do": "record", "key": "accuracy_onehot", "value_of": "a1"},
]


def _net_files(net: str) -> dict[str, str]:
    return {"common/layers.py": S.LAYERS, "ch05/two_layer_net.py": net, **SUPPORT}


def test_two_layer_net_predict_and_accuracy_on_their_own() -> None:
    """TwoLayerNet.predict gives the scores (params set in place), accuracy 2/3 with labels and one-hot t."""
    c = case("m", NET_METHOD_INPUTS, NET_METHOD_STEPS)
    ran = run_inside(_net_files(S.TWO_LAYER_NET + BOOK_ACCURACY), job("layers", [c], **LJ))
    np.testing.assert_array_equal(
        ran.record("value", "m"), [[2.0, 0.0, 0.1], [0.0, 3.0, 0.1], [1.0, 0.5, 0.1]]
    )
    assert ran.record("accuracy", "m").item() == ran.record("accuracy_onehot", "m").item() == 2 / 3


def test_chapter4_accuracy_on_labels_is_told_t_holds_labels() -> None:
    """Chapter 4's accuracy, `t = np.argmax(t, axis=1)` whatever t is, raises NumPy's AxisError on class
    labels; the message says t holds labels and gives chapter 5's test. Control: the same AxisError on a
    one-hot t (no labels to blame: `np.argmax(y, axis=2)`) keeps NumPy's words alone."""
    chapter4 = BOOK_ACCURACY.replace("if t.ndim != 1 : t = np.argmax(t, axis=1)", "t = np.argmax(t, axis=1)")
    c = case("m", NET_METHOD_INPUTS, NET_METHOD_STEPS[1:2])
    failure = run_inside(_net_files(S.TWO_LAYER_NET + chapter4), job("layers", [c], **LJ)).case("m")[
        "failure"
    ]
    assert failure["code"] == "exception" and "axis 1 is out of bounds" in failure["message"]
    assert "t holds class labels here (shape (3,))" in failure["message"]
    assert "if t.ndim != 1: t = np.argmax(t, axis=1)" in failure["message"]
    onehot = case("o", NET_METHOD_INPUTS, NET_METHOD_STEPS[2:3])
    wrong_axis = BOOK_ACCURACY.replace("y = np.argmax(y, axis=1)", "y = np.argmax(y, axis=2)")
    ran = run_inside(_net_files(S.TWO_LAYER_NET + wrong_axis), job("layers", [onehot], **LJ))
    message = ran.case("o")["failure"]["message"]
    assert "axis 2 is out of bounds" in message and "class labels" not in message
    # the same AxisError on labels, raised by the argmax of another array (the scores of one row): t is not
    # to blame, and the code already has chapter 5's test (review of session 18)
    row = BOOK_ACCURACY.replace("y = np.argmax(y, axis=1)", "y = np.argmax(y[0], axis=1)")
    ran = run_inside(_net_files(S.TWO_LAYER_NET + row), job("layers", [c], **LJ))
    message = ran.case("m")["failure"]["message"]
    assert "axis 1 is out of bounds" in message and "class labels" not in message


def test_two_layer_net_method_that_returns_none_or_is_missing() -> None:
    """predict without `return` is not_implemented naming TwoLayerNet.predict; a net without accuracy is the
    exception Python raises (AttributeError), named in the message."""
    net = S.TWO_LAYER_NET.replace("        return x\n", "        x\n", 1)
    c = case("m", NET_METHOD_INPUTS, NET_METHOD_STEPS)
    ran = run_inside(_net_files(net), job("layers", [c], **LJ))
    failure = ran.case("m")["failure"]
    assert failure["code"] == "not_implemented" and "TwoLayerNet.predict returned None" in failure["message"]
    accuracy_only = case("a", NET_METHOD_INPUTS, NET_METHOD_STEPS[1:2])
    ran = run_inside(_net_files(S.TWO_LAYER_NET), job("layers", [accuracy_only], **LJ))
    failure = ran.case("a")["failure"]
    assert failure["code"] == "exception"
    assert "TwoLayerNet.accuracy" in failure["message"]
    assert "has no attribute 'accuracy'" in failure["message"]


def test_a_net_without_gradient_is_told_what_gradient_does_and_another_attribute_error_is_pythons() -> None:
    """Chapter 4's TwoLayerNet (numerical_gradient alone) is missing_name naming gradient(x, t) and the
    chapter that adds it; an AttributeError inside a gradient that exists stays the student's exception."""
    files = {"common/layers.py": S.LAYERS, **SUPPORT}
    chapter4 = S.TWO_LAYER_NET.replace("def gradient(self, x, t):", "def numerical_gradient(self, x, t):", 1)
    ran = run_inside({**files, "ch05/two_layer_net.py": chapter4}, job("layers", [_net_case()], **LJ))
    failure = ran.case("net")["failure"]
    assert failure["code"] == "missing_name", failure
    assert "TwoLayerNet has no method gradient(x, t)" in failure["message"]
    assert "chapter 5 adds it (5.7.2)" in failure["message"] and "AttributeError" not in failure["message"]
    gradient = "def gradient(self, x, t):"
    inner = S.TWO_LAYER_NET.replace(gradient, gradient + "\n        self.nope", 1)
    ran = run_inside({**files, "ch05/two_layer_net.py": inner}, job("layers", [_net_case()], **LJ))
    failure = ran.case("net")["failure"]
    assert failure["code"] == "exception" and "has no attribute 'nope'" in failure["message"], failure


RELU_CASE = [
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
    {"do": "backward_local", "of": "y", "upstream": "dout"},
    {"do": "record", "key": "dx", "grad_of": "x", "via": "y"},
]
RELU_INPUTS = dict(x=[[1.0, -2.0]], dout=[[3.0, 4.0]])


def test_relu_holding_the_standin_is_missing_and_own_helper_is_graded() -> None:
    """A Relu that keeps common.layers.Relu (the grader's stand-in) and forwards to it is missing_name,
    naming Relu and the stand-in; a Relu keeping a helper object of its own is graded (positive control)."""
    wrapper = (
        "import common.layers\n\n"
        "class Relu:\n"
        "    def __init__(self):\n"
        "        self.inner = common.layers.Relu()\n"
        "    def forward(self, x):\n"
        "        return self.inner.forward(x)\n"
        "    def backward(self, dout):\n"
        "        return self.inner.backward(dout)\n"
    )
    own = (
        "import numpy as np\n\n"
        "class Mask:\n"
        "    def __init__(self):\n"
        "        self.where = None\n\n"
        "class Relu:\n"
        "    def __init__(self):\n"
        "        self.helper = Mask()\n"
        "    def forward(self, x):\n"
        "        self.helper.where = x <= 0\n"
        "        return np.where(self.helper.where, 0.0, x)\n"
        "    def backward(self, dout):\n"
        "        return np.where(self.helper.where, 0.0, dout)\n"
    )
    c = case("r", RELU_INPUTS, RELU_CASE)
    ran = run_inside({"layers.py": wrapper, **SUPPORT}, job("layers", [c], **LJ))
    failure = ran.case("r")["failure"]
    assert failure["code"] == "missing_name"
    # refused as the stand-in's forward runs (the `held` question after forward comes later)
    assert failure["message"].startswith("Relu ran the grader's stand-in common.layers.Relu.forward: ")
    ran = run_inside({"layers.py": own, **SUPPORT}, job("layers", [c], **LJ))
    np.testing.assert_array_equal(ran.record("dx", "r"), [[3.0, 0.0]])


# A network an assignment declares (dlfs-advanced's SimpleConvNet, here a one-matrix stand-in written for this
# test): built with the step's settings by keyword, params overwritten in place, gradient(x, t) read by key.
DECLARED_NET = """
import numpy as np

class TinyNet:
    def __init__(self, input_dim, sizes, weight_init_std=0.01):
        assert isinstance(input_dim, tuple), "input_dim arrives as the book writes it, a tuple"
        self.params = {"W": weight_init_std * np.ones((sizes["rows"], sizes["cols"]))}

    def loss(self, x, t):
        return float(np.sum(x @ self.params["W"]) + np.sum(t))

    def gradient(self, x, t):
        self.loss(x, t)
        return {"W": x.T @ np.ones((x.shape[0], self.params["W"].shape[1])) + self.params["W"]}
"""
TINY_OPS = {
    "aliases": {"TinyNet": ["TinyNet"]},
    "layers": {
        "TinyNet": {"forward": [0, 1], "loss": True, "ctor_settings": ["input_dim", "sizes"], "net": ["W"]}
    },
}


def _tiny_case() -> dict:
    steps = [
        {
            "do": "apply",
            "op": "TinyNet",
            "args": ["x", "t", "W"],
            "out": "loss",
            "settings": {"input_dim": [2], "sizes": {"rows": 2, "cols": 3}},
        },
        {"do": "backward", "of": "loss"},
        {"do": "record", "key": "loss", "value_of": "loss"},
        _rec("dW", "W"),
    ]
    inputs = dict(x=[[1.0, 2.0]], t=[1.0], W=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    return case("c", inputs, steps)


def _tiny_job() -> dict:
    return job("layers", [_tiny_case()], **{**LJ, "optional": ["TinyNet"], "ops": TINY_OPS})


def test_declared_network_built_from_settings_with_params_set_in_place() -> None:
    """A declared network gets its settings by keyword and the case's params in place: the loss and dW are
    those of the case's W (worked out by hand below), not of the constructor's 0.01 * ones."""
    ran = run_inside({"layers.py": DECLARED_NET}, _tiny_job())
    # x @ W = [1*1 + 2*4, 1*2 + 2*5, 1*3 + 2*6] = [9, 12, 15]: sum 36, plus sum(t) = 1
    assert ran.record("loss").item() == pytest.approx(37.0)
    # x.T @ ones((1, 3)) = [[1, 1, 1], [2, 2, 2]], plus W
    np.testing.assert_array_equal(ran.record("dW"), [[2.0, 3.0, 4.0], [6.0, 7.0, 8.0]])


def test_a_declared_networks_list_setting_named_so_stays_a_list() -> None:
    """A JSON list setting reaches a declared network as a tuple (the book's input_dim=(1, 28, 28)), except
    one whose name ends in _list: the book's MultiLayerNet computes `[input_size] + hidden_size_list +
    [output_size]`, which raised "can only concatenate list (not "tuple") to list" on every case (sample
    dlfs-advanced/book_common_multi_layer_net/, 0 of 8 before)."""
    net = DECLARED_NET.replace(
        "def __init__(self, input_dim, sizes, weight_init_std=0.01):",
        "def __init__(self, input_dim, sizes, hidden_size_list, weight_init_std=0.01):\n"
        "        all_sizes = [1] + hidden_size_list + [3]",
    )
    tiny = _tiny_case()
    tiny["steps"][0]["settings"]["hidden_size_list"] = [4, 5]
    ops = {**TINY_OPS, "layers": {"TinyNet": {**TINY_OPS["layers"]["TinyNet"]}}}
    ops["layers"]["TinyNet"]["ctor_settings"] = ["input_dim", "sizes", "hidden_size_list"]
    ran = run_inside({"layers.py": net}, job("layers", [tiny], **{**LJ, "optional": ["TinyNet"], "ops": ops}))
    assert ran.record("loss").item() == pytest.approx(37.0)  # built: input_dim a tuple, the list a list


@pytest.mark.parametrize(
    "replacements, code, words",
    [
        ([('{"W": weight_init_std', '{"V": weight_init_std')], "missing_name", "TinyNet.params has no 'W'"),
        (
            [('return {"W": x.T', "return [x.T"), ('self.params["W"]}', 'self.params["W"]]')],
            "exception",
            "TinyNet.gradient returned a list of 1 value, where it must return a dict",
        ),
    ],
)
def test_declared_network_without_its_param_or_a_grads_dict_fails_by_name(replacements, code, words) -> None:
    """A params dict without the declared key, or a gradient that returns no dict, names the network."""
    src = DECLARED_NET
    for old, new in replacements:
        assert old in src
        src = src.replace(old, new)
    ran = run_inside({"layers.py": src}, _tiny_job())
    failure = ran.case("c")["failure"]
    assert failure["code"] == code and words in failure["message"], failure


# State kept between forwards (dlfs-advanced's BatchNormalization running statistics), on a one-statistic
# layer written for this test: stat = 0.9 * stat + 0.1 * mean of each training batch.
STATEFUL = """
import numpy as np

class Norm:
    def __init__(self, gamma, beta):
        self.gamma, self.beta, self.stat = gamma, beta, None

    def forward(self, x, train_flg=True):
        if self.stat is None:
            self.stat = np.zeros(x.shape[1])
        if train_flg:
            self.stat = 0.9 * self.stat + 0.1 * x.mean(axis=0)
        return self.gamma * (x - self.stat) + self.beta
"""
NORM_OPS = {
    "aliases": {"Norm": ["Norm"]},
    "layers": {
        "Norm.stat": {
            "ctor": [2, 3],
            "warmup": [0, 1],
            "warmup_settings": {"train_flg": True},
            "read": "stat",
        },
        "Norm.after": {
            "ctor": [3, 4],
            "forward": [2],
            "forward_settings": ["train_flg"],
            "warmup": [0, 1],
            "warmup_settings": {"train_flg": True},
        },
    },
}


def _norm_job() -> dict:
    steps = [
        {"do": "apply", "op": "Norm.stat", "args": ["x1", "x2", "gamma", "beta"], "out": "s"},
        {
            "do": "apply",
            "op": "Norm.after",
            "args": ["x1", "x2", "x3", "gamma", "beta"],
            "out": "a",
            "settings": {"train_flg": False},
        },
        {"do": "record", "key": "s", "value_of": "s"},
        {"do": "record", "key": "a", "value_of": "a"},
    ]
    inputs = dict(x1=[[10.0], [30.0]], x2=[[0.0], [40.0]], x3=[[5.0]], gamma=[2.0], beta=[1.0])
    return job("layers", [case("c", inputs, steps)], **{**LJ, "optional": ["Norm"], "ops": NORM_OPS})


def test_state_read_after_warmup_forwards_and_an_inference_forward_that_uses_it() -> None:
    """Two training forwards on one object: stat = 0.9 * (0.1 * 20) + 0.1 * 20 = 3.8 (by hand); the
    inference forward on that object gives 2 * (5 - 3.8) + 1 = 3.4."""
    ran = run_inside({"layers.py": STATEFUL}, _norm_job())
    np.testing.assert_allclose(ran.record("s"), [3.8])
    np.testing.assert_allclose(ran.record("a"), [[3.4]])


NEVER_SET = [
    ("self.stat = np.zeros(x.shape[1])", "pass"),
    ("self.stat = 0.9 * self.stat + 0.1 * x.mean(axis=0)", "pass"),
    ("(x - self.stat)", "x"),
]


@pytest.mark.parametrize(
    "replacements, code, words",
    [
        (NEVER_SET, "not_implemented", "Norm.stat is still None after forward(x1, ...), forward(x2, ...)"),
        ([("stat", "kept")], "missing_name", "Norm has no attribute stat"),
    ],
)
def test_state_never_set_or_missing_names_the_class(replacements, code, words) -> None:
    """A statistic left None, or an attribute the class never has, fails naming Norm and the forwards."""
    src = STATEFUL
    for old, new in replacements:
        assert old in src
        src = src.replace(old, new)
    ran = run_inside({"layers.py": src}, _norm_job())
    failure = ran.case("c")["failure"]
    assert failure["code"] == code and words in failure["message"], failure


def test_settings_by_position_reach_a_parameter_spelt_otherwise() -> None:
    """`settings_by_position` (dlfs-advanced's Dropout and BatchNormalization): train_flg is passed after x,
    as the book's MultiLayerNetExtend calls `layer.forward(x, train_flg)`, so a forward(self, x,
    train_flag=True) gets the same numbers as the book's spelling (3.8 and 3.4, by hand above). Passed by
    keyword it raised TypeError, which the control without the flag still shows (extension layers keep the
    keyword call)."""
    spelt = STATEFUL.replace("train_flg", "train_flag")
    by_position = {
        **NORM_OPS,
        "layers": {k: {**v, "settings_by_position": True} for k, v in NORM_OPS["layers"].items()},
    }
    base = _norm_job()
    ran = run_inside({"layers.py": spelt}, {**base, "ops": by_position})
    np.testing.assert_allclose(ran.record("s"), [3.8])
    np.testing.assert_allclose(ran.record("a"), [[3.4]])
    keyword = run_inside({"layers.py": spelt}, base).case("c")["failure"]
    assert "unexpected keyword argument 'train_flg'" in keyword["message"], keyword


# A layer with two forward settings, the book's way: by position after x.
SHIFTED = """
class Shift:
    def forward(self, x, scale=1.0, shift=10.0):
        return scale * x + shift
"""


def test_forward_settings_by_position_stop_at_one_not_given() -> None:
    """With `settings_by_position` and two forward settings, a case giving only the second (`shift`) passed
    it first, into `scale`: forward(x, 5.0) is 5 * 2 + 10 = 20. It is passed by keyword once the one before
    it is missing: forward(x, shift=5.0) is 1 * 2 + 5 = 7 (by hand). Control: both given, in the settings'
    order whatever the case's order, forward(x, 3.0, 5.0) is 3 * 2 + 5 = 11."""
    ops = {
        "aliases": {"Shift": ["Shift"]},
        "layers": {
            "Shift": {"forward_settings": ["scale", "shift"], "settings_by_position": True},
        },
    }

    def shifted(settings: dict) -> float:
        steps = [
            {"do": "apply", "op": "Shift", "args": ["x"], "out": "y", "settings": settings},
            {"do": "record", "key": "y", "value_of": "y"},
        ]
        spec = job("layers", [case("c", {"x": [2.0]}, steps)], **{**LJ, "optional": ["Shift"], "ops": ops})
        return float(run_inside({"layers.py": SHIFTED}, spec).record("y")[0])

    assert shifted({"shift": 5.0}) == 7.0
    assert shifted({"shift": 5.0, "scale": 3.0}) == 11.0


# A layer scaled by a constructor setting, its parameter spelt `factor` where the ops say `scale`.
SCALED = """
class Scale:
    def __init__(self, w, factor=1.0):
        self.w, self.factor = w, factor

    def forward(self, x):
        return self.factor * self.w * x
"""


def _scale_job(by_position: bool) -> dict:
    ops = {
        "aliases": {"Scale": ["Scale"]},
        "layers": {"Scale": {"ctor": [1], "ctor_settings": ["scale"], "ctor_by_position": by_position}},
    }
    steps = [
        {"do": "apply", "op": "Scale", "args": ["x", "w"], "out": "y", "settings": {"scale": 3.0}},
        {"do": "record", "key": "y", "value_of": "y"},
    ]
    inputs = {"x": [2.0], "w": [5.0]}
    return job("layers", [case("c", inputs, steps)], **{**LJ, "optional": ["Scale"], "ops": ops})


def test_ctor_settings_by_position_follow_the_ctor_args() -> None:
    """`ctor_by_position` (dlfs-advanced's Convolution and Dropout, built by position in the book's
    SimpleConvNet and MultiLayerNetExtend): Scale(w, 3.0) reaches the parameter spelt `factor`, 3 * 5 * 2 =
    30 (by hand). Control: by keyword, Scale(w, scale=3.0) is a TypeError naming the keyword."""
    np.testing.assert_allclose(run_inside({"layers.py": SCALED}, _scale_job(True)).record("y"), [30.0])
    failure = run_inside({"layers.py": SCALED}, _scale_job(False)).case("c")["failure"]
    assert "unexpected keyword argument 'scale'" in failure["message"], failure


# Two constructor settings the ops give in the book's order (stride, pad), declared the other way round.
STEP_PAD_FIRST = """
class Step:
    def __init__(self, w, pad=0.0, stride=1.0):
        self.w, self.pad, self.stride = w, pad, stride

    def forward(self, x):
        return self.stride * self.w * x + self.pad
"""


def test_ctor_settings_spelt_as_the_ops_go_by_keyword_in_any_order() -> None:
    """`Convolution(W, b, pad=0, stride=1)` is as right as the book's (W, b, stride=1, pad=0): a constructor
    naming every setting gets them by keyword, Step(w, stride=3.0, pad=7.0): 3 * 5 * 2 + 7 = 37 (by hand;
    by position it was 7 * 5 * 2 + 3 = 73). Control: SCALED's `factor` still takes `scale` by position."""
    ops = {
        "aliases": {"Step": ["Step"]},
        "layers": {"Step": {"ctor": [1], "ctor_settings": ["stride", "pad"], "ctor_by_position": True}},
    }
    steps = [
        {
            "do": "apply",
            "op": "Step",
            "args": ["x", "w"],
            "out": "y",
            "settings": {"stride": 3.0, "pad": 7.0},
        },
        {"do": "record", "key": "y", "value_of": "y"},
    ]
    spec = job(
        "layers", [case("c", {"x": [2.0], "w": [5.0]}, steps)], **{**LJ, "optional": ["Step"], "ops": ops}
    )
    np.testing.assert_allclose(run_inside({"layers.py": STEP_PAD_FIRST}, spec).record("y"), [37.0])
    np.testing.assert_allclose(run_inside({"layers.py": SCALED}, _scale_job(True)).record("y"), [30.0])


def test_a_4d_affine_that_fails_for_another_reason_is_not_told_to_flatten() -> None:
    """Negative control: a name never imported (`npp`) fails the 4-D Affine with a NameError; it was worded
    "Affine.forward cannot take the 4-D input ...: flatten it first", the wrong fix above the real error.
    Python's error alone now."""
    no_numpy = S.LAYERS.replace(
        "        return np.dot(self.x, self.W) + self.b", "        return npp.dot(self.x, self.W)"
    )
    assert no_numpy != S.LAYERS
    ran = run_inside(_layers(no_numpy), job("layers", [case("c", AFFINE_4D, AFFINE_VALUE)], **LJ))
    message = ran.case()["failure"]["message"]
    assert "NameError: name 'npp' is not defined" in message
    assert "flatten" not in message and "4-D" not in message


# A BatchNormalization written for 2-D input only (cs231n's batchnorm_forward as a layer): no flatten.
BN_2D_ONLY = """
import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta):
        self.gamma = gamma
        self.beta = beta

    def forward(self, x, train_flg=True):
        xc = x - x.mean(axis=0)
        return self.gamma * xc / np.sqrt((xc ** 2).mean(axis=0) + 1e-7) + self.beta
"""
BN_OPS = {
    "aliases": {"BatchNormalization": ["BatchNormalization"]},
    "layers": {
        "BatchNormalization": {
            "ctor": [1, 2],
            "forward_settings": ["train_flg"],
            "settings_by_position": True,
        }
    },
}


def _bn_failure(src: str, x: np.ndarray, gamma: np.ndarray) -> dict:
    steps = [
        {
            "do": "apply",
            "op": "BatchNormalization",
            "args": ["x", "gamma", "beta"],
            "out": "y",
            "settings": {"train_flg": True},
        },
        {"do": "record", "key": "y", "value_of": "y"},
    ]
    inputs = dict(x=x, gamma=gamma, beta=np.zeros_like(gamma))
    spec = job(
        "layers", [case("c", inputs, steps)], **{**LJ, "optional": ["BatchNormalization"], "ops": BN_OPS}
    )
    return run_inside({"layers.py": src}, spec).case("c")


def test_batchnorm_that_cannot_take_a_4d_input_is_told_the_books_flatten() -> None:
    """A BatchNormalization for 2-D input only, on x of shape (3, 2, 2, 2) with the book's gamma of C*H*W = 8
    features: numpy's "operands could not be broadcast together with shapes (8,) (3,2,2,2)" said neither the
    4-D input nor the flatten; the message says both, and that per-channel normalisation is another layer
    (sample submissions/dlfs-advanced/bn_spatial_per_channel.py). Controls: the same layer on 2-D input works;
    another error on the 4-D input (a NameError) keeps Python's words alone."""
    x4 = np.arange(24.0).reshape(3, 2, 2, 2) ** 1.5
    failure = _bn_failure(BN_2D_ONLY, x4, np.ones(8))["failure"]
    assert failure["code"] == "exception"
    message = failure["message"]
    assert message.startswith(
        "BatchNormalization.forward cannot take the 4-D input x of shape (3, 2, 2, 2) with gamma of shape "
        "(8,)"
    ), message
    assert "x = x.reshape(x.shape[0], -1)" in message and "gamma of shape (2,), is another layer" in message
    assert "could not be broadcast" in message  # Python's own words kept after the explanation
    assert _bn_failure(BN_2D_ONLY, np.arange(12.0).reshape(3, 4) ** 1.5, np.ones(4))["status"] == "ok"
    typo = _bn_failure(BN_2D_ONLY.replace("x.mean(", "x.meen("), x4, np.ones(8))["failure"]
    assert "reshape" not in typo["message"] and "AttributeError" in typo["message"], typo


# A layer switched by an attribute (PyTorch's `self.training`), forward(x) taking no train_flg.
MODE_ATTRIBUTE = """
class Twice:
    def __init__(self):
        self.training = True

    def forward(self, x):
        return 2.0 * x if self.training else x + 100.0
"""
TWICE_OPS = {
    "aliases": {"Twice": ["Twice"]},
    "layers": {"Twice": {"forward_settings": ["train_flg"], "settings_by_position": True}},
}


def _twice(src: str, train_flg: bool) -> dict:
    steps = [
        {"do": "apply", "op": "Twice", "args": ["x"], "out": "y", "settings": {"train_flg": train_flg}},
        {"do": "record", "key": "y", "value_of": "y"},
    ]
    spec = job("layers", [case("c", {"x": [3.0]}, steps)], **{**LJ, "optional": ["Twice"], "ops": TWICE_OPS})
    return run_inside({"layers.py": src}, spec).case("c")


def test_a_layer_switched_by_an_attribute_is_graded_in_the_mode_the_case_asks() -> None:
    """forward(self, x) with the train/test switch in `self.training` (or `self.train_flg`): the positional
    train_flg raised "forward() takes 2 positional arguments but 3 were given" (sample
    submissions/dlfs-advanced/mode_attribute_layers.py); the attribute is set instead: 6 while training, 103
    at test time (by hand). Control: a switch the grader cannot read (a string) is told what the book's
    networks pass, not Python's TypeError."""
    assert _twice(MODE_ATTRIBUTE, True)["records"]["y"]["data"] == [6.0]
    assert _twice(MODE_ATTRIBUTE, False)["records"]["y"]["data"] == [103.0]
    spelt = MODE_ATTRIBUTE.replace("self.training", "self.train_flg")
    assert _twice(spelt, False)["records"]["y"]["data"] == [103.0]
    # a keyword-only train_flg is passed by keyword, not told it is missing
    keyword_only = MODE_ATTRIBUTE.replace("def forward(self, x):", "def forward(self, x, *, train_flg=True):")
    keyword_only = keyword_only.replace("if self.training", "if train_flg")
    keyword_only = keyword_only.replace("self.training = True", "pass")
    assert _twice(keyword_only, False)["records"]["y"]["data"] == [103.0]
    string = MODE_ATTRIBUTE.replace("self.training = True", "self.mode = 'train'").replace(
        "if self.training", "if self.mode == 'train'"
    )
    failure = _twice(string, True)["failure"]
    assert failure["code"] == "exception"
    assert failure["message"].startswith(
        "Twice.forward takes no train_flg, and the layer keeps no train/test flag to set instead"
    ), failure
    assert "layer.forward(x, train_flg)" in failure["message"] and "positional" not in failure["message"]


def test_a_layer_with_train_and_eval_is_switched_by_them_and_every_flag_is_set() -> None:
    """Review of session 18. A layer with train() and eval() is switched by them: setting the flag itself
    hid a typo in eval() (it sets self.trainning), a program that never leaves training mode, graded full
    marks; now its test-time value is the training one, 6 (control: a right eval(), 103). Without them every
    bool flag of the spellings is set: only the first (an unused train_flg) was, and the forward reading
    self.training ran in training mode (6, not 103). A forward bound in __init__ (the class has none) is
    called as it is, not told 'write type.forward'."""
    methods = MODE_ATTRIBUTE + "\n    def train(self):\n        self.training = True\n"
    right = methods + "\n    def eval(self):\n        self.training = False\n"
    typo = methods + "\n    def eval(self):\n        self.trainning = False\n"
    assert _twice(right, False)["records"]["y"]["data"] == [103.0]
    assert _twice(typo, False)["records"]["y"]["data"] == [6.0]
    assert _twice(typo, True)["records"]["y"]["data"] == [6.0]
    unused = MODE_ATTRIBUTE.replace(
        "self.training = True", "self.train_flg = True\n        self.training = True"
    )
    assert _twice(unused, False)["records"]["y"]["data"] == [103.0]
    bound = (
        "class Twice:\n    def __init__(self):\n        self.forward = self._forward\n\n"
        "    def _forward(self, x, train_flg=True):\n        return 2.0 * x if train_flg else x + 100.0\n"
    )
    assert _twice(bound, False)["records"]["y"]["data"] == [103.0]


# A network declared by an assignment (as SimpleConvNet), its constructor taking the dict setting's keys
# one by one: `num` as filter_num, `size` as size.
FLAT_NET = """
import numpy as np


class Scaled:
    def __init__(self, filter_num=1, size=0.0):
        self.num, self.size = filter_num, size
        self.params = {"W": np.zeros(2)}

    def loss(self, x, t):
        return float(np.sum(self.params["W"] * x))

    def gradient(self, x, t):
        self.loss(x, t)
        return {"W": self.num * x.sum(axis=0) + self.size}
"""
SCALED_OPS = {
    "aliases": {"Scaled": ["Scaled"]},
    "layers": {"Scaled": {"forward": [0, 1], "loss": True, "ctor_settings": ["conf"], "net": ["W"]}},
}


def _scaled(src: str) -> dict:
    steps = [
        {
            "do": "apply",
            "op": "Scaled",
            "args": ["x", "t", "W"],
            "out": "loss",
            "settings": {"conf": {"num": 3, "size": 0.5}},
        },
        {"do": "backward", "of": "loss"},
        {"do": "record", "key": "dW", "grad_of": "W"},
    ]
    inputs = dict(x=[[1.0, 2.0], [3.0, 4.0]], t=[0.0, 1.0], W=[0.0, 0.0])
    spec = job("layers", [case("c", inputs, steps)], **{**LJ, "optional": ["Scaled"], "ops": SCALED_OPS})
    return run_inside({"layers.py": src}, spec).case("c")


def test_a_dict_setting_reaches_a_constructor_that_takes_its_keys_one_by_one() -> None:
    """SimpleConvNet(input_dim, filter_num, filter_size, filter_pad, filter_stride, ...) instead of the
    book's conv_param dict: "unexpected keyword argument 'conv_param'" (sample
    dlfs-advanced/simple_convnet_flat_params/). Each key goes to the parameter of its name or with filter_
    before it: dW = 3 * [4, 6] + 0.5 = [12.5, 18.5] (by hand). Controls: a constructor taking the dict gets
    it whole; one that lacks a key's parameter keeps Python's TypeError."""
    assert _scaled(FLAT_NET)["records"]["dW"]["data"] == [12.5, 18.5]
    whole = FLAT_NET.replace(
        "def __init__(self, filter_num=1, size=0.0):\n        self.num, self.size = filter_num, size",
        "def __init__(self, conf=None):\n        self.num, self.size = conf['num'], conf['size']",
    )
    assert whole != FLAT_NET and _scaled(whole)["records"]["dW"]["data"] == [12.5, 18.5]
    lacking = FLAT_NET.replace(
        "size=0.0):\n        self.num, self.size = filter_num, size",
        "):\n        self.num, self.size = filter_num, 0.0",
    )
    assert lacking != FLAT_NET
    assert "unexpected keyword argument 'conf'" in _scaled(lacking)["failure"]["message"]


# A layer built with a square window's one size (Keras's pool_size) where the book gives pool_h and pool_w,
# named as the student named it (MaxWin for the grader's Win).
SQUARE = """
class MaxWin:
    def __init__(self, pool_size=1):
        self.size = pool_size

    def forward(self, x):
        return x * int(self.size)
"""
# Keras's pool_size and torch's kernel_size: an int for a square window, or a (height, width) pair.
PAIR = """
class MaxWin:
    def __init__(self, pool_size=1):
        h, w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
        self.h, self.w = h, w

    def forward(self, x):
        return x * self.h + self.w
"""
WIN_OPS = {"aliases": {"Win": ["Win", "MaxWin"]}, "layers": {"Win": {"ctor_settings": ["pool_h", "pool_w"]}}}


def _win(settings: dict, source: str = SQUARE) -> dict:
    steps = [
        {"do": "apply", "op": "Win", "args": ["x"], "out": "y", "settings": settings},
        {"do": "record", "key": "y", "value_of": "y"},
    ]
    spec = job("layers", [case("c", {"x": [2.0]}, steps)], **{**LJ, "optional": ["Win"], "ops": WIN_OPS})
    return run_inside({"layers.py": source}, spec).case("c")


def test_a_square_window_reaches_a_constructor_that_takes_one_size() -> None:
    """Pooling(self, pool_size=2, stride=2, pad=0) was "unexpected keyword argument 'pool_h'" (sample
    dlfs-advanced/pool_size_square.py): a square window's side goes to its one size, 2 * 3 = 6 (by hand).
    Control: a window of two sides, handed as the (height, width) pair, fails in a class made for one size
    (int((2, 3)) raises), which is told its windows are square in the book's words, by the name it gave
    the class (it was Python's "unexpected keyword argument 'pool_h'", which reads as the grader's fault;
    case pooling-rect-unit pools 3x2), with what Python said of the pair."""
    assert _win({"pool_h": 3, "pool_w": 3})["records"]["y"]["data"] == [6.0]
    failure = _win({"pool_h": 2, "pool_w": 3})["failure"]
    assert failure["code"] == "exception", failure
    message = failure["message"]
    assert "MaxWin.__init__ takes one window size (pool_size), so its windows are square" in message, failure
    assert "Win.__init__" not in failure["message"].replace("MaxWin.__init__", ""), failure
    assert "a 2x3 window (pool_h=2, pool_w=3)" in failure["message"], failure
    assert "given the pair pool_size=(2, 3)" in failure["message"], failure
    assert "int()" in failure["message"], failure
    assert "unexpected keyword argument" not in failure["message"], failure


def test_a_window_of_two_sides_reaches_one_size_that_takes_a_pair() -> None:
    """Keras's pool_size=(2, 2) / torch's kernel_size unpacked to height and width (samples
    dlfs-advanced/pool_size_tuple.py, kernel_size_tuple.py) lost pooling-rect-unit's points and was told its
    windows are square: the (height, width) pair reaches it, 2 * 2 + 3 = 7 (by hand); a square window still
    goes as one int, 2 * 3 + 3 = 9."""
    assert _win({"pool_h": 2, "pool_w": 3}, PAIR)["records"]["y"]["data"] == [7.0]
    assert _win({"pool_h": 3, "pool_w": 3}, PAIR)["records"]["y"]["data"] == [9.0]


def test_a_layer_running_the_stand_in_out_of_sight_of_held_counts_as_missing() -> None:
    """A Relu calling the stand-in's methods on itself (`common.layers.Relu.forward(self, x)`), one keeping
    its stand-in in a global, one catching the refusal: missing_name, naming the class and the stand-in's
    method (before: graded as the student's, right). Control: the stand-in's Relu run outside a graded
    layer's call (at import, by a class not named like a stand-in layer) is no refusal, and a Relu of its own
    beside it is graded (a TwoLayerNet graded on stand-in layers: the samples ch05_common_copied & co.)."""
    unbound = (
        "import common.layers\n\n"
        "class Relu:\n"
        "    def forward(self, x):\n"
        "        return common.layers.Relu.forward(self, x)\n"
        "    def backward(self, dout):\n"
        "        return common.layers.Relu.backward(self, dout)\n"
    )
    kept = (
        "import common.layers\n\n_KEPT = {}\n\n"
        "class Relu:\n"
        "    def forward(self, x):\n"
        "        _KEPT['r'] = common.layers.Relu()\n"
        "        return _KEPT['r'].forward(x)\n"
        "    def backward(self, dout):\n"
        "        try:\n"
        "            return _KEPT['r'].backward(dout)\n"
        "        except Exception:\n"
        "            return dout\n"
    )
    c = case("r", RELU_INPUTS, RELU_CASE)
    for source, method in ((unbound, "Relu.forward"), (kept, "Relu.forward")):
        ran = run_inside({"layers.py": source, **SUPPORT}, job("layers", [c], **LJ))
        failure = ran.case("r")["failure"]
        assert failure["code"] == "missing_name", failure
        assert failure["message"].startswith(f"Relu ran the grader's stand-in common.layers.{method}: "), (
            failure
        )
    user = "import common.layers\n\n" + "\n".join(
        [
            "class Net:",
            "    def __init__(self):",
            "        self.relu = common.layers.Relu()",
            "class Relu:",
            "    def forward(self, x):",
            "        self.mask = x <= 0",
            "        out = x.copy()",
            "        out[self.mask] = 0.0",
            "        return out",
            "    def backward(self, dout):",
            "        out = dout.copy()",
            "        out[self.mask] = 0.0",
            "        return out",
            "NET_FORWARD = Net().relu.forward",
            "",
        ]
    )
    ran = run_inside({"layers.py": user, **SUPPORT}, job("layers", [c], **LJ))
    np.testing.assert_array_equal(ran.record("dx", "r"), [[3.0, 0.0]])


def test_a_layer_running_the_stand_in_after_its_call_or_built_as_another_class_is_missing() -> None:
    """Review of s20-hostile: a Relu returning lazy values (a `data` property, read by the harness after the
    call returned, that runs the stand-in's forward/backward; f_lazy_standin.py), and a Relu whose `__new__`
    returns an instance of another class calling the stand-in's methods on itself (i_new_returns_other.py):
    29 / 29 before, the guard holding for the call only and for the graded class exactly. Now missing_name
    for the whole case, naming the stand-in's method, or the class the constructor built. Control: the
    out-of-sight test's own Relu and a TwoLayerNet on stand-ins (test above, samples ch05_common_copied)."""
    lazy = (
        "import common.layers\n\n_KEPT = {}\n\n"
        "class _Lazy:\n"
        "    def __init__(self, fn):\n"
        "        self._fn = fn\n"
        "    @property\n"
        "    def data(self):\n"
        "        return self._fn()\n"
        "    def __array__(self, dtype=None, copy=None):\n"
        "        return self._fn()\n\n"
        "def _v(x):\n"
        "    return x._fn() if isinstance(x, _Lazy) else x\n\n"
        "class Relu:\n"
        "    def forward(self, x):\n"
        "        inner = _KEPT[id(self)] = common.layers.Relu()\n"
        "        return _Lazy(lambda: inner.forward(_v(x)))\n"
        "    def backward(self, dout):\n"
        "        inner = _KEPT[id(self)]\n"
        "        return _Lazy(lambda: inner.backward(_v(dout)))\n"
    )
    other = (
        "import common.layers\n\n"
        "class _Other:\n"
        "    def forward(self, x):\n"
        "        return common.layers.Relu.forward(self, x)\n"
        "    def backward(self, dout):\n"
        "        return common.layers.Relu.backward(self, dout)\n\n"
        "class Relu:\n"
        "    def __new__(cls, *args, **kwargs):\n"
        "        return _Other()\n"
    )
    c = case("r", RELU_INPUTS, RELU_CASE)
    ran = run_inside({"layers.py": lazy, **SUPPORT}, job("layers", [c], **LJ))
    failure = ran.case("r")["failure"]
    assert failure["code"] == "missing_name", failure
    assert failure["message"].startswith("Relu ran the grader's stand-in common.layers.Relu."), failure
    ran = run_inside({"layers.py": other, **SUPPORT}, job("layers", [c], **LJ))
    failure = ran.case("r")["failure"]
    assert failure["code"] == "missing_name", failure
    assert failure["message"].startswith("Relu(...) returned an object of _Other, not an instance of Relu"), (
        failure
    )


# A layer on 4-D input behind an Affine whose backward returns dx flat: Relu here, Pooling in SimpleConvNet.
RELU_AFFINE_4D = [
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "r"},
    {"do": "apply", "op": "Affine", "args": ["r", "W", "b"], "out": "s"},
    {"do": "apply", "op": "SoftmaxWithLoss", "args": ["s", "t"], "out": "loss"},
    {"do": "backward", "of": "loss"},
    _rec("dW", "W"),
    _rec("dx", "x"),
]


def _relu_affine_4d(src: str, steps: list | None = None) -> dict:
    rng = np.random.default_rng(5)
    inputs = dict(
        x=rng.normal(size=(2, 3, 2, 2)), W=rng.normal(size=(12, 4)), b=np.zeros(4), t=np.array([1.0, 3.0])
    )
    return run_inside(_layers(src), job("layers", [case("c", inputs, steps or RELU_AFFINE_4D)], **LJ)).case()


def test_a_flat_dx_is_blamed_on_the_layers_that_gave_it_and_python_is_quoted_without_the_context() -> None:
    """Review of session 20: the message named every layer that took the output as an argument ("the dx that
    Sigmoid and Affine.backward returned", where the Sigmoid branch never leads to the loss and never ran
    backward), cited Affine's original_x_shape for a Relu that flattens its dx, and "Python said:" repeated
    the grader's context ("backward from loss: "). Now: only the layers whose backward gave that dout; the
    Affine reshape only when Affine is blamed; Python's words from the error's type on."""
    flat = S.LAYERS.replace("return dx.reshape(*self.original_x_shape)", "return dx")
    dead = [
        RELU_AFFINE_4D[0],
        {"do": "apply", "op": "Sigmoid", "args": ["r"], "out": "unused"},
        *RELU_AFFINE_4D[1:],
    ]
    message = _relu_affine_4d(flat, dead)["failure"]["message"]
    assert "the dx that Affine.backward returned" in message and "Sigmoid" not in message, message
    assert "Python said: IndexError" in message, message
    relu_flat = S.LAYERS.replace(
        "        dx = dout\n        return dx\n", "        return dout.reshape(len(dout), -1)\n"
    )
    assert relu_flat != S.LAYERS
    twice = [
        RELU_AFFINE_4D[0],
        {"do": "apply", "op": "Relu", "args": ["r"], "out": "r2"},
        {"do": "apply", "op": "Affine", "args": ["r2", "W", "b"], "out": "s"},
        *RELU_AFFINE_4D[2:],
    ]
    failure = _relu_affine_4d(relu_flat, twice)["failure"]
    message = failure["message"]
    assert failure["code"] == "exception", failure
    assert "Relu.backward was handed dout of shape (2, 12), the dx that Relu.backward returned" in message, (
        message
    )
    assert "original_x_shape" not in message, message


def test_a_flat_dx_handed_back_to_a_4d_layer_names_the_layer_that_returned_it() -> None:
    """An Affine whose backward returns dx without `.reshape(*self.original_x_shape)`: the layer before it
    (Pooling in SimpleConvNet's graph, Relu here) raised in its own right code ("axes don't match array" in
    Pooling.backward), and the message named that layer alone. It now says which layer handed the flat dx and
    the reshape to add. Controls: the book's Affine passes; a Relu.backward raising on a dout of its own
    shape (NameError) keeps Python's words alone."""
    flat = S.LAYERS.replace("return dx.reshape(*self.original_x_shape)", "return dx")
    assert flat != S.LAYERS
    failure = _relu_affine_4d(flat)["failure"]
    assert failure["code"] == "exception", failure
    message = failure["message"]
    assert (
        "Relu.backward was handed dout of shape (2, 12), the dx that Affine.backward returned, where "
        "Relu.forward returned shape (2, 3, 2, 2)"
    ) in message, message
    assert "dx.reshape(*self.original_x_shape)" in message and "Python said:" in message
    assert _relu_affine_4d(S.LAYERS)["status"] == "ok"
    broken = S.LAYERS.replace("        dout[self.mask] = 0\n", "        dout[self.mask] = zero\n")
    assert broken != S.LAYERS
    other = _relu_affine_4d(broken)["failure"]["message"]
    assert "NameError" in other and "was handed" not in other, other


def test_a_dx_of_another_size_or_a_bare_number_is_blamed_on_the_layer_that_returned_it() -> None:
    """Session 26 (realdlfs): only a flat dx of the right size was explained. An Affine.backward returning
    self.dW (another size) or a bare 0 reached the Relu below it, whose right code raised ("boolean index did
    not match" in Relu.backward), and Python's words named Relu alone. Both now name Affine.backward; the
    book's reshape is cited only for the flat dx of the right size (its own mistake)."""
    returns_dw = S.LAYERS.replace("return dx.reshape(*self.original_x_shape)", "return self.dW")
    assert returns_dw != S.LAYERS
    failure = _relu_affine_4d(returns_dw)["failure"]
    message = failure["message"]
    assert failure["code"] == "exception", failure
    assert (
        "Relu.backward was handed dout of shape (12, 4), the dx that Affine.backward returned, where "
        "Relu.forward returned shape (2, 3, 2, 2)"
    ) in message, message
    assert "original_x_shape" not in message and "Python said:" in message, message
    returns_zero = S.LAYERS.replace("return dx.reshape(*self.original_x_shape)", "return 0")
    assert returns_zero != S.LAYERS
    message = _relu_affine_4d(returns_zero)["failure"]["message"]
    assert "Relu.backward was handed dout that is a single number, not an array" in message, message
    assert "the dx that Affine.backward returned" in message, message


def test_a_dy_of_another_shape_is_called_dy_not_dx() -> None:
    """Review of session 26 (fixrealdlfs): an AddLayer.backward summing dy over the batch handed the Relu
    behind its second input a dout of shape (4,), and the message said "the dx that AddLayer.backward
    returned ... must return dx". It is AddLayer's dy. Control: the book's AddLayer passes."""
    steps = [
        {"do": "apply", "op": "Relu", "args": ["x"], "out": "r"},
        {"do": "apply", "op": "AddLayer", "args": ["y", "r"], "out": "s"},
        {"do": "apply", "op": "SoftmaxWithLoss", "args": ["s", "t"], "out": "loss"},
        {"do": "backward", "of": "loss"},
        _rec("dx", "x"),
    ]
    rng = np.random.default_rng(7)
    inputs = dict(x=rng.normal(size=(3, 4)), y=rng.normal(size=(3, 4)), t=np.array([0.0, 3.0, 1.0]))

    def run(src: str) -> dict:
        return run_inside(_layers(src), job("layers", [case("c", inputs, steps)], **LJ)).case()

    summed_dy = S.LAYERS.replace(
        "        return dout * 1, dout * 1", "        return dout * 1, dout.sum(axis=0)"
    )
    assert summed_dy != S.LAYERS
    message = run(summed_dy)["failure"]["message"]
    assert "Relu.backward was handed dout of shape (4,), the dy that AddLayer.backward returned" in message, (
        message
    )
    assert "must return dy in the shape of the input" in message and "dx" not in message, message
    assert run(S.LAYERS)["status"] == "ok"


def test_a_backward_returning_more_than_its_input_gradients_is_an_error_naming_the_layer() -> None:
    """Session 26 (realdlfs): a tuple's first value was read as dx, so `return dx, self.dW, self.db` (and
    `return dx,`) passed every case the grader walks, while the book's network hands the whole tuple to the
    layer before it. Controls: the book's layers, MulLayer's and AddLayer's (dx, dy) elsewhere."""
    book = "return dx.reshape(*self.original_x_shape)"
    extra = S.LAYERS.replace(book, f"{book}, self.dW, self.db")
    assert extra != S.LAYERS
    failure = _relu_affine_4d(extra)["failure"]
    assert failure["code"] == "exception", failure
    message = failure["message"]
    assert "Affine.backward returned a tuple of 3 value(s); expected only the gradient of" in message, message
    assert "self.dW and self.db" in message, message
    relu = "        dx = dout\n        return dx"
    lone = S.LAYERS.replace(f"{relu}\n", f"{relu},\n")
    assert lone != S.LAYERS
    message = _relu_affine_4d(lone)["failure"]["message"]
    assert "Relu.backward returned a tuple of 1 value(s)" in message and "self.d" not in message, message
    assert _relu_affine_4d(S.LAYERS)["status"] == "ok"


def test_a_forward_returning_a_tuple_is_blamed_on_it_not_on_the_layer_after_it() -> None:
    """Session 26 (realdlfs): an Affine.forward returning cs231n's (out, cache) handed the pair to the Relu
    after it, whose right code raised, and Python's words named Relu.forward alone. Control: the book's."""
    book = "return np.dot(self.x, self.W) + self.b"
    cached = S.LAYERS.replace(book, f"{book}, self.x")
    assert cached != S.LAYERS
    steps = [
        {"do": "apply", "op": "Affine", "args": ["x", "W", "b"], "out": "h"},
        {"do": "apply", "op": "Relu", "args": ["h"], "out": "r"},
        {"do": "apply", "op": "SoftmaxWithLoss", "args": ["r", "t"], "out": "loss"},
        {"do": "backward", "of": "loss"},
        _rec("dW", "W"),
    ]
    failure = _relu_affine_4d(cached, steps)["failure"]
    assert failure["code"] == "exception", failure
    message = failure["message"]
    assert "Relu.forward was handed a tuple, not an array: Affine.forward returned a" in message, message
    assert "Python said:" in message, message
    assert _relu_affine_4d(S.LAYERS, steps)["status"] == "ok"


AFFINE_UNIT = [
    {"do": "apply", "op": "Affine", "args": ["r", "W", "b"], "out": "s"},
    {"do": "backward_local", "of": "s", "upstream": "ds"},
    {
        "do": "record",
        "key": "value",
        "label": "forward value of s",
        "method": "Affine.forward",
        "value_of": "s",
    },
    _rec("dx", "r", "s"),
]


def _affine_unit(src: str) -> dict:
    rng = np.random.default_rng(6)
    inputs = dict(
        r=rng.normal(size=(2, 3)), W=rng.normal(size=(3, 4)), b=np.zeros(4), ds=rng.normal(size=(2, 4))
    )
    return run_inside(_layers(src), job("layers", [case("c", inputs, AFFINE_UNIT)], **LJ)).case()


def test_a_forward_value_that_is_a_tuple_names_the_forward_not_a_ragged_nest() -> None:
    """Review of session 26 (fixrealdlfs): Affine's unit case read an (out, cache) forward value as numbers,
    "Affine.forward value forward value of out: got a tuple that cannot be read as numbers (a ragged nest of
    sequences ...)". It now says what the graphs say: Affine.forward returns its output array alone. A list
    (never told so) keeps the reading's words, the method said once. Control: the book's Affine."""
    book = "return np.dot(self.x, self.W) + self.b"
    cached = S.LAYERS.replace(book, f"{book}, self.x")
    assert cached != S.LAYERS
    failure = _affine_unit(cached)["failure"]
    assert failure["code"] == "exception", failure
    message = failure["message"]
    said = "Affine.forward returned a tuple, not an array: Affine.forward must return its output array alone"
    assert message.startswith(said), message
    assert "(out, cache)" in message and "ragged" not in message, message
    listed = S.LAYERS.replace(book, f"out = {book.removeprefix('return ')}\n        return [out, self.x]")
    assert listed != S.LAYERS
    message = _affine_unit(listed)["failure"]["message"]
    assert "Affine.forward: forward value of s: got a list" in message, message
    assert "value forward value" not in message, message
    assert _affine_unit(S.LAYERS)["status"] == "ok"
    # a backward from the layer itself reads the value to seed ones_like(out): the same words there
    seeded = [AFFINE_UNIT[0], {"do": "backward", "of": "s"}, _rec("dx", "r")]
    inputs = dict(r=np.ones((2, 3)), W=np.ones((3, 4)), b=np.zeros(4))
    failure = run_inside(_layers(cached), job("layers", [case("c", inputs, seeded)], **LJ)).case()["failure"]
    assert failure["message"].startswith(said) and "ragged" not in failure["message"], failure
    assert run_inside(_layers(), job("layers", [case("c", inputs, seeded)], **LJ)).case()["status"] == "ok"


# Chapter 6's optimizers (dlfs-advanced's common/optimizer.py): update(params, grads) called once per group of
# gradients on one params dict, the value read back from the array the grader put there.
STEPPER = """
class Step:
    def __init__(self, lr=0.5):
        self.lr, self.calls = lr, {}

    def update(self, params, grads):
        for key in params:
            self.calls[key] = self.calls.get(key, 0) + 1
            params[key] -= self.lr * self.calls[key] * grads[key]
"""
STEP_OPS = {"aliases": {"Step": ["Step"]}, "layers": {"Step": {"ctor_settings": ["lr"], "optimizer": True}}}


def _step_job(**settings: object) -> dict:
    args = ["p", "q", "dq1", "dp1", "dq2", "dp2"]
    steps = [
        {"do": "apply", "op": "Step", "args": args, "out": f"new_{k}", "settings": {**settings, "param": k}}
        for k in ("p", "q")
    ] + [{"do": "record", "key": k, "value_of": f"new_{k}"} for k in ("p", "q")]
    inputs = dict(p=[1.0], q=[10.0], dp1=[1.0], dq1=[2.0], dp2=[3.0], dq2=[4.0])
    return job("layers", [case("c", inputs, steps)], **{**LJ, "optional": ["Step"], "ops": STEP_OPS})


def test_an_optimizer_updates_one_params_dict_in_place_keeping_its_state_by_key() -> None:
    """Step(lr) multiplies its n-th step of a key by n: over two calls p = 1 - 0.5 * (1 * 1 + 2 * 3) = -2.5
    and q = 10 - 0.5 * (1 * 2 + 2 * 4) = 5 (by hand), each grads dict keyed q before p (`grad_keys`); the
    given lr reaches the constructor: lr 0.25 gives p = 1 - 0.25 * 7 = -0.75. Each apply builds a new
    optimizer on fresh copies (the second apply's p starts from 1 again)."""
    keyed = {"keys": ["p", "q"], "grad_keys": ["q", "p"]}
    ran = run_inside({"optimizer.py": STEPPER}, _step_job(**keyed))
    np.testing.assert_allclose(ran.record("p"), [-2.5])
    np.testing.assert_allclose(ran.record("q"), [5.0])
    ran = run_inside({"optimizer.py": STEPPER}, _step_job(**keyed, lr=0.25))
    np.testing.assert_allclose(ran.record("p"), [-0.75])


def test_an_optimizer_that_rebinds_params_entries_is_told_to_update_in_place() -> None:
    """`params[key] = params[key] - ...` leaves the arrays a network's layers hold unchanged: the case fails
    saying so, naming the class and the key. Control: the same arithmetic in place passes (above)."""
    src = STEPPER.replace("params[key] -= ", "params[key] = params[key] - ")
    ran = run_inside({"optimizer.py": src}, _step_job(keys=["p", "q"], grad_keys=["q", "p"]))
    failure = ran.case("c")["failure"]
    assert failure["code"] == "exception", failure
    assert "Step.update rebinds params['p'] to a new array" in failure["message"]
    assert "Update in place: params[key] -= ..." in failure["message"]


def test_each_optimizer_apply_gets_fresh_gradients_and_a_changed_one_is_an_input_change() -> None:
    """Review of s21-adv, finding 7: every apply step (one per parameter) ran the updates on the same gradient
    arrays, so an update scaling grads in place (`grads[key] *= lr; params[key] -= grads[key]`) handed the
    second apply (q) gradients scaled already, and q was wrong for p's step. Now q is the right
    10 - 0.5 * (1 * 2 + 2 * 4) = 5 as p is -2.5 (by hand, as above), and the case's gradient arrays the first
    apply changed are reported as changed inputs (the first call's: the second scales by 0.5 * 2 = 1).
    Control: the book's way changes none."""
    src = STEPPER.replace(
        "            params[key] -= self.lr * self.calls[key] * grads[key]\n",
        "            grads[key] *= self.lr * self.calls[key]\n            params[key] -= grads[key]\n",
    )
    assert src != STEPPER
    ran = run_inside({"optimizer.py": src}, _step_job(keys=["p", "q"], grad_keys=["q", "p"]))
    np.testing.assert_allclose(ran.record("p"), [-2.5])
    np.testing.assert_allclose(ran.record("q"), [5.0])
    assert sorted(ran.case("c")["mutated"]) == ["dp1", "dq1"]
    control = run_inside({"optimizer.py": STEPPER}, _step_job(keys=["p", "q"], grad_keys=["q", "p"]))
    assert control.case("c")["mutated"] == []


@pytest.mark.parametrize(
    ("name", "is_scale"),
    [
        ("weight_init_std", True),
        ("init_std", True),
        ("sigma", True),
        ("init_scale_w", True),
        ("weightInitStd", True),
        ("weight_init", True),
        ("stddev", True),
        ("weight_decay_lambda", False),  # review of s25-realdlfs, finding 2: 'weight' in it
        ("reg_scale", False),  # a weight decay's strength (s28-realdlfs): 'scale' in it
        ("l2_scale", False),
        ("weightDecayScale", False),
        ("penalty_scale", False),
        ("wd_std", False),
        ("regularization_scale", False),
        ("init_type", False),  # 'init' in it
        ("init_method", False),
        ("weight_file", False),
        ("activation", False),
        ("weight", False),
        ("substd", False),  # a word, not a substring
    ],
)
def test_only_whole_words_that_say_scale_name_a_weight_scale(name: str, is_scale: bool) -> None:
    """A constructor parameter is handed the book's 0.01 only when its whole words say initial scale."""
    from grader.inside.scale_names import names_a_scale

    assert names_a_scale(name) is is_scale


@pytest.mark.parametrize(
    ("name", "handed"),
    [
        ("weight_decay_lambda", 0.0),
        ("reg_scale", 0.0),
        (
            "lambd",
            0.0,
        ),  # `lambda` is a keyword: deeplearning.ai's spelling (review of s28-realdlfs, finding 4)
        ("lmbda", 0.0),
        ("lam", 0.0),
        ("l2_lambd", 0.0),
        ("weight_init_std", 0.01),
        ("sigma", 0.01),
        ("activation", None),  # control: neither a scale nor a decay
        ("lamp", None),
        ("init_type", None),
    ],
)
def test_a_required_parameter_is_handed_what_its_whole_words_say(name: str, handed: float | None) -> None:
    """A required constructor parameter the case does not set is handed 0 when its words say weight decay,
    the book's 0.01 when they say initial scale, nothing otherwise."""
    from grader.inside.scale_names import handed_value

    assert handed_value(name) == handed


_LOOP = "            dout = layer.backward(dout)"
_DROPPED = "the line drops what backward returns"


def test_a_slow_gradient_is_walked_as_a_quick_one() -> None:
    """A gradient whose loop drops what backward returns is told as the loop's mistake (the grader walks the
    layers as the book does), however long it ran before failing: the same submission, the same message, on
    a loaded machine too (DESIGN.md rule 7). Until session 29 one that ran over 1 s of wall time was not
    walked, and Python's words named the layer instead (the control: this test fails on that tree)."""
    assert _LOOP in S.TWO_LAYER_NET
    dropped = S.TWO_LAYER_NET.replace(_LOOP, "            layer.backward(dout)")
    quick = run_inside(_net_files(dropped), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert _DROPPED in quick["message"]
    wait = "        import time; time.sleep(1.2); dout = 1\n"  # on the same line: the message names lines
    slow_net = dropped.replace("        dout = 1\n", wait, 1)
    assert slow_net != dropped
    slow = run_inside(_net_files(slow_net), job("layers", [_net_case()], **LJ)).case("net")["failure"]
    assert slow["message"] == quick["message"]


def test_the_walk_runs_the_training_forward_of_a_loss_taking_train_flg() -> None:
    """MultiLayerNetExtend.loss(x, t, train_flg=False): the grader's walk calls it with train_flg=True, as the
    book's gradient does. Here a Relu keeping its mask only while training (as Dropout draws one only then):
    walked at test time its backward failed (None * dout), and the loop's mistake went untold."""
    forward = "        self.mask = (x <= 0)\n        out = x.copy()\n        out[self.mask] = 0"
    backward = "        dout[self.mask] = 0\n        dx = dout"
    assert forward in S.LAYERS and backward in S.LAYERS
    relu = S.LAYERS.replace("class Relu:", "class Relu:\n    training = True", 1)
    relu = relu.replace(
        forward,
        "        self.keep = (x > 0) if Relu.training else None\n"
        "        out = x.copy()\n        out[x <= 0] = 0",
    ).replace(backward, "        dx = dout * self.keep")
    loss = "    def loss(self, x, t):\n        y = self.predict(x)"
    net = S.TWO_LAYER_NET.replace(_LOOP, "            layer.backward(dout)").replace(
        loss,
        "    def loss(self, x, t, train_flg=False):\n        Relu.training = train_flg\n"
        "        y = self.predict(x)",
    )
    net = net.replace("        self.loss(x, t)\n", "        self.loss(x, t, train_flg=True)\n")
    assert net.count("train_flg") == 3
    ran = run_inside(_net_files_with(relu, net), job("layers", [_net_case()], **LJ))
    assert _DROPPED in ran.case("net")["failure"]["message"]


# A layer that counts its own forwards: what a second apply step reads tells a fresh layer from the same one.
COUNTED = """
class Counted:
    def __init__(self):
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return self.calls * x
"""


def _counted(again: dict) -> dict:
    ops = {"aliases": {"Counted": ["Counted"]}, "layers": {"Counted": {}}}
    steps = [
        {"do": "apply", "op": "Counted", "args": ["x"], "out": "y"},
        {"do": "apply", "op": "Counted", "args": ["x"], "out": "z", **again},
        {"do": "record", "key": "y", "value_of": "y"},
        {"do": "record", "key": "z", "value_of": "z"},
    ]
    return job("layers", [case("c", {"x": [2.0]}, steps)], **{**LJ, "optional": ["Counted"], "ops": ops})


def test_again_calls_forward_on_the_layer_that_made_the_value() -> None:
    """An apply step's `again: "y"` calls forward once more on the layer that made y, not on a fresh one:
    its second call gives 2 * x = 4 (dlfs-advanced's Dropout redraw: a generator of the layer's own moves on,
    a mask kept from call to call shows). Control: without `again` a fresh layer's first call gives 2."""
    ran = run_inside({"layers.py": COUNTED}, _counted({"again": "y"}))
    assert float(ran.record("y")[0]) == 2.0 and float(ran.record("z")[0]) == 4.0
    fresh = run_inside({"layers.py": COUNTED}, _counted({}))
    assert float(fresh.record("z")[0]) == 2.0


def test_again_naming_no_earlier_value_of_that_op_is_the_graders_error() -> None:
    """`again` naming a value no earlier step of that op made: a malformed case, not the student's failure."""
    failure = run_inside({"layers.py": COUNTED}, _counted({"again": "nowhere"})).case("c")["failure"]
    assert failure["code"] == "grader_error" and "'again' names 'nowhere'" in failure["message"], failure


def test_a_layers_backward_is_read_in_the_round_trip_that_calls_it() -> None:
    """A layer's backward result is read as its items (MulLayer's and AddLayer's (dx, dy)) or as itself in
    the batch that calls it (server `items_or`), where its kind and then its items were two round trips:
    the apples-and-oranges graph's four backward calls, 21 round trips for the job on a copy of main
    before session 30, 17 now, with the book's printed values (FACTS.md section 3)."""
    ran = run_inside(_layers(), job("layers", [case("c", AO_INPUTS, APPLE_ORANGE)], **LJ),
                     driver=COUNTING_ROUND_TRIPS)  # fmt: skip
    for key, expected in AO_DOCUMENTED.items():
        assert ran.record(key).item() == pytest.approx(expected, rel=1e-12), key
    assert int(ran.stdout.split("round trips ")[-1].split()[0]) == 17


# a tuple whose iteration indexes an array with floats, on a line that indexes with a `t`
_RAISING_TUPLE = (
    "class Grads(tuple):\n    def __iter__(self):\n        t = self[0]\n        return iter([t[t]])\n\n"
)


# A process whose `items_or` stops its batch at an iteration that raises (the server as merged from
# s30-strips): the error arrives with the call's answer, which `LayerBackward._run` must not explain as the
# call's (`result.answered`); the server since answers None and the harness asks `iter` alone.
_DRIVER_ITEMS_RAISE = COUNTING_ROUND_TRIPS.replace(
    "from inside.runner import run_job",
    "import inside.server as SV\n"
    "def _raising(s, op):\n    return SV._iter(s, op) if isinstance(s.value(op['obj']), tuple) else None\n"
    "SV.OPS['items_or'] = (_raising, SV.PLAIN)\n"
    "from inside.runner import run_job",
)


@pytest.mark.parametrize("driver", [None, _DRIVER_ITEMS_RAISE], ids=["server", "error-at-items_or"])
def test_a_backward_tuple_whose_iteration_raises_is_told_as_before(driver: str | None) -> None:
    """A backward's tuple is read in the batch of its call (server `items_or`): an error its iteration
    raises is told as it was when the items were a round trip of their own, never explained as the backward
    call's (a SoftmaxWithLoss on one-hot rows whose error reads like indexing with them would be told "t
    holds one-hot rows"; the message from a copy of main before session 30), whether the server answers the
    items None and `iter` raises it alone, or the error stops the call's batch at `items_or`."""
    src = S.LAYERS.replace("            dx = dx / batch_size\n        return dx\n",
                           "            dx = dx / batch_size\n        return Grads((dx,))\n", 1)  # fmt: skip
    assert src != S.LAYERS
    t = np.eye(3)[[0, 2]]
    steps = [
        {"do": "apply", "op": "SoftmaxWithLoss", "args": ["x", "t"], "out": "loss"},
        {"do": "backward", "of": "loss"},
        _rec("dx", "x"),
    ]
    cases = [case("c", {"x": np.arange(6.0).reshape(2, 3), "t": t}, steps)]
    extra = {} if driver is None else {"driver": driver}
    ran = run_inside(_layers(_RAISING_TUPLE + src), job("layers", cases, **LJ), **extra)
    assert ran.case("c")["failure"]["message"] == (
        "backward from loss: IndexError: arrays used as indices must be of integer (or boolean) type "
        "(layers.py line 4, in Grads.__iter__: `return iter([t[t]])`)"
    )


# Student processes whose server answers `items_or` otherwise: never the items (as for a type whose
# `__class__` lied to `describe`), or a value described as one answered as a list of itself, twice.
_DRIVER_ITEMS_NEVER = COUNTING_ROUND_TRIPS.replace(
    "from inside.runner import run_job",
    "import inside.server as SV\nSV.OPS['items_or'] = (lambda s, op: None, SV.PLAIN)\n"
    "from inside.runner import run_job",
)
_DRIVER_ITEMS_TWICE = COUNTING_ROUND_TRIPS.replace(
    "from inside.runner import run_job",
    "import inside.server as SV\n"
    "def _listed(s, op):\n    obj = s.value(op['obj'])\n    return [[s.local(obj), s.describe(obj)]] * 2\n"
    "SV.OPS['items_or'] = (_listed, SV.PLAIN)\n"
    "from inside.runner import run_job",
)


def test_a_process_whose_items_never_come_is_asked_them_alone_as_before() -> None:
    """Hostile: a process that answers `items_or` with nothing for every tuple is asked the items alone
    (`iter`), the round trips main took (21), the book's values."""
    ran = run_inside(_layers(), job("layers", [case("c", AO_INPUTS, APPLE_ORANGE)], **LJ),
                     driver=_DRIVER_ITEMS_NEVER)  # fmt: skip
    for key, expected in AO_DOCUMENTED.items():
        assert ran.record(key).item() == pytest.approx(expected, rel=1e-12), key
    assert int(ran.stdout.split("round trips ")[-1].split()[0]) == 21


_RELU_STEPS = [
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
    {"do": "backward", "of": "y", "upstream": "dout"},
    _rec("dx", "x"),
]
_RELU_INPUTS = {"x": [[1.0, -1.0]], "dout": [[2.0, 3.0]]}


def test_items_a_process_answers_for_one_value_are_never_read() -> None:
    """Hostile: a process that answers a value described as one (Relu's dx) with items (two of them: read,
    they would be "returned a tuple of 2") is read by the kind described, as before session 30: the
    items are not read, both cases get Relu's dx (an honest process answers items for one value too: a
    tuple whose `__class__` lies, `test_a_backward_tuple_whose_class_lies_is_one_value_as_before`)."""
    cases = [case("c1", _RELU_INPUTS, _RELU_STEPS), case("c2", _RELU_INPUTS, _RELU_STEPS)]
    ran = run_inside(_layers(), job("layers", cases, **LJ), driver=_DRIVER_ITEMS_TWICE)
    assert ran.record("dx", "c1").tolist() == ran.record("dx", "c2").tolist() == [[2.0, 0.0]]


# a tuple subclass whose `__class__` claims a numpy scalar: `describe` reads it as one value ("scalar")
_LYING_TUPLE = "class Grads(tuple):\n    @property\n    def __class__(self):\n        return np.int8\n"
_ITER_RAISES = "\n    def __iter__(self):\n        raise ValueError('no items')\n"


@pytest.mark.parametrize("iteration", ["", _ITER_RAISES], ids=["iterates", "iteration-raises"])
def test_a_backward_tuple_whose_class_lies_is_one_value_as_before(iteration: str) -> None:
    """A MulLayer.backward returning (dx, dy) as a tuple subclass whose `__class__` claims a numpy scalar:
    `describe` calls it one value, the server's `items_or` (by the real type) iterated it. Read by the kind
    described, as before session 30: the message main's code gave on this case (pasted from a run of
    4f275593), the next case graded. Review of s30-strips: its items were a protocol violation that blamed
    file descriptor 3 and left every later case of the phase unrun; an `__iter__` that raises (never run
    before) had its error told instead."""
    src = S.LAYERS.replace("        return dx, dy\n", "        return Grads((dx, dy))\n", 1)
    assert src != S.LAYERS
    src = src.replace("class MulLayer:", _LYING_TUPLE + iteration + "\n\nclass MulLayer:", 1)
    cases = [case("c1", AO_INPUTS, APPLE_ORANGE), case("c2", _RELU_INPUTS, _RELU_STEPS)]
    ran = run_inside(_layers(src), job("layers", cases, **LJ))
    failure = ran.case("c1")["failure"]
    assert failure["code"] == "exception", failure
    assert failure["message"] == "MulLayer.backward returned 1 value(s); expected 2 (dall_price, dtax)"
    assert ran.record("dx", "c2").tolist() == [[2.0, 0.0]]
