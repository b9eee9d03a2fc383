"""grader/inside/codec.py: arrays between the harness and a student process, both encodings."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from grader.inside import codec


def test_data_form_of_plain_floats_keeps_every_bit():
    data = [0.1, -0.0, 5e-324, -1.5]
    got = codec.decode({"shape": [2, 2], "data": data})
    assert got.shape == (2, 2)
    assert got.astype("<f8").tobytes() == struct.pack("<4d", *data)  # Python's own doubles, in C order


def test_data_form_mixes_integers_and_non_finite_spellings():
    got = codec.decode({"shape": [3], "data": [2, "inf", "nan"]})
    assert got[0] == 2.0 and got[1] == math.inf and math.isnan(got[2])


@pytest.mark.parametrize("bad", [[1.0, False], [1.0, "x"], [1.0, [2.0]]])
def test_data_form_refuses_what_is_not_a_number(bad):
    with pytest.raises(codec.CodecError):
        codec.decode({"shape": [2], "data": bad})


def test_bytes_form_round_trips():
    a = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    assert codec.decode(codec.encode_bytes(a)).tobytes() == a.tobytes()
