"""Build the zipped layers sample(s) of this folder, with deterministic bytes.

Run from anywhere: `python submissions/layers/_make_zip.py`. The zip is committed; re-running must not change
it (fixed timestamps, permissions, member order and compression), so a diff means a sample changed. The
leading underscore keeps this script out of `grader samples`, which grades every other entry of the folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_DATE = (2024, 10, 7, 21, 14, 40)
_TOP = "hw5_backprop"  # the folder the student zipped

_BUY_APPLE = b"""# coding: utf-8
from layers import MulLayer

apple = 100
apple_num = 2
tax = 1.1

mul_apple_layer = MulLayer()
mul_tax_layer = MulLayer()

# forward
apple_price = mul_apple_layer.forward(apple, apple_num)
price = mul_tax_layer.forward(apple_price, tax)

# backward
dprice = 1
dapple_price, dtax = mul_tax_layer.backward(dprice)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print("price:", int(price))
print("dApple:", dapple)
print("dApple_num:", int(dapple_num))
print("dTax:", dtax)
"""

# Needs the book's MNIST loader (and a download): the grader never runs it once layers.py has every name.
_GRADIENT_CHECK = b"""# coding: utf-8
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from layers import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
x_batch = x_train[:3]
t_batch = t_train[:3]
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)
for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
"""

_README = b"""HW5 - backpropagation
layers.py      all the layers + TwoLayerNet
buy_apple.py   section 5.4 check (prints 220 / 2.2 / 110 / 200)
gradient_check.py  needs ../dataset/mnist.py from the book repo
"""

# zip name -> [(path inside the zip, bytes)]. Finder's zip adds __MACOSX/ resource forks and .DS_Store.
ZIPS: dict[str, list[tuple[str, bytes]]] = {
    "correct_zipped.zip": [
        (f"{_TOP}/layers.py", (HERE / "correct.py").read_bytes()),
        (f"{_TOP}/buy_apple.py", _BUY_APPLE),
        (f"{_TOP}/gradient_check.py", _GRADIENT_CHECK),
        (f"{_TOP}/README.txt", _README),
        (f"{_TOP}/.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 24),
        (f"__MACOSX/{_TOP}/._layers.py", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "),
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
