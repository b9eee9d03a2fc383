"""What a failed probe of the shared node machinery means, said plainly (a probe records a bool: "got False,
expected True" named no missing line; session 27's open point 2)."""

from __future__ import annotations

from collections.abc import Mapping

# probe -> (what its False means, the line that makes it True) (MiniFlow's Node.__init__, FACTS.md).
PROBE_FALSE: Mapping[str, tuple[str, str]] = {
    "gradients_dict": (
        "a node just built has no gradients dict (MSE.backward writes its partials into the dict "
        "Node.__init__ made; the other backward methods refill it)",
        "set self.gradients = {} in Node.__init__",
    ),
    "inbound": (
        "the node's inbound_nodes are not the nodes it was built from, in order",
        "keep them in Node.__init__: self.inbound_nodes = inbound_nodes",
    ),
    "outbound": (
        "the node is missing from its inputs' outbound_nodes, so no backward can reach those inputs",
        "append it in Node.__init__: for n in inbound_nodes: n.outbound_nodes.append(self)",
    ),
}


def probe_false(probe: object, method: str) -> tuple[str, str] | None:
    """The plain message and hint for a probe that recorded False, None for a probe without them."""
    words = PROBE_FALSE.get(probe) if isinstance(probe, str) else None
    return (f"{method}: {words[0]}", words[1]) if words is not None else None
