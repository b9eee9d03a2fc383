"""The subcommands behind `grader ...`, registered in COMMANDS. Parsing lives in grader.cli."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.cli import EXIT_OK, UsageError
from grader.settings import resolve

if TYPE_CHECKING:
    from grader.assignments import Assignment


# grader.assignments (and numpy with it) is imported by the commands that use it, not here: `grader check`
# starts its sandbox worker before the parent pays for numpy, and the worker is what the student waits for.
def load_assignment(ref: str | Path, *, require_fixtures: bool = True) -> Assignment:
    from grader.assignments import load_assignment as load

    return load(ref, require_fixtures=require_fixtures)


def _shipped() -> tuple[str, ...]:
    from grader.assignments import SHIPPED

    return tuple(SHIPPED)


def _cli(args: argparse.Namespace) -> dict[str, Any]:
    return {
        name: getattr(args, name, None)
        for name in ("jobs", "seed", "format", "isolation", "after_due_date", "stage")
    }


# The commands that grade someone else's code, and the argument naming it: a config file among those files
# is the student's, not read (grader/settings.py). `grader check` is the student grading their own.
_GRADED_ARG = {"grade": "submission"}
# `grader batch` and its class folder: a config file inside a student's entry of it may set no grading
# setting; the class folder's top level is no student's (a course keeps its grader.toml above or beside it).
_CLASS_ARG = {"batch": "directory"}


def _resolved(args: argparse.Namespace) -> dict[str, Any]:
    """The settings as given (command line, environment, config file): `seed` None when none was."""
    command = getattr(args, "command", None) or ""

    def given(table: dict[str, str]) -> list[str]:
        arg = table.get(command)
        return [getattr(args, arg)] if arg and getattr(args, arg, None) else []

    return resolve(
        _cli(args), config=getattr(args, "config", None), graded=given(_GRADED_ARG), classes=given(_CLASS_ARG)
    )


def _origin(name: str, args: argparse.Namespace) -> str:
    """Where a setting's value came from (`--stage`, `GRADER_STAGE`, a config file, `default`): looked up only
    for a refusal, as it reads the config file again."""
    from grader.settings import origin

    return origin(name, _cli(args), config=getattr(args, "config", None))


def _stage_origin(args: argparse.Namespace) -> str | None:
    """Where the stage came from when not typed in this command (GRADER_STAGE, a config file): said in its
    refusal, since nothing on the command line shows it."""
    where = _origin("stage", args)
    return None if where == "--stage" else where


def random_seed() -> int:
    """A seed drawn from the operating system's randomness, uniform over 0 to 2**31 - 1 (as
    secrets.randbelow(2**31), without importing `secrets`: its hmac loads OpenSSL, ~3 ms before a `grader
    check` starts its sandbox worker)."""
    return int.from_bytes(os.urandom(4), "big") >> 1


def _settings(args: argparse.Namespace, *, seed: int | None = None) -> dict[str, Any]:
    """The settings with a seed: the one given, else `seed`, else a random one."""
    settings = _resolved(args)
    if settings["seed"] is None:
        settings["seed"] = seed if seed is not None else random_seed()
    return settings


def _plan_and_pool(
    settings: dict[str, Any],
    make_plan: Callable[[], Any],
    jobs: int | None = None,
    meanwhile: Callable[[], tuple[str, ...]] = tuple,
) -> Any:
    """Build the run's cases while the first sandbox worker starts: each takes ~0.15 s, and a student's
    `grader check` should answer before they look away. Then the modules `meanwhile`, one at a time, while
    the first job runs: what judging and the report import anyway, in time the parent would spend waiting
    for the job's reply; once the reply is there, the rest is left to the steps that use them. Not while
    the worker starts: on two cores the worker, its harness and the plan already compete for them, and
    every millisecond of the parent's CPU there delayed the worker's ready message (session 29). A
    callable: the names may live in a module that must not be imported before the worker's Popen."""
    # The pool's modules need no numpy: imported here, the starter thread reaches the worker's Popen
    # before make_plan's imports (numpy's among them) hold the interpreter lock for long stretches.
    import grader.sandbox.pool  # noqa: F401

    # The plan starts once the worker's process exists: its imports would otherwise take the interpreter
    # lock from the starter thread's last steps before the Popen (the runtime's bytecode checked, the bwrap
    # command line), and the worker's start, the longest step of a check, would begin that much later.
    # The plan has the worker's whole start to run beside it.
    popened = threading.Event()

    def start_pool() -> Any:
        try:
            return _pool(settings, jobs, on_first_popen=popened.set, on_first_send=import_while_it_runs)
        finally:  # refused or failed before any Popen: the plan still runs (its errors come first)
            popened.set()

    def import_while_it_runs(replied: Callable[[], bool]) -> None:
        # On the pool's thread running the job, while the parent's main thread waits for its result: no
        # other thread imports then. A module that fails here fails again where it is used, and says so.
        # __import__, not importlib.import_module: the import statement's path, which `python -X importtime`
        # logs (the tests read that log for what a check imports; import_module's pure-Python path is not
        # in it).
        with contextlib.suppress(Exception):
            for name in meanwhile():
                if replied():
                    break
                __import__(name)

    from grader.sandbox.calls import Call

    pool = Call.on_thread(start_pool, "pool-starter")
    try:
        popened.wait()
        plan = make_plan()
    except BaseException:
        with contextlib.suppress(Exception):
            pool.result().close()
        raise
    return plan, pool.result()


