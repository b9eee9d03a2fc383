"""The flag record and the catalogue of flag codes.

A flag is a prompt for a human, never a verdict: it says where a submission does something a grader cannot
judge from values alone (reaching into the runtime, computing gradients numerically), and staff decide what
it means. Flags never reach a student.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

EVIDENCE_CHARS = 160
SUMMARY_CHARS = 300
PATH_CHARS = 200

# code -> what it means, for staff (docs/FLAGS.md says the same at more length).
FLAG_CODES: dict[str, str] = {
    "numerical_gradient": "a backward/gradient method computes gradients numerically (numerical_gradient, "
    "re-running forward, or a perturb-and-difference loop) instead of by backpropagation",
    "runtime_introspection": "reaches into the interpreter: gc object lists, frames, sys.modules, "
    "__subclasses__, __globals__, __builtins__, tracing hooks",
    "dynamic_code": "runs code built at run time: exec, eval, compile, marshal, code objects",
    "native_code": "loads native code or raw memory: ctypes, cffi, mmap",
    "process_control": "starts, stops or signals processes or threads: os.fork/system/kill/_exit, "
    "subprocess, multiprocessing, signal, threading",
    "file_descriptors": "works on raw file descriptors or the raw stdout/stderr buffers: os.open/write/dup2/"
    "close, fcntl",
    "network": "opens network connections: socket, ssl, http, urllib, requests",
    "import_machinery": "imports by computed name or changes the import system: __import__, importlib, "
    "sys.meta_path",
    "computed_attribute": "getattr/setattr/delattr with a computed name on a module",
    "module_patching": "replaces attributes of imported modules (numpy, json, builtins...)",
    "system_paths": "names system paths (/proc, /sys, /dev, /etc, /root, /autograder) or walks from /",
    "value_spoofing": "defines objects that can pose as arrays or equal anything: __eq__, __array__, "
    "__float__, ndarray subclasses",
    "autodiff_library": "imports an automatic-differentiation library (torch, jax, tensorflow...)",
    "opaque_module": "ships a compiled module (.pyc, .so, .pyd) that Python can import but nobody can read, "
    "or a pickle (or a NumPy array of objects) that runs code when it is loaded",
    "not_scanned": "a Python file the scan refused (too large, too deeply nested): read it by hand",
}


def clean(text: str, limit: int) -> str:
    """One line of printable text, at most `limit` characters: control and format characters (escape
    sequences, bidi overrides, zero-width characters) are dropped, whitespace runs become one space."""
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif not unicodedata.category(ch).startswith("C"):
            kept.append(ch)
    line = " ".join("".join(kept).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class Flag:
    """What (code, summary), where (file, line; line 0 means the whole file) and the source line itself."""

    code: str
    file: str
    line: int
    summary: str
    evidence: str

    @classmethod
    def make(cls, code: str, file: str, line: int, summary: str, evidence: str = "") -> Flag:
        if code not in FLAG_CODES:
            raise KeyError(f"unknown flag code {code!r}; known: {', '.join(sorted(FLAG_CODES))}")
        return cls(
            code,
            clean(file, PATH_CHARS),
            max(0, int(line)),
            clean(summary, SUMMARY_CHARS),
            clean(evidence, EVIDENCE_CHARS),
        )

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line, self.code)

    def to_dict(self) -> dict[str, str | int]:
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "summary": self.summary,
            "evidence": self.evidence,
        }


class Hit(NamedTuple):
    """What a rule found in one file: the scan dedupes and caps hits, then dresses the kept ones as flags
    (file, cleaned summary, the source line as evidence), so that a file with 10**5 hits costs no more."""

    code: str
    line: int
    summary: str
