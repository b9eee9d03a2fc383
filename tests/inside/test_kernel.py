"""grader.inside.standins.kernel: the notebook kernel's %run of a file of the submission, as IPython does."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from grader.inside.standins.kernel import Kernel, run_file


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_run_copies_the_programs_names_and_runs_it_as_main(tmp_path: Path) -> None:
    """`%run layers.py 7`: the file runs with __name__ "__main__" and sys.argv its words; its names (not its
    dunders) land in the notebook's namespace, and the notebook's own names are not the file's to read."""
    _tree(tmp_path, {"layers.py": "import sys\nclass Affine: pass\nmain = __name__\nargv = list(sys.argv)\n"})
    namespace = {"__name__": "hw", "mine": 1}
    assert run_file(str(tmp_path), str(tmp_path), "layers.py 7", namespace) == (True, None)
    assert namespace["__name__"] == "hw" and namespace["mine"] == 1 and isinstance(namespace["Affine"], type)
    assert namespace["main"] == "__main__" and namespace["argv"] == ["layers.py", "7"]


def test_run_options_and_paths(tmp_path: Path) -> None:
    """-i runs in the notebook's namespace (its names visible to the file), -n keeps the file's own name; a
    path is read from the notebook's folder, then the root; a notebook is the module made of it."""
    _tree(
        tmp_path,
        {"ch05/helper.py": "seen = mine\n", "common/layers.py": "name = __name__\n", "nb.py": "x = 2\n"},
    )
    root, here = str(tmp_path), str(tmp_path / "ch05")
    namespace: dict[str, object] = {"mine": 5}
    assert run_file(root, here, "-i helper.py", namespace) == (True, None) and namespace["seen"] == 5
    assert run_file(root, here, "-n ../common/layers.py", namespace) == (True, None)
    assert namespace["name"] == "layers"
    assert run_file(root, here, "nb.ipynb", namespace) == (True, None) and namespace["x"] == 2


def test_run_of_nothing_in_the_submission_does_nothing(tmp_path: Path) -> None:
    """Negative controls: a missing file, a file outside the root, a module (-m), a non-.py file, no file."""
    _tree(tmp_path, {"sub/hw.py": "x = 1\n", "outside.py": "y = 1\n", "data.txt": "z\n"})
    root = str(tmp_path / "sub")
    for line in ("missing.py", "../outside.py", "-m hw", "../data.txt", "", "-i"):
        namespace: dict[str, object] = {}
        assert run_file(root, root, line, namespace) == (False, None) and namespace == {}


def test_a_file_that_raises_keeps_its_names_and_is_noted(tmp_path: Path) -> None:
    """IPython shows the traceback and the cell goes on: the names defined before the error are kept, and
    the kernel notes what was raised where the notebook ran it."""
    _tree(tmp_path, {"layers.py": "class Relu: pass\nload_mnist()\nclass Affine: pass\n"})
    notes: list[str] = []
    inert: list[bool] = []
    namespace: dict[str, object] = {
        "get_ipython": lambda: Kernel(str(tmp_path), notes.append, lambda: inert.append(True))
    }
    exec(
        compile("get_ipython().run_line_magic('run', 'layers.py')\n", str(tmp_path / "hw.py"), "exec"),
        namespace,
    )
    assert "Relu" in namespace and "Affine" not in namespace and not inert
    assert (
        len(notes) == 1 and "`%run layers.py` raised NameError: name 'load_mnist' is not defined" in notes[0]
    )
    exec("get_ipython().run_line_magic('matplotlib', 'inline')\n", namespace)
    assert inert == [True]  # any other magic: the kernel's warning that magics do nothing


