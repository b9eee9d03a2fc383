"""The names a submission defines, read by the parent from its source (parsed, never run).

Messages about a missing name ("no class Linear in miniflow.py; found Lineer (did you mean Lineer?)") quote
these names, not names reported by the student's process: the parent's own reading is what a student sees.
Module level only, as the student process would find them: public classes and functions, in file order.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from grader import pyparse
from grader.course_bases import module_level
from grader.inside import choice
from grader.inside.main_guard import import_branches
from grader.inside.missing import UNDER_MAIN, method_words
from grader.parse_cost import CostlyToParse

if TYPE_CHECKING:
    from grader.assignments import Assignment

MAX_NAMES = 200
MAX_PARSE_BYTES = 256 * 1024
# A file Python cannot parse cannot be loaded either; its column-0 definitions still help the message.
_TOP_LEVEL_DEF = re.compile(rb"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z][A-Za-z0-9_]*)", re.MULTILINE)


def _from_tree(data: bytes, path: str) -> Iterator[str]:
    tree = pyparse.parse_module(data, path)  # a notebook cell by cell, as the student's process runs it
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name


def _from_text(data: bytes) -> Iterator[str]:
    for match in _TOP_LEVEL_DEF.finditer(data):
        yield match.group(1).decode("ascii")


def top_level_names(data: bytes) -> list[str]:
    """The unindented `class X` / `def f` names of a file, read as text (too large, or broken, to parse)."""
    return list(_from_text(data))


def _names(path: str, data: bytes) -> list[str]:
    if len(data) <= MAX_PARSE_BYTES:
        try:
            return list(_from_tree(data, path))
        except (SyntaxError, ValueError, RecursionError, MemoryError, SystemError, CostlyToParse):
            pass
    return list(_from_text(data))


def public_names(files: Mapping[str, bytes]) -> list[str]:
    """Public module-level classes and functions of every Python file, in file then source order (files past
    the parent's parse budget, pyparse.MAX_PARSED_BYTES, by their unindented definitions)."""
    out: dict[str, None] = {}
    python = ((path, data) for path, data in files.items() if path.endswith(".py"))
    for path, data, parse in pyparse.within_budget(python):  # past the parent's budget: read as text
        names = _names(path, data) if parse else top_level_names(data)
        out.update((n, None) for n in names if not n.startswith("_"))
    return list(out)[:MAX_NAMES]


def nested_class_methods(tree: ast.Module, methods: dict[str, str]) -> None:
    """Adds the methods of classes nested in a class (`Network.Graph.topological_sort`) or defined inside a
    function (`Graph.topological_sort inside the function build_graph`), after the top-level classes' (which
    grader/stage_scan.py `_class_methods` reads): Python binds neither at module level, so the stage line
    said "your code defines topological_sort" above "missing: topological_sort" (s31). Worded as the load's
    missing line words them (grader/inside/student.py `_methods_named`); the nested classes themselves too,
    and the classes of the module's `if __name__ == "__main__":` block (below)."""
    # A nested class itself is added too (`Network.Sigmoid`, `Sigmoid inside the function make`): a
    # required class written there was "missing: Sigmoid" alone (s32), unless its function declares it
    # `global`, which binds it at the top level once the module calls the function.
    # (node, the classes around it, the innermost function around it, that function's global names)
    stack: list[tuple[ast.AST, str, str, frozenset[str]]] = [
        (n, "", "", frozenset()) for n in reversed(tree.body)
    ]
    while stack:
        node, classes, function, declared = stack.pop()
        if isinstance(node, ast.ClassDef):
            qualified = f"{classes}{node.name}"
            if (classes or function) and not (node.name in declared and not classes):
                methods.setdefault(node.name, method_words(qualified, function))
            for item in node.body if classes or function else ():
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    methods.setdefault(item.name, method_words(f"{qualified}.{item.name}", function))
            stack.extend((n, f"{qualified}.", function, declared) for n in reversed(node.body))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            own = _own_globals(node)
            stack.extend((n, "", node.name, own) for n in reversed(node.body))
        elif isinstance(node, ast.If) and not (classes or function):
            split = import_branches(node)
            # a class under the module's `if __name__ == "__main__":` (or the `else` of `if __name__ !=
            # "__main__":`) is never defined when the grader imports the file (s32: "missing: Sigmoid" alone)
            for item in split.skipped:
                if isinstance(item, ast.ClassDef):
                    methods.setdefault(item.name, f"{item.name}{UNDER_MAIN}")
            stack.extend((n, classes, function, declared) for n in reversed(split.runs))
        elif isinstance(node, ast.stmt):
            stack.extend((n, classes, function, declared) for n in reversed(list(ast.iter_child_nodes(node))))


def _own_globals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """The names a function's own `global` statements declare: those of its body, not of the functions and
    classes inside it (their own scopes, read when the walk reaches them). `ast.walk` of the whole function
    read every nested function's body again at each level: 95 nested defs over a 1 MiB file took the parent
    265 s where the walk without it took 7 (review of s32-realmix)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            names.update(node.names)
        elif not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return frozenset(names)


# nodes that open a scope of their own: their `global` statements are not the enclosing function's
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def nested_methods(files: Mapping[str, bytes]) -> list[str]:
    """Every method of a nested class or of a class defined in a function, in `method_words`'s words: the
    only such names a missing-name message quotes from the student's process (grader/sandbox/frames.py). A
    file whose classes are all at its top level is not walked again."""
    out: dict[str, None] = {}
    for _, _, tree in pyparse.python_trees(files):
        classes = pyparse.kinds(tree).get(ast.ClassDef, ())
        if len(classes) > sum(isinstance(node, ast.ClassDef) for node in tree.body):
            methods: dict[str, str] = {}
            nested_class_methods(tree, methods)
            out.update(dict.fromkeys(methods.values()))
    return list(out)[:MAX_NAMES]


def graded_files(
    files: Mapping[str, bytes], one_of: Sequence[Sequence[str]], copies: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """The files the loader may import: all but the alternatives a `one_of` group sets aside (a course's
    other step files; grader/inside/choice.py) and the other `copies` of a preferred file, so that the parent
    reads what the student's process runs. A step set aside that a file kept imports is kept: the graded
    step runs it (`imported_steps`)."""
    steps = choice.set_aside(files, one_of)
    aside = {**steps, **(copies or {})}
    kept = {path: data for path, data in files.items() if path not in aside}
    run = imported_steps(kept, {path: files[path] for path in steps if path not in (copies or {})})
    return {path: data for path, data in files.items() if path not in aside or path in run}


def imported_steps(kept: Mapping[str, bytes], steps: Mapping[str, bytes]) -> set[str]:
    """The step files set aside that the kept files import by module name when loaded, and those these import
    in turn: step14.py written as `from step13 import Function, Square, add` plus its own Variable with
    cleargrad. Read as one step alone, it was said to look like step01 ("your code defines Variable"), and
    its step13.py "not run" (session 36). No step set aside: nothing parsed."""
    by_module: dict[str, list[str]] = {}  # a stem -> its step files (a/step13.py and b/step13.py: two)
    for path in steps:
        if path.endswith(".py"):
            by_module.setdefault(PurePosixPath(path).stem, []).append(path)
    found: set[str] = set()
    todo = dict(kept)
    while todo and by_module:
        new: set[str] = set()
        for importer, _, tree in pyparse.python_trees(todo):
            dotted = _dotted_imported(tree)
            for module in _modules_imported(tree) & by_module.keys():
                new.update(_imported_copy(by_module[module], importer, dotted))
        new -= found
        found |= new
        todo = {path: steps[path] for path in new}
    return found


def _imported_copy(candidates: Sequence[str], importer: str, dotted: set[str]) -> list[str]:
    """Of the step files of one stem, the one an import in `importer` runs: the one in its own folder (the
    loader puts a file's folder first on sys.path), else one at the submission's root, else the one at the
    dotted path it names (`from steps import step13`: steps/step13.py) from either, else the only one; none
    when that cannot be told. Keyed by stem alone, a/step13.py was lost behind b/step13.py, and the step
    a/step14.py imports was "not run"."""
    folders = (PurePosixPath(importer).parent, PurePosixPath("."))
    for folder in folders:
        beside = [c for c in candidates if PurePosixPath(c).parent == folder]
        if beside:
            return beside[:1]
    for folder in folders:
        named = [c for c in candidates if _dotted(c, folder) in dotted]
        if named:
            return named[:1]
    return list(candidates) if len(candidates) == 1 else []


def _dotted(path: str, folder: PurePosixPath) -> str | None:
    """`path`'s module name seen from `folder` (steps/step13.py from the root: steps.step13), or None."""
    pure = PurePosixPath(path).with_suffix("")
    return ".".join(pure.relative_to(folder).parts) if pure.is_relative_to(folder) else None


def _dotted_imported(tree: ast.Module) -> set[str]:
    """The whole module names the file's module-level imports name (`from steps import step13`:
    steps and steps.step13)."""
    names: set[str] = set()
    for node in module_level(tree.body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules_imported(tree: ast.Module) -> set[str]:
    """Each part of every module name the file's module-level imports name (`steps.step13` gives steps and
    step13; `from steps import step13` step13 too)."""
    parts: set[str] = set()
    for node in module_level(tree.body):
        if isinstance(node, ast.Import):
            parts.update(part for alias in node.names for part in alias.name.split("."))
        elif isinstance(node, ast.ImportFrom):
            parts.update((node.module or "").split("."))
            parts.update(alias.name for alias in node.names)
    return parts


def copy_choice(files: Mapping[str, bytes], assignment: Assignment) -> choice.CopyChoice:
    """The other copies of a preferred file set aside, and what decided (choice.choose_copies), on the
    manifest's names: made once a submission for its job (pipeline.Prepared keeps it for the report)."""
    python = {path: data for path, data in files.items() if path.endswith(".py")}
    return choice.choose_copies(python, assignment.modules, assignment.required, assignment.optional)


def copies_of(
    files: Mapping[str, bytes], assignment: Assignment, made: choice.CopyChoice | None = None
) -> dict[str, str]:
    """The other copies of a preferred file set aside (choice.copies; `made`: the choice made already):
    computed in the parent and sent with the job, so that the student's process sets aside the same files."""
    return dict((made or copy_choice(files, assignment)).aside)


def copy_reasons_of(
    files: Mapping[str, bytes],
    assignment: Assignment,
    copies: Mapping[str, str],
    made: choice.CopyChoice | None = None,
) -> dict[str, str]:
    """Why each copy graded (a value of `copies`) was chosen over the others, on the names the parent chose
    with (choice.copy_reason): sent with the job, so the warning says what decided. Recomputed in the
    student's process on a stage's own names, it said "the others define as much: it is the first by name"
    of the copy that defines more of the assignment's names and sorts second."""
    python = {path: data for path, data in files.items() if path.endswith(".py")}
    others: dict[str, list[str]] = {}
    for other, chosen in copies.items():
        others.setdefault(chosen, []).append(other)
    names = (assignment.modules, assignment.required, assignment.optional)
    made = made or copy_choice(files, assignment)  # once for all the reasons: each reads every tie's copies
    return {chosen: choice.copy_reason(chosen, o, python, *names, made) for chosen, o in others.items()}


def program_files(
    files: Mapping[str, bytes],
    assignment: Assignment,
    one_of: Sequence[Sequence[str]] | None = None,
    copies: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """`graded_files` for an assignment: its step files' alternatives and its copies set aside (`one_of`: the
    groups as a run reads them, RunPlan.one_of; the manifest's by default; `copies`: as its job chose them,
    copies_of's by default)."""
    groups = assignment.one_of if one_of is None else one_of
    return graded_files(files, groups, copies_of(files, assignment) if copies is None else copies)


def defaults_off(files: Mapping[str, bytes]) -> list[str]:
    """The names a file's own code sets False by default: assigned the literal False at module level
    (`enable_backprop = False`) or in the body of a module-level class (`class Config: enable_backprop =
    False`). The student's process puts back True a switch it finds False after loading only when the code's
    own default is True (a demo at the top level turned it off: grader/inside/switches.py); a Config that
    says False is graded as written (sample config_default_false.py)."""
    out: dict[str, None] = {}
    for _, _, tree in pyparse.python_trees(files):
        bodies = [tree.body, *(node.body for node in tree.body if isinstance(node, ast.ClassDef))]
        for stmt in (stmt for body in bodies for stmt in body):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and _is_false(stmt.value):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                out.update((t.id, None) for t in targets if isinstance(t, ast.Name))
    return sorted(out)[:MAX_NAMES]


def _is_false(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is False
