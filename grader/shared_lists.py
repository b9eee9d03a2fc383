"""A note for the student on a list (dict, set) written once in a class body and filled through its objects.

`class Node: outbound_nodes = []` with `node.outbound_nodes.append(self)` in `__init__` gives every node
the same list: each node's outbound nodes are every consumer ever built, so the backward passes add
gradients from nodes that never used it, and the lesson's `topological_sort` walks a graph with cycles and
never ends (the student read only "stopped after 10 s"). Python's own pitfall, in any family: the parent
reads the source (never runs it) and names the attribute, where it is written and what to write if each
object needs its own.

An attribute `C.attr` is named when C's body binds it to a literal list, dict or set (or `list()`, `dict()`,
`set()`); and code of C, of its subclasses or outside any class changes it in place through an object
(`x.attr.append(...)`, `x.attr[k] = v`, `x.attr += [...]`) where nothing gave that object one of its own: a
class whose code (or whose base's) assigns it on an object (`self.attr = ...`, `setattr(self, "attr", ...)`,
`vars(self)["attr"] = ...`) covers its own changes, C's covers the changes outside any class, and an
assignment outside any class covers every change. Not named: changes
through a class (`C.registry`, `cls.registry`, `type(self).registry`, `self.__class__.registry`: shared on
purpose), a `ClassVar`, the fields of a dataclass, NamedTuple, TypedDict or Enum, and another class's
attribute of the same name (an Optimizer's own `params` list says nothing of a Layer's).

The same pitfall through a default argument: `def __init__(self, inbound_nodes=[], outbound_nodes=[])`
with `self.outbound_nodes = outbound_nodes` gives every object built without that argument the one list
Python made when it read the `def` (every Input's outbound nodes are then every consumer ever built: the
lesson's sort never ends, the student read "stopped after 10 s"). Named when a method of C binds
`self.attr = param` at the top of its body, the param's default is a literal list, dict or set (or
`list()`, ...), and code changes `x.attr` in place: through `self` only in C's code, a subclass's or a base
class's (Node.add_consumer's `self.outbound_nodes.append` runs on an Input; an Optimizer's
`self.params.append` says nothing of a Layer's `params=[]`), through any other name anywhere.
Not named when the method binds it again afterwards, at its top level (`self.outs = list(self.outs)`), or
anywhere from the default itself (`if outs is not None: self.outs = outs[:]`): a copy. The course's own
`inbound_nodes=[]` is never changed in place: no note (sample submissions/miniflow/default_outbound_list.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from grader.flags.source import Source, sources
from grader.numpy_notes import place

MAX_NAMED = 4  # attributes a note names; the rest are counted
# Bounds on what one file costs the parent (a student's program has a few classes of a few attributes).
MAX_CLASSES = 256
MAX_CANDIDATES = 256
MAX_DEPTH = 16
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "__setitem__"})
_EMPTY_CALLS = frozenset({"list", "dict", "set"})
_KIND = {ast.List: "list", ast.Dict: "dict", ast.Set: "set"}
_DECLARED = frozenset(
    {"dataclass", "NamedTuple", "TypedDict", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"}
)


@dataclass(frozen=True)
class _ClassLevel:
    cls: str
    attr: str
    kind: str
    line: int


@dataclass(frozen=True)
class _SharedDefault:
    """`self.attr = param` in C.method, where param's default is one container made at the `def`."""

    cls: str
    method: str
    param: str
    attr: str
    kind: str
    line: int


def notes(files: Mapping[str, bytes]) -> tuple[str, ...]:
    """One note naming each class-level container the code fills through objects (none: no note)."""
    found: list[tuple[str, bytes, _ClassLevel | _SharedDefault]] = []
    for rel, data, source in sources(files, lambda data: b"class" in data):
        found += [(rel, data, c) for c in shared(source)]
        found += [(rel, data, d) for d in shared_defaults(source)]
    if not found:
        return ()
    # Placed only for those named: placing decodes the file (a hostile file of 9,000 candidates cost 8 s).
    named = [_advice(c, place(rel, data, c.line)) for rel, data, c in found[:MAX_NAMED]]
    more = [f"{len(found) - MAX_NAMED} more"] if len(found) > MAX_NAMED else []
    return (f"note: {'; '.join([*named, *more])}",)


Owners = dict[str, set[str | None]]  # attribute -> the classes whose code does it (None: outside every class)


