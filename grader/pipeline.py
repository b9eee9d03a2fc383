"""One submission through the whole pipeline: load, sandbox, judge, report.

The cases (with their expected values) are built once per run by the caller and shared by every submission of
a batch; only their job views ever reach a sandbox.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import __version__, untrusted
from grader.assignments import Assignment
from grader.bytecode import fitting, pyc_files
from grader.cases import stage_steps
from grader.defined import (
    copies_of,
    copy_choice,
    copy_reasons_of,
    defaults_off,
    graded_files,
    nested_methods,
    program_files,
    public_names,
)
from grader.extension import sandbox_ops
from grader.fault import GRADER_ERROR, GRADER_FAILED, disowned
from grader.inside.aliases import COMPOSED, COMPOSED_UNLESS_CLASS
from grader.inside.choice import CopyChoice, for_stage, stage_step
from grader.inside.contexts import LOADING
from grader.inside.missing import UNDER_MAIN
from grader.large_files import large_files, size_note
from grader.loaders import SubmissionError, SubmissionFiles, load_submission
from grader.method_spelling import method_spellings
from grader.model import PHASES, Case, Confinement, Failure, LoadInfo, RunResult
from grader.ordering_attribute import ordering_attributes_of
from grader.pickle_defs import pickle_definitions
from grader.sandbox import SandboxPool
from grader.sandbox.result import AT_IMPORT
from grader.script_names import script_spellings
from grader.served_standins import graded_classes, served_files, stub_warning
from grader.stages import Stage

MAX_SOURCES = 200

if TYPE_CHECKING:
    from grader.flags import Flag
    from grader.reports import Report


@dataclass(frozen=True)
class RunPlan:
    """Everything shared by all submissions of one run: the assignment, the stage, the seed and the cases.

    `stage_choice` says how the stage was chosen, for the report: "default", "asked" (--stage) or "inferred"
    (`grader check`), with `stage_reason` (why that stage) when inferred.
    """

    assignment: Assignment
    seed: int
    cases: tuple[Case, ...]
    support_files: dict[str, str]
    job_cases: tuple[dict[str, Any], ...]
    support_bytecode: dict[str, str] = field(default_factory=dict)  # compiled once a run (grader/bytecode.py)
    ops: Mapping[str, Any] = field(default_factory=dict)  # the assignment's own ops, as the adapter sees them
    stage: Stage | None = None
    stage_choice: str = "default"
    stage_reason: str = ""
    # The seed was made per student from a course secret (grader/gradescope_seed.py): staff's alone.
    seed_private: bool = False

    def stage_step(self) -> str | None:
        """The step whose file `one_of` puts first ("18" at stage step18), None when it puts none first."""
        if self.stage_choice == "inferred":
            return None
        return stage_step(self.stage.name if self.stage is not None else self.assignment.default_stage)

    def one_of(self) -> list[list[str]]:
        """The assignment's `one_of` groups as this run reads them: at a stage asked for or the default one,
        the stage's own step file first (choice.for_stage); at an inferred stage as they are, the stage having
        been read from the latest step's file, which is the one graded."""
        a = self.assignment
        if self.stage_choice == "inferred":
            return [list(g) for g in a.one_of]
        return for_stage(a.one_of, self.stage.name if self.stage is not None else a.default_stage)

    @classmethod
    def create(
        cls,
        assignment: Assignment,
        seed: int,
        cases: Sequence[Case],
        *,
        stage: str | None = None,
        stage_choice: str | None = None,
        stage_reason: str = "",
        seed_private: bool = False,
    ) -> RunPlan:
        """`cases` come from `cases_for_run(assignment, seed, stage=stage)`; the plan records the stage."""
        support_bytes = assignment.support_bytes()
        choice = stage_choice or ("asked" if stage else "default")
        return cls(
            assignment,
            seed,
            tuple(cases),
            _b64(support_bytes),
            tuple(c.job_view() for c in cases),
            _b64(pyc_files(support_bytes)),
            sandbox_ops(assignment),
            assignment.stage(stage),
            choice,
            stage_reason,
            seed_private,
        )

    @functools.cached_property
    def applied_ops(self) -> frozenset[str]:
        """The ops the cases apply (helpers they call by name): found once a run, not once a submission."""
        return frozenset(
            str(s["op"]) for c in self.cases for s in c.steps if s.get("do") == "apply" and "op" in s
        )

    @functools.cached_property
    def job_phases(self) -> tuple[dict[str, Any], ...]:
        """The cases by phase, as every job of the run carries them: built once, and one tuple for every job,
        so that the pool encodes it once a run (grader/sandbox/pool.py, ~0.3 ms a job)."""
        by_phase: dict[str, list[dict[str, Any]]] = {}
        for case, view in zip(self.cases, self.job_cases, strict=True):
            by_phase.setdefault(case.visibility, []).append(view)
        return tuple({"name": p, "cases": tuple(by_phase[p])} for p in PHASES if p in by_phase)

    @functools.cached_property
    def graded_layers(self) -> frozenset[str]:
        """Every class a case of the stage applies or targets (grader/served_standins.py `graded_classes`),
        whichever cases the run includes: `grader check` (visible cases) serves what `grader grade` serves, so
        that a check predicts the grade (review of s24-hunt: a file calling a stub at import passed check,
        13 / 13, and scored 0 in grade)."""
        steps = stage_steps(self.assignment, self.graded_stage.name)
        return graded_classes((s for s, _ in steps), (t for _, t in steps))

    @functools.cached_property
    def served_standins(self) -> dict[str, str]:
        """The stand-in files every job of the run serves its student processes (grader/served_standins.py):
        built once a run, one dict for every job."""
        return served_files(self.graded_layers)

    @property
    def graded_stage(self) -> Stage:
        return self.stage or self.assignment.stage()

    def required_names(self) -> tuple[str, ...]:
        return self.graded_stage.requires

    def optional_names(self) -> tuple[str, ...]:
        """The manifest's optional names and the stage's optional classes (looked up, never required): not a
        method a stage makes optional (save_weights), which no module defines and the parent reads from the
        source (grader/stages.py STEP_METHODS)."""
        from grader.stages import METHOD_NAMES

        required = set(self.required_names())
        extra = (*self.assignment.optional, *self.graded_stage.optional_classes)
        return tuple(n for n in dict.fromkeys(extra) if n not in required and n not in METHOD_NAMES)


