"""DeZero step 53: the student's Layer.save_weights(path) and Layer.load_weights(path), as a round trip.

The case's layer (a Linear, an MLP) holds the case's parameters; `save_weights` writes them to a file of the
student's scratch (the process's working folder, a name of the grader's own); a FRESH layer of the same shape,
called once so that its parameters exist and then set to zeros, runs `load_weights` on that file; each of its
parameters' data is read back as a record. The parent judges them against the arrays the case set
(grader/judge/saved_weights.py): the grader never reads the file the student wrote.

The book's save_weights calls `self.to_cpu()` (step 52) first. The grader supplies no to_cpu: a package that
skipped step 52's cuda support and whose save_weights does not call it is graded as any other; one whose
save_weights calls a to_cpu it does not define fails with that AttributeError, said with the likely fix: the
Layer's own to_cpu, or (the book's step-53 layers.py over a core.py without step 52) Variable.to_cpu, which
the book's Layer.to_cpu calls on each parameter. An error raised inside a to_cpu that is there is Python's
alone. Parameters saved in place of their data (`{key: param}`) are said as that, whether np.savez failed to
pickle them or np.load refused the file (_FIXES).
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ..failures import StudentFailure
from ..loader_keys import WEIGHTS_FILL
from ..remote import Ref, Session

# Python's words when the object save_weights (or Layer.to_cpu) calls to_cpu on has none: its class
_NO_TO_CPU = re.compile(r"AttributeError: '(\w+)' object has no attribute 'to_cpu'")
# what the book's Layer.to_cpu calls to_cpu on: Variable's own (step 52)
_PARAMETER_CLASSES = frozenset({"Parameter", "Variable"})
# One file per round trip of a student process (a failed save never meets an earlier case's file), counted
# by that process's session: each process has a scratch folder of its own. Counted by the harness, which
# serves every job of its worker, the numbers told a student how many round trips other students' jobs had
# reached, and one file's messages differed by what its worker graded before (sample
# submissions/hostile/weights_path_counter.py; tests/hostile/test_weights_file_names.py).
_files: weakref.WeakKeyDictionary[Session, Iterator[int]] = weakref.WeakKeyDictionary()


def weights_file(session: Session) -> str:
    """A name in the student's working folder (its scratch, emptied after the job), not one a student's
    package would use (the book's demo writes my_mlp.npz), numbered from 1 in each student process."""
    return f"grader_weights_{next(_files.setdefault(session, itertools.count(1)))}.npz"


def round_trip(
    session: Session,
    model: Ref,
    fresh: Callable[[], tuple[Ref, dict[str, Ref]]],
    attrs: Sequence[str],
    shown: str,
) -> dict[str, np.ndarray]:
    """`model.save_weights(path)`; `fresh()` builds the fresh layer (its parameters by attribute path);
    each set to zeros; `fresh.load_weights(path)`; each parameter's data read. Keys: the `attrs`."""
    path = weights_file(session)
    _method_call(session, model, "save_weights", path, shown)
    obj, params = fresh()
    for attr in attrs:
        data = session.getattr(params[attr], "data")
        session.setattr(params[attr], "data", session.call(session.getattr(data, "__mul__"), WEIGHTS_FILL))
    session.sync()
    _method_call(session, obj, "load_weights", path, f"a fresh {shown}")
    wanted = []
    for attr in attrs:
        found = obj
        for part in attr.split("."):
            found = session.getattr(found, part)
        wanted.append((session.getattr(found, "data"), f"the fresh {shown}'s {attr}.data after load_weights"))
    return dict(zip(attrs, session.arrays(wanted), strict=True))


def _method_call(session: Session, obj: Ref, name: str, path: str, shown: str) -> None:
    method = session.getattr(obj, name, missing_ok=True)
    if method.missing:
        raise StudentFailure(
            "missing_name",
            f"{shown} has no method {name}: step 53's Layer.{name}(self, path) "
            + (
                "flattens the parameters (self._flatten_params(params_dict), keys like 'l0/W') and writes "
                "{key: param.data} with np.savez_compressed(path, **array_dict)"
                if name == "save_weights"
                else "reads npz = np.load(path), flattens its own parameters the same way and sets "
                "param.data = npz[key] for each key"
            ),
        )
    context = session.context
    session.context = f"calling {shown}.{name}({path!r})"
    try:
        session.call(method, path)
        session.sync()
    except StudentFailure as failure:
        for pattern, fix in _FIXES.get(name, ()):
            found = pattern.search(failure.message)
            if found is not None:
                raise StudentFailure(
                    failure.code, f"{failure.message} ({fix(found)})", failure.detail
                ) from None
        raise
    finally:
        session.context = context


def _to_cpu_fix(missing: re.Match[str]) -> str:
    """The fix for a to_cpu that `owner` (the class Python named) lacks: a parameter's is Variable.to_cpu,
    which the book's Layer.to_cpu calls on each (s34: "define to_cpu on Layer" was said to a package that
    defines it); the layer's own is Layer.to_cpu."""
    if missing.group(1) in _PARAMETER_CLASSES:
        return (
            "the book's Layer.to_cpu calls param.to_cpu() on each parameter: step 52's Variable.to_cpu, "
            "which the package does not define: without cuda support leave self.to_cpu() out of "
            "save_weights, or define Variable.to_cpu (if self.data is not None: self.data = "
            "dezero.cuda.as_numpy(self.data))"
        )
    return (
        "save_weights calls self.to_cpu(), step 52's, which the package does not define: without cuda "
        "support leave the call out, or define to_cpu on Layer"
    )


# The saved arrays are objects, not numbers: `{key: param}` (the Parameter itself) where the book writes
# `{key: param.data}`. np.savez pickles them, and fails on the Variable's weak references; where it does
# not, np.load (allow_pickle=False) refuses the file. Python's words named neither the Parameter nor .data.
_OBJECTS_SAVED = (
    "save_weights handed np.savez objects, not arrays (the Parameter itself?): the file holds each "
    "parameter's data, array_dict = {key: param.data for key, param in params_dict.items()}"
)
# np.load's words for a key the file lacks: save_weights wrote its keys otherwise than load_weights reads them
_KEY_NOT_SAVED = (
    "load_weights asked the file for {0!r}, a key save_weights did not write: both flatten the parameters "
    "the same way, self._flatten_params(params_dict), keys like 'l0/W'"
)
# method -> (Python's words in the failure, the fix said after them)
_FIXES: dict[str, tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = {
    "save_weights": (
        (_NO_TO_CPU, _to_cpu_fix),
        # only where the line that raised calls np.savez: pickle.dump(self, f) fails on the same weakrefs
        (re.compile(r"TypeError: cannot pickle .*\bsavez"), lambda _: _OBJECTS_SAVED),
    ),
    "load_weights": (
        (re.compile(r"Object arrays cannot be loaded when allow_pickle=False"), lambda _: _OBJECTS_SAVED),
        (
            re.compile(r"KeyError: '(.{1,80}?) is not a file in the archive'"),
            lambda m: _KEY_NOT_SAVED.format(m[1]),
        ),
    ),
}
