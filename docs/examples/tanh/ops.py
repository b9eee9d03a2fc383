"""The worked example of docs/EXTENDING.md: a Tanh op for MiniFlow and a Tanh layer for DLFS.

An ops module is the instructor's code: it runs in the grader's own process (never in the sandbox), so it
may import numpy and the grader's `reference.extension`, but not torch (torch_forward receives it).
"""

import numpy as np

from reference.extension import ExtensionOp, LayerBuild, Mistake


def tanh_forward(x):
    return np.tanh(x)


def tanh_vjp(g, x, *, y):
    # d tanh(x) / dx = 1 - tanh(x)^2, read from the output y as the book does for sigmoid.
    return (g * (1.0 - y * y),)


def tanh_torch(torch, x):
    return torch.tanh(x)


def tanh_from_input(g, x, *, y):
    # The mistake: the derivative taken from the input x instead of the output y.
    return (g * (1.0 - x * x),)


OPS = [
    ExtensionOp(
        # A new identifier: the built-in ops' names are taken (DeZero's steps 35 grade their own `tanh`).
        name="course_tanh",
        forward=tanh_forward,
        vjp=tanh_vjp,
        torch_forward=tanh_torch,
        # family -> (the class name the cases use, other names accepted from students)
        classes={"miniflow": ("Tanh", "TanH"), "layers": ("Tanh", "TanhLayer")},
        # a DLFS layer: Tanh() takes nothing, forward(x), backward(dout) returns dx
        layer=LayerBuild(ctor=(), forward=(0,), returns=(0,)),
        mistakes=(
            Mistake(
                "course_tanh_from_input",
                "Tanh.backward uses the input x (1 - x**2); the derivative is 1 - y**2 with y the output "
                "that forward kept.",
                tanh_from_input,
            ),
        ),
    )
]