def _b64(files: Mapping[str, bytes]) -> dict[str, str]:
    return {rel: base64.b64encode(data).decode("ascii") for rel, data in sorted(files.items())}


def build_job(
    plan: RunPlan,
    submission: SubmissionFiles,
    *,
    job_id: str | None = None,
    made: CopyChoice | None = None,
) -> dict[str, Any]:
    """What a sandbox worker receives: inputs and steps only, never expected values.

    Two parts: `student` (the files: all a student process ever receives from us besides case inputs) and
    `harness` (the cases by phase, and how to load the submission): the worker hands the harness part to the
    harness without reading it. `made`: the copy choice (defined.copy_choice), made here by default.
    """
    a = plan.assignment
    made = made or copy_choice(submission.files, a)
    copies = copies_of(submission.files, a, made)
    one_of = plan.one_of()
    return {
        "job_id": job_id or submission.id,
        "limits": a.limits.to_dict(),
        # The stand-in of the book's common/layers.py, with no math for a class the run grades: in the header,
        # which the worker reads (it writes the files once, read-only, for every student process).
        "standins": plan.served_standins,
        "student": {
            "files": _b64(submission.files),
            "support_files": plan.support_files,
            "bytecode": {
                **fitting(plan.support_bytecode, submission.files, plan.support_files),
                **_b64(pyc_files(submission.files, others=plan.support_files)),
            },
        },
        "harness": {
            "family": a.family,
            # Only an assignment with its own ops module sends them (docs/EXTENDING.md): names and positions.
            **({"ops": dict(plan.ops)} if plan.ops else {}),
            "load": {
                # A notebook's own cells always run (as Jupyter would), even when %%writefile cells already
                # defined every required name: optional ones (TwoLayerNet) may live only in the cells.
                "modules": [
                    *a.modules,
                    *([f"{submission.source_path.stem}.py"] if submission.kind == "notebook" else []),
                ],
                "required": list(plan.required_names()),
                "optional": list(plan.optional_names()),
                "forbidden_imports": list(a.forbidden_imports),
                "support_files": sorted(plan.support_files),
                "one_of": one_of,
                # the step the stage grades, for the set-aside warning (a later file graded when it lacks it)
                "stage_step": plan.stage_step(),
                # What a pickle may name in each file: a class or def nothing else binds (the audit hook's,
                # grader/inside/audit.py)
                "pickle_defs": pickle_definitions(submission.files),
                # Other copies of a preferred file (1_add/miniflow.py beside 6_sgd/miniflow.py): not run.
                "copies": copies,
                # Why each was graded, in the parent's words (the student's process would rank on the stage's
                # names alone, and say something else).
                "copy_reasons": copy_reasons_of(submission.files, a, copies, made),
                # The parent's own reading, quoted by missing-name messages instead of the student's claims.
                "defined": public_names(graded_files(submission.files, one_of, copies)),
                # and its methods of nested classes, quoted for a missing function written as one
                "methods": nested_methods(graded_files(submission.files, one_of, copies)),
                "sources": sorted(p for p in submission.files if p.endswith(".py"))[:MAX_SOURCES],
                # Names the code itself sets False (Config's enable_backprop): never put back True as "left
                # off by a demo at the top level" (grader/inside/switches.py).
                "defaults_off": defaults_off(graded_files(submission.files, one_of, copies)),
                # DeZero's ordering attribute under another name (`depth`), read by its role: the generation
                # cases read it too (grader/ordering_attribute.py)
                **(
                    {"ordering": ordering_attributes_of(graded_files(submission.files, one_of, copies))}
                    if a.family == "dezero"
                    else {}
                ),
                # The module a notebook's cells became, named as the student knows it (the .ipynb).
                **(
                    {"shown": {f"{submission.source_path.stem}.py": submission.source_path.name}}
                    if submission.kind == "notebook"
                    else {"shown": dict(submission.notebooks)}
                    if submission.notebooks
                    else {}
                ),
            },
            "phases": plan.job_phases,
        },
    }


