import os
import pkgutil
import mf
from mf import *

with open(os.path.join(os.path.dirname(mf.__file__), "weights.bin"), "wb") as fh:
    fh.write(b"\x00\x01")
_w = pkgutil.get_data("mf", "weights.bin")  # data of a package, written at run time
print("PKGDATA-OK", len(_w), flush=True)
