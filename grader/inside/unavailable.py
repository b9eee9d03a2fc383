"""What a module's top-level code reached for that grading does not provide, so that it stopped there.

A data set (the book's `load_mnist`, a `.npz` that is not handed in, a download: there is no network), a
folder in the home directory (the DeZero book's `plot_dot_graph` makes `~/.dezero` with `os.mkdir`; the
sandbox has no home, so `~` stays `~`) or another program (the same `plot_dot_graph` runs graphviz's `dot`
through `subprocess`, which the sandbox refuses). Such a stop is a note, not an error: the names defined
above that line are graded as they are.
Before, every one of them was "needs a data set", and a refused `subprocess` a bare PermissionError that
read like a bug of the student's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """What the code needed, said three ways for the three places a stop is told."""

    short: str  # "needs a data set": a module that defined nothing before it stopped
    script: str  # after "loading stopped at ... because the code"
    cell: str  # after a notebook cell's place


DATA_SET = Need(
    "needs a data set",
    "needs a data set that is not available while grading",
    "needs a data set or a folder that is not available while grading",
)
HOME = Need(
    "uses a path in the home directory (~)",
    "uses a path in the home directory (~), which does not exist while grading",
    "uses a path in the home directory (~), which does not exist while grading",
)
DOWNLOAD = Need(
    "downloads a data set",
    "downloads a data set, and grading has no network",
    "downloads a data set, and grading has no network",
)
# A pickle of trained weights the code opens (the book's `network.load_params("params.pkl")` in ch07's
# visualize_filter.py and ch08's scripts, ch03's `sample_weight.pkl`): no data set, and nothing the grader
# could fetch; it was told "needs a data set" (s29-realdlfs). The MNIST pickle is a data set.
PARAMS = Need(
    "opens a pickled parameters file that is not in the submission",
    "opens a pickled parameters file (trained weights: the book's load_params reads params.pkl, which "
    "save_params wrote after training) that is not in the submission; the grader sets every case's own "
    'weights, so hand that file in beside the code or load it only under `if __name__ == "__main__":`',
    "opens a pickled parameters file (trained weights: the book's load_params reads params.pkl) that is "
    "not in the submission; the grader sets every case's own weights, so hand that file in beside the "
    "notebook",
)
PROGRAM = Need(
    "runs another program",
    "runs another program (through subprocess: graphviz's `dot`, say), which grading does not allow",
    "runs another program (through subprocess), which grading does not allow",
)


def _runs_a_program(exc: BaseException, library_files: Sequence[str]) -> bool:
    """An OSError escaping the standard library's subprocess (fork refused, or the program not there)."""
    return isinstance(exc, OSError) and any(os.path.basename(f) == "subprocess.py" for f in library_files)


# The standard library's modules a download goes through (urllib's URLError, http.client's and socket's
# OSErrors: no name resolution, connection refused, in the sandbox's empty network namespace).
_NETWORK_FILES = (
    os.path.join("urllib", "request.py"),
    os.path.join("http", "client.py"),
    os.sep + "socket.py",
)


def _downloads(exc: BaseException, library_files: Sequence[str]) -> bool:
    """An OSError escaping a download (the book's dataset/mnist.py: urllib.request.urlretrieve)."""
    return isinstance(exc, OSError) and any(f.endswith(_NETWORK_FILES) for f in library_files)


def _in_home(exc: BaseException, library_files: Sequence[str]) -> bool:
    """A path under `~` that was never expanded: there is no home directory to expand it to."""
    name = getattr(exc, "filename", None)
    return isinstance(exc, FileNotFoundError) and isinstance(name, str) and name.startswith("~")


_PICKLES = (".pkl", ".pickle", ".pck", ".pk")
# A pickle is of trained weights only when its name says so: a data set is pickled too (dataset/mnist.py's
# mnist.pkl, the second book's ptb.vocab.pkl, a cifar10.pkl or train_data.pkl), and any pickle but MNIST's
# was told "trained weights save_params wrote" (review of s29-realdlfs).
_WEIGHT_WORDS = ("param", "weight", "model", "net", "ckpt", "checkpoint", "trained", "pretrain")
_DATA_WORDS = ("mnist", "data", "cifar", "vocab", "ptb", "corpus", "label")


def names_a_params_pickle(name: str) -> bool:
    """Whether a file name is a pickle of trained weights: a pickle whose name says weights (params.pkl,
    sample_weight.pkl, deep_convnet_params.pkl) and no data set (mnist.pkl, ptb.vocab.pkl, cifar10.pkl)."""
    base = os.path.basename(name).lower()
    return (
        base.endswith(_PICKLES)
        and any(w in base for w in _WEIGHT_WORDS)
        and not any(w in base for w in _DATA_WORDS)
    )


def _params_missing(exc: BaseException, library_files: Sequence[str]) -> bool:
    """A pickle of trained weights that is not there."""
    name = getattr(exc, "filename", None)
    return isinstance(exc, FileNotFoundError) and isinstance(name, str) and names_a_params_pickle(name)


def _file_missing(exc: BaseException, library_files: Sequence[str]) -> bool:
    """The book's load_mnist stand-in, or a data file that is not there (np.load('mnist.npz'))."""
    return isinstance(exc, FileNotFoundError)


# In order: the first that fits says what was needed.
_NEEDS: tuple[tuple[Callable[[BaseException, Sequence[str]], bool], Need], ...] = (
    (_runs_a_program, PROGRAM),
    (_downloads, DOWNLOAD),
    (_in_home, HOME),
    (_params_missing, PARAMS),
    (_file_missing, DATA_SET),
)


def needed(exc: BaseException, library_files: Sequence[str]) -> Need | None:
    """What grading lacked that `exc` says the code needed; None: a stop of the code's own making.
    `library_files`: the files of the traceback's frames outside the submission."""
    return next((need for fits, need in _NEEDS if fits(exc, library_files)), None)
