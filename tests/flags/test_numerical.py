"""Numerical-gradient rules: backward/gradient code that differentiates numerically is flagged at the line
that shows it; the book's own numerical tools, forward calls outside backward, and small constants that are
not finite-difference steps are not (the negative controls). Snippets are parsed, never run."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from textwrap import dedent

from grader import pyparse
from grader.flags import scan_submission
from grader.flags import source as source_module

LAYERS = ("MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "TwoLayerNet")
MINIFLOW = ("Input", "Linear", "Sigmoid", "MSE", "topological_sort", "forward_and_backward", "sgd_update")
DEZERO = ("Variable", "Function", "Square", "Exp", "Add", "square", "exp", "add", "no_grad", "Config")


def flagged(source: str, graded: tuple[str, ...] = LAYERS) -> list[tuple[int, str]]:
    """(line, summary) of every numerical_gradient flag of a one-file submission."""
    flags = scan_submission({"sub.py": dedent(source).encode()}, graded=graded)
    assert {f.code for f in flags} <= {"numerical_gradient"}, flags
    return [(f.line, f.summary) for f in flags]


# The book's TwoLayerNet (ch. 5): numerical_gradient is its own, expected method; gradient backpropagates.
BOOK_NET = """\
    class TwoLayerNet:
        def loss(self, x, t):
            y = self.predict(x)
            return self.lastLayer.forward(y, t)

        def numerical_gradient(self, x, t):
            loss_W = lambda W: self.loss(x, t)
            grads = {}
            grads['W1'] = numerical_gradient(loss_W, self.params['W1'])
            return grads

        def gradient(self, x, t):
            self.loss(x, t)
            dout = self.lastLayer.backward(1)
            for layer in reversed(list(self.layers.values())):
                dout = layer.backward(dout)
            return {'W1': self.layers['Affine1'].dW}
"""

# The book's numerical_gradient (ch. 4): a perturb-and-difference loop by design, in a function named so.
BOOK_NUMERICAL = """\
    def numerical_gradient(f, x):
        h = 1e-4
        grad = np.zeros_like(x)
        it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
        while not it.finished:
            idx = it.multi_index
            tmp_val = x[idx]
            x[idx] = float(tmp_val) + h
            fxh1 = f(x)
            x[idx] = tmp_val - h
            fxh2 = f(x)
            grad[idx] = (fxh1 - fxh2) / (2 * h)
            x[idx] = tmp_val
            it.iternext()
        return grad
