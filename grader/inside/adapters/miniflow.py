"""MiniFlow (Udacity): a graph of Node subclasses, topological_sort(feed_dict), forward_and_backward(graph).

Accepts the variants of FACTS.md: base class Node/Layer/Neuron with inbound_*/outbound_* lists, `name=`
keywords, `Input.forward(value)`, forward_and_backward(graph, training=True), forward_pass/backward_pass
pairs or no driver at all (each node's forward/backward called directly), an MSE value of shape (1,).
Unit cases hang a stub consumer node under the node under test, holding `gradients[node] = upstream`.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

import numpy as np

from .. import aliases, contexts
from ..failures import StudentFailure, raised_of
from ..names import StudentNames
from ..remote import (
    ClassInfo,
    Param,
    Pending,
    Ref,
    RemoteFailure,
    Session,
    StudentProcessEnded,
    accepts_positional,
)
from .base import AdapterBase, Reading

# Ops whose value is a scalar cost: a shape-(1,) array is accepted and read as a scalar.
_SCALAR_OPS = {"MSE"}
# Where a node keeps its partials (dict keyed by inbound node), in order of preference.
GRADIENT_ATTRS = aliases.MINIFLOW_GRADIENT_ATTRS
# Where a node lists its consumers; the stub consumer must be in the list the student's backward reads.
# `outputs`/`inputs` last: a common renaming (self.inputs = inputs), tried only when no course name is there.
OUTBOUND_ATTRS = aliases.MINIFLOW_OUTBOUND_ATTRS
# How a case input marked `plain` reaches an Input's value (the Linear quiz feeds lists and a number): the
# ndarray's own method that makes it so.
PLAIN = {"list": "tolist", "float": "item"}
# What students rename a node's `value` to (`self.output = ...` throughout): read only to say so when the
# sort left `value` unset (an attribute the lesson never names, so never graded as the value).
VALUE_RENAMES = ("output", "out", "val", "data", "result", "values", "outputs")
# Where a node lists what feeds it (Node.__init__'s argument), in order of preference.
INBOUND_ATTRS = ("inbound_nodes", "inbound_layers", "inbound_neurons", "input_nodes", "inputs")


def _renamed_words(renamed: str) -> str:
    return (
        "MiniFlow's nodes keep their result in .value (the course's topological_sort, forward_pass and "
        f"sgd_update read and set n.value): rename {renamed} to value throughout"
    )


_PositionsRead = Callable[[], dict[str, int] | None]


def _shapes_explain(failure: RemoteFailure) -> bool:
    """Whether `_check_gradient_shapes` reads anything for this failure: NumPy's ValueError in a backward."""
    return "ValueError" in failure.message and _IN_BACKWARD.search(failure.message) is not None


@dataclass(frozen=True)
class _Asked:
    """The readings of a failing pass's checks, asked in one round trip (`MiniFlowAdapter._ask_checks`)."""

    values: dict[str, Ref]
    held: dict[str, Ref] | None
    positions: _PositionsRead


class PassLater:
    """A backward pass queued, not yet answered (`MiniFlowAdapter.backward_later`): settled once the batch
    that carried it is, before anything else of its case is read."""

    def __init__(
        self,
        adapter: MiniFlowAdapter,
        explain: Callable[[RemoteFailure], NoReturn],
        marker: Pending,
        context: str,
        fed: dict[str, Ref],
        driver: Callable[[MiniFlowAdapter, Graph, str], bool] | None,
        before: tuple[bool, Graph | None],
        whole: bool = True,
    ) -> None:
        self.adapter, self.explain, self.marker, self.context = adapter, explain, marker, context
        self.fed, self.driver, self.before = fed, driver, before
        self.whole = whole  # a whole backward pass (not an Input's own backward): once it passed, a forward
        # error later in the case is not placed before any backward (`backward_ran`)
        self._outcome: BaseException | bool | None = None  # settled: what it raised, or True (it passed)
        # what this pass's sort returned and how forward_pass was called, read by its explanation: a pass
        # queued after it (an sgd step between, session 29) sets its own before this one is settled
        self.sorted_by = (adapter.sort_returned, adapter.fp_call)

    def settle(self, error: BaseException | None) -> BaseException | None:
        """`error`: what the sync that sent the pass raised (None: it was answered, or it is still queued,
        then sent now, as the pass's own sync sent it). The pass's failure (the batch stopped at it or
        before it), explained, or an Input its sort left unset (`_check_fed`), is raised as the pass's own
        sync raised it, in the pass's context; anything else is returned as it came. Settled once: again,
        the same is raised, or what comes is returned (a pass settled by a later pass's failure, session 29:
        `MiniFlowAdapter._settle_earlier`)."""
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        if self._outcome is None:
            try:
                error = self._settle(error)
            except BaseException as exc:
                self._outcome = exc
                raise
            finally:
                if self in self.adapter.unsettled:
                    self.adapter.unsettled.remove(self)
            self._outcome = True
        return error

    def _settle(self, error: BaseException | None) -> BaseException | None:
        adapter, session, marker = self.adapter, self.adapter.session, self.marker
        if isinstance(error, StudentProcessEnded):
            return error
        failure = error if isinstance(error, RemoteFailure) and not marker.stopped else None
        context = session.context
        try:
            if not marker.done and not marker.stopped and failure is None and not session.broken:
                try:
                    _ = marker.value
                except StudentFailure as exc:
                    if not marker.stopped and not isinstance(exc, RemoteFailure):
                        raise
                    if marker.stopped:
                        error = exc  # its gate stopped the batch: the pass passed, an Input is unset
                    else:
                        failure = exc
            adapter.fed, adapter.driver = self.fed, self.driver  # what the explanations read: the pass's
            if self.whole:
                adapter.sort_returned, adapter.fp_call = self.sorted_by
            session.context = self.context
            if marker.done or marker.stopped:  # the pass passed (stopped: with a fed value unset)
                adapter._check_fed()
                adapter.backward_ran = adapter.backward_ran or self.whole
                return error
            adapter.forwarded, adapter.passed = self.before
            if failure is not None:
                try:
                    self.explain(failure)
                except StudentFailure as explained:
                    # Its exception's fields read now, `failure` at hand: raised again where the pass is
                    # settled (a later pass's listing), its chain holds no RemoteFailure, and the blame fell
                    # back to the message's text (review32)
                    explained.raised = raised_of(explained, failure)
                    raise
            return error
        except BaseException:
            adapter.forwarded, adapter.passed = self.before  # the pass did not pass: as when it raised
            raise
        finally:
            session.context = context


