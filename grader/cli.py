"""The `grader` command line: one function per subcommand, registered in COMMANDS.

Exit codes: 0 graded (whatever the score; `check`: every visible case passed), 1 internal failure,
2 usage or configuration error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence

from grader import __version__

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A problem with what the user asked for: printed without a traceback, exit code 2."""


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", help="seed for generated cases (printed in every report; replays a run)")
    p.add_argument(
        "--isolation",
        help="auto (default: bwrap where it works, else rlimits), bwrap, rlimits (run as root: drops to uid "
        "65534), or none (NO sandbox: trusted code only)",
    )
    p.add_argument("--config", help="TOML config file (default: ./grader.toml if present)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade from-scratch backpropagation code.")
    parser.add_argument("--version", action="version", version=f"backprop-grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("grade", help="grade one submission")
    p.add_argument("assignment", help="a shipped assignment id or a path to a manifest.json")
    p.add_argument("submission", help="a .py file, a folder, a .zip or a .ipynb")
    p.add_argument("--out", default="grader-out", help="output directory (default: grader-out)")
    p.add_argument("--format", help="comma-separated: json, gradescope, junit (json is always written)")
    p.add_argument("--after-due-date", action="store_const", const=True, default=None)
    _add_common(p)

    p = sub.add_parser("batch", help="grade every entry of a directory (one student per entry)")
    p.add_argument("assignment")
    p.add_argument("directory")
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", help="parallel sandbox workers (default: number of CPUs)")
    p.add_argument("--resume", action="store_true", help="grade only what the journal in --out lacks")
    p.add_argument("--validate", action="store_true", help="schema-check every report as it is written")
    p.add_argument("--format")
    p.add_argument("--after-due-date", action="store_const", const=True, default=None)
    _add_common(p)

    p = sub.add_parser("check", help="for students: run the visible cases on your code")
    p.add_argument("submission")
    p.add_argument("--assignment", help="inferred from the names your code defines when omitted")
    _add_common(p)

    p = sub.add_parser("fixtures", help="build or verify stored fixtures with all oracles (needs torch)")
    p.add_argument("action", choices=("build", "verify"))
    p.add_argument("assignment", nargs="?")

    sub.add_parser("assignments", help="list the shipped assignments")

    p = sub.add_parser("samples", help="batch-grade the bundled sample submissions of every assignment")
    p.add_argument("--out", default="out/samples", help="output directory (default: out/samples)")
    p.add_argument("--jobs", help="parallel sandbox workers (default: number of CPUs)")
    p.add_argument("--validate", action="store_true", help="validate every written report against its schema")
    _add_common(p)
    return parser


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    # Imported on demand: `grader check` must not pay for what `grader fixtures` needs (torch above all).
    from grader import commands

    return commands.COMMANDS[name]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from grader.schema import ConfigError
    from grader.untrusted import visible

    try:
        return _command(args.command)(args)
    except (UsageError, ConfigError) as err:
        # A message may quote a path a student named: nothing in it may drive the terminal.
        print(f"grader {args.command}: {visible(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"grader {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        print(f"grader {args.command}: internal error, please report it:", file=sys.stderr)
        traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