def shared(source: Source) -> list[_ClassLevel]:
    """The class-level containers of one file changed in place through objects and never given to one."""
    classes = {n.name: n for n in source.of(ast.ClassDef)}  # picked from the parse's index, not a pass
    if len(classes) > MAX_CLASSES:
        return []  # no student's program; what follows stays bounded by the class count
    candidates = list(_unique(c for node in classes.values() for c in _class_level(node)))[:MAX_CANDIDATES]
    if not candidates:
        return []
    changed, assigned = _uses(source.tree, set(classes))
    ancestors = _Ancestors({name: _base_names(node) for name, node in classes.items()})
    return [c for c in candidates if _uncovered(c, changed, assigned, ancestors)]


def shared_defaults(source: Source) -> list[_SharedDefault]:
    """The attributes bound from a container default (`self.outs = outs`, `outs=[]`) and changed in place
    through objects somewhere in the file."""
    classes = source.of(ast.ClassDef)
    if len(classes) > MAX_CLASSES:
        return []
    candidates = list(_unique_defaults(d for node in classes for d in _default_bindings(node)))
    if not candidates:
        return []
    changed = _changed_in_place(source, {d.attr for d in candidates}, classes)
    ancestors = _Ancestors({c.name: _base_names(c) for c in classes})
    return [
        d
        for d in candidates[:MAX_CANDIDATES]
        if any(_related(d.cls, owner, ancestors) for owner in changed.get(d.attr, ()))
    ]


def _related(cls: str, owner: str | None, ancestors: _Ancestors) -> bool:
    """Whether a change made in `owner`'s code (None: through any other name than `self`) may reach the
    attribute of a `cls` object: `self` in a method of cls, of a subclass, or of a base class (Node's
    add_consumer doing self.outbound_nodes.append is run on an Input, whose __init__ keeps outbound_nodes=[]:
    review of s19, base_method.py got no note). An unrelated class's `self` (an Optimizer's) never is one."""
    return owner is None or cls in ancestors.of(owner) or owner in ancestors.of(cls)


def _changed_in_place(source: Source, attrs: set[str], classes: Sequence[ast.ClassDef]) -> Owners:
    """Which of `attrs` some code changes in place through an object, and whose: None for a change through
    any name but `self` (it may hold any class's object), the class whose method holds it for one through
    `self`. One pass over the walked nodes without owners (the lesson's constructor makes the default a
    candidate in nearly every MiniFlow file; the owner-carrying walk of `_uses` cost 1.7 ms there); the
    classes are walked again only when some change goes through `self`. Only the calls and assignments are
    read, picked from the parse's index of node types (a pass over every node, three isinstance each, cost
    ~0.5 ms a bench file)."""
    names = {c.name for c in classes}
    found: Owners = {}
    through_self: dict[int, str] = {}  # id of the changing node -> the attribute
    for node in source.of(ast.Call, ast.AugAssign, ast.Assign):
        holder: ast.expr | None = None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                holder = func.value
        elif isinstance(node, ast.AugAssign):
            holder = node.target.value if isinstance(node.target, ast.Subscript) else node.target
        elif isinstance(node, ast.Assign):
            subscripts = [t for t in node.targets if isinstance(t, ast.Subscript)]
            holder = subscripts[0].value if subscripts else None
        if (
            isinstance(holder, ast.Attribute)
            and holder.attr in attrs
            and not _through_class(holder.value, names)
        ):
            if isinstance(holder.value, ast.Name) and holder.value.id == "self":
                through_self[id(node)] = holder.attr
            else:
                found.setdefault(holder.attr, set()).add(None)
    if through_self:
        owner: dict[int, str] = {}
        for cls in classes:  # outer classes first (nodes is a breadth-first walk): the innermost wins
            owner.update((id(n), cls.name) for n in ast.walk(cls) if id(n) in through_self)
        for key, attr in through_self.items():
            found.setdefault(attr, set()).add(owner.get(key))
    return found


def _unique_defaults(found: Iterator[_SharedDefault]) -> Iterator[_SharedDefault]:
    yield from {(d.cls, d.attr): d for d in found}.values()