class MiniFlowAdapter(AdapterBase):
    family = "miniflow"
    ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = aliases.MINIFLOW
    # For stage inference only (grader/stage_scan.py).
    INFERENCE_ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = aliases.MINIFLOW_INFERENCE
    SIGNATURES_AHEAD: ClassVar[tuple[str, ...]] = ("forward_and_backward", "forward_pass", "sgd_update")

    def __init__(
        self,
        session: Session,
        names: StudentNames,
        inputs: dict[str, Ref],
        originals: Mapping[str, np.ndarray],
    ) -> None:
        super().__init__(session, names, inputs, originals)
        self.nodes: dict[str, Ref] = {}
        self.op_of: dict[str, str] = {}  # out name -> op
        self.args_of: dict[str, list[str]] = {}  # out name -> the names it consumes
        self.input_nodes: list[Ref] = []
        self.op_nodes: list[Ref] = []
        self.stubs: dict[str, Ref] = {}  # of -> its upstream stub (one per node, reused)
        self.forwarded = False
        self.fed: dict[str, Ref] = {}  # Input name -> its value after the student's sort fed it
        self.plain: dict[str, str] = {}  # Input name -> how its value is fed: "list" or "float" (PLAIN)
        self.returned: dict[str, Ref] = {}  # out name -> what its forward() returned, when the grader ran it
        self.direct: dict[str, Ref] = {}  # out name -> the value its forward() stored, when the grader ran it
        self.unlisted: list[str] = []  # op nodes left unset by the course's pass and missing from the sort
        self.feeds: dict[str, Ref] = {}  # Input name -> the value it is fed
        self.cleared: set[int] = set()  # ids of the Input nodes whose value was unset after the course's pass
        self.driver: Callable[[MiniFlowAdapter, Graph, str], bool] | None = None  # the pass's driver
        # The passes queued without their own sync and not settled yet, in order (`backward_later`): an
        # error a later pass meets is theirs first (`_settle_earlier`).
        self.unsettled: list[PassLater] = []
        self.passed: Graph | None = None  # the student's sorted list the last backward pass ran on
        self.backward_ran = (
            False  # a whole pass finished in this case (sgd-step's second pass comes after one)
        )
        self.sort_returned: Ref | None = None  # what topological_sort returned, before it was listed
        self.fp_call: str | None = None  # forward_pass's arguments, named (_call_forward_pass)
        # The course form's failure, when the Linear quiz was built one Input per number instead (_built):
        # reported should the case fail anyway, since that form was the grader's guess, not the student's.
        self.course_form_failure: StudentFailure | None = None
        # The ops built from one list of their nodes (`_takes_one_list`), told to the parent in the case's
        # frame: grader/constructors.py words its note from this, what the adapter did (review of s23-realmf).
        self.packed: set[str] = set()

    # ---------------------------------------------------------------- building
    def node(self, name: str) -> Ref:
        built = self.nodes.get(name)
        if built is not None:
            return built
        if name not in self.nodes:
            if name not in self.inputs:
                raise self.unknown(name)
            value = self.inputs[name]
            if name in self.plain:  # the array's own tolist() or item(): a Python list or float
                value = self.session.call(self.session.getattr(value, PLAIN[self.plain[name]]))
            self.feeds[name] = value
            self.nodes[name] = self._new_input(name, value)
        return self.nodes[name]

    def _new_input(self, name: str, value: Ref) -> Ref:
        """An Input node of the student's class holding `value`, fed and sorted with the graph's inputs."""
        node = self.construct(self.names.require("Input"), label="Input()", extras={"name": name})
        self.session.setattr(node, "value", value)
        self.input_nodes.append(node)
        return node

    def apply(
        self,
        op: str,
        args: Sequence[str],
        out: str,
        *,
        no_grad: bool = False,
        plain: Mapping[str, str] | None = None,
    ) -> None:
        for name, kind in (plain or {}).items():
            if kind not in PLAIN:
                raise self._unsupported(f"plain value {kind!r} for {name!r} (known: {', '.join(PLAIN)})")
            self.plain[name] = kind
        cls = self.names.require(op)
        label = f"{op}({', '.join(args)})"
        self.nodes[out] = self._built(cls, args, label=label, out=out, op=op)
        self.op_of[out] = op
        self.args_of[out] = list(args)
        self.op_nodes.append(self.nodes[out])
        self.forwarded = False

    def _built(self, cls: Ref, args: Sequence[str], *, label: str, out: str, op: str) -> Ref:
        """The op's node over the nodes of `args`. An arg fed as a list (the Linear quiz) is one Input holding
        the list, as the course has it; when that fails to build, one Input per number in a list, as the
        lesson's first version has it (`Linear(inputs, weights, bias)` over lists of nodes,
        `Node.__init__(self, inputs)`, `zip(self.inbound_nodes, self.weights)`): its Node.__init__ iterates
        what it is given, and raised "'Input' object is not iterable" (0 of 1; sample
        submissions/miniflow/linear_quiz_node_lists.py). A failure of both forms is the course form's."""
        fresh = [a for a in dict.fromkeys(args) if a not in self.nodes]
        nodes = [self.node(a) for a in args]
        packed = self._takes_one_list(cls, len(nodes))
        # Built with its Inputs unset, as in the course (the graph first, feed_dict later): an __init__ that
        # computes the value from its inputs' values (`self.value = x.value + y.value`, forward a TODO) was
        # read as a forward that sets it (session 24's review, sample add_quiz_value_in_init.py). Same batch.
        fed = [a for a in dict.fromkeys(args) if a in self.feeds]
        for a in fed:
            self.session.setattr(self.nodes[a], "value", None)
        node = self.construct(cls, *([nodes] if packed else nodes), label=label, extras={"name": out})
        for a in fed:
            self.session.setattr(self.nodes[a], "value", self.feeds[a])
        if packed:
            self.session.sync()  # built so, or its error raised here: only a class built so is reported
            self.packed.add(op)
            return node
        lists = [a for a in fresh if self.plain.get(a) == "list"]
        if not lists:
            return node
        try:
            self.session.sync()
            return node
        except RemoteFailure as failure:
            course_form = failure
        for a in fresh:  # the failed form's nodes: never fed, never sorted
            dropped = self.nodes.pop(a)
            self.input_nodes = [n for n in self.input_nodes if n is not dropped]
        # each list made in the student's process first, so that what the node keeps can be told by identity
        per_number: list[Ref] = []
        after_first: list[Ref] = []  # the lists and nodes given after the first argument, and their nodes
        # Built with every Input unset too, its numbers' as well (they were set: an __init__ computing the
        # value from them was read as a forward in this form only; review of s24-fixmut, finding 6)
        held: list[tuple[Ref, Ref]] = []
        for i, a in enumerate(args):
            numbers = self._nodes_per_number(a) if a in lists else []
            held += numbers
            per_number.append(self.session.new([n for n, _ in numbers]) if a in lists else self.node(a))
            after_first += [per_number[-1], *(n for n, _ in numbers)] if i else []
        held += [
            (self.nodes[a], self.feeds[a]) for a in dict.fromkeys(args) if a not in lists and a in self.feeds
        ]
        for n, _ in held:
            self.session.setattr(n, "value", None)
        try:
            node = self.construct(cls, *per_number, label=label, extras={"name": out})
            for n, value in held:
                self.session.setattr(n, "value", value)
            self.session.sync()
        except RemoteFailure:
            raise course_form from None
        if not self._keeps_its_arguments(node, after_first):
            self.course_form_failure = course_form
        return node

    def _keeps_its_arguments(self, node: Ref, given: Sequence[Ref]) -> bool:
        """Whether a node built one Input per number keeps on itself (in its __dict__) an argument its
        constructor was given after the first, or a node of one, by identity: the lesson's first version
        (`Node.__init__(self, inputs)`, `self.weights = weights`, `self.bias = bias`, under any names),
        whose form the per-number build is, not a guess. What fails after it is the student's (its
        forward's `x * w` of two nodes said the course form's "'Input' object is not iterable" in
        Node.__init__: sample miniflow/linear_quiz_node_lists_times_nodes.py; and by the parameter's name,
        as it was read, `self.weight_nodes = weights` still did: sample times_nodes_renamed.py). A
        course-form Linear with a typo (`Node.__init__(self, inputs)` alone) keeps none: its failure stays
        the course form's. Runs after every per-number build (the course form failed to build, whether or
        not the case then fails): the node's __dict__ and its values read, in two round trips; no attribute
        of the student's is read through a property."""
        try:
            attrs = self.session.getattr(node, "__dict__")
            kept = self.session.items(self.session.call(self.session.getattr(attrs, "values")))
            return any(i >= 0 for i in self.session.indexes_of([(g, kept) for g in given]))
        except RemoteFailure:
            return False

    def _takes_one_list(self, cls: Ref, count: int) -> bool:
        """Whether the class is built from one list of its inbound nodes (`Linear([X, W, b])`,
        `def __init__(self, inbound_nodes): Node.__init__(self, inbound_nodes)`, Node's own constructor
        inherited): its constructor takes at least one and fewer positional parameters than the op has
        arguments, at most one of them required, and no *args. Built with the arguments one by one, it was
        Python's "takes 2 positional arguments but 4 were given" on every case through Linear (sample
        submissions/miniflow/linear_one_list.py). Only a constructor the op's class or a base of its own
        below the student's Node defines: a Linear with no __init__ inherits `Node.__init__(self,
        inbound_nodes=[])`, which Linear(X, W, b) cannot call, and packing for it gave full marks to a
        file the lesson's code cannot run (sample linear_no_init.py). Read from the class's description,
        which construct asks for anyway: no round trip of its own but for a class whose __init__ comes from
        a base (`_own_init`). grader/constructors.py words its note by the same rule."""
        if count < 2:
            return False
        info = self.session.classinfo(cls)
        params = info.init if info is not None else None
        if info is None or params is None or any(p.kind == 2 for p in params) or not self._own_init(info):
            return False
        positional = [p for p in params if p.kind in (0, 1)][1:]  # after self
        # at least one: a `def __init__(self)` handed the list raised "takes 1 positional argument but 2
        # were given" after the note said "graded as you wrote them" (sample linear_no_params.py)
        return 0 < len(positional) < count and sum(not p.has_default for p in positional) <= 1

    def _own_init(self, info: ClassInfo) -> bool:
        """Whether the __init__ of the class `info` describes is defined below the student's root node class
        (`_root_index`): the class's own, or an intermediate base's."""
        if "__init__" in info.own:
            return True
        root = self._root_index(info)
        for base in info.mro[1:root]:  # between the class and its root
            about = self.session.classinfo(base)
            if about is None:
                return False
            if "__init__" in about.own:
                return True
        return False

    def _root_index(self, info: ClassInfo) -> int:
        """Where the student's root node class stands in the MRO of `info`: the class the alias table calls
        Node; else the last class before `object` that defines __init__ (the one that wires inbound and
        outbound nodes), past an empty base of its own (`class Unit(GraphObject)`, `class GraphObject:
        pass`); else the last before `object`. The same rule as grader/constructors.py `_root_index`.
        Taking the last class before `object` built the grader's UpstreamStub on the empty GraphObject
        ("UpstreamStub() takes no arguments" on a correct file: sample correct_unit_base.py) and counted
        Unit's __init__ as Linear's own (sample no_init_unit_base.py)."""
        last = len(info.mro) - 2  # object is last
        node = self.names.get("Node")
        abouts = [self.session.classinfo(base) for base in info.mro[: last + 1]]
        if node is not None:
            named = [i for i, a in enumerate(abouts) if a is not None and a.name == node.class_name]
            if named:
                return named[0]
        with_init = [i for i, about in enumerate(abouts) if about is not None and "__init__" in about.own]
        return with_init[-1] if with_init else last

    def _class_name(self, op: str) -> str | None:
        """The name of the student's class for `op` (as the harness names it in a frame), None unknown."""
        ref = self.names.get(op)
        return ref.class_name if ref is not None else None

    def failure_of(self, failure: StudentFailure) -> StudentFailure:
        # A TODO (a value left unset, NotImplementedError) is the student's in either form: the guessed form
        # ran their method to its end and found it unwritten, which the course form never reached. The
        # lesson's first Linear quiz starter (`Node.__init__(self, inputs)`, forward a TODO) was told
        # "'Input' object is not iterable" in Node.__init__, a right line (sample
        # submissions/miniflow/linear_quiz_node_lists_todo.py).
        if failure.code == "not_implemented":
            return failure
        return self.course_form_failure or self._with_returned_note(failure)

    def _with_returned_note(self, failure: StudentFailure) -> StudentFailure:
        """A unit case's backward reading a None value (Sigmoid.backward's `1 - self.value`) after a forward
        that returned its result: the forward named (the graph cases name it in their forward half). Its
        control: a case whose message already says so is left as it is."""
        if _NAME_KEYERROR.search(failure.message) and _KEYED_BY_NAME not in failure.message:
            # a unit case's consumer is the grader's, keyed by node: `n.gradients[self.name]` fails on it
            said = _by_name("str", failure.message)
            return StudentFailure(failure.code, f"{failure.message}; {said}", failure.detail)
        if "'NoneType'" not in failure.message or _RETURNED in failure.message or self.session.broken:
            return failure
        try:
            kept = self._returned_not_stored()
        except StudentProcessEnded:
            return failure
        if kept is None:
            return failure
        return StudentFailure(failure.code, f"{failure.message}; {kept}", failure.detail)

    def _nodes_per_number(self, name: str) -> list[tuple[Ref, Ref]]:
        """One Input per number of the list input `name`, each holding a Python number (ndarray.item(i)),
        with that number."""
        item = self.session.getattr(self.inputs[name], "item")
        size = int(np.asarray(self.originals[name]).size)
        numbers = [self.session.call(item, i) for i in range(size)]
        return [(self._new_input(f"{name}[{i}]", v), v) for i, v in enumerate(numbers)]

    def _root_class(self, node: Ref) -> Ref:
        """The student's base node class of `node` (`_root_index`)."""
        info = self.session.classinfo(self.session.getattr(node, "__class__"))
        if info is None or len(info.mro) < 2:
            raise StudentFailure("exception", "the graph's nodes are not instances of a class")
        return info.mro[self._root_index(info)]

    def _stub(self, of: str, upstream: Ref) -> None:
        target = self.node(of)
        if of not in self.stubs:
            base = self.names.get("Node") or self._root_class(target)
            stub_class = self.session.stub_consumer(base)  # the grader's class: no constructor typo to find
            self.stubs[of] = self.session.call(stub_class, [target], extras={"name": "upstream"})
            # Subclasses that skip Node.__init__ wire themselves, so the base class may leave the target's
            # consumer list alone: the stub joins it if it is not there.
            self.session.enlist(target, OUTBOUND_ATTRS, self.stubs[of])
        stub = self.stubs[of]
        self.session.setattr(stub, "_grader_of", target)
        self.session.setattr(stub, "_grader_upstream", upstream)
        for attr in GRADIENT_ATTRS:  # the stub answers under every name a student's backward may read
            self.session.setattr(stub, attr, {target: upstream})

    # ---------------------------------------------------------------- running
    def _sorted(self) -> Graph:
        sort = self.names.get("topological_sort")
        if sort is None:
            return Graph(self.session, [*self.input_nodes, *self.op_nodes, *self.stubs.values()])
        feed = {n: self.session.getattr(n, "value") for n in self.input_nodes}
        # As in the course, the values reach the Input nodes only through the student's own sort: one that
        # never copies feed_dict into them must not pass on values the grader set. Whether it did is read
        # with the pass's own batch (`_check_fed`).
        for n in self.input_nodes:
            self.session.setattr(n, "value", None)
        returned = self.sort_returned = self.session.call(sort, feed)
        context = self.session.context
        # listing what the sort returned fails on a None (a `return L` left out): said as the sort's
        self.session.context = _NO_LIST
        try:
            listed = self.session.listed(returned)
        finally:
            self.session.context = context
        # a second copy, queued before any pass runs and never handed to student code: a pass may empty the
        # list it is given (`while graph: graph.pop().backward()`), and the sort is judged by what it returned
        graph = Graph(self.session, listed, kept=self.session.listed(listed))
        self.fed = {
            name: self.session.getattr(node, "value", missing_ok=True)
            for name, node in self.nodes.items()
            if name in self.inputs
        }
        return graph

    def _check_fed(self) -> None:
        """An Input the student's sort left unset is named (only values the batch got to: a sort that
        raised is explained by its own error)."""
        for name, value in self.fed.items():
            if value.answered and value.is_none:
                renamed = self._renamed_value(self.nodes[name])
                if renamed:
                    raise StudentFailure(
                        "exception",
                        f"topological_sort(feed_dict) left the value of Input {name} unset and put the feed "
                        f"in {name}.{renamed}: {_renamed_words(renamed)}",
                    )
                raise StudentFailure(
                    "exception",
                    f"topological_sort(feed_dict) left the value of Input {name} unset: it must set "
                    "n.value = feed_dict[n] for every Input node n of feed_dict",
                )

    def _check_fp_call(self, failure: RemoteFailure) -> None:
        """A TypeError of the call itself ("forward_pass() missing 1 required positional argument"): the
        grader chose the arguments from the parameters' names, so the student is told which it passed."""
        info = failure.info
        called = info is not None and info.description.startswith("TypeError: forward_pass()")
        if self.fp_call is None or not called:
            return
        raise StudentFailure(
            "exception",
            f"{failure.message}. The grader called forward_pass({self.fp_call}), as its parameters' names "
            "read: name them output_node and sorted_nodes, as the lesson's forward_pass(output_node, "
            "sorted_nodes) does",
            failure.detail,
        )

    def _listing_ran_the_sort(self, failure: RemoteFailure) -> RemoteFailure:
        """A sort written as a generator (`yield n`) runs its body while its result is listed: an error there
        is its code's (the message names the line), not a None returned, which _NO_LIST says (review of
        s28-realmf: "returned no list ... (a `return L` missing?)" of a sort that returned a generator)."""
        head = f"{_NO_LIST}: "
        if failure.info is None or not failure.info.frames or not failure.message.startswith(head):
            return failure
        said = f"{_LISTED}: {failure.message.removeprefix(head)}"
        return RemoteFailure(StudentFailure(failure.code, said, failure.detail), failure.key, failure.info)

    def _check_sort_key(self, failure: RemoteFailure) -> None:
        """A KeyError raised in topological_sort on a node of the graph ("KeyError: <hw.Add object at
        0x...>"): the sort reached the node through an outbound list but never visited it, so its own
        table has no entry for it (the lesson's `nodes.append(m)` deleted, sample
        add_quiz_sort_one_level.py). One round trip, on a failed sort only."""
        frames = failure.info.frames if failure.info is not None else ()
        if failure.key is None or not frames or not frames[-1].function.endswith("topological_sort"):
            return
        names = list(self.nodes)
        try:
            found = self.session.index_of(failure.key, [self.nodes[n] for n in names])
        except StudentFailure:
            return
        if found < 0:
            return
        name = names[found]
        kind = self.op_of.get(name, "Input")
        raise StudentFailure(
            "exception",
            f"{failure.message}. The key is the {kind} node {name}: topological_sort(feed_dict) reached it "
            "through an outbound_nodes list but never visited it, so it has no entry of its own: every node "
            "reached must join the nodes still to visit (the lesson's nodes.append(m))",
            failure.detail,
        )

    def _check_cleared(self, failure: RemoteFailure) -> None:
        """A forward pass that failed after the sort fed every Input (_check_fed) and one of them is unset
        again: its own forward cleared it (`self.value = value` with no value given), and the error points
        into the consumer's forward (`None + None` in Add.forward), where nothing is wrong (session 24's
        review, sample add_quiz_input_forward_clears.py). One round trip, on a failed pass only."""
        fed = [n for n, v in self.fed.items() if v.answered and not v.is_none]
        try:
            now = {n: self.session.getattr(self.nodes[n], "value", missing_ok=True) for n in fed}
            self.session.sync()
        except RemoteFailure:
            return
        cleared = [n for n, v in now.items() if v.answered and (v.is_none or v.missing)]
        if cleared:
            input_class = self.names.require("Input").class_name
            them, their = ("it", "its") if len(cleared) == 1 else ("them", "their")
            raise StudentFailure(
                "exception",
                f"{failure.message}. topological_sort(feed_dict) set the value of Input "
                f"{', '.join(cleared)}, but the forward pass unset {them} before {their} consumers read "
                f"{them}: "
                f"{input_class}.forward must keep the value fed (the lesson's sets self.value only when it "
                "is given one)",
                failure.detail,
            )

    def _positions(self, graph: Graph) -> dict[str, int] | None:
        """Each built node's index in the sorted list as the sort returned it (-1: not listed), not in the
        list the pass was handed, which it may have emptied (`graph.pop()`: a correct sort was told it "left
        out" the nodes already popped, review of s26-realmf); None when the list cannot be read."""
        try:
            listed = graph.kept if isinstance(graph.kept, list) else self.session.items(graph.kept)
            asked = [(node, listed) for node in self.nodes.values()]
            return dict(zip(self.nodes, self.session.indexes_of(asked), strict=True))
        except StudentFailure:
            # a sort that raised, or whose list went with the failed batch ("unknown handle"), says nothing
            # of its order
            return None

    def _left_out(self, left_out: Sequence[str], head: str) -> StudentFailure:
        """Op nodes reached from the fed Inputs but never listed by the sort. In a backward pass their
        consumers' backward reads a gradient no backward set, and the KeyError blamed a TODO in a node that
        ran ("Sigmoid.backward left gradients[f] unset"); read as a forward value, it was "the sorted list
        must hold every node ... and forward_pass must call forward on each". A Kahn sort on lists counts an
        inbound node once per path to it, so a node reached twice never gets to 0 (samples
        submissions/miniflow/sort_lists_not_sets.py, add_quiz_sort_lists.py). The lists are said as a
        condition: a sort on sets that tests the count once per node, not per edge, leaves nodes out too
        (sample sort_check_dedented.py, review of s26-realmf)."""
        named = ", ".join(f"the {self.op_of[out]} node {out}" for out in left_out)
        them = "it" if len(left_out) == 1 else "them"
        return StudentFailure(
            "exception",
            f"{head}{contexts.SORT_LEFT_OUT}{named}, built from the fed Inputs, so the pass never ran "
            f"{them}: every node reachable from feed_dict must be listed exactly once, and a node is listed "
            "once every edge into it is removed (G's 'in' and 'out' as lists, not the lesson's sets, or a "
            "node queued again at each visit, count an edge twice: its count never gets to 0)",
        )

    def _check_order(
        self, graph: Graph, failure: RemoteFailure, positions: _PositionsRead | None = None
    ) -> None:
        """A pass that failed on a sort listing a node before a node it is built from (a depth-first sort
        never reversed): the forward pass read a value not computed yet, and the error points into that
        node's forward (MSE.forward: 'NoneType' object has no attribute 'reshape'), where nothing is wrong.
        `positions`: the sorted places already asked (`_ask_checks`)."""
        position = self._positions(graph) if positions is None else positions()
        if position is None:
            return
        # Reversing is the fix only when the whole list reversed is an order (a depth-first sort's): a Kahn
        # sort testing in-degree `== 1` lists nodes in its set's pop order, which no reversal mends (review
        # of s24-fixmut, add_indeg1.py).
        listed_at = {out: position.get(out, -1) for out in self.args_of}
        left_out = [out for out, at in listed_at.items() if at < 0]
        if left_out and len(left_out) < len(listed_at):
            told = self._left_out(left_out, f"{failure.message}. ")
            raise StudentFailure(told.code, told.message, failure.detail)
        mirrored = all(
            position.get(a, -1) > listed_at[out] >= 0
            for out, args in self.args_of.items()
            for a in args
            if position.get(a, -1) >= 0
        )
        lates = [
            (out, [a for a in args if position.get(a, -1) > position.get(out, -1) >= 0])
            for out, args in self.args_of.items()
        ]
        # A node listed before another node's output is what the pass read unset; an Input listed late was
        # fed by the sort all the same (the course's sorts set Input values as they go, before any forward):
        # t = Add(s, z) listed before s was told "put s before x", of an s whose x was fed (add_indeg1.py).
        # Of those, the one listed first: the pass ran it first, and its forward raised.
        lates.sort(key=lambda pair: (not any(a in self.op_of for a in pair[1]), position.get(pair[0], -1)))
        for out, late in lates:
            late = [a for a in late if a in self.op_of] or late  # the Inputs beside them were fed
            if late:
                hint = (
                    "a depth-first sort lists them the other way round: reverse it"
                    if mirrored
                    else "a node joins the nodes ready to run once every inbound node is listed, its "
                    "count of unlisted inbound nodes == 0"
                )
                returned = self.sort_returned
                if returned is not None and returned.answered and returned.type_name in ("set", "frozenset"):
                    # `return set(L)` (or S itself): the order built is lost, whatever the sort did right
                    hint = (
                        f"it returned a {returned.type_name}, which keeps no order: return the list L it made"
                    )
                raise StudentFailure(
                    "exception",
                    f"{failure.message}. {contexts.SORT_PUT}{self.op_of[out]} node {out} "
                    f"before {', '.join(late)}, which it is built from, so its forward ran on values not "
                    f"computed yet: every node must come after its inbound nodes ({hint})",
                    failure.detail,
                )

    def _check_matrix_values(self, failure: RemoteFailure, asked: dict[str, Ref] | None = None) -> None:
        """A pass that failed after a node stored a numpy.matrix (`np.matrix(X) * np.matrix(W) + b`): its
        own value is right (the unit case passes), but `*` and `**` on a matrix are matrix products, so the
        error points into a later node (MSE.forward's `diff**2`: LinAlgError, "Last 2 dimensions of the
        array must be square"), and the graph cases were blamed on how gradients are combined (sample
        submissions/miniflow/linear_np_matrix.py). `asked`: the values already asked (`_ask_checks`)."""
        try:
            # asked alone after an answer broke the channel, as before: the phase ends there
            if asked is not None and not self.session.broken and all(v.answered for v in asked.values()):
                values = asked
            else:
                values = {
                    out: self.session.getattr(self.nodes[out], "value", missing_ok=True) for out in self.op_of
                }
                self.session.sync()
            first = next((out for out, v in values.items() if v.answered and v.type_name == "matrix"), None)
        except StudentFailure:
            return
        if first is None:
            return
        raise StudentFailure(
            "exception",
            f"{failure.message}. {self.op_of[first]}{contexts.MATRIX_VALUE}{first}.value: on a "
            "matrix `*` is a matrix product and `**` a matrix power, so the nodes after it fail; keep plain "
            "arrays (np.dot(X, W) + b or X @ W + b, np.asarray for an np.matrix input)",
            failure.detail,
        )

    def _check_gradient_shapes(self, failure: RemoteFailure, dicts: dict[str, Ref] | None = None) -> None:
        """A pass that failed on a shape (NumPy's ValueError) after a consumer handed down a gradient of
        another shape than the value it belongs to: the error points into the next backward (Sigmoid's
        `+=` cannot take MSE's (2, 2) gradient), where nothing is wrong. The consumer nearest the cost
        whose gradient differs (other than by axes of length 1: the course's MSE gives y's gradient shape
        (m, 1) for a y of shape (m,)) is named (sample submissions/miniflow/mse_no_reshape.py). `dicts`: the
        gradient dicts already asked (`_ask_checks`)."""
        if not _shapes_explain(failure):
            return  # (an error in sgd_update, after the pass, has its own explanation: bias_not_summed.py)
        try:
            if dicts is not None and not self.session.broken and all(g.answered for g in dicts.values()):
                held = dicts
            else:
                held = {
                    out: self.session.getattr(self.nodes[out], *GRADIENT_ATTRS, missing_ok=True)
                    for out in self.args_of
                }
                self.session.sync()
            asked = [
                (
                    out,
                    arg,
                    self.session.getitem(grads, self.nodes[arg], missing_ok=True),
                    self.session.getattr(self.nodes[arg], "value", missing_ok=True),
                )
                for out, grads in held.items()
                if grads.kind == "dict"
                for arg in dict.fromkeys(self.args_of[out])
                if arg in self.nodes
            ]
            self.session.sync()
        except (RemoteFailure, StudentFailure):
            return  # nothing more to say than the error itself
        frame = _IN_BACKWARD.search(failure.message)
        failing = frame.group(1) if frame is not None else None
        for out, arg, grad, value in reversed(asked):
            got, want = _shape(grad), value.shape
            if got is None or want is None or _squeezed(got) == _squeezed(want):
                continue
            op = self.op_of[out]
            if self._class_name(op) == failing:
                # a node of the class whose backward raised may hold a dict it was still filling: its
                # entries say nothing of what it hands on (sample linear_zero_no_t.py)
                continue
            cause = ""
            if got == ():  # `2 * np.mean(self.diff)`: a mean or sum over every axis, one number
                cause = (
                    ": one number, where each element of the value needs its own (a mean or sum over every "
                    "axis, as np.mean(diff), leaves one)"
                )
                if op in _SCALAR_OPS:
                    cause += "; the lesson's MSE.backward keeps diff's shape: (2 / m) * diff, (-2 / m) * diff"
            if len(got) == 2 and got[0] == got[1] and _squeezed(want) == (got[0],):
                m = got[0]
                cause = (
                    f": an array of shape ({m},) against one of shape ({m}, 1) broadcasts to ({m}, {m}), so "
                    f"{op}.forward must reshape both to (-1, 1) first, as the lesson's MSE does"
                )
                if self._kept_diff_shape(out) == (m, 1):
                    cause = (
                        f": {op}.forward did reshape (its self.diff has shape ({m}, 1)), but {op}.backward "
                        f"computes y - a again from the values as fed, shapes ({m},) and ({m}, 1), which "
                        f"broadcast to ({m}, {m}): use the diff {op}.forward kept, (2 / m) * self.diff"
                    )
            raise StudentFailure(
                "exception",
                f"{contexts.upstream_shape(op, arg)} {got}, but {arg}'s value has shape {want} (a "
                f"gradient has the shape of the value it belongs to){cause}. The error surfaced further "
                f"down the backward pass, where that gradient arrived: {failure.message}",
                failure.detail,
            )
        self._check_input_start(asked, failure)

    def _kept_diff_shape(self, out: str) -> tuple[int, ...] | None:
        """The shape of the `diff` the lesson's MSE.forward keeps for backward, None when there is none: an
        (m, 1) diff means forward reshaped, and a (m, m) gradient is backward's own subtraction."""
        try:
            diff = self.session.getattr(self.nodes[out], "diff", missing_ok=True)
            self.session.sync()
        except (RemoteFailure, StudentFailure):
            return None
        return None if diff.missing else _shape(diff)

    def _check_input_start(self, asked: Sequence[tuple[str, str, Ref, Ref]], failure: RemoteFailure) -> None:
        """An Input.backward that starts its sum from an array of its value's shape
        (`{self: np.zeros_like(self.value)}`) fails on a consumer's gradient that differs from that shape
        only by an axis of length 1: the lesson's MSE hands y, fed (m,), a gradient of shape (m, 1) (FACTS.md
        1), and `+=` cannot grow the (m,) array. The error is NumPy's in Input.backward, which said neither
        (sample submissions/miniflow/input_zeros_like_value.py). The lesson starts from the number 0."""
        frame = _IN_BACKWARD.search(failure.message)
        input_class = self.names.require("Input").class_name
        if frame is None or frame.group(1) != input_class or _IN_PLACE_BROADCAST not in failure.message:
            return  # another ValueError of Input.backward (`if grad != 0`: "truth value ... ambiguous")
        for out, arg, grad, value in reversed(asked):
            got, want = _shape(grad), value.shape
            if arg in self.op_of or got is None or want is None or got == want or len(got) <= len(want):
                continue
            if _squeezed(got) != _squeezed(want) or self._own_sum_shape(arg) != want:
                continue
            raise StudentFailure(
                "exception",
                f"{input_class}.backward cannot add {self.op_of[out]}'s gradient of {arg}, shape {got}, to a "
                f"sum started in {arg}'s own shape {want} (np.zeros_like(self.value)): `+=` keeps the shape "
                f"on its left. The lesson's {input_class}.backward starts from the number 0 "
                f"(self.gradients = {{self: 0}}), so the sum takes the shape of what it adds; "
                f"{self.op_of[out]} hands {arg} a gradient of shape {got}. Python said: {failure.message}",
                failure.detail,
            )

    def _own_sum_shape(self, name: str) -> tuple[int, ...] | None:
        """The shape of the array the Input `name` keeps its own sum in (gradients[self]), None when it is
        no array or cannot be read: only a sum started as an array of the value's shape is explained."""
        node = self.nodes[name]
        try:
            held = self.session.getattr(node, *GRADIENT_ATTRS, missing_ok=True)
            self.session.sync()
            if held.kind != "dict":
                return None
            own = self.session.getitem(held, node, missing_ok=True)
            self.session.sync()
        except (RemoteFailure, StudentFailure):
            return None
        return own.shape if own.kind == "ndarray" else None

    def _renamed_value(self, node: Ref) -> str | None:
        """The attribute of VALUE_RENAMES a student who renamed `value` (to output, throughout) keeps in its
        place on the Input `node`, or None: `value` unset and that attribute holding the feed."""
        try:
            refs = {a: self.session.getattr(node, a, missing_ok=True) for a in ("value", *VALUE_RENAMES)}
            self.session.sync()
        except RemoteFailure:
            return None
        value = refs.pop("value")
        if not value.answered or not value.is_none:
            return None
        return next((a for a, ref in refs.items() if ref.answered and not ref.is_none), None)

    def _forward_all(self, *, course: bool = False) -> None:
        """Each op node's forward, in the order built (a unit case's backward_local: no sort). `course`: a
        forward value read with no backward before it, computed as the course does (_course_forward)."""
        if course and self.names.get("topological_sort") is not None:
            self._course_forward()
            self.forwarded = True
            return
        outs = {node.id: out for out, node in self.nodes.items() if out in self.op_of}
        context = self.session.context
        try:
            for n in self.op_nodes:
                # an error of this forward is the forward's, not the step's backward's (_in_forward_half)
                op = self.op_of[outs[n.id]]
                self.session.context = (
                    f"{self._class_name(op) or op}.forward, run {contexts.BEFORE_ANY_BACKWARD} ({context})"
                )
                self.returned[outs[n.id]] = self.session.call(
                    self.session.getattr(n, "forward"), extras={"value": None}
                )
        finally:
            self.session.context = context
        self.forwarded = True

    def _course_forward(self) -> None:
        """The values read are the course's: the student's topological_sort feeds the Inputs, then
        forward_pass runs the sorted nodes (called by its required parameters, `_call_forward_pass`; each
        sorted node's forward when there is none). This runs first and once, on the nodes as built: the
        grader's own forward call before it changed what the course computes (a forward that aliases an
        input and adds in place, an Add that starts its sum from `self.value = 0` in __init__: session 24's
        review). Only a value the sort and pass left unset is then asked of the node's own forward, to tell
        why (`value_of`); what that call stores is read and cleared again, so the value graded stays the
        course's. A pass that fails is explained as backward() explains it: an Input the sort never fed
        (_check_fed), a node sorted before its inbound nodes (_check_order)."""
        s = self.session
        graph: Graph | None = None
        try:
            graph = self._sorted()
            forward_pass = self.names.get("forward_pass")
            if forward_pass is None:
                for n in graph:
                    s.call(s.getattr(n, "forward"), extras={"value": s.getattr(n, "value", default=None)})
            else:
                _call_forward_pass(self, forward_pass, graph, self.op_nodes[-1])
            s.sync()
        except RemoteFailure as raised:
            failure = self._listing_ran_the_sort(raised)
            self._check_sort_key(failure)
            self._check_fp_call(failure)
            self._check_fed()
            self._check_cleared(failure)
            if graph is not None:
                self._check_order(graph, failure)
            self._check_matrix_values(failure)
            if failure is raised:
                raise
            raise failure from None
        self._check_fed()
        ops = {out: n for out, n in self.nodes.items() if out in self.op_of}
        values = {out: s.getattr(n, "value", missing_ok=True) for out, n in ops.items()}
        inputs = {n.id: s.getattr(n, "value", missing_ok=True) for n in self.input_nodes}
        s.sync()
        self.cleared = {n.id for n in self.input_nodes if inputs[n.id].is_none or inputs[n.id].missing}
        unset = [out for out, v in values.items() if v.is_none or v.missing]
        if self.cleared:  # an Input the pass unset: no call of the grader's tells more
            return
        position = self._positions(graph) if unset else None
        if position is not None and len(unset) < len(values):
            self.unlisted = [out for out in unset if position.get(out, -1) < 0]
        # diagnosis only, on values already unset, in the order built (an Add of an Add reads the inner
        # one's value), then cleared all together; an error of such a call is the student's, as before
        for out in unset:
            self.returned[out] = s.call(s.getattr(ops[out], "forward"), extras={"value": None})
            self.direct[out] = s.getattr(ops[out], "value", missing_ok=True)
        for out in unset:
            s.setattr(ops[out], "value", None)

    def backward(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None:
        later = self.backward_later(of, upstream, gated=False)
        later.settle(None)  # errors of the pass surface here, where they can be explained

    def _settle_earlier(self, error: BaseException | None) -> None:
        """The passes queued before (`unsettled`) settled with `error`, what a sync after them raised (None:
        sent now): the failure of one, explained, is raised as its own sync raised it; one that passed lets
        the error go on to whoever met it, as when that pass had been answered alone."""
        for later in list(self.unsettled):
            later.settle(error)

    def backward_later(
        self, of: str, upstream: Ref | None, *, gated: bool = True, stop: bool = False
    ) -> PassLater:
        """The backward pass queued, its sync left to whatever sends the batch next (a case's end: the pass
        costs no round trip of its own); `settle` it with what that sync raised, before anything else is
        read of the case. An error met while queueing (a signature asked) is explained and raised here.
        `gated`: its `gate_none` reads the fed values (False: settled at once, `_check_fed` asks before the
        case's end, and an unset flag would only make the next case's batch be refused and sent again).
        `stop`: a step other than a record follows (an sgd step, session 29): the batch stops at a fed value
        unset, as the pass's own sync stopped the case there (`_check_fed`) before that step ran."""
        if upstream is not None:
            self._stub(of, upstream)
        self.fed = {}
        graph: Graph | None = None
        before = (self.forwarded, self.passed)
        try:
            graph = self._sorted()
            for driver in DRIVERS:
                self.driver = driver  # the one that raises is the one that ran
                if driver(self, graph, of):
                    break
        except RemoteFailure as failure:
            self._settle_earlier(failure)  # a pass queued before this one that failed raised it
            self._explain_pass(graph, failure)
        # the batch got past the pass: the fed values were read; one unset keeps the next case's batch from
        # running behind this one (`Session.hold`), so that `_check_fed` may still ask of this case's nodes
        marker = self.session.gate_none(list(self.fed.values()) if gated else [], stop=stop and gated)
        explain = functools.partial(self._explain_pass, graph)
        later = PassLater(self, explain, marker, self.session.context, self.fed, self.driver, before)
        if gated:
            self.unsettled.append(later)
        self.forwarded = True  # as after the pass: the records read next need no forward of their own
        self.passed = graph if self.names.get("topological_sort") is not None else None
        return later

    def _explain_pass(self, graph: Graph | None, raised: RemoteFailure) -> NoReturn:
        """A pass that failed, explained while the case's objects are at hand."""
        failure = self._listing_ran_the_sort(raised)
        self._check_sort_key(failure)
        self._check_fp_call(failure)
        self._check_fed()  # a pass that failed on values never fed: the sort is the cause
        asked = self._ask_checks(graph, failure)
        if graph is not None:
            self._check_order(graph, failure, asked.positions)
        self._check_gradient_shapes(failure, asked.held)
        self._check_matrix_values(failure, asked.values)
        raise self._unset_gradient(self._in_forward_half(failure)) from None

    def _ask_checks(self, graph: Graph | None, failure: RemoteFailure) -> _Asked:
        """What `_check_matrix_values`, `_check_gradient_shapes` (its first question) and `_check_order`
        read, asked in one round trip where each asked alone (session 29): the values and the gradient dicts
        first, the sorted list's items and each node's place in it last (a list that went with the failed
        batch stops there, after the others were answered). Only attributes are read and identities compared:
        no step of the student's runs for them. A check whose readings this batch did not answer asks alone,
        as before; after an answer that broke the channel, the order is said to be unreadable (as its own
        batch's broken answer was) and the others ask alone, which ends the phase as it did."""
        s = self.session
        values = {out: s.getattr(self.nodes[out], "value", missing_ok=True) for out in self.op_of}
        held = (
            {out: s.getattr(self.nodes[out], *GRADIENT_ATTRS, missing_ok=True) for out in self.args_of}
            if _shapes_explain(failure)
            else None
        )
        order: tuple[Pending | None, list[Pending]] | None = None
        kept = graph.kept if graph is not None else None
        if kept is not None and (isinstance(kept, list) or kept.answered):
            # a list never made (its batch stopped before it) is asked alone, as before: an unknown handle
            listed = s.items_later(kept) if isinstance(kept, Ref) else None
            among: Any = kept  # the list's handle, or the nodes themselves: `same` reads either
            order = (listed, [s.index_later(node, among) for node in self.nodes.values()])
        with contextlib.suppress(StudentFailure):  # each check reads what was answered, asks the rest alone
            s.sync()
        return _Asked(values, held, functools.partial(self._positions_read, graph, order))

    def _positions_read(
        self, graph: Graph | None, order: tuple[Pending | None, list[Pending]] | None
    ) -> dict[str, int] | None:
        """`_positions` from the answers `_ask_checks` queued, checked as `indexes_of` checks them; asked
        alone when they were not answered."""
        if self.session.broken or graph is None:  # a broken answer: as when the order's own batch was
            return None
        if order is None:
            return self._positions(graph)
        listed, indexes = order
        if (listed is not None and not listed.done) or not all(p.done for p in indexes):
            return self._positions(graph)
        try:
            size = len(self.session.items_read(listed)) if listed is not None else len(list(graph))
            found = []
            for answer in indexes:
                index = answer.value
                if type(index) is not int or not -1 <= index < size:
                    raise self.session.malformed(self.session.context, "an index out of range")
                found.append(index)
        except StudentFailure:
            return None
        return dict(zip(self.nodes, found, strict=True))

    def _in_forward_half(self, failure: RemoteFailure) -> RemoteFailure:
        """An error raised in a node's forward while the driver ran the whole pass: said to be the forward's,
        in the forward half, not under the step's "backward from cost" (no backward had run yet; session 27's
        open point 1). The innermost forward or backward frame decides: a forward that a backward called is
        the backward's business. Not after a pass that finished (sgd-step's second pass): a backward did run,
        and what the forward met may be the update's doing (sgd_update reshaping W was blamed on a right
        Linear.forward, review of s28-realmf)."""
        if self.backward_ran:
            return failure
        frames = failure.info.frames if failure.info is not None else ()
        sort = self.names.found.get("topological_sort", "topological_sort").rsplit(".", 1)[-1]
        if frames and frames[0].function == sort:  # the sort's own call of Input.forward(value): no pass ran
            return failure
        passes = [f.function for f in frames if f.function.rsplit(".", 1)[-1] in ("forward", "backward")]
        if passes and (not passes[-1].endswith(".forward") or any(p.endswith(".backward") for p in passes)):
            return failure
        # no node method entered: the driver's own `n.forward()` call raised (a required parameter)
        if not passes and not (frames and _CALLS_FORWARD.search(frames[-1].source)):
            return failure
        context = self.session.context
        said = failure.message.removeprefix(f"{context}: ") if context else failure.message
        half = _FORWARD_HALF_WORDS.get(self.driver, "the forward pass")
        what = passes[-1] if passes else contexts.FORWARD_CALL
        info = failure.info
        if (
            passes
            and info is not None
            and "NotImplementedError" in info.kinds
            and info.attr_near
            and info.attr_owner
        ):
            # the base class's stub ran for a misspelt forward (`def foward`): the class lacking it is named,
            # not Node.forward, whose code is right (review of s28-realmf)
            what = f"{info.attr_owner}.{passes[-1].rsplit('.', 1)[-1]}"
        where = f"{what}, during {half}, {contexts.BEFORE_ANY_BACKWARD} ran ({context})"
        kept = self._returned_not_stored() if "'NoneType'" in said else None
        if kept is not None:
            said += f"; {contexts.NONE_IN_FORWARD}: {kept}"
        elif "'NoneType'" in said and self.driver is not _node_methods:
            # the sort's order was right (_check_order ran first): the student's pass ran a forward before
            # an inbound node's, or that forward never set its value (forward_and_backward walking
            # graph[::-1] forward blamed MSE.forward, whose own code is right)
            said += (
                f"; {contexts.NONE_IN_FORWARD}: {half} must run each node's forward in the sorted order "
                "(for n in graph: n.forward()), and each forward must set self.value"
            )
        return RemoteFailure(
            StudentFailure(failure.code, f"{where}: {said}", failure.detail), failure.key, failure.info
        )

    def _unset_gradient(self, failure: RemoteFailure) -> StudentFailure:
        """A KeyError on a node means a consumer never set gradients[node]: name that consumer's class."""
        if failure.key is None:
            return failure
        names = list(self.nodes)
        found = self.session.index_of(failure.key, [self.nodes[n] for n in names])
        if found < 0:
            return failure
        name = names[found]
        for out, args in self.args_of.items():
            if name not in args:
                continue
            grads = self.session.getattr(self.nodes[out], *GRADIENT_ATTRS, missing_ok=True)
            if grads.kind == "dict" and not self.session.contains(grads, self.nodes[name]):
                op = self.op_of[out]
                # The student's own driver chose the order: an empty dict is also a consumer whose backward
                # had not run yet (a pass through the sorted nodes in forward order), not only a TODO.
                order = (
                    f", or did the backward pass reach {name} before {op}? It must visit the sorted nodes in "
                    "reverse (for n in graph[::-1])"
                    if grads.length == 0 and self.driver is not _node_methods
                    else ""
                )
                return StudentFailure(
                    "not_implemented",
                    f"{op}.backward left gradients[{name}] unset, so the backward of {name} could not read "
                    f"it: is {op}.backward still a TODO{order}?",
                    failure.detail,
                )
        frames = failure.info.frames if failure.info is not None else ()
        in_backward = bool(frames) and frames[-1].function.rsplit(".", 1)[-1] == "backward"
        if in_backward and name not in self.op_of and any(name in args for args in self.args_of.values()):
            # Every consumer set gradients[X]: the lookup that failed is X's own, `self.gradients[self] +=`
            # with no `self.gradients = {self: 0}` before it (Python's bare "KeyError: <Input object>").
            # Only when raised in a backward: sgd_update's `t.gradients[t]` on a trainable no backward pass
            # reached is no Input.backward of the student's (review of s25-realmf).
            return StudentFailure(
                "exception",
                f"{failure.message}: the key is Input {name} itself, and every consumer set "
                f"gradients[{name}]: Input.backward likely added into its own gradients[self] before "
                "setting it: start it at 0 (self.gradients = {self: 0}), then add each consumer's "
                "n.gradients[self]",
                failure.detail,
            )
        return failure

    def probe(self, probe: str, of: str) -> bool | float:
        """Node's own wiring, read from the node `of` an apply step built (records `{"probe": ...}`)."""
        if probe not in PROBES or of not in self.op_of:
            raise self._unsupported(f"probe {probe} of {of}")
        return PROBES[probe](self, of)

    def backward_local(self, of: str, upstream: Ref | None) -> None:
        later = self.backward_local_later(of, upstream)
        if later is not None:
            later.settle(None)

    def backward_local_later(self, of: str, upstream: Ref | None) -> PassLater | None:
        """A node's own backward queued; for an Input's (input-unit, the case blame sends the student to
        first), what `settle` explains: its KeyError on itself, as in a whole backward pass, with its
        sync left to the next batch like a pass's (`backward_later`). None: an op node's, nothing to
        explain."""
        if not self.forwarded:
            self._forward_all()
        if upstream is not None:
            self._stub(of, upstream)
        self.session.call(self.session.getattr(self.node(of), "backward"))
        if of in self.op_of:
            return None
        marker = self.session.gate_none([])  # no fed value: it only tells that the batch got this far
        before = (self.forwarded, self.passed)
        context = self.session.context
        return PassLater(
            self, self._explain_local, marker, context, self.fed, self.driver, before, whole=False
        )

    def _explain_local(self, failure: RemoteFailure) -> NoReturn:
        kept = self._returned_not_stored() if "'NoneType'" in failure.message else None
        if kept is not None:  # Sigmoid.backward's `1 - self.value` on a forward that returned its value
            failure = RemoteFailure(
                StudentFailure(failure.code, f"{failure.message}; {kept}", failure.detail),
                failure.key,
                failure.info,
            )
        raise self._unset_gradient(failure) from None

    def _returned_not_stored(self) -> str | None:
        """The first node, in the order built, whose value is None after its forward ran, and whose forward,
        called again, returns a value it never stores (`return self._sigmoid(x)` where the lesson sets
        self.value): a None met later (MSE.forward's reshape, Sigmoid.backward's `1 - self.value`) is that
        forward's doing. Diagnosis only, on a case already failing; None when no node is so."""
        s = self.session
        outs = {node.id: out for out, node in self.nodes.items() if out in self.op_of}
        try:
            values = [(n, s.getattr(n, "value", missing_ok=True)) for n in self.op_nodes]
            s.sync()
            unset = next((n for n, v in values if v.answered and (v.is_none or v.missing)), None)
            if unset is None:
                return None
            returned = s.call(s.getattr(unset, "forward"), extras={"value": None})
            after = s.getattr(unset, "value", missing_ok=True)
            s.sync()
        except RemoteFailure:
            return None
        if not returned.answered or returned.is_none or not (after.is_none or after.missing):
            return None
        out = outs[unset.id]
        return (
            f"{self._class_name(self.op_of[out]) or self.op_of[out]}.forward returned its result, of type "
            f"{returned.type_name}, but left self.value unset for {out}: MiniFlow reads a node's value, so "
            f"{_RETURNED} instead of returning it"
        )

    # ---------------------------------------------------------------- reading
    def _gradient(self, holder: str, name: str, method: Callable[[], str]) -> Reading:
        grads = self.session.getattr(self.node(holder), *GRADIENT_ATTRS, missing_ok=True)
        value = self.session.getitem(grads, self.node(name), missing_ok=True)

        def unset() -> StudentFailure:
            skipped = self._backward_skipped(holder) if holder == name else None
            if skipped is not None:
                return skipped
            size = grads.length if grads.kind == "dict" else 0
            shown = "missing" if grads.missing else grads.type_name
            key = self._first_key(grads) if size else None
            if key is not None and key.type_name in _NAME_KEYS:
                article = "an" if key.type_name in _VOWEL_NAME_KEYS else "a"
                return StudentFailure(
                    "exception",
                    f"{method()} keyed gradients by {article} {key.type_name} (a name for the node), so "
                    f"gradients[{name}] is unset: {_KEYED_BY_NAME}",
                )
            return StudentFailure(
                "not_implemented",
                f"{method()} left gradients[{name}] unset (gradients is {shown} with {size} entries): "
                "is it still a TODO?",
            )

        return Reading(value, unset)

    def _backward_skipped(self, name: str) -> StudentFailure | None:
        """An Input whose gradient is unset after the student's own backward pass, but whose backward sets it
        when called: the pass never called it (`if not isinstance(n, Input): n.backward()`). It was told
        "Input.backward ... left gradients[X] unset: is it still a TODO?" while input-unit, which calls that
        backward itself, passed (review of s25-realmf). Diagnosis only, on a case already failing."""
        driver = _BACKWARD_PASS_WORDS.get(self.driver)
        if driver is None or name in self.op_of or not self.forwarded:
            return None
        if driver == "backward_pass" and self.names.get("backward_pass") is None:
            return None  # the grader called each sorted node's backward itself
        position = self._positions(self.passed) if self.passed is not None else None
        if position is not None and position.get(name, -1) < 0:
            # a pass that calls backward on every sorted node never reaches an Input the sort did not list
            # (`return [n for n in L if not isinstance(n, Input)]`): "never called it" blamed the pass
            # (review of s26-realmf)
            return StudentFailure(
                "exception",
                f"{contexts.SORT_LEFT_OUT}the Input node {name}, so {driver} never called its backward: "
                "return every node, the Inputs too (an Input's backward sums its consumers' gradients into "
                f"gradients[{name}], which sgd_update reads)",
            )
        s = self.session
        node = self.node(name)
        try:
            s.call(s.getattr(node, "backward"))
            grads = s.getattr(node, *GRADIENT_ATTRS, missing_ok=True)
            found = s.contains(grads, node) if grads.kind == "dict" else False
        except RemoteFailure:
            return None  # its backward fails when called: the unset message stands
        if not found:
            return None
        cls = s.getattr(node, "__class__").class_name
        return StudentFailure(
            "not_implemented",
            f"{cls}.backward of {name} sets gradients[{name}] when called, but {driver} never called it: "
            f"call backward on every sorted node in reverse, the {cls} nodes too (for n in graph[::-1]: "
            f"n.backward()); an {cls} sums its consumers' gradients, which sgd_update reads",
        )

    def grad_of(self, name: str) -> Reading:
        def method() -> str:
            return f"{self.session.getattr(self.node(name), '__class__').class_name}.backward of {name}"

        return self._gradient(name, name, method)

    def grad_via(self, name: str, via: str) -> Reading:
        return self._gradient(via, name, lambda: f"{self.op_of.get(via, '?')}.backward")

    def value_of(self, name: str) -> Reading:
        if name in self.op_of and not self.forwarded:
            self._forward_all(course=True)
        value = self.session.getattr(self.node(name), "value", missing_ok=True)
        op = self.op_of.get(name)

        def unset() -> StudentFailure:
            if self.cleared:
                # the sort fed it (_check_fed), and after the pass it is unset: its own forward unset it
                input_class = self.names.require("Input").class_name
                cleared = [n for n, v in self.nodes.items() if n in self.inputs and v.id in self.cleared]
                return StudentFailure(
                    "exception",
                    f"topological_sort(feed_dict) set the value of Input {', '.join(cleared)}, but after "
                    f"{self._pass_words()} it is unset, so {op or 'Input'} had nothing to compute "
                    f"{name} from: {input_class}.forward must keep the value fed (the lesson's sets "
                    "self.value only when it is given one)",
                )
            if name in self.unlisted:
                return self._left_out(self.unlisted, "")
            direct = self.direct.get(name)
            if direct is not None and direct.answered and not direct.is_none:
                # its forward works when called; the course's sort and pass never ran it
                return StudentFailure(
                    "exception",
                    f"{op}.forward sets self.value when called, but after topological_sort(feed_dict) and "
                    f"{self._pass_words()} the value of {name} is unset: the sorted list must hold every "
                    "node (Node.__init__ appends each node to its inbound nodes' outbound_nodes, which the "
                    f"sort follows) and {self._pass_must()}",
                )
            returned = self.returned.get(name)
            if returned is not None and returned.answered and not returned.is_none:
                # `return x + y` where the lesson stores it: forward_pass reads output_node.value
                return StudentFailure(
                    "exception",
                    f"{op}.forward returned its result, of type {returned.type_name}, but left self.value "
                    f"unset for {name}: MiniFlow reads a node's value, so store it (self.value = ...) "
                    "instead of returning it",
                )
            return StudentFailure(
                "not_implemented", f"{op or 'Input'}.forward left value unset for {name}: is it still a TODO?"
            )

        return Reading(value, unset, scalar=op in _SCALAR_OPS)

    def _first_key(self, grads: Ref) -> Ref | None:
        """The first key of a gradients dict (in the student's process), None when it cannot be read."""
        try:
            first = self.session.getitem(self.session.listed(grads), 0)
            self.session.sync()
        except RemoteFailure:
            return None
        return first if first.answered else None

    def _pass_words(self) -> str:
        """What ran the sorted nodes, as a message names it."""
        return "forward_pass" if self.names.get("forward_pass") is not None else "each sorted node's forward"

    def _pass_must(self) -> str:
        if self.names.get("forward_pass") is not None:
            return "forward_pass must call forward on each"
        return "with no forward_pass, the grader called forward on each node of that list"

    def sgd(self, params: Sequence[str], lr: float) -> None:
        update = self.names.require("sgd_update")
        trainables = [self.node(p) for p in params]
        if update.kind == "class":
            # a pass queued before goes with whatever syncs next (its __init__'s signature, the case's end):
            # what that sync raises settles the pass first (`program._settled`), as for sgd_update
            self._optimizer_step(update, trainables, lr)
        else:
            signature = self.session.signature(update, ("name", "sgd_update"))
            positional = [p.name.lower() for p in signature or () if p.kind in (0, 1)]
            # sgd_update(trainables, *, learning_rate=1e-2) or (*, trainables, learning_rate=1e-2): each
            # parameter by its role, the keyword-only ones by name (passed positionally, it raised "takes 1
            # positional argument", or "takes 0", and the student was told the function takes no rate)
            by_role = _sgd_by_role(signature, trainables, lr) if signature is not None else None
            if by_role is not None:
                self.session.call(update, *by_role[0], keywords=by_role[1])
            elif signature is not None and len(positional) == 1 and not any(p.kind == 2 for p in signature):
                raise StudentFailure(
                    "exception",
                    f"sgd_update({positional[0]}) takes no learning rate, and this case steps at {lr:g}: "
                    "the course's signature is sgd_update(trainables, learning_rate=1e-2): keep the rate a "
                    "parameter (default 1e-2) instead of fixing it inside",
                )
            elif len(positional) >= 2 and _is_rate(positional[0]) and not _is_rate(positional[1]):
                # sgd_update(learning_rate, trainables): the rate first, where its parameter stands (it
                # raised "'float' object is not iterable": sample submissions/miniflow/sgd_rate_first.py)
                self.session.call(update, lr, trainables)
            else:
                self.session.call(update, trainables, lr)
        self.forwarded = False

    def _optimizer_step(self, cls: Ref, trainables: list[Ref], lr: float) -> None:
        """An optimizer class: SGD(trainables, lr).update() or SGD(lr).update(trainables)
        (`step` for `update` too)."""
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("sgd-init", cls.id))
        # __init__(self, trainables, learning_rate...) takes three positionals; __init__(self, lr) two.
        if accepts_positional(init, 3):
            optimizer = self.construct(cls, trainables, lr, label="SGD(trainables, learning_rate)")
            self.session.call(self.session.getattr(optimizer, "update", "step"))
        else:
            optimizer = self.construct(cls, lr, label="SGD(learning_rate)")
            self.session.call(self.session.getattr(optimizer, "update", "step"), trainables)


