"""The stand-in of the book's common/layers.py as one run's student processes get it: the classes the run
grades have no math in it.

The stand-in (grader/standin_book/common/layers.py, correct Relu, Sigmoid, Affine, SoftmaxWithLoss, Dropout,
BatchNormalization, Convolution, Pooling) lets a student's TwoLayerNet or SimpleConvNet run on layers the
stage does not grade. Whatever of it is in the student's process or readable by it is the student's to copy:
its source compiled again one line down, its code objects rebuilt, its pyc unmarshalled (session 23: 46 / 62
against 12). So the full file lives outside grader/inside (never bound into bubblewrap, outside Landlock's
read rules, outside the root fallback's private root) and the parent sends each job, in its header, this
module's text of it: every class but those a network graded in the run builds (NETWORK_USES) and that
neither are graded nor compute a graded class (CARRIED_BY: a 1x1 Convolution is an Affine) becomes a stub
(an allow-list: `served_with_math`), whose methods (but `__init__`,
which computes nothing) call the stand-in guard, which refuses them: for a graded layer of the student's
running one as before ("Affine ran the grader's stand-in ..."), for any other caller (a TwoLayerNet of the
student's, a demo at import) "only the grader's stand-in common.layers.Affine was found, and Affine is graded
...", or, for a class not graded, "... served without its math in this assignment ...", the op's
`missing_name` either way (standins.Registry.layer_guard); the private helpers only those classes used
(`_windows`, `_softmax`) are left out. The student process compiles it from the worker's read-only folder
of served files (`standins.serve`, `worker.Worker.served_folder`).

Built once per run and graded set (`served_layers` is cached), sent by reference in every job; the pool
encodes it once a run. What the stand-in lacks in a run is said by the parent (`stub_warning`), from the
run's graded set, after the load's own warnings.
"""

from __future__ import annotations

import ast
import base64
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

from grader.inside import astparse

BOOK_DIR = Path(__file__).resolve().parent / "standin_book"
LAYERS = "common/layers.py"  # the book module's file, as standins.BOOK_MODULES names it
MODULE = "common.layers"  # its module, as a load names the stand-ins it used (LoadInfo.standins)
# Said by the parent (never by the student process) when the submission used the stand-in in a run whose
# cases grade some of its classes: a lone TwoLayerNet at dlfs-layers' default stage read only "used so that
# your own classes can run", then every TwoLayerNet case failed on it (0 / 62).
STUB_WARNING = (
    "the grader's stand-in of the book's common/layers.py has none of the math of the layers this run grades "
    "({}): a class of yours built on one of them fails unless you write that layer yourself"
)

# What each network a case may grade builds from common.layers when the student's own file does not define
# it (the book's TwoLayerNet of chapter 5, SimpleConvNet of chapter 7, MultiLayerNet and MultiLayerNetExtend
# of chapter 6, each with either activation: a TwoLayerNet on Sigmoid is a student's mistake to diagnose,
# layers/two_layer_net_sigmoid_hidden.py): the stand-in is for them and nothing else. A run serves a stand-in
# class with its math only if a network graded in that run builds it, and the run grades neither the class
# nor a class its math computes (CARRIED_BY); every other class is a stub. An allow-list, not a deny-list:
# the deny-list of session 24 (graded classes and their carriers) served BatchNormalization whole at
# dlfs-layers' default stage, whose backward's dgamma = sum(xn * dout, axis=0) is a contraction (with
# np.repeat/np.tile: x @ W, dout @ W.T, x.T @ dout) and dbeta a db: an Affine of the stand-in's math, 26 / 62
# against the student's own classes' 12 (review of s24-hunt, samples layers/standin_bn_affine.py and
# dlfs-advanced/standin_bn_conv.py). A class no graded network builds has nothing to do in the run.
NETWORK_USES: dict[str, frozenset[str]] = {
    "TwoLayerNet": frozenset({"Affine", "Relu", "Sigmoid", "SoftmaxWithLoss"}),
    "SimpleConvNet": frozenset({"Convolution", "Relu", "Sigmoid", "Pooling", "Affine", "SoftmaxWithLoss"}),
    "MultiLayerNet": frozenset({"Affine", "Relu", "Sigmoid", "SoftmaxWithLoss"}),
    "MultiLayerNetExtend": frozenset(
        {"Affine", "Relu", "Sigmoid", "BatchNormalization", "Dropout", "SoftmaxWithLoss"}
    ),
}

