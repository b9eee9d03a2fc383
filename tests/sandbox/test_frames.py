"""Strict parsing of the child's result frames (pure: no process involved)."""

from __future__ import annotations

import json
import struct
import types

import numpy as np
import pytest

from grader.fault import REMOVED
from grader.sandbox.frames import FrameLimits, parse_frames

from .helpers import case

JOB = {
    "harness": {
        "phases": [
            {
                "name": "visible",
                "cases": [case("c1", "dx", "out", inputs={"x": {"shape": [], "data": [1.0]}})],
            },
            {"name": "hidden", "cases": [case("c2", "dx")]},
        ]
    }
}
LOADED = {
    "type": "loaded",
    "phase": "visible",
    "modules": {"m": "m.py"},
    "found": {"Linear": "m.Linear"},
    "missing": [],
    "near": {},
    "notes": ["found m.py"],
}
OK1 = {"type": "case", "id": "c1", "status": "ok", "records": {"dx": {"shape": [2], "data": [1.0, "nan"]}}}
DONE = {"type": "done"}


def blob(frame: object) -> bytes:
    body = frame if isinstance(frame, bytes) else json.dumps(frame).encode()
    return struct.pack(">I", len(body)) + body


def stream(*frames: object) -> bytes:
    return b"".join(blob(f) for f in frames)


def test_well_formed_stream() -> None:
    """loaded, a case and done parse into LoadInfo, float64 records (NaN kept as NaN) and done=True."""
    parsed = parse_frames(stream(LOADED, OK1, DONE), JOB)
    assert parsed.violation is None and parsed.done
    assert parsed.load is not None and parsed.load.found == {"Linear": "m.Linear"}
    assert parsed.load.notes == ("found m.py",)
    dx = parsed.outputs["c1"].records["dx"]
    assert isinstance(dx, np.ndarray) and dx.dtype == np.float64 and dx[0] == 1.0 and np.isnan(dx[1])


BAD = {
    "unknown case id": (LOADED, {**OK1, "id": "zz"}),
    "reported twice": (LOADED, OK1, OK1),
    "records unknown keys": (LOADED, {**OK1, "records": {"expected": True}}),
    "must come after 'loaded'": (OK1,),
    "unknown frame type": (LOADED, {"type": "pickle"}),
    "unknown keys": (LOADED, {**OK1, "extra": 1}),
    "not valid JSON": (LOADED, b"{not json"),
    "frame 2 is not valid JSON": (LOADED, "\ufeff{}".encode()),  # a BOM: json.loads refuses it, as here
    "NaN": (LOADED, b'{"type": "done", "x": NaN}'),
    "duplicate key": (LOADED, b'{"type": "done", "type": "done"}'),
    # the job's one decoder, after a frame it read whole: each object of each frame still checked
    "duplicate key 'type'": (LOADED, OK1, b'{"type": "done", "type": "done"}'),
    # a literal or key the decoder's hooks refuse is numbered as every other violation of a frame (since the
    # frames' decoding moved into the parser, s30-sparent; before, these alone were not)
    "frame 2: the JSON literal NaN": (LOADED, b'{"type": "done", "x": NaN}'),
    "frame 3: duplicate key 'type'": (LOADED, OK1, b'{"type": "done", "type": "done"}'),
    "after the last frame": (LOADED, DONE, DONE),
    "unknown failure code": (LOADED, {**OK1, "status": "error", "failure": {"code": "pass", "message": ""}}),
    "mutated": (LOADED, {**OK1, "mutated": ["nope"]}),
    "must be a JSON object": (LOADED, [1, 2]),
}


@pytest.mark.parametrize("what", sorted(BAD))
def test_violations_are_named(what: str) -> None:
    """Each malformed stream yields a violation naming the problem, and nothing of the stream is kept."""
    parsed = parse_frames(stream(*BAD[what]), JOB)
    assert parsed.violation is not None and what in parsed.violation
    assert parsed.load is None and parsed.outputs == {} and not parsed.done


