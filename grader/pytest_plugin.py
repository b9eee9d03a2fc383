"""The pytest plugin (entry point `pytest11`, name `grader`): a submission's cases as pytest items.

`pytest --grader ASSIGNMENT [--grader-submission PATH] [--grader-seed N] [--grader-stage S]` adds one item per
case (named by its case id, under the node `grader:ASSIGNMENT`), so `-k`, `-x`, `--lf` and `--junitxml` work
as for any test. The submission is graded once, on the first item that runs, through the same loader,
sandbox, judge and student view as `grader grade`; every item then reports its own case. A failing item shows
the case's student-facing message (a hidden case: its status and points only) and every item records
`points` and `max_points` as JUnit properties. Cases shown only after the due date are not collected.

Imported by every pytest run in an environment where backprop-grader is installed: it imports nothing of the
grader until --grader is given.

With --grader, nothing of the repository but the submission (read as text, graded in the sandbox) is loaded
into this process, which holds the cases' expected values and decides every item: no `conftest.py` (pytest
imports one before any test; a student's hookwrapper turned every failed item into a pass, so the run exited
0, which GitHub Classroom's command grader reads as full marks, and it could read the hidden cases' expected
values from the plan) and no test file (a student's own `test_*.py` imports their code unconfined), and the
repository leaves sys.path (`python -m pytest` puts the working directory first: a `secrets.py` there was
imported here by the `import secrets` below). DESIGN.md rule 3; tests/test_pytest_plugin.py. What no plugin
can refuse: options a student's own configuration file adds (`-p module` in a `pytest.ini`, which pytest reads
before `tox.ini`), and, under `python -m pytest`, a file named like a module pytest imports before any plugin
runs: CI runs the `pytest` script (as docs/course-template's tox does) or `python -P -m pytest`, and the grade
that counts is one students cannot run themselves (docs/course-template/README.md).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.pipeline import RunPlan

# The cases a course repository's CI runs: the student view withholds after_due_date and after_published
# cases anyway.
COLLECTED_VISIBILITIES = ("visible", "hidden")
NODE_PREFIX = "grader:"
POINTS_PROPERTIES = ("points", "max_points")
NOT_LOADED = (
    "grader: the repository's conftest.py and test files are not loaded with --grader (no code of the "
    "repository runs in the grader's process); run your own tests without --grader"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "backprop-grader: grade a submission as pytest items")
    group.addoption(
        "--grader",
        metavar="ASSIGNMENT",
        default=None,
        help="grade a submission against ASSIGNMENT (a shipped id: miniflow, dezero, dlfs-layers; or a path "
        "to a manifest.json): one test item per case, named by its case id",
    )
    group.addoption(
        "--grader-submission",
        metavar="PATH",
        default=None,
        help="the submission: a .py file, a folder, a .zip or a .ipynb (default: the rootdir)",
    )
    group.addoption(
        "--grader-seed",
        metavar="N",
        default=None,
        help="seed of the generated cases (default: GRADER_SEED, grader.toml, else random; printed in "
        "the header so a run can be replayed)",
    )
    group.addoption(
        "--grader-stage",
        metavar="STAGE",
        default=None,
        help="grade one course stage of the assignment (`grader assignments` lists them; default: the "
        "assignment's default stage, the whole assignment)",
    )


@dataclass
class GraderRun:
    """One submission graded once for the whole session; items read their case from the student view."""

    plan: RunPlan
    submission: Path
    settings: dict[str, Any]  # grader.settings.resolve(): isolation from GRADER_ISOLATION or grader.toml
    notes: tuple[str, ...] = ()
    # The code defines none of the names the stage requires: which assignment it looks like, for the summary
    # (a course repository's file of another homework failed every item with nothing saying why).
    other: str | None = None
    stage_by: str = ""  # " (set by grader.toml (the working directory))": a stage not given as --grader-stage
    _doc: dict[str, Any] | None = field(default=None, repr=False)
    _error: str | None = field(default=None, repr=False)
    # the submission's files as the grading loaded them (none: a refused load), read again by the summary's
    # line of later points: it loaded the submission a second time (s37)
    files: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    def student_doc(self) -> dict[str, Any]:
        if self._doc is None and self._error is None:
            self._grade()
        if self._error is not None:
            raise GradingFailed(self._error)
        assert self._doc is not None
        return self._doc

    def _grade(self) -> None:
        from grader.other_assignment import defines_none_required, looks_like, student_note
        from grader.pipeline import ahead, grade_ahead, student_name
        from grader.reports.views import student_view
        from grader.sandbox import SandboxPool

        try:
            with SandboxPool(jobs=1, isolation=self.settings["isolation"]) as pool:
                self.notes = tuple(pool.notes)
                made = ahead(self.plan, student_name(self.submission), self.submission)
                if made.prepared is not None:
                    self.files = made.prepared.submission.files
                graded = next(grade_ahead(self.plan, [made], pool, last=True))
            self._doc = student_view(graded.report, after_due_date=False)
            if defines_none_required(graded.report, self.plan, self.submission):
                looks = graded.report.stage.looks_like if graded.report.stage is not None else None
                guess = looks_like(self.plan, [(self.submission, looks)])
                self.other = student_note(self.plan.assignment.id, self.plan.graded_stage, guess)
        except Exception as err:  # the grader's own failure: every item says so, none pretends to pass
            self._error = f"the grader itself failed (not your code's fault): {type(err).__name__}: {err}"

    def case(self, case_id: str) -> dict[str, Any]:
        for case in self.student_doc()["cases"]:
            if case["id"] == case_id:
                return dict(case)
        raise GradingFailed(f"case {case_id} is missing from the report (a grader bug: please report it)")


class GradingFailed(Exception):
    """The submission could not be graded at all (not the student's mistake)."""


class CaseFailed(Exception):
    """A case that did not pass; its text is the student-facing message."""


_RUN = pytest.StashKey[GraderRun]()


def _usage(err: Exception) -> pytest.UsageError:
    return pytest.UsageError(f"--grader: {err}")


def _check_stage(assignment: Any, stage: str | None, cli: dict[str, Any]) -> None:
    """An unknown --grader-stage is a usage error listing the assignment's stages (docs/STAGES.md); one from
    GRADER_STAGE or a config file says so (looked up only then): nothing on the pytest command line shows
    it."""
    from grader.schema import ConfigError
    from grader.settings import origin, stage_from

    if stage is None:
        return
    try:
        assignment.stage(stage)  # ConfigError naming the valid stages
    except ConfigError as err:
        where = origin("stage", cli)
        raise ConfigError(stage_from(str(err), stage, None if where == "--stage" else where)) from None


def _submission(config: pytest.Config) -> Path:
    given = config.getoption("grader_submission")
    path = config.invocation_params.dir / given if given else config.rootpath
    if not path.exists():
        raise pytest.UsageError(f"--grader-submission {given}: {path} does not exist")
    return path


def _grading(config: pytest.Config) -> bool:
    return getattr(config.option, "grader", None) is not None


def repository_path_entries(config: pytest.Config, path: list[str]) -> list[str]:
    """The entries of `path` that name the repository being graded (the invocation folder or the rootdir;
    "" is the working directory), unless it is the grader's own checkout, which is trusted."""
    own = Path(__file__).resolve().parents[1]
    repository = {config.invocation_params.dir.resolve(), config.rootpath.resolve()} - {own}
    return [entry for entry in path if Path(entry or ".").resolve() in repository]


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """With --grader, `--noconftest` (set before pytest's own implementation, trylast, reads it to load the
    first conftest.py files, and kept for every later one), and the repository off sys.path before the grader
    imports anything more."""
    if getattr(early_config.known_args_namespace, "grader", None) is not None:
        early_config.known_args_namespace.noconftest = True
        dropped = set(repository_path_entries(early_config, sys.path))
        sys.path[:] = [entry for entry in sys.path if entry not in dropped]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With --grader, no file or folder is collected: the grader's items are added whole
    (pytest_collection_modifyitems), and collecting a test file would import it here."""
    return True if _grading(config) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> bool | None:
    """With --grader, this is the whole collection: pytest's own imports every file named on the command
    line, in addopts or in testpaths whatever pytest_ignore_collect says (it is asked of the files found in
    a folder only), so a `test_mine.py` added to the student's own tox.ini addopts was imported here and
    registered a hook that passed every failed item (exit 0; review of session 18). The grader's items are
    added, selected (-k, -m, --lf) and reported by the hooks pytest's collection calls."""
    if not _grading(session.config):
        return None
    hook = session.config.hook
    session.items = []
    try:
        hook.pytest_collection_modifyitems(session=session, config=session.config, items=session.items)
        session.testscollected = len(session.items)
    finally:
        hook.pytest_collection_finish(session=session)
    return True


def pytest_configure(config: pytest.Config) -> None:
    assignment_ref = config.getoption("grader")
    if assignment_ref is None:
        return
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan
    from grader.schema import ConfigError
    from grader.settings import resolve

    submission = _submission(config)
    try:
        cli = {"seed": config.getoption("grader_seed"), "stage": config.getoption("grader_stage")}
        settings = resolve(cli)
        assignment = load_assignment(assignment_ref)
        _check_stage(assignment, settings["stage"], cli)
        seed = settings["seed"]
        if seed is None:
            import secrets

            seed = secrets.randbelow(2**31)
        stage = settings["stage"]
        cases = cases_for_run(assignment, seed, include=COLLECTED_VISIBILITIES, stage=stage)
    except ConfigError as err:
        raise _usage(err) from None
    plan = RunPlan.create(assignment, seed, cases, stage=stage)
    config.stash[_RUN] = GraderRun(plan, submission, settings, stage_by=_stage_by(stage, cli))


def _stage_by(stage: str | None, cli: dict[str, Any]) -> str:
    """Where a stage not given as --grader-stage came from, for the header: a grader.toml in the repository
    (the student's too) or GRADER_STAGE chose it with nothing in the log saying so."""
    if stage is None or cli.get("stage") is not None:
        return ""
    from grader.settings import origin

    return f" (set by {origin('stage', cli)})"


def pytest_report_header(config: pytest.Config) -> str | None:
    run = config.stash.get(_RUN, None)
    if run is None:
        return None
    seed = run.plan.seed
    return (
        f"grader: {run.plan.assignment.id} stage {run.plan.graded_stage.name}{run.stage_by} "
        f"on {run.submission}, seed {seed} "
        f"(replay with --grader-seed {seed}), isolation requested: {run.settings['isolation']}\n"
        f"{NOT_LOADED}"
    )


class GraderSubmission(pytest.Collector):
    """The node under which a submission's cases hang (`grader:ASSIGNMENT`)."""

    def __init__(self, *, run: GraderRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def collect(self) -> list[pytest.Item]:
        return [
            CaseItem.from_parent(self, name=case.id, run=self.run, case_id=case.id)
            for case in self.run.plan.cases
        ]


class CaseItem(pytest.Item):
    """One case of the assignment; passes when the judge says the case passed."""

    def __init__(self, *, run: GraderRun, case_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.case_id = case_id

    def runtest(self) -> None:
        from grader.reports.report import skipped

        case = self.run.case(self.case_id)
        self.user_properties.extend((key, f"{case[key]:g}") for key in POINTS_PROPERTIES)
        if skipped(case):  # an optional class the code leaves out: no points lost, so no failure (exit 0)
            pytest.skip(failure_text(case))
        if case["status"] != "passed":
            raise CaseFailed(failure_text(case))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, (CaseFailed, GradingFailed)):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.run.plan.assignment.id} case {self.case_id}"


STATUS_WORDS = {"failed": "FAILED", "error": "ERROR", "not_run": "NOT RUN", "passed": "PASSED"}


def failure_text(case: dict[str, Any]) -> str:
    """What a student reads under a failed item: the case, its points, the student view's message."""
    word = STATUS_WORDS.get(case["status"], case["status"])
    head = f"{word} {case['points']:g}/{case['max_points']:g} points"
    return f"{case['id']} ({case['name']}): {head}\n{case['message']}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    # tryfirst: the items must be in the list before -k / -m deselect and --lf filters it.
    run = session.config.stash.get(_RUN, None)
    if run is None:
        return
    name = NODE_PREFIX + run.plan.assignment.id
    node = GraderSubmission.from_parent(session, name=name, nodeid=name, run=run)
    collected = node.collect()
    items.extend(collected)
    # Reported as collected, as a collector's own items are: pytest's "collected N items" line (and any
    # plugin counting collect reports) would otherwise say 0 while N cases run.
    report = pytest.CollectReport(name, "passed", None, list(collected))
    session.config.hook.pytest_collectreport(report=report)


def summary_lines(doc: dict[str, Any], notes: tuple[str, ...] = (), later: str | None = None) -> list[str]:
    """The grade as a student sees it: warnings, blame, what hidden cases cost, the points not graded here
    (`later`: cases shown after the due date), the score, seed, isolation."""
    lines = [f"WARNING {text}" for text in (*notes, *doc["warnings"])]
    lines += [f"blame: {b['message']}" for b in doc["blame"]]
    hidden = doc.get("hidden") or {}
    if hidden.get("failed") and doc.get("status") != "load_failed":  # the load's failure says why already
        lost = hidden["max_points"] - hidden["points"]
        lines.append(f"hidden tests cost {lost:g} of {hidden['max_points']:g} points")
    lines += [later] if later else []
    if doc.get("stage"):
        lines.append(f"stage {doc['stage']['name']}: {doc['stage']['title']}")
    lines.append(f"score {doc['score']:g} / {doc['max_score']:g}")
    lines.append(f"seed {doc['seed']}  isolation {doc['isolation']}")
    return lines


def later_line(plan: RunPlan, files: Mapping[str, bytes], load: Any) -> str | None:
    """The points of the cases shown after the due date, of those the run would grade: with the names the
    load found and the methods the stage makes optional that the source defines (save_weights, read in the
    parent as `grader check` reads them: grader/stage_scan.py `step_methods`). The load never finds a
    method, so a course manifest's save/load case shown after the due date was left out of the line for a
    file that defines both (session 35's finding). `files`: the submission as the grading loaded it (none
    for a refused load, whose own report says why: no method is counted)."""
    from grader.reports.terminal import later_points_line
    from grader.stage_scan import step_methods

    found = load.get("found") if isinstance(load, dict) else None
    if found is not None:
        found = {*found, *step_methods(plan, files)}
    return later_points_line(plan.assignment, plan.graded_stage.name, found)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is None or run._doc is None:  # not graded: nothing selected, or only collected
        return
    terminalreporter.write_sep("=", f"grader: {run.plan.assignment.id}")
    later = later_line(run.plan, run.files, run._doc.get("load"))
    for line in summary_lines(run._doc, run.notes, later):
        terminalreporter.write_line(line)
    if run.other is not None:
        terminalreporter.write_line(f"note: {run.other}")