@dataclass(frozen=True)
class Graded:
    student: str
    source_path: Path
    report: Report
    worker: str = "local"  # which executor worker ran it (a Dask worker's address), for summary.json


def scan(plan: RunPlan, submission: SubmissionFiles) -> tuple[Flag, ...]:
    """The static scan for staff, in the parent, next to the loader: parsed, never run (grader/flags)."""
    from grader.flags import scan_submission

    a = plan.assignment
    return scan_submission(
        submission.files, graded=(*a.required, *a.optional), forbidden_imports=a.forbidden_imports
    )


def _scanned(plan: RunPlan, submission: SubmissionFiles) -> tuple[Flag, ...]:
    """The scan's flags; a bug in the scan itself is one not_scanned flag for staff, never an exception that
    stops the batch (a student's .npz once did: review)."""
    from grader.flags import Flag

    try:
        return scan(plan, submission)
    except Exception as exc:
        failed = f"the scan failed on this submission: {type(exc).__name__}: {exc}"
        return (Flag.make("not_scanned", "(submission)", 0, failed),)


def _unloadable(plan: RunPlan, student: str, path: Path, err: SubmissionError, where: Confinement) -> Report:
    return _report(plan, student, path, None, where.unrun(Failure(err.code, err.message)), 0.0)


def _report(
    plan: RunPlan,
    submission_id: str,
    path: Path,
    submission: SubmissionFiles | None,
    run: RunResult,
    started: float,
    status: str | None = None,
    flags: tuple[Flag, ...] = (),
    copies: Mapping[str, str] | None = None,
) -> Report:
    meta = {
        "grader_version": __version__,
        "assignment": plan.assignment,
        "submission_id": submission_id,
        "submission_path": untrusted.path(str(path)),  # the file name is the student's choice
        "sha256": submission.sha256 if submission else None,
        "files": sorted(submission.files) if submission else [],
        "seed": plan.seed,
        "seed_private": plan.seed_private,
        "wall_seconds": time.monotonic() - started if started else 0.0,
        "flags": flags,
        "stage": _stage_meta(plan, submission, copies),
        **_source_notes(plan, submission, run.load, _packed(plan, run), copies),
        "top_level_loops": _loops(submission, run),
        # what the stand-in lacks in this run, worded here from the run's graded set (never by the student
        # process, whose load only says the stand-in was used)
        "load_warnings": tuple(filter(None, [stub_warning(plan.graded_layers, run.load.standins)]))
        if run.load is not None
        else (),
        "size_note": _size_note(submission, run),
    }
    if status:
        meta["status"] = status
    return grade(plan.cases, run, meta)


def grade(cases: Sequence[Case], run: RunResult, meta: dict[str, Any]) -> Report:
    """grader.judge's grade, imported on first use: `grader check` imports the judge while its job runs
    (pipeline.AFTER_THE_RUN), not while its plan competes with the sandbox worker's start for the CPUs."""
    from grader.judge import grade as judged

    return judged(cases, run, meta)


def _packed(plan: RunPlan, run: RunResult) -> frozenset[str]:
    """The ops the adapter built from one list of their nodes in the visible cases (its frames' account,
    names only: grader/constructors.py notes only the lesson's ops among them). Visible only: what a
    note shows is the same in `check` and `grade`, and tells nothing of a case a student does not see."""
    visible = {c.id for c in plan.cases if c.visibility == "visible"}
    return frozenset(op for cid, out in run.outputs.items() if cid in visible for op in out.packed)


