"""DeZero ("Deep Learning from Scratch 3", steps 1 to 18): Variable / Function, backward(), cleargrad().

Accepts the variants of FACTS.md: `creator`/`creater`, helpers (preferred, as the book calls them) or
classes, backward returning a list, a tuple or a single array, grads held as ndarray or `Variable`,
`backward()` without `retain_grad` (earlier steps), and no_grad through `no_grad()`, `using_config(...)` or
the `Config.enable_backprop` flag.
Unit cases call `Function.backward(gy)` directly on the function instance used in the forward call.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .. import aliases, contexts
from ..failures import ErrorInfo, StudentFailure
from ..loader_keys import linear_params, mlp_params
from ..names import StudentNames
from ..remote import Param, Ref, RemoteFailure, Session, accepts_keyword, decode_array
from ..spelling import attribute_typo, unmangled
from . import dezero_data, dezero_weights
from .base import AdapterBase, Reading, StepUnsupported, summed

_CREATOR = ("creator", "creater")
_CLEARGRAD = ("cleargrad", "clear_grad", "cleargrads", "zero_grad")
# A Layer's, the book's name first: a student who wrote Layer.cleargrad, as Variable's is named, and called
# model.cleargrad() in their step files lost every cleargrads case to "Layer has no method cleargrads",
# where Variable's cleargrad is found under its plural (sample book_step46_layer_cleargrad_singular/).
# The classes a composed helper stands for where the code lacks them (Linear, Sigmoid, Softmax, ...).
_COMPOSES = frozenset(cls for cls, _ in aliases.DEZERO_COMPOSED.values())
_CLEARGRADS = ("cleargrads", "clear_grads", "cleargrad", "clear_grad", "zero_grad")


# Steps 20-22: the Python operator of each function, as the server names it, and its symbol.
OPERATORS: dict[str, tuple[str, str]] = {
    "Add": ("add", "+"),
    "Mul": ("mul", "*"),
    "Sub": ("sub", "-"),
    "Div": ("truediv", "/"),
    "Pow": ("pow", "**"),
    "Neg": ("neg", "-"),
}
# How an input the case marks `plain` reaches the operator instead of as a Variable (step 21).
PLAIN: dict[str, Callable[[DeZeroAdapter, str], Any]] = {
    "float": lambda a, name: float(a.originals[name]),
    "int": lambda a, name: int(a.originals[name]),
    "ndarray": lambda a, name: a.inputs[name],
    # Step 47: class labels and indices as the book passes them, an integer ndarray (softmax_cross_entropy's
    # t, get_item's slices) or one int (get_item(x, 1)): a float Variable would fail np.eye(C)[t.data].
    "labels": lambda a, name: _labels(a.originals[name]),
}


def _labels(value: np.ndarray) -> np.ndarray | int:
    labels = np.rint(np.asarray(value, dtype=np.float64)).astype(np.int64)
    return int(labels) if labels.ndim == 0 else labels


# Functions whose plain inputs are the class's constructor arguments, not the call's: the book's
# get_item(x, slices) is GetItem(slices)(x), and the class is called so when the code has no helper.
PLAIN_CONSTRUCTED = frozenset({"GetItem"})
# The book's parameter order of a function's settings, for those with more than one: stored fixtures keep
# their keys sorted, and `pooling(x, 2, 0, 2)` read pad as the stride (steps 55 to 57, functions_conv.py).
SETTINGS_ORDER: dict[str, tuple[str, ...]] = {
    "Im2col": ("kernel_size", "stride", "pad"),
    "Conv2d": ("stride", "pad"),
    "Pooling": ("kernel_size", "stride", "pad"),
}


def _in_order(cls_name: str, settings: Mapping[str, Any]) -> list[Any]:
    order = SETTINGS_ORDER.get(cls_name, ())
    names = sorted(settings, key=lambda k: order.index(k) if k in order else len(order))
    return [tuple(settings[k]) if isinstance(settings[k], list) else settings[k] for k in names]


# Step 19: how each property of a Variable `x` is read; texts come back as character codes (records are
# numbers: reference/properties.py).
PROPERTIES: dict[str, Callable[[Session, Ref], Ref]] = {
    "shape": lambda s, x: s.getattr(x, "shape"),
    "ndim": lambda s, x: s.getattr(x, "ndim"),
    "size": lambda s, x: s.getattr(x, "size"),
    "len": lambda s, x: s.operate("len", x),
    "dtype": lambda s, x: s.operate("str", s.getattr(x, "dtype")),
    "repr": lambda s, x: s.operate("repr", x),
}


# The properties read as attributes (len and repr are calls): a plain method there reads as the method.
_ATTRIBUTE_PROPERTIES = frozenset({"shape", "ndim", "size", "dtype"})


def _shown(kind: str | None, name: str, value: Any) -> str:
    """An operand as the expression shows it: the number itself, np.array(name), or the variable's name."""
    if kind in ("float", "int"):
        return repr(value)
    return f"np.array({name})" if kind == "ndarray" else name


_PRIORITY = "__array_priority__"
_MAX_OWN = 200  # an object's attributes read for a misspelt _PRIORITY: a Variable has a handful


def _array_first(expression: str, name: str, typo: tuple[str, str] | None = None) -> StudentFailure:
    """`np.array(a) * x` that came back as an ndarray: numpy applied the operator element by element (each
    element times the Variable) instead of leaving it to the Variable's reflected method (step 21). `typo`:
    (class, attribute) where the code spelt the attribute otherwise, which numpy never reads."""
    fix = (
        f"{typo[0]} defines {typo[1]}, which numpy never reads: spell it {_PRIORITY} (step 21)"
        if typo
        else f"give Variable the class attribute {_PRIORITY} = 200 (step 21)"
    )
    return StudentFailure(
        "exception",
        f"{expression} {contexts.ARRAY_FIRST} element by element before "
        f"Python could call Variable.__r{name}__; {fix}, which makes numpy leave the operator to the "
        "Variable",
    )


_BARE = frozenset({"ndarray", "scalar", "int", "float"})  # what forward returns, before Variable wraps it


# The kinds of `.data` the array read looks inside for a `.data` of their own (plain.py's _unwrap stops at an
# ndarray, a number, a list or a tuple), and the `.data` it does not go on into (a buffer: it stops there).
_HOLDERS = frozenset({"object", "callable", "class", "dict"})
_READ_INTO = _BARE | {"bool", "list", "tuple", "object"}
_BUFFERS = frozenset({"memoryview", "bytes"})


def _variable_in_data(
    name: str, data: Ref, inner: Ref, optimizer: str | None = None
) -> StudentFailure | None:
    """`.data` holding a Variable, where the book keeps an ndarray: read as numbers it passed (the array read
    unwraps `.data` twice). SGD.update_one writing `param.data = param.data - self.lr * param.grad` (a
    Variable's grad is a Variable from step 32 on) passed every update case, and the next forward through
    the layer refused it (sample book_step46_sgd_grad_not_data/).

    Decided by structure, not by name: `.data` is an object that holds numbers in a `.data` of its own
    (`inner`, read in the same batch), whatever its class is called. Names failed: `Variable = Var`, or a
    `__qualname__` set, and a Parameter's data holding a plain Variable, all passed (sample
    book_step46_sgd_var_alias/)."""
    if not _holds_variable(data, inner):
        return None
    head = f"{name}.data is a {data.type_name}, not an ndarray: a Variable was stored where its array belongs"
    if optimizer is None:  # no update ran: a forward that wrapped a Variable, Variable(y) of a Variable y
        return StudentFailure("exception", f"{head} (Variable.data must stay an ndarray)")
    rule = _GRAD_NOT_DATA.get(optimizer)
    written = f"An update written {rule}" if rule else "An update computed from param.grad"
    return StudentFailure(
        "exception",
        f"{head} (Variable.data must stay an ndarray). {written} stores one: param.grad is a Variable since "
        f"step 32, so use param.grad.data (step 46's {optimizer}.update_one)",
    )


def _grad_variable_in_data(name: str, data: Ref, inner: Ref) -> StudentFailure | None:
    """`x.grad.data` holding a Variable: a gradient wrapped once more, `x.grad = Variable(gx)` where gx is a
    Variable already (step 32 on), accepted by a Variable.__init__ without step 9's type check. Read as
    numbers it passed (the array read unwraps `.data` twice) or said "an element of type Variable"; the book's
    `x.data -= lr * x.grad.data` (step 28) and gx.backward() (step 33) break on it."""
    if not _holds_variable(data, inner):
        return None
    return StudentFailure(
        "exception",
        f"{name}.grad.data is a {data.type_name}, not an ndarray: the gradient was wrapped in Variable() "
        "once too often. From step 32 the seed, Variable(np.ones_like(self.data)), and what each backward "
        "returns are Variables already: keep them as they are (x.grad = gx; a backward returns gy * ..., "
        "not Variable(gy * ...)), so that Variable.data stays an ndarray",
    )


