"""grader/inside/params.py reads parameters as `inspect.signature` does: inspect is the oracle throughout."""

from __future__ import annotations

import functools
import inspect
import itertools
import re
from typing import Any

import pytest

from grader.inside.params import Param, parameters


def _inspected(fn: Any) -> list[Param] | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return [Param(p.name, int(p.kind), p.default is not p.empty) for p in sig.parameters.values()]


def _header(
    posonly: int, plain: int, defaults: int, star: bool, kwonly: int, kwdefaults: int, kw: bool
) -> str:
    """A `def` header's parameter list: positional-only, positional (the last `defaults` with defaults),
    *args or a bare *, keyword-only (every other one with a default, up to `kwdefaults`), **kwargs."""
    names = [f"p{i}" for i in range(posonly + plain)]
    first_default = len(names) - defaults
    parts = [f"{n}=1" if i >= first_default else n for i, n in enumerate(names)]
    if posonly:
        parts.insert(posonly, "/")
    if star or kwonly:
        parts.append("*args" if star else "*")
    parts += [f"k{j}=2" if j < kwdefaults else f"k{j}" for j in range(kwonly)]
    if kw:
        parts.append("**kwargs")
    return ", ".join(parts)


SHAPES = [
    (posonly, plain, defaults, star, kwonly, kwdefaults, kw)
    for posonly, plain, star, kwonly, kw in itertools.product(
        range(3), range(3), (False, True), range(3), (False, True)
    )
    for defaults in range(posonly + plain + 1)
    for kwdefaults in range(kwonly + 1)
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "-".join(map(str, map(int, s))))
def test_functions_methods_and_classes_read_as_inspect_reads_them(shape):
    header = _header(*shape)
    space: dict[str, Any] = {}
    exec(
        f"def f({header}): pass\nclass C:\n    def __init__({header}): pass\n    def m({header}): pass\n",
        space,
    )
    f, cls = space["f"], space["C"]
    instance = object.__new__(cls)
    sub = type("Sub", (cls,), {})
    for fn in (f, cls, sub, instance.m, cls.m, classmethod(f).__get__(None, cls)):
        assert parameters(fn) == _inspected(fn), (header, fn)


class Meta(type):
    def __call__(cls, a, b):
        return super().__call__()


class WithMeta(metaclass=Meta):
    def __init__(self, x): ...


class WithNew:
    def __new__(cls, a, b=1):
        return super().__new__(cls)

    def __init__(self, a, b=1, c=2): ...


class WithoutInit: ...


class DictLike(dict):
    def __init__(self, z): ...


class Signed:
    __signature__ = inspect.Signature([inspect.Parameter("only", inspect.Parameter.POSITIONAL_OR_KEYWORD)])

    def __init__(self, a, b): ...


def _decorated():
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            return fn(*args, **kwargs)

        return inner

    @wrap
    def f(a, b=2, *, c): ...

    return f


class Partials:
    def base(self, a, b, c=3): ...

    later = functools.partialmethod(base, 1)

    def __call__(self, q, r=1): ...


def _odd_callables():
    def no_params(): ...

    def only_kwonly(*, a): ...

    return [
        WithMeta, WithNew, WithoutInit, DictLike, Signed, _decorated(), Partials().later, Partials(), len,
        dict, functools.partial(lambda a, b: None, 1), no_params, only_kwonly, print, object, type,
        int.__add__,
    ]  # fmt: skip


def _id(fn: object) -> str:
    """repr without the object's address: the same in every process (each pytest-xdist worker collects)."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(fn))


@pytest.mark.parametrize("fn", _odd_callables(), ids=_id)
def test_the_callables_inspect_reads_another_way_read_the_same(fn):
    assert parameters(fn) == _inspected(fn)


def test_a_method_with_nothing_to_bind_has_no_signature_as_in_inspect():
    def no_params(): ...

    def only_kwonly(*, a): ...

    for fn in (no_params, only_kwonly):
        bound = fn.__get__(object())
        assert _inspected(bound) is None
        assert parameters(bound) is None