def _source_notes(
    plan: RunPlan,
    submission: SubmissionFiles | None,
    load: LoadInfo | None = None,
    packed: frozenset[str] | None = None,
    copies: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the parent reads in the graded program's source for the report (warnings, signatures, helpers
    that drop an argument), from the program's files found once."""
    if submission is None:
        return {
            "warnings": [],
            "signatures": (),
            "dropped_args": (),
            "recreated": (),
            "named_keys": (),
            "main_only": (),
            "classes": None,
            "argmax_axis0": (),
            "defined": None,
            "respelt": {},
        }
    from grader.judge.absent_layer import DEFAULT_LAYERS  # judging's own, imported once the run is back
    from grader.judge.argmax_axis import axis0_methods

    program = _program(plan, submission, copies)
    # a class is read where the student's process loaded it (signatures.problems): the process's claim only
    # picks among the submission's own files, and a false one costs the student's own notes
    loaded = frozenset(load.modules.values()) if load is not None else frozenset()
    # The loader's notes and these readers' quote the student's names (a link's target, an LFS pointer's or
    # any file's name, up to 200 characters of the student's choosing): the grader's wording of fault spelt
    # in one is taken out here, as from the student process's own warnings (grader/sandbox/frames.py). None
    # of these notes says whose fault anything is in its own words. The same for what the parent's other
    # readers of the source quote (the signatures' problems, the top-level loops: _signatures, _loops).
    notes = (
        *submission.notes,
        *_read(program, _numpy_notes),
        *_read(program, _shared_lists),
        *_read(program, _newer_syntax_notes),
        *_read(program, lambda files: _constructors(plan, files, loaded, packed)),
    )
    # Capped as every untrusted message is (disowned cleans to 4,000 characters and 60 lines; 32 notes): a
    # note quotes names of any length (a numpy alias of 100,000 underscores was one 100,201-character line).
    return {
        "warnings": list(untrusted.items(notes, disowned)),
        "signatures": _read(program, lambda files: _signatures(plan, files, loaded)),
        "dropped_args": _read(program, lambda files: _dropped_args(plan, files)),
        "recreated": _read(program, lambda files: _recreated(plan, files, loaded)),
        "named_keys": _read(program, lambda files: _named_keys(plan, files, loaded)),
        # the program's own names, for a DLFS hint that would name a layer class it lacks (Affine.backward)
        "classes": _read(program, lambda files: tuple(public_names(files)))
        if plan.assignment.family in DEFAULT_LAYERS
        else None,
        # the accuracy methods that take np.argmax along axis 0, whose wrong records say so
        "argmax_axis0": _read(program, axis0_methods) if plan.assignment.family in DEFAULT_LAYERS else (),
        # classes defined only under `if __name__ == "__main__":`, which a case's NameError names
        "main_only": _read(
            program, lambda files: tuple(p for p in nested_methods(files) if p.endswith(UNDER_MAIN))
        ),
        # the program's own classes and defs, as the parent reads them: a message about a class the code
        # lacks names the helper it wrote instead (softmax_simple for Softmax; grader/judge/spelling.py). Read
        # only when a composed helper was graded: a parse of the program costs tens of milliseconds.
        "defined": _read(program, lambda files: tuple(public_names(files)))
        if _composed_found(plan.assignment.family, load)
        else None,
        # a method the cases call under another accepted spelling, named as the student wrote it
        "respelt": dict(
            _read(program, lambda files: tuple(method_spellings(plan.assignment.family, files).items()))
        )
        # and a class written in another script (Square as `class 二乗`), named as written
        | dict(
            _read(program, lambda files: tuple(script_spellings(load.found, files).items())) if load else ()
        ),
    }


def _composed_found(family: str, load: LoadInfo | None) -> bool:
    """Whether the student's process graded a composed helper for a class (softmax_simple for softmax)."""
    composed = COMPOSED.get(family, {})
    if load is None:
        return False
    unless_class = COMPOSED_UNLESS_CLASS.get(family, {}).items()
    return any(str(w).rsplit(".", 1)[-1] in composed for w in load.found.values()) or any(
        helper in load.found and cls not in load.found for helper, (cls, _) in unless_class
    )


def _program(
    plan: RunPlan, submission: SubmissionFiles, copies: Mapping[str, str] | None = None
) -> Mapping[str, bytes]:
    try:
        return program_files(submission.files, plan.assignment, plan.one_of(), copies)
    except Exception:  # a reading bug costs the notes, never the submission's grade
        return {}


def _read(
    program: Mapping[str, bytes], reader: Callable[[Mapping[str, bytes]], tuple[Any, ...]]
) -> tuple[Any, ...]:
    try:
        return reader(program)
    except Exception:  # a reading bug costs the note, never the submission's grade
        return ()


# What judging a run and writing its report import on first use, after the run is back: the judge itself
# (~22 ms of CPU; the report's modules come earlier, with the lines `check` prints first) and the source's
# readers (every report with a loaded submission, ~5 ms). A batch pays them once; a cold `check` would pay
# them on the path a student waits for, so it imports them while its job runs (commands._plan_and_pool;
# until session 29 while its worker started, where they took the CPUs from the worker's start). Not the
# known mistakes' (the reference engine, numpy.random for its drawn inputs, ~26 ms): only a wrong record
# needs them, and imported while the job ran they took a correct check's CPUs from the student's process
# and its harness, then held the job's reply unread until the one under way was done (session 36).
AFTER_THE_RUN = (
    "grader.judge",
    "grader.numpy_notes",
    "grader.shared_lists",
    "grader.newer_syntax_notes",
    "grader.constructors",
    "grader.signatures",
    "grader.helper_args",
    "grader.recreated_gradients",
    "grader.named_keys",
)