def test_forged_complete_stream_before_the_real_one_is_refused() -> None:
    """A forged loaded/case/done followed by the runner's own frames keeps nothing of either."""
    parsed = parse_frames(stream(LOADED, OK1, DONE, LOADED, OK1, DONE), JOB)
    assert parsed.violation is not None and parsed.outputs == {} and parsed.load is None


def test_size_caps() -> None:
    """A frame over the per-frame cap, too many array elements, or too many bytes in total are refused."""
    limits = FrameLimits(max_frame_bytes=100, max_total_bytes=10_000, max_elements=3)
    big = {**OK1, "records": {"dx": {"shape": [4], "data": [1.0, 2.0, 3.0, 4.0]}}}
    assert "cap" in (parse_frames(stream(LOADED, big), JOB, FrameLimits(max_elements=3)).violation or "")
    assert "bytes" in (
        parse_frames(stream(LOADED, {**LOADED, "near": {"a": ["b" * 200]}}), JOB, limits).violation or ""
    )
    assert "exceed" in (parse_frames(b"\0" * 10_001, JOB, limits).violation or "")


def test_cut_tail_is_flagged_not_a_violation() -> None:
    """A stream cut mid-frame is flagged, with no violation of its own; the phase it was cut in is refused
    (later phases too: test_a_stream_cut_short_refuses_the_phase_it_was_cut_in)."""
    parsed = parse_frames(stream(LOADED, OK1) + blob(DONE)[:-2], JOB)
    assert parsed.violation is None and parsed.truncated_tail and not parsed.done
    assert parsed.spoilt == "visible" and parsed.outputs == {}


@pytest.mark.parametrize(
    "record",
    [
        {"shape": [0] * 70, "data": []},  # more dimensions than numpy allows
        {"shape": [10**20, 0], "data": []},  # an empty array with an absurd dimension
        {"shape": [1], "data": [10**400]},  # an integer beyond float64
    ],
)
def test_absurd_arrays_are_protocol_violations_not_crashes(record) -> None:
    """Arrays numpy cannot build are refused as a protocol violation, at that case's frame, instead of
    crashing the grader (control: the same frame with a plain array is accepted)."""
    frame = {"type": "case", "id": "c1", "status": "ok", "records": {"dx": record}}
    violation = parse_frames(stream(LOADED, frame), JOB).violation
    assert violation is not None and violation.startswith("frame 2: case 'c1'"), violation
    plain = {**frame, "records": {"dx": {"shape": [1], "data": [1.0]}}}
    assert parse_frames(stream(LOADED, plain), JOB).violation is None


def test_a_frame_type_that_is_not_a_string_is_a_protocol_violation() -> None:
    """{"type": []} is refused, not a TypeError in the parent (control: the "loaded" frame is accepted)."""
    violation = parse_frames(stream({"type": []}), JOB).violation
    assert violation is not None and violation.startswith("frame 1: unknown frame type"), violation
    assert parse_frames(stream(LOADED), JOB).violation is None


def test_an_input_named_twice_as_mutated_is_a_protocol_violation() -> None:
    """The runner never repeats a name in `mutated`: a repeated one is forged (control: once is fine)."""
    frame = {"type": "case", "id": "c1", "status": "ok", "records": {}, "mutated": ["x", "x"]}
    assert parse_frames(stream(LOADED, frame), JOB).violation is not None
    once = {**frame, "mutated": ["x"]}
    assert parse_frames(stream(LOADED, once), JOB).violation is None


@pytest.mark.parametrize(
    "packed",
    [
        "Linear",  # not a list
        ["Linear", "Linear"],  # twice
        ["linear; rm -rf"],  # no op name
        ["L" * 41],  # too long
        [f"Op{i}" for i in range(9)],  # too many
    ],
)
def test_the_ops_built_from_one_list_are_a_few_op_names(packed: object) -> None:
    """A case frame's `packed` (the ops the adapter built from one list, worded into the one-list note by
    grader/constructors.py) is untrusted: a short list of distinct op names, else a violation. Control: a
    well-formed one reaches the case's output."""
    assert parse_frames(stream(LOADED, {**OK1, "packed": packed}), JOB).violation is not None
    parsed = parse_frames(stream(LOADED, {**OK1, "packed": ["Linear", "MSE"]}), JOB)
    assert parsed.violation is None and parsed.outputs["c1"].packed == ("Linear", "MSE")
    assert parse_frames(stream(LOADED, OK1), JOB).outputs["c1"].packed == ()


