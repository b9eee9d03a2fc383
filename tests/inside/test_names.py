"""The harness's lookups of the student's names survive a batch the student's code stopped."""

from __future__ import annotations

from typing import Any

import pytest

from grader.inside import wire
from grader.inside.failures import ErrorInfo, StudentFailure
from grader.inside.names import StudentNames
from grader.inside.remote import Session

ERROR = ErrorInfo("RuntimeError: this class will not list its bases").to_wire()


class _Process:
    """A student process that answers every operation with a description of a callable, except the first
    `classinfo` of all, which raises (sample harness_unanswered_lookup.py: its metaclass's __mro__ raises)."""

    def __init__(self) -> None:
        self.failed = False
        self.lookups: list[str] = []

    def __call__(self, request: bytes) -> bytes:
        results: list[Any] = []
        for at, op in enumerate(wire.load_ops(request)):
            if op["o"] == "classinfo" and not self.failed:
                self.failed = True
                return wire.dumps({"res": results, "err": {"at": at, "error": ERROR}})
            if op["o"] == "lookup":
                self.lookups.append(op["name"])
            results.append({"n": "function", "t": 0, "k": "callable"} if "id" in op else None)
        return wire.dumps({"res": results, "err": None})


def test_a_name_whose_prefetch_never_ran_is_looked_up_again() -> None:
    """Before the fix, `get` read the description of a lookup that never ran: an AssertionError in the
    harness, worded to the student as the grader's own failure on every later case."""
    process = _Process()
    session = Session(process)
    names = StudentNames(session, {})
    names.prefetch(["Add", "topological_sort"])
    with pytest.raises(StudentFailure) as raised:  # the first case meets the student's error
        names.get("Add")
    assert raised.value.code == "exception" and "will not list its bases" in raised.value.message
    assert process.lookups == ["Add"]  # the batch stopped at Add's description
    found = names.get("topological_sort")  # a later case
    assert found is not None and found.kind == "callable"
    assert process.lookups == ["Add", "topological_sort"]


def test_an_answered_name_is_not_looked_up_again() -> None:
    """The control: a lookup that was answered costs no second one."""
    process = _Process()
    process.failed = True
    names = StudentNames(Session(process), {})
    names.prefetch(["Add"])
    assert names.get("Add") is not None and names.get("Add") is not None
    assert process.lookups == ["Add"]


def test_a_missing_class_the_parent_read_nested_is_told_where_it_is() -> None:
    """A required class defined inside a class or a function (the parent's reading, the job's `methods`) is
    told where it is and that the grader looks at the module's top level, not "found Node, Input ..." (s32,
    samples sigmoid_nested_in_network.py, activations_in_function.py). Controls: a function's name and a
    class read nowhere keep the plain message; a reason the load gave wins."""
    known = {"sources": ["m.py"], "defined": ["Node", "Network"]}
    nested = ["Network.Sigmoid", "Linear inside the function build", "Graph.topological_sort", "Relu"]
    nested.append('MSE under if __name__ == "__main__"')
    names = StudentNames(Session(_Process()), {}, {**known, "methods": nested})
    sigmoid = names.missing_failure("Sigmoid").message
    assert "class Sigmoid is defined inside class Network" in sigmoid
    assert "the grader looks for it at the module's top level" in sigmoid
    assert "Sigmoid = Network.Sigmoid" in sigmoid and "found Node" not in sigmoid
    linear = names.missing_failure("Linear").message
    assert "class Linear is defined inside the function build" in linear and "Linear = " not in linear
    assert "defined inside" not in names.missing_failure("topological_sort").message
    assert "defined inside" not in names.missing_failure("Input").message
    assert 'class MSE is defined under `if __name__ == "__main__":`' in names.missing_failure("MSE").message
    told = StudentNames(
        Session(_Process()), {"reasons": {"Sigmoid": "never defined: x"}}, {**known, "methods": nested}
    )
    assert "never defined: x" in told.missing_failure("Sigmoid").message
    assert "defined inside" not in told.missing_failure("Sigmoid").message