def _default_bindings(node: ast.ClassDef) -> Iterator[_SharedDefault]:
    """Only the method's own top-level statements: the lesson's constructor binds them there, and nothing is
    walked twice (a method's nested classes are walked as classes of their own)."""
    for method in node.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        defaults = _container_defaults(method.args)
        positional = [*method.args.posonlyargs, *method.args.args]
        if not defaults or not positional:
            continue
        me = positional[0].arg
        for i, stmt in enumerate(method.body):
            target, value = _self_binding(stmt, me)
            if (
                target is not None
                and isinstance(value, ast.Name)
                and value.id in defaults
                and not _copied_after(method.body[i + 1 :], me, target, value.id)
            ):
                kind, line = defaults[value.id]
                yield _SharedDefault(node.name, method.name, value.id, target, kind, line)


def _copied_after(rest: Sequence[ast.stmt], me: str, attr: str, param: str) -> bool:
    """Whether the statements after `self.attr = param` bind self.attr again to something else: at the top
    level (what Python keeps), or anywhere to a value made from the default (`param[:]`, `list(self.attr)`):
    a copy. A nested `self.attr = []` (under `if param is None`, never true of the default) is no copy."""
    for stmt in rest:
        target, value = _self_binding(stmt, me)
        if target == attr and value is not None and not _is_name(value, param):
            return True
        for inner in ast.walk(stmt):
            if inner is stmt or not isinstance(inner, ast.Assign | ast.AnnAssign):
                continue
            target, value = _self_binding(inner, me)
            if (
                target == attr
                and value is not None
                and not _is_name(value, param)
                and _reads(value, me, attr, param)
            ):
                return True
    return False


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _reads(value: ast.expr, me: str, attr: str, param: str) -> bool:
    """The value reads the default (`param`) or the attribute bound to it (`self.attr`)."""
    return any(
        _is_name(n, param) or (isinstance(n, ast.Attribute) and n.attr == attr and _is_name(n.value, me))
        for n in ast.walk(value)
    )


def _container_defaults(args: ast.arguments) -> dict[str, tuple[str, int]]:
    """param -> (its default's kind, the default's line), for the params whose default is a container."""
    positional = [*args.posonlyargs, *args.args]
    pairs = [
        *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
        *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None),
    ]
    out = {}
    for arg, default in pairs:
        kind = _container(default)
        if kind is not None:
            out[arg.arg] = (kind, default.lineno)
    return out


def _self_binding(stmt: ast.stmt, me: str) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target, value = stmt.target, stmt.value
    else:
        return None, None
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me:
        return target.attr, value
    return None, None


def _uncovered(c: _ClassLevel, changed: Owners, assigned: Owners, ancestors: _Ancestors) -> bool:
    """Whether some code changes `c` in place through objects that nothing gave one of their own: code of
    c's class or a subclass whose class (or a base of it) never assigns the attribute on an object, or code
    outside every class when c's class never does. Module-level code assigning it covers every change."""
    givers = assigned.get(c.attr, set())
    if None in givers:
        return False
    for owner in changed.get(c.attr, ()):
        if owner is None:
            if c.cls not in givers:
                return True
        elif c.cls in ancestors.of(owner) and givers.isdisjoint(ancestors.of(owner)):
            return True
    return False


def _unique(found: Iterator[_ClassLevel]) -> Iterator[_ClassLevel]:
    """One per class and attribute: the last binding, as Python keeps it."""
    yield from {(c.cls, c.attr): c for c in found}.values()


def _base_names(node: ast.ClassDef) -> set[str]:
    named = (b for b in node.bases if isinstance(b, ast.Name | ast.Attribute))
    return {b.id if isinstance(b, ast.Name) else b.attr for b in named}


class _Ancestors:
    """A class of the file and the classes it derives from in it (to MAX_DEPTH levels), found once each."""

    def __init__(self, bases: Mapping[str, set[str]]) -> None:
        self.bases = bases
        self.found: dict[str, frozenset[str]] = {}

    def of(self, name: str) -> frozenset[str]:
        if name not in self.found:
            seen, level = {name}, {name}
            for _ in range(MAX_DEPTH):
                level = {b for n in level for b in self.bases.get(n, ())} - seen
                if not level:
                    break
                seen |= level
            self.found[name] = frozenset(seen)
        return self.found[name]


def _class_level(node: ast.ClassDef) -> Iterator[_ClassLevel]:
    if _declared(node):
        return
    for stmt in node.body:
        target, value = _binding(stmt)
        kind = _container(value)
        if target is not None and kind is not None and not target.startswith("__"):
            yield _ClassLevel(node.name, target, kind, stmt.lineno)