def _pool(
    settings: dict[str, Any],
    jobs: int | None = None,
    where: Callable[[str], str] | None = None,
    on_first_popen: Callable[[], None] | None = None,
    on_first_send: Callable[[Callable[[], bool]], None] | None = None,
) -> Any:
    """The local sandbox pool: `jobs`, else the settings' jobs capped to the CPUs (`where` names their source
    in the warning), else one per CPU; `on_first_popen` and `on_first_send` as SandboxPool's."""
    from grader.sandbox import IsolationRefused, SandboxPool

    if jobs is None:
        jobs = _settings_jobs(settings, where)
    try:
        pool = SandboxPool(
            jobs=jobs,
            isolation=settings["isolation"],
            on_first_popen=on_first_popen,
            on_first_send=on_first_send,
        )
    except IsolationRefused as err:
        raise UsageError(str(err)) from None
    for note in pool.notes:
        print(f"WARNING: {note}", file=sys.stderr)
    return pool


def _settings_jobs(settings: dict[str, Any], where: Callable[[str], str] | None) -> int | None:
    """The settings' jobs, capped to the CPUs with one warning naming their source (`where`) where this
    machine starts that many sandboxes: the local pool's, each dask-local worker's."""
    from grader.settings import usable_cpus, within_the_cpus

    jobs = settings["jobs"]
    if jobs is not None and where is not None and jobs > usable_cpus():  # where reads the config file again
        jobs = within_the_cpus(jobs, where("jobs"))
    return jobs


def _plan(
    assignment_ref: str,
    seed: int,
    include: tuple[str, ...] | None = None,
    stage: str | None = None,
    inferred: Any = None,
    seed_private: bool = False,
) -> Any:
    """The run's cases at `stage` (None: the default); `inferred` (an Inference) when `check` chose it."""
    from grader.cases import ALL_VISIBILITIES, cases_for_run
    from grader.pipeline import RunPlan

    assignment = load_assignment(assignment_ref)
    chosen = stage or (inferred.stage if inferred else None)
    cases = cases_for_run(assignment, seed, include=include or ALL_VISIBILITIES, stage=chosen)
    how = "asked" if stage else ("inferred" if inferred else "default")
    reason = inferred.reason if inferred and not stage else ""
    return RunPlan.create(
        assignment,
        seed,
        cases,
        stage=chosen,
        stage_choice=how,
        stage_reason=reason,
        seed_private=seed_private,
    )


def _check_stage_name(
    assignment_ref: str, stage: str | None, args: argparse.Namespace, from_batch: str | None = None
) -> None:
    """An unknown --stage is a usage error listing the stages, before any sandbox starts; where the stage
    came from when it was not --stage (GRADER_STAGE, a config file, `from_batch`: the batch.json a resume
    took it from) is said in it (looked up only then: it reads the config file again)."""
    if stage is None:
        return
    from grader.schema import ConfigError
    from grader.settings import stage_from

    try:
        load_assignment(assignment_ref, require_fixtures=False).stage(stage)
    except ConfigError as err:
        message = stage_from(str(err), stage, from_batch or _stage_origin(args))
        # `--stage layer-naive` on a file inferred as (or told to be) DeZero: name the stage's own assignment
        owners = [a for a in _shipped() if a != assignment_ref and _has_stages(a, stage)]
        if from_batch is not None:  # the batch's own stage, gone from this grader: no other course's
            raise ConfigError(f"{message}; grade the class again into a new --out") from None
        if not owners:
            raise ConfigError(message) from None
        raise UsageError(f"{message}; {stage} is a stage of {owners[0]} (--assignment {owners[0]})") from None


def _has_stages(assignment_ref: str, stage: str) -> bool:
    """Whether every part of `stage` is a stage of that assignment ("default" is no course's own name)."""
    from grader.stages import PART_SEPARATOR

    names = load_assignment(assignment_ref, require_fixtures=False).stage_names
    parts = [p.strip() for p in stage.split(PART_SEPARATOR)]
    return "default" not in parts and all(p in names for p in parts)


def _existing(path: str, what: str) -> Path:
    p = Path(path)
    try:
        exists = p.exists()
    except OSError as err:  # Python 3.11's exists() raises for a path in a folder this user may not enter
        # it was "internal error, please report it" and a PermissionError traceback (batch, grade and check)
        raise UsageError(
            f"{what} {path} cannot be checked ({err.strerror or type(err).__name__}); run the grader as a "
            "user who can read it"
        ) from None
    if not exists:
        raise UsageError(f"{what} {path} does not exist")
    return p


def _out_dir(path: str) -> Path:
    """Refuse an --out that cannot be a directory, or cannot be written, before any grading time is spent:
    `grader grade` run in a folder the user cannot write (its default --out is ./grader-out) graded, then
    failed with "internal error, please report it" and a PermissionError traceback."""
    p = Path(path)
    try:
        existing = _nearest_existing(path, p)
    except OSError as err:  # Python 3.11's exists() raises for a folder this user may not enter
        why = err.strerror or type(err).__name__
        raise UsageError(
            f"--out {path} cannot be checked ({why}: {err.filename or path}); name a directory you can "
            "write (--out DIR)"
        ) from None
    if existing == p.absolute() and not existing.is_dir():
        raise UsageError(f"--out {path} exists and is not a directory; name a directory to write into")
    if not existing.is_dir():
        raise UsageError(f"--out {path}: {existing} is a file, not a folder; name a directory to write into")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(
            f"--out {path}: {existing} is not writable by this user; name a directory you can write "
            "(--out DIR)"
        )
    return p