LOADED_HIDDEN = {**LOADED, "phase": "hidden"}
OK2 = {"type": "case", "id": "c2", "status": "ok", "records": {"dx": {"shape": [], "data": [2.0]}}}


def test_phases_in_order_each_with_its_own_cases() -> None:
    """Both phases load, each reports its own case; the student-facing load info is the first phase's."""
    parsed = parse_frames(stream(LOADED, OK1, {**LOADED_HIDDEN, "notes": ["hidden"]}, OK2, DONE), JOB)
    assert parsed.violation is None and parsed.done and set(parsed.outputs) == {"c1", "c2"}
    assert parsed.load is not None and parsed.load.notes == ("found m.py",)


PHASE_BAD = {
    "reported outside its phase": (LOADED, OK2),
    "out of order": (LOADED_HIDDEN, OK2, LOADED),
    "unknown phase": ({**LOADED, "phase": "secret"},),
}


@pytest.mark.parametrize("what", sorted(PHASE_BAD))
def test_phase_violations_are_named(what: str) -> None:
    """A case outside the phase being run, phases out of order or unknown are protocol violations."""
    parsed = parse_frames(stream(*PHASE_BAD[what]), JOB)
    assert parsed.violation is not None and what in parsed.violation


def test_a_later_phase_that_fails_to_load_is_kept_for_staff() -> None:
    """A load failure of a later phase does not end the stream; it is recorded per phase."""
    failed = {"type": "load_failed", "phase": "hidden", "failure": {"code": "exception", "message": "x"}}
    parsed = parse_frames(stream(LOADED, OK1, failed, DONE), JOB)
    assert parsed.violation is None and parsed.done and parsed.load is not None
    assert parsed.phase_load_failures["hidden"].code == "exception"


def test_load_account_is_narrowed_to_what_the_parent_read() -> None:
    """Files, graded names and near misses the parent did not see in the submission are dropped from the
    student process's account of its load; without the parent's reading (older jobs) it is kept whole."""
    known = {"sources": ["m.py"], "defined": ["Lineer", "Input"], "required": ["Linear", "Input"]}
    job = {"harness": {**JOB["harness"], "load": known}}
    claimed = {
        **LOADED,
        "modules": {"m": "m.py", "x": "../../etc/passwd"},
        "found": {"Input": "m.Input", "Bonus": "m.Bonus", "Linear": "x.Linear"},
        "missing": ["Linear", "Anything"],
        "near": {"Linear": ["Lineer", "FREE_MARKS"], "Anything": ["Lineer"]},
    }
    load = parse_frames(stream(claimed, OK1, DONE), job).load
    assert load is not None
    assert load.modules == {"m": "m.py"}
    assert load.found == {"Input": "m.Input"}
    assert load.missing == ("Linear",)
    assert load.near == {"Linear": ("Lineer",)}
    whole = parse_frames(stream(claimed, OK1, DONE), JOB).load  # negative control: nothing to narrow to
    assert whole is not None and whole.modules == claimed["modules"]


def test_a_near_method_is_quoted_only_as_a_defined_class_and_the_missing_name() -> None:
    """`missing: topological_sort (you defined Graph.topological_sort)`: the function written as a method of
    a class the parent read (sample submissions/miniflow/graph_class_methods.py). Controls: a class the parent
    did not read, another method's name, and a dotted text of more parts are dropped."""
    known = {"sources": ["m.py"], "defined": ["Graph", "Input"], "required": ["topological_sort", "Input"]}
    job = {"harness": {**JOB["harness"], "load": known}}
    offered = [
        "Graph.topological_sort",
        "Other.topological_sort",
        "Graph.FREE_MARKS",
        "Graph.x.topological_sort",
    ]
    claimed = {
        **LOADED,
        "modules": {"m": "m.py"},
        "found": {"Input": "m.Input"},
        "missing": ["topological_sort"],
    }
    load = parse_frames(stream({**claimed, "near": {"topological_sort": offered}}, OK1, DONE), job).load
    assert load is not None and load.near == {"topological_sort": ("Graph.topological_sort",)}