class Graph:
    """The sorted nodes: passed on whole as one handle (the list the student's sort returned, copied), and
    walked node by node only by the drivers that need to (one round trip, then)."""

    def __init__(self, session: Session, nodes: Ref | list[Ref], kept: Ref | None = None) -> None:
        self.session = session
        self.arg = nodes
        self.kept = nodes if kept is None else kept  # the list as sorted, whatever a pass did to `arg`
        self._nodes = nodes if isinstance(nodes, list) else None

    def __iter__(self) -> Iterator[Ref]:
        if self._nodes is None:
            assert isinstance(self.arg, Ref)
            self._nodes = self.session.items(self.arg)
        return iter(self._nodes)

    def __reversed__(self) -> Iterator[Ref]:
        return reversed(list(self))


# ------------------------------------------------------------------------ drivers, tried in order
def _forward_and_backward(a: MiniFlowAdapter, graph: Graph, of: str) -> bool:
    fab = a.names.get("forward_and_backward")
    if fab is None:
        return False
    params = a.session.signature(fab, ("name", "forward_and_backward"))
    needed = [p.name.lower() for p in params or () if p.kind in (0, 1) and not p.has_default]
    output = [i for i, n in enumerate(needed) if n.startswith(_OUTPUT_WORDS) and not n.endswith("s")]
    if len(needed) == 2 and len(output) == 1:
        # Written on the lesson's earlier forward_pass(output_node, sorted_nodes): the output node too, where
        # its parameter stands (it raised "missing 1 required positional argument" in every case).
        args = (a.node(of), graph.arg) if output == [0] else (graph.arg, a.node(of))
        a.session.call(fab, *args, extras={"training": True})
        return True
    a.session.call(fab, graph.arg, extras={"training": True})
    return True