def _no_linked_out(path: str) -> None:
    """Refuse a relative --out that goes through a symbolic link in the working directory while grading
    someone's submission (`grade`, `batch`): in a student's unpacked folder, their link `grader-out ->
    ../lee/grader-out` (the default --out) sent kim's report over lee's, wherever the grader's user could
    write (session 24, hunt2). A link the grader's user made is named by its absolute path."""
    here = Path.cwd()
    p = Path(path)
    if p.is_absolute():
        return
    at = here
    for part in p.parts:
        if part == "..":  # out of the working directory's folder: the grader's user's own folders
            return
        at = at / part
        try:
            linked = at.is_symlink()
        except OSError:  # a folder the user cannot enter: _out_dir says so (review of s24-hunt2)
            return
        if linked:
            raise UsageError(
                f"--out {path}: {at.relative_to(here)} in the working directory is a symbolic link (to "
                f"{os.readlink(at)}): not written through while grading a submission, since it may be the "
                f"student's; if it is yours, name the directory by its absolute path: --out "
                f"{os.path.realpath(p)}"
            )


def _nearest_existing(path: str, p: Path) -> Path:
    """`p` or its nearest ancestor that exists; a symbolic link on the way that leads nowhere (a dangling
    one, or a loop) is refused: the folder could not be made there, and `grader grade` graded, then failed
    writing the report with "internal error" and a FileExistsError."""
    for a in (p.absolute(), *p.absolute().parents):
        if a.exists():
            return a
        if a.is_symlink():
            raise UsageError(
                f"--out {path}: {a} is a symbolic link that leads nowhere (to {os.readlink(a)}); name a "
                "directory to write into"
            )
    return Path(p.absolute().anchor)


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.other_assignment import defines_none_required, looks_like, wrong_assignment_line
    from grader.pipeline import grade_one
    from grader.reports import print_summary, write
    from grader.reports.escape import terminal

    settings = _resolved(args)
    private = _student_seed(args, settings)
    settings = _settings(args, seed=private)
    _no_class_formats(settings["format"], args)
    submission = _existing(args.submission, "submission")
    _no_linked_out(args.out)
    out = _out_dir(args.out)
    _check_stage_name(args.assignment, settings["stage"], args)
    by = _stage_origin(args) if settings["stage"] is not None else None
    if by is not None:
        # as batch's first line: the summary says "(asked)", and nothing typed in this command asked (a
        # GRADER_STAGE left in the shell, a grader.toml in the working directory)
        print(f"stage {settings['stage']} (set by {terminal(by)})", file=sys.stderr)
    plan, pool = _plan_and_pool(
        settings,
        lambda: _plan(
            args.assignment, settings["seed"], stage=settings["stage"], seed_private=private is not None
        ),
        jobs=1,
    )
    formats = ("json", *(f for f in settings["format"] if f != "json"))
    with pool:  # its one job: the worker exits while the report is judged
        graded = grade_one(plan, submission, pool, last=True)
    paths = write(graded.report, out, formats, after_due_date=settings["after_due_date"])
    # The terminal follows the rule of junit.xml and student.json: the student view (as after the due date
    # or not) wherever a student may read it, a course CI's log above all; the staff view only when asked for
    # on the command line (docs/INSTRUCTORS.md "Which view goes where").
    print_summary(graded.report, student=not args.staff_view, after_due_date=settings["after_due_date"])
    if defines_none_required(graded.report, plan, submission):
        looks = graded.report.stage.looks_like if graded.report.stage is not None else None
        guess = looks_like(plan, [(submission, looks)])
        print(f"note: {wrong_assignment_line(plan.assignment.id, plan.graded_stage, guess, 'grader grade')}")
    for path in paths:
        print(f"wrote {terminal(path)}")
    return EXIT_OK


def _student_seed(args: argparse.Namespace, settings: dict[str, Any]) -> int | None:
    """With --seed-secret and no seed given: the per-student seed from --submission-metadata (None, a
    random seed, when the metadata cannot say who the student is). Told to the log, which is staff's."""
    from grader.gradescope_seed import read_secret, student_seed
    from grader.reports.escape import terminal

    secret_file = getattr(args, "seed_secret", None)
    metadata = getattr(args, "submission_metadata", None)
    if secret_file is None:
        if metadata is not None:
            raise UsageError(
                "--submission-metadata needs --seed-secret (the course secret the seed is made from)"
            )
        return None
    if metadata is None:
        raise UsageError("--seed-secret needs --submission-metadata (the file saying whose submission it is)")
    secret = read_secret(Path(secret_file))  # a ConfigError (exit 2) when the kit's secret is broken
    if settings["seed"] is not None:
        print(
            "seed: the one given (--seed, GRADER_SEED or the config file), not the per-student seed",
            file=sys.stderr,
        )
        return None
    derived = student_seed(Path(metadata), secret)
    if derived.seed is None:
        print(f"WARNING: random seed, not regrade-stable: {terminal(derived.source)}", file=sys.stderr)
    elif getattr(args, "staff_view", False):
        print(f"seed {derived.seed}: {terminal(derived.source)}", file=sys.stderr)
    else:  # the seed replays the student's hidden cases (grader/gradescope_seed.py): staff's, as report.json
        print(f"seed: per student, in report.json: {terminal(derived.source)}", file=sys.stderr)
    return derived.seed


