"""MiniFlow (Udacity): a graph of Node subclasses, topological_sort(feed_dict), forward_and_backward(graph).

Accepts the variants of FACTS.md: base class Node/Layer/Neuron with inbound_*/outbound_* lists, `name=`
keywords, `Input.forward(value)`, forward_and_backward(graph, training=True), forward_pass/backward_pass
pairs or no driver at all (each node's forward/backward called directly), an MSE value of shape (1,).
Unit cases hang a stub consumer node under the node under test, holding `gradients[node] = upstream`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from ..failures import StudentFailure, staff_detail
from ..student import Names
from .base import AdapterBase, accepts_positional, call_adapting, construct

# Ops whose value is a scalar cost: a shape-(1,) array is accepted and read as a scalar.
_SCALAR_OPS = {"MSE"}


def _stub_class(base: type) -> type:
    """A consumer node that does nothing but hand `upstream` to the node it consumes."""

    def forward(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def backward(self: Any, *args: Any, **kwargs: Any) -> None:
        self.gradients = {self._grader_of: self._grader_upstream}

    return type("UpstreamStub", (base,), {"forward": forward, "backward": backward})


def _root_class(node: Any) -> type:
    """The student's base node class: the last class before `object` in the node's MRO."""
    mro = type(node).__mro__
    return mro[-2] if len(mro) >= 2 else type(node)


class MiniFlowAdapter(AdapterBase):
    family = "miniflow"
    ALIASES: ClassVar[dict[str, tuple[str, ...]]] = {
        "Node": ("Node", "Layer", "Neuron"),
        "Input": ("Input",),
        "Linear": ("Linear",),
        "Sigmoid": ("Sigmoid",),
        "MSE": ("MSE", "Mse", "MeanSquaredError"),
        "topological_sort": ("topological_sort", "topologicalSort", "topo_sort"),
        "forward_and_backward": ("forward_and_backward", "forward_backward"),
        "forward_pass": ("forward_pass",),
        "backward_pass": ("backward_pass",),
        "sgd_update": ("sgd_update",),
    }

    def __init__(self, names: Names, inputs: dict[str, np.ndarray]) -> None:
        super().__init__(names, inputs)
        self.nodes: dict[str, Any] = {}
        self.op_of: dict[str, str] = {}  # out name -> op
        self.input_nodes: list[Any] = []
        self.op_nodes: list[Any] = []
        self.stubs: dict[str, Any] = {}  # of -> its upstream stub (one per node, reused)
        self.forwarded = False

    # ---------------------------------------------------------------- building
    def node(self, name: str) -> Any:
        if name not in self.nodes:
            if name not in self.inputs:
                raise self.unknown(name)
            node = construct(self.names.require("Input"), label="Input()", extras={"name": name})
            node.value = self.inputs[name]
            self.nodes[name] = node
            self.input_nodes.append(node)
        return self.nodes[name]

    def apply(self, op: str, args: Sequence[str], out: str, *, no_grad: bool = False) -> None:
        cls = self.names.require(op)
        arg_nodes = [self.node(a) for a in args]
        label = f"{op}({', '.join(args)})"
        self.nodes[out] = construct(cls, *arg_nodes, label=label, extras={"name": out})
        self.op_of[out] = op
        self.op_nodes.append(self.nodes[out])
        self.forwarded = False

    def _stub(self, of: str, upstream: np.ndarray) -> None:
        target = self.node(of)
        if of not in self.stubs:
            base = self.names.get("Node") or _root_class(target)
            label = "a consumer node"
            self.stubs[of] = construct(_stub_class(base), [target], label=label, extras={"name": "upstream"})
        stub = self.stubs[of]
        stub._grader_of, stub._grader_upstream = target, upstream
        stub.gradients = {target: upstream}

    # ---------------------------------------------------------------- running
    def _sorted(self) -> list[Any]:
        sort = self.names.get("topological_sort")
        if sort is None:
            return [*self.input_nodes, *self.op_nodes, *self.stubs.values()]
        feed = {n: n.value for n in self.input_nodes}
        graph = sort(feed)
        return list(graph)

    def _forward_all(self) -> None:
        for n in self.op_nodes:
            call_adapting(n.forward, extras={"value": None})
        self.forwarded = True

    def backward(self, of: str, upstream: np.ndarray | None, *, retain_grad: bool = False) -> None:
        if upstream is not None:
            self._stub(of, upstream)
        graph = self._sorted()
        try:
            for driver in DRIVERS:
                if driver(self, graph, of):
                    break
        except KeyError as exc:
            raise self._unset_gradient(exc) from exc
        self.forwarded = True

    def _unset_gradient(self, exc: KeyError) -> BaseException:
        """A KeyError on a node means a consumer never set gradients[node]: name that consumer's class."""
        key = exc.args[0] if exc.args else None
        name = next((n for n, node in self.nodes.items() if node is key), None)
        if name is None:
            return exc
        for out, node in self.nodes.items():
            grads = getattr(node, "gradients", None)
            inbound = [a for a in vars(node).values() if isinstance(a, list) and any(x is key for x in a)]
            if out in self.op_of and inbound and isinstance(grads, dict) and key not in grads:
                return StudentFailure(
                    "not_implemented",
                    f"{self.op_of[out]}.backward left gradients[{name}] unset, so the backward of {name} "
                    f"could not read it: is {self.op_of[out]}.backward still a TODO?",
                    staff_detail(exc, self.root),
                )
        return exc

    def backward_local(self, of: str, upstream: np.ndarray | None) -> None:
        if not self.forwarded:
            self._forward_all()
        if upstream is not None:
            self._stub(of, upstream)
        self.node(of).backward()

    # ---------------------------------------------------------------- reading
    def _gradient(self, holder: str, name: str, method: str) -> Any:
        grads = getattr(self.node(holder), "gradients", None)
        key = self.node(name)
        value = grads.get(key) if isinstance(grads, dict) else None
        if value is None:
            raise StudentFailure(
                "not_implemented",
                f"{method} left gradients[{name}] unset (gradients is {type(grads).__name__} "
                f"with {len(grads) if isinstance(grads, dict) else 0} entries): is it still a TODO?",
            )
        return value

    def grad_of(self, name: str) -> Any:
        return self._gradient(name, name, f"{type(self.node(name)).__name__}.backward of {name}")

    def grad_via(self, name: str, via: str) -> Any:
        return self._gradient(via, name, f"{self.op_of.get(via, '?')}.backward")

    def value_of(self, name: str) -> Any:
        if name in self.op_of and not self.forwarded:
            self._forward_all()
        value = getattr(self.node(name), "value", None)
        op = self.op_of.get(name)
        if value is None:
            raise StudentFailure(
                "not_implemented", f"{op or 'Input'}.forward left value unset for {name}: is it still a TODO?"
            )
        if op in _SCALAR_OPS and isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(())
        return value

    def sgd(self, params: Sequence[str], lr: float) -> None:
        update = self.names.require("sgd_update")
        call_adapting(update, [self.node(p) for p in params], lr)
        self.forwarded = False