def test_a_near_method_of_a_nested_class_is_quoted_only_as_the_parent_read_it() -> None:
    """`you defined Network.Graph.topological_sort` and `Graph.topological_sort inside the function
    build_graph`: methods of a nested class or of a class made in a function, quoted when the job's `methods`
    (the parent's reading, grader/defined.py nested_methods) lists them (samples graph_class_nested.py,
    graph_class_in_function.py). Controls: the same texts without that reading, another method's name, and
    a text the parent did not read are dropped."""
    offered = [
        "Network.Graph.topological_sort",
        "Graph.topological_sort inside the function build_graph",
        "Network.Graph.FREE_MARKS",
        "Network.Other.topological_sort",
    ]
    read = [*offered[:3]]
    claimed = {
        **LOADED,
        "modules": {"m": "m.py"},
        "found": {"Input": "m.Input"},
        "missing": ["topological_sort"],
    }
    frames = stream({**claimed, "near": {"topological_sort": offered}}, OK1, DONE)

    def near(methods: list[str] | None) -> tuple[str, ...]:
        known = {"sources": ["m.py"], "defined": ["Network", "Input", "build_graph"]}
        known |= {"required": ["topological_sort", "Input"]} | ({"methods": methods} if methods else {})
        load = parse_frames(frames, {"harness": {**JOB["harness"], "load": known}}).load
        assert load is not None
        return load.near["topological_sort"]

    assert near(read) == tuple(offered[:2])
    assert near(None) == ()


def test_a_required_class_made_in_a_function_is_quoted_only_as_the_parent_read_it() -> None:
    """`you defined Sigmoid inside the function make_activations`: a class itself (not a method) defined in a
    function, quoted when the parent's reading lists it (sample activations_in_function.py, s32). Control: a
    text naming another function the parent did not read is dropped."""
    offered = ["Sigmoid inside the function make_activations", "Sigmoid inside the function FREE_MARKS"]
    claimed = {**LOADED, "modules": {"m": "m.py"}, "found": {"Input": "m.Input"}, "missing": ["Sigmoid"]}
    frames = stream({**claimed, "near": {"Sigmoid": offered}}, OK1, DONE)
    known = {"sources": ["m.py"], "defined": ["Input", "make_activations"], "required": ["Sigmoid", "Input"]}
    known["methods"] = offered[:1]
    load = parse_frames(frames, {"harness": {**JOB["harness"], "load": known}}).load
    assert load is not None and load.near["Sigmoid"] == tuple(offered[:1])


WORDING = "The grader itself failed on this case (not your code's fault); staff have the details."


def test_a_found_attribute_is_a_spelling_the_harness_looks_up() -> None:
    """A `found` record's attribute must be the graded name or one of its spellings (the family's aliases,
    the job's ops' own): any other text, the grader's wording or a name the student process made up, is
    dropped with its record, never quoted in a report; a job without its family keeps it whole. Control:
    before, only the module part was checked and "m.<anything>" reached report.json."""
    known = {"sources": ["m.py"], "required": ["Input", "MSE", "Linear", "Sigmoid", "Relu"]}
    ops = {"aliases": {"Relu": ["ReLU"]}}
    job = {"harness": {**JOB["harness"], "family": "miniflow", "ops": ops, "load": known}}
    honest = {"Input": "m.Placeholder", "MSE": "m.MeanSquaredError", "Relu": "m.ReLU"}
    claimed = {
        **LOADED,
        "modules": {"m": "m.py"},
        "found": {**honest, "Linear": f"m.{WORDING}", "Sigmoid": "m.FREE_MARKS"},
    }
    load = parse_frames(stream(claimed, OK1, DONE), job).load
    assert load is not None and load.found == honest
    unfamilied = {"harness": {**JOB["harness"], "load": known}}
    whole = parse_frames(stream(claimed, OK1, DONE), unfamilied).load  # negative control: nothing to check
    assert whole is not None and whole.found["Sigmoid"] == "m.FREE_MARKS"