def _no_class_formats(formats: tuple[str, ...], args: argparse.Namespace) -> None:
    from grader.settings import CLASS_FORMATS

    wrong = [f for f in formats if f in CLASS_FORMATS]
    if wrong:
        # GRADER_FORMAT or a grader.toml shared with `batch`: "--format canvas" named a flag nobody typed
        where = _origin("format", args)
        given = (
            f"--format {','.join(wrong)}"
            if where == "--format"
            else f"format {','.join(wrong)} (from {where})"
        )
        # Not typed: the file or variable is shared with the class's batches; say how to grade one here.
        rest = ",".join(f for f in formats if f not in CLASS_FORMATS) or "json"
        here = "" if where == "--format" else f"; to grade one submission, pass --format {rest}"
        raise UsageError(
            f"{given} is a class gradebook import: use it with `grader batch`, which writes it next to "
            f"gradebook.csv{here}"
        )


def cmd_batch(args: argparse.Namespace) -> int:
    from grader.batch.run import (
        PreviousBatch,
        check_directory,
        check_resumable,
        listable,
        previous_after_due_date,
        previous_seed,
        previous_stage,
        refuse_started,
        run_batch,
    )
    from grader.reports.escape import terminal

    _no_linked_out(args.out)
    out = _out_dir(args.out)
    settings = _resolved(args)
    reused = set()  # the settings a resume takes from the batch, none being given
    earlier = None  # batch.json, read once: run_batch takes the rest of what a resume needs from it
    if not (args.resume or args.only):
        refuse_started(out)  # before the executor starts
    else:
        earlier = PreviousBatch.read(out)
        assignment = load_assignment(args.assignment, require_fixtures=False)
        stage = previous_stage(earlier, assignment.id, assignment.stage().name)
        for name, previous in (("seed", previous_seed(earlier)), ("stage", stage)):
            if settings[name] is None and previous is not None:
                settings[name] = previous
                reused.add(name)
        # kept as the students graded before have it, as the seed and stage; given nowhere, it is `default`
        shown = previous_after_due_date(earlier)
        if shown is not None and _origin("after_due_date", args) == "default":
            settings["after_due_date"] = shown
            reused.add("after_due_date")
    if settings["seed"] is None:
        settings["seed"] = random_seed()

    def origin(name: str) -> str:  # looked up only for a refusal: it reads the config file again
        from grader.settings import SETTINGS

        if name in reused:
            return f"{out / 'batch.json'}, as none was given"
        if name not in SETTINGS:  # the assignment: this command's own argument
            return "the command line"
        return _origin(name, args)

    directory = _existing(args.directory, "directory")
    if directory.is_dir():  # a file is refused by run_batch, saying what to do with it
        listable(directory)  # before the class line and the assignment's cases
    if earlier is not None:
        check_directory(out, earlier, directory)  # before the executor starts, as refuse_started
    roster = _existing(args.roster, "--roster") if args.roster else None
    executor_of = _executor_factory(args)
    _check_stage_name(
        args.assignment, settings["stage"], args, origin("stage") if "stage" in reused else None
    )
    plan = _plan(args.assignment, settings["seed"], stage=settings["stage"])
    if earlier is not None:
        # before the executor starts too
        check_resumable(out, plan, earlier, settings["format"], origin, settings["after_due_date"])
    # A stage not typed in this command (GRADER_STAGE, a grader.toml, the batch's own) is named with its
    # source: a grader.toml in the working directory changed the stage with nothing on the terminal saying so.
    stage_by = origin("stage") if settings["stage"] is not None else "--stage"
    print(
        f"grading {terminal(directory)} against {plan.assignment.id} stage {plan.graded_stage.name}"
        f"{'' if stage_by == '--stage' else f' (set by {terminal(stage_by)})'} with seed {plan.seed}",
        file=sys.stderr,
    )
    executor = executor_of(settings, origin)  # after the class line: a jobs warning follows it
    try:
        result = run_batch(
            plan,
            directory,
            out,
            executor,
            formats=settings["format"],
            resume=args.resume,
            only=tuple(args.only or ()),
            roster=roster,
            after_due_date=settings["after_due_date"],
            validate=args.validate,
            origin=origin,
            previous=earlier,
        )
    finally:
        executor.close()
    print(f"graded {result.graded_now} now, {result.total} in total")
    print(f"gradebook: {result.gradebook}")
    print(f"summary:   {result.summary}")
    print(result.flagged_line)
    for path in result.imports:
        print(f"import:    {terminal(path)}")
    print(f"class report: {terminal(result.index)} (open it in a browser)")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from grader.reports.class_report import write_class_report
    from grader.reports.escape import terminal

    out = _existing(args.out, "batch output directory")
    print(f"class report: {terminal(write_class_report(out))}")
    return EXIT_OK