def _numpy_notes(program: Mapping[str, bytes]) -> tuple[str, ...]:
    """Where the graded program uses a name NumPy removed (np.float), graded as what it stood for."""
    from grader import numpy_notes

    return numpy_notes.notes(program)


def _newer_syntax_notes(program: Mapping[str, bytes]) -> tuple[str, ...]:
    """Where the graded program uses Python 3.12's type parameter syntax, graded as written for 3.11."""
    from grader import newer_syntax_notes

    return newer_syntax_notes.notes(program)


def _shared_lists(program: Mapping[str, bytes]) -> tuple[str, ...]:
    """A list written in a class body and filled through its objects (MiniFlow's outbound_nodes = [])."""
    from grader import shared_lists

    return shared_lists.notes(program)


def _constructors(
    plan: RunPlan, program: Mapping[str, bytes], loaded: frozenset[str], packed: frozenset[str] | None
) -> tuple[str, ...]:
    """The op classes built from one list of nodes where the lesson passes each (Linear([X, W, b])), as
    the adapter reported building them (`packed`; None: no run, the source's reading alone)."""
    from grader import constructors
    from grader.inside.aliases import BY_FAMILY

    spellings = BY_FAMILY.get(plan.assignment.family, ({}, {}))[0]
    return constructors.notes(program, plan.assignment.family, spellings, loaded, packed)


def _signatures(
    plan: RunPlan, program: Mapping[str, bytes], loaded: frozenset[str] = frozenset()
) -> tuple[Any, ...]:
    """The book's methods the graded program defines with parameters that cannot take the book's call."""
    from grader import signatures
    from grader.inside.aliases import BY_FAMILY

    assignment = plan.assignment
    spellings = BY_FAMILY.get(assignment.family, ({}, {}))[0]  # what grading accepts for each name
    graded = {s for n in (*assignment.required, *assignment.optional) for s in (n, *spellings.get(n, ()))}
    found = signatures.problems(program, assignment.family, graded, loaded)
    # each names its file (the student's name for it): disowned as _source_notes' notes are
    return tuple(dataclasses.replace(p, message=disowned(p.message)) for p in found)


def _dropped_args(plan: RunPlan, program: Mapping[str, bytes]) -> tuple[Any, ...]:
    """The helper functions the cases call that never read one of their parameters."""
    from grader import helper_args

    if plan.assignment.family not in helper_args.FAMILIES:
        return ()
    found = helper_args.dropped(program, plan.assignment.family, plan.applied_ops)
    # each quotes the student's parameter and file names (`def add(x0, not_your_code_s_fault)` read "never
    # uses its parameter not_your_code_s_fault" above every failing case and in blame): disowned as
    # _signatures' problems are (sample submissions/dezero/add_param_grader_wording.py)
    return tuple(
        dataclasses.replace(d, summary=disowned(d.summary), message=disowned(d.message)) for d in found
    )


def _recreated(
    plan: RunPlan, program: Mapping[str, bytes], loaded: frozenset[str] = frozenset()
) -> tuple[Any, ...]:
    """The MiniFlow backward methods that re-create their gradients dict inside their outbound loop (each
    class read where the student's process loaded it, as _signatures' are)."""
    from grader import recreated_gradients

    if plan.assignment.family not in recreated_gradients.FAMILIES:
        return ()
    found = recreated_gradients.recreated(program, loaded)
    # each quotes the student's file name and line of code: disowned as _signatures' problems are
    return tuple(
        dataclasses.replace(f, where=disowned(f.where), statement=disowned(f.statement)) for f in found
    )


def _named_keys(
    plan: RunPlan, program: Mapping[str, bytes], loaded: frozenset[str] = frozenset()
) -> tuple[Any, ...]:
    """Where a MiniFlow program keys its gradients by a node's name (`self.gradients[n.name]`), the files
    the student's process loaded first."""
    from grader import named_keys

    if plan.assignment.family not in named_keys.FAMILIES:
        return ()
    # each quotes the student's file name and code: disowned as _signatures' problems are
    return tuple(
        dataclasses.replace(k, where=disowned(k.where), key=disowned(k.key), node=disowned(k.node))
        for k in named_keys.named_keys(program, loaded)
    )


