"""grader/inside/codec.py: arrays between the harness and a student process, both encodings."""

from __future__ import annotations

import json
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


def _each_checked(a: np.ndarray) -> dict[str, object]:
    """The frames' form by its rule, element by element: a finite float as it is, nan and the infinities as
    their names (the oracle for `encode`'s shortcut for finite float64 arrays)."""
    names = {math.inf: "inf", -math.inf: "-inf"}
    data = [x if math.isfinite(x) else ("nan" if math.isnan(x) else names[x]) for x in map(float, a.ravel())]
    return {"shape": list(a.shape), "data": data}


@pytest.mark.parametrize(
    "a",
    [
        np.array([1.5, -0.0, 2.0]),
        np.arange(6.0).reshape(2, 3),
        np.array(3.0),
        np.array([], dtype=np.float64),
        np.array([np.nan, 1.0]),
        np.array([[np.inf], [-np.inf]]),
        np.array([1e308, 1e308]),  # finite numbers whose sum is not
        np.array([1.0, -np.inf, np.inf]),  # a sum of nan
        np.array([1, 2]),  # ints: sent as floats
        np.array([2.5], dtype=np.float32),
        np.array([1.0, 2.0], dtype=">f8"),
        np.array([[-0.0], [5e-324]]),  # the sign of a zero and a subnormal, kept by the shortcut
        np.array([-0.0, np.nan]),  # and by the number-by-number form
    ],
)
def test_encode_gives_each_number_its_form(a: np.ndarray) -> None:
    """Every array's numbers in the frames' form, whether or not the finite float64 shortcut applies; each a
    float, never a numpy scalar or an int."""
    encoded = codec.encode(a)
    # As the frames carry it (JSON text): `==` of the dicts takes 0.0 for -0.0, the text does not.
    assert json.dumps(encoded) == json.dumps(_each_checked(a))
    assert all(type(x) in (float, str) for x in encoded["data"])  # type: ignore[attr-defined]
