"""The `grader` command's entry point: Ctrl-C at any moment after Python starts is an interrupt, exit 130.

`grader.cli` imports argparse, the settings and their schemas before `main` can catch anything: a Ctrl-C in
the first half second of `grader batch` (a TA stopping a command typed wrong) printed a KeyboardInterrupt
traceback through importlib. This module imports nothing of the grader's until the interrupt is caught.
(One pressed while Python itself is still starting, before any module of ours runs, is Python's to report.)
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # grader.cli's, not imported: this module must not import the cli to say so


def main() -> int:
    try:
        from grader.cli import main as cli_main
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return cli_main(leave=True)  # this process's entry: `check` may leave at once
