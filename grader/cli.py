"""The `grader` command line: one function per subcommand, registered in COMMANDS.

Exit codes: 0 graded (whatever the score; `check`: every visible case passed), 1 internal failure,
2 usage or configuration error (bare `grader` prints the help and exits 2), 130 interrupted. `grader --help`
lists them with the environment variables and examples.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from grader import __version__
from grader.fast_exit import leave as leave_now
from grader.fast_exit import skip_final_collections
from grader.settings import CLASS_FORMATS, FORMATS, ISOLATIONS, SETTINGS

if TYPE_CHECKING:  # the sandbox is imported lazily
    from grader.sandbox import MachineError

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A problem with what the user asked for: printed without a traceback, exit code 2."""


def _add_common(p: argparse.ArgumentParser, seed_default: str = "random") -> None:
    p.add_argument(
        "--seed",
        metavar="N",
        help=f"seed for the generated cases, 0 to 2**63-1 (default: {seed_default}; printed in every "
        "report, and the same seed replays a run exactly)",
    )
    p.add_argument(
        "--isolation",
        metavar="MODE",
        help=f"sandbox mode, one of: {', '.join(ISOLATIONS)} (default: auto, the strongest this machine "
        "allows; rlimits run as root drops to an unprivileged uid; none means NO sandbox, trusted code "
        "only; see docs/SANDBOX.md)",
    )
    p.add_argument(
        "--config", metavar="FILE", help="TOML settings file (default: ./grader.toml when present)"
    )


FORMAT_HELP = f"comma-separated report formats from: {', '.join(FORMATS)} (json is always written)"
BATCH_FORMAT_HELP = (
    f"{FORMAT_HELP}; also the class gradebook imports {', '.join(CLASS_FORMATS)} (OUT/canvas.csv, "
    "OUT/moodle.csv)"
)
JOBS_HELP = "parallel sandbox workers (default: the number of CPUs)"
EXECUTOR_CHOICES = ("local", "dask", "dask-local")
ASSIGNMENT_HELP = "a shipped assignment id (see `grader assignments`) or a path to a manifest.json"
AFTER_DUE_DATE_HELP = "also show the cases marked after_due_date in student-facing reports"
STAGE_HELP = (
    "grade one course stage (e.g. step14; `grader assignments` lists each assignment's stages and what "
    "they require; default: the assignment's default stage, the whole assignment)"
)


def _epilog() -> str:
    """Exit codes, environment variables and examples; the settings' variables come from their registry."""
    settings = "\n".join(f"  {s.env:<24}--{s.name.replace('_', '-')}: {s.valid}" for s in SETTINGS.values())
    return f"""\
Run `grader COMMAND --help` for the arguments of a command.

exit codes:
  {EXIT_OK:<4}graded, whatever the score (check: every visible case passed)
  {EXIT_INTERNAL:<4}internal failure, with a traceback to report (check: a visible case failed)
  {EXIT_USAGE:<4}usage or configuration error; also bare `grader`, which prints this help
  {EXIT_INTERRUPTED:<4}interrupted (Ctrl-C)

environment (a command-line option wins over its variable, a variable over the config file):
{settings}
  {"GRADER_CONFIG":<24}--config: the TOML settings file
  GRADER_SAMPLES_PER_ASSIGNMENT
  {"":<24}`grader samples --per-assignment`: grade N samples of each assignment
  {"GRADER_FIXTURES":<24}the folder holding the shipped assignments (default: the checkout's fixtures/,
  {"":<24}else the copy installed with the package)
  {"NO_COLOR":<24}no colour in the terminal summary (when not empty)

examples:
  grader check miniflow.py
      a student checks their file against the visible cases (assignment inferred)
  grader grade dlfs-layers /autograder/submission --format gradescope --out /autograder/results
      a Gradescope autograder grades one submission
"""


