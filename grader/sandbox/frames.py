"""Strict parse of the frames a child wrote on its result pipe. Nothing here trusts the child.

Each frame is a 4-byte big-endian length and a UTF-8 JSON object. The order is fixed: per phase "loaded" (or
"load_failed") then that phase's "case" frames, phases in the job's order, then "done"; a load failure of
the first phase ends the stream. Case ids come from the job, belong to the phase being run and appear once;
record keys must be record keys of that case's steps; arrays are rebuilt through `grader.arrays.decode` with
an element cap; NaN/Infinity literals, duplicate keys and unknown keys are refused.

The first problem (or a stream cut short: a frame cut off, or the worker's cap on the job's results) refuses
the phase it occurs in and every later one (`spoilt`): nothing of them is kept, only the violation. The
phases before it stand. Only the harness writes frames (a student process has no way to the result channel,
it answers the harness, which checks every answer), and an earlier phase's frames were written before the
process of a later phase ran at all: a later phase's process must not be able to undo them. It could once:
a hidden-phase process that made the harness emit a frame the parent refuses (a record over the element
cap), or that flooded the job's results, spoiled the visible cases too, in a student-facing message that
quoted what it chose from a hidden input.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import struct
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from grader import arrays, untrusted
from grader.fault import GRADER_ERROR, GRADER_FAILED_CASE, disowned
from grader.inside.loader_keys import recorded_keys
from grader.inside.paths import alias
from grader.inside.scale_names import handed_value
from grader.model import FAILURE_CODES, CaseOutput, Failure, LoadInfo

from . import kept_frames
from .caps import FrameLimits
from .raised import JobFiles, shaped

_LENGTH = struct.Struct(">I")


@dataclass
class ParsedFrames:
    load: LoadInfo | None = None
    load_failure: Failure | None = None
    outputs: dict[str, CaseOutput] = field(default_factory=dict)
    phase_load_failures: dict[str, Failure] = field(default_factory=dict)  # of phases after the first
    # The phases whose process answered its load ('loaded'): one that ended before it did was loading
    phases_loaded: set[str] = field(default_factory=set)
    done: bool = False
    violation: str | None = None
    truncated_tail: bool = False
    # The phase from which on the stream is refused (a violation met in it, or the stream cut short while it
    # ran); None when the whole stream stands. The phases before it keep what they reported.
    spoilt: str | None = None


class _Violation(Exception):
    pass


class _Decoding(Exception):
    """A frame that is not UTF-8 JSON (its error's type name)."""


def _refuse_constant(name: str) -> Any:
    raise _Violation(f"the JSON literal {name} is not allowed")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # built in C; a key given twice leaves it shorter than the pairs
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Violation(f"duplicate key {key!r}")
            seen.add(key)
    return out


def _expect(cond: bool, what: str) -> None:
    if not cond:
        raise _Violation(what)


def _keys(frame: Mapping[str, Any], required: set[str], optional: frozenset[str] = frozenset()) -> None:
    missing = required - set(frame)
    unknown = set(frame) - required - optional
    _expect(not missing, f"{frame.get('type')} frame lacks {sorted(missing)}")
    _expect(not unknown, f"{frame.get('type')} frame has unknown keys {sorted(unknown)}")


def _str_map(value: Any, what: str) -> dict[str, str]:
    _expect(
        isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        f"{what} must map to strings",
    )
    return dict(value)


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    _expect(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        f"{what} must be a list of strings",
    )
    return tuple(value)


# The ops an adapter built from one list of their nodes (a case frame's "packed"): class-like names, a few.
_OP_NAME = re.compile(r"[A-Z][A-Za-z0-9_]{0,39}")
MAX_PACKED = 8
# The constructor parameters the grader filled in for a case (a case frame's "handed"): identifiers, a few,
# each one whose name says weight scale or decay, the only kinds the layers adapter fills in (grader/inside/
# scale_names.py): the judge prints them in a note, so no other name a student process sends gets there.
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
MAX_HANDED = 4


def _few_names(value: Any, field: str, what: str, pattern: re.Pattern[str], most: int) -> tuple[str, ...]:
    """A case frame's short list of distinct names, each matching `pattern`."""
    names = _str_list(value, field)
    _expect(len(names) <= most, f"{field} lists {len(names)} {what}s, at most {most}")
    _expect(len(set(names)) == len(names), f"{field} names one {what} twice")
    _expect(all(pattern.fullmatch(n) for n in names), f"{field} must list {what} names")
    return names


def _op_names(value: Any) -> tuple[str, ...]:
    return _few_names(value, "packed", "op", _OP_NAME, MAX_PACKED)


def _param_names(value: Any) -> tuple[str, ...]:
    names = _few_names(value, "handed", "parameter", _PARAM_NAME, MAX_HANDED)
    _expect(all(handed_value(n) is not None for n in names), "handed must list weight-scale or decay names")
    return names


def _module_names(path: str) -> frozenset[str]:
    """Every name the student process's loader gives the module of the file `path` (grader/inside/student.py
    `_spec_for`): its dotted path or a dotted tail of it (`ch05/common/layers.py` is `common.layers`), a
    package's without `__init__`, or the private alias of a path that is no dotted name."""
    dotted = path.removesuffix(".py").replace("/", ".")
    names = {alias(path)}
    for whole in (dotted, dotted.removesuffix(".__init__")):
        parts = whole.split(".")
        names.update(".".join(parts[i:]) for i in range(len(parts)))
    return frozenset(names)


def _standin_name(name: str) -> bool:
    """A name the stand-ins record (grader/inside/standins `Registry.record`): a book module or its flat
    name, the kernel or display, or a dotted name in one of the made packages (`matplotlib.pyplot`,
    `ipynb.fs.full.MiniFlow`). Anything else in a load's `standins` was written by the student's process,
    and report.json quoted it (up to 200 characters of the student's choosing)."""
    from grader.inside import standins

    if name in standins.BOOK_MODULES or name in standins.FLAT_BOOK_HELPERS:
        return True
    if name in (standins.KERNEL, standins.DISPLAY):
        return True
    parts = name.split(".")
    return parts[0] in standins.MADE_PACKAGES and all(p.isidentifier() for p in parts) and len(name) <= 100


def _defined_as(near: str, name: str, defined: Collection[str], methods: Collection[str] = ()) -> bool:
    """Whether a near name the student's process offers for a missing `name` is the submission's own: a name
    its source defines, `Cls.name` for a class it defines (the missing function written as a method,
    Graph.topological_sort), or a method of a nested class the parent read (`Network.Graph.name`, `Graph.name
    inside the function build_graph`: grader/defined.py `nested_methods`), or such a class itself (`name
    inside the function make`): nothing else of the student's process's text is quoted."""
    owner, dot, method = near.partition(".")
    nested = near in methods and (
        near.endswith(f".{name}") or f".{name} inside " in near or near.startswith(f"{name} inside ")
    )
    return near in defined or (dot == "." and method == name and owner in defined) or nested


@dataclass(frozen=True)
class _Known:
    """What the parent itself knows of the submission (the job's load part): the student process's account
    of its load is narrowed to it, so that a report never shows a file, a graded name or a "did you mean"
    that the parent did not see in the submission. None: not given (a job built without it)."""

    sources: frozenset[str] | None
    defined: frozenset[str] | None
    graded: frozenset[str] | None
    # The module a notebook became -> the notebook (`hw/MiniFlow.py` -> `hw/MiniFlow.ipynb`)
    shown: tuple[tuple[str, str], ...] = ()
    # Graded name -> every spelling the harness looks it up by (the family's aliases, the job's ops' own):
    # a `found` "module.attr" names one of them. None: the family not given (a job built without it).
    spellings: Mapping[str, frozenset[str]] | None = None
    methods: frozenset[str] = frozenset()  # methods of nested classes (the job's `methods`)

    @classmethod
    def of(cls, job: Mapping[str, Any]) -> _Known:
        load = job.get("harness", {}).get("load", {})

        def names(*keys: str) -> frozenset[str] | None:
            values = [load[k] for k in keys if isinstance(load.get(k), list)]
            return frozenset(str(v) for value in values for v in value) if values else None

        shown = load.get("shown")
        pairs = tuple((str(k), str(v)) for k, v in shown.items()) if isinstance(shown, dict) else ()
        harness = job.get("harness", {})
        spellings = _spellings(harness["family"], harness.get("ops")) if "family" in harness else None
        methods = names("methods") or frozenset()
        return cls(
            names("sources"), names("defined"), names("required", "optional"), pairs, spellings, methods
        )

    def spelt(self, name: str, attr: str) -> bool:
        """`attr` is a spelling of `name` the harness looks up (never a text of the student process's)."""
        return self.spellings is None or attr == name or attr in self.spellings.get(name, ())

    @functools.cached_property
    def _renames(self) -> re.Pattern[str] | None:
        """One alternation for every name: first each submission path that ends in a module's name without
        being that module (a real `Copy of MiniFlow.py` beside MiniFlow.ipynb), matched to be kept as it is;
        then each module, as a whole name (never `myMiniFlow.py`, `x/MiniFlow.py`, `MiniFlow.pyc`,
        `MiniFlow.py~`). The longest first, so that `MiniFlow.py` is never found inside another name."""
        if not self.shown:
            return None
        modules = {module for module, _ in self.shown}
        tails = {
            path
            for path in self.sources or ()
            if path not in modules and any(path.endswith(m) for m in modules)
        }

        def alternation(names: set[str]) -> str:
            return "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))

        keep = f"(?P<keep>{alternation(tails)})|" if tails else ""
        return re.compile(rf"{keep}(?<![\w./\\-])(?P<module>{alternation(modules)})(?![\w~]|[.\-]\w)")

    def as_handed_in(self, text: str) -> str:
        """`text` with each notebook's module named as the notebook the student handed in: a warning of the
        loader (`Colab Notebooks/Copy of MiniFlow.py also defines ..., graded from Colab
        Notebooks/MiniFlow.py`) named files that are not in the submission. One pass of one compiled
        pattern (`_renames`): one per notebook cost 0.34 s a phase at 200 notebooks."""
        pattern = self._renames
        if pattern is None:
            return text
        notebooks = dict(self.shown)
        return pattern.sub(lambda m: notebooks[m["module"]] if m["module"] else m[0], text)

    def narrow(self, info: LoadInfo) -> LoadInfo:
        # A module's name is its file's (a dotted tail of the path, or the loader's private alias): a name the
        # path does not give was the student process's own text, quoted in report.json beside a real file
        # (`{"The grader itself failed ...": "m.py"}`; tests/sandbox/test_frames.py).
        modules = {
            name: path
            for name, path in info.modules.items()
            if self.sources is None or (path in self.sources and name in _module_names(path))
        }
        graded = self.graded

        def known_name(name: str) -> bool:
            return graded is None or name in graded

        # "module.attr": the module one of the files, the attribute a spelling of the name the harness looks
        # up; any other attribute was the student process's own text ("m.The grader itself failed ...")
        found = {
            name: where
            for name, where in info.found.items()
            if known_name(name)
            and where.rpartition(".")[0] in modules
            and self.spelt(name, where.rpartition(".")[2])
        }
        missing = tuple(name for name in info.missing if known_name(name))
        defined = self.defined
        # A name the submission defines, quoted to the student ("missing: forward_and_backward (you defined
        # forward_and_backward_not_ur_fault)"): disowned as the sandbox's messages are, whose own "did you
        # mean" of the same name was (sample hostile/near_name_grader_wording.py).
        near = {
            name: tuple(
                disowned(n, untrusted.NAME)
                for n in options
                if defined is None or _defined_as(n, name, defined, self.methods)
            )
            for name, options in info.near.items()
            if name in missing
        }
        return LoadInfo(
            modules=modules,
            found=found,
            missing=missing,
            near=near,
            notes=info.notes,
            warnings=tuple(self.as_handed_in(w) for w in info.warnings),
            # a made package's module is named by the student's own import (`import matplotlib.not_ur_fault`)
            standins=tuple(
                disowned(s, untrusted.NAME) for s in info.standins if self.sources is None or _standin_name(s)
            ),
        )


class _Parser:
    def __init__(self, job: Mapping[str, Any], limits: FrameLimits) -> None:
        self.limits = limits
        self.cases: dict[str, tuple[set[str], set[str]]] = {}
        self.phase_of: dict[str, str] = {}
        self.phases: list[str] = []
        for phase in job_phases(job):
            self.phases.append(phase["name"])
            for case in phase.get("cases", []):
                keys = recorded_keys(case.get("steps", []))
                self.cases[case["id"]] = (keys, set(case.get("inputs", {})))
                self.phase_of[case["id"]] = phase["name"]
        self.state = "start"
        self.phase: str | None = None
        self.result = ParsedFrames()
        self.known = _Known.of(job)
        self._contexts: dict[str, kept_frames.Context] = {}
        self.files = JobFiles(job)

    def enter(self, phase: Any) -> None:
        """Phases come in the job's order, each at most once."""
        _expect(isinstance(phase, str) and phase in self.phases, f"unknown phase {phase!r}")
        done = self.phases.index(self.phase) if self.phase is not None else -1
        if self.phases.index(phase) <= done:
            self.phase = phase  # the stream is refused from the earlier of the two (`spoil`)
            raise _Violation(f"phase {phase!r} out of order")
        self.phase = phase

    def failure(self, value: Any) -> Failure:
        _expect(isinstance(value, dict), "failure must be an object")
        _keys(value, {"code", "message"}, frozenset({"detail", "raised"}))
        code, message, detail = value["code"], value["message"], value.get("detail", "")
        _expect(code in FAILURE_CODES, f"unknown failure code {code!r}")
        _expect(
            isinstance(message, str) and isinstance(detail, str), "failure message/detail must be strings"
        )
        try:  # its file and line are checked against this job where the case's output is kept (`placed`)
            raised = shaped(value["raised"]) if "raised" in value else None
        except ValueError as err:
            raise _Violation(str(err)) from None
        cap = self.limits.max_text_chars
        if code == GRADER_ERROR:  # worded here: what the harness wrote of its own bug is for staff
            return Failure(code, GRADER_FAILED_CASE, f"{message[:cap]}\n{detail[:cap]}")
        return Failure(code, disowned(message[:cap]), detail[:cap], raised)  # cut, then disowned

    def placed(self, output: CaseOutput) -> CaseOutput:
        """`output` with its failure's `raised` checked against this job's files (grader/sandbox/raised.py):
        after the kept frames' lookup, which reads no job's files."""
        failure = output.failure
        if failure is None or failure.raised is None:
            return output
        raised = self.files.placed(failure.raised)
        return dataclasses.replace(output, failure=dataclasses.replace(failure, raised=raised))

    def frame(self, frame: Any) -> CaseOutput | None:
        _expect(isinstance(frame, dict), "a frame must be a JSON object")
        kind = frame.get("type")
        handler: dict[str, Callable[[dict[str, Any]], CaseOutput | None]] = {
            "loaded": self.loaded,
            "load_failed": self.load_failed,
            "case": self.case,
            "done": self.done,
        }
        _expect(isinstance(kind, str) and kind in handler, f"unknown frame type {kind!r}")
        return handler[kind](frame)

    def loaded(self, f: dict[str, Any]) -> None:
        _expect(self.state in ("start", "cases"), "'loaded' must start a phase")
        self.enter(f.get("phase"))  # first: what is wrong with the frame is that phase's
        _keys(
            f,
            {"type", "phase", "modules", "found", "missing", "near"},
            frozenset({"notes", "warnings", "standins"}),
        )
        near = f["near"]
        _expect(isinstance(near, dict), "near must be an object")
        info = self.known.narrow(
            LoadInfo(
                modules=_str_map(f["modules"], "modules"),
                found=_str_map(f["found"], "found"),
                missing=_str_list(f["missing"], "missing"),
                near={k: _str_list(v, "near") for k, v in near.items()},
                notes=tuple(n[: self.limits.max_text_chars] for n in _str_list(f.get("notes", []), "notes")),
                warnings=tuple(
                    disowned(w[: self.limits.max_text_chars])
                    for w in _str_list(f.get("warnings", []), "warnings")
                ),
                standins=_str_list(f.get("standins", []), "standins"),
            )
        )
        if self.result.load is None:
            # what the student sees: the first load reported (a later phase's when the first sent none)
            self.result.load = info
        self.result.phases_loaded.add(str(f["phase"]))
        self.state = "cases"

    def load_failed(self, f: dict[str, Any]) -> None:
        _expect(self.state in ("start", "cases"), "'load_failed' must start a phase")
        self.enter(f.get("phase"))
        _keys(f, {"type", "phase", "failure"})
        failure = self.failure(f["failure"])
        if self.result.load is None:
            self.result.load_failure = failure
            self.state = "end"
        else:
            self.result.phase_load_failures[str(f["phase"])] = failure
            self.state = "cases"

    def case(self, f: dict[str, Any]) -> CaseOutput:
        self._in_cases()
        _keys(f, {"type", "id", "status", "records"}, frozenset({"mutated", "failure", "packed", "handed"}))
        case_id, status = f["id"], f["status"]
        _expect(isinstance(case_id, str) and case_id in self.cases, f"unknown case id {case_id!r}")
        self._first_in_phase(case_id)
        _expect(status in ("ok", "error"), f"unknown case status {status!r}")
        _expect((status == "error") == ("failure" in f), "an 'error' case needs a failure, an 'ok' case none")
        keys, inputs = self.cases[case_id]
        records = f["records"]
        _expect(isinstance(records, dict), "records must be an object")
        unknown = set(records) - keys
        _expect(not unknown, f"case {case_id!r} records unknown keys {sorted(unknown)}")
        try:
            decoded = {
                k: arrays.decode_value(v, max_elements=self.limits.max_elements) for k, v in records.items()
            }
        except arrays.ArrayFormatError as err:
            raise _Violation(f"case {case_id!r}: {err}") from None
        mutated = _str_list(f.get("mutated", []), "mutated")
        _expect(set(mutated) <= inputs, f"case {case_id!r} names unknown inputs as mutated")
        _expect(len(set(mutated)) == len(mutated), f"case {case_id!r} names an input twice as mutated")
        failure = self.failure(f["failure"]) if status == "error" else None
        packed = _op_names(f.get("packed", []))
        handed = _param_names(f.get("handed", []))
        output = self.result.outputs[case_id] = CaseOutput(
            case_id, status, decoded, mutated, failure, packed, handed
        )
        return output

    def _in_cases(self) -> None:
        _expect(self.state == "cases", "a 'case' frame must come after 'loaded' and before 'done'")

    def _first_in_phase(self, case_id: str) -> None:
        _expect(case_id not in self.result.outputs, f"case {case_id!r} reported twice")
        _expect(self.phase_of[case_id] == self.phase, f"case {case_id!r} reported outside its phase")

    def context(self, case_id: str) -> kept_frames.Context | None:
        """What decoding a case frame of `case_id` reads besides its bytes (None: not a case of the job)."""
        if case_id not in self.cases:
            return None
        if case_id not in self._contexts:
            keys, inputs = self.cases[case_id]
            self._contexts[case_id] = kept_frames.Context(
                frozenset(keys), frozenset(inputs), self.limits.max_elements, self.limits.max_text_chars
            )
        return self._contexts[case_id]

    def decoded(self, body: bytes, decoder: json.JSONDecoder) -> None:
        """One frame's bytes: a case frame seen before with the same context takes its kept output, and only
        the stream's own checks run for it (the state, the case once and in its phase: the only ones an
        equal frame can fail, and in `case`'s order); any other frame is decoded and checked whole, and a
        case frame that decoded whole is kept."""
        kept = kept_frames.find(body)
        if kept is not None and kept.context == self.context(kept.case_id):
            self._in_cases()
            self._first_in_phase(kept.case_id)
            self.result.outputs[kept.case_id] = self.placed(kept.output)
            return
        try:
            obj = decoder.decode(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            raise _Decoding(type(err).__name__) from None
        output = self.frame(obj)
        if output is not None:
            case_id = obj["id"]  # a case frame that decoded whole: its id is one of the job's cases
            context = self.context(case_id)
            if context is not None:
                kept_frames.keep(body, case_id, context, output)
            self.result.outputs[case_id] = self.placed(output)

    def done(self, f: dict[str, Any]) -> None:
        _expect(self.state in ("start", "cases"), "'done' must be the last frame")
        _keys(f, {"type"})
        self.result.done = True
        self.state = "end"

    def spoil(self, violation: str | None) -> ParsedFrames:
        """What stands of a stream that went wrong in the phase being run (the first phase before any frame):
        the phases before that one, as reported; nothing of it or of any later phase."""
        r = self.result
        phase = self.phase if self.phase is not None else (self.phases[0] if self.phases else None)
        before = set(self.phases[: self.phases.index(phase)]) if phase in self.phases else set()
        if not before:
            return ParsedFrames(violation=violation, truncated_tail=r.truncated_tail, spoilt=phase)
        return ParsedFrames(
            load=r.load,
            outputs={k: v for k, v in r.outputs.items() if self.phase_of[k] in before},
            phase_load_failures={k: v for k, v in r.phase_load_failures.items() if k in before},
            phases_loaded=r.phases_loaded & before,
            violation=violation,
            truncated_tail=r.truncated_tail,
            spoilt=phase,
        )


def job_phases(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The phases of a job as the parent built it (each {"name", "cases"})."""
    return list(job.get("harness", {}).get("phases", []))


def parse_frames(
    raw: bytes, job: Mapping[str, Any], limits: FrameLimits | None = None, *, cut: bool = False
) -> ParsedFrames:
    """The frames of one job; `cut`: the worker stopped keeping them at its cap on a job's results (what it
    kept is whole frames, in order: the phase that was running when it stopped is refused)."""
    limits = limits or FrameLimits()
    parser = _Parser(job, limits)
    # One decoder a job, not one a frame (json.loads builds a decoder and its scanner for each call with
    # hooks: ~30 frames a job); a job's own, so no two threads share a scanner's state.
    decoder = json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    view = memoryview(raw)
    pos, index = 0, 0
    try:
        _expect(
            len(raw) <= limits.max_total_bytes, f"{len(raw)} result bytes exceed {limits.max_total_bytes}"
        )
        while pos < len(view):
            index += 1
            if len(view) - pos < _LENGTH.size:
                parser.result.truncated_tail = True
                break
            (size,) = _LENGTH.unpack(view[pos : pos + _LENGTH.size])
            _expect(
                size <= limits.max_frame_bytes,
                f"frame {index} is {size} bytes (cap {limits.max_frame_bytes})",
            )
            body = view[pos + _LENGTH.size : pos + _LENGTH.size + size]
            if len(body) < size:
                parser.result.truncated_tail = True
                break
            _expect(parser.state != "end", f"frame {index} comes after the last frame")
            try:
                parser.decoded(bytes(body), decoder)
            except _Decoding as err:
                raise _Violation(f"frame {index} is not valid JSON ({err})") from None
            except _Violation as err:
                raise _Violation(f"frame {index}: {err}") from None
            pos += _LENGTH.size + size
    except _Violation as err:
        return parser.spoil(str(err))
    except Exception as err:  # anything the checks above did not foresee is still the sandbox's fault
        return parser.spoil(f"unparseable result ({type(err).__name__}: {str(err)[:200]})")
    if cut or parser.result.truncated_tail:
        return parser.spoil(None)
    return parser.result


def _spellings(family: object, ops: object) -> dict[str, frozenset[str]]:
    """Every spelling the harness looks each graded name up by: the family's aliases (the adapter's ALIASES)
    and the ops' own (adapters/extension.py `with_ops`), as the job gives them."""
    from grader.inside.aliases import BY_FAMILY

    table: dict[str, set[str]] = {n: set(a) for n, a in BY_FAMILY.get(str(family), ({}, {}))[0].items()}
    own = ops.get("aliases") if isinstance(ops, Mapping) else None
    for name, names in own.items() if isinstance(own, Mapping) else ():
        if isinstance(names, list):
            table.setdefault(str(name), set()).update(str(n) for n in names)
    table.setdefault("np", set()).add("numpy")  # extension ops that call numpy look it up as either
    return {name: frozenset(names) for name, names in table.items()}
