"""grader/arrays.py: decoding frames' arrays exactly, with plain floats taken whole and the rest checked."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from grader import arrays


def test_plain_floats_decode_to_the_same_float64_bits():
    data = [0.1, -0.0, 1e-310, 1.7976931348623157e308, 2.5]
    got = arrays.decode({"shape": [5], "data": data})
    assert got.dtype == np.float64
    assert [math.copysign(1.0, x) for x in got] == [1.0, -1.0, 1.0, 1.0, 1.0]
    assert got.astype("<f8").tobytes() == struct.pack(f"<{len(data)}d", *data)  # Python's own doubles


def test_integers_and_non_finite_spellings_decode_among_floats():
    got = arrays.decode({"shape": [2, 2], "data": [1, 0.5, "nan", "-inf"]})
    assert got[0, 0] == 1.0 and got[0, 1] == 0.5
    assert math.isnan(got[1, 0]) and got[1, 1] == -math.inf


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ([1.0, True], "booleans"),
        ([1.0, "1.0"], "not a number"),
        ([1.0, None], "not a number"),
        ([1.0, 10**400], "out of float64 range"),
    ],
)
def test_anything_but_a_number_is_refused_even_after_plain_floats(data, why):
    with pytest.raises(arrays.ArrayFormatError, match=why):
        arrays.decode({"shape": [2], "data": data})