# The first words of a parameter that holds the output node (output_node, output, cost, loss_node), not the
# sorted nodes (a plural: sorted_nodes, output_nodes) nor a flag (training).
_OUTPUT_WORDS = ("output", "out", "cost", "loss", "final", "target_node")


def _pass_pair(a: MiniFlowAdapter, graph: Graph, of: str) -> bool:
    forward_pass, backward_pass = a.names.get("forward_pass"), a.names.get("backward_pass")
    if forward_pass is None:
        return False
    _call_forward_pass(a, forward_pass, graph, a.node(of))
    if backward_pass is not None:
        a.session.call(backward_pass, graph.arg)
    else:
        for n in reversed(graph):
            a.session.call(a.session.getattr(n, "backward"))
    return True


def _call_forward_pass(a: MiniFlowAdapter, fp: Ref, graph: Graph, output: Ref) -> None:
    """forward_pass called by the names of all its positional parameters, as _forward_and_backward is: one
    of the first two an output word -> the output node where that parameter stands and the sorted list in
    the other (the quizzes' forward_pass(output_node, sorted_nodes), (sorted_nodes, output_node), and
    (output_node, sorted_nodes=None)); one required parameter or a first non-output one before *args ->
    forward_pass(sorted_nodes) (forward_pass(graph, verbose=False) too); otherwise the quizzes' order.
    Counting only the required parameters called forward_pass(output_node, sorted_nodes=None) with the
    sorted list as its output node: 0 of 4 at stage add for an honest file (review of s24-fixmut,
    fp_outdefault.py). How it was called is kept for a TypeError of the call itself (`_check_fp_call`)."""
    params = a.session.signature(fp, ("name", "forward_pass"))
    if params is not None and any(p.kind == 3 and not p.has_default for p in params):
        _call_by_keyword(a, fp, params, graph, output)
        return
    positional = [p for p in params or () if p.kind in (0, 1)]
    names = [p.name.lower() for p in positional]
    out = [i for i, n in enumerate(names[:2]) if n.startswith(_OUTPUT_WORDS) and not n.endswith("s")]
    needed = [p for p in positional if not p.has_default]
    star = params is not None and any(p.kind == 2 for p in params)
    if params is not None and len(positional) >= 2 and len(out) == 1 and len(needed) <= 2:
        a.fp_call = ("output_node, sorted_nodes", "sorted_nodes, output_node")[out[0]]
        a.session.call(fp, *((output, graph.arg) if out == [0] else (graph.arg, output)))
    elif params is not None and len(needed) <= 1 and (not star or (positional and not out)):
        a.fp_call = "sorted_nodes"
        a.session.call(fp, graph.arg)
    else:
        a.fp_call = "output_node, sorted_nodes"
        a.session.call(fp, output, graph.arg)  # the quizzes' (output_node, sorted_nodes)


