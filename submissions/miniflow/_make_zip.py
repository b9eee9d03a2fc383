"""Build the MiniFlow zip sample(s) of this folder, with deterministic bytes.

Run from anywhere: `python submissions/miniflow/_make_zip.py`. The zip is committed; re-running must not
change it (fixed timestamps, permissions, member order and compression), so a diff means a sample changed.
`correct_zipped.zip` is built by `submissions/make_zips.py`, not here. The leading underscore keeps this
script out of `grader samples`, which grades every other .py file of the folder as a student.
"""

from __future__ import annotations

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