"""


def test_the_books_numerical_tools_are_not_flagged():
    """Negative control: the book's numerical_gradient function and TwoLayerNet.numerical_gradient method,
    beside a gradient() that backpropagates, give no flag."""
    assert flagged(BOOK_NUMERICAL + "\n\n" + BOOK_NET) == []


def test_gradient_calling_numerical_gradient_is_flagged_at_the_call():
    """TwoLayerNet.gradient that returns self.numerical_gradient(x, t) is flagged on that line."""
    source = BOOK_NET.replace(
        "            self.loss(x, t)\n            dout",
        "            return self.numerical_gradient(x, t)\n            dout",
    )
    assert flagged(source) == [
        (
            13,
            "TwoLayerNet.gradient calls numerical_gradient(): the gradient is computed numerically, not by "
            "backprop",
        )
    ]


def test_backward_re_running_forward_is_flagged_and_forward_elsewhere_is_not():
    """Linear.backward calling self.forward() is flagged; forward_and_backward calling n.forward() and
    TwoLayerNet.loss calling self.predict() are what they should do (negative controls)."""
    source = """\
        class Linear(Node):
            def forward(self):
                X, W, b = (n.value for n in self.inbound_nodes)
                self.value = X @ W + b

            def backward(self):
                base = self.value
                self.forward()
                return base

        def forward_and_backward(graph):
            for n in graph:
                n.forward()
            for n in graph[::-1]:
                n.backward()
    """
    assert flagged(source, MINIFLOW) == [
        (8, "Linear.backward calls forward(): backward re-runs forward, as finite differences do")
    ]
    assert flagged(source.replace("self.forward()", "self.value.T"), MINIFLOW) == []


def test_dezero_call_runs_forward_and_is_not_flagged():
    """Negative control: Function.__call__ runs self.forward (that is the design); Square.backward with the
    analytic derivative is clean."""
    source = """\
        class Function:
            def __call__(self, *inputs):
                xs = [x.data for x in inputs]
                ys = self.forward(*xs)
                return ys

        class Square(Function):
            def forward(self, x):
                return x ** 2

            def backward(self, gy):
                x = self.inputs[0].data
                return 2 * x * gy
    """
    assert flagged(source, DEZERO) == []


def test_a_vectorised_central_difference_in_backward_is_flagged():
    """Exp.backward computing (exp(x + 1e-4) - exp(x - 1e-4)) / 2e-4 is flagged on the quotient's line, with
    the line that moves x in the summary; the analytic version is not."""
    source = """\
        class Exp(Function):
            def backward(self, gy):
                x = self.inputs[0].data
                up, down = np.exp(x + 1e-4), np.exp(x - 1e-4)
                return (up - down) / 2e-4 * gy
    """
    assert flagged(source, DEZERO) == [
        (
            5,
            "Exp.backward moves a value by a small step (line 4) and divides a difference by it: finite "
            "differences",
        )
    ]
    analytic = source.replace("up, down = np.exp(x + 1e-4), np.exp(x - 1e-4)", "y = np.exp(x)")
    assert flagged(analytic.replace("(up - down) / 2e-4 * gy", "y * gy"), DEZERO) == []


def test_a_numerical_helper_and_every_backward_that_calls_it_are_flagged():
    """A module-level perturb-and-difference helper is flagged (named with the backward that reaches it),
    and so is each backward that calls it, at the call."""
    source = """\
        H = 1e-5

        def vjp(f, x, dout):
            grad = np.zeros_like(x)
            for idx in np.ndindex(*x.shape):
                keep = x[idx]
                x[idx] = keep + H
                plus = f(x)
                x[idx] = keep - H
                minus = f(x)
                x[idx] = keep
                grad[idx] = np.sum((plus - minus) * dout) / (2 * H)
            return grad

        class Relu:
            def backward(self, dout):
                return vjp(lambda v: np.maximum(v, 0), self.x, dout)

        class Sigmoid:
            def backward(self, dout):
                return vjp(lambda v: 1 / (1 + np.exp(-v)), self.x, dout)
    """
    assert flagged(source) == [
        (12, "vjp (called from Relu.backward) moves a value by a small step (line 7) and divides a "
             "difference by it: finite differences"),
        (17, "Relu.backward calls vjp(), which computes gradients numerically (line 12)"),
        (21, "Sigmoid.backward calls vjp(), which computes gradients numerically (line 12)"),
    ]  # fmt: skip


def test_a_helper_method_inherited_from_a_base_class_is_followed():
    """backward calling self._grad(), defined on the base class, which re-runs forward: flagged in the
    helper, named with the backward that calls it."""
    source = """\
        class Layer:
            def _grad(self, dout):
                return self.forward(self.x + 1) - self.forward(self.x)

        class Relu(Layer):
            def backward(self, dout):
                return self._grad(dout)
    """
    assert flagged(source)[0] == (
        3,
        "Layer._grad (called from Relu.backward) calls forward(): backward re-runs forward, as finite "
        "differences do",
    )


def test_small_constants_that_are_not_steps_are_not_flagged():
    """Negative controls from real code: the book's log(y + 1e-7) / batch_size, batch-norm's var + 10e-7
    divided by the std, Adam's 1e-7 in the denominator sum, sgd_update's learning rate of 1e-2."""
    source = """\
        class SoftmaxWithLoss:
            def forward(self, x, t):
                self.loss = -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n
                return self.loss

        class BatchNormalization:
            def forward(self, x):
                std = np.sqrt(np.mean(x ** 2, axis=0) + 10e-7)
                return x / std

            def backward(self, dout):
                dstd = -np.sum((dout * self.xc) / (self.std * self.std), axis=0)
                return dstd / self.batch_size

        class Adam:
            def update(self, params, grads):
                for key in params:
                    params[key] -= self.lr * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)

        def sgd_update(trainables, learning_rate=1e-2):
            for t in trainables:
                t.value -= learning_rate * t.gradients[t] / 1.0
    """
    assert flagged(source, (*LAYERS, "sgd_update")) == []


def test_a_step_held_on_self_or_passed_as_h_counts():
    """`self.h = 1e-4` set in __init__ and used in backward, or a parameter called h, is a step."""
    on_self = """\
        class Sigmoid:
            def __init__(self):
                self.h = 1e-4

            def backward(self, dout):
                up = sig(self.x + self.h)
                return dout * (up - sig(self.x)) / self.h
    """
    assert [line for line, _ in flagged(on_self)] == [7]
    parameter = """\
        class Sigmoid:
            def backward(self, dout, h):
                return dout * (sig(self.x + h) - sig(self.x - h)) / (2 * h)
    """
    assert [line for line, _ in flagged(parameter)] == [3]


def test_code_outside_gradient_methods_is_not_scanned_for_numerical_gradients():
    """Negative control: a gradient check in the module's demo code (a class with no backward, a function
    nobody grades) may perturb and divide: that is what gradient checks do."""
    source = """\
        class GradCheckDemo:
            def run(self, f, x, eps=1e-6):
                return (f(x + eps) - f(x - eps)) / (2 * eps)

        def check(f, x, eps=1e-6):
            return (f(x + eps) - f(x - eps)) / (2 * eps)
    """
    assert flagged(source) == []


def test_a_numerical_gradient_called_through_an_alias_is_flagged():
    """The helper's own name was the only thing matched: `as ng`, `g = ...`, `self.g = ...` in __init__,
    functools.partial, a lambda wrapper and a module-level alias of a finite-difference helper of the file
    all hid it."""
    in_init = "class Base:\n    def __init__(self):\n        self.g = numerical_gradient"
    helper = "def diff(f, x):\n    h = 1e-4\n    return (f(x + h) - f(x - h)) / (2 * h)\nd = diff"
    aliases = {
        "from common.gradient import numerical_gradient as ng": "ng(lambda v: 0, self.x)",
        "from common.gradient import numerical_gradient\ng = numerical_gradient": "g(lambda v: 0, self.x)",
        "import functools\nfrom common.gradient import numerical_gradient\n"
        "g = functools.partial(numerical_gradient, lambda v: 0)": "g(self.x)",
        "from common.gradient import numerical_gradient\n"
        "g = lambda f, x: numerical_gradient(f, x)": "g(lambda v: 0, self.x)",
        f"from common.gradient import numerical_gradient\n{in_init}": "self.g(lambda v: 0, self.x)",
        helper: "d(max, self.x)",
    }
    for head, call in aliases.items():
        source = f"{head}\nclass Relu(Base):\n    def backward(self, dout):\n        return {call}\n"
        lines = {line for line, _ in flagged(source)}
        assert len(source.splitlines()) in lines, source


def test_forward_reached_by_another_name_in_backward_is_flagged():
    """`run = self.forward`, `getattr(self, 'for' + 'ward')` and forward handed to a helper as a value."""
    for body in (
        "run = self.forward\n        return run(self.x) * dout",
        "return getattr(self, 'for' + 'ward')(self.x) * dout",
        "f = getattr(self, f\"{'for'}ward\")\n        return slope(f, self.x) * dout",
        "return slope(self.forward, self.x) * dout",
    ):
        source = f"from helpers import slope\nclass Relu:\n    def backward(self, dout):\n        {body}\n"
        assert [line for line, _ in flagged(source)] == [len(source.splitlines())], source


def test_references_that_are_not_forward_are_not_flagged():
    """Negative controls: backward reading the loss value, calling another object's method held in a name,
    and an alias of a non-numerical function."""
    source = """\
        import numpy as np
        act = np.tanh
        class SoftmaxWithLoss:
            def backward(self, dout=1):
                scale = np.log(self.loss)
                step = self.update
                step(dout)
                return act(self.y - self.t) * scale
        """
    assert flagged(source) == []


def _counting_helpers(monkeypatch) -> dict[str, int]:
    """Counts what numerical._helpers is asked (calls) and gives (pairs): the scan's work per function."""
    from grader.flags import numerical

    count = {"calls": 0, "pairs": 0}
    real = numerical._helpers

    def counted(index, item):
        count["calls"] += 1
        for pair in real(index, item):
            count["pairs"] += 1
            yield pair

    monkeypatch.setattr(numerical, "_helpers", counted)
    return count