def cmd_gradescope_kit(args: argparse.Namespace) -> int:
    from grader.gradescope_kit import build_kit
    from grader.reports.escape import terminal

    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {args.out} is a directory; name the zip to write (e.g. autograder.zip)")
    wheel = _existing(args.wheel, "--wheel") if args.wheel else None
    secret = _existing(args.seed_secret, "--seed-secret") if args.seed_secret else None
    # the stage checked before anything is written: an unknown one left a kit and a secret behind
    graded = load_assignment(args.assignment, require_fixtures=False)
    graded_stage = graded.stage(args.stage)
    kit = build_kit(args.assignment, out, stage=args.stage, wheel=wheel, secret=secret)
    stage = f", stage {terminal(kit.stage)}" if kit.stage else ""
    print(f"wrote {terminal(kit.path)}: {kit.assignment}{stage}, with {kit.wheel}")
    made = "made now" if kit.secret_created else "reused"
    print(
        f"course secret ({made}): {terminal(kit.secret)}; keep it private, and build later kits with it "
        "(it is reused from next to the zip), so that regrades keep each student's generated cases"
    )
    # what to type as the assignment's autograder points: the score Gradescope shows is out of them
    fewer = (
        "; a student whose code leaves out an optional class is counted against this total scaled from the "
        "points of the tests that ran, as the LMS imports count it"
        if graded_stage.optional_points
        and set(map(str.lower, graded_stage.optional_classes))
        - set(map(str.lower, graded_stage.optional_feedback))
        else ""
    )
    print(
        "upload it as the autograder of a Gradescope programming assignment worth "
        f"{graded.max_points(args.stage):g} points (stage {terminal(graded_stage.name)}{fewer}; "
        "docs/INSTRUCTORS.md)"
    )
    return EXIT_OK


def _local_executor(settings: dict[str, Any], where: Callable[[str], str]) -> Any:
    from grader.batch.executors import LocalExecutor

    return LocalExecutor(_pool(settings, where=where))


DASK_MISSING = (
    "--executor {name} needs Dask, which is not installed here: pip install 'backprop-grader[dask]' "
    "(dask and distributed; docs/DASK.md)"
)


def _dask_executor(
    name: str, args: argparse.Namespace, settings: dict[str, Any], where: Callable[[str], str]
) -> Any:
    try:
        from grader.cluster.executor import ClusterError, DaskExecutor
    except ImportError:
        raise UsageError(DASK_MISSING.format(name=name)) from None
    try:
        if name == "dask":
            executor = DaskExecutor.connect(args.scheduler, isolation=settings["isolation"])
        else:
            # Its workers are this machine's processes, each a pool of `jobs` sandboxes: capped as the local
            # pool's are (a remote scheduler's workers choose their own, `dask worker --nthreads`)
            per_worker = _settings_jobs(settings, where) or 1
            executor = DaskExecutor.local(args.workers or 2, per_worker, isolation=settings["isolation"])
    except (ClusterError, OSError) as err:
        raise UsageError(f"--executor {name}: {err}") from None
    executor.describe(sys.stderr)
    return executor


