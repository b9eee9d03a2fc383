"""Per-job overhead of the sandbox: fork-server workers against a fresh worker per job, bwrap and rlimits.

Run: python -m grader.sandbox.bench [--jobs-count 40] [--workers 1]
Prints seconds per job for each mode and the fresh/fork-server ratio. The job is a tiny DeZero submission
with one case, so the numbers are the sandbox's own cost, not the student's arithmetic.
"""

from __future__ import annotations

import argparse
import base64
import time
from typing import Any

from grader import arrays
from grader.sandbox.pool import SandboxPool
from grader.sandbox.probe import probe_bwrap

SUBMISSION = b"""
import numpy as np
class Variable:
    def __init__(self, data):
        self.data = data; self.grad = None; self.creator = None; self.generation = 0
    def set_creator(self, f): self.creator = f; self.generation = f.generation + 1
    def cleargrad(self): self.grad = None
    def backward(self, retain_grad=False):
        if self.grad is None: self.grad = np.ones_like(self.data)
        fs = [self.creator]
        while fs:
            f = fs.pop(); gys = [o.grad for o in f.outputs]; gxs = f.backward(*gys)
            if not isinstance(gxs, tuple): gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None: fs.append(x.creator)
def as_array(x): return np.array(x) if np.isscalar(x) else x
class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]; ys = self.forward(*xs)
        if not isinstance(ys, tuple): ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        self.generation = max(x.generation for x in inputs)
        for o in outputs: o.set_creator(self)
        self.inputs = inputs; self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]
class Square(Function):
    def forward(self, x): return x ** 2
    def backward(self, gy): return 2 * self.inputs[0].data * gy
def square(x): return Square()(x)
"""


def bench_job(job_id: str) -> dict[str, Any]:
    steps = [
        {"do": "apply", "op": "Square", "args": ["x"], "out": "y"},
        {"do": "backward", "of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]
    case = {"id": "sq", "kind": "graph", "target": None, "inputs": {"x": arrays.encode(3.0)}, "steps": steps}
    return {
        "job_id": job_id,
        "limits": {"wall_seconds": 10, "cpu_seconds": 10, "memory_mib": 512, "output_kib": 64},
        "student": {"files": {"dezero.py": base64.b64encode(SUBMISSION).decode()}, "support_files": {}},
        "harness": {
            "family": "dezero",
            "load": {"modules": ["dezero.py"], "required": ["Variable", "Function", "Square"]},
            "phases": [{"name": "visible", "cases": [case]}],
        },
    }


def seconds_per_job(isolation: str, fresh: bool, count: int, workers: int) -> float:
    with SandboxPool(workers, isolation, fresh=fresh) as pool:  # type: ignore[arg-type]
        pool.run(bench_job("warm-up"))  # fork-server mode: pay the start once, as a batch does
        started = time.perf_counter()
        results = dict(pool.map(bench_job(f"j{i}") for i in range(count)))
        elapsed = time.perf_counter() - started
    failed = [k for k, r in results.items() if r.process_failure is not None]
    if failed:
        raise SystemExit(f"{len(failed)} bench jobs failed: {results[failed[0]].process_failure}")
    return elapsed / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs-count", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    modes = ["bwrap", "rlimits"] if probe_bwrap().usable else ["rlimits"]
    for isolation in modes:
        server = seconds_per_job(isolation, False, args.jobs_count, args.workers)
        fresh = seconds_per_job(isolation, True, max(5, args.jobs_count // 4), args.workers)
        print(
            f"{isolation:8s} fork-server {server * 1000:7.1f} ms/job   "
            f"fresh worker {fresh * 1000:7.1f} ms/job   ratio {fresh / server:5.1f}x"
        )


if __name__ == "__main__":
    main()
