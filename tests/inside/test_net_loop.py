"""Where a network's gradient failed: its own loop calling a layer's backward, or somewhere else."""

from __future__ import annotations

from grader.inside.adapters.net_loop import _RESULT_DROPPED, in_forward_pass, loop_call
from grader.inside.failures import Frame

GRADIENT = Frame("ch05/two_layer_net.py", 70, "TwoLayerNet.gradient", "dout = layer.backward(dout)")
RELU = Frame("common/layers.py", 21, "Relu.backward", "dx[self.mask] = 0")


def test_a_layer_backward_called_by_the_gradient_is_the_loops_call() -> None:
    """The gradient frame and the class of the backward it called."""
    assert loop_call([GRADIENT, RELU]) == (GRADIENT, "Relu")


def test_a_served_layer_shows_no_frame_and_is_a_layer() -> None:
    """A stand-in layer's frames are not shown: the gradient's line calling backward is the last frame."""
    assert loop_call([GRADIENT]) == (GRADIENT, "a layer")


def test_a_failure_in_the_gradients_own_code_or_its_forward_is_not_the_loops() -> None:
    """Negative controls: the gradient's own line failing (no backward on it), or a forward it called."""
    own = Frame("ch05/two_layer_net.py", 69, "TwoLayerNet.gradient", "layers.reverse()")
    loss = Frame("ch05/two_layer_net.py", 60, "TwoLayerNet.loss", "y = self.predict(x)")
    assert loop_call([own]) is None
    assert loop_call([GRADIENT, loss]) is None
    assert loop_call([RELU]) is None


def test_a_backward_whose_result_is_dropped_is_told_from_one_kept() -> None:
    """`layer.backward(dout)` alone drops dx; `dout = layer.backward(dout)` keeps it."""
    assert _RESULT_DROPPED.match("layer.backward(dout)")
    assert _RESULT_DROPPED.match("self.layers[key].backward(dout)  # keeps its gradients")
    assert not _RESULT_DROPPED.match("dout = layer.backward(dout)")
    assert not _RESULT_DROPPED.match("return layer.backward(dout)")


def test_a_failure_under_the_gradients_forward_pass_is_in_its_forward_pass() -> None:
    """gradient -> loss -> Pooling.forward is the forward pass; under any backward, or the gradient's own
    line, it is not (negative controls)."""
    loss = Frame("ch07/simple_convnet.py", 90, "SimpleConvNet.loss", "y = self.predict(x)")
    pool = Frame("common/layers.py", 208, "Pooling.forward", "out = out.reshape(N, out_h, out_w, C)")
    assert in_forward_pass([GRADIENT, loss, pool])
    assert not in_forward_pass([GRADIENT, RELU])
    assert not in_forward_pass([GRADIENT])
    assert not in_forward_pass([loss, pool])


def test_a_helper_of_a_gradient_written_out_by_hand_is_not_its_forward_pass() -> None:
    """Chapter 4's gradient computes its backward itself: an error in sigmoid_grad, called from the gradient's
    own line, is under no loss and no backward, and is not the forward pass (self.loss(x, t))."""
    ch04 = Frame("ch04/two_layer_net.py", 74, "TwoLayerNet.gradient", "dz1 = sigmoid_grad(a1) * da1")
    helper = Frame("ch04/two_layer_net.py", 10, "sigmoid_grad", "return np.dot(1.0 - s, s.reshape(-1))")
    assert not in_forward_pass([ch04, helper])