def _call_by_keyword(a: MiniFlowAdapter, fp: Ref, params: Sequence[Param], graph: Graph, output: Ref) -> None:
    """forward_pass with a required keyword-only parameter (`def forward_pass(*, output_node, sorted_nodes)`,
    `(sorted_nodes, *, output_node)`): each required parameter gets the output node when its name is an
    output word, the sorted list otherwise; the positional ones in order, the others by name. Called the
    quizzes' way, positionally, it raised "takes 0 positional arguments but 2 were given" and the student
    was told to name the parameters output_node and sorted_nodes, the names they had."""
    args: list[Ref | list[Ref]] = []
    keywords: dict[str, Ref | list[Ref]] = {}
    said = []
    sorted_given, in_order = False, True
    for p in params:
        if p.kind not in (0, 1, 3):
            continue
        is_output = p.name.lower().startswith(_OUTPUT_WORDS) and not p.name.lower().endswith("s")
        role = "output_node" if is_output else "sorted_nodes"
        # A positional parameter with a default is passed only when it is the sorted list no parameter got
        # yet: forward_pass(output_node, sorted_nodes=None, *, verbose) ran on None, "'NoneType' object is
        # not iterable" (review of s25-realmf); one after it skipped could then not be passed in order.
        if p.has_default and (p.kind == 3 or is_output or sorted_given or not in_order):
            in_order = in_order and p.kind == 3
            continue
        sorted_given = sorted_given or not is_output
        if p.kind == 3:
            keywords[p.name] = output if is_output else graph.arg
            said.append(f"{p.name}={role}")
        else:
            args.append(output if is_output else graph.arg)
            said.append(role)
    a.fp_call = ", ".join(said)
    a.session.call(fp, *args, keywords=keywords)


