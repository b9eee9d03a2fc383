"""The `grader` command's entry point: Ctrl-C at any moment after Python starts is an interrupt, exit 130.

`grader.cli` imports argparse, the settings and their schemas before `main` can catch anything: a Ctrl-C in
the first half second of `grader batch` (a TA stopping a command typed wrong) printed a KeyboardInterrupt
traceback through importlib. This module imports nothing of the grader's until the interrupt is caught.
(One pressed while Python itself is still starting, before any module of ours runs, is Python's to report.)

It also makes the standard streams write what their encoding lacks as escapes: student text reaches the
terminal (a case's message, a name), and stdout's strict handler raised UnicodeEncodeError in a terminal
whose encoding cannot write a character of it (PYTHONIOENCODING=ascii, a Latin-1 locale): `grader check` and
`grade` printed "internal error, please report it" after their reports were written, and exited 1, for a
student's `☃` (session 29, hostile hunt: sample text_terminal_encoding.py).
"""

from __future__ import annotations

import codecs
import sys

EXIT_INTERRUPTED = 130  # grader.cli's, not imported: this module must not import the cli to say so


def _escapes_what_it_cannot_write(stream: object) -> None:
    """`stream` (a text stream) writes a character its encoding lacks as a backslash escape instead of
    raising. UTF-8 with surrogateescape (the C locale's, Python's UTF-8 mode) is kept as it is: it writes
    every normalised text and carries an undecodable file name through byte for byte."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        kept = codecs.lookup(str(stream.encoding)).name == "utf-8"  # type: ignore[attr-defined]
        if kept and stream.errors == "surrogateescape":  # type: ignore[attr-defined]
            return
        reconfigure(errors="backslashreplace")
    except (LookupError, ValueError, OSError, AttributeError):
        return


def main() -> int:
    try:
        for stream in (sys.stdout, sys.stderr):
            _escapes_what_it_cannot_write(stream)
        from grader.cli import main as cli_main
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return cli_main(leave=True)  # this process's entry: `check` may leave at once
