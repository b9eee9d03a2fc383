"""DeZero ("Deep Learning from Scratch 3", steps 1 to 18): Variable / Function, backward(), cleargrad().

Accepts the variants of FACTS.md: `creator`/`creater`, helpers or classes, backward returning a list, a tuple
or a single array, grads held as ndarray or `Variable`, `backward()` without `retain_grad` (earlier steps),
and no_grad through `no_grad()`, `using_config(...)` or the `Config.enable_backprop` flag.
Unit cases call `Function.backward(gy)` directly on the function instance used in the forward call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from ..failures import StudentFailure
from ..student import Names
from .base import AdapterBase, accepts_keyword, construct, first_attr

_CREATOR = ("creator", "creater")
_CLEARGRAD = ("cleargrad", "clear_grad", "cleargrads", "zero_grad")


def _class_name(op: str) -> str:
    return op[:1].upper() + op[1:]


def _as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (list, tuple)) else [result]


@contextlib.contextmanager
def _flag_off(config: Any) -> Iterator[None]:
    old = config.enable_backprop
    config.enable_backprop = False
    try:
        yield
    finally:
        config.enable_backprop = old


def _no_grad_helper(names: Names) -> Any:
    fn = names.get("no_grad")
    return None if fn is None else fn()


def _using_config(names: Names) -> Any:
    fn = names.get("using_config")
    return None if fn is None else fn("enable_backprop", False)


def _config_flag(names: Names) -> Any:
    config = names.get("Config")
    return _flag_off(config) if config is not None and hasattr(config, "enable_backprop") else None


# Ways to switch backprop off, tried in order.
NO_GRAD: tuple[Callable[[Names], Any], ...] = (_no_grad_helper, _using_config, _config_flag)


class DeZeroAdapter(AdapterBase):
    family = "dezero"
    ALIASES: ClassVar[dict[str, tuple[str, ...]]] = {
        "Variable": ("Variable",),
        "Function": ("Function",),
        "Square": ("Square",),
        "Exp": ("Exp",),
        "Add": ("Add",),
        "Mul": ("Mul",),
        "square": ("square",),
        "exp": ("exp",),
        "add": ("add",),
        "mul": ("mul",),
        "as_array": ("as_array",),
        "no_grad": ("no_grad",),
        "using_config": ("using_config",),
        "Config": ("Config",),
    }

    def __init__(self, names: Names, inputs: dict[str, np.ndarray]) -> None:
        super().__init__(names, inputs)
        self.vars: dict[str, Any] = {}
        self.funcs: dict[str, tuple[str, Any, list[str]]] = {}  # out -> (class name, instance, args)
        self.local: dict[str, list[Any]] = {}  # out -> what Function.backward(gy) returned

    def var(self, name: str) -> Any:
        if name not in self.vars:
            if name not in self.inputs:
                raise self.unknown(name)
            cls = self.names.require("Variable")
            self.vars[name] = construct(cls, self.inputs[name], label=f"Variable({name})")
        return self.vars[name]

    def _no_grad(self) -> Any:
        for strategy in NO_GRAD:
            ctx = strategy(self.names)
            if ctx is not None:
                return ctx
        raise StudentFailure(
            "missing_name",
            "no no_grad(), using_config() or Config.enable_backprop: step 18's no_grad is missing",
        )

    def apply(self, op: str, args: Sequence[str], out: str, *, no_grad: bool = False) -> None:
        cls_name = _class_name(op)
        xs = [self.var(a) for a in args]
        cls, helper = self.names.get(cls_name), self.names.get(cls_name.lower())
        if cls is None and helper is None:
            raise self.names.missing_failure(cls_name)
        with self._no_grad() if no_grad else contextlib.nullcontext():
            if cls is not None:
                f = construct(cls, label=f"{cls_name}()")
                y = f(*xs)
            else:
                y = helper(*xs)
                f = self._creator(y)
        ys = _as_list(y)
        if len(ys) != 1:
            raise StudentFailure("exception", f"{cls_name}.__call__ returned {len(ys)} outputs; expected 1")
        self.vars[out] = ys[0]
        self.funcs[out] = (cls_name, f, list(args))

    def _creator(self, v: Any) -> Any:
        hit = first_attr(v, _CREATOR)
        return None if hit is None else hit[1]

    def backward(self, of: str, upstream: np.ndarray | None, *, retain_grad: bool = False) -> None:
        y = self.var(of)
        if upstream is not None:
            y.grad = upstream
        if retain_grad and accepts_keyword(y.backward, "retain_grad"):
            y.backward(retain_grad=True)
        else:
            y.backward()

    def backward_local(self, of: str, upstream: np.ndarray | None) -> None:
        if of not in self.funcs:
            raise self.unknown(of)
        cls_name, f, _ = self.funcs[of]
        if f is None:
            raise StudentFailure(
                "exception",
                f"{cls_name}: the output of {cls_name.lower()}() has no creator to call backward on",
            )
        gy = upstream if upstream is not None else np.ones_like(np.asarray(self.value_of(of), dtype=float))
        self.local[of] = _as_list(f.backward(gy))

    def grad_of(self, name: str) -> Any:
        return getattr(self.var(name), "grad", None)

    def grad_via(self, name: str, via: str) -> Any:
        if via not in self.local:
            raise StudentFailure("exception", f"no local backward was run for {via} before reading it")
        cls_name, _, args = self.funcs[via]
        grads = self.local[via]
        if len(grads) < len(args):
            raise StudentFailure(
                "exception",
                f"{cls_name}.backward returned {len(grads)} gradient(s) for {len(args)} input(s); "
                f"return one per input, as a tuple: ({', '.join('g' + a for a in args)})",
            )
        picked = [g for g, a in zip(grads, args, strict=False) if a == name]
        if any(g is None for g in picked):
            raise StudentFailure(
                "not_implemented",
                f"{cls_name}.backward returned None for the gradient of {name}: is it a TODO?",
            )
        if len(picked) == 1:
            return picked[0]
        return sum(np.asarray(g, dtype=float) for g in picked) if picked else None

    def value_of(self, name: str) -> Any:
        v = self.var(name)
        data = getattr(v, "data", None)
        if data is None:
            raise StudentFailure("not_implemented", f"the Variable {name} has no data: forward left it unset")
        return data

    def has_creator(self, name: str) -> bool:
        v = self.var(name)
        if first_attr(v, _CREATOR) is None:
            raise StudentFailure("missing_name", f"Variable {name} has no 'creator' attribute (set_creator?)")
        return self._creator(v) is not None

    def cleargrad(self, name: str) -> None:
        v = self.var(name)
        hit = first_attr(v, _CLEARGRAD)
        if hit is None:
            raise StudentFailure(
                "missing_name", f"Variable has no method cleargrad (needed to reset {name}.grad)"
            )
        hit[1]()
