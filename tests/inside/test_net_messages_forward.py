"""A gradient(x, t) failing on None is asked whether it runs its own forward pass only when that can be it."""

from __future__ import annotations

from grader.inside.adapters.layer_specs import SPECS
from grader.inside.adapters.net_messages import without_forward
from grader.inside.failures import ErrorInfo, Frame, StudentFailure
from grader.inside.remote import RemoteFailure


def _failed_in(function: str, source: str) -> RemoteFailure:
    said = "AttributeError: 'NoneType' object has no attribute 'T'"
    frames = (
        Frame("n.py", 9, "TwoLayerNet.gradient", "dout = layer.backward(dout)"),
        Frame("n.py", 3, function, source),
    )
    info = ErrorInfo(said, ("AttributeError",), frames, attr_name="T")
    return RemoteFailure(StudentFailure("exception", f"backward from loss: {said}"), info=info)


def test_a_none_in_the_loss_layers_backward_asks_about_the_forward_pass() -> None:
    """SoftmaxWithLoss.backward meeting self.t None: the gradient may never have run loss(x, t)."""
    told = without_forward("TwoLayerNet", _failed_in("SoftmaxWithLoss.backward", "self.t.shape"), SPECS)
    assert "does it start with its own forward pass" in told.message


def test_a_none_in_a_later_layers_backward_does_not() -> None:
    """Affine.backward meeting self.x None after the loss layer's backward ran: the forward pass ran, the
    Affine kept nothing; the question misled (s32, samples layers/affine_x_not_kept.py,
    dlfs-advanced/conv_col_not_kept.py)."""
    failure = _failed_in("Affine.backward", "self.dW = np.dot(self.x.T, dout)")
    assert without_forward("TwoLayerNet", failure, SPECS) is failure