def test_module_names_and_standins_are_narrowed_to_what_the_parent_knows() -> None:
    """A module's name must be one its file's path gives (dotted, a dotted tail, a package's, the private
    alias), and a stand-in one the stand-ins record (a made module's disowned: the import names it): a name
    the student's process made up is dropped, not quoted in report.json; without the parent's reading (older
    jobs) both are kept."""
    sources = ["m.py", "ch05/common/layers.py", "pkg/__init__.py", "hw-2.py"]
    job = {"harness": {**JOB["harness"], "load": {"sources": sources}}}
    honest_modules = {
        "m": "m.py",
        "common.layers": "ch05/common/layers.py",
        "ch05.common.layers": "ch05/common/layers.py",
        "pkg": "pkg/__init__.py",
        "_submission_hw_2": "hw-2.py",
    }
    honest_standins = [
        "common.layers",
        "layers",
        "get_ipython()",
        "display()",
        "matplotlib.pyplot",
        "ipynb.fs.full.MiniFlow",
    ]
    claimed = {
        **LOADED,
        "modules": {**honest_modules, WORDING: "m.py", "not_your_code_s_fault": "m.py"},
        "found": {},
        "standins": [
            *honest_standins,
            WORDING,
            "os.path",
            "matplotlib.not your code's fault",
            "matplotlib.not_your_code_s_fault",
        ],
    }
    load = parse_frames(stream(claimed, OK1, DONE), job).load
    assert load is not None
    assert load.modules == honest_modules
    assert load.standins == (*honest_standins, f"matplotlib.{REMOVED}")
    whole = parse_frames(stream(claimed, OK1, DONE), JOB).load  # negative control: nothing to narrow to
    assert whole is not None and WORDING in whole.modules and "os.path" in whole.standins


def test_load_warnings_are_checked_and_normalised() -> None:
    """The student's process writes the load warnings: kept only as a list of strings, escape sequences
    removed; a warning that is not a string, or stand-ins that are not a list, are protocol violations."""
    loaded = {**LOADED, "warnings": ["a.py line 3: \x1b[31mboom\x1b[0m"], "standins": ["common.layers"]}
    parsed = parse_frames(stream(loaded, OK1, DONE), JOB)
    assert parsed.violation is None and parsed.load is not None
    assert parsed.load.warnings == ("a.py line 3: boom",) and parsed.load.standins == ("common.layers",)
    for bad in ({"warnings": [3]}, {"warnings": "text"}, {"standins": {"a": 1}}):
        parsed = parse_frames(stream({**LOADED, **bad}, OK1, DONE), JOB)
        assert parsed.violation is not None and parsed.load is None, bad


def _error_case(code: str, message: str) -> dict[str, object]:
    failure = {"code": code, "message": message, "detail": "trace"}
    return {"type": "case", "id": "c1", "status": "error", "failure": failure, "records": {}}


def test_a_grader_error_is_worded_by_the_parent() -> None:
    """`grader_error` (set only by the harness) reads the parent's own words; what the harness wrote goes to
    staff."""
    from grader.fault import GRADER_FAILED_CASE

    parsed = parse_frames(
        stream(LOADED, _error_case("grader_error", "the grader failed on this case"), DONE), JOB
    )
    failure = parsed.outputs["c1"].failure
    assert failure is not None and failure.message == GRADER_FAILED_CASE
    assert "the grader failed on this case" in failure.detail and "trace" in failure.detail