def test_a_chain_of_classes_costs_the_scan_work_in_proportion_to_its_length(monkeypatch):
    """Sample hostile/scan_class_chain.py: n classes each built on the next, each backward calling self.m().
    Every definition of m up the chain was followed for every class, and every function read again per
    round: 400 classes cost the parent 11 s, 2,000 over 20 minutes. Now the first class up the bases that
    defines m is taken, and each function's helpers are read once."""
    n = 150
    source = f"class L{n}:\n    pass\n" + "".join(
        f"class L{i}(L{i + 1}):\n    def backward(self, d):\n        return self.m(d)\n"
        "    def m(self, d):\n        return self.m(d)\n"
        for i in reversed(range(n))
    )
    count = _counting_helpers(monkeypatch)
    assert flagged(source) == []
    # each function's helpers read three times (two scopes and the callers' map): it was about n * n / 2
    assert count["pairs"] <= 6 * n and count["calls"] <= 6 * n, count


def test_a_chain_of_operators_costs_the_scan_work_in_proportion_to_its_length(monkeypatch):
    """Review (/tmp/r88/cost_mult.py, cost_addH.py): every BinOp the rule walks re-read its whole subtree for
    a step or a step's reciprocal, so a chain of n operators cost n * n / 2 nodes read (35 s for 256 KiB of
    `x*x*...`). Each node is now read once per function: the nodes read are counted (work, not time), and
    the chains still raise no flag; a chain ending in a step's quotient still does (control)."""
    from grader.flags import numerical

    count = {"nodes": 0}
    real_step, real_reciprocal = numerical._step_parts, numerical._reciprocal_parts

    def step(*args):
        count["nodes"] += 1
        return real_step(*args)

    def reciprocal(*args):
        count["nodes"] += 1
        return real_reciprocal(*args)

    monkeypatch.setattr(numerical, "_step_parts", step)
    monkeypatch.setattr(numerical, "_reciprocal_parts", reciprocal)
    n = 400
    source = (
        "H = 1e-4\nclass Relu:\n    def backward(self, x):\n"
        f"        y = {'*'.join(['x'] * n)}\n        z = {'+'.join(['H'] * n)}\n        return y - z\n"
    )
    assert flagged(source) == []
    assert count["nodes"] <= 16 * n, count  # about 2 * n * n / 2 before
    quotient = source.replace("return y - z", "return (y - (x + H)) * 5e4")
    assert [line for line, _ in flagged(quotient)] == [6]