def _add_grade(sub: Any) -> None:
    p = sub.add_parser(
        "grade",
        help="grade one submission",
        description="Grade one submission against every case (visible, hidden, after the due date) and "
        "write DIR/report.json plus the formats asked for. Exit 0 whenever it was graded, whatever the "
        "score.",
    )
    p.add_argument("assignment", help=ASSIGNMENT_HELP)
    p.add_argument("submission", help="a .py file, a folder, a .zip or a .ipynb")
    p.add_argument(
        "--out", metavar="DIR", default="grader-out", help="output directory (default: grader-out)"
    )
    p.add_argument("--stage", metavar="NAME", help=STAGE_HELP)
    p.add_argument("--format", metavar="LIST", help=FORMAT_HELP)
    p.add_argument(
        "--after-due-date", action="store_const", const=True, default=None, help=AFTER_DUE_DATE_HELP
    )
    p.add_argument(
        "--seed-secret",
        metavar="FILE",
        help="with --submission-metadata and no seed given: a per-student seed, the same on every regrade, "
        "made from the course secret in FILE and the student and assignment ids (the Gradescope kit's "
        "run_autograder passes both; docs/INSTRUCTORS.md); the student's reports then show no seed",
    )
    p.add_argument(
        "--submission-metadata",
        metavar="FILE",
        help="Gradescope's submission_metadata.json, read for the per-student seed (see --seed-secret)",
    )
    p.add_argument(
        "--staff-view",
        action="store_true",
        help="print the staff view on the terminal: hidden and after-due-date cases' messages and hints, "
        "the staff blame, a per-student seed; only where no student reads the output (a TA's terminal, "
        "Gradescope's log). Default: the student view, as student.json and junit.xml (a course CI's log "
        "is read by the student). Taken from the command line alone, never from a variable or grader.toml",
    )
    _add_common(p)