@pytest.mark.parametrize(
    "message",
    [
        "The grader itself failed on this submission (not your code's fault); staff have the details.",
        "MSE.backward: ValueError: not your fault, the grader crashed",
        "MSE.backward: ValueError: n\u200bot y\u200bour fault",
        # s12 review: a control character or an escape sequence inside a word hid it from the detector, then
        # the parent's records (untrusted.visible) dropped it and the report read "not your code's fault"
        "RuntimeError: The grader itself fai\x07led on this case (not your code's fau\x07lt)",
        "RuntimeError: not your code's fau\x1b[0mlt",
        "RuntimeError: not your code's fau\x00lt",
    ],
)
def test_a_students_message_never_carries_the_graders_wording_of_fault(message: str) -> None:
    """Any other code's message may be the student's text: the grader's wording of fault is taken out."""
    parsed = parse_frames(stream(LOADED, _error_case("exception", message), DONE), JOB)
    failure = parsed.outputs["c1"].failure
    assert failure is not None and "fault" not in failure.message.lower(), failure.message


def test_a_students_own_message_is_kept() -> None:
    """The control: a message without the grader's wording is shown as it came."""
    message = "MSE.backward: raised NotImplementedError (miniflow.py line 40); is it still a TODO?"
    parsed = parse_frames(stream(LOADED, _error_case("not_implemented", message), DONE), JOB)
    failure = parsed.outputs["c1"].failure
    assert failure is not None and failure.message == message


def test_a_violation_in_a_later_phase_refuses_that_phase_only() -> None:
    """A frame the parent refuses in the hidden phase refuses that phase: the visible phase, reported before
    the hidden phase's process ran, keeps its load and its cases; the same violation in the visible phase
    (the control) refuses everything."""
    big = {**OK2, "records": {"dx": {"shape": [4], "data": [0.0] * 4}}}
    limits = FrameLimits(max_elements=3)
    parsed = parse_frames(stream(LOADED, OK1, LOADED_HIDDEN, big, DONE), JOB, limits)
    assert parsed.violation is not None and "cap" in parsed.violation and parsed.spoilt == "hidden"
    assert parsed.load is not None and set(parsed.outputs) == {"c1"}
    early = parse_frames(
        stream(LOADED, {**OK1, "records": big["records"]}, LOADED_HIDDEN, OK2, DONE), JOB, limits
    )
    assert early.violation is not None and early.spoilt == "visible"
    assert early.load is None and early.outputs == {}


def test_a_malformed_loaded_frame_is_its_own_phases_and_out_of_order_spoils_from_the_earlier() -> None:
    """A malformed 'loaded' frame of the hidden phase spoils the hidden phase, not the one before it; a phase
    entered out of order spoils the stream from the earlier of the two."""
    parsed = parse_frames(stream(LOADED, OK1, {**LOADED_HIDDEN, "warnings": [3]}, OK2, DONE), JOB)
    assert parsed.spoilt == "hidden" and set(parsed.outputs) == {"c1"}
    assert parse_frames(stream(LOADED_HIDDEN, OK2, LOADED), JOB).spoilt == "visible"


def test_a_stream_cut_short_refuses_the_phase_it_was_cut_in() -> None:
    """Cut at the worker's cap (`cut`) or in the middle of a frame, the stream is refused from the phase
    that was running; a complete, uncut stream has nothing spoilt."""
    cut = parse_frames(stream(LOADED, OK1, LOADED_HIDDEN), JOB, cut=True)
    assert cut.spoilt == "hidden" and set(cut.outputs) == {"c1"} and cut.load is not None
    torn = parse_frames(stream(LOADED, OK1, LOADED_HIDDEN) + blob(OK2)[:-2], JOB)
    assert torn.truncated_tail and torn.spoilt == "hidden" and set(torn.outputs) == {"c1"}
    early = parse_frames(stream(LOADED), JOB, cut=True)
    assert early.spoilt == "visible" and early.load is None
    assert parse_frames(stream(LOADED, OK1, LOADED_HIDDEN, OK2, DONE), JOB).spoilt is None


