"""A file so large that compiling it can use up the load's time: said when the loading ran out of time.

Python compiles a whole file before it runs its first line. A 7 MiB file (data pasted into the code as
literals, a notebook exported with its outputs) was still compiling when the load's 4 s ran out: the
student read "loading stopped at line 0 ... code at the top level of a file (a training loop, a demo)",
which names a cause the file may not have (s35). The parent measures the files it was handed; nothing here
comes from the student's process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from grader.loaders import SubmissionError, notebook_source

# Sizes of course files: a whole DeZero package is about 50 KiB. Compiling 1 MiB of literals takes about a
# second here, most of the load's 4 s (grader/inside/budget.py) once a few are read.
LARGE_BYTES = 1 << 20


def _notebook_code(data: bytes, name: str) -> int:
    """A notebook's compiled size: its code cells (loaders.notebook_source), never its saved outputs (a 3 MiB
    notebook of plots compiles a few KiB); 0 for one that cannot be read (its loading said so)."""
    try:
        return len(notebook_source(data, name.rpartition("/")[2]))
    except SubmissionError:
        return 0


# suffix -> the bytes Python compiles of such a file
COMPILED_SIZE: dict[str, Callable[[bytes, str], int]] = {
    ".py": lambda data, _name: len(data),
    ".ipynb": _notebook_code,
}


def large_files(files: Mapping[str, bytes]) -> tuple[tuple[str, int], ...]:
    """(name, compiled size) of each source file compiling at least LARGE_BYTES, largest first."""
    found = [
        (name, measure(data, name))
        for name, data in files.items()
        for suffix, measure in COMPILED_SIZE.items()
        if name.endswith(suffix)
    ]
    return tuple(sorted(((n, s) for n, s in found if s >= LARGE_BYTES), key=lambda f: (-f[1], f[0])))


def size_note(large: tuple[tuple[str, int], ...], *, loops_too: bool = False) -> str | None:
    """The note for a load that ran out of time, or None when no file is large. `loops_too`: the other files
    loop at their top level (grader/toplevel.py), so a loop may be the cause as well, and a large file that
    the loading never imported none: the note says what is known, never that the size outweighs a loop."""
    if not large:
        return None
    sizes = ", ".join(f"{name} is {size / (1 << 20):.1f} MiB" for name, size in large)
    compiles = f"note: {sizes}: Python compiles a whole file before it runs its first line"
    advice = "keep the data in a file of its own that your code reads, and hand in the code"
    if loops_too:
        return (
            f"{compiles}, so a file this size may be why the loading ran out of time if the loading imported "
            f"it (data pasted into the code); a loop at the top level of a file may be, too: {advice}"
        )
    return (
        f"{compiles}, and a file this size is the likely reason the loading ran out of time (data pasted "
        f"into the code), more than any loop: {advice}"
    )