def test_a_chain_of_helpers_ending_in_a_numerical_gradient_flags_each_once(monkeypatch):
    """backward -> f0 -> f1 -> ... -> f59 -> numerical_gradient: every link is flagged at its call, and each
    function's calls are read a bounded number of times (rounds over every function read them n times)."""
    n = 60
    source = "".join(f"def f{i}(x):\n    return f{i + 1}(x)\n" for i in range(n - 1))
    source += f"def f{n - 1}(x):\n    return numerical_gradient(None, x)\n"
    source += "class Relu:\n    def backward(self, dout):\n        return f0(dout)\n"
    count = _counting_helpers(monkeypatch)
    lines = [line for line, _ in flagged(source)]
    assert lines == [2 * i + 2 for i in range(10)]  # the first MAX_PER_CODE in line order
    assert count["calls"] <= 3 * (n + 1), count  # it was about n * n
    tail = "".join(f"def f{i}(x):\n    return f{i + 1}(x)\n" for i in range(3))
    tail += "def f3(x):\n    return numerical_gradient(None, x)\n"
    tail += "class Relu:\n    def backward(self, dout):\n        return f0(dout)\n"
    assert [line for line, _ in flagged(tail)] == [2, 4, 6, 8, 11]  # a short chain: backward's call too


def test_aliases_that_chain_or_loop_resolve_once():
    """`a = b; b = a` names nothing; `c = d; d = e; e = numerical_gradient` is numerical_gradient."""
    source = """\
        a = b
        b = a
        c = d
        d = e
        e = numerical_gradient
        class Relu:
            def backward(self, dout):
                a(dout)
                return c(None, dout)
        """
    assert [line for line, _ in flagged(source)] == [9]


