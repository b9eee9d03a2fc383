"""Parent side of the sandbox: start confined fork-server workers, send jobs, turn replies into RunResults.

Names are imported on first use (PEP 562): `grader check` starts its worker from `SandboxPool` before the
parent has imported numpy, which frames and results need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.lazy import exports

if TYPE_CHECKING:
    from .caps import FrameLimits
    from .frames import ParsedFrames, parse_frames
    from .pool import IsolationRefused, MachineError, SandboxError, SandboxPool
    from .probe import ProbeResult, probe_bwrap
    from .result import Isolation, Reply, build_run_result

_WHERE = {
    "FrameLimits": "caps",
    "ParsedFrames": "frames",
    "parse_frames": "frames",
    "IsolationRefused": "pool",
    "MachineError": "pool",
    "SandboxError": "pool",
    "SandboxPool": "pool",
    "ProbeResult": "probe",
    "probe_bwrap": "probe",
    "Isolation": "result",
    "Reply": "result",
    "build_run_result": "result",
}
__all__ = [
    "FrameLimits",
    "Isolation",
    "IsolationRefused",
    "MachineError",
    "ParsedFrames",
    "ProbeResult",
    "Reply",
    "SandboxError",
    "SandboxPool",
    "build_run_result",
    "parse_frames",
    "probe_bwrap",
]
__getattr__ = exports(__name__, _WHERE)
