"""NumPy's removed aliases, defined again in the student process: each stands for what NumPy itself said."""

from __future__ import annotations

import re
import types
import warnings

import numpy as np
import pytest

from grader.inside.numpy_removed import REMOVED, install

# NumPy's own words for what each removed name was (its AttributeError messages): the oracle of the table.
_FORMER = getattr(np, "__former_attrs__", {})
_EXPIRED = getattr(getattr(np, "_expired_attrs_2_0", None), "__expired_attributes__", {})


def _bare_numpy() -> types.ModuleType:
    """A copy of numpy's namespace to install into, so that the test process's numpy is left as it is."""
    fake = types.ModuleType("numpy")
    fake.__dict__.update({k: v for k, v in vars(np).items() if k not in REMOVED and k != "__getattr__"})
    return fake


@pytest.mark.parametrize("name", sorted(set(REMOVED) & set(_FORMER)))
def test_a_removed_builtin_alias_is_the_builtin_numpy_names(name: str) -> None:
    """np.float, np.int, ...: NumPy's message says "`np.float` was a deprecated alias for the builtin
    `float`"; the name stands for that builtin again, and the advice is that builtin."""
    builtin = re.search(r"alias for the builtin `(\w+)`", _FORMER[name]).group(1)  # type: ignore[union-attr]
    fake = _bare_numpy()
    install(fake)
    assert getattr(fake, name) is getattr(__import__("builtins"), builtin)
    assert REMOVED[name].instead == builtin and REMOVED[name].removed_in == "1.24"


@pytest.mark.parametrize("name", sorted(set(REMOVED) & set(_EXPIRED)))
def test_a_name_removed_in_2_0_is_what_numpy_says_to_use_instead(name: str) -> None:
    """np.float_, np.NaN, ...: NumPy 2's message says "Use `np.float64` instead."; the name is that object
    again (NaN compared as NaN), and the advice is NumPy's."""
    said = re.search(r"Use `([^`]+)` instead", _EXPIRED[name])
    assert said is not None, _EXPIRED[name]
    fake = _bare_numpy()
    install(fake)
    expected = eval(said.group(1), {"np": np})  # NumPy's own advice, evaluated
    got = getattr(fake, name)
    assert (
        got is expected
        or (isinstance(got, float) and np.isnan(got) and np.isnan(expected))
        or got == expected
    )
    assert REMOVED[name].instead == said.group(1) and REMOVED[name].removed_in == "2.0"


def test_every_name_of_the_table_is_one_today_numpy_lacks() -> None:
    """The table holds no name NumPy still has (overriding a living name would change what code computes),
    and this NumPy lacks every one of them (else the test of the student process below proves nothing)."""
    for name in REMOVED:
        assert name not in vars(np), name
        with pytest.raises(AttributeError), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # np.object, np.str: "will be defined as a scalar"
            getattr(np, name)


def test_asscalar_and_the_functions_do_what_they_did() -> None:
    """np.asscalar(a) was a.item(); np.product, np.cumproduct, np.alltrue, np.sometrue, np.round_ were
    np.prod, np.cumprod, np.all, np.any, np.round (computed here by hand)."""
    fake = _bare_numpy()
    install(fake)
    assert fake.asscalar(np.array([2.5])) == 2.5 and type(fake.asscalar(np.array([2.5]))) is float
    assert fake.product([2, 3, 4]) == 24 and list(fake.cumproduct([2, 3, 4])) == [2, 6, 24]
    assert not fake.alltrue([True, False]) and fake.sometrue([False, True])
    assert fake.round_(2.675, 1) == 2.7


def test_a_name_the_numpy_still_has_is_left_alone() -> None:
    """On an older NumPy that still has np.float_ nothing is replaced."""
    fake = _bare_numpy()
    kept = object()
    fake.float_ = kept  # type: ignore[attr-defined]
    defined = install(fake)
    assert fake.float_ is kept and "float_" not in defined and "float" in defined
