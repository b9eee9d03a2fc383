"""Test support: run `inside.runner.run_job` in a fresh `python -I -S` subprocess, never in pytest.

The subprocess sees only the `inside` package (through a symlink, as in the sandbox where the directory is
mounted alone) and numpy; the working dir holds the student's files. Frames come back as JSON lines on a
file outside the working dir, so the student's prints cannot be confused with them.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import arrays
from grader.served_standins import graded_classes, served_files

INSIDE = Path(__file__).resolve().parents[2] / "grader" / "inside"
NUMPY_PARENT = str(Path(np.__file__).resolve().parents[1])
# The book's buy-apple case (FACTS.md 3): MulLayer(apple 100, count 2), its backward, d apple recorded.
MUL = [
    {"do": "apply", "op": "MulLayer", "args": ["apple", "apple_num"], "out": "p"},
    {"do": "backward", "of": "p"},
    {"do": "record", "key": "dapple", "grad_of": "apple"},
]
APPLE = {"apple": 100.0, "apple_num": 2.0}
MUL_JOB = {"modules": ["layers.py"], "required": ["MulLayer"]}  # a layers.py graded for MulLayer alone


def run_alone(program: str, folder: Any) -> Any:
    """`program`'s last line of output, as JSON, run in a throwaway interpreter with this checkout first on
    its path: for what cannot be undone in pytest's process (`builtins.__build_class__` replaced, an audit
    hook added)."""
    repo = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": repo + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=folder, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def modules_imported_by(imports: str, tmp_path: Path) -> set[str]:
    """The modules a fresh isolated Python has loaded after `import <imports>` of grader/inside (mounted as
    `inside` under tmp_path, with numpy's parent on the path): what a sandbox process pays to start."""
    (tmp_path / "inside").symlink_to(INSIDE)
    script = (
        f"import sys\nsys.path[:0] = sys.argv[1:3]\nimport {imports}\nprint(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(tmp_path), NUMPY_PARENT],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


_DRIVER = """
import json, sys
mount, numpy_parent, job_path, frames_path = sys.argv[1:5]
sys.path[:0] = [mount, numpy_parent]
dumps = json.dumps
out = open(frames_path, "w")
def emit(frame):
    out.write(dumps(frame, allow_nan=False) + "\\n")
    out.flush()
with open(job_path) as f:
    job = json.load(f)
from inside.runner import run_job
run_job(job, emit)
"""

# The default driver, with the batches sent to the student's process counted and the count printed at the end.
COUNTING_ROUND_TRIPS = (
    _DRIVER.replace(
        "from inside.runner import run_job",
        "import inside.wire as W\nsent = []\ndump = W.dump_ops\n"
        "W.dump_ops = lambda ops: (sent.append(ops), dump(ops))[1]\nfrom inside.runner import run_job\n"
        # a case's end and the next case's first batch: two requests in one round trip (remote.Session.hold)
        "import inside.remote as R\npaired = []\npair = getattr(R.Session, '_exchange_pair', None)\n"
        "if pair: R.Session._exchange_pair = lambda self, *a: (paired.append(1), pair(self, *a))[1]",
    )
    + "print('round trips', len(sent) - len(paired))\n"
)


@dataclass(frozen=True)
class Ran:
    frames: list[dict[str, Any]]
    stdout: str
    stderr: str
    returncode: int

    @property
    def loaded(self) -> dict[str, Any]:
        first = self.frames[0]
        assert first["type"] == "loaded", first
        return first

    @property
    def cases(self) -> dict[str, dict[str, Any]]:
        return {f["id"]: f for f in self.frames if f["type"] == "case"}

    def case(self, case_id: str = "c") -> dict[str, Any]:
        return self.cases[case_id]

    def record(self, key: str, case_id: str = "c") -> Any:
        """A record decoded as the parent would (float64 array, bool or None)."""
        case = self.case(case_id)
        assert case["status"] == "ok", case.get("failure")
        return arrays.decode_value(case["records"][key])


def case(case_id: str, inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], **extra: Any) -> dict:
    """A job view: inputs encoded exactly as Case.job_view() does."""
    view = {"id": case_id, "kind": "graph", "target": None, "steps": [dict(s) for s in steps]}
    view["inputs"] = {k: arrays.encode(np.asarray(v, dtype=np.float64)) for k, v in inputs.items()}
    view.update(extra)
    return view


def job(family: str, cases: Sequence[dict], **fields: Any) -> dict[str, Any]:
    base = {
        "job_id": "test",
        "family": family,
        "modules": [],
        "required": [],
        "optional": [],
        "forbidden_imports": [],
        "files": {},
        "support_files": {},
        "cases": list(cases),
        "limits": {},
    }
    base.update(fields)
    # The stand-in files the pipeline would serve a run of these cases (grader/pipeline.py, served_standins)
    graded = graded_classes([c["steps"] for c in base["cases"]], [c.get("target") for c in base["cases"]])
    base.setdefault("standins", served_files(graded))
    return base


def _mount(tmp: Path) -> Path:
    mount = tmp / "mount"
    if not mount.exists():
        mount.mkdir()
        (mount / "inside").symlink_to(INSIDE, target_is_directory=True)
    return mount


def run_inside(
    files: Mapping[str, str | bytes],
    job_fields: Mapping[str, Any],
    *,
    timeout: float = 60.0,
    driver: str = _DRIVER,
) -> Ran:
    """Write `files` into a fresh working dir and run the job there (with `driver`: a script given the mount,
    numpy's parent, the job file and the frames file); return the frames."""
    with tempfile.TemporaryDirectory(prefix="inside-test-") as tmp_name:
        tmp = Path(tmp_name)
        work = tmp / "work"
        work.mkdir()
        for rel, content in files.items():
            path = work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        full_job = dict(job_fields)
        full_job["files"] = {
            rel: base64.b64encode(c.encode() if isinstance(c, str) else c).decode("ascii")
            for rel, c in files.items()
            if rel not in full_job.get("support_files", {})
        }
        job_path, frames_path = tmp / "job.json", tmp / "frames.jsonl"
        job_path.write_text(json.dumps(full_job))
        frames_path.write_text("")
        proc = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                driver,
                str(_mount(tmp)),
                NUMPY_PARENT,
                str(job_path),
                str(frames_path),
            ],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"},
        )
        frames = [json.loads(line) for line in frames_path.read_text().splitlines() if line]
    return Ran(frames, proc.stdout, proc.stderr, proc.returncode)