def _returned_wrapped(cls_name: str, name: str, result: Ref, data: Ref, inner: Ref) -> StudentFailure | None:
    """What a Function's backward returned for `name`, a Variable holding a Variable (`return Variable(gy *
    cos(x))` from step 32 on, where gy * cos(x) is one already), accepted by a Variable.__init__ without step
    9's type check. The array read unwraps `.data` twice, so the unit cases that call a backward directly
    passed it (review of s22-real2, finding 2)."""
    if not _holds_variable(data, inner):
        return None
    return StudentFailure(
        "exception",
        f"{cls_name}.backward returned the gradient of {name} as a {result.type_name} whose .data is a "
        f"{data.type_name}, not an ndarray: it was wrapped in Variable() once too often. From step 32 gy and "
        "what a backward computes from it are Variables already: return gy * ... as it is, not "
        "Variable(gy * ...)",
    )


def _parameter_state(param: Ref, data: Any) -> str:
    """What a parameter is after the first call: "missing" (no such attribute), "none" (None), "data" (its
    .data None) or "kept" (numbers)."""
    if param.missing:
        return "missing"
    if param.is_none:
        return "none"
    return "data" if data is None else "kept"


def _no_data(name: str) -> StudentFailure:
    return StudentFailure("not_implemented", f"the Variable {name} has no data: forward left it unset")


def _holds_variable(data: Ref, inner: Ref) -> bool:
    """`data` (a `.data` read) is an object holding numbers in a `.data` of its own (`inner`), whatever its
    class is called: a Variable stored where the book keeps an ndarray."""
    if not data.answered or data.kind not in _HOLDERS or not inner.answered:
        return False
    return inner.kind in _READ_INTO and not (inner.kind == "object" and inner.type_name in _BUFFERS)


# The manifest's optimizer -> its update_one's line computed from param.grad where the book reads
# param.grad.data: quoted as the likely mistake (another optimizer's rule would quote code the student never
# wrote; an optimizer not listed is told without code).
_GRAD_NOT_DATA: dict[str, str] = {
    "SGD": "param.data = param.data - self.lr * param.grad",
    "MomentumSGD": "v = self.momentum * v - self.lr * param.grad",
}