def _declared(node: ast.ClassDef) -> bool:
    """A dataclass, NamedTuple, TypedDict or Enum: its body declares fields or members, not defaults."""
    names = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in _decorators(node)}
    return bool((names | _base_names(node)) & _DECLARED)


def _decorators(node: ast.ClassDef) -> Iterator[ast.expr]:
    for d in node.decorator_list:
        yield d.func if isinstance(d, ast.Call) else d


def _binding(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        if "ClassVar" in ast.dump(stmt.annotation):  # declared shared
            return None, None
        return stmt.target.id, stmt.value
    return None, None


def _container(value: ast.expr | None) -> str | None:
    if value is None:
        return None
    kind = _KIND.get(type(value))
    if kind is not None:
        return kind
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in _EMPTY_CALLS
        and not value.args
        and not value.keywords
    ):
        return value.func.id
    return None


def _owned(root: ast.AST) -> Iterator[tuple[str | None, ast.AST]]:
    """Every node with the innermost class whose body holds it (None: outside every class), in one walk
    that carries the class down (a walk per class was quadratic in how deep classes nest: review)."""
    stack: list[tuple[str | None, ast.AST]] = [(None, root)]
    while stack:
        owner, node = stack.pop()
        yield owner, node
        inner = node.name if isinstance(node, ast.ClassDef) else owner
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                stack.append((inner, value))
            elif isinstance(value, list):
                stack.extend((inner, x) for x in value if isinstance(x, ast.AST))


def _uses(root: ast.AST, classes: set[str]) -> tuple[Owners, Owners]:
    """(who changes each attribute in place through an object, who gives an object one of its own)."""
    changed: Owners = {}
    assigned: Owners = {}
    for owner, node in _owned(root):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                holder = func.value  # x.attr in x.attr.append(...)
                if isinstance(holder, ast.Attribute) and not _through_class(holder.value, classes):
                    changed.setdefault(holder.attr, set()).add(owner)
            elif isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
                name = node.args[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    assigned.setdefault(name.value, set()).add(owner)
        elif isinstance(node, ast.AugAssign):
            _target(node.target, owner, classes, changed, changed)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for each in _flattened(target):
                    _target(each, owner, classes, changed, assigned)
    return changed, assigned


def _target(
    target: ast.expr, owner: str | None, classes: set[str], changed: Owners, assigned: Owners
) -> None:
    """`x.attr[k] = v` changes x.attr in place; `x.attr = v` and `vars(x)["attr"] = v` give x its own (for
    `x.attr += v`, `assigned` is `changed`: a list's += changes it in place)."""
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
        if not _through_class(target.value.value, classes):
            changed.setdefault(target.value.attr, set()).add(owner)
    elif isinstance(target, ast.Subscript) and _vars_of(target.value):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            assigned.setdefault(key.value, set()).add(owner)
    elif isinstance(target, ast.Attribute) and not _through_class(target.value, classes):
        assigned.setdefault(target.attr, set()).add(owner)


def _vars_of(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars"


def _flattened(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _flattened(element)
    elif isinstance(target, ast.Starred):
        yield from _flattened(target.value)
    else:
        yield target


def _through_class(node: ast.expr, classes: set[str]) -> bool:
    """A class rather than an object: a class of the file by name, `cls`, `type(x)`, `x.__class__`."""
    if isinstance(node, ast.Name):
        return node.id in classes or node.id == "cls"
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "type"
    return isinstance(node, ast.Attribute) and node.attr == "__class__"


def _advice(c: _ClassLevel | _SharedDefault, where: str) -> str:
    empty = {"list": "[]", "dict": "{}", "set": "set()"}[c.kind]
    if isinstance(c, _SharedDefault):
        return (
            f"the default {c.param}={empty} of {c.cls}.{c.method} ({where}) is one {c.kind}, made once when "
            f"Python reads the def, and {c.cls}.{c.method} keeps it as self.{c.attr}: every {c.cls} object "
            f"built without that argument holds the same {c.kind}, so what one adds to it, every one sees; "
            f"write {c.param}=None and self.{c.attr} = {empty} if {c.param} is None else {c.param}"
        )
    return (
        f"{c.cls}.{c.attr} is written in the class body ({where}), so it is one {c.kind} shared by every "
        f"{c.cls} object: what one object adds to it, every object sees; if each object needs its own, set "
        f"self.{c.attr} = {empty} in {c.cls}.__init__"
    )