def test_a_class_of_many_methods_is_read_once_not_once_per_call(monkeypatch):
    """A graded class of n methods, each calling self.forward(): each call looked forward up by reading every
    method of the class (4,000 methods, 250 KB: 10 s of the parent's CPU). Counted: the methods read."""
    from grader.flags import numerical

    read = 0
    real = numerical._defs

    def counted(body):
        nonlocal read
        for f in real(body):
            read += 1
            yield f

    monkeypatch.setattr(numerical, "_defs", counted)
    n = 300
    source = "class Linear:\n" + "".join(
        f"    def step{i}(self):\n        return self.forward()\n" for i in range(n)
    )
    assert flagged(source, MINIFLOW) == []
    assert read <= 10 * n, read  # it was n * n and more


def test_a_step_the_source_computes_is_a_step():
    """`H = 1 / 100000`, `float('1e-4')`, `np.finfo(float).eps ** 0.5`, `np.sqrt(np.finfo(float).eps)`: a
    step folded from a constant expression counts like a literal one (sample
    layers/numerical_backward_computed_step.py)."""
    for step in ("1 / 100000", "float('1e-4')", "np.finfo(float).eps ** 0.5", "np.sqrt(np.finfo(float).eps)",
                 "2.0 ** -14", "10.0 ** -4 / 2"):  # fmt: skip
        source = f"""\
            import numpy as np
            H = {step}

            class Sigmoid:
                def backward(self, dout):
                    return dout * (sig(self.x + H) - sig(self.x - H)) / (2 * H)
        """
        assert [line for line, _ in flagged(source)] == [6], step


def test_a_complex_step_is_a_step():
    """Complex-step differentiation, Im f(x + ih) / h, is numerical too."""
    source = """\
        class Sigmoid:
            def backward(self, dout):
                return dout * np.imag(sig(self.x + 1e-20j)) / 1e-20
    """
    assert [line for line, _ in flagged(source)] == [3]


def test_a_product_by_a_steps_reciprocal_is_a_quotient():
    """`(up - down) * SPREAD` with `SPREAD = 1 / (2 * H)`, or `* 50000.0`: a division by the step written as a
    product."""
    for spread in ("1 / (2 * H)", "50000.0"):
        source = f"""\
            H = 1e-5
            SPREAD = {spread}

            class Sigmoid:
                def backward(self, dout):
                    return dout * (sig(self.x + H) - sig(self.x - H)) * SPREAD
        """
        assert [line for line, _ in flagged(source)] == [6], spread
    literal = """\
        class Sigmoid:
            def backward(self, dout):
                return dout * (sig(self.x + 1e-5) - sig(self.x - 1e-5)) * 5e4
    """
    assert [line for line, _ in flagged(literal)] == [3]


def test_a_step_handed_to_a_helper_under_any_name_is_a_step():
    """`sweep(f, x, dout, H)` makes sweep's parameter `s` a step (only h/eps/delta... were), by position or
    keyword, for a function or a method called on self."""
    source = """\
        H = 1e-5

        def sweep(f, x, dout, s):
            return np.sum((f(x + s) - f(x - s)) * dout) / (2 * s)

        class Relu:
            def backward(self, dout):
                return sweep(np.abs, self.x, dout, H)

        class Sigmoid:
            def _d(self, x, tiny):
                return (sig(x + tiny) - sig(x)) / tiny

            def backward(self, dout):
                return dout * self._d(self.x, tiny=H)
    """
    assert [line for line, _ in flagged(source)] == [4, 8, 12, 15]


