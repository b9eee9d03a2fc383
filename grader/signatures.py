"""Methods whose parameters cannot take the book's call: a forgotten `self`, an extra required parameter, a
missing one. Read by the parent from the parsed source (never run), so the message is the grader's own words.

Python's own message for such a method ("Sigmoid.forward() takes 1 positional argument but 2 were given",
or, for a MiniFlow `def forward():` called with no argument, an error inside it) says what the interpreter
saw, not what the student wrote wrong. `problems` says it: "Sigmoid.forward is defined without `self`",
"Affine.backward(self, dout, extra) takes an extra required parameter `extra`; the book's is
backward(self, dout)". The judge puts that line above the case's error when the error is that method's
(grader/judge/source_notes.py); a problem no case met is a warning of the report.

Only methods the book fixes are checked (`BOOK`): a class of the student's own, or a method the grader never
calls, may take whatever it likes. A decorated method (staticmethod, property, a wrapper) and one taking
`*args` are left alone (what they accept is not read off their parameters), and so is one that only raises
(the course's own starter has `def forward(): raise NotImplementedError` in Node, which no case calls), and
one with more or longer parameters than a message can spell (grader/parameters.py).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from grader import parameters, pyparse
from grader.numpy_notes import place

# family -> "Class.method" (or "*.method": any class of the family) -> the book's parameters after `self`
# (FACTS.md sections 1 to 3; `name=default` is optional). A class's own entry wins over the "*" one.
BOOK: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    # Input.forward(self, value=None) is fine: optional. Sigmoid._sigmoid(self, x) is the lesson's helper,
    # which Sigmoid.forward calls as self._sigmoid(x): a `def _sigmoid(x)` without self (no @staticmethod)
    # raised Python's "takes 1 positional argument but 2 were given" alone (s30-realmf)
    "miniflow": {"*.forward": (), "*.backward": (), "Sigmoid._sigmoid": ("x",)},
    "dezero": {
        "*.backward": ("gy",),
        "Variable.backward": ("retain_grad=False",),
        "Variable.set_creator": ("func",),
        "Variable.cleargrad": (),
        **{f"{c}.forward": ("x",) for c in ("Square", "Exp", "Neg", "Pow")},
        **{f"{c}.forward": ("x0", "x1") for c in ("Add", "Mul", "Sub", "Div")},
    },
    "layers": {
        "*.backward": ("dout",),
        "SoftmaxWithLoss.backward": ("dout=1",),
        "MulLayer.forward": ("x", "y"),
        "AddLayer.forward": ("x", "y"),
        "SoftmaxWithLoss.forward": ("x", "t"),
        "Dropout.forward": ("x", "train_flg=True"),
        "BatchNormalization.forward": ("x", "train_flg=True"),
        **{f"{c}.forward": ("x",) for c in ("Relu", "Sigmoid", "Affine", "Convolution", "Pooling")},
        **{f"TwoLayerNet.{m}": ("x", "t") for m in ("loss", "accuracy", "gradient")},
        "TwoLayerNet.predict": ("x",),
    },
}
# Other parameters the book itself gives a method at an earlier step (after `self`, exactly): step 11's
# Add.forward(self, xs) takes the inputs in one list, before step 12 unpacks them into forward(self, x0, x1).
EARLIER: Mapping[str, Mapping[str, tuple[tuple[str, ...], ...]]] = {"dezero": {"Add.forward": (("xs",),)}}
# Methods only the student's own code calls, never the grader: DeZero's Function.__call__ runs
# self.forward(*xs) and output.set_creator(self). Their parameters are the student's to choose as long as
# their own code passes them (a Pow taking its exponent as a second input, `Pow()(x, as_array(c))`, scored
# full marks and was warned "the grader calls it that way: remove it or give it a default", advice that
# would break it): such a problem is said only when a case errors in that method, never as a warning. A method
# without `self` is no choice of the student's: its own call passes the object too, so that one is warned.
_CALL = "the book's Function.__call__ calls it that way"
OWN_CALLS: Mapping[str, Mapping[str, str]] = {
    "dezero": {"forward": _CALL, "set_creator": _CALL},
    "miniflow": {"_sigmoid": "the lesson's Sigmoid.forward and backward call it that way"},
}
# Of those, the helpers the class's own methods call (MiniFlow's Sigmoid.forward runs self._sigmoid(x)): a
# `def _sigmoid(x)` called only through the class (`Sigmoid._sigmoid(x)`), never through `self`, takes no
# object and works; "defined without `self`" was warned of such a file, which scores full marks
# (s30-fixrealmf).
CLASS_HELPERS: Mapping[str, frozenset[str]] = {"miniflow": frozenset({"_sigmoid"})}
# Whose signature the message quotes: MiniFlow is a course's lesson, the other two are books.
AUTHORITY: Mapping[str, str] = {"miniflow": "the lesson's"}
MAX_PROBLEMS = 8  # a file of many broken methods: the first ones say enough


@dataclass(frozen=True)
class Problem:
    cls: str
    method: str
    message: str  # one line, for the student
    warn_unmet: bool = (
        True  # a warning of the report when no case errors in the method (OWN_CALLS: no self only)
    )


def problems(
    files: Mapping[str, bytes],
    family: str,
    graded: Collection[str] | None = None,
    loaded: Collection[str] = (),
) -> tuple[Problem, ...]:
    """The book's methods the submission's Python files define with parameters that cannot take its call,
    each class as its last definition (the one the student's process keeps). `graded`: the class names the
    assignment grades (with their accepted spellings); a "*" entry holds for those only, so that a helper
    class of the student's own (`class Model: def backward(self)`) is left alone. `loaded`: the files the
    student's process loaded; a class one of them defines wins over one of the same name in a file it never
    ran (MiniFlow's Sigmoid in a repository beside the DLFS book's was read for the book's)."""
    book = BOOK.get(family)
    if not book:
        return ()
    classes: dict[str, tuple[str, bytes, ast.ClassDef]] = {}
    for rel, data, tree in pyparse.python_trees(files):
        for n in tree.body:
            if isinstance(n, ast.ClassDef) and (rel in loaded or classes.get(n.name, ("",))[0] not in loaded):
                classes[n.name] = (rel, data, n)
    found: list[Problem] = []
    for name, (rel, data, node) in classes.items():
        methods = {f.name: f for f in node.body if isinstance(f, ast.FunctionDef)}  # the last def wins
        for method, fn in methods.items():
            anyone = graded is None or name in graded
            params = book.get(f"{name}.{method}", book.get(f"*.{method}") if anyone else None)
            earlier = EARLIER.get(family, {}).get(f"{name}.{method}", ())
            own = OWN_CALLS.get(family, {}).get(method)
            caller = own or "the grader calls it that way"
            problem = (
                None
                if params is None or _positional(fn) in earlier
                else _problem(name, fn, params, AUTHORITY.get(family, "the book's"), caller)
            )
            if problem and problem[0] == NO_SELF and method in CLASS_HELPERS.get(family, ()):
                problem = None if _called_through_class_only(node, method) else problem
            if problem:
                kind, message = problem
                where = place(rel, data, fn.lineno)
                warn = own is None or kind == NO_SELF
                found.append(Problem(name, method, message.replace("{place}", where), warn_unmet=warn))
    return tuple(found[:MAX_PROBLEMS])


def _called_through_class_only(cls: ast.ClassDef, method: str) -> bool:
    """Whether the class's code calls `method` and never as `self.method(...)`: `Sigmoid._sigmoid(x)` (or
    `type(self)._sigmoid(x)`) passes no object, so a def without self takes that call."""
    receivers = [
        n.func.value
        for n in pyparse.walk(cls)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == method
    ]
    return bool(receivers) and not any(isinstance(r, ast.Name) and r.id == "self" for r in receivers)


def _positional(fn: ast.FunctionDef) -> tuple[str, ...]:
    """The parameters after `self`, as written (only when there is no *args, **kwargs or keyword-only)."""
    a = fn.args
    if a.vararg is not None or a.kwarg is not None or a.kwonlyargs:
        return ()
    return tuple(p.arg for p in (*a.posonlyargs, *a.args))[1:]


NO_SELF, EXTRA, LACKING = "no self", "extra", "lacking"  # what is wrong with the parameters


def _problem(
    cls: str, fn: ast.FunctionDef, book: tuple[str, ...], whose: str, caller: str
) -> tuple[str, str] | None:
    """(what is wrong: NO_SELF, EXTRA or LACKING; the message, its {place} to fill), None when nothing is."""
    a = fn.args
    if fn.decorator_list or a.vararg is not None or not parameters.quotable(a) or _placeholder(fn):
        return None
    positional = [p.arg for p in (*a.posonlyargs, *a.args)]
    n_optional = len(a.defaults)
    required_after = positional[1 : len(positional) - n_optional] if positional else []
    theirs = f"{fn.name}({', '.join(_spelt(fn))})"
    ours = f"{fn.name}({', '.join(('self', *book))})"
    book_names = [p.split("=")[0] for p in book]
    book_required = [p for p in book if "=" not in p]
    if not positional or (
        positional[0] != "self" and (positional[0] in book_names or len(positional) == len(book))
    ):
        return NO_SELF, (
            f"{cls}.{fn.name} is defined without `self` ({{place}}: def {theirs}): Python passes the object "
            f"first, so write def {ours}, {whose}"
        )
    extra = required_after[len(book) :] + [
        k.arg for k, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is None
    ]
    if extra:
        s = "s" if len(extra) > 1 else ""
        names = ", ".join(f"`{e}`" for e in extra)
        return EXTRA, (
            f"{cls}.{theirs} takes {'extra required parameters' if s else 'an extra required parameter'} "
            f"{names} ({{place}}); {whose} is {ours}, and {caller}: remove "
            f"{'them' if s else 'it'} or give {'them' if s else 'it'} a default"
        )
    lacking = book_names[len(positional) - 1 : len(book_required)]
    if lacking and a.kwarg is None:
        names = ", ".join(f"`{n}`" for n in lacking)
        s = "s" if len(lacking) > 1 else ""
        return LACKING, f"{cls}.{theirs} lacks the parameter{s} {names} ({{place}}); {whose} is {ours}"
    return None


def _placeholder(fn: ast.FunctionDef) -> bool:
    """A body that only raises (the course's own `Node.forward(): raise NotImplementedError`): a method for
    subclasses to override, never called as it is."""
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) else fn.body
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _spelt(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    positional = [p.arg for p in (*a.posonlyargs, *a.args)]
    first_default = len(positional) - len(a.defaults)
    out = [p if i < first_default else f"{p}=..." for i, p in enumerate(positional)]
    if a.kwonlyargs:
        out.append("*")
        out.extend(
            k.arg if d is None else f"{k.arg}=..." for k, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
        )
    if a.kwarg is not None:
        out.append(f"**{a.kwarg.arg}")
    return out