# Stand-in classes whose math computes another layer outright, one call of the student's away: graded class
# -> the classes that compute it. Kept out of what is served even where a graded network builds them (no
# shipped stage has both; a later one may). A 1x1 Convolution on (N, in, 1, 1) is an Affine (forward, dx, dW
# and db: weights W.T.reshape(out, in, 1, 1)); a max-Pooling of 1x2 windows over [x, 0] pairs is a Relu
# (forward and the mask of its backward); im2col and col2im, which the assignments ship in common/util.py,
# make a stand-in Affine a Convolution; BatchNormalization's backward (dgamma a contraction, dbeta a sum) an
# Affine or a Convolution; a Dropout whose mask the student sets to x > 0 a Relu. Sigmoid is not here: its
# forward is common.functions.sigmoid, which the assignments ship.
CARRIED_BY: dict[str, frozenset[str]] = {
    "Affine": frozenset({"Convolution", "BatchNormalization"}),
    "Relu": frozenset({"Pooling", "Dropout"}),
    "Convolution": frozenset({"Affine", "BatchNormalization"}),
}

# What a stub's method raises where no guard was set (the text imported by hand; NotImplementedError: what
# an unwritten method raises in the book's style). `stands_for`: the class itself when it is graded, the
# graded class its math would compute, or "" (nothing graded in the run builds it). The guard's words
# (grader/inside/standins Registry.layer_guard) are the same.
STUB_HELPER = """

def _graded(cls, method, stands_for):
    called = f"{cls}.{method} was called"
    if stands_for == cls:
        said = f"and {cls} is graded in this assignment: the stand-in has no math for it ({called}), so "
        said += f"write class {cls} yourself (the stand-in only lets your other classes run on the layers "
        said += "it does not grade)"
    else:
        why = "nothing graded here builds it"
        if stands_for:
            why = f"its math would compute {stands_for}, which is graded"
        said = f"served without its math in this assignment ({why}; {called}): if your code needs {cls}, "
        said += "write it yourself"
    raise NotImplementedError(f"only the grader's stand-in common.layers.{cls} was found, {said}")
"""


def served_with_math(graded: Iterable[str]) -> frozenset[str]:
    """The stand-in classes a run grading `graded` serves with their math: built by a graded network, and
    neither graded nor computing a graded class (CARRIED_BY)."""
    graded = frozenset(graded)
    built = frozenset().union(*(NETWORK_USES.get(name, frozenset()) for name in graded))
    carriers = frozenset().union(*(CARRIED_BY.get(name, frozenset()) for name in graded))
    return built - graded - carriers


def withheld(graded: Iterable[str], classes: Iterable[str]) -> dict[str, str]:
    """Every class of `classes` (the stand-in's) served without its math -> what its stub says it stands
    for: itself when graded, else the first graded class (sorted, whatever the hash order) its math would
    compute, else "" (nothing graded in the run builds it)."""
    graded = frozenset(graded)
    served = served_with_math(graded)
    out: dict[str, str] = {}
    for name in sorted(set(classes) - served):
        computed = sorted(g for g in graded if name in CARRIED_BY.get(g, ()))
        out[name] = name if name in graded else (computed[0] if computed else "")
    return out


def _stub_doc(name: str, stands_for: str) -> str:
    """Why the class is served without its math: it is graded, or a graded class needs it, or neither."""
    if stands_for == name:
        why = f"{name} is graded"
    elif stands_for:
        why = f"it would compute {stands_for}, which is graded"
    else:
        why = "nothing graded in this run builds it"
    return f"The grader's stand-in without its math: {why}."