def test_computed_constants_that_are_not_steps_are_not_flagged():
    """Negative controls: a learning rate computed as 1 / 100, a large scale (`* 1000`) in a backward that
    moves nothing by a step, a helper handed a number that is not small, a step folded nowhere (a value
    read at run time)."""
    source = """\
        LR = 1 / 100
        SCALE = 1000.0

        def scaled(x, k):
            return (x + k) / k

        class Sigmoid:
            def backward(self, dout):
                return dout * self.out * (1.0 - self.out) * SCALE / SCALE

        class Affine:
            def backward(self, dout):
                return scaled(dout @ self.W.T, 2.0)

        def sgd_update(trainables, learning_rate=LR):
            for t in trainables:
                t.value -= learning_rate * t.gradients[t] / float(len(trainables))
    """
    assert flagged(source, (*LAYERS, "sgd_update")) == []


def test_a_step_scaled_by_a_run_time_value_is_a_step():
    """`h = 1e-4 * max(1.0, abs(x))` (scipy's relative step), or `self.h = eps * np.abs(x).max()`: a step
    scaled by what only the run knows folds to no number, and was no step to the scan."""
    source = """\
        class Sigmoid:
            def backward(self, dout):
                h = 1e-4 * max(1.0, float(np.abs(self.x).max()))
                return dout * (sig(self.x + h) - sig(self.x - h)) / (2 * h)
    """
    assert [line for line, _ in flagged(source)] == [4]
    on_self = """\
        EPS = 1e-6

        class Sigmoid:
            def forward(self, x):
                self.x = x
                self.h = EPS * np.abs(x).max()
                return sig(x)

            def backward(self, dout):
                return dout * (sig(self.x + self.h) - sig(self.x)) / self.h
    """
    assert [line for line, _ in flagged(on_self)] == [10]


def test_a_difference_written_with_numpy_calls_is_a_difference():
    """`np.add(x, h)` / `np.subtract(x, h)` move a value, `np.divide(d, 2 * h)` / `np.true_divide(d, h)`
    divide by the step, `h + h` is a step, `np.full_like(x, h)` is an array of steps: the operators spelled
    as calls hid the pattern from the scan."""
    source = """\
        import numpy as np
        H = 1e-5

        class Sigmoid:
            def backward(self, dout):
                up, down = sig(np.add(self.x, H)), sig(np.subtract(self.x, H))
                return dout * np.divide(up - down, H + H)

        class Relu:
            def backward(self, dout):
                step = np.full_like(self.x, H)
                return dout * np.true_divide(relu(self.x + step) - relu(self.x), step)
    """
    assert [line for line, _ in flagged(source)] == [7, 12]


def test_numpy_calls_that_are_not_a_difference_are_not_flagged():
    """Negative control: np.add of two arrays and np.divide by a batch size, np.clip with the book's 1e-7."""
    source = """\
        import numpy as np

        class SoftmaxWithLoss:
            def backward(self, dout=1):
                y = np.clip(self.y, 1e-7, 1.0)
                return np.divide(np.add(y, -self.t), self.t.shape[0]) * dout
    """
    assert flagged(source) == []


def test_a_librarys_numerical_derivative_is_a_numerical_gradient():
    """`np.gradient([f(x - h), f(x), f(x + h)], h)[1]` is a central difference with no quotient in the source;
    scipy's and numdifftools' derivatives take the function itself. Read through the file's imports: a
    method called gradient is no library (negative control: TwoLayerNet.gradient calling a layer's)."""
    source = """\
        import numpy as np
        import numdifftools as nd
        from scipy.misc import derivative

        class Sigmoid:
            def backward(self, dout):
                near = [sig(self.x - 0.01), sig(self.x), sig(self.x + 0.01)]
                return dout * np.gradient(near, 0.01, axis=0)[1]

        class Relu:
            def backward(self, dout):
                return dout * derivative(relu, self.x, dx=1e-6)

        class Affine:
            def backward(self, dout):
                return nd.Gradient(lambda W: np.sum((self.x @ W) * dout))(self.W)

        class TwoLayerNet:
            def gradient(self, x, t):
                return {k: layer.gradient(x) for k, layer in self.layers.items()}
    """
    assert [line for line, _ in flagged(source)] == [8, 12, 16]


ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    p for d in ("submissions", "fixtures", "reference", "grader") for p in (ROOT / d).rglob("*.py")
)
_ARITHMETIC = (ast.BinOp, ast.AugAssign, ast.Call)


def _scanned(path: Path) -> source_module.Source | None:
    try:
        return source_module.parse(str(path.relative_to(ROOT)), path.read_bytes(), frozenset())
    except source_module.Unscannable:
        return None