def test_load_warnings_name_a_notebooks_module_as_the_notebook_handed_in() -> None:
    """A Colab folder with MiniFlow.ipynb and `Copy of MiniFlow.ipynb`: the loader's warning named
    `Copy of MiniFlow.py` and `MiniFlow.py`, files the student never had; each is now its notebook, the
    longest name first (`MiniFlow.py` inside `Copy of MiniFlow.py` is not replaced twice). Controls: a name
    that only contains the module's (`myMiniFlow.py`, `MiniFlow.pyc`, `old/MiniFlow.py`) stays as it is, and
    a job without notebooks changes nothing."""
    shown = {"Copy of MiniFlow.py": "Copy of MiniFlow.ipynb", "MiniFlow.py": "MiniFlow.ipynb"}
    job = {"harness": {**JOB["harness"], "load": {"shown": shown}}}
    said = (
        "Copy of MiniFlow.py also defines Input, graded from MiniFlow.py. "
        "(myMiniFlow.py, MiniFlow.pyc, old/MiniFlow.py: `MiniFlow.py`)"
    )
    load = parse_frames(stream({**LOADED, "warnings": [said]}, OK1, DONE), job).load
    assert load is not None
    assert load.warnings == (
        "Copy of MiniFlow.ipynb also defines Input, graded from MiniFlow.ipynb. "
        "(myMiniFlow.py, MiniFlow.pyc, old/MiniFlow.py: `MiniFlow.ipynb`)",
    )
    plain = parse_frames(stream({**LOADED, "warnings": [said]}, OK1, DONE), JOB).load
    assert plain is not None and plain.warnings == (said,)


def test_a_real_file_ending_in_a_notebooks_module_name_is_never_renamed() -> None:
    """A real `Copy of MiniFlow.py` (and an editor's `MiniFlow.py~`) beside MiniFlow.ipynb: only the module
    the notebook became is named as the notebook; the real file was called `Copy of MiniFlow.ipynb`, a file
    the student never had. Control: the module itself, at the end of a sentence, is renamed."""
    job = {
        "harness": {
            **JOB["harness"],
            "load": {
                "shown": {"MiniFlow.py": "MiniFlow.ipynb"},
                "sources": ["Copy of MiniFlow.py", "MiniFlow.py"],
            },
        }
    }
    said = (
        "Copy of MiniFlow.py also defines Input, graded from MiniFlow.py (MiniFlow.py~: not read). "
        "See MiniFlow.py."
    )
    load = parse_frames(stream({**LOADED, "warnings": [said]}, OK1, DONE), job).load
    assert load is not None
    assert load.warnings == (
        "Copy of MiniFlow.py also defines Input, graded from MiniFlow.ipynb (MiniFlow.py~: not read). "
        "See MiniFlow.ipynb.",
    )


def test_naming_notebooks_is_one_compiled_pattern_whatever_their_number(monkeypatch) -> None:
    """200 notebooks and 20 warnings: one pattern compiled, no pass per notebook (one re.sub per notebook per
    warning cost 0.34 s a phase at 200 notebooks)."""
    import re

    from grader.sandbox import frames

    calls = {"compile": 0, "sub": 0}

    def counted(name):
        real = getattr(re, name)

        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(
        frames,
        "re",
        types.SimpleNamespace(**{**vars(re), "compile": counted("compile"), "sub": counted("sub")}),
    )
    shown = {f"hw{i}/nb{i}.py": f"hw{i}/nb{i}.ipynb" for i in range(200)}
    job = {"harness": {**JOB["harness"], "load": {"shown": shown, "sources": sorted(shown)}}}
    said = [f"hw{i}/nb{i}.py also defines Input, graded from hw0/nb0.py" for i in range(20)]
    load = parse_frames(stream({**LOADED, "warnings": said}, OK1, DONE), job).load
    assert (
        load is not None and load.warnings[7] == "hw7/nb7.ipynb also defines Input, graded from hw0/nb0.ipynb"
    )
    assert calls == {"compile": 1, "sub": 0}


def test_the_parents_spellings_are_every_adapters_aliases() -> None:
    """The spellings the parent confirms a `found` attribute by are every alias the family's adapter looks
    the name up by: one the parent lacked would drop an honest record, and grading reads `found`."""
    from grader.inside.adapters import ADAPTERS
    from grader.sandbox.frames import _spellings

    for family, adapter in ADAPTERS.items():
        table = _spellings(family, None)
        for name, spellings in adapter.ALIASES.items():
            assert set(spellings) <= table[name], (family, name)