# ------------------------------------------------------------------------ drivers, tried in order
def _forward_and_backward(a: MiniFlowAdapter, graph: list[Any], of: str) -> bool:
    fab = a.names.get("forward_and_backward")
    if fab is None:
        return False
    call_adapting(fab, graph, extras={"training": True})
    return True


def _pass_pair(a: MiniFlowAdapter, graph: list[Any], of: str) -> bool:
    forward_pass, backward_pass = a.names.get("forward_pass"), a.names.get("backward_pass")
    if forward_pass is None:
        return False
    if accepts_positional(forward_pass, 2):
        forward_pass(a.node(of), graph)  # the early lesson stage: forward_pass(output_node, sorted_nodes)
    else:
        forward_pass(graph)
    if backward_pass is not None:
        backward_pass(graph)
    else:
        for n in reversed(graph):
            n.backward()
    return True


def _node_methods(a: MiniFlowAdapter, graph: list[Any], of: str) -> bool:
    for n in graph:
        call_adapting(n.forward, extras={"value": getattr(n, "value", None)})
    for n in reversed(graph):
        n.backward()
    return True


DRIVERS: tuple[Callable[[MiniFlowAdapter, list[Any], str], bool], ...] = (
    _forward_and_backward,
    _pass_pair,
    _node_methods,
)
