"""Which course stage a submission looks like, read from its parsed source in the parent (never run).

`grader check` without `--stage` grades the inferred stage; every report records the stage graded and, when
the code looks like an earlier one, the judge names the stage that adds what is missing
(grader/judge/stages.py).
Parsing reuses the static scan's parser (grader/flags/source.py): same size cap, same refusal of odd trees.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader import pyparse
from grader.assignments import Assignment
from grader.branch_taken import taken
from grader.computed_names import computed_names, read_by
from grader.defined import nested_class_methods, program_files, top_level_names
from grader.flags.source import Unscannable, local_module_names, parse
from grader.inside import aliases
from grader.inside.choice import stage_step
from grader.inside.main_guard import import_branches
from grader.ordering_attribute import ordering_attributes
from grader.stages import (
    METHOD_NAMES,
    DefinedNames,
    Inference,
    Progression,
    Stage,
    defines,
    infer_in,
    keep_names,
    known_names,
    progression,
    satisfied_stages,
)

if TYPE_CHECKING:
    from grader.pipeline import RunPlan


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# The defined names inference compares: the book's whole step-46 dezero/ defines 90. Inference compares each
# stage's names with every defined one (a misspelling is looked for among them), and 450,000 one-line
# definitions, text read from 8 MiB, kept the parent on one submission for 30 s. A file defining more than
# this many is no course step (a data or generated module) and gives none: sorted before the student's files
# (a_data.py), it pushed their classes out of the first MAX_DEFINED. At most this many over the submission.
MAX_DEFINED = 2000
IMPORTED = "import"  # how a name imported from the submission's own modules is bound (module_bindings)
MATMUL = "__matmul__"  # what `X @ W` mentions: the method it calls (shown as `@`, OPERATOR_IDENTIFIERS)
# What an attribute in generation's role mentions (grader/ordering_attribute.py): the name step 16 detects
ORDERING = "generation"


def names_in(files: Mapping[str, bytes], *, formulas: bool = True) -> tuple[set[str], set[str]]:
    """(defined, identifiers): classes and functions defined anywhere plus module-level assignments (what the
    code itself provides: an imported name is not the student's work), and every identifier mentioned (the
    `@` operator as `__matmul__`; with `formulas`, the book's functions computed inline: reads_formulas). A
    file past the parent's parse budget (pyparse.MAX_PARSED_BYTES) gives its unindented definitions. At
    most MAX_DEFINED defined names, the first found, from the files that define at most that many each."""
    defined: dict[str, str | None] = {}  # in the order found, to keep the first MAX_DEFINED
    idents: set[str] = set()
    functions: set[str] = set()  # defined by a def somewhere
    others: set[str] = set()  # defined by a class or an assignment somewhere
    behind: dict[str, tuple[str, str]] = {}
    methods: dict[str, str] = {}  # a method's name -> "Class.name", the first class defining it
    top: set[str] = set()  # bound at a module's top level (a def, a class, an assignment, an import)
    trees: list[ast.Module] = []  # of the files that parse, for what only the whole submission says
    local = local_module_names(files)
    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    for rel, data, fits in pyparse.within_budget(python):
        mine = _file_names(rel, data, fits, local, idents, functions, behind, methods, top, trees, formulas)
        if len(mine) <= MAX_DEFINED:
            defined.update(mine)
            others.update(n for n, kind in mine.items() if kind not in ("def", IMPORTED))
    # step 16's generation, by its role under any name (`depth`); read only where the name is not there
    if ORDERING not in idents and ordering_attributes(trees):
        idents.add(ORDERING)
    kept = set(itertools.islice(defined, MAX_DEFINED))
    behind = {c: own for c, own in behind.items() if c not in kept and own[0] in kept}
    only_methods = {n: where for n, where in methods.items() if n in kept and n not in top}
    return DefinedNames(kept, (functions & kept) - others, behind, only_methods), idents


def _class_methods(tree: ast.Module, methods: dict[str, str], top: set[str]) -> int:
    """Adds the methods of the module's top-level classes to `methods` (name -> "Class.name") and the defs
    and classes its top level binds to `top`; returns how many classes it read. A function the lesson has at
    module level, written as a method of the student's class (Graph.topological_sort), is defined for
    inference but is no module function: the stage line said "your code defines topological_sort" above
    "missing: topological_sort" (s30)."""
    # popped in source order (each block's statements pushed last first): of two classes defining a method,
    # the first is named, as the load's "you defined Graph.topological_sort" names it
    stack: list[ast.stmt] = tree.body[::-1]
    read = 0
    while stack:
        node = stack.pop()
        if isinstance(node, _DEFINITIONS):
            top.add(node.name)
        if isinstance(node, ast.ClassDef):
            read += 1
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    methods.setdefault(item.name, f"{node.name}.{item.name}")
        elif isinstance(node, ast.If):
            # the `if __name__ == "__main__":` block (the `else` of `!=`) never runs at import: its classes
            # are left to nested_class_methods, which says where they are (s33: the stage line said "your
            # code defines ..., Sigmoid" above the case's "class Sigmoid is defined under `if __name__ ==
            # ...`")
            stack.extend(reversed(import_branches(node).runs))
        elif isinstance(node, _BLOCKS):
            inner = [
                *getattr(node, "body", ()),
                *(s for handler in getattr(node, "handlers", ()) for s in handler.body),
                *getattr(node, "orelse", ()),
                *getattr(node, "finalbody", ()),
            ]
            stack.extend(reversed(inner))
    return read


def _called_class(node: ast.FunctionDef | ast.AsyncFunctionDef, classes: set[str]) -> str | None:
    """The one class of `classes` a helper function's body names, `return 二乗()(x)` or the book's first
    form `f = 二乗()` then `return f(x)`, or None (none, or several). The student's process reads the same off
    the helper's code (`Names._behind_helper`: the globals it names); reading only `return C()(x)` here left
    the two-line form at no stage, "missing: Square", where its square() passed every Square case (sample
    step09_japanese_class_names_two_lines.py)."""
    named = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in classes}
    return named.pop() if len(named) == 1 else None


def _possible_bindings(body: list[ast.stmt]) -> dict[str, list[ast.stmt]]:
    """{name: the statements that may bind it last on import}, in source order of the last: a def, a class or
    an assignment (`二乗 = 平方` rebinds a class: no class is left under that name). Module-level `try` and
    `with` blocks run; of an `if`, the branch Python runs where the source decides it (grader/branch_taken.py:
    `if True:`, `sys.version_info` checks, the `__main__` guard), both where it does not: a binding in
    either is one that may be the last, beside the one before it."""
    possible: dict[str, list[ast.stmt]] = {}
    for node, certain in _on_import(body, True):
        names = [node.name] if isinstance(node, _DEFINITIONS) else _stored_names(node)
        for name in names:
            before = possible.pop(name, [])  # re-inserted: source order of the last binding
            possible[name] = [node] if certain else [*before, node]
    return possible


def _on_import(body: list[ast.stmt], certain: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """The module-level statements an import may run, each with whether it surely runs."""
    for node in body:
        yield node, certain
        if isinstance(node, ast.If):
            runs = taken(node.test)
            if runs is None:
                yield from _on_import([*node.body, *node.orelse], False)
            else:
                yield from _on_import(node.body if runs else node.orelse, certain)
        elif isinstance(node, (ast.Try, ast.TryStar)):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _on_import(part, certain)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            yield from _on_import(node.body, certain)


def _stored_names(node: ast.stmt) -> list[str]:
    return [n.id for t in _targets(node) for n in ast.walk(t) if isinstance(n, ast.Name)]


def _classes_behind(source_tree: ast.AST, behind: dict[str, tuple[str, str]]) -> None:
    """{the class the book names: (the student's class, the helper calling it)} for a helper spelt as the
    book's (`square`) that calls a class of the same file spelt in another script than the book's names
    (`class 二乗(Function)`): that class is the book's Square. Only a name outside ASCII, which no alias
    table could list; a class with an English name of the student's own is a class of its own.
    Read as the import binds them: of two `def square` (or a class and a def of one name) the last one run
    at module level, never one under `if __name__ == "__main__":`, as the student's process finds it
    (`Names._behind_helper`); the first named a class that was not the one graded (s36 review). A name
    rebound by an assignment is no class; where an undecided `if` leaves two possible last bindings, the
    helper counts only when every one of them is a def naming the same class (s37)."""
    possible = _possible_bindings(getattr(source_tree, "body", []))
    classes = {
        name
        for name, nodes in possible.items()
        if not name.isascii() and all(isinstance(n, ast.ClassDef) for n in nodes)
    }
    if not classes:
        return
    for name, nodes in possible.items():
        helpers = [n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if not name.isascii() or len(helpers) < len(nodes):
            continue
        called = {_called_class(n, classes) for n in helpers}
        if len(called) == 1 and (one := called.pop()) is not None:
            behind.setdefault(aliases.dezero_class(name), (one, name))


def _file_names(
    rel: str,
    data: bytes,
    fits: bool,
    local: frozenset[str],
    idents: set[str],
    functions: set[str],
    behind: dict[str, tuple[str, str]],
    methods: dict[str, str],
    top: set[str],
    trees: list[ast.Module],
    formulas: bool,
) -> dict[str, str | None]:
    """The names one file defines, in source order, each with "def" when a def binds it (and nothing else
    here does: a class or an assignment makes it no function only); its identifiers added to `idents`, the
    classes its helpers call under another script's name to `behind`, its tree (when it parses) to `trees`."""
    try:
        if not fits:
            raise Unscannable("past the parent's parse budget")
        source = parse(rel, data, local)
    except Unscannable:  # too large to parse here: its unindented definitions, read as text
        source = None
    if source is None:  # or Python cannot compile it (a Python 2 print): its classes still say its stage
        found = top_level_names(data)
        top.update(found)
        idents.update(found)
        if fits:  # and the names its code mentions, as the tokenizer reads them (comments and strings aside)
            idents.update(mentioned_names(data))
        return dict.fromkeys(found)
    trees.append(source.tree)
    mine: dict[str, str | None] = {}
    for name, how in module_bindings(source.tree, local):
        if name not in mine or how is None:  # in source order; an assignment makes it no function
            mine[name] = how
        top.add(name)
    if _class_methods(source.tree, methods, top) < len(source.of(ast.ClassDef)):
        nested_class_methods(source.tree, methods)
    # Each kind picked from the parse's index of node types (flags/source.py) rather than a pass over the
    # ~1,000 nodes of a lesson file testing each: only the definitions' order counts (`mine`, in walk order)
    idents.update([n.id for n in source.of(ast.Name)])
    idents.update([n.attr for n in source.of(ast.Attribute)])
    idents.update([n.arg for n in source.of(ast.arg)])
    if ast.MatMult in source.positions:
        idents.add(MATMUL)  # `X @ W` mentions matrix multiplication as much as `np.dot(X, W)` does
    if formulas:  # `1 / (1 + np.exp(-a1))` uses sigmoid as much as `sigmoid(a1)` does (computed_names.py)
        idents.update(computed_names(source.tree))
    for node in source.of(*_DEFINITIONS):
        name = node.name  # type: ignore[attr-defined]
        if type(node) is ast.ClassDef:
            mine[name] = None
        else:
            functions.add(name)
            mine.setdefault(name, "def")
        idents.add(name)
    for node in source.of(ast.ImportFrom):
        if node.module:
            idents.update(node.module.split("."))  # `from dezero import Variable` mentions dezero
    for node in source.of(ast.alias):
        idents.update(node.name.split("."))
        if node.asname:
            idents.add(node.asname)
    _classes_behind(source.tree, behind)
    return mine


# Real student files are under 100 KiB; a step's words are in its classes, at the top.
MAX_TOKENIZED_BYTES = 256 * 1024


def mentioned_names(data: bytes) -> set[str]:
    """The identifiers of a file Python cannot compile, read by the tokenizer up to where it gives up: a
    step-19 file refused for one line (an f-string of Python 3.12, a full-width space) still mentions
    generation, retain_grad, __repr__, which say its stage. Without them only its unindented classes were
    read, and it was inferred step13 (sample submissions/dezero/step19_fstring_backslash.py). Only the first
    MAX_TOKENIZED_BYTES are read (1 MiB of `;` took 1.1 s of the parent's CPU, paid twice by a `check`); any
    failure of the tokenizer keeps what it read (a coding line naming a codec that is not text, rot13 or
    zlib, raised LookupError out of `grader check`: sample hostile/coding_cookie_binary_codec.py)."""
    names: set[str] = set()
    lines = io.BytesIO(data[:MAX_TOKENIZED_BYTES]).readline
    try:
        for token in tokenize.tokenize(lines):
            if token.type == tokenize.NAME:
                names.add(token.string)
    except Exception:  # TokenError, SyntaxError, UnicodeDecodeError, LookupError...: what was read stands
        pass
    return names


def classes_in(files: Mapping[str, bytes], names: Sequence[str]) -> dict[str, list[str]]:
    """The classes of `names` (a stage's optional classes) each file's bytes read as `class <Name>`, anywhere
    (a file Python cannot compile has no tree to read): where the judge may say that a syntax error is why
    such a class was not found (grader/judge/stages.py). First MAX_TOKENIZED_BYTES of a file, as the
    tokenizer above; a regex per file and optional class, for a stage that has any."""
    out: dict[str, list[str]] = {}
    patterns = [(name, re.compile(rb"\bclass[ \t]+" + re.escape(name.encode()) + rb"\b")) for name in names]
    for path, data in files.items() if patterns else ():
        head = data[:MAX_TOKENIZED_BYTES]
        found = [name for name, pattern in patterns if pattern.search(head)]
        if found:
            out[path] = found
    return out


def module_bindings(tree: ast.Module, local: frozenset[str]) -> list[tuple[str, str | None]]:
    """The names module-level statements bind, in source order: every assignment target (tuple unpacking,
    an annotated assignment, a loop or `with` target), inside `if`/`try`/loop blocks too, and a name
    imported from the submission's own modules (`from .bn import BN as BatchNormalization`); the defs and
    classes are read with the other nodes. Only `Name = ...` at the top was read: a chapter-7
    common/layers.py binding `Dropout, BatchNormalization = _Dropout, _BatchNorm` (or annotating them, or
    importing them under the book's names) was inferred `conv`, and `check` passed it without grading either
    class. Statements only: the expressions are not walked again (a 256 KiB literal costs nothing more).
    Names made at run time (`globals()[...]`, `setattr`) stay unread: only running the code says them.
    Each with how it is bound: None for an assignment, IMPORTED for an import (the name is what its own
    module makes it: `from common.functions import relu` binds no class Relu, review of session 18)."""
    out: list[tuple[str, str | None]] = []
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        for target in _targets(node):
            # `Config.enable_backprop = False` binds no name: only a Name stored to does
            stored = (n.id for n in pyparse.walk(target) if type(n) is ast.Name and type(n.ctx) is ast.Store)
            out.extend((name, None) for name in stored)
        if isinstance(node, ast.ImportFrom) and _is_local(node, local):
            out.extend((a.asname or a.name, IMPORTED) for a in node.names if a.name != "*")
        if isinstance(node, _BLOCKS):  # not a def's or class's body: its own scope
            inner = [
                *getattr(node, "body", ()),
                *getattr(node, "orelse", ()),
                *getattr(node, "finalbody", ()),
            ]
            inner += [s for handler in getattr(node, "handlers", ()) for s in handler.body]
            stack.extend(reversed(inner))
    return out


# Compound statements whose blocks run in the module's own scope.
_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar)


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return [node.target] if getattr(node, "value", None) is not None else []  # `X: int` binds nothing
    if isinstance(node, ast.For | ast.AsyncFor):
        return [node.target]
    if isinstance(node, ast.With | ast.AsyncWith):
        return [i.optional_vars for i in node.items if i.optional_vars is not None]
    return []


def _is_local(node: ast.ImportFrom, local: frozenset[str]) -> bool:
    """An import from the submission's own files (a relative one, or a module one of them provides)."""
    return bool(node.level) or (node.module is not None and node.module.split(".")[0] in local)


def family_aliases(family: str) -> Mapping[str, tuple[str, ...]]:
    """The adapter's naming variants (`Node`: `Layer`, `Neuron`): inference accepts what grading does, read
    from the adapters' own tables (grader/inside/aliases.py) without importing the adapters."""
    return aliases.for_inference(family)


def infer(
    assignment: Assignment,
    files: Mapping[str, bytes],
    names: tuple[set[str], set[str]] | None = None,
    *,
    up_to_step: int | None = None,
) -> Inference | None:
    """The stage the files look like; `names`: their `names_in`, when the caller has them already;
    `up_to_step`: among the stages of that step of the course or before (and the unnumbered ones) only.

    A step file naming an earlier step than the stage found, which that stage does not extend, caps it there
    (named_step.grades_past; every step file counts, graded code or not: the book's steps/step57.py defines
    nothing graded): the book's package keeps RNN and LSTM at every step, and its step-58 package with
    functions_conv.py was inferred step60, which extends step54, its conv cases ungraded."""
    from grader import named_step

    if names is None:
        names = names_in(program_files(files, assignment), formulas=reads_formulas(assignment))
    defined, idents = names
    table, aliases_ = _once(
        assignment, ("progression", up_to_step), lambda: _progression(assignment, up_to_step)
    )
    found = infer_in(table, defined, idents, aliases_, assignment.default_stage)
    latest = named_step.named_step(assignment.stages, list(files)) if found and up_to_step is None else None
    if found and latest and named_step.grades_past(assignment.stages, latest, found.stage):
        return infer(assignment, files, (defined, idents), up_to_step=latest.step) or found
    return found


def _progression(
    assignment: Assignment, up_to_step: int | None
) -> tuple[Progression, dict[str, tuple[str, ...]]]:
    """The stages `infer` reads (up to a step, or all), read once, and the names grading accepts."""
    stages = [
        s
        for s in assignment.stages
        if up_to_step is None or (n := stage_step(s.name)) is None or int(n) <= up_to_step
    ]
    graded = {s.name: assignment.stage_case_ids(s.name) for s in stages}
    return progression(stages, graded), _with_extension(assignment, family_aliases(assignment.family))


# What the stage scan reads of an assignment alone, the same for each of its submissions: kept per process for
# the last few assignments (a batch grades one; the test suite loads hundreds), by identity, the assignment
# held with them so that its id is not reused. Never anything read from a submission.
_KEPT_ASSIGNMENTS = 8
_ONCE: dict[int, tuple[Assignment, dict[Any, Any]]] = {}


def _once(assignment: Assignment, key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()` for this assignment object and `key`, computed once per process (two threads may both
    compute it: they compute the same)."""
    kept = _ONCE.get(id(assignment))
    if kept is None or kept[0] is not assignment:
        if len(_ONCE) >= _KEPT_ASSIGNMENTS:
            # clear(), not an iteration: the batch's other lane may add an entry meanwhile, and an iterator
            # over a dict that grew raises RuntimeError
            _ONCE.clear()
        kept = _ONCE[id(assignment)] = (assignment, {})
    values = kept[1]
    if key not in values:
        values[key] = compute()
    return values[key]


def reads_formulas(assignment: Assignment) -> bool:
    """Whether a stage of the assignment reads a name computed_names records from a formula (a `detect` or
    `absent` identifier): DLFS chapter 4's network, detected by sigmoid, softmax and cross_entropy_error.
    For the others the formulas cannot change any stage read (infer, stage_context), and are not read."""
    return _once(
        assignment,
        "formulas",
        lambda: read_by(
            name for s in assignment.stages for name in (*itertools.chain.from_iterable(s.detect), *s.absent)
        ),
    )


def graded_code_files(assignment: Assignment, files: Mapping[str, bytes]) -> list[str]:
    """The program's files (program_files: other step files and copies set aside) that define a name some
    stage grades, in the submission's order: the files whose code the stage is inferred from and graded."""
    aliases_ = _with_extension(assignment, family_aliases(assignment.family))
    known = known_names(assignment.stages)
    out: list[str] = []
    for path, data in program_files(files, assignment).items():
        defined, _ = names_in({path: data}, formulas=False)
        if any(defines(n, defined, aliases_, known) for n in known):
            out.append(path)
    return out


def _with_extension(
    assignment: Assignment, table: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """`table` plus the class names the assignment's own ops module accepts (dlfs-advanced grades
    `BatchNorm` as BatchNormalization): inference must see what grading sees (second review: a ch06 file
    with a wrong `BatchNorm` was inferred `dropout`, 4 of 4, its BatchNorm never graded)."""
    from grader.extension import extension_of

    merged = dict(table)
    try:
        extension = extension_of(assignment)
        view = {} if extension is None else extension.sandbox_view(assignment.family)
    except Exception:  # an instructor's broken ops module: grading says so; inference keeps the family's
        return merged
    for name, spellings in view.get("aliases", {}).items():
        merged[name] = tuple(dict.fromkeys((*merged.get(name, (name,)), *spellings)))
    return merged


def introduced_by(assignment: Assignment) -> dict[str, str]:
    """Case id or generated spec id -> the first stage (manifest order) that grades it."""
    out: dict[str, str] = {}
    for stage in assignment.stages:
        for case_id in assignment.stage_case_ids(stage.name):
            out.setdefault(case_id, stage.name)
    return out


def stage_context(
    plan: RunPlan, files: Mapping[str, bytes], copies: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The report's `stage` entry, and (`_`-prefixed, dropped by the report) what the judge needs: the
    stages each case comes from, which stages the source satisfies or only mentions (`detect`), the names
    each stage needs (grader/judge/stages.py). `copies`: those the job set aside (program_files)."""
    a = plan.assignment
    stage = plan.graded_stage
    try:
        # the files the run grades: at a stage asked for, its own step file, not a later one set aside
        defined, idents = names_in(program_files(files, a, plan.one_of(), copies), formulas=reads_formulas(a))
        looks = infer(a, files, (defined, idents)) if files else None
    except Exception:  # a scan bug costs the not_implemented wording, never the submission's grade
        looks, defined, idents = None, set(), set()
    aliases_ = family_aliases(a.family)
    fixed: _StageFacts = _once(a, ("facts", stage.name), lambda: _StageFacts.of(a, stage))
    found = satisfied_stages(a.stages, defined, idents, aliases_, fixed.table)
    names = keep_names(defined)
    mentioned = {i.lower() for i in idents | defined}
    return {
        "name": stage.name,
        "title": stage.title,
        "chosen": plan.stage_choice,
        "reason": plan.stage_reason,
        "looks_like": looks.stage if looks else None,
        # the stage's points, optional classes included: results.json counts a score against them as the
        # LMS imports do (gradebook.out_of), so Gradescope shows the student's own percent
        "full_marks": fixed.full_marks,
        "_order": list(fixed.order),
        "_introduced": dict(fixed.introduced),
        "_adds": dict(fixed.adds),
        "_looks_parts": list(a.stage(looks.stage).part_names) if looks else [],
        "_satisfied": [s.name for s in found],
        "_needs": {name: list(needs) for name, needs in fixed.table.needed.items()},
        "_mentioned": [s.name for s in a.stages if _detects(s, mentioned)],
        "_defined": sorted(n for n in fixed.table.known if defines(n, names, aliases_, fixed.table.known)),
        "_classes_in": classes_in(files, stage.optional_classes),
        "_methods": sorted(METHOD_NAMES & defined),
    }


@dataclass(frozen=True)
class _StageFacts:
    """What `stage_context` says of the assignment and the stage graded, whatever the submission: worked out
    once per assignment, stage and process (each submission gets its own copies of the containers)."""

    full_marks: float
    order: tuple[str, ...]
    introduced: Mapping[str, str]
    adds: Mapping[str, str]
    table: Progression  # the stages read for `satisfied_stages`; its `needed` is the report's `_needs`

    @classmethod
    def of(cls, a: Assignment, stage: Stage) -> _StageFacts:
        return cls(
            a.max_points(stage.name),
            a.stage_names,
            introduced_by(a),
            {s.name: s.adds or s.title for s in a.stages},
            _once(a, ("progression", None), lambda: _progression(a, None))[0],
        )


def step_methods(plan: RunPlan, files: Mapping[str, bytes]) -> frozenset[str]:
    """The methods STEP_METHODS lists that the graded program defines (a def of that name in its source):
    what a stage's optional save_weights is looked up in, since the load finds module-level names only. Read
    in the files the run grades (`RunPlan.one_of`, as `stage_context` reads them), so that `grader check`'s
    line of hidden points and the grade agree."""
    try:
        defined, _ = names_in(program_files(files, plan.assignment, plan.one_of()), formulas=False)
    except Exception:  # a scan bug: none, so such a case is skipped, never failed for a scan's sake
        return frozenset()
    return frozenset(METHOD_NAMES & defined)


def _detects(stage: Stage, mentioned: set[str]) -> bool:
    return all(any(i.lower() in mentioned for i in group) for group in stage.detect)
