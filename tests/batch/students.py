"""Small MiniFlow submissions for the command-line and batch tests, and helpers to run the real `grader`.

The correct file is written from the course's listing (FACTS.md section 1), not from the grader's reference
engine; each broken one is that file with one known mistake (FACTS.md section 4) or a load failure.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MANIFESTS = REPO / "fixtures"

MINIFLOW_CORRECT = """
import numpy as np


class Node:
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.value = None
        self.outbound_nodes = []
        self.gradients = {}
        for node in inbound_nodes:
            node.outbound_nodes.append(self)


class Input(Node):
    def __init__(self):
        Node.__init__(self)

    def forward(self):
        pass

    def backward(self):
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] += n.gradients[self]


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X, W, b = (n.value for n in self.inbound_nodes)
        self.value = np.dot(X, W) + b

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        X, W, b = self.inbound_nodes
        for n in self.outbound_nodes:
            g = n.gradients[self]
            self.gradients[X] += np.dot(g, W.value.T)
            self.gradients[W] += np.dot(X.value.T, g)
            self.gradients[b] += np.sum(g, axis=0)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def forward(self):
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            g = n.gradients[self]
            self.gradients[self.inbound_nodes[0]] += self.value * (1 - self.value) * g


class MSE(Node):
    def __init__(self, y, a):
        Node.__init__(self, [y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = self.inbound_nodes[0].value.shape[0]
        self.diff = y - a
        self.value = np.mean(self.diff ** 2)

    def backward(self):
        self.gradients[self.inbound_nodes[0]] = (2 / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = (-2 / self.m) * self.diff


def topological_sort(feed_dict):
    input_nodes = list(feed_dict)
    G = {}
    nodes = list(input_nodes)
    while nodes:
        n = nodes.pop(0)
        G.setdefault(n, {"in": set(), "out": set()})
        for m in n.outbound_nodes:
            G.setdefault(m, {"in": set(), "out": set()})
            G[n]["out"].add(m)
            G[m]["in"].add(n)
            nodes.append(m)
    L = []
    S = set(input_nodes)
    while S:
        n = S.pop()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        L.append(n)
        for m in n.outbound_nodes:
            G[n]["out"].remove(m)
            G[m]["in"].remove(n)
            if not G[m]["in"]:
                S.add(m)
    return L


def forward_and_backward(graph):
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]
"""


def _mutate(old: str, new: str) -> str:
    assert old in MINIFLOW_CORRECT, f"mutation anchor {old!r} is not in the correct file"
    return MINIFLOW_CORRECT.replace(old, new)


# One known mistake each (FACTS.md section 4), or a file that cannot load at all.
MINIFLOW_BROKEN: dict[str, str] = {
    "mse_sign_flipped": _mutate(
        "(2 / self.m) * self.diff\n        self.gradients[self.inbound_nodes[1]] = (-2",
        "(-2 / self.m) * self.diff\n        self.gradients[self.inbound_nodes[1]] = (2",
    ),
    "sigmoid_from_input": _mutate(
        "self.value * (1 - self.value) * g",
        "self.inbound_nodes[0].value * (1 - self.inbound_nodes[0].value) * g",
    ),
    "syntax_error": MINIFLOW_CORRECT + "\ndef broken(:\n    pass\n",
    "missing_import": "import mnist_loader_from_my_laptop\n" + MINIFLOW_CORRECT,
}


# Correct, plus a function nobody calls that imports ctypes: the scan flags it (native_code) on that line,
# and grading is unchanged (a flag is a prompt for staff, not a verdict).
MINIFLOW_FLAGGED = MINIFLOW_CORRECT + "\n\ndef _never_called():\n    import ctypes\n"
MINIFLOW_FLAGGED_LINE = MINIFLOW_FLAGGED.splitlines().index("    import ctypes") + 1


def max_points(assignment: str, stage: str | None = None) -> float:
    """The assignment's full marks at `stage` (default: its default stage), summed from its manifest (an
    oracle independent of the grader's code: the stage's patterns and its `extends` chain are followed here
    with fnmatch). Every case counts its points, but one applying a class of the graded stage's
    `optional_feedback` (dlfs-advanced's optimizers at its default: 0 points, feedback): a stage whose
    optional classes all count 0 is refused."""
    manifest = json.loads((MANIFESTS / assignment / "manifest.json").read_text(encoding="utf-8"))
    stages = {s["name"]: s for s in manifest.get("stages", ())}
    patterns, name = [], stage or manifest.get("default_stage")
    own = stages.get(name, {})  # the graded stage's own optional classes apply, not its chain's
    assert own.get("optional_points") or not own.get("optional_classes"), name
    feedback = {c.lower() for c in own.get("optional_feedback", ())}

    def scored(steps: list[dict[str, object]]) -> bool:
        return not any(str(s.get("op", "")).lower() in feedback for s in steps)

    def fixture_steps(case_id: str) -> list[dict[str, object]]:
        path = MANIFESTS / assignment / "cases" / f"{case_id}.json"
        return json.loads(path.read_text(encoding="utf-8"))["steps"] if feedback else []

    while name:
        patterns += stages[name]["cases"]
        name = stages[name].get("extends")
    graded = (lambda i: any(fnmatch.fnmatchcase(i, p) for p in patterns)) if stages else (lambda i: True)
    stored = sum(
        float(c["points"])
        for c in manifest["cases"]
        if graded(c["fixture"]) and scored(fixture_steps(c["fixture"]))
    )
    generated = sum(
        float(g["points"]) * int(g["count"])
        for g in manifest["generated"]
        if graded(g["id"]) and scored(g["template"]["steps"])
    )
    return stored + generated


def write_class(directory: Path, plan: Mapping[str, str]) -> Path:
    """Write one `<student>.py` per entry of `plan` (student -> source) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for student, source in plan.items():
        (directory / f"{student}.py").write_text(source, encoding="utf-8")
    return directory


def mixed_class(size: int) -> dict[str, str]:
    """`size` students cycling through the correct file and the broken ones."""
    kinds = [MINIFLOW_CORRECT, *MINIFLOW_BROKEN.values()]
    return {f"s{i:03d}": kinds[i % len(kinds)] for i in range(size)}


def grader(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run the real command line, `python -m grader ARGS`, in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    for name in [k for k in full_env if k.startswith("GRADER_") and k not in (env or {})]:
        del full_env[name]  # the developer's own settings must not leak into the tests
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
    )


def read_gradebook(out: Path) -> list[dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def journal_lines(out: Path) -> list[dict[str, Any]]:
    """Every complete journal line, in order (a torn last line without its newline is left out)."""
    data = (out / "journal.jsonl").read_text(encoding="utf-8")
    complete = data[: data.rfind("\n") + 1]
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def report(directory: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    return doc