def _node_methods(a: MiniFlowAdapter, graph: Graph, of: str) -> bool:
    s = a.session
    for n in graph:
        s.call(s.getattr(n, "forward"), extras={"value": s.getattr(n, "value", default=None)})
    for n in reversed(graph):
        s.call(s.getattr(n, "backward"))
    return True


# What a message calls the backward pass of each driver (the grader's own calls, _node_methods, skip nothing).
_BACKWARD_PASS_WORDS: dict[Callable[..., bool] | None, str] = {
    _forward_and_backward: "forward_and_backward(graph)",
    _pass_pair: "backward_pass",
}

# The context of listing what topological_sort returned: a None fails there, with no frame of the student's.
_NO_LIST = f"{contexts.SORT_RETURNED}no list of the sorted nodes (a `return L` missing?)"
# The same failure raised in the sort's own code, a generator's body run by the listing.
_LISTED = "topological_sort(feed_dict), a generator, raised while its nodes were listed"
# A line that calls a node's forward (`n.forward()`, `node.forward(value)`), not one that defines it.
_CALLS_FORWARD = re.compile(r"\.forward\(")
# Where each driver runs the nodes' forward methods, as an error raised there is placed (_in_forward_half).
_FORWARD_HALF_WORDS: dict[Callable[..., bool] | None, str] = {
    _forward_and_backward: "the forward half of forward_and_backward(graph)",
    _pass_pair: "forward_pass",
    _node_methods: "the forward pass (each sorted node's forward, in order)",
}