def _add_batch(sub: Any) -> None:
    p = sub.add_parser(
        "batch",
        help="grade every entry of a directory (one student per entry)",
        description="Grade a class: every entry of DIRECTORY (a .py file, a folder, a .zip or a .ipynb) is "
        "one student. Writes OUT/<student>/ reports, OUT/gradebook.csv, OUT/summary.json and the class "
        "report OUT/index.html; after Ctrl-C (exit 130) or a crash, the same command with --resume grades "
        "only what is missing or changed.",
    )
    p.add_argument("assignment", help=ASSIGNMENT_HELP)
    p.add_argument("directory", help="the folder of submissions, one entry per student")
    p.add_argument("--out", metavar="OUT", required=True, help="output directory (required)")
    p.add_argument("--stage", metavar="NAME", help=STAGE_HELP)
    p.add_argument("--jobs", metavar="N", help=JOBS_HELP)
    p.add_argument(
        "--executor",
        choices=EXECUTOR_CHOICES,
        default="local",
        help="where the sandboxes run: local (this machine, default), dask (a Dask cluster: --scheduler), "
        "dask-local (a Dask LocalCluster of --workers processes, --jobs sandboxes each, default 1); "
        "both need the extra backprop-grader[dask] (docs/DASK.md)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="with --executor dask: tcp://HOST:PORT")
    p.add_argument(
        "--workers", metavar="N", type=int, help="with --executor dask-local: worker processes (default 2)"
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="keep the grades in --out of unchanged submissions; grade new and changed ones, drop gone ones",
    )
    p.add_argument(
        "--only",
        metavar="NAME",
        nargs="+",
        help="regrade only these students (ids from gradebook.csv, file names, or an LMS user id or name) "
        "and keep the rest",
    )
    p.add_argument("--validate", action="store_true", help="schema-check every report as it is written")
    p.add_argument("--format", metavar="LIST", help=BATCH_FORMAT_HELP)
    p.add_argument(
        "--roster",
        metavar="FILE",
        help="a CSV mapping submissions to students (columns: file, canvas_id, moodle_id, name, email, "
        "sis_id, login; see docs/INSTRUCTORS.md); Canvas and Moodle download names are understood; "
        "--resume and --only reuse the batch's own when omitted",
    )
    p.add_argument(
        "--after-due-date", action="store_const", const=True, default=None, help=AFTER_DUE_DATE_HELP
    )
    _add_common(p)


def _add_report(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="rebuild a batch's class report (OUT/index.html) from its files",
        description="Rebuild OUT/index.html (the class report: score distribution, pass rates, frequent "
        "mistakes, flags, a sortable table of students) and every OUT/<student>/report.html from what a "
        "batch wrote; grades nothing. Open OUT/index.html in a browser: it needs no network.",
    )
    p.add_argument("out", metavar="OUT", help="the --out directory of a batch")


def _add_gradescope_kit(sub: Any) -> None:
    p = sub.add_parser(
        "gradescope-kit",
        help="write the autograder.zip to upload to Gradescope",
        description="Write a Gradescope autograder: setup.sh (installs the grader from its wheel, shipped in "
        "the zip with the assignments' fixtures), run_autograder (grades /autograder/submission into "
        "/autograder/results/results.json) and the wheel. Gradescope has no bubblewrap: the rlimits "
        "fallback isolates each run (docs/SANDBOX.md). See docs/INSTRUCTORS.md.",
    )
    p.add_argument("assignment", help=ASSIGNMENT_HELP)
    p.add_argument("--stage", metavar="S", help="the course stage to grade, passed to `grader grade --stage`")
    p.add_argument(
        "--out", metavar="ZIP", default="autograder.zip", help="the zip to write (default: autograder.zip)"
    )
    p.add_argument(
        "--wheel",
        metavar="FILE",
        help="a backprop_grader-*.whl to ship (default: built from this source checkout with pip, offline)",
    )
    p.add_argument(
        "--seed-secret",
        metavar="FILE",
        help="the course secret each student's seed is made from, at least 16 characters (default: "
        "ZIP's name with .seed-secret, next to it: made when missing, reused when there)",
    )


def _add_check(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="for students: run the visible cases on your code",
        description="Run the visible cases on your code and say what is wrong: which class, which method, "
        "which gradient, and the likely mistake. Exit 0 when every visible case passes, 1 otherwise.",
    )
    p.add_argument("submission", help="your .py file, folder, .zip or .ipynb")
    p.add_argument(
        "--assignment", metavar="ASSIGNMENT", help="inferred from the names your code defines when omitted"
    )
    p.add_argument(
        "--stage",
        metavar="NAME",
        help="the course stage to check (e.g. step14); inferred from the names your code defines when "
        "omitted, and the stage used is printed with the reason",
    )
    _add_common(p)


def _add_fixtures(sub: Any) -> None:
    p = sub.add_parser(
        "fixtures",
        help="build or verify stored fixtures with all oracles (needs torch)",
        description="For course designers: `build` computes each case's expected values with the "
        "reference engine and writes them only when torch autograd and finite differences agree; `verify` "
        "re-proves every stored fixture. Needs the `oracles` extra (torch). Exit 0 when all agree, 1 if any "
        "disagree.",
    )
    p.add_argument(
        "action", choices=("build", "verify"), help="build: write proven fixtures; verify: re-prove them"
    )
    p.add_argument("assignment", nargs="?", help=ASSIGNMENT_HELP + " (default: every shipped assignment)")


def _add_assignments(sub: Any) -> None:
    sub.add_parser(
        "assignments",
        help="list the shipped assignments",
        description="List the shipped assignments: id, family, stored and generated cases, points, title, "
        "and each assignment's stages (--stage NAME): what each requires, its cases and points.",
    )


def _add_samples(sub: Any) -> None:
    p = sub.add_parser(
        "samples",
        help="batch-grade the bundled sample submissions of every assignment",
        description="Batch-grade the sample submissions bundled in a checkout (submissions/) against every "
        "shipped assignment, with seed 0 unless told otherwise; prints where each gradebook is.",
    )
    p.add_argument(
        "assignment",
        nargs="?",
        help="the shipped assignment whose samples to grade (default: every shipped assignment)",
    )
    p.add_argument(
        "--out", metavar="DIR", default="out/samples", help="output directory (default: out/samples)"
    )
    p.add_argument("--jobs", metavar="N", help=JOBS_HELP)
    p.add_argument("--validate", action="store_true", help="validate every written report against its schema")
    p.add_argument(
        "--per-assignment",
        metavar="N",
        help="grade N samples of each assignment, spread over its folder: a quick look at every report "
        "(default: every sample; also GRADER_SAMPLES_PER_ASSIGNMENT)",
    )
    _add_common(p, seed_default="0")


# Each command's arguments, in the order `grader --help` lists them.
SUBCOMMANDS: dict[str, Callable[[Any], None]] = {
    "grade": _add_grade,
    "batch": _add_batch,
    "report": _add_report,
    "gradescope-kit": _add_gradescope_kit,
    "check": _add_check,
    "fixtures": _add_fixtures,
    "assignments": _add_assignments,
    "samples": _add_samples,
}


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with `only` (a command's name) the top level and that command's parser alone:
    parsing `grader check FILE` needs no other command's arguments, and building all eight was ~3 ms of CPU
    before a check starts its sandbox worker (issue 13). Each command's help and errors read the same."""
    parser = argparse.ArgumentParser(
        prog="grader",
        description="Grade from-scratch backpropagation code (MiniFlow, DeZero, the layers of Deep\n"
        "Learning from Scratch) in a sandbox.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"backprop-grader {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="what to do; each command has its own --help"
    )
    for name, add in SUBCOMMANDS.items():
        if only is None or name == only:
            add(sub)
    return parser


def _asked(argv: Sequence[str] | None) -> str | None:
    """The command `argv` starts with, when its first word names one: the only parser `main` then builds.
    Anything else first (`-h`, `--version`, a misspelt command, nothing) gets the whole parser, whose help
    lists every command and whose errors name them."""
    words = sys.argv[1:] if argv is None else argv
    return words[0] if words and words[0] in SUBCOMMANDS else None


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    # Imported on demand: `grader check` must not pay for what `grader fixtures` needs (torch above all).
    from grader import commands

    return commands.COMMANDS[name]


def _resume_hint(args: argparse.Namespace) -> str:
    """How to carry on after Ctrl-C: a batch keeps every graded student in its journal. Interrupted before
    the first was journaled (the sandboxes still starting), there is none: the hint named a journal.jsonl
    that did not exist, and a --resume then started a new batch (another seed) without saying so."""
    if args.command != "batch":
        return ""
    from pathlib import Path

    journal = Path(args.out, "journal.jsonl")
    try:
        kept = journal.stat().st_size > 0
    except OSError:
        kept = False
    if not kept:
        return "; no student was graded yet, so there is nothing to resume: run the same command again"
    return (
        f"; every student graded so far is kept in {args.out}/journal.jsonl. To grade the rest, run the same "
        "command again with --resume"
    )


# The commands whose process ends as soon as they return (fast_exit.leave), when run as the process's entry
# point (grader.entry): a student waits for `grader check` to exit, and its interpreter's finalisation (the
# clearing of numpy's and the grader's modules) took a tenth of the time after its last line.
LEAVE_AT_ONCE = frozenset({"check"})


def main(argv: Sequence[str] | None = None, *, leave: bool = False) -> int:
    """`leave`: the caller is the process's entry point, which ends once this returns: a command of
    LEAVE_AT_ONCE that ran to its end leaves the process here (in-process callers, the tests, keep it)."""
    skip_final_collections()
    try:  # a Ctrl-C while the parser is built or the imports below run is an interrupt too, never a traceback
        parser = _parser(_asked(argv))
        args = parser.parse_args(argv)
        if args.command is None:  # bare `grader`: the help, and 2 so that a script missing its command fails
            parser.print_help()
            return EXIT_USAGE
        from grader.schema import ConfigError
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED

    try:
        code = _command(args.command)(args)
    except (UsageError, ConfigError) as err:
        # A message may quote a path a student named: nothing in it may drive the terminal.
        print(f"grader {args.command}: {_visible(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"grader {args.command}: interrupted{_resume_hint(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:
        machine = _machine_error(err)
        if machine is not None:  # what this machine lacks, to install or free: never the grader's fault
            print(f"grader {args.command}: {_visible(str(err))}", file=sys.stderr)
            return EXIT_USAGE if machine.config else EXIT_INTERNAL
        if _sandbox_failed(err):
            # Its message is the worker's or the harness's account, their traceback included: the parent's
            # own traceback (the pool starting a worker) would only bury it.
            print(f"grader {args.command}: {SANDBOX_FAILED}: {_visible(str(err))}", file=sys.stderr)
            return EXIT_INTERNAL
        print(f"grader {args.command}: internal error, please report it:", file=sys.stderr)
        import traceback  # only here: not before a check's sandbox worker starts

        traceback.print_exc()
        return EXIT_INTERNAL
    if leave and args.command in LEAVE_AT_ONCE:
        return leave_now(code)
    return code


SANDBOX_FAILED = (
    # No "never a submission's": a ClusterError (a Dask worker failed on a student) comes here too, in its
    # own words (review of s24-fixuser, finding 7)
    "the sandbox failed, so nothing more was graded (a fault of the grader or of this machine; please report "
    "it with what follows)"
)


def _visible(text: str) -> str:
    """untrusted.visible, imported only for a message: its patterns (~13 million instructions) stay off what
    `grader check` runs before its sandbox worker starts, which a student waits for (issue 13)."""
    from grader.untrusted import visible

    return visible(text)


def _machine_error(err: BaseException) -> MachineError | None:
    from grader.sandbox import MachineError

    return err if isinstance(err, MachineError) else None


def _sandbox_failed(err: BaseException) -> bool:
    """A SandboxError (a worker or its harness that cannot start, workers that die before any job), which
    says what went wrong for a TA. Imported only here: the sandbox is imported lazily."""
    from grader.sandbox import IsolationRefused, SandboxError

    return isinstance(err, SandboxError) and not isinstance(err, IsolationRefused)


if __name__ == "__main__":
    sys.exit(main())