@dataclass(frozen=True)
class VariableMethod:
    """Steps 38 and 39: how a case calls a method of Variable (the book's core.py) in place of the function,
    and what to say when the call fails. The oracles ignore it: to them `x.reshape(3, 2)` is reshape."""

    attribute: str
    call: Callable[[Mapping[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]]  # settings -> args, kwargs
    shown: Callable[[Mapping[str, Any]], str]  # the arguments as the expression shows them
    fix: str  # the book's method, said with any error the call raises
    adds: str  # the step that adds the method, said when Variable has none
    is_property: bool = False


def _shape(settings: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(int(n) for n in settings.get("shape", ()))


def _keywords(settings: Mapping[str, Any]) -> dict[str, Any]:
    return dict(settings)


_RESHAPE = "step 38's def reshape(self, *shape) takes a tuple or several ints"
METHODS: dict[str, VariableMethod] = {
    # x.reshape((3, 2)): shape arrives as ((3, 2),), a single tuple the method must unpack.
    "reshape": VariableMethod(
        "reshape",
        lambda s: ((_shape(s),), {}),
        lambda s: repr(_shape(s)),
        f"{_RESHAPE}, then returns dezero.functions.reshape(self, shape)",
        "step 38 adds def reshape(self, *shape)",
    ),
    "reshape_ints": VariableMethod(
        "reshape",
        lambda s: (_shape(s), {}),
        lambda s: ", ".join(map(str, _shape(s))),
        f"{_RESHAPE} (x.reshape(2, 3)), then returns dezero.functions.reshape(self, shape)",
        "step 38 adds def reshape(self, *shape)",
    ),
    "transpose": VariableMethod(
        "transpose",
        lambda s: ((), {}),
        lambda s: "",
        "step 38's def transpose(self): return dezero.functions.transpose(self)",
        "step 38 adds def transpose(self)",
    ),
    "T": VariableMethod(
        "T",
        lambda s: ((), {}),
        lambda s: "",
        "step 38's @property def T(self): return dezero.functions.transpose(self)",
        "step 38 adds the property T",
        is_property=True,
    ),
    "sum": VariableMethod(
        "sum",
        lambda s: ((), _keywords(s)),
        lambda s: ", ".join(f"{k}={v!r}" for k, v in s.items()),
        "step 39's def sum(self, axis=None, keepdims=False): "
        "return dezero.functions.sum(self, axis, keepdims)",
        "step 39 adds def sum(self, axis=None, keepdims=False)",
    ),
}


@dataclass(frozen=True)
class LayerBuild:
    """Steps 44 and 45: how a case builds one of the student's Layers (dezero/layers.py, dezero/models.py) so
    that nothing depends on its random initialisation: built from the shapes of the case's arrays, called once
    on x to create its parameters, their data then set to the case's arrays."""

    name: str  # the manifest's name of the class (layers.Linear: the Layer, not step 43's Function)
    # the parameter attributes for the apply step's args after x (a dotted path for a Layer's Layers), or
    # None when the layer takes no such args
    params: Callable[[int], tuple[str, ...] | None]
    build: Callable[[Sequence[np.ndarray]], tuple[tuple[Any, ...], dict[str, Any]]]  # arrays -> args, kwargs
    creates: str  # what the first call should create, said with any failure of the first call
    # said when a parameter is still None after the first call (the forward skipped a layer)
    uncreated: str = ""
    # arrays -> args, kwargs for a class whose __init__ takes the input size first, as torch.nn.Linear(in,
    # out) does (None: the book's signature only)
    build_in_first: Callable[[Sequence[np.ndarray]], tuple[tuple[Any, ...], dict[str, Any]]] | None = None
    # Steps 59 and 60: calls on x before the case's arrays are set (the book's RNN creates h2h.W on its second
    # call, from h), then `reset_state()`, so that the case's first call starts a sequence
    calls: int = 1
    stateful: bool = False


def _linear_build(params: Sequence[np.ndarray]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return (int(np.shape(params[0])[1]),), ({} if len(params) > 1 else {"nobias": True})


def _linear_build_in_first(params: Sequence[np.ndarray]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    in_size, out_size = (int(n) for n in np.shape(params[0]))
    return (in_size, out_size), ({} if len(params) > 1 else {"nobias": True})


# The first parameter of a Linear.__init__ that takes the input size first (torch's in_features): a student
# who wrote Linear(in_size, out_size) lost every Layer case to "missing 1 required positional argument:
# 'out_size'" on the book's L.Linear(4), the arithmetic never run (sample book_step44_linear_in_size_first/).
# A count prefix (n_inputs, num_in, d_in) or the size word first (dim_in, size_in) is the same name: n_inputs
# was missed (sample book_step44_linear_n_inputs_first/); an output size never matches (out_size, n_out).
_IN_SIZE = re.compile(
    r"^(?:n_?|num_?|d_?|fan_)?(?:in|inputs?)(?:_?(?:size|features|dim|channels|units))?$"
    r"|^(?:dim|size|d)_?in$|^i$",
    re.I,
)


def _takes_in_size_first(init: Sequence[Param] | None) -> bool:
    """Whether an __init__ (self first) takes two required positional sizes, an input size first."""
    if init is None or len(init) < 3:
        return False
    first, second = init[1], init[2]
    positional = all(p.kind in (0, 1) and not p.has_default for p in (first, second))
    return positional and _IN_SIZE.match(first.name) is not None


def _mlp_build(params: Sequence[np.ndarray]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return (tuple(int(np.shape(w)[1]) for w in params[::2]),), {}  # MLP(fc_output_sizes)


LAYERS: dict[str, LayerBuild] = {
    "Linear": LayerBuild(
        "layers.Linear",
        linear_params,
        _linear_build,
        "step 44's Linear(out_size) creates W on its first call, in_size = x.shape[1]: "
        "W.data = np.random.randn(I, O).astype(dtype) * np.sqrt(1 / I), shape (I, O), b = zeros(O), "
        "and returns F.linear(x, self.W, self.b)",
        build_in_first=_linear_build_in_first,
    ),
    "MLP": LayerBuild(
        "MLP",
        mlp_params,
        _mlp_build,
        "step 45's MLP(fc_output_sizes) keeps one L.Linear(out_size) per size as self.l0, self.l1, ... "
        "(setattr(self, 'l' + str(i), layer)), each creating its W of shape (I, O) on the first call",
        # an MLP.forward written for two layers (self.l0 then self.l1, or self.layers[1]) skips the third
        ": MLP.forward should call every layer in self.layers, as the book's does: "
        "for l in self.layers[:-1]: x = self.activation(l(x)), then return self.layers[-1](x)",
    ),
}


# Steps 59 and 60: the parameters an apply step lists after x, in reference/recurrent.py's order (the adapter
# runs beside student code and imports nothing of the reference: keep the two in step).
RNN_PARAMS = ("x2h.W", "x2h.b", "h2h.W")
LSTM_PARAMS = (
    *(f"x2{gate}.{p}" for gate in "fiou" for p in ("W", "b")),
    *(f"h2{gate}.W" for gate in "fiou"),
)


def _recurrent_params(names: tuple[str, ...]) -> Callable[[int], tuple[str, ...] | None]:
    return lambda n: names if n == len(names) else None


def _recurrent_build(params: Sequence[np.ndarray]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return (int(np.shape(params[0])[1]),), {}  # RNN(hidden_size), LSTM(hidden_size): in_size from x


LAYERS["RNN"] = LayerBuild(
    "RNN",
    _recurrent_params(RNN_PARAMS),
    _recurrent_build,
    "step 59's RNN(hidden_size) holds self.x2h = L.Linear(hidden_size) and self.h2h = L.Linear(hidden_size, "
    "nobias=True); forward returns F.tanh(self.x2h(x)) on the first call, F.tanh(self.x2h(x) + "
    "self.h2h(self.h)) after it, and keeps self.h = h_new",
    calls=2,
    stateful=True,
)
LAYERS["LSTM"] = LayerBuild(
    "LSTM",
    _recurrent_params(LSTM_PARAMS),
    _recurrent_build,
    "step 60's LSTM(hidden_size) holds x2f, x2i, x2o, x2u = L.Linear(hidden_size) and h2f, h2i, h2o, h2u = "
    "L.Linear(hidden_size, in_size=hidden_size, nobias=True), and keeps self.h and self.c",
    calls=2,
    stateful=True,
)


# Read by the judge (grader/judge/methods.py) to diagnose the mistake: keep the two in step.
RETURNED_ITSELF = "returned the Variable it was called on"
NO_CREATOR = "returned a Variable the graph does not know (no creator)"


def _shown_class(name: str) -> str:
    """A Layer's class as the book's code writes it: L.Linear for layers.Linear, MLP as it is."""
    return "L." + name.removeprefix("layers.") if name.startswith("layers.") else name


def _expression(x: str, method: VariableMethod, settings: Mapping[str, Any]) -> str:
    if method.is_property:
        return f"{x}.{method.attribute}"
    return f"{x}.{method.attribute}({method.shown(settings)})"


def _no_grad_helper(a: DeZeroAdapter) -> dict[str, Any] | None:
    fn = a.names.get("no_grad")
    return None if fn is None else {"ctx": a.session.call(fn)}


def _using_config(a: DeZeroAdapter) -> dict[str, Any] | None:
    fn = a.names.get("using_config")
    return None if fn is None else {"ctx": a.session.call(fn, "enable_backprop", False)}


def _config_flag(a: DeZeroAdapter) -> dict[str, Any] | None:
    config = a.names.get("Config")
    if config is None or a.session.getattr(config, "enable_backprop", missing_ok=True).missing:
        return None
    return {"flag": [config, "enable_backprop", False]}


def _test_mode_helper(a: DeZeroAdapter) -> dict[str, Any] | None:
    fn = a.names.get("test_mode")
    return None if fn is None else {"ctx": a.session.call(fn)}


def _using_config_train(a: DeZeroAdapter) -> dict[str, Any] | None:
    fn = a.names.get("using_config")
    return None if fn is None else {"ctx": a.session.call(fn, "train", False)}


def _config_train_flag(a: DeZeroAdapter) -> dict[str, Any] | None:
    config = a.names.get("Config")
    if config is None or a.session.getattr(config, "train", missing_ok=True).missing:
        return None
    return {"flag": [config, "train", False]}


# Ways to enter step 54's test mode (Config.train False), tried in order: the book's test_mode() first.
TEST_MODE: tuple[Callable[[DeZeroAdapter], dict[str, Any] | None], ...] = (
    _test_mode_helper,
    _using_config_train,
    _config_train_flag,
)
# An apply step's settings that are no argument of the function: `seed` seeds np.random in the student's
# process just before the call (dropout's mask), `train` false runs the call in test mode (step 54).
_CALL_SETTINGS = ("seed", "train")


# Ways to switch backprop off, tried in order.
NO_GRAD: tuple[Callable[[DeZeroAdapter], dict[str, Any] | None], ...] = (
    _no_grad_helper,
    _using_config,
    _config_flag,
)


class DeZeroAdapter(AdapterBase):
    family = "dezero"
    ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = aliases.DEZERO
    INFERENCE_ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = aliases.DEZERO_INFERENCE
    # `apply` calls the class when its helper is missing (Square()(x) for square(x)): the helper is no loss.
    STANDS_IN: ClassVar[Mapping[str, str]] = {
        n.lower(): n for n in aliases.DEZERO if n[:1].isupper() and n.lower() in aliases.DEZERO
    }
    # A no_grad / using_config that never restores the flag leaves backprop off for every later case. The
    # book's class, a dict of the student's under a name students give it (`CONFIG['enable_backprop']`), or
    # a bare module global (`enable_backprop = True`, `global enable_backprop` in no_grad): the globals of
    # the module whose Function.__call__ reads it (sample step18_global_flag_no_restore.py), and of the
    # module no_grad and using_config write it in, when that is another one (a package's config.py read as
    # `cfg.enable_backprop`: sample own_package_global_config/).
    SWITCHES: ClassVar[tuple[tuple[str, str], ...]] = tuple(
        (holder, "enable_backprop")
        for holder in (
            *("Config", "config", "CONFIG", "_config", "_CONFIG"),
            # a @contextmanager's own globals are contextlib's: the function it wraps is __wrapped__
            *(f"{name}.__globals__" for name in ("Function.__call__", "no_grad", "using_config")),
            *(f"{name}.__wrapped__.__globals__" for name in ("no_grad", "using_config")),
        )
    )

    # Every case builds graphs: a demo at import whose no_grad, using_config or backward
    # (`Config.enable_backprop = create_graph`) never set the flag back left it False for every case (sample
    # book_step33_backprop_left_off/).
    SWITCHES_ON: ClassVar[frozenset[str]] = frozenset({"enable_backprop"})

    def __init__(
        self,
        session: Session,
        names: StudentNames,
        inputs: dict[str, Ref],
        originals: Mapping[str, np.ndarray],
    ) -> None:
        super().__init__(session, names, inputs, originals)
        self.vars: dict[str, Ref] = {}
        self.funcs: dict[str, tuple[str, Ref | None, list[str]]] = {}  # out -> (class name, instance, args)
        self.local: dict[str, list[Ref]] = {}  # out -> what Function.backward(gy) returned
        self.returned: dict[str, Ref] = {}  # out -> what the call returned, before any unwrapping
        self.methods: dict[str, str] = {}  # out -> the Variable method's expression that made it (step 38)
        self.composed: set[str] = (
            set()
        )  # outs made by a composed first version (linear_simple): no one creator
        self.layers: dict[str, tuple[Ref, list[str]]] = {}  # layer name -> (the Layer, its parameters' names)
        self.layer_classes: dict[str, str] = {}  # layer name -> its class (RNN, LSTM: said by reset_state)
        self.backward_from: str | None = None  # the variable of the last plain backward step
        self.optimizer: str | None = None  # this case's optimizer, once it ran (named by _variable_in_data)

    def var(self, name: str) -> Ref:
        if name not in self.vars:
            if name not in self.inputs:
                raise self.unknown(name)
            cls = self.names.require("Variable")
            self.vars[name] = self.construct(cls, self.inputs[name], label=f"Variable({name})")
        return self.vars[name]

    def _first_way(
        self, ways: Sequence[Callable[[DeZeroAdapter], dict[str, Any] | None]], missing: str
    ) -> dict[str, Any]:
        for strategy in ways:
            within = strategy(self)
            if within is not None:
                return within
        raise StudentFailure("missing_name", missing)

    def _no_grad(self) -> dict[str, Any]:
        return self._first_way(
            NO_GRAD, "no no_grad(), using_config() or Config.enable_backprop: step 18's no_grad is missing"
        )

    def _test_mode(self) -> dict[str, Any]:
        return self._first_way(
            TEST_MODE, "no test_mode(), using_config() or Config.train: step 54's test mode is missing"
        )

    def _as_list(self, result: Ref) -> list[Ref]:
        """A call's outputs: the items of a list or tuple, or the result itself, asked in the call's batch."""
        items = self.session.items_or_read(result, self.session.items_or_later(result))
        return [result] if items is None else items

    def apply(
        self,
        op: str,
        args: Sequence[str],
        out: str,
        *,
        no_grad: bool = False,
        settings: Mapping[str, Any] | None = None,
        operator: bool = False,
        plain: Mapping[str, str] | None = None,
        as_method: str | None = None,
        as_list: bool = False,
        layer: str | None = None,
    ) -> None:
        cls_name = aliases.dezero_class(op)
        if layer is not None:
            self._call_layer(cls_name, args, out, layer)
            return
        if operator:
            self._operate(cls_name, args, out, settings or {}, plain or {})
            return
        if as_method is not None:
            self._call_method(cls_name, args, out, settings or {}, as_method)
            return
        kinds = plain or {}
        for kind in kinds.values():
            if kind not in PLAIN:
                raise StepUnsupported(f"unknown plain kind {kind!r}; known: {', '.join(PLAIN)}")
        call_settings = {k: v for k, v in (settings or {}).items() if k in _CALL_SETTINGS}
        settings = {k: v for k, v in (settings or {}).items() if k not in _CALL_SETTINGS}
        constructed = cls_name in PLAIN_CONSTRUCTED
        xs = [
            PLAIN[kinds[a]](self, a) if a in kinds else self.var(a)
            for a in args
            if not (constructed and a in kinds)
        ]
        # A function's constants (Pow's exponent c, Reshape's shape, Sum's axis and keepdims): Pow(c)(x) for
        # the class, pow(x, c) for the helper. A shape comes as the book passes it, a tuple.
        constants = _in_order(cls_name, settings or {})
        if constructed:  # GetItem(slices)(x): the plain inputs are constants
            constants += [PLAIN[kinds[a]](self, a) for a in args if a in kinds]
        helper_name = aliases.dezero_helper(cls_name)
        cls, helper = self.names.get(cls_name), self.names.get(helper_name)
        if cls is not None and self._spelt(helper_name) in aliases.DEZERO_BEHIND_CLASS:
            helper = (
                None  # softmax_simple beside a class Softmax: the class is the student's own (aliases.py)
            )
        # Step 11 has no helper yet and calls the class with one list, `Add()([x0, x1])` (a list comes back).
        if cls is None and (helper is None or as_list):
            raise self.names.missing_failure(cls_name)
        within = self._no_grad() if no_grad else None
        if call_settings.get("train", True) is False:
            within = self._test_mode()
        # Seeded while training only (test mode draws nothing), and never refused for want of an `np`: a
        # correct dropout of a module that imports numpy otherwise lost every step-54 case, test mode too,
        # as "Dropout: the module does not import numpy" (review of s31-realdz)
        if "seed" in call_settings and call_settings.get("train", True) is not False:
            self.seed_numpy(aliases.dezero_helper(cls_name), int(call_settings["seed"]), required=False)
        f: Ref | None
        # The book's examples call the helpers (square(x), add(x0, x1)): a wrong helper must not go unseen
        # behind a right class, so the class is called directly only when there is no helper.
        if helper is not None and not as_list:
            y = self.session.call(helper, *xs, *constants, within=within)
            f, called = None, f"{helper_name}()"
            # composed: linear_simple, or a `linear` of matmul and + where the code has no class Linear (its
            # output's creator is an Add, whose own backward gives no gradient of x or W; review of
            # s27-realdz, finding 2)
            if self._spelt(helper_name) in aliases.DEZERO_COMPOSED or (cls is None and cls_name in _COMPOSES):
                self.composed.add(out)
        else:
            assert cls is not None
            f = self.construct(cls, *constants, label=f"{cls_name}({', '.join(map(repr, constants))})")
            y = self.session.call(f, *([xs] if as_list else xs), within=within)
            called = f"{cls_name}.__call__" + (f"([{', '.join(args)}])" if as_list else "")
        output = self.session.only(y, called)
        self.returned[out] = y
        if f is None:  # read when a local backward needs it (None or missing then: no creator)
            f = self.session.getattr(output, *_CREATOR, missing_ok=True)
        self.vars[out] = output
        self.funcs[out] = (cls_name, f, list(args))

    def _spelt(self, name: str) -> str:
        """How the student spelt a required name (`softmax_simple` for softmax), as their process found it:
        at worst a lie grades their class instead of their helper, code of theirs either way."""
        return self.names.found.get(name, "").rsplit(".", 1)[-1]

    def _operate(
        self,
        cls_name: str,
        args: Sequence[str],
        out: str,
        settings: Mapping[str, Any],
        plain: Mapping[str, str],
    ) -> None:
        """`a * b`, `2.0 - x`, `-x`, `x ** c`: the student's operator methods, called by Python itself (so a
        missing `__rsub__` is the TypeError a student sees), never the Function classes directly."""
        if cls_name not in OPERATORS:
            raise StepUnsupported(f"no Python operator for {cls_name}")
        name, symbol = OPERATORS[cls_name]
        operands: list[Any] = []
        shown: list[str] = []
        for a in args:
            kind = plain.get(a)
            if kind is not None and kind not in PLAIN:
                raise StepUnsupported(f"unknown plain kind {kind!r} for {a!r}; known: {', '.join(PLAIN)}")
            value = self.var(a) if kind is None else PLAIN[kind](self, a)
            operands.append(value)
            shown.append(_shown(kind, a, value))
        operands += list(settings.values())  # Pow's exponent: x ** c with c a plain number
        shown += [repr(v) for v in settings.values()]
        expression = f"{symbol}{shown[0]}" if len(shown) == 1 else f" {symbol} ".join(shown)
        reflected = len(args) == 2 and plain.get(args[0]) is not None
        context = self.session.context
        self.session.context = f"evaluating {expression}" + (
            f" (Python calls Variable.__r{name}__ when {shown[0]} cannot)" if reflected else ""
        )
        try:
            output = self.session.operate(name, *operands)
        finally:
            self.session.context = context
        if len(args) == 2 and plain.get(args[0]) == "ndarray" and output.kind == "ndarray":
            raise _array_first(expression, name, self._misspelt_priority(operands[1]))
        self.vars[out] = output
        self.funcs[out] = (cls_name, self.session.getattr(output, *_CREATOR, missing_ok=True), list(args))

    def _misspelt_priority(self, variable: Any) -> tuple[str, str] | None:
        """(class, attribute): the class of `variable`, or a base of it, defining `__array_priority__`
        misspelt (`__array_priorty__`, or `__array_priority_`, which Python renames
        `_Variable__array_priority_`); only asked once numpy has ignored the Variable's operators."""
        if not isinstance(variable, Ref):
            return None
        info = self.session.classinfo(self.session.getattr(variable, "__class__"))
        for cls in info.mro if info is not None else ():
            about = self.session.classinfo(cls)
            written = [unmangled(about.name, a) for a in about.own] if about is not None else []
            typo = attribute_typo(_PRIORITY, written)
            if typo is not None and about is not None:
                return about.name, typo
        # set per object in __init__ (`self.__array_priorty__ = 200`): numpy reads the object's own
        # attribute too, so only its spelling is wrong (sample step21_instance_priorty_typo.py); one
        # underscore short, Python stores it renamed, as in a class body
        # (step21_instance_priority_mangled.py)
        if info is None:
            return None
        typo = attribute_typo(_PRIORITY, [unmangled(info.name, a) for a in self._own_attributes(variable)])
        return (f"{info.name}.__init__", f"self.{typo}") if typo is not None else None

    def _own_attributes(self, obj: Ref) -> list[str]:
        """The names of `obj`'s own attributes (its __dict__'s keys, as far as they are strings)."""
        namespace = self.session.getattr(obj, "__dict__", missing_ok=True)
        if namespace.kind != "dict" or not 0 < namespace.length <= _MAX_OWN:
            return []
        keys = self.session.items(self.session.listed(namespace))
        return [str(k.desc.get("v")) for k in keys if k.kind == "str"]

    def _call_method(
        self, cls_name: str, args: Sequence[str], out: str, settings: Mapping[str, Any], form: str
    ) -> None:
        """`x.reshape((3, 2))`, `x.reshape(1, 6)`, `x.transpose()`, `x.T`, `x.sum(axis=0, keepdims=True)`:
        the student's Variable method, never the function: a method that forgets to unpack a tuple, or
        returns the data instead of a Variable, went ungraded while only the functions were called."""
        if form not in METHODS or len(args) != 1:
            raise StepUnsupported(
                f"no Variable method {form!r} on {len(args)} input(s); known: {', '.join(METHODS)}"
            )
        method = METHODS[form]
        x = self.var(args[0])
        expression = _expression(args[0], method, settings)
        context = self.session.context
        self.session.context = f"evaluating {out} = {expression} (Variable.{method.attribute}: {method.fix})"
        try:
            found = self.session.getattr(x, method.attribute, missing_ok=True)
            if found.missing:  # one round trip, in these cases only: a missing method is named as such
                raise StudentFailure(
                    "missing_name",
                    f"Variable has no {method.attribute}, which {out} = {expression} needs: {method.adds}",
                )
            if method.is_property:
                if found.kind == "callable":
                    raise StudentFailure(
                        "not_implemented",
                        f"Variable.{method.attribute} is a method, not a property: {expression} gave the "
                        f"method itself. Put @property above def {method.attribute}(self), as step 38 does",
                    )
                output = found
            else:
                positional, keywords = method.call(settings)
                output = self.session.call(found, *positional, **keywords)
            # One round trip: a method handing back the Variable it was called on (`return self`) leaves a
            # leaf whose backward fails far from the mistake ("'NoneType' object has no attribute ...").
            if self.session.index_of(output, [x]) == 0:
                raise StudentFailure(
                    "exception",
                    f"{out} = {expression} {RETURNED_ITSELF} ({args[0]}), not a new Variable: {method.fix}",
                )
            # A new Variable wrapping the data (`return Variable(self.data.reshape(shape))`) has no creator:
            # backward stops at it, failing in the sort ("'NoneType' object has no attribute 'generation'")
            # or leaving x.grad None. Methods are never applied under no_grad here, where that would be right.
            if (
                output.type_id == x.type_id
                and self.session.getattr(output, *_CREATOR, missing_ok=True).is_none
            ):
                raise StudentFailure(
                    "exception",
                    f"{out} = {expression} {NO_CREATOR}, so backward never reaches {args[0]}: {method.fix}",
                )
        finally:
            self.session.context = context
        self.returned[out] = output
        self.methods[out] = expression
        self.vars[out] = output
        self.funcs[out] = (cls_name, self.session.getattr(output, *_CREATOR, missing_ok=True), list(args))

    def _build_layer(self, cls_name: str, args: Sequence[str], layer: str) -> Ref:
        """`layer = L.Linear(O)` (or `MLP((H, O))`), `layer(x)` once to create its parameters, then
        `layer.W.data = W` (`layer.l0.W.data = W0`, ...) with the case's arrays: the case's names are the
        layer's Parameters."""
        spec = LAYERS.get(cls_name)
        attrs = None if spec is None else spec.params(len(args) - 1)
        if spec is None or attrs is None:
            raise StepUnsupported(
                f"no Layer {cls_name!r} on {len(args)} input(s); known: {', '.join(LAYERS)}"
            )
        names = list(args[1:])
        arrays = [self.originals[n] for n in names]
        positional, keywords = spec.build(arrays)
        cls = self.names.require(spec.name)
        if spec.build_in_first is not None:
            info = self.session.classinfo(cls)
            if info is not None and _takes_in_size_first(info.init):
                positional, keywords = spec.build_in_first(arrays)
        shown = ", ".join([*map(repr, positional), *(f"{k}={v!r}" for k, v in keywords.items())])
        obj = self.construct(cls, *positional, keywords=keywords, label=f"{spec.name}({shown})")
        context = self.session.context
        x_shape = np.shape(self.originals[args[0]])
        self.session.context = (
            f"calling {layer} = {_shown_class(spec.name)}({shown}) the first time, on {args[0]} of shape "
            f"{x_shape} ({spec.creates})"
        )
        try:
            try:
                for _ in range(spec.calls):
                    self.session.call(obj, self.var(args[0]))
                self.session.sync()  # the call's error, if any, here: W may tell why
            except StudentFailure as failure:
                wanted = np.shape(self.originals[names[0]])
                raise self._batch_sized(obj, (layer, attrs[0]), wanted, x_shape, failure) from None
            created = self._parameters(obj, attrs, spec, f"{layer}({args[0]})", layer)
            for attr, name in zip(attrs, names, strict=True):
                param, data = created[attr]
                wanted = np.shape(self.originals[name])
                if np.shape(data) != wanted:
                    # x feeds the first layer (W, l0.W); an inner layer's (l1.W) input is the layer before it
                    first = attr.rpartition(".")[0] == attrs[0].rpartition(".")[0]
                    fed = f" for {args[0]} of shape {x_shape}" if first else ""
                    raise StudentFailure(
                        "exception",
                        f"{_shown_class(spec.name)}({shown}) created {attr} of shape {np.shape(data)}{fed}; "
                        f"it should be {wanted}: {spec.creates}",
                    )
                self.session.setattr(param, "data", self.inputs[name])
                self.vars[name] = param
        finally:
            self.session.context = context
        if spec.stateful:  # the calls above made a state from random weights: the case starts a sequence
            self._reset(obj, spec.name)
        return obj

    def _reset(self, obj: Ref, cls_name: str) -> None:
        method = self.session.getattr(obj, "reset_state", missing_ok=True)
        if method.missing:
            raise StudentFailure(
                "missing_name",
                f"{cls_name} has no method reset_state: step 59's def reset_state(self): self.h = None "
                "(the LSTM's also self.c = None), so that the next call starts a new sequence",
            )
        self.session.call(method)
        self.session.sync()

    def reset_state(self, layer: str) -> None:
        """Step 59: `rnn.reset_state()`."""
        obj, _ = self._layer(layer)
        self._reset(obj, self.layer_classes.get(layer, "the Layer"))

    def unchain_backward(self, name: str) -> None:
        """Step 59: `loss.unchain_backward()`, cutting the graph below loss (truncated BPTT)."""
        method = self.session.getattr(self.var(name), "unchain_backward", missing_ok=True)
        if method.missing:
            raise StudentFailure(
                "missing_name",
                "Variable has no method unchain_backward: step 59's def unchain_backward(self) walks the "
                "functions below the variable, for x in f.inputs: if x.creator is not None: "
                "funcs.append(x.creator); x.unchain()",
            )
        self.session.call(method)
        self.session.sync()

    def _batch_sized(
        self,
        obj: Ref,
        at: tuple[str, str],
        wanted: tuple[int, ...],
        x_shape: tuple[int, ...],
        failure: StudentFailure,
    ) -> StudentFailure:
        """A first call that failed after creating W from the batch size: a lazy Linear reading
        `in_size = x.shape[0]` makes W (N, O) and fails in x.dot(W), where numpy's words suggest a missing
        .T. The failure as it was, when W is not that (or cannot be read)."""
        layer, attr = at
        name = f"{layer}.{attr}"
        if len(x_shape) != 2 or len(wanted) != 2 or x_shape[0] == x_shape[1]:
            return failure
        try:
            found = obj
            for part in attr.split("."):
                found = self.session.getattr(found, part, missing_ok=True)
                if found.missing or found.is_none:
                    return failure
            data = self.session.getattr(found, "data", missing_ok=True)
            shape = None if data.missing or data.is_none else np.shape(self.session.array(data, attr))
        except StudentFailure:
            return failure
        if shape != (x_shape[0], wanted[1]):
            return failure
        return StudentFailure(
            failure.code,
            f"{name} was created with shape {shape}, the batch size x.shape[0] by out_size, on the first "
            f"call (Linear.forward, where the book draws W): in_size is x.shape[1] (the features, "
            f"{x_shape[1]}), not x.shape[0] (the batch, {x_shape[0]}), so {name} should be "
            f"({x_shape[1]}, {wanted[1]}). {failure.message}",
            failure.detail,
        )

    def _parameters(
        self, obj: Ref, attrs: Sequence[str], spec: LayerBuild, call: str, layer: str
    ) -> dict[str, tuple[Ref, np.ndarray]]:
        """Each Parameter at `attrs` of the layer (`W`, or `l0.W` through the Layer it holds) with the value
        the first call gave it, all read in one round trip. A parameter left None is said after every one
        is known: a W missing from some of an MLP's layers only is a forward that skipped those layers; a W
        missing from all (or from a Linear) is a forward that never ran or did not keep the W it drew."""
        paths: dict[str, tuple[list[Ref], Any]] = {}
        for attr in attrs:
            steps = [obj]
            for part in attr.split("."):
                steps.append(self.session.getattr(steps[-1], part, missing_ok=True))
            held = self.session.getattr(steps[-1], "data", missing_ok=True)
            paths[attr] = (steps[1:], self.session.array_later(held, f"{layer}.{attr}.data"))
        values = {attr: data.value for attr, (_, data) in paths.items()}  # the one round trip
        states = {attr: _parameter_state(steps[-1], values[attr]) for attr, (steps, _) in paths.items()}
        kept = [attr for attr, state in states.items() if state == "kept"]
        created: dict[str, tuple[Ref, np.ndarray]] = {}
        for attr, (steps, _) in paths.items():
            if any(step.is_none for step in steps[:-1]):  # the layer holding it (l0 of l0.W) is not there
                raise self._no_parameter(attr, spec)
            if states[attr] != "kept":
                raise self._uncreated(attr, states[attr], kept, spec, call, layer)
            created[attr] = (steps[-1], decode_array(values[attr], f"{layer}.{attr}.data"))
        return created

    @staticmethod
    def _no_parameter(attr: str, spec: LayerBuild) -> StudentFailure:
        return StudentFailure(
            "not_implemented",
            f"{_shown_class(spec.name)} has no parameter {attr} after its first call: {spec.creates}",
        )

    @staticmethod
    def _uncreated(
        attr: str, state: str, kept: Sequence[str], spec: LayerBuild, call: str, layer: str
    ) -> StudentFailure:
        """A parameter not there (no attribute, `W = None`, or `W.data` None) after the first call, said
        with its likely cause: its layer's forward never ran while another layer's did (an MLP.forward
        skipping layers: samples book_step45_mlp_two_layers_only/, book_step45_linear_w_none_two_layers/),
        else a forward that never ran or drew W into a local without keeping it (sample
        book_step45_linear_w_not_kept/)."""
        owner, _, name = attr.rpartition(".")
        said = f"{layer}.{attr}" if state == "none" else f"{layer}.{attr}.data"
        if state == "missing":
            said = f"{layer}.{owner} has no {name}" if owner else f"{layer} has no {name}"
        else:
            said += " is still None"
        others = [other for other in kept if other.rpartition(".")[2] == name]
        if name == "W" and spec.uncreated and others:
            ran = f"{layer}.{owner}" if owner else layer
            return StudentFailure(
                "exception",
                f"{said} after the first call {call}, while {layer}.{others[0]} was created: "
                f"{ran} never ran its forward (a Linear draws its W there){spec.uncreated}",
            )
        if state == "missing":
            return DeZeroAdapter._no_parameter(attr, spec)
        if name != "W":  # a Linear's b is made in __init__, not by its forward
            return StudentFailure("exception", f"{said} after the first call {call}: {spec.creates}")
        keep = "self.W = Parameter(W_data, name='W')" if state == "none" else "self.W.data = W_data"
        every = ", as every layer's W is" if owner else ""
        return StudentFailure(
            "exception",
            f"{said} after the first call {call}{every}: the Linear's forward never ran, or "
            f"drew W without keeping it ({keep}, as step 44's _init_W does)",
        )

    def _call_layer(self, cls_name: str, args: Sequence[str], out: str, layer: str) -> None:
        """Step 44: `y = layer(x)` with the student's Layer (Layer.__call__ running its forward)."""
        if layer not in self.layers:
            self.layers[layer] = (self._build_layer(cls_name, args, layer), list(args[1:]))
            self.layer_classes[layer] = cls_name
        obj = self.layers[layer][0]
        y = self.session.call(obj, self.var(args[0]))
        output = self.session.only(y, f"Layer.__call__ of {_shown_class(LAYERS[cls_name].name)}")
        self.returned[out] = y
        self.vars[out] = output
        self.funcs[out] = (cls_name, self.session.getattr(output, *_CREATOR, missing_ok=True), list(args))

    def _layer(self, name: str) -> tuple[Ref, list[str]]:
        if name not in self.layers:
            raise self.unknown(name)
        return self.layers[name]

    def cleargrads(self, layer: str) -> None:
        """Step 44: `layer.cleargrads()`, which clears the grad of every parameter `params()` yields."""
        obj, _ = self._layer(layer)
        method = self.session.getattr(obj, *_CLEARGRADS, missing_ok=True)
        if method.missing:
            raise StudentFailure(
                "missing_name",
                "Layer has no method cleargrads: step 44's def cleargrads(self): "
                "for param in self.params(): param.cleargrad()",
            )
        with self._params_explained(obj):
            self.session.call(method)
            self.session.sync()

    @contextlib.contextmanager
    def _params_explained(self, layer: Ref) -> Iterator[None]:
        """A cleargrads or an update that met something params() yielded which is not a parameter
        (`'generator' object has no attribute 'cleargrad'`): the fault is Layer.params', not the loop's,
        which is where Python's error points (samples book_step46_params_yield_generator/,
        book_step46_params_yield_names/)."""
        try:
            yield
        except RemoteFailure as failure:
            owner = failure.info.attr_owner if failure.info is not None else None
            note = self._odd_param(layer, owner) if owner is not None else None
            if note is None:
                raise
            raise StudentFailure(failure.code, f"{failure.message}; {note}", failure.detail) from None

    def _odd_param(self, layer: Ref, owner: str) -> str | None:
        """What Layer.params() yields that is not a parameter, said with the line that makes it; None when
        every item is of another class than `owner` (the error came from elsewhere)."""
        try:
            items = self.session.items(self.session.call(self.session.getattr(layer, "params")))
        except StudentFailure:
            return None
        odd = next((item for item in items if item.type_name == owner), None)
        if odd is None or self._a_variable(odd):
            return None
        if owner == "generator":
            return (
                f"{contexts.PARAMS_YIELDED} a generator, not a Parameter: `yield obj.params()` hands on the "
                "generator of a Layer it holds, where `yield from obj.params()` yields that Layer's "
                "parameters one by one (step 45)"
            )
        if odd.kind == "str":
            return (
                f"{contexts.PARAMS_YIELDED} the str {odd.desc.get('v')!r}, an attribute's name, not the "
                "Parameter it names: yield self.__dict__[name] (step 44)"
            )
        return f"{contexts.PARAMS_YIELDED} a {owner}, not a Parameter (step 44)"

    def _a_variable(self, item: Ref) -> bool:
        """Whether `item` is a Variable or a Parameter: what params() should yield, so an error about it
        (`'Parameter' object has no attribute 'cleargrad'`: Variable.cleargrad misspelt) is that class's,
        never params()'s (review of s26-realdz, finding 1). True when the student's process cannot say."""
        try:
            info = self.session.classinfo(self.session.getattr(item, "__class__"))
            wanted = {
                about.name
                for ref in map(self.names.get, ("Variable", "Parameter"))
                if ref is not None and (about := self.session.classinfo(ref)) is not None
            }
            mro = [self.session.classinfo(cls) for cls in info.mro] if info is not None else []
        except StudentFailure:
            return True
        return info is None or any(about is not None and about.name in wanted for about in mro)

    def optimize(self, optimizer: str, target: str, settings: Mapping[str, Any], times: int) -> list[str]:
        """Step 46: `opt = SGD(lr=...)` (or MomentumSGD), `opt.setup(target)`, `opt.update()` `times` times:
        each updates `param.data` of the parameters holding a grad."""
        obj, params = self._layer(target)
        cls = self.names.require(optimizer)
        self.optimizer = optimizer
        shown = ", ".join(f"{k}={v!r}" for k, v in settings.items())
        opt = self.construct(cls, keywords=settings, label=f"{optimizer}({shown})")
        self.session.call(self.session.getattr(opt, "setup"), obj)
        update = self.session.getattr(opt, "update")
        with self._params_explained(obj):
            for _ in range(times):
                self.session.call(update)
            self.session.sync()
        return params

    def dataloader(self, data: str, label: str, settings: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Steps 49 and 50: the student's Dataset and DataLoader over the case's data and labels."""
        return dezero_data.load(self, data, label, settings)

    def save_load(self, layer: str, args: Sequence[str]) -> dict[str, np.ndarray]:
        """Step 53: `layer.save_weights(path)`, a fresh layer built as the case built `layer` (on args[0],
        its parameters then zeros), `load_weights(path)`: each parameter's data, by the case's name for it."""
        obj, names = self._layer(layer)
        cls_name = self.layer_classes[layer]
        spec = LAYERS[cls_name]
        attrs = spec.params(len(names)) or ()
        held = {name: self.vars[name] for name in names if name in self.vars}

        def fresh() -> tuple[Ref, dict[str, Ref]]:
            new = self._build_layer(cls_name, [args[0], *names], f"a fresh {layer}")
            params = {attr: self.vars[name] for attr, name in zip(attrs, names, strict=True)}
            self.vars.update(held)  # the case's names stay the first layer's Parameters
            return new, params

        read = dezero_weights.round_trip(self.session, obj, fresh, attrs, _shown_class(spec.name))
        return {name: read[attr] for attr, name in zip(attrs, names, strict=True)}

    def failure_of(self, failure: StudentFailure) -> StudentFailure:
        """A backward that stopped on None ("'NoneType' object has no attribute 'generation'") from an output
        with no creator, made while the backprop flag was off: said as that (sample
        book_step33_backprop_left_off/, whose backward sets `Config.enable_backprop = create_graph` and never
        puts it back). Read only when such a case failed: two lookups, one round trip."""
        of = self.backward_from
        if of is None or failure.code != "exception" or "'NoneType' object" not in failure.message:
            return failure
        config = self.names.get("Config")
        y = self.vars.get(of)
        if config is None or y is None:
            return failure
        try:
            flag = self.session.getattr(config, "enable_backprop", missing_ok=True)
            creator = self.session.getattr(y, *_CREATOR, missing_ok=True)
            self.session.sync()
            off = flag.kind == "bool" and flag.desc.get("v") is False
            if not off or not creator.is_none:
                return failure
        except StudentFailure:
            return failure
        if "enable_backprop" in self.names.defaults_off:  # the code's own default (config_default_false.py)
            return StudentFailure(
                failure.code,
                f"{failure.message}; {of} has no creator: your code sets enable_backprop = False itself, so "
                f"the functions that made {of} recorded no graph. The book's Config sets "
                "enable_backprop = True: every function records its graph unless inside no_grad()",
                failure.detail,
            )
        return StudentFailure(
            failure.code,
            f"{failure.message}; {of} has no creator: Config.enable_backprop is False at this point of the "
            f"case, so the functions that made {of} recorded no graph. Something before it in this case "
            "turned it off and never set it back: a backward that sets Config.enable_backprop = "
            "create_graph, or a with block, must put the old value back (step 32: with "
            "using_config('enable_backprop', create_graph))",
            failure.detail,
        )

    def backward(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None:
        self.backward_from = of
        y = self.var(of)
        if upstream is not None:
            self.session.setattr(y, "grad", upstream)
        method = self.session.getattr(y, "backward")
        if retain_grad and accepts_keyword(
            self.session.signature(method, (y.type_id, "backward")), "retain_grad"
        ):
            self.session.call(method, retain_grad=True)
        else:
            self.session.call(method)

    def backward_graph(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None:
        """Step 33: `y.backward(create_graph=True)`, the gradients kept as a graph for the next backward."""
        y = self.var(of)
        if upstream is not None:
            # As the step's own seed, Variable(np.ones_like(self.data)): an array set here came back through
            # Add.backward as x.grad, and `gx = x.grad` failed as the student's "not a Variable".
            seed = self.construct(self.names.require("Variable"), upstream, label="Variable(upstream)")
            self.session.setattr(y, "grad", seed)
        method = self.session.getattr(y, "backward")
        signature = self.session.signature(method, (y.type_id, "backward"))
        if not accepts_keyword(signature, "create_graph"):
            raise StudentFailure(
                "not_implemented",
                "Variable.backward has no create_graph parameter: step 33's backward(retain_grad=False, "
                "create_graph=False) runs each function's backward under "
                "using_config('enable_backprop', create_graph)",
            )
        if retain_grad and accepts_keyword(signature, "retain_grad"):
            self.session.call(method, retain_grad=True, create_graph=True)
        else:
            self.session.call(method, create_graph=True)

    def _grad_refs(self, name: str) -> tuple[Ref, Ref, Ref]:
        """x.grad, its .data and that one's .data, asked in one batch: what the array read unwraps, read
        for a Variable wrapped in another (`_grad_variable_in_data`)."""
        return self._data_refs(self.session.getattr(self.var(name), "grad", missing_ok=True))

    def _data_refs(self, obj: Ref) -> tuple[Ref, Ref, Ref]:
        """`obj`, its .data and that one's .data, queued (no round trip of their own)."""
        data = self.session.getattr(obj, "data", missing_ok=True)
        return obj, data, self.session.getattr(data, "data", missing_ok=True)

    def take_grad(self, name: str, out: str) -> None:
        """`gx = x.grad`, to call gx.backward() next (steps 33 to 35): the gradient must be a Variable."""
        grad, data, inner = self._grad_refs(name)
        if grad.missing or grad.is_none:
            raise StudentFailure(
                "exception",
                f"{name}.grad is None after backward(create_graph=True): nothing to differentiate",
            )
        # A 0-d result of numpy arithmetic is a numpy scalar (np.float64, a float), not a 0-d array.
        if grad.kind in ("ndarray", "scalar", "float", "int"):
            raise StudentFailure(
                "exception",
                f"{name}.grad is a numpy array, not a Variable, so {out}.backward() cannot run: from step 32 "
                "backward seeds self.grad = Variable(np.ones_like(self.data)) and each function's backward "
                "computes with Variables, so gradients are Variables that can be differentiated again",
            )
        wrapped = _grad_variable_in_data(name, data, inner)
        if wrapped is not None:
            raise wrapped
        self.vars[out] = grad

    def backward_local(self, of: str, upstream: Ref | None) -> None:
        if of not in self.funcs:
            raise self.unknown(of)
        cls_name, f, _ = self.funcs[of]
        if of in self.composed:
            # linear_simple's output was made by its last function (an Add), whose backward gives that
            # function's inputs' gradients: the composition's are its inputs' grads after a backward from it
            self.backward(of, upstream)
            self.local[of] = []
            return
        if f is None or f.is_none:
            raise StudentFailure(
                "exception",
                f"{cls_name}: the output of {cls_name.lower()}() has no creator to call backward on",
            )
        if upstream is None:
            value = self.value_of(of)
            if value.ref.is_none:
                raise _no_data(of)
            upstream = self.session.new(
                np.ones_like(self.session.array(value.ref, f"{cls_name}.forward value"))
            )
        result = self.session.call(self.session.getattr(f, "backward"), upstream)
        self.local[of] = self._as_list(result)

    def grad_of(self, name: str) -> Reading:
        grad, data, inner = self._grad_refs(name)
        # None is the record's value (a gradient never set: the judge compares it), not a TODO
        return Reading(grad, None, wrong=lambda: _grad_variable_in_data(name, data, inner))

    def grad_via(self, name: str, via: str) -> Reading | np.ndarray | None:
        if via not in self.local:
            raise StudentFailure("exception", f"no local backward was run for {via} before reading it")
        if via in self.composed:
            return self.grad_of(name)
        cls_name, _, args = self.funcs[via]
        grads = self.local[via]
        tuple_of = f"({', '.join('g' + a for a in args)})"
        # the whole result None: "returned 1 gradient(s) for 2 input(s)" was said of an Add.backward whose
        # last line computed `gx0, gx1 = gy, gy` and never returned them
        nothing = len(grads) == 1 and grads[0].is_none
        if nothing:
            shape = f"one gradient per input, as a tuple: {tuple_of}" if len(args) > 1 else "the gradient"
            raise StudentFailure(
                "exception" if len(args) > 1 else "not_implemented",
                f"{cls_name}.backward returned None: is its `return` missing (or is it a TODO)? "
                f"return {shape}",
            )
        if len(grads) < len(args):
            raise StudentFailure(
                "exception",
                f"{cls_name}.backward returned {len(grads)} gradient(s) for {len(args)} input(s); "
                f"return one per input, as a tuple: {tuple_of}",
            )
        picked = [g for g, a in zip(grads, args, strict=False) if a == name]
        if any(g.is_none for g in picked):
            raise StudentFailure(
                "not_implemented",
                f"{cls_name}.backward returned None for the gradient of {name}: is it a TODO?",
            )
        # what the array read of each unwraps, asked with it: an ndarray returned (before step 32) has no
        # .data worth asking (its buffer)
        inside = [self._data_refs(g) for g in picked if g.kind not in _BARE]

        def wrapped() -> StudentFailure | None:
            return next(filter(None, (_returned_wrapped(cls_name, name, *refs) for refs in inside)), None)

        if len(picked) == 1:
            return Reading(picked[0], None, wrong=wrapped)
        if not picked:
            return None
        values = self.session.arrays([(g, f"{cls_name}.backward: gradient of {name}") for g in picked])
        failure = wrapped()
        if failure is not None:
            raise failure
        total = values[0]
        for value in values[1:]:
            total = summed(total, value, f"{cls_name}.backward: the gradients of {name}")
        return np.asarray(total, dtype=np.float64)

    def value_of(self, name: str) -> Reading:
        var, data, inner = self._data_refs(self.var(name))  # inner: what the array read unwraps
        return Reading(
            data,
            lambda: _no_data(name),
            wrong=lambda: self._bare(name, var) or _variable_in_data(name, data, inner, self.optimizer),
        )

    def _bare(self, name: str, output: Ref) -> StudentFailure | None:
        """A function's output that is a number or an array, not a Variable: `.data` of an ndarray is its
        memory buffer, which read as numbers said nothing of the mistake (step 2: wrap forward's result)."""
        if name not in self.funcs or not output.answered or output.kind not in _BARE:
            return None
        cls_name = self.funcs[name][0]
        if name in self.methods:
            return StudentFailure(
                "exception",
                f"{self.methods[name]} returned {name} as a bare {output.type_name}, not a Variable: the "
                "method should return the function's output, "
                f"dezero.functions.{aliases.dezero_helper(cls_name)}(self, ...) (step 38), a Variable",
            )
        if self.names.get(cls_name) is None:
            # no class: the helper alone made it (accuracy of step 50, dropout of step 54), a plain function
            # whose own return is the mistake, not Function.__call__ (review of s31-realdz)
            helper = aliases.dezero_helper(cls_name)
            return StudentFailure(
                "exception",
                f"{helper}() returned {name} as a bare {output.type_name}, not a Variable: a function of "
                f"dezero/functions.py returns a Variable (the book's {helper} wraps its result, "
                "return Variable(as_array(...)), or returns what its Functions made)",
            )
        return StudentFailure(
            "exception",
            f"{cls_name} returned {name} as a bare {output.type_name}, not a Variable: "
            "Function.__call__ must wrap forward's result, output = Variable(y), and return output (step 2)",
        )

    def property_of(self, name: str, prop: str) -> Reading:
        """Step 19: `x.shape`, `x.ndim`, `x.size`, `len(x)`, `x.dtype` (its name) and `repr(x)`."""
        if prop not in PROPERTIES:
            raise StepUnsupported(f"no Variable property {prop!r}; known: {', '.join(PROPERTIES)}")
        if prop in _ATTRIBUTE_PROPERTIES and self.session.getattr(self.var(name), prop).kind == "callable":
            # One round trip, in step 19's cases only: a plain method reads as the method itself.
            raise StudentFailure(
                "not_implemented",
                f"Variable.{prop} is a method, not a property: {name}.{prop} gave the method itself. Put "
                f"@property above def {prop}(self), as step 19 does, so that {name}.{prop} is the value",
            )
        ref = PROPERTIES[prop](self.session, self.var(name))
        unset = f"Variable.{prop} of {name} is None: is the property a TODO?"
        return Reading(ref, lambda: StudentFailure("not_implemented", unset))

    def has_creator(self, name: str) -> bool:
        creator = self.session.getattr(self.var(name), *_CREATOR, missing_ok=True)
        if creator.missing:
            raise StudentFailure("missing_name", f"Variable {name} has no 'creator' attribute (set_creator?)")
        return not creator.is_none

    def probe(self, probe: str, of: str) -> bool | float:
        if probe not in PROBES:
            raise self._unsupported(f"probe {probe}")
        return PROBES[probe](self, of)

    def creator(self, name: str) -> Ref:
        """The creator of an applied output (a failure naming Function.__call__ when it has none)."""
        if name not in self.funcs:
            raise self.unknown(name)
        creator = self.session.getattr(self.var(name), *_CREATOR, missing_ok=True)
        if creator.is_none:
            raise StudentFailure(
                "exception",
                f"the output of {self.funcs[name][0].lower()}() has no creator: "
                "Function.__call__ should call output.set_creator(self)",
            )
        return creator

    def cleargrad(self, name: str) -> None:
        method = self.session.getattr(self.var(name), *_CLEARGRAD, missing_ok=True)
        if method.missing:
            raise StudentFailure(
                "missing_name", f"Variable has no method cleargrad (needed to reset {name}.grad)"
            )
        self.session.call(method)


# ------------------------------------------------------------------------------------------ probes
# The shared machinery read directly (records `{"probe": name, "of": value}`), so that its mistakes are
# named as Variable's or Function's own and not as those of the first function that happens to use it.
def _rejects_float(a: DeZeroAdapter, of: str) -> bool:
    """Step 9: `Variable(1.0)` raises TypeError (only ndarray data, or None), or refuses it on purpose."""
    if of not in a.originals:
        raise a.unknown(of)
    try:
        return a.session.rejects(
            a.names.require("Variable"), float(np.asarray(a.originals[of]).reshape(-1)[0])
        )
    except RemoteFailure as failure:
        if failure.info is not None and refused_on_purpose(failure.info):
            return True
        raise


# What counts as refusing a float. The book's step 9 raises TypeError, and the case expects it; a student
# whose own check raises ValueError (or asserts isinstance) has done the step's work, and losing the case
# over the exception's class would grade the wording, not the idea. So any Exception raised by a `raise` or
# `assert` statement of the student's own, while the Variable is being constructed, is a refusal. A float
# that crashes the constructor for another reason (`data.ndim` on a float: AttributeError on a line that is
# not a raise) is no check at all and still fails, as do a TODO (NotImplementedError) and an exit.
_CONSTRUCTORS = ("__init__", "__post_init__", "__new__")  # a dataclass Variable checks in __post_init__
_NOT_A_REFUSAL = ("NotImplementedError", "SystemExit", "MemoryError", "RecursionError", "ForbiddenImport")
_OWN_STATEMENT = re.compile(r"(?:raise|assert)\b")  # the source line of the innermost frame, stripped


def refused_on_purpose(info: ErrorInfo) -> bool:
    """Whether the student's code raised this exception itself, in a statement of its own, from within the
    constructor it was called through (its outermost student frame)."""
    if not info.frames or any(kind in info.kinds for kind in _NOT_A_REFUSAL):
        return False
    outer, inner = info.frames[0], info.frames[-1]
    return (
        outer.function.rsplit(".", 1)[-1] in _CONSTRUCTORS and _OWN_STATEMENT.match(inner.source) is not None
    )


def _returns_variable(a: DeZeroAdapter, of: str) -> bool:
    """Step 12 on: a function with one output returns that Variable, not a one-element list."""
    if of not in a.returned:
        raise a.unknown(of)
    return a.returned[of].kind not in ("list", "tuple")


def _keeps_inputs(a: DeZeroAdapter, of: str) -> bool:
    """`f.inputs` are the very Variables the function was called with, in order."""
    kept = a.session.items(a.session.getattr(a.creator(of), "inputs"))
    wanted = [a.var(name) for name in a.funcs[of][2]]
    if len(kept) != len(wanted):
        return False
    return all(i == 0 for i in a.session.indexes_of([(w, [k]) for k, w in zip(kept, wanted, strict=True)]))


def _keeps_output(a: DeZeroAdapter, of: str) -> bool:
    """`f.outputs` holds the output Variable (itself, or a weak reference to it from step 17)."""
    kept = a.session.items(a.session.getattr(a.creator(of), "outputs"))
    y = a.var(of)
    for item in kept:
        target = a.session.call(item) if item.type_name in _WEAKREF_TYPES else item
        if a.session.index_of(y, [target]) == 0:
            return True
    return False


def _number(a: DeZeroAdapter, obj: Ref, what: str) -> float:
    value = a.session.getattr(obj, *aliases.GENERATION_NAMES, *a.names.ordering, missing_ok=True)
    if value.missing:
        raise StudentFailure("missing_name", f"{what} has no attribute generation (step 16 adds it)")
    array = np.asarray(a.session.array(value, what), dtype=np.float64)
    if array.size != 1:
        raise StudentFailure("exception", f"{what}: generation should be one integer, not {array.shape}")
    return float(array.reshape(-1)[0])


def _generation(a: DeZeroAdapter, of: str) -> float:
    """A Variable's generation: 0 for an input, its creator's generation + 1 (set_creator)."""
    return _number(a, a.var(of), f"Variable {of}")


def _function_generation(a: DeZeroAdapter, of: str) -> float:
    """A Function's generation: the largest generation among its inputs (Function.__call__)."""
    return _number(a, a.creator(of), f"the function that made {of}")


_WEAKREF_TYPES = ("ReferenceType", "weakref", "KeyedRef")


def _param_count(a: DeZeroAdapter, of: str) -> float:
    """Steps 59 and 60: how many Parameters `layer.params()` yields (a list, as the book's generator)."""
    obj, _ = a._layer(of)
    method = a.session.getattr(obj, "params", missing_ok=True)
    if method.missing:
        raise StudentFailure("missing_name", "Layer has no method params (step 44): it yields the Parameters")
    return float(len(a.session.items(a.session.call(method))))


PROBES: dict[str, Callable[[DeZeroAdapter, str], bool | float]] = {
    "rejects_float": _rejects_float,
    "returns_variable": _returns_variable,
    "keeps_inputs": _keeps_inputs,
    "keeps_output": _keeps_output,
    "generation": _generation,
    "function_generation": _function_generation,
    "param_count": _param_count,
}
