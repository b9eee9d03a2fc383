"""Build the MiniFlow zip sample(s) of this folder, with deterministic bytes.

Run from anywhere: `python submissions/miniflow/_make_zip.py`. The zip is committed; re-running must not
change it (fixed timestamps, permissions, member order and compression), so a diff means a sample changed.
`correct_zipped.zip` is built by `submissions/make_zips.py`, not here. The leading underscore keeps this
script out of `grader samples`, which grades every other .py file of the folder as a student.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_DATE = (2023, 10, 2, 21, 47, 10)
_TOP = "MiniFlow HW"  # students' folder names have spaces

_NN_SCRIPT = b'''"""
Train the network on the Boston housing data (lesson 2, last quiz).
"""
import numpy as np
from sklearn.datasets import load_boston
from sklearn.utils import shuffle, resample
from miniflow import *

data = load_boston()
X_ = data['data']
y_ = data['target']
X_ = (X_ - np.mean(X_, axis=0)) / np.std(X_, axis=0)
print("Total number of examples = {}".format(X_.shape[0]))
'''

# What the student handed in: the finished miniflow.py, the training script, and Jupyter's autosave of an
# older, still buggy miniflow.py (sigmoid derivative from the input). The autosave is a trap: a loader that
# searched .ipynb_checkpoints/ would grade the old bug instead of the answer.
ZIPS: dict[str, list[tuple[str, bytes]]] = {
    "checkpoint_layout.zip": [
        (f"{_TOP}/miniflow.py", (HERE / "pass_pair_stage.py").read_bytes()),
        (f"{_TOP}/nn.py", _NN_SCRIPT),
        (f"{_TOP}/.ipynb_checkpoints/miniflow-checkpoint.py", (HERE / "sigmoid_from_input.py").read_bytes()),
    ],
}


_QUIZ_CELL = """X, W, b = Input(), Input(), Input()
y = Input()
f = Linear(X, W, b)
a = Sigmoid(f)
cost = MSE(y, a)

X_ = np.array([[-1., -2.], [-1, -2]])
W_ = np.array([[2.], [3.]])
b_ = np.array([-3.])
y_ = np.array([1, 2])

feed_dict = {X: X_, y: y_, W: W_, b: b_}
graph = topological_sort(feed_dict)
forward_and_backward(graph)
gradients = [t.gradients[t] for t in [X, y, W, b]]
print(gradients)
"""


def _notebook(classes: bytes) -> bytes:
    """A Colab notebook as students zip it: a markdown title, the classes in one code cell, the lesson's
    Sigmoid quiz in another (run in order)."""

    def code(n: int, text: str) -> dict[str, object]:
        lines = text.splitlines(keepends=True)
        return {"cell_type": "code", "execution_count": n, "metadata": {}, "outputs": [], "source": lines}

    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# MiniFlow homework\n"]},
            code(1, "%matplotlib inline\nimport numpy as np\n"),
            code(2, classes.decode("utf-8")),
            code(3, _QUIZ_CELL),
        ],
        "metadata": {"colab": {"name": "MiniFlow_HW.ipynb"}, "kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 0,
    }
    return (json.dumps(nb, indent=1, sort_keys=True) + "\n").encode("utf-8")


_MAC = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
# A notebook zipped in its folder on macOS: the notebook is the code (no .py beside it).
ZIPS["notebook_zipped.zip"] = [
    ("HW2/MiniFlow_HW.ipynb", _notebook((HERE / "correct.py").read_bytes())),
    ("__MACOSX/HW2/._MiniFlow_HW.ipynb", _MAC),
]
ZIPS["notebook_zipped_sigmoid_from_input.zip"] = [
    ("HW2/MiniFlow_HW.ipynb", _notebook((HERE / "sigmoid_from_input.py").read_bytes())),
    ("__MACOSX/HW2/._MiniFlow_HW.ipynb", _MAC),
]


def build(name: str, members: list[tuple[str, bytes]]) -> bytes:
    path = HERE / name
    with zipfile.ZipFile(path, "w") as zf:
        for arcname, data in members:
            info = zipfile.ZipInfo(arcname, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the host
            zf.writestr(info, data, compresslevel=9)
    return path.read_bytes()


def main() -> None:
    for name, members in ZIPS.items():
        data = build(name, members)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