DRIVERS: tuple[Callable[[MiniFlowAdapter, Graph, str], bool], ...] = (
    _forward_and_backward,
    _pass_pair,
    _node_methods,
)


# The first words of a parameter that holds a learning rate (learning_rate, lr, alpha, eta, step_size).
_RATE_WORDS = ("learning_rate", "learningrate", "lr", "alpha", "eta", "rate", "step_size", "stepsize")


def _sgd_by_role(
    signature: Sequence[Param], trainables: list[Ref], lr: float
) -> tuple[list[Any], dict[str, Any]] | None:
    """sgd_update's arguments when it has a keyword-only rate or trainables parameter: a rate word's
    parameter gets the rate, any other required one the trainables, positional ones in order and keyword-only
    ones by name; None for a signature with no keyword-only parameter of either role, or no rate at all (the
    caller says so)."""
    roles = [(p, _is_rate(p.name.lower())) for p in signature if p.kind in (0, 1, 3)]
    if not any(p.kind == 3 and (rate or not p.has_default) for p, rate in roles):
        return None
    if not any(rate for _, rate in roles):
        return None
    args: list[Any] = []
    keywords: dict[str, Any] = {}
    for p, rate in roles:
        if p.has_default and not rate:
            continue
        if p.kind == 3:
            keywords[p.name] = lr if rate else trainables
        else:
            args.append(lr if rate else trainables)
    return args, keywords