def _executor_factory(args: argparse.Namespace) -> Callable[[dict[str, Any], Callable[[str], str]], Any]:
    """Check the executor's arguments before any grading time is spent; return what builds it."""
    name = getattr(args, "executor", "local")
    if name == "dask" and not args.scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT (what `dask scheduler` prints)")
    if name != "dask" and args.scheduler:
        raise UsageError(f"--scheduler is for --executor dask, not {name}")
    if name != "dask-local" and args.workers is not None:
        raise UsageError(f"--workers is for --executor dask-local, not {name}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if name == "local":
        return _local_executor
    return lambda settings, where: _dask_executor(name, args, settings, where)


def _source(submission: Path) -> Any:
    """The submission's files as the loader reads them (parsed here, never run), or the loader's refusal: read
    once for the assignment, the wrong-family note and the stage."""
    from grader.loaders import SubmissionError, load_submission

    try:
        return load_submission(submission).files
    except SubmissionError as err:
        return err


def _refuse_empty(source: Any) -> None:
    """An empty file or folder: one line saying so, whether or not --assignment was given (with it, every
    visible case errored with "the same as ... above" under a stage line that said no stage matched)."""
    from grader.loaders import SubmissionError

    if isinstance(source, SubmissionError) and source.code == "empty":
        raise UsageError(f"nothing to check here: {source.message}")


def _candidates() -> list[Any]:
    """The shipped assignments as inference sees them (grader.infer.Candidate). Each manifest read and
    checked is ~1.8 ms of CPU: a check asks for them up to three times (the assignment, the note on another
    one, the note on names graded elsewhere), so it reads them once (`functools.cache` in cmd_check)."""
    from grader.infer import candidate

    return [candidate(load_assignment(a, require_fixtures=False)) for a in _shipped()]


def _infer_assignment(source: Any, shipped: Callable[[], list[Any]] = _candidates) -> str:
    from grader.infer import best_match, no_match_reason, nothing_to_check, package_left_out
    from grader.loaders import SubmissionError

    if isinstance(source, SubmissionError):  # an empty one was refused before (cmd_check)
        raise UsageError(source.message)
    candidates = shipped()
    guess = best_match(source, candidates)
    if guess is None:
        nothing = nothing_to_check(source, candidates)
        if nothing:  # an empty file, or the one using the classes without the one defining them
            raise UsageError(f"nothing to check here: {nothing}")
        why = no_match_reason(source, candidates)
        raise UsageError(
            f"cannot tell which assignment this is: {why}; pass --assignment ({', '.join(_shipped())})"
        )
    left_out = package_left_out(source, candidates, guess)
    if left_out:  # one module of dezero/ alone: no stage can load without the package it imports
        raise UsageError(f"nothing to check here: {left_out}")
    return guess


def _other_assignment(
    assignment_ref: str, source: Any, shipped: Callable[[], list[Any]] = _candidates
) -> list[str]:
    """`--assignment dezero` on the layers of DLFS: one line saying the code defines none of the names the
    assignment grades and which assignment it looks like, above the list of every name missing; for a book
    file no assignment grades (`--assignment dlfs-advanced` on common/optimizer.py), which file it is."""
    from grader.infer import best_match, ungraded_only
    from grader.loaders import SubmissionError

    if assignment_ref not in _shipped() or isinstance(source, SubmissionError):
        return []  # an instructor's manifest: no comparison; a refusal: grading reports it with its reason
    candidates = shipped()
    guess = best_match(source, candidates)
    if guess is None:  # the book's common/optimizer.py: which file it is, and that it is not graded
        ungraded = ungraded_only(source, candidates)
        return [f"note: {ungraded}"] if ungraded else []
    if (
        guess == assignment_ref
        or best_match(source, [c for c in candidates if c.id == assignment_ref]) is not None
    ):
        return []
    return [
        f"note: your code defines none of the names {assignment_ref} grades; it looks like {guess} "
        f"(--assignment {guess}, or no --assignment)"
    ]


def _graded_elsewhere(
    assignment_ref: str, source: Any, shipped: Callable[[], list[Any]] = _candidates
) -> list[str]:
    """Chapter 5's layers checked beside the book's common/optimizer.py: one line naming the optimizers,
    which the assignment checked does not grade, and the assignment and stage that do."""
    from grader.infer import graded_elsewhere
    from grader.loaders import SubmissionError

    if assignment_ref not in _shipped() or isinstance(source, SubmissionError):
        return []
    candidates = shipped()
    note = graded_elsewhere(source, candidates, assignment_ref)
    return [f"note: {note}"] if note else []


def _infer_stage(assignment_ref: str, source: Any) -> Any:
    """The stage the submission's source looks like, or None."""
    from grader import named_step
    from grader.loaders import SubmissionError
    from grader.stage_scan import graded_code_files, infer
    from grader.stages import Inference

    assignment = load_assignment(assignment_ref, require_fixtures=False)
    if not assignment.declares_stages or isinstance(source, SubmissionError):
        return None  # a refusal: grading reports it with its reason
    looks = infer(assignment, source)
    # only the files whose code is graded claim a step (an empty step18_todo.py beside step14.py: none)
    graded = graded_code_files(assignment, source) if looks else []
    named = named_step.named_step(assignment.stages, graded) if looks else None
    unwritten = _unwritten_subject(assignment, source, named) if named is not None else ()
    if (
        looks is None
        or named is None
        or unwritten
        or not named_step.later(assignment.stage_names, named.stage, looks.stage)
    ):
        found = _beyond_the_lesson(
            assignment, source, _past_the_last_step(assignment, source, looks, graded), graded
        )
        if found is None or named is None or not unwritten:
            return found
        note = named_step.subject_note(assignment.stages, named, unwritten, found.stage)
        return Inference(found.stage, found.reason + note)
    return Inference(named.stage, named_step.reason(named, looks.stage, looks.reason))


def _unwritten_subject(assignment: Any, source: Any, named: Any) -> tuple[str, ...]:
    """named_step.past_an_unwritten_subject over every identifier of the submission's Python files."""
    from grader import named_step
    from grader.inside.choice import stage_step
    from grader.stage_scan import family_aliases, mentioned_names

    own = stage_step(named.stage)
    if own is None or named.step <= int(own):
        return ()  # the file names its stage's own step: nothing read
    mentioned: set[str] = set()
    for rel, data in source.items():
        if rel.endswith(".py"):
            mentioned |= mentioned_names(data)
    spellings = family_aliases(assignment.family)
    return named_step.past_an_unwritten_subject(assignment.stages, named, mentioned, spellings)


def _beyond_the_lesson(assignment: Any, source: Any, looks: Any, graded: list[str]) -> Any:
    """`looks`, its reason naming the node classes the code adds beyond the course's (MiniFlow's Tanh, ReLU),
    which no case grades."""
    from grader import beyond_lesson
    from grader.stages import Inference

    if looks is None:
        return looks
    extra = beyond_lesson.extra_nodes(assignment.family, source, graded)
    return Inference(looks.stage, looks.reason + beyond_lesson.note(extra)) if extra else looks


def _past_the_last_step(assignment: Any, source: Any, looks: Any, graded: list[str]) -> Any:
    """`looks`, its reason saying which steps after the last graded one the code has code of (a dezero/ of
    step 52 inferred step46 said nothing of steps 47 to 52 going ungraded). `graded`: graded_code_files."""
    from grader import later_steps
    from grader.defined import program_files
    from grader.inside.choice import stage_step
    from grader.stage_scan import mentioned_names
    from grader.stages import Inference

    last = later_steps.last_step(assignment.stages)
    step = stage_step(looks.stage) if looks is not None else None
    if looks is None or last is None or step is None:
        return looks
    # the step the code is graded at: a later step's names up to the last are graded at their own stage
    at = min(last, int(step))
    names = later_steps.library_names(assignment.family, program_files(source, assignment), graded)
    files = later_steps.named_files(source, graded)
    staged = {int(n) for st in assignment.stages if (n := stage_step(st.name)) is not None}
    found = later_steps.reached(assignment.family, at, names, files, last=last, staged=staged)
    graded_ids = {st.name: assignment.stage_case_ids(st.name) for st in assignment.stages}
    mentioned = set().union(*(mentioned_names(data) for rel, data in source.items() if rel.endswith(".py")))
    beside = later_steps.off_branch(
        assignment.stages, graded_ids, assignment.family, looks.stage, names, mentioned
    )
    if not found:
        return Inference(looks.stage, looks.reason + beside) if beside else looks
    needs = {
        s: later_steps.stage_needs(assignment.stages, assignment.family, s, names)
        for s in {s for _, s in found if s <= last}
    }
    said = later_steps.note(last, found, at, needs, assignment.limits.memory_mib)
    return Inference(looks.stage, looks.reason + said + beside)


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    submission = _existing(args.submission, "submission")
    visible = ("visible",)
    asked = settings["stage"]
    inferred: list[Any] = []  # the stage the source looks like, when none was asked for

    notes: list[str] = []
    made: list[Any] = []  # the submission's pipeline.Ahead, made with the plan
    methods: set[str] = set()  # the methods a stage makes optional that the source defines (save_weights)

    def make_plan() -> Any:  # runs while the sandbox worker starts: inferring the assignment included
        source = _source(submission)
        _refuse_empty(source)
        shipped = functools.cache(_candidates)  # read once, asked up to three times
        assignment = args.assignment or _infer_assignment(source, shipped)
        if args.assignment:
            notes.extend(_other_assignment(args.assignment, source, shipped))
        if not notes:
            notes.extend(_graded_elsewhere(assignment, source, shipped))
        _check_stage_name(assignment, asked, args)
        if not asked:
            inferred.append(_infer_stage(assignment, source))
        guess = inferred[0] if inferred else None
        plan = _plan(assignment, settings["seed"], include=visible, stage=asked, inferred=guess)
        # The submission loaded and its job built here, beside the worker's start, not once it is ready.
        # No static scan: its flags are for staff, and a student's view drops them.
        from grader.pipeline import ahead, student_name
        from grader.stage_scan import step_methods

        made.append(ahead(plan, student_name(submission), submission, scan_flags=False))
        if not isinstance(source, Exception):  # a refused load: the job's own report says why
            methods.update(step_methods(plan, source))
        # What the lines printed before the job need (the terminal's escaping comes with the reports), here
        # and not after the worker is ready, where each millisecond is the student's.
        import grader.reports  # noqa: F401

        return plan

    plan, pool = _plan_and_pool(settings, make_plan, 1, meanwhile=_after_the_run)
    from grader.pipeline import grade_ahead
    from grader.reports import print_summary
    from grader.reports.escape import terminal
    from grader.reports.terminal import hidden_points_line, unshown_missing_line

    stage = plan.graded_stage
    print(f"checking {terminal(submission)} against {plan.assignment.id} (visible cases only)")
    for note in notes:
        print(terminal(note))
    with pool:  # its one job: the worker exits while the report is judged
        graded = next(grade_ahead(plan, made, pool, last=True))
    unloaded = _unloaded(graded.report)
    if unloaded is not None:  # the one reason every case errs, read first (not under a stage line)
        print(terminal(f"every case below is an error, for one reason: {unloaded.message}"))
    if plan.assignment.declares_stages:
        uncompiled = unloaded is not None and unloaded.failure_code == "syntax_error"
        asked_by = _origin("stage", args) if plan.stage_choice == "asked" else ""
        print(_stage_line(plan, bool(inferred) and inferred[0] is not None, asked_by, uncompiled))
    print_summary(graded.report, student=True, details=True, show_seed=any(c.generated for c in plan.cases))
    load = graded.report.load
    found = {*load.found, *methods} if load is not None else None
    hidden = hidden_points_line(plan.assignment, stage.name, found)
    if hidden:
        print(hidden)
    unshown = unshown_missing_line(plan.assignment, stage.name, load.found if load is not None else ())
    if unshown and load is not None and load.found:  # nothing found: the load's own failure says it
        print(terminal(unshown))
    # An optional class's case is feedback when it carries no points: a failing one is shown, never a reason
    # to fail the check. One that costs points does fail it: a step file's own goldstein, mistyped, lost its
    # point and the check said "all visible cases pass" (sample step24_goldstein_typo.py).
    passed = all(c.status == "passed" or (c.optional and not c.max_points) for c in graded.report.cases)
    print("all visible cases pass" if passed else "some visible cases fail: see above")
    return EXIT_OK if passed else 1


def _after_the_run() -> tuple[str, ...]:
    from grader.pipeline import AFTER_THE_RUN  # imported by the plan already: a lookup

    return AFTER_THE_RUN


def _unloaded(report: Any) -> Any:
    """The first visible case of a submission that did not load (every case errs with the load's reason), or
    None: a syntax error was read under the stage line, on the first of a column of identical errors."""
    if report.status != "load_failed":
        return None
    return next((c for c in report.cases if (c.visibility, c.status) == ("visible", "error")), None)


def _stage_line(plan: Any, inferred: bool, asked_by: str, uncompiled: bool = False) -> str:
    """`asked_by`: where an asked stage came from (`--stage`, `GRADER_STAGE`, a config file): a grader.toml
    left in the folder (a course's, a copied one) picked the stage while the line said "--stage or
    GRADER_STAGE", and the student looked for neither."""
    from grader.reports.escape import terminal

    stage = plan.graded_stage
    if plan.stage_choice == "asked":
        why = f"asked by {asked_by}"
    elif inferred:
        why = f"inferred: {plan.stage_reason}"
    elif uncompiled:  # only its unindented definitions could be read: "no stage matches" blamed the names
        why = "the default: your code does not compile, so its stage could not be told from it"
    else:
        why = "the default: no stage matches the names your code defines"
    others = ", ".join(s for s in plan.assignment.stage_names if s not in stage.part_names)
    return terminal(f"stage {stage.name}, {why}; other stages: {others} (--stage NAME)")


def cmd_fixtures(args: argparse.Namespace) -> int:
    # Usage errors (exit 2) come before torch is paid for: an unknown id, a build into an installed package.
    if args.assignment:
        load_assignment(args.assignment, require_fixtures=False)
    if args.action == "build" and (args.assignment is None or args.assignment in _shipped()):
        _refuse_packaged_build()
    from grader import fixtures_tool

    return fixtures_tool.run(args.action, args.assignment)


def _refuse_packaged_build() -> None:
    """`build` rewrites the shipped fixtures where they were found: never inside an installed package."""
    from grader.assignments import locate_fixtures

    where = locate_fixtures()
    if where.origin == "package":
        raise UsageError(
            f"the shipped fixtures here are the installed package's copy ({where.path}); build writes "
            "into a source checkout: run it from a clone of backprop-grader, or set GRADER_FIXTURES to a "
            "writable fixtures/ folder"
        )


def cmd_assignments(args: argparse.Namespace) -> int:
    print(f"{'id':<14}{'family':<10}{'cases':>6}{'generated':>10}{'points':>8}  title")
    assignments = [load_assignment(ident) for ident in _shipped()]
    for a in assignments:
        ids = set(a.stage_case_ids())
        stored = sum(c.fixture in ids for c in a.cases)
        generated = sum(g.count for g in a.generated if g.id in ids)
        print(f"{a.id:<14}{a.family:<10}{stored:>6}{generated:>10}{a.max_points():>8g}  {a.title}")
    for a in assignments:
        if not a.declares_stages:
            continue
        print(f"\nstages of {a.id} (--stage NAME; default {a.default_stage}):")
        # the longest name sets the column (multi-layer-net-extend pushed its counts out of line)
        w = max(14, *(len(s.name) + 1 for s in a.stages))
        for s in a.stages:
            mark = "*" if s.name == a.default_stage else " "
            cases = len(a.stage_case_ids(s.name))
            print(f" {mark}{s.name:<{w}}{cases:>3} cases{a.max_points(s.name):>6g} points  {s.title}")
            print(f"  {'':<{w}}requires {', '.join(s.requires)}")
            feedback = {c.lower() for c in s.optional_feedback} if s.optional_points else None
            scored = [c for c in s.optional_classes if feedback is not None and c.lower() not in feedback]
            unscored = [c for c in s.optional_classes if c not in scored]
            if scored:
                print(f"  {'':<{w}}optional {', '.join(scored)} (checked when defined; with points)")
            if unscored:
                print(f"  {'':<{w}}optional {', '.join(unscored)} (checked when defined; 0 points, feedback)")
    return EXIT_OK


def cmd_samples(args: argparse.Namespace) -> int:
    """Batch-grade the bundled sample submissions of every shipped assignment (the README's main job)."""
    from grader.batch.run import run_batch
    from grader.sample_share import per_assignment, share_folder
    from grader.samples import SAMPLE_DIRS

    settings = _settings(args, seed=0)
    out = _out_dir(args.out)
    absent = [str(d) for d in SAMPLE_DIRS.values() if not d.is_dir()]
    if absent:
        raise UsageError(
            f"the bundled samples ({', '.join(absent)}) ship with a source checkout, not with an installed "
            "package: clone backprop-grader and run `./install.sh grader samples` there"
        )
    share = per_assignment(args.per_assignment)
    chosen = _sample_dirs(args.assignment, SAMPLE_DIRS)
    pool_here = _pool(settings, where=lambda name: _origin(name, args))
    with pool_here as pool, tempfile.TemporaryDirectory(prefix="grader-samples-") as tmp:
        for assignment_id, directory in chosen.items():
            plan = _plan(assignment_id, settings["seed"])
            _clear_previous_batch(out / assignment_id)
            graded = str(directory)
            if share is not None:
                shared, total = share_folder(directory, share, Path(tmp) / assignment_id)
                graded = f"{min(share, total)} of the {total} samples in {directory}"
                directory = shared
            print(f"== {assignment_id}: grading {graded} (seed {plan.seed})", file=sys.stderr)
            formats = ("json", "gradescope", "junit")
            # --validate: the batch's own schema check of every report before it is written (an invalid
            # one stops the run with the JSON path that broke the schema).
            result = run_batch(
                plan, directory, out / assignment_id, pool, formats=formats, validate=args.validate
            )
            print(f"{assignment_id}: {result.total} submissions; gradebook {result.gradebook}")
            # the page an instructor reads first: the README's first command ended on gradebook paths only
            print(f"{assignment_id}: class report {result.index} (open it in a browser)")
            print(f"{assignment_id}: {result.flagged_line}")
    print("next: `grader check FILE` checks one student's file; docs/INSTRUCTORS.md sets up a course")
    return EXIT_OK


def _sample_dirs(assignment: str | None, dirs: dict[str, Path]) -> dict[str, Path]:
    """The sample folders `grader samples` grades: the one of `assignment`, or all (None)."""
    if assignment is None:
        return dirs
    if assignment not in dirs:
        raise UsageError(f"no bundled samples for {assignment!r}; valid: {', '.join(dirs)}")
    return {assignment: dirs[assignment]}


def _clear_previous_batch(directory: Path) -> None:
    """`samples` regrades from scratch: remove an earlier samples batch (only a folder a batch wrote)."""
    from grader.batch.run import BATCH_META

    if (directory / BATCH_META).is_file():
        shutil.rmtree(directory)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "grade": cmd_grade,
    "batch": cmd_batch,
    "check": cmd_check,
    "fixtures": cmd_fixtures,
    "assignments": cmd_assignments,
    "samples": cmd_samples,
    "report": cmd_report,
    "gradescope-kit": cmd_gradescope_kit,
}