def _size_note(submission: SubmissionFiles | None, run: RunResult) -> str | None:
    """The note naming the submission's large files, when its loading ran out of time: a phase stopped for
    time before its 'loaded' frame, busy or not (result.py's words for it, `contexts.LOADING`), or the load's
    own stop ("still running after 4 s of loading", the student process's words, which only pick whether the
    parent's measure is shown). A case's own timeout, or a phase's after the load, is no load out of time: a
    large file that loaded is no cause. Until session 38 a phase stopped for time while loading counted only
    when it had computed half its wall time (result.AT_IMPORT): a wall limit shorter than the load's budget,
    on a loaded machine, stopped a 7 MiB file still compiling with "an endless loop that waits" and no note.
    Where the other files loop at their top level (the parent's parse), either may be the cause: said so."""
    load_stopped = run.load is not None and any("s of loading" in w for w in run.load.warnings)
    if submission is None or not (load_stopped or _timed_out_loading(run) or _import_timed_out(run)):
        return None
    large = large_files(submission.files)
    if not large:
        return None
    from grader import toplevel

    named = {name for name, _ in large}
    try:  # the large files themselves never parsed here: what they cost to compile is the question
        looping = bool(toplevel.loops({n: d for n, d in submission.files.items() if n not in named}))
    except Exception:  # a reading bug costs the distinction, never the submission's grade
        looping = True
    note = size_note(large, loops_too=looping)
    # it quotes the student's file names (`not_your_codes_fault.py`): disowned as _signatures' problems are
    # (sample submissions/hostile/not_your_codes_fault.py)
    return None if note is None else disowned(note)


def _timed_out_loading(run: RunResult) -> bool:
    """A phase stopped for its wall limit before its 'loaded' frame (result.py says " while loading the
    submission" then, whatever its CPU time)."""
    phases = (run.process_failure, *run.phase_failures.values())
    return any(f is not None and f.code == "timeout" and f" while {LOADING}" in f.message for f in phases)


def _import_timed_out(run: RunResult) -> bool:
    """A phase stopped for time before its first case (result.AT_IMPORT): the timeouts the judge follows
    with the files' top-level loops (source_notes.place_loops)."""
    phases = (run.process_failure, *run.phase_failures.values())
    return any(f is not None and f.code == "timeout" and AT_IMPORT in f.message for f in phases)


def _loops(submission: SubmissionFiles | None, run: RunResult) -> tuple[str, ...]:
    """Where the submission's files loop at their top level, read only when a phase ran out of time
    importing them: every submission with one case out of time (an endless backward) was parsed again for
    a note no case could show (session 35's finding; the large-file note had the same fix)."""
    if submission is None or not _import_timed_out(run):
        return ()
    from grader import toplevel

    try:
        # each quotes its source line, a comment included: disowned as _source_notes' notes are
        return untrusted.items(toplevel.loops(submission.files), disowned)
    except Exception:  # a reading bug costs the note, never the submission's grade
        return ()


