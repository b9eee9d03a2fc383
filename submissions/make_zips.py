"""Build the zipped sample submissions from the plain samples beside them, with deterministic bytes.

Run from anywhere: `python submissions/make_zips.py`. The zip is committed; re-running must not change it
(fixed timestamps, permissions, order and compression), so a diff means a sample changed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_DATE = (2024, 3, 1, 12, 0, 0)

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
print("Total number of examples = {}".format(X_.shape[0]))
'''

# zip name -> [(path inside the zip, bytes)]; the top folder is what students' zip tools add.
ZIPS: dict[str, list[tuple[str, bytes]]] = {
    "miniflow/correct_zipped.zip": [
        ("hw2-miniflow/miniflow.py", (HERE / "miniflow" / "correct.py").read_bytes()),
        ("hw2-miniflow/nn.py", _NN_SCRIPT),
        ("hw2-miniflow/README.txt", b"MiniFlow homework. Run nn.py to train.\n"),
        ("__MACOSX/hw2-miniflow/._miniflow.py", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "),
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