def _is_rate(name: str) -> bool:
    return name.startswith(_RATE_WORDS)


# NumPy's words for an in-place operation whose result would not fit the array on its left (`a += b`).
_IN_PLACE_BROADCAST = "non-broadcastable output operand"
# Where the harness says a student's error was raised: "(hw.py line 72, in Sigmoid.backward: `...`)".
_IN_BACKWARD = re.compile(r", in (\w+)\.backward: ")


def _shape(ref: Ref) -> tuple[int, ...] | None:
    """An array's shape; () for a NumPy number (np.mean(x), a float64, is one); else None. A Python int or
    float is a sum's start as often as an answer (`self.gradients = {n: 0 for n in self.inbound_nodes}`,
    then `+=`): read as one number, a backward that raised before adding to it was told its consumer's
    gradient was "one number", burying NumPy's own words (sample linear_zero_no_t.py)."""
    if ref.kind == "scalar" or (ref.kind == "float" and ref.type_name != "float"):
        return ()
    return ref.shape


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


# Keys that are a node's name, not the node (`self.gradients[n.name]`, a dict keyed by "Linear_1" or 3).
_NAME_KEYS = frozenset({"str", "int"})
_VOWEL_NAME_KEYS = frozenset({"int"})  # "an int", "a str"
_KEYED_BY_NAME = contexts.KEYED_BY_NAME
# A backward's KeyError on a str key, on a line reading a gradients dict (the harness's "(f.py line 9, in
# Linear.backward: `grad_cost = n.gradients[self.name]`)").
_NAME_KEYERROR = re.compile(r"KeyError: '[^']*' \([^()]*, in \w+\.backward: `[^`]*gradients\[")


# The key the quoted line reads, `n.gradients[self.name]`: the node's attribute that names it.
_NAMED_KEY = re.compile(r"\b((?:\w+\.)+(?:gradients|dvalues))\[((?:\w+\.)*\w+)\.(\w+)\]")


def _by_name(type_name: str, message: str = "") -> str:
    """What a KeyError on a node's name says, with the quoted line's own key rewritten when it reads one
    (`write n.gradients[self], not n.gradients[self.name]`)."""
    quoted = _NAME_KEYERROR.search(message)
    named = _NAMED_KEY.search(message, quoted.start()) if quoted else None
    fix = f" (write {named.group(1)}[{named.group(2)}], not {named.group(0)})" if named else ""
    return f"the key is a {type_name}, a name for the node{fix}: {_KEYED_BY_NAME}"


# What a note on a forward that returned its value says (once per message).
_RETURNED = "store it (self.value = ...)"


# ------------------------------------------------------------------------------------------ probes
def _inbound(a: MiniFlowAdapter, of: str) -> bool:
    """`node.inbound_nodes` are the very nodes it was built from, in order (Node.__init__).

    The list, a copy of it made in the student's process (`list(...)`), and each wanted node compared with
    the copy's item at its place, in one round trip (two before: the list and its items, then the
    comparisons). An item past the copy's end stops the batch: a list of another length, False as before."""
    s = a.session
    listed = s.getattr(a.nodes[of], *INBOUND_ATTRS, missing_ok=True)
    copied = s.listed(listed)
    wanted = [a.node(name) for name in a.args_of[of]]
    items = [s.getitem(copied, i) for i in range(len(wanted))]
    answers = s.indexes_of([(w, [item]) for w, item in zip(wanted, items, strict=True)])
    stopped: StudentFailure | None = None
    try:
        s.sync()
    except StudentFailure as failure:
        if s.broken:
            raise
        stopped = failure
    if listed.answered and listed.missing:
        raise StudentFailure("missing_name", f"{a.op_of[of]} node {of} has no inbound_nodes (Node.__init__)")
    if not copied.answered:  # the list could not be read: the student's error, as before
        assert stopped is not None
        raise stopped
    if copied.length != len(wanted):
        return False
    if stopped is not None:
        raise stopped
    return all(i == 0 for i in answers)


def _outbound(a: MiniFlowAdapter, of: str) -> bool:
    """Every node `of` was built from lists it among its outbound nodes (Node.__init__ appends it).

    Every argument's list, a copy of it (`list(...)`, in the student's process) and the node's place in
    that copy, asked in one round trip (two per argument before): read in the arguments' order, the first
    that fails decides, as when each was asked in turn. A list that is missing stops the batch at its
    copy; a student's error there is that argument's, raised only if no argument before it failed."""
    node = a.nodes[of]
    asked = []
    for name in a.args_of[of]:
        listed = a.session.getattr(a.node(name), *OUTBOUND_ATTRS, missing_ok=True)
        copied = a.session.listed(listed)
        asked.append((listed, copied, a.session.index_later(node, copied)))
    stopped: StudentFailure | None = None
    try:
        a.session.sync()
    except StudentFailure as failure:
        if a.session.broken:
            raise
        stopped = failure
    for listed, copied, found in asked:
        if not found.done:  # the batch stopped at this argument: missing, or its student's error
            if listed.answered and listed.missing:
                return False
            assert stopped is not None
            raise stopped
        index = found.value
        if type(index) is not int or not -1 <= index < copied.length:
            raise a.session.malformed(a.session.context, "an index out of range")
        if index < 0:
            return False
    return True


def _gradients_dict(a: MiniFlowAdapter, of: str) -> bool:
    """A node built and not yet run holds a gradients dict (Node.__init__: self.gradients = {}). Empty or not:
    one started with a zero per inbound node (`{n: 0 for n in inbound_nodes}`) is as good, every backward
    sets or refills its entries (it lost a third of node-unit with every graph case right: s28-realmf)."""
    return a.session.getattr(a.nodes[of], *GRADIENT_ATTRS, missing_ok=True).kind == "dict"


PROBES: dict[str, Callable[[MiniFlowAdapter, str], bool | float]] = {
    "inbound": _inbound,
    "outbound": _outbound,
    "gradients_dict": _gradients_dict,
}