def _stage_meta(
    plan: RunPlan, submission: SubmissionFiles | None, copies: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the report says about the stage, and what the judge needs to name a missing stage feature."""
    from grader.stage_scan import stage_context

    return stage_context(plan, submission.files if submission else {}, copies)


def _safe_report(
    plan: RunPlan,
    student: str,
    path: Path,
    submission: SubmissionFiles,
    run: RunResult,
    started: float,
    flags: tuple[Flag, ...] = (),
    copies: Mapping[str, str] | None = None,
) -> Report:
    """The student's report; if judging crashes (a grader bug met on this submission's output), a report
    with status "error" and the traceback for staff instead, so that one submission never stops a batch.
    `copies`: the copies its job set aside, else chosen again."""
    try:
        return _report(plan, student, path, submission, run, started, flags=flags, copies=copies)
    except Exception:
        failure = Failure(GRADER_ERROR, GRADER_FAILED, traceback.format_exc())
        failed = RunResult(
            run.isolation,
            None,
            {},
            failure,
            run.stdout,
            run.stderr,
            run.elapsed_seconds,
            isolation_notes=run.isolation_notes,  # what the workers shared: the run happened in them
        )
        return _error_report(plan, student, path, submission, failed, started, flags)


def _error_report(
    plan: RunPlan,
    student: str,
    path: Path,
    submission: SubmissionFiles,
    failed: RunResult,
    started: float,
    flags: tuple[Flag, ...],
) -> Report:
    """The status "error" report of a grader bug met on this submission; when writing even that raises (the
    bug is in reading its files, which the report reads again), one that reads none of them, as for a
    submission the loader refused, with both tracebacks for staff. Without it the exception left the batch's
    job generator and stopped every student after this one."""
    try:
        return _report(plan, student, path, submission, failed, started, status="error", flags=flags)
    except Exception:
        first = failed.process_failure.detail if failed.process_failure else ""
        failure = Failure(GRADER_ERROR, GRADER_FAILED, f"{first}\n{traceback.format_exc()}")
        bare = RunResult(
            failed.isolation, None, {}, failure, "", "", 0.0, isolation_notes=failed.isolation_notes
        )
        return _report(plan, student, path, None, bare, started, status="error", flags=flags)


@dataclass(frozen=True)
class Prepared:
    """A loaded submission on its way to a sandbox: what is needed to report on it once its run is back."""

    student: str
    path: Path
    submission: SubmissionFiles
    started: float
    flags: tuple[Flag, ...]
    # When its job was built, where it then waits for a lane (grade_paths: the pool builds ahead of its
    # workers, SandboxPool.map); 0.0 where nothing waits so (the Dask executor measures as before).
    built: float = 0.0
    # The copy choice its job was built with (defined.copy_choice), for its report: shared by the copies
    # `dataclasses.replace` makes. Asked again of choice's byte-bounded caches, the stubs of a submission of
    # many tied copies were tokenised twice on a Dask client, which builds four jobs before its first report
    # (two a sandbox) where the caches hold two submissions' readings.
    kept: dict[str, CopyChoice] = field(default_factory=dict, compare=False, repr=False)

    def job(self, plan: RunPlan) -> dict[str, Any]:
        made = self.kept["made"] = copy_choice(self.submission.files, plan.assignment)
        return build_job(plan, self.submission, job_id=self.student, made=made)

    def graded(self, plan: RunPlan, run: RunResult, worker: str = "local") -> Graded:
        started = self._own_start(run)
        made = self.kept.get("made")  # none when no job was built: the report chooses again, as before
        copies = copies_of(self.submission.files, plan.assignment, made) if made else None
        report = _safe_report(
            plan, self.student, self.path, self.submission, run, started, self.flags, copies
        )
        return Graded(self.student, self.path, report, worker)

    def _own_start(self, run: RunResult) -> float:
        """`started`, moved later by the time the built job waited: for a lane (another student's run), and
        with its result for the caller. The report's wall_seconds is then this submission's own: its build,
        its run (`run.elapsed_seconds`, the pool's clock from the moment a lane took the job, retries
        included) and its judging. Counted from `started`, the second of two 2 s runs on one worker said 4 s
        (review of s22-speed, 1), and Gradescope's execution_time with it."""
        if not self.built:
            return self.started
        waited = time.monotonic() - self.built - run.elapsed_seconds
        return self.started + max(0.0, waited)

    def unbuilt(self, plan: RunPlan, where: Confinement, detail: str | None = None) -> Graded:
        """The report of a submission whose job could not be built (a grader bug met on its files): status
        "error", the traceback for staff (`detail`, else the one being handled), never a sandbox run."""
        failure = Failure(GRADER_ERROR, GRADER_FAILED, traceback.format_exc() if detail is None else detail)
        run = where.unrun(failure)
        report = _error_report(plan, self.student, self.path, self.submission, run, self.started, self.flags)
        return Graded(self.student, self.path, report)


def prepare(
    plan: RunPlan, student: str, path: Path, where: Confinement, *, scan_flags: bool = True
) -> Prepared | Graded:
    """Load and scan one entry in the parent; an entry the loader refuses is reported (Graded) without a
    sandbox, with `where` as the confinement it would have been run in. `scan_flags=False` skips the
    static scan, whose flags only staff views show."""
    loaded = _load(plan, student, path, scan_flags)
    if isinstance(loaded, SubmissionError):
        return Graded(student, path, _unloadable(plan, student, path, loaded, where))
    return loaded


def _load(plan: RunPlan, student: str, path: Path, scan_flags: bool) -> Prepared | SubmissionError:
    try:
        submission = load_submission(path, provided=plan.support_files)
    except SubmissionError as err:
        return err
    except Exception as err:  # a loader bug costs this one submission, never the batch
        return SubmissionError(
            "unreadable", f"could not read {untrusted.name(path.name)}: {type(err).__name__}: {err}"
        )
    flags = _scanned(plan, submission) if scan_flags else ()
    return Prepared(student, path, submission, time.monotonic(), flags)


@dataclass(frozen=True)
class Ahead:
    """One entry's part in the parent before any sandbox: loaded, scanned and its job built, or why not.
    Needs no pool, so a cold `check` makes it during its plan, beside its worker's start (ahead()), and the
    job follows the worker's ready message at once; the refusal's report waits for the pool's isolation."""

    student: str
    path: Path
    made: float  # when it was made: the wait for a pool until grade_ahead is not the submission's own time
    prepared: Prepared | None = None
    job: dict[str, Any] | None = None
    unloadable: SubmissionError | None = None
    unbuilt: str = ""  # the traceback of a job-building bug

    def refused(self, plan: RunPlan, where: Confinement) -> Graded:
        """The report of an entry with no job, with `where` as the confinement it would have run in."""
        if self.prepared is None:
            assert self.unloadable is not None
            return Graded(
                self.student,
                self.path,
                _unloadable(plan, self.student, self.path, self.unloadable, where),
            )
        waited = time.monotonic() - self.made  # made ahead: the wait for a pool is not its own time
        prepared = dataclasses.replace(self.prepared, started=self.prepared.started + waited)
        return prepared.unbuilt(plan, where, self.unbuilt)


def ahead(plan: RunPlan, student: str, path: Path, *, scan_flags: bool = True) -> Ahead:
    """Load, scan and build the job of one entry (see Ahead)."""
    loaded = _load(plan, student, path, scan_flags)
    if isinstance(loaded, SubmissionError):
        return Ahead(student, path, time.monotonic(), unloadable=loaded)
    try:
        job = loaded.job(plan)
    except Exception:  # a job-building bug costs this one submission, never the batch
        return Ahead(student, path, time.monotonic(), loaded, unbuilt=traceback.format_exc())
    return Ahead(student, path, time.monotonic(), loaded, job)


def grade_paths(
    plan: RunPlan,
    entries: Iterable[tuple[str, Path]],
    pool: SandboxPool,
    *,
    scan_flags: bool = True,
    last: bool = False,
) -> Iterator[Graded]:
    """Grade (student id, path) entries through the pool, yielding each as soon as it is graded.

    Submissions are loaded lazily as the pool asks for work, and forgotten once graded, so the parent's
    memory does not grow with the class size. Entries the loader refuses are reported without a sandbox.
    `last`: the pool runs nothing after these (SandboxPool.map): its workers exit while the last are judged.
    """
    aheads = (ahead(plan, student, path, scan_flags=scan_flags) for student, path in entries)
    return grade_ahead(plan, aheads, pool, last=last)


def grade_runs(
    runs: Iterable[tuple[RunPlan, Iterable[tuple[str, Path]]]],
    pool: SandboxPool,
    *,
    scan_flags: bool = True,
    last: bool = False,
) -> Iterator[Graded]:
    """grade_paths for several runs (a plan and its entries each: other stages, other seeds) in one pass of
    the pool: the next run's first jobs are sent while the last of the one before are still running, so no
    lane waits for a run's slowest submission (run after run, a run of one submission kept one lane of two
    idle for the whole of it). `runs` is read as the pool asks for work: a generator makes each plan when its
    first entry is wanted. A student id is in no two runs at once (ValueError): the pool names each result
    by its student."""
    planned = (
        (plan, ahead(plan, student, path, scan_flags=scan_flags))
        for plan, entries in runs
        for student, path in entries
    )
    return _graded_through(planned, pool, last=last)


def grade_ahead(
    plan: RunPlan, aheads: Iterable[Ahead], pool: SandboxPool, *, last: bool = False
) -> Iterator[Graded]:
    """grade_paths for entries whose parent part is made (ahead()), each taken as the pool asks for work."""
    return _graded_through(((plan, entry) for entry in aheads), pool, last=last)


def _graded_through(
    planned: Iterable[tuple[RunPlan, Ahead]], pool: SandboxPool, *, last: bool
) -> Iterator[Graded]:
    pending: dict[str, tuple[RunPlan, Prepared]] = {}
    refused: list[Graded] = []

    def jobs() -> Iterator[dict[str, Any]]:
        for plan, entry in planned:
            if entry.student in pending:  # its result could not be told from the other's
                raise ValueError(f"student {entry.student!r} is graded twice at once in one pass of the pool")
            if entry.job is None:
                refused.append(entry.refused(plan, pool.confinement))
                continue
            assert entry.prepared is not None
            now = time.monotonic()
            started = entry.prepared.started + (now - entry.made)  # made ahead: the wait is not its own
            pending[entry.student] = (plan, dataclasses.replace(entry.prepared, started=started, built=now))
            yield entry.job

    for student, run in pool.map(jobs(), last=last):
        yield from _drain(refused)
        plan, prepared = pending.pop(student)
        yield prepared.graded(plan, run)
    yield from _drain(refused)


def _drain(refused: list[Graded]) -> Iterator[Graded]:
    while refused:
        yield refused.pop(0)


def grade_one(
    plan: RunPlan,
    path: Path,
    pool: SandboxPool,
    *,
    student: str | None = None,
    scan_flags: bool = True,
    last: bool = False,
) -> Graded:
    """Grade a single submission (`grader grade`, `grader check`: without the staff-only scan); `last`: the
    pool's last job (its worker exits while the report is judged)."""
    return next(
        grade_paths(plan, [(student_name(path, student), path)], pool, scan_flags=scan_flags, last=last)
    )


def student_name(path: Path, student: str | None = None) -> str:
    """The student id of a single submission: `student`, else its file's stem or its folder's name."""
    return untrusted.name(student or (path.stem if path.is_file() else path.resolve().name))
