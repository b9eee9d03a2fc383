"""DeZero step 53: the student's Layer.save_weights(path) and Layer.load_weights(path), as a round trip.

The case's layer (a Linear, an MLP) holds the case's parameters; `save_weights` writes them to a file of the
student's scratch (the process's working folder, a name of the grader's own); a FRESH layer of the same shape,
called once so that its parameters exist and then set to zeros, runs `load_weights` on that file; each of its
parameters' data is read back as a record. The parent judges them against the arrays the case set
(grader/judge/saved_weights.py): the grader never reads the file the student wrote.

The book's save_weights calls `self.to_cpu()` (step 52) first. The grader supplies no to_cpu: a package that
skipped step 52's cuda support and whose save_weights does not call it is graded as any other; one whose
save_weights calls a to_cpu it does not define fails with that AttributeError, said with the likely fix.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from ..failures import StudentFailure
from ..remote import Ref, Session

# What the fresh layer's parameters hold before load_weights: a load that sets nothing leaves them so.
FILL = 0.0
_files = itertools.count(1)  # one file per round trip: a failed save never meets an earlier case's file


def weights_file() -> str:
    """A name in the student's working folder (its scratch, emptied after the job), not one a student's
    package would use (the book's demo writes my_mlp.npz)."""
    return f"grader_weights_{next(_files)}.npz"


def round_trip(
    session: Session,
    model: Ref,
    fresh: Callable[[], tuple[Ref, dict[str, Ref]]],
    attrs: Sequence[str],
    shown: str,
) -> dict[str, np.ndarray]:
    """`model.save_weights(path)`; `fresh()` builds the fresh layer (its parameters by attribute path);
    each set to zeros; `fresh.load_weights(path)`; each parameter's data read. Keys: the `attrs`."""
    path = weights_file()
    _method_call(session, model, "save_weights", path, shown)
    obj, params = fresh()
    for attr in attrs:
        data = session.getattr(params[attr], "data")
        session.setattr(params[attr], "data", session.call(session.getattr(data, "__mul__"), FILL))
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
        if name == "save_weights" and "to_cpu" in failure.message:
            raise StudentFailure(
                failure.code,
                f"{failure.message} (save_weights calls self.to_cpu(), step 52's, which the package does "
                "not define: without cuda support leave the call out, or define to_cpu on Layer)",
                failure.detail,
            ) from None
        raise
    finally:
        session.context = context