def _stub(node: ast.ClassDef, stands_for: str) -> list[str]:
    lines = [f"class {node.name}:", f'    """{_stub_doc(node.name, stands_for)}"""']
    for item in node.body:
        if not isinstance(item, ast.FunctionDef):
            continue
        lines += ["", f"    def {item.name}({ast.unparse(item.args)}):"]
        if item.name == "__init__":  # computes nothing, as the book's: a factory is refused on its result
            lines.append("        pass")
            continue
        # The guard first, as in every stand-in method, told the class is graded: called for a graded layer
        # of the student's, the refusal is today's (`Affine ran the grader's stand-in ...`), for any other
        # caller "only the grader's stand-in common.layers.Affine was found ...": missing_name either way
        # (standins.Registry.layer_guard). `_graded` raises where no guard was set (imported by hand).
        # A class not graded is told the graded class its math computes, or "" (nothing graded builds it),
        # for a message that stays true.
        told = "True" if stands_for == node.name else repr(stands_for)
        lines += ["        if _GRADER_GUARD is not None:", f"            _GRADER_GUARD({told})"]
        lines.append(f"        _graded({node.name!r}, {item.name!r}, {stands_for!r})")
    return lines


def _names(nodes: Iterable[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def stub_source(source: str, graded: Iterable[str]) -> str:
    """`source` with each top-level class a run grading `graded` does not serve with its math (withheld)
    a stub (same line count where it fits, so that the other classes keep their lines) and each private
    function nothing kept calls replaced by blank lines."""
    tree = astparse.parse(source)
    wanted = withheld(graded, (n.name for n in tree.body if isinstance(n, ast.ClassDef)))
    stubbed = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in wanted]
    if not stubbed:
        return source
    private = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
    kept = [n for n in tree.body if n not in stubbed and getattr(n, "name", None) not in private]
    used: set[str] = set()
    frontier = _names(kept)
    while frontier - used:  # the private helpers the kept code reaches, through each other too
        new = (frontier - used) & set(private)
        used |= frontier
        frontier = _names(private[name] for name in new)
    dropped = [n for name, n in private.items() if name not in used]
    lines = source.splitlines()
    for node in sorted([*stubbed, *dropped], key=lambda n: n.lineno, reverse=True):
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        end = node.end_lineno or node.lineno
        new_lines = _stub(node, wanted[node.name]) if isinstance(node, ast.ClassDef) else []
        new_lines += [""] * (end - start - len(new_lines))
        lines[start:end] = new_lines
    return "\n".join(lines) + "\n" + STUB_HELPER


@functools.lru_cache(maxsize=32)
def served_layers(graded: frozenset[str]) -> str:
    """The text of common/layers.py a job grading the classes `graded` serves (read and built once)."""
    return stub_source((BOOK_DIR / LAYERS).read_text(encoding="utf-8"), graded)


@functools.lru_cache(maxsize=32)
def stubbed(graded: frozenset[str]) -> tuple[str, ...]:
    """The stand-in's classes that `graded` names, in its file's order: those a run grading them serves
    without their math, as themselves (not the carriers of CARRIED_BY, which a student builds nothing on)."""
    tree = astparse.parse((BOOK_DIR / LAYERS).read_text(encoding="utf-8"))
    return tuple(n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name in graded)


def stub_warning(graded: frozenset[str], used: Iterable[str]) -> str | None:
    """The parent's warning for a submission whose load used the stand-in (`used`: its LoadInfo.standins,
    the student process's claim, which only decides whether a true sentence about this run is said) in a
    run grading some of its classes; None otherwise. Every word of it is the parent's. The stand-in's file is
    parsed only for a load that used it: every report asks, and a run that never did (every MiniFlow and
    DeZero check) paid a parse of its 268 lines after the job's reply, where a student waits (issue 13)."""
    if MODULE not in set(used):
        return None
    names = stubbed(graded)
    return STUB_WARNING.format(", ".join(names)) if names else None


def graded_classes(
    steps_by_case: Iterable[Iterable[object]], targets: Iterable[str | None]
) -> frozenset[str]:
    """Every class a case applies (`op` of an apply step: "Affine", "BatchNormalization.running_mean") or
    targets: feedback-only cases included, so that nothing the run checks can lean on the stand-in's math."""
    names = {t for t in targets if t}
    for steps in steps_by_case:
        for step in steps:
            if isinstance(step, Mapping) and step.get("do") == "apply" and "op" in step:
                names.add(str(step["op"]))
    return frozenset(n.split(".", 1)[0] for n in names)


def served_files(graded: frozenset[str]) -> dict[str, str]:
    """The stand-in files of one run's jobs (relative file -> base64, as a job's files travel), which the
    worker writes once, read-only, for every student process (worker.Worker.served_folder)."""
    return {LAYERS: base64.b64encode(served_layers(graded).encode("utf-8")).decode("ascii")}
