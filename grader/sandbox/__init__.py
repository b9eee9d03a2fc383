"""Parent side of the sandbox: start confined fork-server workers, send jobs, turn replies into RunResults."""

from .frames import FrameLimits, ParsedFrames, parse_frames
from .pool import IsolationRefused, SandboxError, SandboxPool
from .probe import ProbeResult, probe_bwrap
from .result import Isolation, Reply, build_run_result

__all__ = [
    "FrameLimits",
    "Isolation",
    "IsolationRefused",
    "ParsedFrames",
    "ProbeResult",
    "Reply",
    "SandboxError",
    "SandboxPool",
    "build_run_result",
    "parse_frames",
    "probe_bwrap",
]