def test_each_functions_nodes_are_its_own_walks_in_its_order():
    """The rule reads each function's BinOp, AugAssign and Call nodes from the scan's one walk of the file
    (pyparse.walked_parents) instead of walking each function again: for every function of every distinct
    sample, fixture, reference and grader text, the same nodes in the order `pyparse.walk` of that function
    meets them (the walk itself is the oracle)."""
    from grader.flags import numerical

    functions = 0
    # one file a distinct text: the index is read off the text (the samples copy book files into folders)
    for path in {p.read_bytes(): p for p in reversed(CORPUS)}.values():
        src = _scanned(path)
        if src is None:
            continue
        index = numerical._index(src)
        for f in src.of(ast.FunctionDef, ast.AsyncFunctionDef):
            assert id(f) in index.by_function, (path, f.name)  # from the file's walk, not walked again
            want = tuple(n for n in pyparse.walk(f) if isinstance(n, _ARITHMETIC))
            assert index.arithmetic(f) == want, (path, f.name)
            functions += 1
    assert functions > 1000


def test_the_walks_parents_hold_each_node_in_a_field():
    """walked_parents: the node at each position is a child of the node at its parent's position."""
    tree = ast.parse((ROOT / "reference" / "miniflow.py").read_text())
    nodes, parents = pyparse.walked(tree), pyparse.walked_parents(tree)
    assert len(parents) == len(nodes) and parents[0] == -1
    for node, up in zip(nodes[1:], parents[1:], strict=True):
        assert any(child is node for child in ast.iter_child_nodes(nodes[up]))


def test_a_function_met_twice_in_a_tree_is_walked_on_its_own():
    """A tree that holds one function node at two places (a rewrite may share a node): the climb would
    count its nodes twice, so the rule walks such a file's functions as before."""
    from grader.flags import numerical

    src = _scanned(ROOT / "reference" / "miniflow.py")
    assert src is not None
    tree = ast.parse("def f(x):\n    return (g(x + 1e-5) - g(x)) / 1e-5\n")
    tree.body.append(tree.body[0])
    shared = source_module.parse("shared.py", b"", frozenset())
    assert shared is not None
    twice = dataclasses.replace(
        shared,
        tree=tree,
        nodes=pyparse.walked(tree),
        positions=pyparse.kinds(tree),
    )
    index = numerical._index(twice)
    assert index.by_function == {}
    f = tree.body[0]
    assert isinstance(f, ast.FunctionDef)
    assert len(index.arithmetic(f)) == len([n for n in pyparse.walk(f) if isinstance(n, _ARITHMETIC)]) == 5


class _CountedParents(tuple):  # type: ignore[type-arg]
    """A walk's parent positions that count how often they are read."""

    reads = 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        _CountedParents.reads += 1
        return super().__getitem__(index)


def test_the_climb_to_the_functions_costs_the_walk_not_its_depth(monkeypatch):
    """Review of s24-sparent: each operator climbed through every ancestor to the module, so a chain
    `x()()()...` of depth D cost D * D / 2 steps, a module without a def included (44 lines 2,900 deep:
    0.75 s of scan before, 3.9 s). The parents are read about once a node now (counted, not timed), and a
    quotient in a default of a def nested in a backward is still found under that backward (control)."""
    real = pyparse.walked_parents
    monkeypatch.setattr(pyparse, "walked_parents", lambda tree: _CountedParents(real(tree)))
    depth = 600
    source = (
        "class Relu:\n    def backward(self, x):\n"
        f"        y = x{'()' * depth}\n        return y\n"
        f"z = x{'()' * depth}\n"
    )
    _CountedParents.reads = 0
    assert flagged(source) == []
    assert 0 < _CountedParents.reads <= 4 * (2 * depth + 40), _CountedParents.reads  # ~depth * depth before
    nested = (
        "H = 1e-4\nclass Relu:\n    def backward(self, x):\n"
        "        def inner(d=(self.f(x + H) - self.f(x)) / H):\n            return d\n"
        "        return inner()\n"
    )
    assert [line for line, _ in flagged(nested)] == [4]