def test_a_jobs_frames_are_read_by_one_decoder(monkeypatch) -> None:
    """One decoder a job (not a decoder and scanner built for each frame), with the frames' hooks."""
    made = []
    real = json.JSONDecoder

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, **kw: object) -> None:
            made.append(sorted(kw))
            super().__init__(**kw)  # type: ignore[arg-type]

    monkeypatch.setattr(json, "JSONDecoder", Counted)
    assert parse_frames(stream(LOADED, OK1, DONE), JOB).done
    assert made == [["object_pairs_hook", "parse_constant"]]


@pytest.mark.parametrize(
    "handed",
    [
        "reg_scale",
        [1],
        ["reg scale"],
        ["std", "std"],
        ["std", "sigma", "scale", "init_std", "w_std"],
        ["x" * 38 + "_std"],
        ["your_code_is_right_the_grader_erred"],  # an identifier, no weight scale: no note prints it
        ["activation"],  # a required parameter the adapter leaves to Python's TypeError
    ],
)
def test_the_parameters_the_grader_filled_in_are_a_few_identifiers(handed: object) -> None:
    """A case frame's `handed` (required constructor parameters the grader filled in, named beside wrong
    values by the judge) is a short list of distinct identifiers that name a weight scale or a weight decay,
    the only parameters the adapter fills in; anything else breaks the stream (review of s27-realdlfs,
    finding 2; weight decays since s28-realdlfs)."""
    assert parse_frames(stream(LOADED, {**OK1, "handed": handed}), JOB).violation is not None
    parsed = parse_frames(stream(LOADED, {**OK1, "handed": ["reg_scale"]}), JOB)
    assert parsed.violation is None and parsed.outputs["c1"].handed == ("reg_scale",)
    assert parse_frames(stream(LOADED, OK1), JOB).outputs["c1"].handed == ()


def test_a_graded_from_line_names_only_a_file_handed_in_under_a_name_its_path_gives() -> None:
    """The student's process credits a found name to the module that defines it (grader/inside/student.py
    `_credited`, s38-realcode) and names that module's file: the "graded from" line quotes it. A file the
    submission does not have, a path outside it, text that is no file, or a file under a name its path does
    not give is dropped with the names credited there (review of s38-realcode). Control: the honest credit
    to nn_layers.py is quoted; without the parent's reading every claim is kept."""
    from grader.reports.escape import terminal
    from grader.reports.graded_files import graded_files_line

    sources = ["nn_layers.py", "two_layer_net.py"]
    job = {"harness": {**JOB["harness"], "load": {"sources": sources}}}
    honest = {"nn_layers": "nn_layers.py", "two_layer_net": "two_layer_net.py"}
    forged = {
        "ghost": "ghost.py",
        "up": "../nn_layers.py",
        "wording": WORDING,
        "mylayers": "two_layer_net.py",
    }
    claimed = {
        **LOADED,
        "modules": {**honest, **forged},
        "found": {
            "Affine": "nn_layers.Affine",
            "TwoLayerNet": "two_layer_net.TwoLayerNet",
            "Relu": "ghost.Relu",
            "Sigmoid": "up.Sigmoid",
            "SoftmaxWithLoss": "wording.SoftmaxWithLoss",
            "MulLayer": "mylayers.MulLayer",
        },
    }

    def line(job: dict) -> str | None:
        load = parse_frames(stream(claimed, OK1, DONE), job).load
        assert load is not None
        doc = {"submission": {"files": sources}, "load": {"modules": load.modules, "found": load.found}}
        return graded_files_line(doc, terminal)

    assert line(job) == "graded from nn_layers.py (Affine), two_layer_net.py (TwoLayerNet)"
    whole = parse_frames(stream(claimed, OK1, DONE), JOB).load  # negative control: nothing to narrow to
    assert whole is not None and whole.modules["up"] == "../nn_layers.py" and "Relu" in whole.found
    assert "MulLayer" in (line(JOB) or "")