def test_a_file_that_runs_itself_is_not_run_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`%run loop.py` inside loop.py: run once, its second %run refused (IPython would recurse until Python's
    limit, each level running the whole file), and said so."""
    _tree(tmp_path, {"loop.py": "get_ipython().run_line_magic('run', 'loop.py')\ndone = True\n"})
    notes: list[str] = []
    namespace: dict[str, object] = {}
    kernel = Kernel(str(tmp_path), notes.append, lambda: None)
    monkeypatch.setattr(builtins, "get_ipython", lambda: kernel, raising=False)
    assert run_file(str(tmp_path), str(tmp_path), "loop.py", namespace) == (True, None)
    assert namespace["done"] is True and len(notes) == 1 and "runs itself" in notes[0]


def test_sys_exit_in_the_file_ends_the_file_not_the_notebook(tmp_path: Path) -> None:
    """IPython's %run of a script ending `sys.exit(0)` goes on with the notebook: the SystemExit stopped the
    notebook's cell, and a TwoLayerNet defined after it was missing (review of session 18). Exit 0 is said
    nothing of; another code is noted. Names defined before it are kept either way."""
    _tree(
        tmp_path, {"ok.py": "import sys\nclass Relu: pass\nsys.exit(0)\n", "bad.py": "raise SystemExit(2)\n"}
    )
    namespace: dict[str, object] = {}
    assert run_file(str(tmp_path), str(tmp_path), "ok.py", namespace) == (True, None) and "Relu" in namespace
    assert run_file(str(tmp_path), str(tmp_path), "bad.py", namespace) == (True, "SystemExit: 2")


def test_the_file_is_compiled_as_the_loader_compiles_it(tmp_path: Path) -> None:
    """A file with Python 3.12's syntax, which the loader runs as written for this Python, ran under %run
    through plain compile(): a SyntaxError, and every name of the file missing."""
    _tree(tmp_path, {"layers.py": "def first[T](xs: list[T]) -> T:\n    return xs[0]\n"})
    namespace: dict[str, object] = {}
    assert run_file(str(tmp_path), str(tmp_path), "layers.py", namespace) == (True, None)
    assert callable(namespace["first"])


def test_a_run_asked_from_no_file_of_the_submission_does_nothing(tmp_path: Path) -> None:
    """The kernel ran `%run` in whichever frame called it: called through the grader's server (a method set
    to a partial of run_line_magic), the file ran in the grader's module (review of session 18). Asked from
    code outside the submission's root, it is inert. Control: the same call from a file of the submission."""
    _tree(tmp_path / "sub", {"probe.py": "ran = True\n"})
    root = str(tmp_path / "sub")
    kernel = Kernel(root, lambda text: None, lambda: None)
    outside: dict[str, object] = {"kernel": kernel}
    exec(
        compile("kernel.run_line_magic('run', '-i probe.py')\n", str(tmp_path / "grader.py"), "exec"), outside
    )
    assert "ran" not in outside
    inside: dict[str, object] = {"kernel": kernel}
    exec(
        compile("kernel.run_line_magic('run', '-i probe.py')\n", str(tmp_path / "sub" / "nb.py"), "exec"),
        inside,
    )
    assert inside["ran"] is True


def test_a_file_not_handed_in_is_named_to_the_student(tmp_path: Path) -> None:
    """`%run layers.py` in a notebook handed in without layers.py: the student was told only that the
    kernel's magics do nothing, then NameError on Affine in every case, never which file to hand in. The
    kernel names the file (left out, or outside the submission's folder) and is not also called inert.
    Controls: a module by -m and a file that is not a script stay the inert kernel's, unnoted."""
    _tree(tmp_path / "sub", {"hw.py": ""})
    _tree(tmp_path, {"outside.py": "y = 1\n"})
    root = str(tmp_path / "sub")
    notes: list[str] = []
    inert: list[bool] = []
    namespace: dict[str, object] = {
        "get_ipython": lambda: Kernel(root, notes.append, lambda: inert.append(True))
    }
    program = (
        "get_ipython().run_line_magic('run', 'layers.py')\n"
        "get_ipython().magic('run ../outside.py')\n"
        "get_ipython().run_line_magic('run', 'helpers.ipynb')\n"
    )
    exec(compile(program, str(tmp_path / "sub" / "hw.py"), "exec"), namespace)
    assert "y" not in namespace and not inert
    assert [note.split(": ", 1)[1] for note in notes] == [
        "`%run layers.py`: layers.py is not among the files you handed in, so it was not run and the names "
        "it defines are missing in the cells below; hand it in with the notebook",
        "`%run ../outside.py`: ../outside.py is not among the files you handed in, so it was not run and the "
        "names it defines are missing in the cells below; hand it in with the notebook",
        "`%run helpers.ipynb`: helpers.ipynb is not among the files you handed in, so it was not run and the "
        "names it defines are missing in the cells below; hand it in with the notebook",
    ]
    assert notes[0].startswith("hw.py line 1")
    notes.clear()
    exec(
        compile(
            "get_ipython().run_line_magic('run', '-m layers')\nget_ipython().run_line_magic('run', 'a.sh')\n",
            str(tmp_path / "sub" / "hw.py"),
            "exec",
        ),
        namespace,
    )
    assert notes == [] and inert == [True, True]
